// Isolated workflow sessions over HTTP: create, list, show, reset, delete; run scripted steps on
// the workflow's page, download a file of the page's origin, take a screenshot; upload, list and
// fetch the files in its folder. Thin: validate, call one facade method, return its typed result.
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod/v4';
import {
  downloadRequestSchema,
  screenshotRequestSchema,
  WorkflowSessions,
  workflowFileViewSchema,
  workflowViewSchema,
  type WorkflowFileView,
  type WorkflowStepsResult,
  type WorkflowView,
} from '@engine/engine';
import { ApiJsonBody, ApiJsonResponse } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { readUploadBody, UPLOAD_CONTENT_TYPE } from './upload-body';
import { createWorkflowSchema, emptyBodySchema, emptyQuerySchema, fileNameSchema, stepsRequestSchema, stepsResultSchema, uploadQuerySchema, workflowIdSchema } from './workflows.schemas';

const workflowListSchema = z.object({ items: z.array(workflowViewSchema) });
const fileListSchema = z.object({ items: z.array(workflowFileViewSchema) });

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

  @Get(':sid/files')
  @ApiJsonResponse(fileListSchema)
  async files(@Param('sid') sid: string): Promise<{ items: WorkflowFileView[] }> {
    return { items: await this.workflows.files(parseOrThrow(workflowIdSchema, sid, 'workflow id')) };
  }

  @Get(':sid/files/:name')
  @ApiOkResponse({ description: 'the file (image/png for a screenshot, else application/octet-stream)', schema: { type: 'string', format: 'binary' } })
  async file(@Param('sid') sid: string, @Param('name') name: string): Promise<StreamableFile> {
    const file = await this.workflows.file(parseOrThrow(workflowIdSchema, sid, 'workflow id'), parseOrThrow(fileNameSchema, name, 'file name'));
    // The name is allow-listed (no quotes, separators or control characters): safe in the header as it is.
    return new StreamableFile(file.bytes, {
      type: file.kind === 'screenshot' ? 'image/png' : 'application/octet-stream',
      disposition: `attachment; filename="${file.name}"`,
      length: file.size,
    });
  }

  @Post(':sid/steps')
  @HttpCode(200)
  @ApiJsonBody(stepsRequestSchema)
  @ApiJsonResponse(stepsResultSchema, 200, 'every step done, with what it extracted; 400 for a bad request (nothing runs), 422 STEP_FAILED naming the step that failed')
  runSteps(@Param('sid') sid: string, @Body() body: unknown): Promise<WorkflowStepsResult> {
    return this.workflows.runSteps(parseOrThrow(workflowIdSchema, sid, 'workflow id'), body);
  }

  @Post(':sid/downloads')
  @HttpCode(201)
  @ApiJsonBody(downloadRequestSchema)
  @ApiJsonResponse(workflowViewSchema, 201, 'the workflow with the file listed; 413 DOWNLOAD_TOO_LARGE above workflows.maxDownloadBytes (nothing written), 422 DOWNLOAD_FAILED')
  download(@Param('sid') sid: string, @Body() body: unknown): Promise<WorkflowView> {
    return this.workflows.download(parseOrThrow(workflowIdSchema, sid, 'workflow id'), body);
  }

  @Post(':sid/screenshot')
  @HttpCode(201)
  @ApiJsonBody(screenshotRequestSchema, false)
  @ApiJsonResponse(workflowViewSchema, 201, 'the workflow with the PNG listed')
  screenshot(@Param('sid') sid: string, @Body() body: unknown): Promise<WorkflowView> {
    return this.workflows.screenshot(parseOrThrow(workflowIdSchema, sid, 'workflow id'), body);
  }
}
