// Starts the optional bridge to Stately's inspector (INSPECT_WS_URL) with the module and feeds
// it every change of the engine's read feed; stops it with the module.
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { StateFeed, type Logger } from '@engine/core';
import { AuditApi } from '@engine/engine';
import { LOGGER } from '../common/tokens';
import { INSPECTOR_OPTIONS, type InspectorOptions } from './inspector.options';
import { XStateInspectBridge } from './xstate-inspect-bridge';

@Injectable()
export class InspectBridgeProvider implements OnModuleInit, OnModuleDestroy {
  private bridge: XStateInspectBridge | undefined;
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly feed: StateFeed,
    private readonly audit: AuditApi,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(INSPECTOR_OPTIONS) private readonly options: InspectorOptions,
  ) {}

  onModuleInit(): void {
    if (!this.options.inspectWsUrl) return;
    const bridge = new XStateInspectBridge({ url: this.options.inspectWsUrl, definitionFor: (s) => this.audit.definitionFor(s), logger: this.logger });
    this.bridge = bridge;
    bridge.start();
    this.unsubscribe = this.feed.subscribe(({ event }) => bridge.publish(event));
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe();
    await this.bridge?.stop();
  }
}
