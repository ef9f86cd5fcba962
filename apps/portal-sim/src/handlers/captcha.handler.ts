// Serves the captcha image for a login page view.
import type { RequestContext } from '../context';
import { sendBytes, sendHtml } from '../http-util';
import { notFoundPage } from '../pages/error.page';

export function getCaptchaImage(ctx: RequestContext): void {
  const png = ctx.services.captchas.renderPng(ctx.query.get('id') ?? '');
  if (!png) {
    sendHtml(ctx.res, 404, notFoundPage());
    return;
  }
  sendBytes(ctx.res, 'image/png', png, 'no-store');
}
