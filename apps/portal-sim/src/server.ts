// Starts the portal simulator on node:http: the request pipeline (test hooks, injected
// latency and 5xx, session check, page handler) and the in-process control surface.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CaptchaStore } from './captcha';
import type { AuthenticatedContext, PortalServices, RequestContext } from './context';
import { FaultState, type FaultController } from './faults';
import { handleTestHook } from './handlers/test-hooks.handler';
import { readCookie, redirect, SESSION_COOKIE, sendHtml } from './http-util';
import { LoginThrottle } from './login-throttle';
import { resolveOptions, type PortalSimOptions } from './options';
import { methodNotAllowedPage, notFoundPage, serverErrorPage } from './pages/error.page';
import { createPrng, deriveSeed } from './prng';
import { sessionFormProgress, tokenFormProgress } from './proposal/form-progress';
import { SubmissionLog } from './proposal/submissions';
import type { Method, Router } from './router';
import { portalRoutes } from './routes';
import { SessionStore } from './session-store';
import { StatsCounter, type PortalSimStats } from './stats';

export interface PortalSim {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** The seed in use, so a failing run can be replayed with the same captchas and fault rolls. */
  seed: number;
  close(): Promise<void>;
  stats(): PortalSimStats;
  faults: FaultController;
  /** The answer of an unused captcha, undefined once used or unknown. */
  captchaAnswer(captchaId: string): string | undefined;
  /** Ends the sessions of `username`, or all sessions; returns how many ended. */
  killSessions(username?: string): number;
}

// Separate PRNG streams, so a captcha sequence replays even when fault rolls differ.
const CAPTCHA_STREAM = 1;
const FAULT_STREAM = 2;

export async function startPortalSim(options?: PortalSimOptions): Promise<PortalSim> {
  const resolved = resolveOptions(options);
  const shutdown = new AbortController();
  const hanging = new Set<ServerResponse>();
  const faults = new FaultState(createPrng(deriveSeed(resolved.seed, FAULT_STREAM)));
  const services: PortalServices = {
    options: resolved,
    sessions: new SessionStore(resolved),
    captchas: new CaptchaStore(createPrng(deriveSeed(resolved.seed, CAPTCHA_STREAM)), resolved.now),
    throttle: new LoginThrottle(resolved),
    faults,
    stats: new StatsCounter(),
    submissions: new SubmissionLog(resolved.now),
    formProgress: resolved.formStateInSession ? sessionFormProgress : tokenFormProgress,
    delay: (ms) => (ms > 0 ? sleep(ms, undefined, { signal: shutdown.signal }) : Promise.resolve()),
    hang: (res) => {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
    },
  };
  const router = portalRoutes();

  const server = createServer((req, res) => {
    handle(req, res, router, services).catch((error: unknown) => failRequest(req, res, error, shutdown.signal.aborted));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;

  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    seed: resolved.seed,
    faults,
    stats: () => services.stats.snapshot(services.sessions.activeCount()),
    captchaAnswer: (captchaId) => services.captchas.answer(captchaId),
    killSessions: (username) => services.sessions.kill(username),
    close: async () => {
      shutdown.abort();
      for (const res of hanging) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, router: Router, services: PortalServices): Promise<void> {
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
  const ctx: RequestContext = { req, res, path, query, services };

  if (path.startsWith('/__test/')) {
    if (services.options.testHooks) return handleTestHook(ctx);
    req.resume();
    return sendHtml(res, 404, notFoundPage());
  }

  services.stats.requests++;
  const latencyMs = services.faults.latencyFor(path);
  if (latencyMs > 0) await services.delay(latencyMs);
  if (services.faults.failsNow(path)) {
    req.resume();
    return sendHtml(res, 500, serverErrorPage());
  }

  const route = router.match(path);
  if (!route) {
    req.resume();
    return sendHtml(res, 404, notFoundPage());
  }
  const method = (req.method === 'HEAD' ? 'GET' : req.method) as Method;
  if (route.public) {
    const handler = route.handlers[method];
    if (!handler) return notAllowed(req, res);
    return handler(ctx);
  }
  const session = services.sessions.touch(readCookie(req, SESSION_COOKIE));
  if (!session) {
    req.resume();
    return redirect(res, `/Login.aspx?ReturnUrl=${encodeURIComponent(rawUrl)}`);
  }
  const handler = route.handlers[method];
  if (!handler) return notAllowed(req, res);
  const authenticated: AuthenticatedContext = { ...ctx, session };
  return handler(authenticated);
}

function notAllowed(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  sendHtml(res, 405, methodNotAllowedPage(), { Allow: 'GET, POST' });
}

function failRequest(req: IncomingMessage, res: ServerResponse, error: unknown, closing: boolean): void {
  // A client that went away, or a simulator shutting down, is not a server error.
  if (closing || req.destroyed || res.headersSent) {
    res.destroy();
    return;
  }
  console.error(`portal-sim: ${req.method} ${req.url?.split('?')[0]} failed:`, error);
  sendHtml(res, 500, serverErrorPage());
}
