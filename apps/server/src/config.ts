// The server's configuration: the settings (settings/settings-schema.ts, one definition each) read
// from the config file and the environment, plus the portals, validated once at start. A bad value
// stops the start with every refusal listed, each naming the variable or key, the value and the
// rule; nothing falls back to a default silently.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ValidationError } from '@engine/core';
import type { CaptchaPolicy } from '@engine/machines';
import type { PortalLimits, WebhookFormat } from '@engine/engine';
import { parseCaptchaConfig, type CaptchaConfig } from './captcha-config';
import { parsePortalAccounts, type AccountConfig } from './portal-accounts-config';
import { parsePortalLimits } from './portal-limits-config';
import { loadSettings, type LoadedSettings, type SettingSource } from './settings/load-settings';
import { durationMs, SETTINGS, type PortalSettingKey, type PortalSettingValues, type SettingKey, type SettingValues } from './settings/settings-schema';

export interface PortalConfig {
  /** `portal-sim` (built in) or a path to an adapter module. */
  adapter: string;
  options?: Record<string, unknown>;
  /** Secret reference of the portal's login, resolved by the SecretProvider at effect time (with `accounts`: the first account's). */
  credentialsRef: string;
  /** Several logins instead of one (portal-accounts-config.ts): each its own master session, share and proxy. */
  accounts?: AccountConfig[];
  /** `manual` (an operator answers through the API, the default), `portal-sim` (the simulator's test hook), or a chain of solvers tried in order. */
  captcha?: CaptchaConfig;
  /** The portal's own concurrency, start spacing, starts per minute and quiet hours (portal-limits-config.ts). Default: none. */
  limits?: PortalLimits;
  /** The settings this portal runs with: the global ones with its own `settings` over them. */
  settings: PortalSettingValues;
  /** The keys its `settings` set. */
  overridden: PortalSettingKey[];
}

/** Where failure evidence goes: `DATA_DIR/artifacts` (default) or an S3-compatible bucket shared by every host. */
export type ArtifactsConfig =
  | { store: 'local' }
  | {
      store: 's3';
      bucket: string;
      region: string;
      endpoint: string | undefined;
      forcePathStyle: boolean;
      prefix: string;
      /** Secret reference whose `username` is the access key id and `password` the secret key; unset: the SDK's default chain. */
      credentialsRef: string | undefined;
    };

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
  logLevel: string;
  portals: PortalConfig[];
  /** JSON file `{ "<ref>": { username, password } }`; unset: no portal can log in. */
  secretsFile: string | null;
  concurrency: number;
  cloneStrategy: 'context' | 'profile-copy';
  jobRetryDelayMs: number | undefined;
  jobMaxAttempts: number;
  /** Searches of the portal tried again (with backoff) before a job whose submission is in doubt goes to needs_review. */
  jobLookupRetries: number;
  /** Completion callbacks: the global URL, the signing secret's reference, the retry policy, the per-attempt timeout. */
  callbacks: { url: string | null; secretRef: string | null; maxAttempts: number; minDelayMs: number; maxDelayMs: number; timeoutMs: number };
  /** How long an operator has to answer a captcha, the waits before asking again, when to warn. */
  captchaPolicy: CaptchaPolicy;
  /** How the master browsers are watched: ping interval, ping timeout, misses before a browser counts as dead. */
  health: { heartbeatMs: number; probeTimeoutMs: number; maxMisses: number };
  /** Session leases: how many at once, their default and longest ttl, how long a request waits for the copy, the browser's launch timeout. */
  leases: { maxLeases: number; defaultTtlMs: number; maxTtlMs: number; settleTimeoutMs: number; launchTimeoutMs: number };
  /** Thresholds of the warning alerts. */
  alertRules: { maxRecoveriesPerHour: number; minJobSuccessRate: number; successRateWindowMs: number; minFinishedJobs: number };
  alertWebhookUrl: string | null;
  /** Body of the webhook's alerts: the alert's JSON, or a Slack-compatible message (text + blocks). */
  alertWebhookFormat: WebhookFormat;
  /** The server's public base URL (no trailing slash); alerts link to its inspector. Unset: no links. */
  publicUrl: string | null;
  /** True: /docs and /docs-json are served without the API token (default: they need it). */
  docsPublic: boolean;
  shutdownTimeoutMs: number;
  /** A stream gets a snapshot every this many events (replays start there); 0: none. */
  snapshotEvery: number;
  /** Finished job streams idle for `olderThanMs` are archived every `everyMs`; null: only by `engine archive`. */
  archiveSchedule: { olderThanMs: number; everyMs: number } | null;
  /** Ages after which local artifacts, profile backups and leaked clone folders are removed, checked every `everyMs`; null: kept. */
  retention: { artifactsMs?: number; profileBackupsMs?: number; clonesMs?: number; everyMs: number } | null;
  artifacts: ArtifactsConfig;
  /** With a postgres:// store: how this worker shares the streams with the others (leases). */
  workers: { workerId: string | undefined; leaseTtlMs: number; heartbeatMs: number | undefined; maxHeldJobs: number | undefined; globalMaxHeldJobs: number | undefined };
  /** The Chromium binary; null: found the usual way. */
  chromiumPath: string | null;
  /** Every setting's value, as the schema names them (per-portal values are in each portal's `settings`). */
  settings: SettingValues;
  sources: Readonly<Record<SettingKey, SettingSource>>;
  /** The config file read (ENGINE_CONFIG), absolute. */
  configFile: string | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fields: Record<string, string> = {};
  const loaded = loadSettings(env, fields);
  const v = loaded.values;
  // Rules between settings, named by the place the first one was set.
  const place = (key: SettingKey) => (loaded.sources[key] === 'env' || (loaded.sources[key] === 'default' && loaded.file === null) ? SETTINGS[key].env : key);
  const noRefusal = (...keys: SettingKey[]) => keys.every((key) => !fields[place(key)]);
  const notAbove = (low: SettingKey, high: SettingKey, a: number, b: number) => {
    if (noRefusal(low, high) && a > b) fields[place(low)] = `must not exceed ${place(high)} (${b})`;
  };
  notAbove('callbacks.minDelayMs', 'callbacks.maxDelayMs', v['callbacks.minDelayMs'], v['callbacks.maxDelayMs']);
  notAbove('captcha.retryMinMs', 'captcha.retryMaxMs', v['captcha.retryMinMs'], v['captcha.retryMaxMs']);
  notAbove('leases.defaultTtlMs', 'leases.maxTtlMs', v['leases.defaultTtlMs'], v['leases.maxTtlMs']);
  if (v['callbacks.url'] !== null && v['callbacks.secretRef'] === null && noRefusal('callbacks.url')) {
    fields[place('callbacks.secretRef')] = `required with ${place('callbacks.url')}: every delivery is signed`;
  }
  if (loaded.sources['alerts.webhookFormat'] !== 'default' && v['alerts.webhookUrl'] === null && noRefusal('alerts.webhookFormat')) {
    fields[place('alerts.webhookFormat')] = `needs ${place('alerts.webhookUrl')}, where the alerts go`;
  }
  const secretsFile = v['secrets.file'];
  for (const key of ['artifacts.s3CredentialsRef', 'browser.proxyCredentialsRef'] as const) {
    if (v[key] !== null && secretsFile === null && noRefusal(key)) fields[place(key)] = `needs ${place('secrets.file')}, where the reference is resolved`;
  }
  if (v['artifacts.store'] === 's3' && v['artifacts.s3Bucket'] === null && noRefusal('artifacts.s3Bucket')) {
    fields[place('artifacts.s3Bucket')] = `required with ${place('artifacts.store')}=s3: a bucket name (3-63 of a-z 0-9 . -)`;
  }
  for (const level of ['soft', 'hard', 'nuclear'] as const) {
    const min = `masterSession.${level}MinWaitMs` as const;
    const max = `masterSession.${level}MaxWaitMs` as const;
    notAbove(min, max, v[min], v[max]);
  }
  if (loaded.sources['archive.every'] !== 'default' && v['archive.after'] === null && noRefusal('archive.every')) {
    fields[place('archive.every')] = `needs ${place('archive.after')}, the age a finished job is archived at`;
  }
  // Each worker would write its segments to its own disk, where the others cannot read them.
  if (v['archive.after'] !== null && /^postgres(ql)?:\/\//.test(v['store.url'] ?? '') && noRefusal('archive.after')) {
    fields[place('archive.after')] = 'scheduled archiving needs the embedded store (sqlite:), not a store shared by several workers';
  }
  const ages = { artifactsMs: v['retention.artifacts'], profileBackupsMs: v['retention.profileBackups'], clonesMs: v['retention.clones'] };
  const retentionAges = Object.fromEntries(Object.entries(ages).flatMap(([key, value]) => (value === null ? [] : [[key, durationMs(value)]])));
  if (loaded.sources['retention.every'] !== 'default' && Object.keys(retentionAges).length === 0 && noRefusal('retention.every')) {
    fields[place('retention.every')] = `needs ${place('retention.artifacts')}, ${place('retention.profileBackups')} or ${place('retention.clones')}`;
  }
  const portals = portalConfigs(loaded, !!secretsFile, fields);
  if (Object.keys(fields).length > 0) throw new ValidationError(`invalid server configuration${loaded.file ? ` (${loaded.file} and the environment)` : ''}`, fields);

  const dataDir = resolve(v['server.dataDir']);
  const token = v['server.apiToken'];
  return {
    host: v['server.host'],
    port: v['server.port'],
    dataDir,
    storeUrl: v['store.url'] ?? `sqlite:${resolve(dataDir, 'events.db')}`,
    apiToken: token ?? randomBytes(24).toString('base64url'),
    apiTokenGenerated: token === null,
    bodyLimit: v['server.bodyLimit'],
    backgroundAudit: v['store.backgroundAudit'],
    logLevel: v['server.logLevel'],
    portals,
    secretsFile: secretsFile ? resolve(secretsFile) : null,
    concurrency: v['jobs.concurrency'],
    cloneStrategy: v['jobs.cloneStrategy'],
    jobRetryDelayMs: v['jobs.retryDelayMs'],
    jobMaxAttempts: v['jobs.maxAttempts'],
    jobLookupRetries: v['jobs.lookupRetries'],
    captchaPolicy: {
      answerWithinMs: v['captcha.answerWithinMs'],
      retryMinMs: v['captcha.retryMinMs'],
      retryMaxMs: v['captcha.retryMaxMs'],
      warnAfter: v['captcha.warnAfter'],
    },
    callbacks: {
      url: v['callbacks.url'],
      secretRef: v['callbacks.secretRef'],
      maxAttempts: v['callbacks.maxAttempts'],
      minDelayMs: v['callbacks.minDelayMs'],
      maxDelayMs: v['callbacks.maxDelayMs'],
      timeoutMs: v['callbacks.timeoutMs'],
    },
    health: { heartbeatMs: v['health.heartbeatMs'], probeTimeoutMs: v['health.probeTimeoutMs'], maxMisses: v['health.maxMisses'] },
    leases: {
      maxLeases: v['leases.maxLeases'],
      defaultTtlMs: v['leases.defaultTtlMs'],
      maxTtlMs: v['leases.maxTtlMs'],
      settleTimeoutMs: v['leases.settleTimeoutMs'],
      launchTimeoutMs: v['leases.launchTimeoutMs'],
    },
    alertRules: {
      maxRecoveriesPerHour: v['alerts.maxRecoveriesPerHour'],
      minJobSuccessRate: v['alerts.minJobSuccessRate'],
      successRateWindowMs: v['alerts.successRateWindowMs'],
      minFinishedJobs: v['alerts.minFinishedJobs'],
    },
    alertWebhookUrl: v['alerts.webhookUrl'],
    alertWebhookFormat: v['alerts.webhookFormat'],
    publicUrl: v['server.publicUrl']?.replace(/\/+$/, '') ?? null,
    docsPublic: v['server.docsPublic'],
    shutdownTimeoutMs: v['server.shutdownTimeoutMs'],
    snapshotEvery: v['store.snapshotEvery'],
    archiveSchedule: v['archive.after'] === null ? null : { olderThanMs: durationMs(v['archive.after']), everyMs: durationMs(v['archive.every']) },
    retention: Object.keys(retentionAges).length === 0 ? null : { ...retentionAges, everyMs: durationMs(v['retention.every']) },
    artifacts:
      v['artifacts.store'] === 's3'
        ? {
            store: 's3',
            bucket: v['artifacts.s3Bucket'] as string,
            region: v['artifacts.s3Region'],
            endpoint: v['artifacts.s3Endpoint'] ?? undefined,
            forcePathStyle: v['artifacts.s3ForcePathStyle'],
            prefix: v['artifacts.s3Prefix'],
            credentialsRef: v['artifacts.s3CredentialsRef'] ?? undefined,
          }
        : { store: 'local' },
    workers: {
      workerId: v['workers.id'] ?? undefined,
      leaseTtlMs: v['workers.leaseTtlMs'],
      heartbeatMs: v['workers.heartbeatMs'] ?? undefined,
      maxHeldJobs: v['workers.maxHeldJobs'] ?? undefined,
      globalMaxHeldJobs: v['workers.globalMaxHeldJobs'] ?? undefined,
    },
    chromiumPath: v['browser.executablePath'],
    settings: v,
    sources: loaded.sources,
    configFile: loaded.file,
  };
}

/** Each portal as written, checked: adapter, credentials reference, captcha chain, and its settings resolved over the global ones. */
function portalConfigs(loaded: LoadedSettings, secretsFile: boolean, fields: Record<string, string>): PortalConfig[] {
  const portals: PortalConfig[] = [];
  const from = loaded.portalsFrom;
  for (const [i, { raw, settings, overridden }] of loaded.portals.entries()) {
    const known = new Set(['adapter', 'options', 'credentialsRef', 'accounts', 'captcha', 'limits', 'settings']);
    const unknown = Object.keys(raw).filter((key) => !known.has(key));
    if (raw.credentialsRef !== undefined && raw.accounts !== undefined) {
      fields[from] ??= `portals[${i}]: credentialsRef and accounts are alternatives: give one (a single login, or a list of accounts)`;
      continue;
    }
    const hasLogin = (typeof raw.credentialsRef === 'string' && raw.credentialsRef !== '') || raw.accounts !== undefined;
    if (typeof raw.adapter !== 'string' || raw.adapter === '' || !hasLogin) {
      fields[from] ??= `portals[${i}]: needs adapter and credentialsRef (strings), or adapter and accounts`;
      continue;
    }
    if (unknown.length > 0) {
      fields[from] ??= `portals[${i}].${unknown[0]}: unknown (known: ${[...known].join(', ')})`;
      continue;
    }
    if (raw.options !== undefined && (typeof raw.options !== 'object' || raw.options === null || Array.isArray(raw.options))) {
      fields[from] ??= `portals[${i}].options: must be a mapping`;
      continue;
    }
    const captcha = parseCaptchaConfig(raw.captcha, `portals[${i}].captcha`, secretsFile);
    if ('error' in captcha) {
      fields[from] ??= captcha.error;
      continue;
    }
    const limits = parsePortalLimits(raw.limits, `portals[${i}].limits`);
    if ('error' in limits) {
      fields[from] ??= limits.error;
      continue;
    }
    const accounts = parsePortalAccounts(raw.accounts, `portals[${i}].accounts`, secretsFile);
    if ('error' in accounts) {
      fields[from] ??= accounts.error;
      continue;
    }
    const credentialsRef = accounts.accounts?.[0]?.credentialsRef ?? (raw.credentialsRef as string);
    if (settings['browser.proxyCredentialsRef'] !== null && !secretsFile) {
      fields[`portals[${i}].settings.browser.proxyCredentialsRef`] = 'needs SECRETS_FILE, where the reference is resolved';
    }
    portals.push({
      adapter: raw.adapter,
      ...(raw.options !== undefined ? { options: raw.options as Record<string, unknown> } : {}),
      credentialsRef,
      ...(accounts.accounts !== undefined ? { accounts: accounts.accounts } : {}),
      ...(captcha.config !== undefined ? { captcha: captcha.config } : {}),
      ...(limits.limits !== undefined ? { limits: limits.limits } : {}),
      settings,
      overridden,
    });
  }
  return portals;
}
