import { Module } from '@nestjs/common';
import { StreamsController } from './streams.controller';

/** The log for auditors; its facade (AuditApi) is provided by the engine module. */
@Module({ controllers: [StreamsController] })
export class AuditModule {}
