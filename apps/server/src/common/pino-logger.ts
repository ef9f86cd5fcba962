// The Logger port on pino: JSON lines, with every field that can carry a secret redacted
// wherever it appears (passwords, tokens, captcha answers, cookies, authorization headers).
import pino from 'pino';
import type { Logger } from '@engine/core';

export const REDACTED_KEYS = ['password', 'token', 'apiToken', 'authorization', 'cookie', 'cookies', 'captcha', 'captchaAnswer', 'answer', 'secret', 'credentials'];

const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createPinoLogger(destination?: pino.DestinationStream, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const log = pino({ level, redact: { paths, censor: '[redacted]' }, base: { service: 'portal-engine' } }, destination);
  return {
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}
