// GET /inspector: the inspector page and its assets, straight from the repository (no CDN,
// no build step). These routes are public because a browser cannot attach a bearer token to a
// navigation; they hold no data. The page asks for the token and sends it on every API call.
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '@engine/core';
import { Public } from '../common/public.decorator';
import { INSPECTOR_OPTIONS, type InspectorOptions } from './inspector.options';

const ASSETS: Record<string, string> = {
  'inspector.css': 'text/css; charset=utf-8',
  'inspector.js': 'text/javascript; charset=utf-8',
  'chart-view.css': 'text/css; charset=utf-8',
  'chart-view.js': 'text/javascript; charset=utf-8',
};

/** Everything the page loads is its own; images may be blob: URLs made from authenticated fetches. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface HeaderResponse {
  setHeader(name: string, value: string): void;
}

@ApiExcludeController()
@Controller('inspector')
export class InspectorPageController {
  private readonly files = new Map<string, string>();

  constructor(@Inject(INSPECTOR_OPTIONS) options: InspectorOptions) {
    for (const name of ['index.html', ...Object.keys(ASSETS)]) this.files.set(name, readFileSync(join(options.assetsDir, name), 'utf8'));
  }

  @Get()
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  @Header('Cache-Control', 'no-cache')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Content-Type-Options', 'nosniff')
  page(): string {
    return this.files.get('index.html') as string;
  }

  @Get(':file')
  @Public()
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('file') file: string, @Res({ passthrough: true }) res: HeaderResponse): string {
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new NotFoundError('inspector asset', file.slice(0, 64));
    res.setHeader('Content-Type', type);
    return this.files.get(file) as string;
  }
}
