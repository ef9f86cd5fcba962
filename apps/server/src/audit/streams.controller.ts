// Audit endpoints: a stream's events, its replayed state at a version, and store verification.
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { parseOrThrow } from '../common/validation';
import { AuditService } from './audit.service';
import { eventsQuerySchema, stateQuerySchema, streamIdSchema } from './streams.schemas';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api')
export class StreamsController {
  constructor(private readonly audit: AuditService) {}

  @Get('streams/:id/events')
  events(@Param('id') id: string, @Query() query: unknown) {
    const q = parseOrThrow(eventsQuerySchema, query, 'query');
    return this.audit.events(parseOrThrow(streamIdSchema, id, 'stream id'), q.from, q.limit);
  }

  @Get('streams/:id/state')
  state(@Param('id') id: string, @Query() query: unknown) {
    return this.audit.stateAt(parseOrThrow(streamIdSchema, id, 'stream id'), parseOrThrow(stateQuerySchema, query, 'query').version);
  }

  @Get('audit/verify')
  verify() {
    return this.audit.verify();
  }
}
