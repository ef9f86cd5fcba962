// Isolated workflow sessions over HTTP: create, list, show, reset, delete, upload a file.
// Thin: validate, call one facade method, return its typed result.
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod/v4';
import { WorkflowSessions, workflowViewSchema, type WorkflowView } from '@engine/engine';
import { ApiJsonBody, ApiJsonResponse } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { readUploadBody, UPLOAD_CONTENT_TYPE } from './upload-body';
import { createWorkflowSchema, emptyBodySchema, emptyQuerySchema, uploadQuerySchema, workflowIdSchema } from './workflows.schemas';

const workflowListSchema = z.object({ items: z.array(workflowViewSchema) });

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowSessions) {}

  @Post()
  @HttpCode(201)
  @ApiJsonBody(createWorkflowSchema, false)
  @ApiJsonResponse(workflowViewSchema, 201, 'the workflow with its browser context open; 503 when none could be had')
  create(@Body() body: unknown): Promise<WorkflowView> {
    return this.workflows.create(parseOrThrow(createWorkflowSchema, body ?? {}, 'workflow').sid);
  }

  @Get()
  @ApiJsonResponse(workflowListSchema)
  async list(@Query() query: unknown): Promise<{ items: WorkflowView[] }> {
    parseOrThrow(emptyQuerySchema, query, 'query');
    return { items: await this.workflows.list() };
  }

  @Get(':sid')
  @ApiJsonResponse(workflowViewSchema)
  get(@Param('sid') sid: string): Promise<WorkflowView> {
    return this.workflows.get(parseOrThrow(workflowIdSchema, sid, 'workflow id'));
  }

  @Post(':sid/reset')
  @HttpCode(200)
  @ApiJsonResponse(workflowViewSchema)
  reset(@Param('sid') sid: string, @Body() body: unknown): Promise<WorkflowView> {
    const id = parseOrThrow(workflowIdSchema, sid, 'workflow id');
    parseOrThrow(emptyBodySchema, body ?? {}, 'reset request');
    return this.workflows.reset(id);
  }

  @Delete(':sid')
  @ApiJsonResponse(workflowViewSchema)
  delete(@Param('sid') sid: string): Promise<WorkflowView> {
    return this.workflows.delete(parseOrThrow(workflowIdSchema, sid, 'workflow id'));
  }

  @Post(':sid/files')
  @HttpCode(201)
  @ApiConsumes(UPLOAD_CONTENT_TYPE)
  @ApiQuery({ name: 'name', required: true, description: 'The file name: 1-128 of A-Z a-z 0-9 . _ - and space' })
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiJsonResponse(workflowViewSchema, 201)
  async upload(@Param('sid') sid: string, @Query() query: unknown, @Req() request: IncomingMessage): Promise<WorkflowView> {
    const id = parseOrThrow(workflowIdSchema, sid, 'workflow id');
    const { name } = parseOrThrow(uploadQuerySchema, query, 'query');
    return this.workflows.upload(id, name, await readUploadBody(request, this.workflows.config.maxUploadBytes));
  }
}
