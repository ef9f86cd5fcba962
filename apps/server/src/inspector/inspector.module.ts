// The visual state inspector: the page at /inspector, its API and live feed under
// /api/inspector, and the optional bridge to Stately's inspector (INSPECT_WS_URL).
import { Module } from '@nestjs/common';
import { InspectorApiController } from './inspector-api.controller';
import { InspectBridgeProvider } from './inspect-bridge.provider';
import { InspectorPageController } from './inspector-page.controller';
import { INSPECTOR_OPTIONS, inspectorOptionsFrom } from './inspector.options';
import { InspectorService } from './inspector.service';

@Module({
  controllers: [InspectorPageController, InspectorApiController],
  providers: [{ provide: INSPECTOR_OPTIONS, useFactory: () => inspectorOptionsFrom() }, InspectBridgeProvider, InspectorService],
})
export class InspectorModule {}
