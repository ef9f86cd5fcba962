// The Logger port on pino: JSON lines, with every field that can carry a secret redacted
// wherever it appears (passwords, tokens, captcha answers, cookies, authorization headers), at
// any depth and in any spelling (`Authorization`, `api_token`, `dbPassword`). A walk over each
// line's fields rather than pino's path list: path globs stop at a fixed depth and match case
// exactly, and a secret one level deeper than the list would reach the log.
import pino from 'pino';
import type { Logger } from '@engine/core';

export const REDACTED_KEYS = ['password', 'passwd', 'token', 'apiToken', 'authorization', 'cookie', 'cookies', 'setCookie', 'captcha', 'captchaAnswer', 'answer', 'secret', 'credentials', 'apiKey'];
export const CENSOR = '[redacted]';

const EXACT = new Set(REDACTED_KEYS.map(normalize));
/** Keys that end in one of these name a secret too (`accessToken`, `dbPassword`, `clientSecret`). */
const SUFFIXES = ['password', 'passwd', 'token', 'secret', 'apikey'];

export function isSecretKey(key: string): boolean {
  const k = normalize(key);
  return EXACT.has(k) || SUFFIXES.some((s) => k.endsWith(s));
}

/** A copy of `value` with every secret-named field censored; cycles are cut, not followed. */
export function redactSecrets(value: unknown, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, seen));
  const source = value instanceof Error ? { ...value, name: value.name, message: value.message } : (value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) copy[key] = isSecretKey(key) ? CENSOR : redactSecrets(field, seen);
  return copy;
}

export function createPinoLogger(destination?: pino.DestinationStream, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const log = pino({ level, base: { service: 'portal-engine' }, formatters: { log: (fields) => redactSecrets(fields) as Record<string, unknown> } }, destination);
  return {
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}
