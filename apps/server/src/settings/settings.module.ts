import { Module } from '@nestjs/common';
import { SettingsController } from './settings.controller';

/** The effective configuration over HTTP (token required, secrets redacted). */
@Module({ controllers: [SettingsController] })
export class SettingsModule {}
