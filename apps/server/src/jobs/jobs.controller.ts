// The jobs API: thin — validate, call one facade method, return its typed result.
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { jobPageSchema, jobStatsSchema, JobsApi, jobViewSchema, retriedJobSchema, submittedJobSchema, type JobPage, type JobStats, type JobView, type RetriedJob, type SubmittedJob } from '@engine/engine';
import { ActingAs, ApiActorHeader, type Actor } from '../common/actor';
import { ApiJsonBody, ApiJsonResponse, ApiQueryFrom } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { cancelJobSchema, externalIdSchema, idempotencyKeySchema, jobIdSchema, jobListFilter, listJobsSchema, retryJobSchema, submitJobSchema } from './jobs.schemas';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api')
export class JobsController {
  constructor(private readonly jobs: JobsApi) {}

  @Post('jobs')
  @HttpCode(202)
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'The same key always names the same job' })
  @ApiJsonBody(submitJobSchema)
  @ApiJsonResponse(submittedJobSchema, 202, 'the job as committed: created now, or found by its idempotency key')
  submit(@Body() body: unknown, @Headers('idempotency-key') key: string | undefined): Promise<SubmittedJob> {
    const request = parseOrThrow(submitJobSchema, body, 'job');
    return this.jobs.submit({ ...request, idempotencyKey: parseOrThrow(idempotencyKeySchema, key, 'Idempotency-Key header') });
  }

  @Get('jobs/stats')
  @ApiJsonResponse(jobStatsSchema)
  stats(): Promise<JobStats> {
    return this.jobs.stats();
  }

  @Get('jobs')
  @ApiQueryFrom(listJobsSchema)
  @ApiJsonResponse(jobPageSchema)
  list(@Query() query: unknown): Promise<JobPage> {
    return this.jobs.list(jobListFilter(parseOrThrow(listJobsSchema, query, 'query')));
  }

  @Get('jobs/:id')
  @ApiJsonResponse(jobViewSchema)
  get(@Param('id') id: string): Promise<JobView> {
    // An archived job (removed from the store) is shown from its archive segment.
    return this.jobs.show(parseOrThrow(jobIdSchema, id, 'job id'));
  }

  @Post('jobs/:id/cancel')
  @HttpCode(200)
  @ApiActorHeader()
  @ApiJsonBody(cancelJobSchema, false)
  @ApiJsonResponse(jobViewSchema, 200, 'the job as the CANCEL left it; 409 with the machine’s reason when it refuses')
  cancel(@Param('id') id: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<JobView> {
    return this.jobs.cancel(parseOrThrow(jobIdSchema, id, 'job id'), parseOrThrow(cancelJobSchema, body ?? {}, 'cancel request').reason, by);
  }

  @Post('jobs/:id/retry')
  @HttpCode(202)
  @ApiActorHeader()
  @ApiJsonBody(retryJobSchema, false)
  @ApiJsonResponse(
    retriedJobSchema,
    202,
    'a new job with the same input, linked by retryOf (a finished job’s log is never reopened); 409 with the reason when the portal may hold this one (a needs_review job needs confirmNotSubmitted)',
  )
  retry(@Param('id') id: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<RetriedJob> {
    const { confirmNotSubmitted } = parseOrThrow(retryJobSchema, body ?? {}, 'retry request');
    return this.jobs.retry(parseOrThrow(jobIdSchema, id, 'job id'), { by, confirmNotSubmitted });
  }

  @Get('job-status/:externalId')
  @ApiJsonResponse(jobViewSchema)
  byExternalId(@Param('externalId') externalId: string): JobView {
    return this.jobs.byExternalId(parseOrThrow(externalIdSchema, externalId, 'external id'));
  }
}
