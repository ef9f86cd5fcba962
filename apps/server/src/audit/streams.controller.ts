// Audit endpoints: a stream's events, its replayed state at a version, and store verification.
// Thin: validate, call one facade method, return its result.
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuditReport } from '@engine/core';
import { AuditApi, type ReplayedState, type StreamEventsPage } from '@engine/engine';
import { ApiJsonResponse, ApiQueryFrom } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { auditReportSchema, eventsPageSchema, eventsQuerySchema, replayedStateSchema, stateQuerySchema, streamIdSchema } from './streams.schemas';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api')
export class StreamsController {
  constructor(private readonly audit: AuditApi) {}

  @Get('streams/:id/events')
  @ApiQueryFrom(eventsQuerySchema)
  @ApiJsonResponse(eventsPageSchema)
  events(@Param('id') id: string, @Query() query: unknown): Promise<StreamEventsPage> {
    const q = parseOrThrow(eventsQuerySchema, query, 'query');
    return this.audit.events(parseOrThrow(streamIdSchema, id, 'stream id'), q.from, q.limit);
  }

  @Get('streams/:id/state')
  @ApiQueryFrom(stateQuerySchema)
  @ApiJsonResponse(replayedStateSchema)
  state(@Param('id') id: string, @Query() query: unknown): Promise<ReplayedState> {
    return this.audit.stateAt(parseOrThrow(streamIdSchema, id, 'stream id'), parseOrThrow(stateQuerySchema, query, 'query').version);
  }

  @Get('audit/verify')
  @ApiJsonResponse(auditReportSchema)
  verify(): Promise<AuditReport> {
    return this.audit.verify();
  }
}
