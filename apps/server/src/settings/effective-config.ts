// The effective configuration as an operator may see it (GET /config): every setting the server
// runs with, after defaults and validation, with what could be a secret taken out. The API token
// is never shown; a database URL keeps user, host and database but not the password; webhook and
// callback URLs keep their origin only (their paths often are the secret, e.g. a Slack hook).
// Secret references (`secret://…`) are names, not secrets, and stay.
import type { ServerConfig } from '../config';

export const REDACTED = '[redacted]';

export function effectiveConfig(config: ServerConfig): Record<string, unknown> {
  return {
    ...config,
    apiToken: REDACTED,
    storeUrl: withoutPassword(config.storeUrl),
    alertWebhookUrl: originOnly(config.alertWebhookUrl),
    callbacks: { ...config.callbacks, url: originOnly(config.callbacks.url) },
  };
}

function withoutPassword(url: string): string {
  if (!/^postgres(ql)?:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    parsed.search = '';
    return parsed.toString();
  } catch {
    return REDACTED;
  }
}

function originOnly(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && !parsed.search ? parsed.origin : `${parsed.origin}/${REDACTED}`;
  } catch {
    return REDACTED;
  }
}
