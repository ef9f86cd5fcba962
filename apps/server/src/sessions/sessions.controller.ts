// Master-session endpoints: thin — validate, call one service method, return its result.
import { Body, Controller, Get, Header, HttpCode, Param, Post, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { parseOrThrow } from '../common/validation';
import { captchaAnswerSchema, portalIdSchema } from './sessions.schemas';
import { SessionsService } from './sessions.service';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  list() {
    return { sessions: this.sessions.list() };
  }

  @Get(':portal')
  get(@Param('portal') portal: string) {
    return this.sessions.get(parseOrThrow(portalIdSchema, portal, 'portal'));
  }

  @Get(':portal/recoveries')
  recoveries(@Param('portal') portal: string) {
    return this.sessions.recoveries(parseOrThrow(portalIdSchema, portal, 'portal'));
  }

  @Post(':portal/recover')
  @HttpCode(202)
  recover(@Param('portal') portal: string) {
    return this.sessions.recover(parseOrThrow(portalIdSchema, portal, 'portal'));
  }

  @Get(':portal/captcha')
  @Header('Content-Type', 'image/png')
  @Header('Cache-Control', 'no-store')
  captcha(@Param('portal') portal: string) {
    return new StreamableFile(this.sessions.captchaImage(parseOrThrow(portalIdSchema, portal, 'portal')));
  }

  @Post(':portal/captcha')
  @HttpCode(202)
  answer(@Param('portal') portal: string, @Body() body: unknown) {
    const { answer, challengeId } = parseOrThrow(captchaAnswerSchema, body, 'captcha answer');
    return this.sessions.answerCaptcha(parseOrThrow(portalIdSchema, portal, 'portal'), answer, challengeId);
  }
}
