// Completion callbacks: list them (undelivered ones are what an operator looks for), show one
// job's, and send one again. Thin: validate, call the facade, return its typed result.
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod/v4';
import { CallbacksApi, callbackViewSchema, type CallbackView } from '@engine/engine';
import { ApiJsonResponse, ApiQueryFrom } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { callbackJobIdSchema, listCallbacksSchema } from './callbacks.schemas';

const callbackListSchema = z.object({ callbacks: z.array(callbackViewSchema) });

@ApiTags('callbacks')
@ApiBearerAuth()
@Controller('api/callbacks')
export class CallbacksController {
  constructor(private readonly callbacks: CallbacksApi) {}

  @Get()
  @ApiQueryFrom(listCallbacksSchema)
  @ApiJsonResponse(callbackListSchema)
  list(@Query() query: unknown): { callbacks: CallbackView[] } {
    return { callbacks: this.callbacks.list(parseOrThrow(listCallbacksSchema, query, 'query')) };
  }

  @Get(':jobId')
  @ApiJsonResponse(callbackViewSchema)
  get(@Param('jobId') jobId: string): CallbackView {
    return this.callbacks.get(parseOrThrow(callbackJobIdSchema, jobId, 'job id'));
  }

  @Post(':jobId/resend')
  @HttpCode(202)
  @ApiJsonResponse(callbackViewSchema, 202)
  resend(@Param('jobId') jobId: string): Promise<CallbackView> {
    return this.callbacks.resend(parseOrThrow(callbackJobIdSchema, jobId, 'job id'), 'api');
  }
}
