// Master-session endpoints: thin — validate, call one facade method, return its typed result.
import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod/v4';
import { recoveryHistorySchema, SessionsApi, sessionViewSchema, type RecoveryHistory, type SessionView } from '@engine/engine';
import { ActingAs, ApiActorHeader, type Actor } from '../common/actor';
import { ApiJsonBody, ApiJsonResponse, ApiQueryFrom } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { captchaAnswerSchema, captchaQuerySchema, recoverSchema, sessionIdSchema } from './sessions.schemas';

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

  // The type goes with the image only: a 404 (no open challenge) is JSON and says so. `:portal`
  // is a portal id or `<portal>.<account>`; a portal whose accounts wait on several challenges
  // needs `?account=` or `?challengeId=` (409 listing them otherwise).
  @Get(':portal/captcha')
  @ApiProduces('image/png')
  @ApiQueryFrom(captchaQuerySchema)
  @Header('Cache-Control', 'no-store')
  captcha(@Param('portal') portal: string, @Query() query: unknown): StreamableFile {
    const which = parseOrThrow(captchaQuerySchema, query ?? {}, 'captcha query');
    return new StreamableFile(this.sessions.captchaImage(parseOrThrow(sessionIdSchema, portal, 'portal'), which), { type: 'image/png' });
  }

  @Post(':portal/captcha')
  @HttpCode(202)
  @ApiActorHeader()
  @ApiJsonBody(captchaAnswerSchema)
  @ApiJsonResponse(sessionViewSchema, 202)
  answer(@Param('portal') portal: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<SessionView> {
    const { answer, challengeId, account } = parseOrThrow(captchaAnswerSchema, body, 'captcha answer');
    return this.sessions.answerCaptcha(parseOrThrow(sessionIdSchema, portal, 'portal'), answer, challengeId, by, account);
  }
}
