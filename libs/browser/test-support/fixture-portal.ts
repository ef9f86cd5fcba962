// A tiny login portal on node:http for the browser tests: an HttpOnly session cookie, a
// persistent cookie, local and session storage written by the page, a slow route for abort
// tests and a dashboard whose heavy image never matters to a probe.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixturePortal {
  url: string;
  origin: string;
  /** Forgets every session, as a portal does on idle timeout. */
  killSessions(): void;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;

export async function startFixturePortal(): Promise<FixturePortal> {
  const sessions = new Set<string>();
  const open = new Set<ServerResponse>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const send = (status: number, html: string, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(html);
    };
    switch (url.pathname) {
      case '/login':
        return send(200, page('Login', '<form id="login" method="post" action="/login"><input id="user" name="user"><button id="go">Go</button></form>'));
      case '/do-login': {
        const id = randomUUID();
        sessions.add(id);
        res.writeHead(302, {
          location: '/dashboard',
          'set-cookie': [`sid=${id}; Path=/; HttpOnly; SameSite=Lax`, 'pref=compact; Path=/; Max-Age=86400'],
        });
        return res.end();
      }
      case '/dashboard':
        if (!sid || !sessions.has(sid)) {
          res.writeHead(302, { location: `/login?ReturnUrl=${encodeURIComponent('/dashboard')}` });
          return res.end();
        }
        return send(
          200,
          page(
            'Dashboard',
            `<div id="dashboard">Welcome</div><div id="ls"></div><div id="ss"></div><img src="/slow?ms=4000" alt="">` +
              `<script>if(!localStorage.getItem('theme'))localStorage.setItem('theme','ocean');` +
              `if(!sessionStorage.getItem('tab'))sessionStorage.setItem('tab','motor');` +
              `document.getElementById('ls').textContent=localStorage.getItem('theme');` +
              `document.getElementById('ss').textContent=sessionStorage.getItem('tab');</script>`,
          ),
        );
      case '/console-error':
        return send(200, page('Broken', `<p id="broken">broken</p><script>console.error('widget failed to load');</script>`));
      case '/unavailable':
        return send(503, page('Unavailable', '<p>down for maintenance</p>'));
      case '/secret-form':
        return send(200, page('Form', '<input id="pw" type="password" value="hunter2"><input id="txtCaptcha" value="X7Q2">'));
      case '/blank':
        return send(200, page('Blank', '<p id="blank">blank</p>'));
      case '/slow': {
        // Holds the response open; test teardown ends it.
        const ms = Number(url.searchParams.get('ms') ?? 60_000);
        open.add(res);
        const timer = setTimeout(() => send(200, page('Slow', '<p id="slow">slow</p>')), ms);
        res.on('close', () => {
          clearTimeout(timer);
          open.delete(res);
        });
        return;
      }
      default:
        return send(404, page('Not found', 'not found'));
    }
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    killSessions: () => sessions.clear(),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
