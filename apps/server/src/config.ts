// Server configuration from the environment, validated once at start (a bad value stops the
// start with a message naming the variable, never a silent default).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ValidationError } from '@engine/core';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** `sqlite:<path>` (default, in dataDir), `memory:`, or `postgres://…`. */
  storeUrl: string;
  apiToken: string;
  /** True when API_TOKEN was not set and a random token was generated (printed once at start). */
  apiTokenGenerated: boolean;
  bodyLimit: string;
  backgroundAudit: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fields: Record<string, string> = {};
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fields.PORT = 'must be an integer 0..65535';
  const host = env.HOST ?? '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  const storeUrl = env.DATABASE_URL ?? `sqlite:${resolve(dataDir, 'events.db')}`;
  if (!/^(sqlite:|memory:|postgres(ql)?:\/\/)/.test(storeUrl)) fields.DATABASE_URL = 'must be sqlite:<path>, memory: or postgres://…';
  const token = env.API_TOKEN;
  if (token !== undefined && token.length < 16) fields.API_TOKEN = 'must be at least 16 characters';
  if (Object.keys(fields).length > 0) throw new ValidationError('invalid server configuration', fields);
  return {
    host,
    port,
    dataDir,
    storeUrl,
    apiToken: token ?? randomBytes(24).toString('base64url'),
    apiTokenGenerated: token === undefined,
    bodyLimit: env.BODY_LIMIT ?? '256kb',
    backgroundAudit: env.BACKGROUND_AUDIT !== 'false',
  };
}
