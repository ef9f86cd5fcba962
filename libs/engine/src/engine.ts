// The composition root of the engine: one function builds the actor host with every machine and
// every effect, the browsers, the master sessions, the scheduler and the read model around
// them. The server, the demo, the chaos test and the benchmarks all start the engine through
// here, so they run the same thing.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ActorHost,
  InvalidCommandError,
  MemorySecretProvider,
  ValidationError,
  SystemClock,
  silentLogger,
  type Alerter,
  type AnyMachineDefinition,
  type Clock,
  type EffectRegistry,
  type EventStore,
  type Logger,
  type RestoreReport,
  type SecretProvider,
  type StateFeed,
  type TimerHandle,
} from '@engine/core';
import { BrowserHost, LocalArtifactStore, ProfileStore, SessionCloner, type ArtifactStore, type BrowserHostConfig, type BrowserSettings, type CloneStrategy } from '@engine/browser';
import { StreamArchive } from '@engine/event-store';
import { ManualCaptchaSolver, type CaptchaSolver, type PortalAdapter } from '@engine/portals';
import {
  callbackUrlProblem,
  DEFAULT_CALLBACK_POLICY,
  ENGINE_MACHINES,
  attemptSession,
  isAccountId,
  JOB_MACHINE,
  masterSessionId,
  masterSessionStream,
  MASTER_SESSION_MACHINE,
  parseMasterSessionId,
  submitSession,
  takeoverEvent,
  type CallbackPolicy,
  type CaptchaPolicy,
  type LookupRetries,
  type RetryBackoff,
  type MasterSessionConfigOverrides,
} from '@engine/machines';
import { alertEffects } from './alerts/alert-effects';
import { AlertMonitor } from './alerts/alert-monitor';
import type { AlertRulesConfig } from './alerts/alert-rules';
import { LogAlerter } from './alerts/log-alerter';
import { AuditApi } from './audit/audit-api';
import { DataRetention, type RetentionPolicy } from './retention/data-retention';
import { callbackEffects, callbacksNotConfigured } from './callbacks/callback-delivery';
import { CallbacksApi } from './callbacks/callbacks-api';
import { monitoredBrowser } from './health/browser-session';
import type { BatchSummary } from './health/batch-summary';
import { guardEffects } from './health/guard-effects';
import { guardKeepAlive } from './health/guard-keep-alive';
import { SessionOperations } from './health/session-operations';
import { HealthMonitor } from './health/health-monitor';
import { JobEffects, type JobEffectTimeouts } from './jobs/job-effects';
import type { JobIndex } from './jobs/job-index/job-index';
import { JobIndexProjection } from './jobs/job-index/job-index-projection';
import { MemoryJobIndex } from './jobs/job-index/memory-job-index';
import { JobIntake, type JobPolicy, type JobState } from './jobs/job-intake';
import { HostPressure } from './jobs/host-pressure';
import { JobScheduler } from './jobs/job-scheduler';
import type { PortalLimits } from './jobs/portal-limits';
import { JobsApi } from './jobs/jobs-api';
import { SessionLeases, type SessionLeasesConfig } from './leases/session-leases';
import { MasterSessionRuntime, type MasterTimeouts, type PortalBrowser } from './master-sessions/master-session-runtime';
import { SessionsApi } from './master-sessions/sessions-api';
import { PortalQueuesApi } from './portals/portal-queues-api';
import { PortalRegistry } from './portals/portal-registry';
import { createWorkerOwnership, type ScaleOutOptions } from './scale-out/scale-out-options';
import type { WorkerOwnership } from './scale-out/worker-ownership';
import { WorkflowSessions, type WorkflowSessionsConfig } from './workflows/workflow-sessions';

export interface EngineOptions {
  store: EventStore;
  /** Profiles, artifacts and clone folders live under it. Default `./data`. */
  dataDir?: string;
  /** Where failure evidence goes. Default: `<dataDir>/artifacts` on local disk (S3ArtifactStore shares it between hosts). */
  artifacts?: ArtifactStore;
  /** Default: none (an engine that only hosts machines, as audit tools and tests use). */
  portals?: PortalAdapter[];
  secrets?: SecretProvider;
  /** The secret reference of each portal's login, e.g. `{ 'portal-sim': 'secret://portal-sim/login' }`. */
  credentials?: Record<string, string>;
  /**
   * A portal's accounts, instead of its one `credentials` entry: each with its own master session
   * (the first keeps `master-<portal>`, the others `master-<portal>.<account>`), credentials,
   * share of the portal's attempts and browser settings (its proxy) over the portal's.
   */
  accounts?: Readonly<Record<string, readonly PortalAccount[]>>;
  /** The captcha solver per portal; default: one manual solver (an operator answers through the API). */
  captcha?: (portal: string) => CaptchaSolver;
  clock?: Clock;
  logger?: Logger;
  alerter?: Alerter;
  /** Attempts in flight at once over all portals. Default 3. */
  concurrency?: number;
  /** Per portal id: its own concurrency (under the global one), start spacing, starts per minute, quiet hours. */
  portalLimits?: Readonly<Record<string, PortalLimits>>;
  cloneStrategy?: CloneStrategy;
  /** Where archived job streams' segments live. Default `<dataDir>/archive`. */
  archiveDir?: string;
  /**
   * Archives finished job streams idle for `olderThanMs`, every `everyMs` (on the engine's clock),
   * as `engine archive` does. Default: never (an operator runs `engine archive`). For one process
   * on its own store: workers sharing a PostgreSQL store would each write segments to their own disk.
   */
  archiveSchedule?: { olderThanMs: number; everyMs: number };
  /**
   * Removes old local artifacts, profile backups and leaked clone folders (RetentionPolicy: an age
   * per kind, none: kept) every `everyMs` on the engine's clock. Default: nothing is removed.
   */
  retention?: RetentionPolicy & { everyMs: number };
  /** A stream gets a snapshot every this many events, so replays start there (ActorHostOptions.snapshotEvery). Default 500; 0: none. */
  snapshotEvery?: number;
  browser?: BrowserHostConfig;
  masterSession?: MasterSessionConfigOverrides;
  /** How long an operator has to answer a captcha and what happens when nobody does; defaults in DEFAULT_CAPTCHA_POLICY. */
  captchaPolicy?: Partial<CaptchaPolicy>;
  /** Attempts per job, the longest wait between them, and the retry policy (default: scaled to retryDelayMs, see defaultRetryPolicy). */
  job?: { maxAttempts?: number; retryDelayMs?: number; retryBackoff?: RetryBackoff; lookupRetries?: LookupRetries };
  /** Isolated workflow sessions (idle expiry, upload limits). */
  workflows?: Partial<WorkflowSessionsConfig>;
  /** Session leases for scripts outside the engine (how many at once, default ttl). */
  leases?: Partial<SessionLeasesConfig>;
  timeouts?: { shutdownMs?: number; lookupWaitMs?: number };
  /** Several workers on one PostgreSQL store: job and master streams are leased (scale-out/). Default: one process owns all. */
  scaleOut?: ScaleOutOptions;
  /** Thresholds of the warning alerts (recoveries per hour, job success rate). */
  alertRules?: Partial<AlertRulesConfig>;
  /** How the master browsers are watched: ping interval, ping timeout, missed pings before a browser counts as dead. */
  health?: { heartbeatMs?: number; probeTimeoutMs?: number; maxMisses?: number };
  /** Portals with adaptive concurrency: when the host counts as under pressure. Default: load 2 per core, 90 % memory in use. */
  hostPressure?: { maxLoadPerCore?: number; maxMemoryUsed?: number };
  /** A portal's own settings over the engine's: job attempts and waits, timeouts, recovery ladder, browser. */
  portalOptions?: (portal: string) => PortalRunOptions | undefined;
  /** Extra machines and effects (features built on the engine). */
  extensions?: { machines?: AnyMachineDefinition[]; effects?: EffectRegistry }[];
  /** Replaces the machine list (tools and tests that host a subset). */
  machines?: readonly AnyMachineDefinition[];
  /** Effect handlers merged last, over the built-in ones (tests swap real effects for fakes). */
  effects?: EffectRegistry;
  /**
   * Completion callbacks: a global URL (jobs without their own `callbackUrl`), the secret that
   * signs every delivery (required for any callback), the retry policy and the per-attempt
   * timeout, and where a receiver fetches a job's failure artifacts.
   */
  callbacks?: { url?: string | null; secretRef?: string | null; policy?: Partial<CallbackPolicy>; timeoutMs?: number; artifactLink?: (jobId: string, reference: string) => string };
  /**
   * Where job searches are served from: the index next to the store (openJobIndex with the store's
   * location). Default: in memory, rebuilt at every start. Closed with the engine.
   */
  jobIndex?: JobIndex;
  /** Metrics hook: seconds to a cloned session. */
  onCloned?: (portal: string, strategy: CloneStrategy, seconds: number) => void;
}

/** What a portal may run with that differs from the engine's defaults. */
/** One login of a portal (EngineOptions.accounts). */
export interface PortalAccount {
  /** Lowercase letters, digits and inner dashes, at most 32 (isAccountId): part of a stream and folder name. */
  id: string;
  credentialsRef: string;
  /** Attempts in flight at once on this account. Default: only the portal's and the global limits. */
  concurrency?: number;
  /** Its own browser settings over the portal's (a proxy and its login). */
  browser?: Partial<BrowserSettings>;
}

/** A master session the engine runs: a portal's only login, or one of its accounts. */
export interface MasterSessionPlan {
  portal: string;
  /** Null for a portal with one credentials reference. */
  account: string | null;
  /** `<portal>` or `<portal>.<account>` (the first account keeps `<portal>`). */
  session: string;
  stream: string;
  credentialsRef: string;
  concurrency?: number;
  browser?: Partial<BrowserSettings>;
}

export interface PortalRunOptions {
  job?: JobPolicy;
  timeouts?: Partial<JobEffectTimeouts & MasterTimeouts>;
  /** Recorded when the portal's master session stream is created. */
  masterSession?: MasterSessionConfigOverrides;
  browser?: PortalBrowser;
}

/**
 * The running engine. What users of the engine reach are its facades — `jobs`, `sessions`,
 * `workflows`, `leases`, `audit`, `callbacks`, `queues` — and `feed`, the read side; the other members are the parts a test,
 * a benchmark or the demo inspects.
 */
export interface Engine {
  readonly jobs: JobsApi;
  readonly sessions: SessionsApi;
  readonly workflows: WorkflowSessions;
  /** A portal's logged-in session lent to a script outside the engine (an isolated browser or its cookies). */
  readonly leases: SessionLeases;
  readonly audit: AuditApi;
  readonly callbacks: CallbacksApi;
  /** Pause and resume a portal's queue. */
  readonly queues: PortalQueuesApi;
  /** The committed state of every stream: what every reader reads. */
  readonly feed: StateFeed;
  /** The searchable projection of every job (the job list and search read it). */
  readonly jobIndex: JobIndexProjection;
  /** Final job streams archived out of the store (DATA_DIR/archive), anchored in the `archive` stream. */
  readonly archive: StreamArchive;
  /** Age-based removal of old local artifacts, profile backups and leaked clone folders. */
  readonly retention: DataRetention;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly machines: readonly AnyMachineDefinition[];
  readonly host: ActorHost;
  readonly portals: PortalRegistry;
  readonly intake: JobIntake;
  readonly scheduler: JobScheduler;
  readonly masterSessions: MasterSessionRuntime;
  readonly jobEffects: JobEffects;
  readonly browsers: BrowserHost;
  readonly artifacts: ArtifactStore;
  readonly manualCaptcha: ManualCaptchaSolver;
  /** Heartbeats on the master browsers; job operations wait or are cancelled by a dead one. */
  readonly health: HealthMonitor;
  /** Warnings on recovery rate and job success rate, from the log. */
  readonly alerts: AlertMonitor;
  /** The current batch of job operations: counts and the one root cause of what a dead session halted. */
  operations(): BatchSummary;
  /** Leases and keep-alive probes under the health guard, and lease requests refused by an outage, per master session. */
  readonly sessionOperations: SessionOperations;
  /** This worker's leases, when several workers share the store. */
  readonly ownership?: WorkerOwnership;
  /** Restores every live stream from the log (no refold), resumes interrupted effects, starts the scheduler. */
  start(): Promise<RestoreReport>;
  /** Graceful: stops claiming jobs, lets attempts finish up to the shutdown timeout, closes browsers and the store. */
  stop(): Promise<void>;
}

/** Job effects that run in (a clone in) the portal's master browser. */
const SESSION_BOUND_JOB_EFFECTS = ['cloneSession', 'validateSession', 'fillStep', 'submitForm', 'findSubmission', 'captureArtifact'] as const;

/**
 * Built in dependency order, so nothing needs a forward reference: the host first (its read
 * feed is what the others read), then the parts that implement effects and send commands
 * (built with the host), which then provide their handlers to it; the facades last.
 */
export function createEngine(options: EngineOptions): Engine {
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? silentLogger;
  const dataDir = options.dataDir ?? 'data';
  const credentials = options.credentials ?? {};
  const portals = new PortalRegistry(options.portals ?? []);
  const plans = masterSessionPlans(portals.ids(), credentials, options.accounts ?? {});
  const planOf = new Map(plans.map((plan) => [plan.session, plan]));
  const machines = [...(options.machines ?? ENGINE_MACHINES), ...(options.extensions ?? []).flatMap((e) => e.machines ?? [])];
  const host = new ActorHost({ store: options.store, clock, definitions: machines, logger, snapshotEvery: options.snapshotEvery });
  const jobIndexStore = options.jobIndex ?? new MemoryJobIndex();
  const archive = new StreamArchive({ store: options.store, machine: JOB_MACHINE, dir: options.archiveDir ?? join(dataDir, 'archive'), clock, logger });
  const jobIndex = new JobIndexProjection({ feed: host.feed, index: jobIndexStore, archived: () => archive.lastStates(), logger });
  const browsers = new BrowserHost(options.browser);
  const clonesDir = join(dataDir, 'clones');
  const cloner = new SessionCloner({ host: browsers, tempDir: clonesDir });
  const artifacts = options.artifacts ?? new LocalArtifactStore(join(dataDir, 'artifacts'));
  const profiles = new ProfileStore(dataDir, clock);
  const retention = new DataRetention({
    dataDir,
    profiles,
    portals: () => portals.ids(),
    // A backup named by a master session's recovery may still be put back: never removed.
    backupsInUse: () => new Set([...host.feed.allOf(MASTER_SESSION_MACHINE)].flatMap((m) => (m.state.context.recovery?.backupRef ? [`${m.state.context.portal}@${m.state.context.recovery.backupRef}`] : []))),
    localArtifacts: options.artifacts === undefined,
    clock,
    logger,
  });
  const manualCaptcha = new ManualCaptchaSolver(undefined, clock);
  const secrets = options.secrets ?? new MemorySecretProvider();
  const callbackSecretRef = options.callbacks?.secretRef ?? null;
  const globalCallbackUrl = options.callbacks?.url ?? null;
  if (globalCallbackUrl !== null) {
    const problem = callbackUrlProblem(globalCallbackUrl);
    if (problem) throw new RangeError(`callbacks.url ${problem}`);
    if (callbackSecretRef === null) throw new RangeError('callbacks.url needs callbacks.secretRef: every delivery is signed');
  }

  // Job operations depend on their portal's master browser (clones live in it): a dead browser
  // halts them with one root cause. The batch window rotates so a long uptime stays bounded.
  const health = new HealthMonitor({ clock, logger, ...options.health });
  let jobOperations = health.batch();
  const operationBatch = () => {
    if (jobOperations.records.length >= 20_000 && !jobOperations.records.some((r) => r.status === 'running' || r.status === 'waiting')) jobOperations = health.batch();
    return jobOperations;
  };
  // Leases and keep-alive probes use the master session too: under the same guard, counted per
  // session so an open incident shows what its outage held, cancelled or refused.
  const sessionOperations = new SessionOperations(health, clock);
  const alerter = options.alerter ?? new LogAlerter(logger);
  const alertMonitor = new AlertMonitor({ alerter, clock, logger, rules: options.alertRules });
  let alertWatch: { close(): Promise<void> } | undefined;
  let archiveTimer: TimerHandle | undefined;
  let archiveRun: Promise<void> = Promise.resolve();
  let stopping = false;
  let retentionTimer: TimerHandle | undefined;
  let retentionRun: Promise<void> = Promise.resolve();
  const scheduleRetention = (policy: RetentionPolicy & { everyMs: number }) => {
    retentionTimer = clock.schedule(clock.now() + policy.everyMs, () => {
      retentionRun = retention
        .sweep(policy)
        .then(
          () => undefined,
          (error: unknown) => logger.error('retention failed', { code: (error as { code?: string }).code ?? 'UNKNOWN' }),
        )
        .finally(() => {
          if (!stopping) scheduleRetention(policy);
        });
    });
  };
  const scheduleArchive = (schedule: { olderThanMs: number; everyMs: number }) => {
    archiveTimer = clock.schedule(clock.now() + schedule.everyMs, () => {
      archiveRun = archive.archive({ olderThanMs: schedule.olderThanMs }).then(
        (run) => {
          if (run.removed > 0 || run.skipped.length > 0) logger.info('scheduled archive', { archived: run.removed, segments: run.segments.length, skipped: run.skipped.length });
        },
        (error: unknown) => logger.error('scheduled archive failed', { code: (error as { code?: string }).code ?? 'UNKNOWN' }),
      ).finally(() => {
        if (!stopping) scheduleArchive(schedule);
      });
    });
  };

  const masterSessions = new MasterSessionRuntime({
    host,
    browsers,
    profiles,
    portals,
    captcha: options.captcha ?? (() => manualCaptcha),
    captchaPolicy: options.captchaPolicy,
    portalOptions: options.portalOptions,
    accountBrowser: (session) => planOf.get(session)?.browser,
    secrets,
    clock,
    logger,
    onBrowser: (stream, browser) => {
      // Once the engine is stopping, its browsers close (or a late launch lands) on purpose.
      if (health.closed) return;
      if (browser) health.register(stream, monitoredBrowser(browser));
      else health.unregister(stream, 'master browser closed for recovery');
    },
  });
  const jobEffects = new JobEffects({
    feed: host.feed,
    portals,
    cloner,
    masterSource: (session) => masterSessions.source(session),
    artifacts,
    clock,
    logger,
    strategy: options.cloneStrategy,
    timeouts: { lookupWaitMs: options.timeouts?.lookupWaitMs },
    portalTimeouts: (portal) => options.portalOptions?.(portal)?.timeouts,
    onCloned: options.onCloned,
  });
  const workflows = new WorkflowSessions({ host, browsers, dataDir, clock, logger, secrets, config: options.workflows });
  const leases = new SessionLeases({
    host,
    sessionOf: (portal, account) => plans.find((plan) => plan.portal === portal && plan.account === account)?.session,
    browsers,
    masterSource: (portal) => masterSessions.source(portal),
    portals: () => portals.ids(),
    clock,
    logger,
    config: options.leases,
    guard: sessionOperations,
  });
  host.provide(
    Object.assign(
      {},
      guardKeepAlive(masterSessions.effects(), sessionOperations, clock),
      guardEffects(jobEffects.registry(), SESSION_BOUND_JOB_EFFECTS, {
        monitor: health,
        batch: operationBatch,
        // A search goes through the session that clicked; every other effect through the attempt's.
        sessionOf: (effect, state: JobState) => (effect === 'findSubmission' ? submitSession(state.context) : attemptSession(state.context)),
      }),
      workflows.effects(),
      leases.effects(),
      alertEffects(alerter, clock),
      callbackSecretRef
        ? callbackEffects({ clock, secrets, secretRef: callbackSecretRef, timeoutMs: options.callbacks?.timeoutMs })
        : callbacksNotConfigured(clock),
      ...(options.extensions ?? []).map((e) => e.effects ?? {}),
      options.effects ?? {},
    ),
  );
  const concurrency = options.concurrency ?? 3;
  const ownership = options.scaleOut
    ? createWorkerOwnership({
        options: options.scaleOut,
        store: options.store,
        host,
        clock,
        logger,
        portals: [...new Set(plans.map((plan) => plan.portal))],
        masterSessions: plans.map((plan) => ({ stream: plan.stream, portal: plan.portal })),
        concurrency,
        onChanged: (stream) => scheduler.refresh(stream),
      })
    : undefined;
  const portalAccounts = Object.fromEntries(
    Object.keys(options.accounts ?? {}).map((portal) => [portal, plans.filter((plan) => plan.portal === portal && plan.account !== null).map((plan) => ({ id: plan.account as string, masterSession: plan.stream, concurrency: plan.concurrency }))]),
  );
  // Read only for portals with adaptive concurrency, each time one of their attempts ends.
  const pressure = Object.values(options.portalLimits ?? {}).some((limits) => limits.adaptive)
    ? new HostPressure({ clock, maxLoadPerCore: options.hostPressure?.maxLoadPerCore ?? 2, maxMemoryUsed: options.hostPressure?.maxMemoryUsed ?? 0.9 })
    : undefined;
  const scheduler = new JobScheduler({
    host,
    clock,
    logger,
    concurrency,
    portalLimits: options.portalLimits,
    portalAccounts,
    hostPressure: pressure && (() => pressure.now()),
    owns: ownership && ((stream) => ownership.owns(stream)),
  });
  const schedule = options.archiveSchedule;
  if (schedule && !(Number.isFinite(schedule.olderThanMs) && schedule.olderThanMs >= 0 && Number.isFinite(schedule.everyMs) && schedule.everyMs >= 1_000)) {
    throw new ValidationError('invalid archive schedule', { archiveSchedule: 'olderThanMs >= 0 and everyMs >= 1000' });
  }
  if (options.retention && !(Number.isFinite(options.retention.everyMs) && options.retention.everyMs >= 1_000)) {
    throw new ValidationError('invalid retention', { retention: 'everyMs >= 1000' });
  }
  const intake = new JobIntake({
    host,
    clock,
    portals: (id) => portals.find(id),
    ...options.job,
    portalPolicy: (portal) => options.portalOptions?.(portal)?.job,
    archived: (stream) => archive.lastState(stream),
  });
  const callbackPolicy = { ...DEFAULT_CALLBACK_POLICY, ...options.callbacks?.policy };
  const callbacks = new CallbacksApi({
    host,
    clock,
    logger,
    globalUrl: globalCallbackUrl,
    enabled: callbackSecretRef !== null,
    policy: callbackPolicy,
    artifactLink: options.callbacks?.artifactLink,
  });
  const jobs = new JobsApi({ host, intake, scheduler, store: options.store, clock, callbacks, index: jobIndex, archive });
  const sessions = new SessionsApi({
    host,
    store: options.store,
    clock,
    manualCaptcha,
    browserAlive: (session) => masterSessions.source(session) !== undefined,
    portals: () => portals.ids(),
    // A session of the log no longer configured still names the account its id carries.
    accountOf: (session) => (planOf.has(session) ? (planOf.get(session)?.account ?? null) : parseMasterSessionId(session).account),
    operations: (stream, after) => sessionOperations.chargedTo(stream, after),
  });
  const audit = new AuditApi({ host, store: options.store, machines, artifacts, logger, archive });
  const queues = new PortalQueuesApi({ host, clock, portals: () => portals.ids() });

  return {
    jobs,
    sessions,
    workflows,
    leases,
    audit,
    callbacks,
    queues,
    feed: host.feed,
    jobIndex,
    archive,
    retention,
    store: options.store,
    clock,
    logger,
    machines,
    host,
    portals,
    intake,
    scheduler,
    masterSessions,
    jobEffects,
    browsers,
    artifacts,
    manualCaptcha,
    ownership,
    health,
    alerts: alertMonitor,
    operations: () => jobOperations.summary(),
    sessionOperations,
    async start() {
      // Clone folders of a crashed run are orphans: no job can use them again.
      await rm(clonesDir, { recursive: true, force: true });
      const report = await host.start(ownership);
      await jobIndex.start();
      await workflows.start();
      await leases.start();
      await callbacks.start();
      const at = new Date(clock.now()).toISOString();
      for (const portal of portals.ids()) {
        if (!plans.some((plan) => plan.portal === portal)) logger.warn('portal has no credentials reference: no master session', { portal });
      }
      for (const { portal, session, credentialsRef } of plans) {
        const existing = host.feed.getOf(MASTER_SESSION_MACHINE, session);
        if (!existing) await masterSessions.ensure(portal, credentialsRef, { ...options.masterSession, ...options.portalOptions?.(portal)?.masterSession }, session);
        else if (!ownership) {
          // Its browser (and a login parked on a captcha) died with the previous process: a ready
          // session is healed now instead of at the next heartbeat, a captcha is asked again.
          const event = takeoverEvent(existing.state, at, 'engine_restarted');
          if (event) {
            await host.sendTo(MASTER_SESSION_MACHINE, session, event).catch((error) => {
              if (!(error instanceof InvalidCommandError)) throw error;
            });
          }
        }
      }
      // With several workers, the master sessions this one takes over are healed on adoption instead.
      await ownership?.start();
      scheduler.start();
      // The alert rules look back an hour: read the log from the start, in the background.
      alertWatch = alertMonitor.watch(options.store, { fromPosition: 0 });
      if (options.archiveSchedule) scheduleArchive(options.archiveSchedule);
      if (options.retention) scheduleRetention(options.retention);
      return report;
    },
    async stop() {
      callbacks.stop();
      await scheduler.stop(options.timeouts?.shutdownMs ?? 30_000);
      await alertWatch?.close();
      stopping = true;
      archiveTimer?.cancel();
      retentionTimer?.cancel();
      await Promise.all([archiveRun, retentionRun]);
      await host.stop();
      await jobIndex.stop();
      await jobIndexStore.close();
      await ownership?.stop();
      await jobEffects.closeAll();
      // Before the master browsers close: closing them is the stop, not a session death.
      health.close('engine stopping');
      await masterSessions.closeAll();
      await workflows.close();
      await leases.close();
      await Promise.all(browsers.browsers().map((b) => b.close()));
      await options.store.close();
    },
  };
}

/**
 * The master sessions to run, portal by portal: a portal with accounts gets one per account (its
 * first keeps `master-<portal>`, so a portal that moves from one credentials reference to a list
 * keeps its session), any other portal with a credentials reference one.
 */
export function masterSessionPlans(portalIds: readonly string[], credentials: Readonly<Record<string, string>>, accounts: Readonly<Record<string, readonly PortalAccount[]>>): MasterSessionPlan[] {
  return portalIds.flatMap((portal): MasterSessionPlan[] => {
    const listed = accounts[portal] ?? [];
    if (listed.length === 0) {
      const credentialsRef = credentials[portal];
      return credentialsRef ? [{ portal, account: null, session: masterSessionId(portal), stream: masterSessionStream(portal), credentialsRef }] : [];
    }
    return listed.map((account, i) => {
      // Ids become stream and folder names: checked here too, for callers other than the server.
      if (!isAccountId(account.id)) throw new RangeError(`portal ${portal}: account id must be lowercase letters, digits and inner dashes, at most 32`);
      if (listed.findIndex((other) => other.id === account.id) !== i) throw new RangeError(`portal ${portal}: account ${account.id} is listed twice`);
      const instance = i === 0 ? null : account.id;
      return {
        portal,
        account: account.id,
        session: masterSessionId(portal, instance),
        stream: masterSessionStream(portal, instance),
        credentialsRef: account.credentialsRef,
        ...(account.concurrency !== undefined ? { concurrency: account.concurrency } : {}),
        ...(account.browser ? { browser: account.browser } : {}),
      };
    });
  });
}
