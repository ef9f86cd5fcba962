// Isolated workflow sessions over HTTP: create, list, show, reset, delete, upload a file.
// Thin: validate, call one service method, return its result.
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { parseOrThrow } from '../common/validation';
import { readUploadBody, UPLOAD_CONTENT_TYPE } from './upload-body';
import { createWorkflowSchema, emptyBodySchema, emptyQuerySchema, uploadQuerySchema, workflowIdSchema } from './workflows.schemas';
import { WorkflowsService } from './workflows.service';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ required: false, schema: { type: 'object', properties: { sid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }, additionalProperties: false } })
  create(@Body() body: unknown) {
    return this.workflows.create(parseOrThrow(createWorkflowSchema, body ?? {}, 'workflow').sid);
  }

  @Get()
  list(@Query() query: unknown) {
    parseOrThrow(emptyQuerySchema, query, 'query');
    return this.workflows.list();
  }

  @Get(':sid')
  get(@Param('sid') sid: string) {
    return this.workflows.get(parseOrThrow(workflowIdSchema, sid, 'workflow id'));
  }

  @Post(':sid/reset')
  @HttpCode(200)
  reset(@Param('sid') sid: string, @Body() body: unknown) {
    const id = parseOrThrow(workflowIdSchema, sid, 'workflow id');
    parseOrThrow(emptyBodySchema, body ?? {}, 'reset request');
    return this.workflows.reset(id);
  }

  @Delete(':sid')
  delete(@Param('sid') sid: string) {
    return this.workflows.delete(parseOrThrow(workflowIdSchema, sid, 'workflow id'));
  }

  @Post(':sid/files')
  @HttpCode(201)
  @ApiConsumes(UPLOAD_CONTENT_TYPE)
  @ApiQuery({ name: 'name', required: true, description: 'The file name: 1-128 of A-Z a-z 0-9 . _ - and space' })
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  async upload(@Param('sid') sid: string, @Query() query: unknown, @Req() request: IncomingMessage) {
    const id = parseOrThrow(workflowIdSchema, sid, 'workflow id');
    const { name } = parseOrThrow(uploadQuerySchema, query, 'query');
    return this.workflows.upload(id, name, await readUploadBody(request, this.workflows.maxUploadBytes));
  }
}
