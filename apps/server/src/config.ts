// Server configuration from the environment, validated once at start (a bad value stops the
// start with a message naming the variable, never a silent default).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ValidationError } from '@engine/core';
import { callbackUrlProblem, DEFAULT_CALLBACK_POLICY, DEFAULT_CAPTCHA_POLICY, type CaptchaPolicy } from '@engine/machines';
import type { WebhookFormat } from '@engine/engine';
import { isPlainHttpUrl, parseCaptchaConfig, type CaptchaConfig } from './captcha-config';

export interface PortalConfig {
  /** `portal-sim` (built in) or a path to an adapter module. */
  adapter: string;
  options?: Record<string, unknown>;
  /** Secret reference of the portal's login, resolved by the SecretProvider at effect time. */
  credentialsRef: string;
  /** `manual` (an operator answers through the API, the default), `portal-sim` (the simulator's test hook), or a chain of solvers tried in order. */
  captcha?: CaptchaConfig;
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
}

/** The webhook alerter's formats, listed here so reading the configuration loads no engine code. */
const WEBHOOK_FORMATS = ['json', 'slack'] as const satisfies readonly WebhookFormat[];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fields: Record<string, string> = {};
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) fields[name] = `must be an integer ${min}..${max}`;
    return value;
  };
  const port = int('PORT', 3000, 0, 65535);
  const host = env.HOST ?? '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  const storeUrl = env.DATABASE_URL ?? `sqlite:${resolve(dataDir, 'events.db')}`;
  if (!/^(sqlite:|memory:|postgres(ql)?:\/\/)/.test(storeUrl)) fields.DATABASE_URL = 'must be sqlite:<path>, memory: or postgres://…';
  const token = env.API_TOKEN;
  if (token !== undefined && token.length < 16) fields.API_TOKEN = 'must be at least 16 characters';
  const strategy = env.CLONE_STRATEGY ?? 'context';
  if (strategy !== 'context' && strategy !== 'profile-copy') fields.CLONE_STRATEGY = 'must be context or profile-copy';
  let portals: PortalConfig[] = [];
  if (env.PORTALS) {
    try {
      portals = JSON.parse(env.PORTALS) as PortalConfig[];
      if (!Array.isArray(portals) || portals.some((p) => typeof p?.adapter !== 'string' || typeof p?.credentialsRef !== 'string')) throw new Error('shape');
    } catch {
      fields.PORTALS = 'must be a JSON array of { adapter, options?, credentialsRef, captcha? }';
    }
    for (const [i, portal] of (fields.PORTALS ? [] : portals).entries()) {
      const captcha = parseCaptchaConfig(portal.captcha, `portals[${i}].captcha`, !!env.SECRETS_FILE);
      if ('error' in captcha) {
        fields.PORTALS = captcha.error;
        break;
      }
      if (captcha.config !== undefined) portal.captcha = captcha.config;
    }
  }
  const concurrency = int('CONCURRENCY', 3, 1, 64);
  const retryDelay = env.JOB_RETRY_DELAY_MS === undefined ? undefined : int('JOB_RETRY_DELAY_MS', 60_000, 0, 86_400_000);
  const shutdownTimeoutMs = int('SHUTDOWN_TIMEOUT_MS', 30_000, 0, 600_000);
  const snapshotEvery = int('SNAPSHOT_EVERY', 500, 0, 1_000_000);
  const archiveSchedule = archiveScheduleConfig(env, fields, storeUrl);
  const retention = retentionConfig(env, fields);
  const day = 86_400_000;
  const callbacks = {
    url: env.CALLBACK_URL || null,
    secretRef: env.CALLBACK_SECRET_REF || null,
    maxAttempts: int('CALLBACK_MAX_ATTEMPTS', DEFAULT_CALLBACK_POLICY.maxAttempts, 1, 100),
    minDelayMs: int('CALLBACK_MIN_DELAY_MS', DEFAULT_CALLBACK_POLICY.minDelayMs, 1, day),
    maxDelayMs: int('CALLBACK_MAX_DELAY_MS', DEFAULT_CALLBACK_POLICY.maxDelayMs, 1, day),
    timeoutMs: int('CALLBACK_TIMEOUT_MS', 10_000, 100, 300_000),
  };
  const callbackUrlRefused = callbacks.url === null ? null : callbackUrlProblem(callbacks.url);
  if (callbackUrlRefused) fields.CALLBACK_URL = callbackUrlRefused;
  else if (callbacks.url !== null && callbacks.secretRef === null) fields.CALLBACK_SECRET_REF = 'required with CALLBACK_URL: every delivery is signed';
  if (!fields.CALLBACK_MIN_DELAY_MS && !fields.CALLBACK_MAX_DELAY_MS && callbacks.minDelayMs > callbacks.maxDelayMs) {
    fields.CALLBACK_MIN_DELAY_MS = `must not exceed CALLBACK_MAX_DELAY_MS (${callbacks.maxDelayMs})`;
  }
  const captchaPolicy: CaptchaPolicy = {
    answerWithinMs: int('CAPTCHA_ANSWER_WITHIN_MS', DEFAULT_CAPTCHA_POLICY.answerWithinMs, 1_000, day),
    retryMinMs: int('CAPTCHA_RETRY_MIN_MS', DEFAULT_CAPTCHA_POLICY.retryMinMs, 0, day),
    retryMaxMs: int('CAPTCHA_RETRY_MAX_MS', DEFAULT_CAPTCHA_POLICY.retryMaxMs, 0, day),
    warnAfter: int('CAPTCHA_WARN_AFTER', DEFAULT_CAPTCHA_POLICY.warnAfter, 1, 1_000),
  };
  if (!fields.CAPTCHA_RETRY_MIN_MS && !fields.CAPTCHA_RETRY_MAX_MS && captchaPolicy.retryMinMs > captchaPolicy.retryMaxMs) {
    fields.CAPTCHA_RETRY_MIN_MS = `must not exceed CAPTCHA_RETRY_MAX_MS (${captchaPolicy.retryMaxMs})`;
  }
  const optionalInt = (name: string, min: number, max: number) => (env[name] === undefined || env[name] === '' ? undefined : int(name, 0, min, max));
  const workerId = env.WORKER_ID;
  if (workerId !== undefined && !/^[A-Za-z0-9_.:-]{1,64}$/.test(workerId)) fields.WORKER_ID = '1-64 characters of A-Z a-z 0-9 _ . : -';
  const workers = {
    workerId,
    leaseTtlMs: int('LEASE_TTL_MS', 15_000, 500, 600_000),
    heartbeatMs: optionalInt('LEASE_HEARTBEAT_MS', 100, 300_000),
    maxHeldJobs: optionalInt('MAX_HELD_JOBS', 1, 10_000),
    globalMaxHeldJobs: optionalInt('GLOBAL_MAX_HELD_JOBS', 1, 100_000),
  };
  const alertWebhookFormat = env.ALERT_WEBHOOK_FORMAT ?? 'json';
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(alertWebhookFormat)) fields.ALERT_WEBHOOK_FORMAT = `must be ${WEBHOOK_FORMATS.join(' or ')}`;
  else if (env.ALERT_WEBHOOK_FORMAT !== undefined && !env.ALERT_WEBHOOK_URL) fields.ALERT_WEBHOOK_FORMAT = 'needs ALERT_WEBHOOK_URL, where the alerts go';
  const publicUrl = env.PUBLIC_URL || null;
  // It goes into every alert: a URL that carries credentials, a query or a fragment is refused.
  if (publicUrl !== null && !isPlainHttpUrl(publicUrl)) fields.PUBLIC_URL = 'must be an http(s) URL without credentials, query or fragment';
  const docsPublic = env.DOCS_PUBLIC ?? 'false';
  if (docsPublic !== 'true' && docsPublic !== 'false') fields.DOCS_PUBLIC = 'must be true or false';
  const artifacts = artifactsConfig(env, fields);
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
    portals,
    secretsFile: env.SECRETS_FILE ? resolve(env.SECRETS_FILE) : null,
    concurrency,
    cloneStrategy: strategy as ServerConfig['cloneStrategy'],
    jobRetryDelayMs: retryDelay,
    jobMaxAttempts: int('JOB_MAX_ATTEMPTS', 3, 1, 100),
    jobLookupRetries: int('JOB_LOOKUP_RETRIES', 3, 0, 100),
    captchaPolicy,
    callbacks,
    alertWebhookUrl: env.ALERT_WEBHOOK_URL ?? null,
    alertWebhookFormat: alertWebhookFormat as WebhookFormat,
    publicUrl: publicUrl?.replace(/\/+$/, '') ?? null,
    docsPublic: docsPublic === 'true',
    shutdownTimeoutMs,
    snapshotEvery,
    archiveSchedule,
    retention,
    artifacts,
    workers,
  };
}

const DURATION_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90d`, `12h`, `30m`, `45s`, `2w` in milliseconds; undefined when it is not one. */
function duration(raw: string): number | undefined {
  const match = /^(\d{1,9})([smhdw])$/.exec(raw);
  return match ? Number(match[1]) * DURATION_MS[match[2]] : undefined;
}

/** ARCHIVE_AFTER (unset: no scheduled archiving) and ARCHIVE_EVERY (default 1d); one process on its own store only. */
function archiveScheduleConfig(env: NodeJS.ProcessEnv, fields: Record<string, string>, storeUrl: string): ServerConfig['archiveSchedule'] {
  if (!env.ARCHIVE_AFTER) {
    if (env.ARCHIVE_EVERY) fields.ARCHIVE_EVERY = 'needs ARCHIVE_AFTER, the age a finished job is archived at';
    return null;
  }
  const olderThanMs = duration(env.ARCHIVE_AFTER);
  const everyMs = duration(env.ARCHIVE_EVERY || '1d');
  if (olderThanMs === undefined) fields.ARCHIVE_AFTER = 'must be a duration such as 90d, 12h, 30m, 45s or 2w';
  if (everyMs === undefined || everyMs < 1_000) fields.ARCHIVE_EVERY = 'must be a duration of 1s or more, such as 1d or 6h';
  // Each worker would write its segments to its own disk, where the others cannot read them.
  if (/^postgres(ql)?:\/\//.test(storeUrl)) fields.ARCHIVE_AFTER = 'scheduled archiving needs the embedded store (sqlite:), not a store shared by several workers';
  return olderThanMs === undefined || everyMs === undefined ? null : { olderThanMs, everyMs };
}

/** RETENTION_ARTIFACTS, RETENTION_PROFILE_BACKUPS, RETENTION_CLONES (each unset: kept forever), checked every RETENTION_EVERY (default 1d). */
function retentionConfig(env: NodeJS.ProcessEnv, fields: Record<string, string>): ServerConfig['retention'] {
  const ages: Record<string, number> = {};
  for (const [name, key] of [
    ['RETENTION_ARTIFACTS', 'artifactsMs'],
    ['RETENTION_PROFILE_BACKUPS', 'profileBackupsMs'],
    ['RETENTION_CLONES', 'clonesMs'],
  ] as const) {
    if (!env[name]) continue;
    const ms = duration(env[name]);
    if (ms === undefined) fields[name] = 'must be a duration such as 30d, 12h or 2w';
    else ages[key] = ms;
  }
  if (Object.keys(ages).length === 0) {
    if (env.RETENTION_EVERY) fields.RETENTION_EVERY = 'needs RETENTION_ARTIFACTS, RETENTION_PROFILE_BACKUPS or RETENTION_CLONES';
    return null;
  }
  const everyMs = duration(env.RETENTION_EVERY || '1d');
  if (everyMs === undefined || everyMs < 1_000) {
    fields.RETENTION_EVERY = 'must be a duration of 1s or more, such as 1d or 6h';
    return null;
  }
  return { ...ages, everyMs };
}

function artifactsConfig(env: NodeJS.ProcessEnv, fields: Record<string, string>): ArtifactsConfig {
  const store = env.ARTIFACT_STORE ?? 'local';
  if (store === 'local') return { store };
  if (store !== 's3') {
    fields.ARTIFACT_STORE = 'must be local or s3';
    return { store: 'local' };
  }
  const bucket = env.S3_BUCKET ?? '';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) fields.S3_BUCKET = 'required with ARTIFACT_STORE=s3: a bucket name (3-63 of a-z 0-9 . -)';
  const endpoint = env.S3_ENDPOINT || undefined;
  if (endpoint !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(endpoint);
    } catch {
      parsed = undefined;
    }
    // Keys belong in the secrets file, never in a URL that ends up in logs.
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password) fields.S3_ENDPOINT = 'must be an http(s) URL without credentials';
  }
  const pathStyle = env.S3_FORCE_PATH_STYLE ?? 'false';
  if (pathStyle !== 'true' && pathStyle !== 'false') fields.S3_FORCE_PATH_STYLE = 'must be true or false';
  const prefix = env.S3_PREFIX ?? '';
  if (!/^([A-Za-z0-9_.-]+\/)*$/.test(prefix)) fields.S3_PREFIX = 'must be empty or folder names ending in / (A-Z a-z 0-9 _ . -)';
  const credentialsRef = env.S3_CREDENTIALS_REF || undefined;
  if (credentialsRef !== undefined && !env.SECRETS_FILE) fields.S3_CREDENTIALS_REF = 'needs SECRETS_FILE, where the reference is resolved';
  return { store: 's3', bucket, region: env.S3_REGION || 'us-east-1', endpoint, forcePathStyle: pathStyle === 'true', prefix, credentialsRef };
}

