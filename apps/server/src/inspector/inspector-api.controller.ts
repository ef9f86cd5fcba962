// The inspector's JSON API and live feed under /api/inspector. Every route is behind the
// global bearer guard, the SSE feed included: the page reads it with fetch() and an
// Authorization header instead of EventSource, so no credential ever appears in a URL.
import { Controller, Get, Header, Param, Query, Sse, StreamableFile, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { StateFeed, ValidationError } from '@engine/core';
import { allowedActionSchema } from '@engine/engine';
import { z } from 'zod/v4';
import { ApiJsonResponse } from '../common/api-schema';
import { streamIdSchema } from '../audit/streams.schemas';
import { parseOrThrow } from '../common/validation';
import { InspectorService, type StreamView, type TimeTravel } from './inspector.service';
import type { ListPage } from './stream-list';
import type { ChartLayout } from './chart/statechart-layout';
import { chartQuerySchema, listQuerySchema, liveQuerySchema, screenshotNameSchema, versionQuerySchema } from './inspector.schemas';
import { liveEvents } from './live-events';

const streamActionsSchema = z.object({ stream: z.string(), actions: z.array(allowedActionSchema), related: z.array(z.string()) });
type StreamActions = z.infer<typeof streamActionsSchema>;

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

  @Get('streams/:id/actions')
  @ApiJsonResponse(streamActionsSchema, 200, 'what an operator may do with the stream now, each refused one with the machine’s reason; `related` names streams whose changes change these answers (a portal’s queue)')
  actions(@Param('id') id: string): Promise<StreamActions> {
    return this.inspector.actions(parseOrThrow(streamIdSchema, id, 'stream id'));
  }

  @Get('streams/:id/state')
  stateAt(@Param('id') id: string, @Query() query: unknown): Promise<TimeTravel> {
    return this.inspector.stateAt(parseOrThrow(streamIdSchema, id, 'stream id'), parseOrThrow(versionQuerySchema, query, 'query').version);
  }

  @Get('streams/:id/chart')
  chart(@Param('id') id: string, @Query() query: unknown): Promise<ChartLayout> {
    return this.inspector.chart(parseOrThrow(streamIdSchema, id, 'stream id'), parseOrThrow(chartQuerySchema, query, 'query').collapsed);
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
    const { stream, related } = parseOrThrow(liveQuerySchema, query, 'query');
    if (stream === undefined && related !== undefined) throw new ValidationError('invalid query', { related: 'only with stream' });
    return liveEvents(
      this.feed,
      stream === undefined ? undefined : parseOrThrow(streamIdSchema, stream, 'stream id'),
      related === undefined ? [] : [parseOrThrow(streamIdSchema, related, 'related stream id')],
    );
  }
}
