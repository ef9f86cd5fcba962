// A tiny site on 127.0.0.1 for isolation tests: `/set?v=x` sets a cookie `wf=x`, `/read` shows
// the cookies the browser sent. Enough to prove two browser contexts never share cookies.
import { createServer, type Server } from 'node:http';

export interface CookieServer {
  url: string;
  close(): Promise<void>;
}

export async function startCookieServer(): Promise<CookieServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/set') {
      res.setHeader('Set-Cookie', `wf=${encodeURIComponent(url.searchParams.get('v') ?? '')}; Path=/; HttpOnly; SameSite=Lax`);
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>cookies</title><pre id="cookies">${(req.headers.cookie ?? '').replace(/[<>&]/g, '')}</pre>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
