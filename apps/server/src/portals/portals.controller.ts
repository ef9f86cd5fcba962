// The portals' load (GET /api/portals) and a portal's queue: its state, pause and resume. Thin: validate, call the facade, return its view.
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { JobsApi, PortalQueuesApi, portalLoadListSchema, queueViewSchema, type PortalLoadList, type QueueView } from '@engine/engine';
import { ActingAs, ApiActorHeader, type Actor } from '../common/actor';
import { ApiJsonBody, ApiJsonResponse } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { pauseQueueSchema, portalIdSchema, resumeQueueSchema } from './portals.schemas';

@ApiTags('portals')
@ApiBearerAuth()
@Controller('api/portals')
export class PortalsController {
  constructor(
    private readonly queues: PortalQueuesApi,
    private readonly jobs: JobsApi,
  ) {}

  @Get()
  @ApiJsonResponse(portalLoadListSchema, 200, "each portal's load as the scheduler sees it now, and its concurrency limit (adaptive: bounds and last change)")
  list(): PortalLoadList {
    return { concurrency: this.jobs.concurrency(), portals: this.jobs.portalLoad() };
  }

  @Get(':portal/queue')
  @ApiJsonResponse(queueViewSchema)
  queue(@Param('portal') portal: string): QueueView {
    return this.queues.get(parseOrThrow(portalIdSchema, portal, 'portal'));
  }

  @Post(':portal/pause')
  @HttpCode(200)
  @ApiActorHeader()
  @ApiJsonBody(pauseQueueSchema, false)
  @ApiJsonResponse(queueViewSchema, 200, 'the queue paused: none of the portal’s jobs is started, the running ones finish; 409 when it is paused already')
  pause(@Param('portal') portal: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<QueueView> {
    const { reason } = parseOrThrow(pauseQueueSchema, body ?? {}, 'pause request');
    return this.queues.pause(parseOrThrow(portalIdSchema, portal, 'portal'), by, reason);
  }

  @Post(':portal/resume')
  @HttpCode(200)
  @ApiActorHeader()
  @ApiJsonBody(resumeQueueSchema, false)
  @ApiJsonResponse(queueViewSchema, 200, 'the queue running again; 409 when it is not paused')
  resume(@Param('portal') portal: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<QueueView> {
    parseOrThrow(resumeQueueSchema, body ?? {}, 'resume request');
    return this.queues.resume(parseOrThrow(portalIdSchema, portal, 'portal'), by);
  }
}
