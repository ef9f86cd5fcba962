// Master-session endpoints: thin — validate, call one facade method, return its typed result.
import { Body, Controller, Get, Header, HttpCode, Param, Post, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod/v4';
import { recoveryHistorySchema, SessionsApi, sessionViewSchema, type RecoveryHistory, type SessionView } from '@engine/engine';
import { ActingAs, ApiActorHeader, type Actor } from '../common/actor';
import { ApiJsonBody, ApiJsonResponse } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { captchaAnswerSchema, portalIdSchema, recoverSchema, sessionIdSchema } from './sessions.schemas';

const sessionListSchema = z.object({ sessions: z.array(sessionViewSchema) });

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsApi) {}

  @Get()
  @ApiJsonResponse(sessionListSchema)
  list(): { sessions: SessionView[] } {
    return { sessions: this.sessions.list() };
  }

  // `:portal` is a portal id (its only or first account's session) or `<portal>.<account>`.
  @Get(':portal')
  @ApiJsonResponse(sessionViewSchema)
  get(@Param('portal') portal: string): SessionView {
    return this.sessions.get(parseOrThrow(sessionIdSchema, portal, 'portal'));
  }

  @Get(':portal/recoveries')
  @ApiJsonResponse(recoveryHistorySchema)
  recoveries(@Param('portal') portal: string): Promise<RecoveryHistory> {
    return this.sessions.recoveries(parseOrThrow(sessionIdSchema, portal, 'portal'));
  }

  @Post(':portal/recover')
  @HttpCode(202)
  @ApiJsonResponse(sessionViewSchema, 202)
  @ApiActorHeader()
  @ApiJsonBody(recoverSchema, false)
  recover(@Param('portal') portal: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<SessionView> {
    const { level } = parseOrThrow(recoverSchema, body ?? {}, 'recovery request');
    return this.sessions.recover(parseOrThrow(sessionIdSchema, portal, 'portal'), by, level);
  }

  // The type goes with the image only: a 404 (no open challenge) is JSON and says so.
  @Get(':portal/captcha')
  @ApiProduces('image/png')
  @Header('Cache-Control', 'no-store')
  captcha(@Param('portal') portal: string): StreamableFile {
    return new StreamableFile(this.sessions.captchaImage(parseOrThrow(portalIdSchema, portal, 'portal')), { type: 'image/png' });
  }

  @Post(':portal/captcha')
  @HttpCode(202)
  @ApiActorHeader()
  @ApiJsonBody(captchaAnswerSchema)
  @ApiJsonResponse(sessionViewSchema, 202)
  answer(@Param('portal') portal: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<SessionView> {
    const { answer, challengeId } = parseOrThrow(captchaAnswerSchema, body, 'captcha answer');
    return this.sessions.answerCaptcha(parseOrThrow(portalIdSchema, portal, 'portal'), answer, challengeId, by);
  }
}
