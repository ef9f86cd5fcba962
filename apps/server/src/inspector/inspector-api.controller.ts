// The inspector's JSON API and live feed under /api/inspector. Every route is behind the
// global bearer guard, the SSE feed included: the page reads it with fetch() and an
// Authorization header instead of EventSource, so no credential ever appears in a URL.
import { Controller, Get, Header, Param, Query, Sse, StreamableFile, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { StateFeed } from '@engine/core';
import { streamIdSchema } from '../audit/streams.schemas';
import { parseOrThrow } from '../common/validation';
import { InspectorService, type StreamView, type TimeTravel } from './inspector.service';
import type { ListPage } from './stream-list';
import { listQuerySchema, liveQuerySchema, screenshotNameSchema, versionQuerySchema } from './inspector.schemas';
import { liveEvents } from './live-events';

@ApiTags('inspector')
@ApiBearerAuth()
@Controller('api/inspector')
export class InspectorApiController {
  constructor(
    private readonly inspector: InspectorService,
    private readonly feed: StateFeed,
  ) {}

  @Get('streams')
  list(@Query() query: unknown): ListPage {
    return this.inspector.list(parseOrThrow(listQuerySchema, query, 'query'));
  }

  @Get('streams/:id')
  view(@Param('id') id: string): Promise<StreamView> {
    return this.inspector.view(parseOrThrow(streamIdSchema, id, 'stream id'));
  }

  @Get('streams/:id/state')
  stateAt(@Param('id') id: string, @Query() query: unknown): Promise<TimeTravel> {
    return this.inspector.stateAt(parseOrThrow(streamIdSchema, id, 'stream id'), parseOrThrow(versionQuerySchema, query, 'query').version);
  }

  @Get('streams/:id/screenshots/:name')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Content-Security-Policy', "default-src 'none'")
  @Header('Cache-Control', 'private, max-age=3600')
  async screenshot(@Param('id') id: string, @Param('name') name: string): Promise<StreamableFile> {
    const png = await this.inspector.screenshot(parseOrThrow(streamIdSchema, id, 'stream id'), `screenshot/${parseOrThrow(screenshotNameSchema, name, 'screenshot name')}`);
    return new StreamableFile(png, { type: 'image/png' });
  }

  @Sse('live')
  live(@Query() query: unknown): Observable<MessageEvent> {
    const { stream } = parseOrThrow(liveQuerySchema, query, 'query');
    return liveEvents(this.feed, stream === undefined ? undefined : parseOrThrow(streamIdSchema, stream, 'stream id'));
  }
}
