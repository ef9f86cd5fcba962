// The effective configuration as an operator may see it (GET /config): every setting the server
// runs with, after defaults and validation, with what could be a secret taken out. The API token
// is never shown; a database URL keeps user, host and database but not the password; webhook and
// callback URLs keep their origin only (their paths often are the secret, e.g. a Slack hook).
// Secret references (`secret://…`) are names, not secrets, and stay.
import type { ServerConfig } from '../config';
import { SETTING_KEYS, SETTINGS, splitKey, type SettingKey } from './settings-schema';

export const REDACTED = '[redacted]';

/**
 * `settings` and `sources` by section as the config file writes them (`jobs.maxAttempts` under
 * `jobs`), where each value came from (`default`, `file`, `env`), and each portal with the settings
 * it runs with and the keys it overrides.
 */
export function effectiveConfig(config: ServerConfig): Record<string, unknown> {
  const values: Record<string, unknown> = { ...config.settings, 'server.dataDir': config.dataDir, 'store.url': config.storeUrl, 'server.apiToken': config.apiToken };
  return {
    file: config.configFile,
    settings: bySection(SETTING_KEYS, (key) => shown(key, values[key])),
    sources: bySection(SETTING_KEYS, (key) => config.sources[key]),
    portals: config.portals.map((portal) => ({
      ...portal,
      settings: bySection(Object.keys(portal.settings) as SettingKey[], (key) => shown(key, (portal.settings as Record<string, unknown>)[key])),
    })),
  };
}

function shown(key: SettingKey, value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  switch (SETTINGS[key].redact) {
    case 'hidden':
      return REDACTED;
    case 'password':
      return withoutPassword(String(value));
    case 'origin':
      return originOnly(String(value));
    default:
      return value;
  }
}

function bySection(keys: readonly SettingKey[], valueOf: (key: SettingKey) => unknown): Record<string, Record<string, unknown>> {
  const sections: Record<string, Record<string, unknown>> = {};
  for (const key of keys) {
    const [section, name] = splitKey(key);
    (sections[section] ??= {})[name] = valueOf(key);
  }
  return sections;
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

function originOnly(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && !parsed.search ? parsed.origin : `${parsed.origin}/${REDACTED}`;
  } catch {
    return REDACTED;
  }
}
