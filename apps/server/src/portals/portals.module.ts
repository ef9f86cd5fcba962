import { Module } from '@nestjs/common';
import { PortalsController } from './portals.controller';

/** Portal queues over HTTP (pause, resume); the facade (PortalQueuesApi) is provided by the engine module. */
@Module({ controllers: [PortalsController] })
export class PortalsModule {}
