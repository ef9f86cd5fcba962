// The jobs API: thin — validate, call one service method, return its result.
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { parseOrThrow } from '../common/validation';
import { cancelJobSchema, externalIdSchema, idempotencyKeySchema, jobIdSchema, listJobsSchema, submitJobSchema } from './jobs.schemas';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post('jobs')
  @HttpCode(202)
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'The same key always names the same job' })
  submit(@Body() body: unknown, @Headers('idempotency-key') key: string | undefined) {
    const request = parseOrThrow(submitJobSchema, body, 'job');
    return this.jobs.submit(request.portal, request.payload, parseOrThrow(idempotencyKeySchema, key, 'Idempotency-Key header'), request.externalId);
  }

  @Get('jobs/stats')
  stats() {
    return this.jobs.stats();
  }

  @Get('jobs')
  list(@Query() query: unknown) {
    return this.jobs.list(parseOrThrow(listJobsSchema, query, 'query'));
  }

  @Get('jobs/:id')
  get(@Param('id') id: string) {
    return this.jobs.get(parseOrThrow(jobIdSchema, id, 'job id'));
  }

  @Post('jobs/:id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @Body() body: unknown) {
    return this.jobs.cancel(parseOrThrow(jobIdSchema, id, 'job id'), parseOrThrow(cancelJobSchema, body ?? {}, 'cancel request').reason);
  }

  @Post('jobs/:id/retry')
  @HttpCode(202)
  retry(@Param('id') id: string) {
    return this.jobs.retry(parseOrThrow(jobIdSchema, id, 'job id'));
  }

  @Get('job-status/:externalId')
  byExternalId(@Param('externalId') externalId: string) {
    return this.jobs.byExternalId(parseOrThrow(externalIdSchema, externalId, 'external id'));
  }
}
