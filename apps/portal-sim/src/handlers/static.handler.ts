// Static assets, served without a session as IIS serves them.
import type { RequestContext } from '../context';
import { sendBytes } from '../http-util';
import { SITE_CSS, VEHICLE_JS } from '../pages/static-assets';

const CACHE = 'public, max-age=3600';

export function getSiteCss(ctx: RequestContext): void {
  sendBytes(ctx.res, 'text/css; charset=utf-8', SITE_CSS, CACHE);
}

export function getVehicleJs(ctx: RequestContext): void {
  sendBytes(ctx.res, 'application/javascript; charset=utf-8', VEHICLE_JS, CACHE);
}

/** Browsers ask for it on every site; answering keeps it out of the login redirects. */
export function getFavicon(ctx: RequestContext): void {
  ctx.res.writeHead(204, { 'Cache-Control': CACHE });
  ctx.res.end();
}
