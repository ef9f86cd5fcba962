// Reads the settings: the config file named by ENGINE_CONFIG (JSON or YAML), then the environment
// over it, then the defaults; each value checked against its setting's rule. A portal's `settings`
// override the global value of settings that may differ per portal. Every refusal names where the
// value came from (the variable or the file key), the value (unless it may be a secret) and the
// rule; nothing is silently replaced by a default.
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { refusal } from './setting-types';
import {
  PORTAL_SETTING_KEYS,
  SETTING_KEYS,
  SETTINGS,
  splitKey,
  type PortalSettingKey,
  type PortalSettingValues,
  type Setting,
  type SettingKey,
  type SettingValues,
} from './settings-schema';

export type SettingSource = 'default' | 'file' | 'env';

export interface LoadedSettings {
  values: SettingValues;
  /** Where each value came from (GET /config shows it). */
  sources: Readonly<Record<SettingKey, SettingSource>>;
  /** The config file read, absolute; null without ENGINE_CONFIG. */
  file: string | null;
  /** The portals as written (PORTALS, else the file's `portals`), each with its resolved settings. */
  portals: { raw: Record<string, unknown>; settings: PortalSettingValues; overridden: PortalSettingKey[] }[];
  /** Where the portal list came from, for refusals: `PORTALS` or the file's `portals`. */
  portalsFrom: 'PORTALS' | 'portals';
}

/** `fields` collects refusals by place (the variable or the file key); the caller throws them together. */
export function loadSettings(env: NodeJS.ProcessEnv, fields: Record<string, string>, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): LoadedSettings {
  const file = env.ENGINE_CONFIG ? resolve(env.ENGINE_CONFIG) : null;
  const document = file ? readConfigFile(file, readFile, fields) : {};
  const sections = fileSections(document, fields);

  const values: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  for (const key of SETTING_KEYS) {
    const def: Setting = SETTINGS[key];
    const raw = env[def.env];
    const [section, name] = splitKey(key);
    const inFile = sections[section] && Object.prototype.hasOwnProperty.call(sections[section], name);
    let place: string;
    let candidate: unknown;
    if (raw !== undefined && raw !== '') {
      place = def.env;
      candidate = def.type.fromEnv(raw);
      sources[key] = 'env';
    } else if (inFile) {
      place = key;
      candidate = sections[section][name];
      sources[key] = 'file';
    } else {
      values[key] = def.default;
      sources[key] = 'default';
      continue;
    }
    values[key] = check(def, candidate, place, fields);
  }

  const fromEnv = env.PORTALS !== undefined && env.PORTALS !== '';
  const portalsFrom = fromEnv ? 'PORTALS' : 'portals';
  let rawPortals: unknown = [];
  if (fromEnv) {
    try {
      rawPortals = JSON.parse(env.PORTALS as string);
    } catch {
      fields.PORTALS = 'must be a JSON array of { adapter, options?, credentialsRef | accounts, captcha?, limits?, settings? }';
    }
  } else if (document.portals !== undefined) rawPortals = document.portals;
  const portals: LoadedSettings['portals'] = [];
  if (!Array.isArray(rawPortals) || rawPortals.some((p) => typeof p !== 'object' || p === null || Array.isArray(p))) {
    fields[portalsFrom] ??= 'must be a list of { adapter, options?, credentialsRef | accounts, captcha?, limits?, settings? }';
  } else {
    for (const [i, raw] of (rawPortals as Record<string, unknown>[]).entries()) {
      portals.push({ raw, ...portalSettings(values as SettingValues, raw.settings, `portals[${i}].settings`, fields) });
    }
  }
  return { values: values as SettingValues, sources: sources as Record<SettingKey, SettingSource>, file, portals, portalsFrom };
}

/** The global values with the portal's overrides over them. */
function portalSettings(global: SettingValues, raw: unknown, at: string, fields: Record<string, string>): { settings: PortalSettingValues; overridden: PortalSettingKey[] } {
  const settings: Record<string, unknown> = Object.fromEntries(PORTAL_SETTING_KEYS.map((key) => [key, global[key]]));
  const overridden: PortalSettingKey[] = [];
  if (raw === undefined || raw === null) return { settings: settings as PortalSettingValues, overridden };
  if (!isMapping(raw)) {
    fields[at] = 'must be a mapping of sections, e.g. { "jobs": { "maxAttempts": 5 } }';
    return { settings: settings as PortalSettingValues, overridden };
  }
  for (const [section, names] of Object.entries(raw)) {
    if (!isMapping(names)) {
      fields[`${at}.${section}`] = 'must be a mapping of settings';
      continue;
    }
    for (const [name, value] of Object.entries(names)) {
      const key = `${section}.${name}`;
      if (!(key in SETTINGS)) {
        fields[`${at}.${key}`] = unknownSetting(key);
        continue;
      }
      const def: Setting = SETTINGS[key as SettingKey];
      if (!def.portal) {
        fields[`${at}.${key}`] = 'cannot be set per portal (a server-wide setting)';
        continue;
      }
      settings[key] = check(def, value, `${at}.${key}`, fields);
      overridden.push(key as PortalSettingKey);
    }
  }
  return { settings: settings as PortalSettingValues, overridden };
}

function check(def: Setting, candidate: unknown, place: string, fields: Record<string, string>): unknown {
  const parsed = def.type.schema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  // A URL may carry credentials (that can be the very reason it is refused): not repeated either.
  const hidden = def.redact !== undefined || (typeof candidate === 'string' && candidate.includes('://'));
  fields[place] = hidden ? `${refusal(def.type, parsed.error)} (value not shown: it may hold a secret)` : `${refusal(def.type, parsed.error)}, not ${shown(candidate)}`;
  return def.default;
}

function shown(value: unknown): string {
  const text = typeof value === 'number' && Number.isNaN(value) ? 'NaN' : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function readConfigFile(file: string, readFile: (path: string) => string, fields: Record<string, string>): Record<string, unknown> {
  const kind = extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(kind)) {
    fields.ENGINE_CONFIG = `must name a .json, .yaml or .yml file, not ${file}`;
    return {};
  }
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    fields.ENGINE_CONFIG = `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`;
    return {};
  }
  let document: unknown;
  try {
    document = kind === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    // The parser's message names the line; it quotes no more than the offending token.
    fields.ENGINE_CONFIG = `${file} is not valid ${kind === '.json' ? 'JSON' : 'YAML'}: ${((error as Error).message.split('\n')[0] ?? '').slice(0, 200)}`;
    return {};
  }
  if (document === null || document === undefined) return {};
  if (!isMapping(document)) {
    fields.ENGINE_CONFIG = `${file} must hold a mapping of sections (server, jobs, …, portals)`;
    return {};
  }
  return document;
}

const SECTIONS = new Set(SETTING_KEYS.map((key) => splitKey(key)[0]));

/** The file's sections with every key checked against the schema: a misspelt key is refused, not ignored. */
function fileSections(document: Record<string, unknown>, fields: Record<string, string>): Record<string, Record<string, unknown>> {
  const sections: Record<string, Record<string, unknown>> = {};
  for (const [section, names] of Object.entries(document)) {
    if (section === 'portals') continue;
    if (!SECTIONS.has(section)) {
      fields[section] = `unknown section (known: ${[...SECTIONS, 'portals'].join(', ')})`;
      continue;
    }
    if (!isMapping(names)) {
      fields[section] = 'must be a mapping of settings';
      continue;
    }
    for (const name of Object.keys(names)) {
      if (!(`${section}.${name}` in SETTINGS)) fields[`${section}.${name}`] = unknownSetting(`${section}.${name}`);
    }
    sections[section] = names;
  }
  return sections;
}

function unknownSetting(key: string): string {
  const [section] = splitKey(key);
  const known = SETTING_KEYS.filter((k) => splitKey(k)[0] === section).map((k) => splitKey(k)[1]);
  return known.length > 0 ? `unknown setting (known in ${section}: ${known.join(', ')})` : 'unknown setting';
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
