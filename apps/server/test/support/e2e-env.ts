// Test support for whole-server tests: the server's environment for one portal simulator (a
// secrets file written 0600 in the data folder, like the demo's), and a bounded poll.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PortalSim } from '@engine/portal-sim';

export const CREDENTIALS_REF = 'secret://portal-sim/login';

/** A password and a token nobody else uses, so finding them anywhere means they leaked. */
export function uniqueSecrets() {
  return { password: `pw-${randomBytes(9).toString('base64url')}!`, token: `tok-${randomBytes(18).toString('base64url')}` };
}

export function serverEnv(
  sim: PortalSim,
  dataDir: string,
  secrets: { password: string; token: string },
  extra: Record<string, string> = {},
  moreSecrets: Record<string, { username: string; password: string }> = {},
): Record<string, string> {
  mkdirSync(dataDir, { recursive: true });
  const secretsFile = join(dataDir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ [CREDENTIALS_REF]: { username: 'agent', password: secrets.password }, ...moreSecrets }), { mode: 0o600 });
  return {
    PORT: '0',
    DATA_DIR: dataDir,
    API_TOKEN: secrets.token,
    SECRETS_FILE: secretsFile,
    PORTALS: JSON.stringify([{ adapter: 'portal-sim', options: { baseUrl: sim.url }, credentialsRef: CREDENTIALS_REF, captcha: 'portal-sim' }]),
    JOB_RETRY_DELAY_MS: '500',
    BACKGROUND_AUDIT: 'false',
    CONCURRENCY: '2',
    ...extra,
  };
}

/** Polls `probe` every 100 ms until it returns something truthy; fails naming `what` after the timeout. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A JSON client of a running server with the bearer token; a 4xx or 5xx throws naming the route and the answer. */
export function apiClient(url: () => string, token: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text);
  };
}
