// Login and logout: captcha first, then the lockout, then the password; success starts a
// session and follows a same-site ReturnUrl. Passwords are never logged or echoed.
import type { RequestContext } from '../context';
import { clearedSessionCookie, readCookie, redirect, safeReturnUrl, SESSION_COOKIE, sendHtml, sessionCookie } from '../http-util';
import { loginPage, type LoginPageModel } from '../pages/login.page';
import { readFields } from '../proposal/validation';
import { readPostedForm } from './posted-form';

const LOGIN_FIELDS = ['txtUserName', 'txtPassword', 'txtCaptcha', '__CAPTCHAID'] as const;

function renderLogin(ctx: RequestContext, status: number, model: Omit<LoginPageModel, 'captchaId' | 'returnUrl'> = {}): void {
  const returnUrl = safeReturnUrl(ctx.query.get('ReturnUrl'));
  sendHtml(ctx.res, status, loginPage({ ...model, returnUrl, captchaId: ctx.services.captchas.issue() }));
}

export function getLogin(ctx: RequestContext): void {
  renderLogin(ctx, 200);
}

export async function postLogin(ctx: RequestContext): Promise<void> {
  const body = await readPostedForm(ctx);
  if (!body) return;
  const { services } = ctx;
  const { values, errors } = readFields(body, LOGIN_FIELDS);
  if (Object.keys(errors).length > 0) {
    renderLogin(ctx, 400, { username: values.txtUserName, fieldErrors: errors, error: 'Please fill in every field.' });
    return;
  }
  const username = values.txtUserName;
  const fail = (error: string) => {
    services.stats.failedLogins++;
    renderLogin(ctx, 200, { username, error });
  };

  const verdict = services.captchas.verify(values.__CAPTCHAID, values.txtCaptcha);
  if (verdict === 'unknown') return fail('The security code has expired. Please try again.');
  if (verdict === 'wrong' || services.faults.captchaAlwaysWrong) return fail('The characters you entered did not match the image.');

  const lockedMs = services.throttle.lockedForMs(username);
  if (lockedMs > 0) return fail(`Your account is locked. Try again in ${Math.ceil(lockedMs / 1000)} seconds.`);

  const user = services.options.users.find((u) => u.username.toLowerCase() === username.toLowerCase());
  if (!user || user.password !== body.get('txtPassword')) {
    services.throttle.recordFailure(username);
    const nowLockedMs = services.throttle.lockedForMs(username);
    return fail(
      nowLockedMs > 0
        ? `Too many failed attempts: your account is locked. Try again in ${Math.ceil(nowLockedMs / 1000)} seconds.`
        : 'Invalid user name or password.',
    );
  }

  services.throttle.recordSuccess(username);
  services.stats.logins++;
  const session = services.sessions.create(user.username);
  redirect(ctx.res, safeReturnUrl(ctx.query.get('ReturnUrl')) ?? '/Dashboard.aspx', { 'Set-Cookie': sessionCookie(session.id) });
}

/** Public, so that a stale logout link never becomes a ReturnUrl that logs the user out again. */
export function getLogout(ctx: RequestContext): void {
  const id = readCookie(ctx.req, SESSION_COOKIE);
  if (id) ctx.services.sessions.destroy(id);
  redirect(ctx.res, '/Login.aspx', { 'Set-Cookie': clearedSessionCookie() });
}
