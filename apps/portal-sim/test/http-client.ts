// A cookie-keeping HTTP client for the unit tests: plain node:http, redirects not followed,
// so each test sees exactly what the portal answered.
import { request } from 'node:http';
import type { PortalSim } from '../src';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  location?: string;
}

export class PortalClient {
  cookie: string | undefined;

  constructor(private readonly baseUrl: string) {}

  get(path: string): Promise<HttpResponse> {
    return this.send('GET', path);
  }

  /** Posts an HTML form; pass a string to send a raw (possibly malformed) body. */
  postForm(path: string, form: Record<string, string> | string, contentType = 'application/x-www-form-urlencoded'): Promise<HttpResponse> {
    const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    return this.send('POST', path, body, contentType);
  }

  postJson(path: string, json: unknown): Promise<HttpResponse> {
    return this.send('POST', path, JSON.stringify(json), 'application/json');
  }

  /** Logs in through the login page, reading the captcha's answer in-process. */
  async login(sim: PortalSim, username = 'agent', password = 'Secr3t!pass'): Promise<HttpResponse> {
    const page = await this.get('/Login.aspx');
    const captchaId = hiddenValue(page.body, '__CAPTCHAID');
    return this.postForm('/Login.aspx', {
      txtUserName: username,
      txtPassword: password,
      txtCaptcha: sim.captchaAnswer(captchaId) ?? '',
      __CAPTCHAID: captchaId,
    });
  }

  private send(method: string, path: string, body?: string, contentType?: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (this.cookie) headers.Cookie = this.cookie;
      if (body !== undefined) {
        headers['Content-Type'] = contentType ?? 'application/octet-stream';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = request(new URL(path, this.baseUrl), { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.[0];
          if (setCookie) {
            const pair = setCookie.split(';')[0];
            this.cookie = pair.endsWith('=') ? undefined : pair;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), location: res.headers.location });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

export function hiddenValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in page`);
  return match[1];
}

export function textOf(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

export function fieldErrors(html: string): string[] {
  return [...html.matchAll(/class="field-error" data-field="([^"]+)"/g)].map((m) => m[1]);
}
