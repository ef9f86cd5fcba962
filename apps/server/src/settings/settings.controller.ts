// GET /config (token): the effective configuration, secrets redacted (effective-config.ts).
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CONFIG } from '../common/tokens';
import type { ServerConfig } from '../config';
import { effectiveConfig } from './effective-config';

@ApiTags('config')
@ApiBearerAuth()
@Controller('config')
export class SettingsController {
  constructor(@Inject(CONFIG) private readonly config: ServerConfig) {}

  @Get()
  @ApiOkResponse({ description: 'every setting the server runs with, after defaults and validation; secrets redacted' })
  get(): Record<string, unknown> {
    return effectiveConfig(this.config);
  }
}
