// The /__test JSON API, mounted only with testHooks: read a captcha's answer, set faults,
// read the counters, kill sessions. Never counted in the request stats, never delayed.
import { z } from 'zod';
import type { RequestContext } from '../context';
import { readBody, sendJson } from '../http-util';
import type { PortalSimStats } from '../stats';

const killSessionsSchema = z.object({ username: z.string().min(1).optional() }).strict();

async function readJson(ctx: RequestContext): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const body = await readBody(ctx.req);
  if (!body.ok) {
    sendJson(ctx.res, 400, { error: 'body too large' });
    return { ok: false };
  }
  if (body.text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body.text) };
  } catch {
    sendJson(ctx.res, 400, { error: 'body is not JSON' });
    return { ok: false };
  }
}

function statsOf(ctx: RequestContext): PortalSimStats {
  return ctx.services.stats.snapshot(ctx.services.sessions.activeCount());
}

export async function handleTestHook(ctx: RequestContext): Promise<void> {
  const { services, req, res, path } = ctx;
  const captcha = /^\/__test\/captcha\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && captcha) {
    const answer = services.captchas.answer(decodeURIComponent(captcha[1]));
    return answer === undefined ? sendJson(res, 404, { error: 'unknown or used captcha' }) : sendJson(res, 200, { answer });
  }
  if (req.method === 'GET' && path === '/__test/stats') return sendJson(res, 200, statsOf(ctx));
  if (req.method === 'GET' && path === '/__test/faults') return sendJson(res, 200, services.faults.current());
  if (req.method === 'POST' && path === '/__test/faults') {
    const json = await readJson(ctx);
    if (!json.ok) return;
    try {
      return sendJson(res, 200, services.faults.set(json.value as never));
    } catch (error) {
      if (error instanceof z.ZodError) return sendJson(res, 400, { error: 'invalid faults', issues: error.issues });
      throw error;
    }
  }
  if (req.method === 'POST' && path === '/__test/faults/reset') {
    req.resume();
    services.faults.reset();
    return sendJson(res, 200, services.faults.current());
  }
  if (req.method === 'POST' && path === '/__test/sessions/kill') {
    const json = await readJson(ctx);
    if (!json.ok) return;
    const parsed = killSessionsSchema.safeParse(json.value);
    if (!parsed.success) return sendJson(res, 400, { error: 'invalid body', issues: parsed.error.issues });
    return sendJson(res, 200, { killed: services.sessions.kill(parsed.data.username) });
  }
  req.resume();
  sendJson(res, 404, { error: 'no such test hook' });
}
