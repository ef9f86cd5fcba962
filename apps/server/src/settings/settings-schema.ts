// Every operational setting of the server, defined once: its key in the config file, its
// environment variable, its rule, its default, what it means, whether a portal may override it and
// how it is shown when it may be a secret. The loader, the refusals, GET /config and the README's
// settings table all read this list; nothing else defines a setting.
import { callbackUrlProblem, DEFAULT_CALLBACK_POLICY, DEFAULT_CAPTCHA_POLICY, DEFAULT_LEASE_TTL_MS, DEFAULT_MASTER_SESSION_CONFIG, MAX_LEASE_TTL_MS, MIN_LEASE_TTL_MS } from '@engine/machines';
import { bool, checked, decimal, fraction, int, oneOf, optional, stringList, text, type SettingType } from './setting-types';

/** How a value that may hold a secret is shown: never, without the password, or as its origin only. */
export type Redaction = 'hidden' | 'password' | 'origin';

export interface Setting<T = unknown, P extends boolean = boolean> {
  /** Its environment variable (overrides the file). */
  readonly env: string;
  readonly type: SettingType<T>;
  readonly default: T;
  /** The default as the README shows it, where the value alone would mislead (computed, random). */
  readonly defaultText?: string;
  readonly doc: string;
  /** May be set in a portal's `settings`, for that portal only. */
  readonly portal: P;
  readonly redact?: Redaction;
}

function setting<T, const P extends boolean = false>(def: Omit<Setting<T, P>, 'portal' | 'default'> & { default: NoInfer<T>; portal?: P }): Setting<T, P> {
  return { ...def, portal: (def.portal ?? false) as P };
}

const DAY_MS = 86_400_000;
const ms = (max: number) => int(0, max);

export function plainHttpUrlProblem(value: string): string | null {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const plain = url && /^https?:$/.test(url.protocol) && !url.username && !url.password && !url.search && !url.hash && !value.includes('?') && !value.includes('#');
  return plain ? null : 'must be an http(s) URL without credentials, query or fragment';
}

function proxyProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a proxy URL such as http://proxy.internal:3128';
  }
  if (!/^(https?|socks[45]):$/.test(url.protocol)) return 'must be an http, https, socks4 or socks5 proxy URL';
  // Chromium takes no credentials in --proxy-server, and a URL ends up in process lists and logs.
  if (url.username || url.password) return 'must not carry credentials: set browser.proxyCredentialsRef';
  if (url.pathname !== '/' || url.search || url.hash) return 'must be scheme://host:port only';
  return null;
}

function devtoolsEndpointProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a DevTools WebSocket URL (ws:// or wss://)';
  }
  return /^wss?:$/.test(url.protocol) ? null : 'must be a DevTools WebSocket URL (ws:// or wss://)';
}

function timezoneProblem(value: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return null;
  } catch {
    return 'must be an IANA time zone such as Europe/Berlin';
  }
}

/** `45s`, `30m`, `12h`, `90d`, `2w` (durationMs turns it into milliseconds). */
const duration = text(/^[1-9]\d{0,8}[smhdw]$/, 'a duration such as 45s, 30m, 12h, 90d or 2w');

const DURATION_UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A `duration` setting's value in milliseconds. */
export function durationMs(value: string): number {
  return Number(value.slice(0, -1)) * DURATION_UNIT_MS[value.slice(-1)];
}

const secretRef = text(/^secret:\/\/[A-Za-z0-9_./:-]{1,200}$/, 'a secret reference secret://… (resolved in SECRETS_FILE)');
const d = DEFAULT_MASTER_SESSION_CONFIG;

export const SETTINGS = {
  // --- the server
  'server.host': setting({ env: 'HOST', type: text(/^[A-Za-z0-9.:[\]-]{1,253}$/, 'a host name or address'), default: '127.0.0.1', doc: 'where the API listens' }),
  'server.port': setting({ env: 'PORT', type: int(0, 65535), default: 3000, doc: 'the API port (0: any free port)' }),
  'server.dataDir': setting({ env: 'DATA_DIR', type: text(/^.{1,1024}$/, 'a folder path'), default: 'data', doc: 'profiles, artifacts, clone folders, archive segments and the SQLite store; relative to the working directory' }),
  'server.apiToken': setting({
    env: 'API_TOKEN',
    type: optional(text(/^.{16,}$/, 'at least 16 characters')),
    default: null,
    defaultText: 'random, printed once',
    doc: 'bearer token for everything but `/health`, the inspector page and (with `server.docsPublic`) the API docs',
    redact: 'hidden',
  }),
  'server.docsPublic': setting({ env: 'DOCS_PUBLIC', type: bool(), default: false, doc: 'serve the API docs (`/docs`, `/docs-json`, `/docs-yaml`) without the token' }),
  'server.publicUrl': setting({
    env: 'PUBLIC_URL',
    type: optional(checked('an http(s) URL without credentials, query or fragment', plainHttpUrlProblem)),
    default: null,
    doc: "the server's public base URL; alerts and callbacks link to the inspector under it",
  }),
  'server.bodyLimit': setting({ env: 'BODY_LIMIT', type: text(/^\d{1,6}(b|kb|mb)$/, 'a size such as 256kb or 2mb'), default: '256kb', doc: 'largest JSON request body' }),
  'server.shutdownTimeoutMs': setting({ env: 'SHUTDOWN_TIMEOUT_MS', type: ms(600_000), default: 30_000, doc: 'graceful stop: how long attempts in flight may finish' }),
  'server.logLevel': setting({ env: 'LOG_LEVEL', type: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'the JSON log lines written to stdout' }),

  // --- the event store
  'store.url': setting({
    env: 'DATABASE_URL',
    type: optional(text(/^(sqlite:.+|memory:|postgres(ql)?:\/\/.+)$/, 'sqlite:<path>, memory: or postgres://…')),
    default: null,
    defaultText: 'sqlite:<dataDir>/events.db',
    doc: '`sqlite:<path>` (embedded), `memory:`, or `postgres://…` to share one PostgreSQL between several engine processes',
    redact: 'password',
  }),
  'store.backgroundAudit': setting({ env: 'BACKGROUND_AUDIT', type: bool(), default: true, doc: 'verify the hash chain of every stream in the background after the start' }),
  'secrets.file': setting({
    env: 'SECRETS_FILE',
    type: optional(text(/^.{1,1024}$/, 'a file path')),
    default: null,
    doc: 'JSON `{ "<secret ref>": { "username": …, "password": … } }`, re-read on use; every credential, key and proxy login is a reference into it',
  }),

  'store.snapshotEvery': setting({
    env: 'SNAPSHOT_EVERY',
    type: int(0, 1_000_000),
    default: 500,
    doc: "a stream gets a snapshot each time it passes this many more events, so replays (`engine replay`, the inspector's time travel) fold only the events after the latest one; a cache beside the hash-chained log, `0` turns it off",
  }),

  // --- archiving finished jobs and retention of the data folder
  'archive.after': setting({
    env: 'ARCHIVE_AFTER',
    type: optional(duration),
    default: null,
    defaultText: 'off',
    doc: 'archive finished jobs with no event for this long from the running server, as `engine archive` does; embedded store only (the workers of a PostgreSQL store would each write segments to their own disk)',
  }),
  'archive.every': setting({ env: 'ARCHIVE_EVERY', type: duration, default: '1d', doc: 'how often the server looks for jobs to archive (with `archive.after`)' }),
  'retention.artifacts': setting({
    env: 'RETENTION_ARTIFACTS',
    type: optional(duration),
    default: null,
    defaultText: 'kept',
    doc: "failure artifacts in `<dataDir>/artifacts` older than this are removed (an S3 bucket: use the bucket's lifecycle rules)",
  }),
  'retention.profileBackups': setting({
    env: 'RETENTION_PROFILE_BACKUPS',
    type: optional(duration),
    default: null,
    defaultText: 'kept',
    doc: 'master-profile backups of nuclear recoveries older than this are removed, never one a recovery still names',
  }),
  'retention.clones': setting({ env: 'RETENTION_CLONES', type: optional(duration), default: null, defaultText: 'kept', doc: 'clone folders left behind in `<dataDir>/clones` older than this are removed' }),
  'retention.every': setting({ env: 'RETENTION_EVERY', type: duration, default: '1d', doc: 'how often the retention ages above are applied' }),

  // --- jobs
  'jobs.concurrency': setting({ env: 'CONCURRENCY', type: int(1, 64), default: 3, doc: "attempts in flight over all portals (the global cap; a portal's `limits.concurrency` may be lower)" }),
  'jobs.cloneStrategy': setting({ env: 'CLONE_STRATEGY', type: oneOf(['context', 'profile-copy']), default: 'context', doc: "how a job's session is cloned from the master session" }),
  'jobs.adaptiveMaxLoadPerCore': setting({
    env: 'ADAPTIVE_MAX_LOAD_PER_CORE',
    type: decimal(0.1, 64),
    default: 2,
    doc: "portals with `limits.adaptive`: above this 1-minute load average per core the host counts as under pressure and their concurrency is lowered",
  }),
  'jobs.adaptiveMaxMemoryUsed': setting({
    env: 'ADAPTIVE_MAX_MEMORY_USED',
    type: fraction(),
    default: 0.9,
    doc: 'portals with `limits.adaptive`: above this share of memory in use (MemAvailable) the host counts as under pressure',
  }),
  'jobs.maxAttempts': setting({ env: 'JOB_MAX_ATTEMPTS', type: int(1, 100), default: 3, portal: true, doc: 'attempts per job (attempts that met the login form count only beyond `jobs.freeLoginFormAttempts`)' }),
  'jobs.retryDelayMs': setting({
    env: 'JOB_RETRY_DELAY_MS',
    type: ms(DAY_MS),
    default: 60_000,
    portal: true,
    doc: 'the longest wait before a retry with a fresh clone (the first waits 2 s, doubling with jitter up to it); a job that met the login form retries as soon as its master session is logged in again',
  }),
  'jobs.freeLoginFormAttempts': setting({
    env: 'JOB_FREE_LOGIN_FORM_ATTEMPTS',
    type: int(0, 100),
    default: 10,
    portal: true,
    doc: "attempts that ended at the login form (the shared session had expired) that do not count against `jobs.maxAttempts`, at most this many per job: a session that keeps failing is the master session's problem",
  }),
  'jobs.lookupRetries': setting({
    env: 'JOB_LOOKUP_RETRIES',
    type: int(0, 100),
    default: 3,
    portal: true,
    doc: 'searches of the portal tried again (from 5 s, doubling up to `jobs.retryDelayMs`) before a job whose submission is in doubt goes to `needs_review`',
  }),

  // --- how long each browser operation may take
  'timeouts.launchMs': setting({ env: 'TIMEOUT_LAUNCH_MS', type: int(1_000, 600_000), default: 30_000, portal: true, doc: 'starting (or connecting to) the master browser' }),
  'timeouts.loginMs': setting({ env: 'TIMEOUT_LOGIN_MS', type: int(1_000, 600_000), default: 60_000, portal: true, doc: 'one login of the master session, captcha solving by a service included' }),
  'timeouts.probeMs': setting({ env: 'TIMEOUT_PROBE_MS', type: int(500, 600_000), default: 10_000, portal: true, doc: 'checking whether a session is still logged in' }),
  'timeouts.cloneMs': setting({ env: 'TIMEOUT_CLONE_MS', type: int(1_000, 600_000), default: 30_000, portal: true, doc: "cloning the master session for a job" }),
  'timeouts.stepMs': setting({ env: 'TIMEOUT_STEP_MS', type: int(1_000, 600_000), default: 30_000, portal: true, doc: 'filling one step of a form' }),
  'timeouts.submitMs': setting({ env: 'TIMEOUT_SUBMIT_MS', type: int(1_000, 600_000), default: 30_000, portal: true, doc: 'pressing submit and reading the outcome' }),
  'timeouts.lookupMs': setting({ env: 'TIMEOUT_LOOKUP_MS', type: int(1_000, 600_000), default: 20_000, portal: true, doc: 'one search of the portal for a submission' }),
  'timeouts.lookupWaitMs': setting({ env: 'TIMEOUT_LOOKUP_WAIT_MS', type: int(1_000, DAY_MS), default: 120_000, portal: true, doc: 'how long a search waits for a logged-in master session' }),
  'timeouts.captureMs': setting({ env: 'TIMEOUT_CAPTURE_MS', type: int(1_000, 600_000), default: 10_000, portal: true, doc: 'capturing a failure screenshot and page' }),

  // --- the master session's recovery ladder
  'masterSession.heartbeatMs': setting({ env: 'MASTER_HEARTBEAT_MS', type: int(1_000, DAY_MS), default: d.heartbeatMs, portal: true, doc: 'how often a ready master session is checked (and kept alive)' }),
  'masterSession.criticalHeartbeatMs': setting({ env: 'MASTER_CRITICAL_HEARTBEAT_MS', type: int(1_000, DAY_MS), default: d.criticalHeartbeatMs, portal: true, doc: 'how often a session in `critical` tries again' }),
  'masterSession.alertRetryMs': setting({ env: 'MASTER_ALERT_RETRY_MS', type: int(1_000, DAY_MS), default: d.alertRetryMs, portal: true, doc: 'the wait before a critical alert that could not be sent is sent again' }),
  'masterSession.softTries': setting({ env: 'RECOVERY_SOFT_TRIES', type: int(0, 100), default: d.soft.tries, portal: true, doc: 'soft recovery (log in again in the same browser): tries' }),
  'masterSession.softMinWaitMs': setting({ env: 'RECOVERY_SOFT_MIN_WAIT_MS', type: ms(DAY_MS), default: d.soft.minWaitMs, portal: true, doc: 'soft recovery: shortest wait between tries' }),
  'masterSession.softMaxWaitMs': setting({ env: 'RECOVERY_SOFT_MAX_WAIT_MS', type: ms(DAY_MS), default: d.soft.maxWaitMs, portal: true, doc: 'soft recovery: longest wait between tries' }),
  'masterSession.hardTries': setting({ env: 'RECOVERY_HARD_TRIES', type: int(0, 100), default: d.hard.tries, portal: true, doc: 'hard recovery (a new browser): tries' }),
  'masterSession.hardMinWaitMs': setting({ env: 'RECOVERY_HARD_MIN_WAIT_MS', type: ms(DAY_MS), default: d.hard.minWaitMs, portal: true, doc: 'hard recovery: shortest wait between tries' }),
  'masterSession.hardMaxWaitMs': setting({ env: 'RECOVERY_HARD_MAX_WAIT_MS', type: ms(DAY_MS), default: d.hard.maxWaitMs, portal: true, doc: 'hard recovery: longest wait between tries' }),
  'masterSession.nuclearTries': setting({ env: 'RECOVERY_NUCLEAR_TRIES', type: int(0, 100), default: d.nuclear.tries, portal: true, doc: 'nuclear recovery (wiped profile, restored from its backup): tries' }),
  'masterSession.nuclearMinWaitMs': setting({ env: 'RECOVERY_NUCLEAR_MIN_WAIT_MS', type: ms(DAY_MS), default: d.nuclear.minWaitMs, portal: true, doc: 'nuclear recovery: shortest wait between tries' }),
  'masterSession.nuclearMaxWaitMs': setting({ env: 'RECOVERY_NUCLEAR_MAX_WAIT_MS', type: ms(DAY_MS), default: d.nuclear.maxWaitMs, portal: true, doc: 'nuclear recovery: longest wait between tries' }),

  // --- manual captchas
  'captcha.answerWithinMs': setting({ env: 'CAPTCHA_ANSWER_WITHIN_MS', type: int(1_000, DAY_MS), default: DEFAULT_CAPTCHA_POLICY.answerWithinMs, doc: 'how long an operator has to answer a challenge (then it expires and the login is withdrawn)' }),
  'captcha.retryMinMs': setting({ env: 'CAPTCHA_RETRY_MIN_MS', type: ms(DAY_MS), default: DEFAULT_CAPTCHA_POLICY.retryMinMs, doc: 'the wait before a new challenge after an unanswered one, doubling per unanswered one…' }),
  'captcha.retryMaxMs': setting({ env: 'CAPTCHA_RETRY_MAX_MS', type: ms(DAY_MS), default: DEFAULT_CAPTCHA_POLICY.retryMaxMs, doc: '…up to this' }),
  'captcha.warnAfter': setting({ env: 'CAPTCHA_WARN_AFTER', type: int(1, 1_000), default: DEFAULT_CAPTCHA_POLICY.warnAfter, doc: 'a warning alert once this many challenges in a row went unanswered' }),

  // --- workflow sessions
  'workflows.maxDownloadBytes': setting({
    env: 'WORKFLOW_MAX_DOWNLOAD_BYTES',
    type: int(1, 1024 * 1024 * 1024),
    default: 10 * 1024 * 1024,
    doc: "largest file a workflow's page may download into its folder (`POST /api/workflows/:sid/downloads`); a larger one is refused (413) and nothing is written",
  }),

  // --- health of the master browsers
  'health.heartbeatMs': setting({ env: 'HEALTH_HEARTBEAT_MS', type: int(100, DAY_MS), default: 30_000, doc: 'how often each master browser is pinged (a crash is noticed at once, a hang by missed pings)' }),
  'health.probeTimeoutMs': setting({ env: 'HEALTH_PROBE_TIMEOUT_MS', type: int(100, 600_000), default: 10_000, doc: 'how long one ping may take' }),
  'health.maxMisses': setting({ env: 'HEALTH_MAX_MISSES', type: int(1, 100), default: 2, doc: 'missed pings in a row before the browser counts as dead and its work is halted' }),

  // --- session leases (a portal's logged-in session lent to a script outside the engine)
  'leases.maxLeases': setting({ env: 'SESSION_LEASES_MAX', type: int(0, 100), default: 2, doc: 'leases live at once over all portals (each devtools lease is a Chromium process); a request beyond it is a 409; 0: none' }),
  'leases.defaultTtlMs': setting({ env: 'SESSION_LEASE_DEFAULT_TTL_MS', type: int(MIN_LEASE_TTL_MS, MAX_LEASE_TTL_MS), default: DEFAULT_LEASE_TTL_MS, doc: 'the ttl of a lease request that names none' }),
  'leases.maxTtlMs': setting({ env: 'SESSION_LEASE_MAX_TTL_MS', type: int(MIN_LEASE_TTL_MS, MAX_LEASE_TTL_MS), default: MAX_LEASE_TTL_MS, doc: 'the longest ttl a request may ask for (a longer one is a 400); at most an hour' }),
  'leases.settleTimeoutMs': setting({ env: 'SESSION_LEASE_SETTLE_TIMEOUT_MS', type: int(1_000, 600_000), default: 30_000, doc: 'how long a lease request waits for the copy before it gives the lease up' }),
  'leases.launchTimeoutMs': setting({ env: 'SESSION_LEASE_LAUNCH_TIMEOUT_MS', type: int(1_000, 600_000), default: 30_000, doc: "how long a devtools lease's browser may take to start" }),

  // --- alerts
  'alerts.webhookUrl': setting({
    env: 'ALERT_WEBHOOK_URL',
    type: optional(checked('an http(s) URL', (value) => (/^https?:\/\/[^\s]+$/.test(value) ? null : 'must be an http(s) URL'))),
    default: null,
    defaultText: 'log only',
    doc: 'critical alerts and warnings are POSTed here (and always logged)',
    redact: 'origin',
  }),
  'alerts.webhookFormat': setting({
    env: 'ALERT_WEBHOOK_FORMAT',
    type: oneOf(['json', 'slack']),
    default: 'json',
    doc: 'the body: the alert `{ id, level, code, portal, message, at, link? }` or a Slack-compatible message `{ text, blocks }`',
  }),
  'alerts.maxRecoveriesPerHour': setting({ env: 'ALERT_MAX_RECOVERIES_PER_HOUR', type: int(1, 10_000), default: 10, doc: "warn when a portal's master session started more recoveries than this in the last hour" }),
  'alerts.minJobSuccessRate': setting({ env: 'ALERT_MIN_JOB_SUCCESS_RATE', type: fraction(), default: 0.7, doc: "warn when a portal's submitted / finished jobs falls below this over the window" }),
  'alerts.successRateWindowMs': setting({ env: 'ALERT_SUCCESS_RATE_WINDOW_MS', type: int(60_000, DAY_MS), default: 3_600_000, doc: 'the window of the success rate' }),
  'alerts.minFinishedJobs': setting({ env: 'ALERT_MIN_FINISHED_JOBS', type: int(1, 100_000), default: 10, doc: 'below this many finished jobs in the window the rate says nothing yet' }),

  // --- completion callbacks
  'callbacks.url': setting({
    env: 'CALLBACK_URL',
    type: optional(checked('an http(s) URL', (value) => callbackUrlProblem(value))),
    default: null,
    doc: "where every job's outcome is POSTed when it ends (a job's own `callbackUrl` replaces it)",
    redact: 'origin',
  }),
  'callbacks.secretRef': setting({
    env: 'CALLBACK_SECRET_REF',
    type: optional(secretRef),
    default: null,
    doc: 'the secret whose `password` signs each delivery (`X-Engine-Signature: sha256=<HMAC-SHA256 of "<X-Engine-Timestamp>.<body>">`); required for any callback',
  }),
  'callbacks.maxAttempts': setting({ env: 'CALLBACK_MAX_ATTEMPTS', type: int(1, 100), default: DEFAULT_CALLBACK_POLICY.maxAttempts, doc: 'attempts before a callback is `undelivered` (listed and sent again over the API)' }),
  'callbacks.minDelayMs': setting({ env: 'CALLBACK_MIN_DELAY_MS', type: int(1, DAY_MS), default: DEFAULT_CALLBACK_POLICY.minDelayMs, doc: 'the first retry wait, doubling with jitter…' }),
  'callbacks.maxDelayMs': setting({ env: 'CALLBACK_MAX_DELAY_MS', type: int(1, DAY_MS), default: DEFAULT_CALLBACK_POLICY.maxDelayMs, doc: '…up to this' }),
  'callbacks.timeoutMs': setting({ env: 'CALLBACK_TIMEOUT_MS', type: int(100, 300_000), default: 10_000, doc: 'one delivery attempt' }),

  // --- failure artifacts
  'artifacts.store': setting({ env: 'ARTIFACT_STORE', type: oneOf(['local', 's3']), default: 'local', doc: 'where failure screenshots and page captures go: `<dataDir>/artifacts` or an S3-compatible bucket' }),
  'artifacts.s3Bucket': setting({ env: 'S3_BUCKET', type: optional(text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name (3-63 of a-z 0-9 . -)')), default: null, doc: 'with `s3`: the bucket (required)' }),
  'artifacts.s3Region': setting({ env: 'S3_REGION', type: text(/^[a-z0-9-]{1,64}$/, 'a region name'), default: 'us-east-1', doc: 'with `s3`: its region' }),
  'artifacts.s3Endpoint': setting({
    env: 'S3_ENDPOINT',
    type: optional(checked('an http(s) URL without credentials', (value) => (plainHttpUrlProblem(value.replace(/\/+$/, '')) ? 'must be an http(s) URL without credentials' : null))),
    default: null,
    defaultText: 'AWS S3',
    doc: 'with `s3`: an S3-compatible endpoint URL',
  }),
  'artifacts.s3ForcePathStyle': setting({ env: 'S3_FORCE_PATH_STYLE', type: bool(), default: false, doc: 'with `s3`: path-style addressing (most S3-compatible servers)' }),
  'artifacts.s3Prefix': setting({ env: 'S3_PREFIX', type: text(/^([A-Za-z0-9_.-]+\/)*$/, 'empty or folder names ending in / (A-Z a-z 0-9 _ . -)'), default: '', doc: 'with `s3`: a key prefix such as `engine/artifacts/`' }),
  'artifacts.s3CredentialsRef': setting({
    env: 'S3_CREDENTIALS_REF',
    type: optional(secretRef),
    default: null,
    defaultText: "the SDK's default chain",
    doc: 'with `s3`: the secret whose `username` is the access key id and `password` the secret key (re-read every 5 minutes)',
  }),

  // --- several workers on one PostgreSQL store
  'workers.id': setting({ env: 'WORKER_ID', type: optional(text(/^[A-Za-z0-9_.:-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 _ . : -')), default: null, defaultText: 'host and process id', doc: "this worker's name in leases" }),
  'workers.leaseTtlMs': setting({ env: 'LEASE_TTL_MS', type: int(500, 600_000), default: 15_000, doc: 'how long a stream lease lasts without renewal' }),
  'workers.heartbeatMs': setting({ env: 'LEASE_HEARTBEAT_MS', type: optional(int(100, 300_000)), default: null, defaultText: 'a third of the TTL', doc: 'how often leases are renewed' }),
  'workers.maxHeldJobs': setting({ env: 'MAX_HELD_JOBS', type: optional(int(1, 10_000)), default: null, defaultText: 'unbounded', doc: 'job streams this worker holds at most' }),
  'workers.globalMaxHeldJobs': setting({ env: 'GLOBAL_MAX_HELD_JOBS', type: optional(int(1, 100_000)), default: null, defaultText: 'unbounded', doc: 'job streams all workers hold together at most' }),

  // --- the browsers
  'browser.executablePath': setting({
    env: 'CHROMIUM_PATH',
    type: optional(text(/^\/.{1,1023}$/, 'an absolute path')),
    default: null,
    defaultText: "Debian's chromium",
    doc: 'the Chromium binary',
  }),
  'browser.args': setting({
    env: 'BROWSER_ARGS',
    type: stringList(32, /^--[a-z0-9-]+(=.*)?$/, 'Chromium flags (--name or --name=value)'),
    default: [],
    portal: true,
    doc: 'flags added after the built-in ones (headless, no sandbox, no background networking)',
  }),
  'browser.proxy': setting({
    env: 'BROWSER_PROXY',
    type: optional(checked('a proxy URL scheme://host:port (http, https, socks4, socks5)', proxyProblem)),
    default: null,
    portal: true,
    doc: "the proxy the portal's browser goes through",
  }),
  'browser.proxyCredentialsRef': setting({ env: 'BROWSER_PROXY_CREDENTIALS_REF', type: optional(secretRef), default: null, portal: true, doc: "the proxy's login (`username`, `password`) when it asks for one" }),
  'browser.viewport': setting({ env: 'BROWSER_VIEWPORT', type: text(/^\d{3,4}x\d{3,4}$/, 'WIDTHxHEIGHT such as 1280x800'), default: '1280x800', portal: true, doc: 'the window size pages render at' }),
  'browser.userAgent': setting({ env: 'BROWSER_USER_AGENT', type: optional(text(/^[\x20-\x7e]{1,512}$/, '1-512 printable ASCII characters')), default: null, defaultText: "Chromium's own", portal: true, doc: 'the User-Agent the portal sees' }),
  'browser.locale': setting({ env: 'BROWSER_LOCALE', type: optional(text(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language tag such as de-DE')), default: null, defaultText: "Chromium's own", portal: true, doc: 'the browser language (`navigator.language`, `Accept-Language`)' }),
  'browser.timezone': setting({ env: 'BROWSER_TIMEZONE', type: optional(checked('an IANA time zone such as Europe/Berlin', timezoneProblem)), default: null, defaultText: "the server's", portal: true, doc: 'the time zone pages see' }),
  'browser.downloadDir': setting({ env: 'BROWSER_DOWNLOAD_DIR', type: optional(text(/^.{1,1024}$/, 'a folder path')), default: null, defaultText: '<dataDir>/downloads/<portal>', portal: true, doc: 'where files a portal sends for download are saved' }),
  'browser.remoteEndpoint': setting({
    env: 'BROWSER_WS_ENDPOINT',
    type: optional(checked('a DevTools WebSocket URL (ws:// or wss://)', devtoolsEndpointProblem)),
    default: null,
    defaultText: 'launch one',
    portal: true,
    doc: "a browser that runs elsewhere (a browser farm, `chromium --remote-debugging-port`): the master session connects to it instead of launching Chromium; flags, proxy, locale and time zone are then the remote browser's",
    redact: 'origin',
  }),
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K] extends Setting<infer T> ? T : never;
export type SettingValues = { readonly [K in SettingKey]: SettingValue<K> };
export type PortalSettingKey = { [K in SettingKey]: (typeof SETTINGS)[K] extends Setting<unknown, true> ? K : never }[SettingKey];
export type PortalSettingValues = { readonly [K in PortalSettingKey]: SettingValue<K> };

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
export const PORTAL_SETTING_KEYS = SETTING_KEYS.filter((key) => SETTINGS[key].portal) as PortalSettingKey[];

/** The settings grouped as the config file writes them: `jobs.maxAttempts` → section `jobs`, name `maxAttempts`. */
export function splitKey(key: string): [section: string, name: string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
