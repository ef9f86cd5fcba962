// Reads a posted HTML form, answering 400 itself when the post cannot be read at all.
import type { RequestContext } from '../context';
import { isFormEncoded, readBody, sendHtml } from '../http-util';
import { badRequestPage } from '../pages/error.page';

export async function readPostedForm(ctx: RequestContext): Promise<URLSearchParams | undefined> {
  if (!isFormEncoded(ctx.req)) {
    ctx.req.resume();
    sendHtml(ctx.res, 400, badRequestPage({ __form: 'The form must be posted as application/x-www-form-urlencoded.' }));
    return undefined;
  }
  const body = await readBody(ctx.req);
  if (!body.ok) {
    sendHtml(ctx.res, 400, badRequestPage({ __form: 'The request is too large.' }));
    return undefined;
  }
  return new URLSearchParams(body.text);
}
