import { Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { StreamsController } from './streams.controller';

@Module({ controllers: [StreamsController], providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
