// Builds the engine the server hosts from its configuration: the event store, the portal
// adapters (built in or plugin modules), secrets, captcha solvers and alerting.
import { FileSecretProvider, MemorySecretProvider, type Logger, type SecretProvider } from '@engine/core';
import { S3ArtifactStore, type ArtifactStore } from '@engine/browser';
import { createEngine, FanOutAlerter, LogAlerter, openJobIndex, WebhookAlerter, type Engine, type PortalAccount, type PortalRunOptions } from '@engine/engine';
import { openEventStoreAsync } from '@engine/event-store';
import { defaultRetryPolicy, JOB_DEFAULTS } from '@engine/machines';
import { loadPortalAdapters, PortalSimAdapter, type CaptchaSolver, type PortalAdapter } from '@engine/portals';
import { join, resolve } from 'node:path';
import type { ArtifactsConfig, ServerConfig } from '../config';
import type { AccountConfig } from '../portal-accounts-config';
import type { PortalSettingValues } from '../settings/settings-schema';
import type { EngineMetrics } from '../metrics/metrics';
import { instrumentEventStore } from '../metrics/instrumented-event-store';
import { buildCaptchaSolvers } from './captcha-solvers';

export async function buildEngine(config: ServerConfig, logger: Logger, metrics: EngineMetrics): Promise<Engine> {
  const adapters: PortalAdapter<any>[] = [];
  for (const portal of config.portals) {
    const adapter =
      portal.adapter === 'portal-sim'
        ? new PortalSimAdapter({ baseUrl: String(portal.options?.baseUrl), id: portal.options?.id as string | undefined })
        : loadPortalAdapters([{ path: portal.adapter, options: portal.options }])[0];
    adapters.push(adapter);
  }
  const store = instrumentEventStore(await openEventStoreAsync(config.storeUrl), metrics.appendLatency);
  // After the store: the index's tables live in the store's file or database.
  const jobIndex = await openJobIndex(config.storeUrl).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const log = new LogAlerter(logger);
  const secrets = config.secretsFile ? new FileSecretProvider(config.secretsFile) : new MemorySecretProvider();
  // Filled once the engine exists: a chain may end with the engine's own manual solver. Solvers
  // are first asked for at login, after the engine has started.
  let solvers = new Map<string, CaptchaSolver>();
  const artifacts = artifactStore(config.artifacts, secrets);
  if (artifacts) logger.info('artifacts kept in object storage', { location: artifacts.location });
  const engine: Engine = createEngine({
    store,
    jobIndex,
    dataDir: config.dataDir,
    artifacts,
    portals: adapters,
    secrets,
    credentials: Object.fromEntries(config.portals.map((p, i) => [adapters[i].id, p.credentialsRef])),
    accounts: Object.fromEntries(config.portals.flatMap((p, i) => (p.accounts ? [[adapters[i].id, p.accounts.map((account) => portalAccount(account, secrets))]] : []))),
    captcha: (portal) => solvers.get(portal) ?? engine.manualCaptcha,
    captchaPolicy: config.captchaPolicy,
    callbacks: {
      url: config.callbacks.url,
      secretRef: config.callbacks.secretRef,
      policy: { maxAttempts: config.callbacks.maxAttempts, minDelayMs: config.callbacks.minDelayMs, maxDelayMs: config.callbacks.maxDelayMs },
      timeoutMs: config.callbacks.timeoutMs,
      // The inspector serves a job's screenshots (token required); absolute when the public URL is known.
      artifactLink: (jobId, reference) =>
        `${config.publicUrl ?? ''}/api/inspector/streams/${encodeURIComponent(`job-${jobId}`)}/screenshots/${encodeURIComponent(reference.replace(/^screenshot\//, ''))}`,
    },
    logger,
    alerter: config.alertWebhookUrl
      ? new FanOutAlerter([log, new WebhookAlerter({ url: config.alertWebhookUrl, format: config.alertWebhookFormat, publicUrl: config.publicUrl ?? undefined })])
      : log,
    concurrency: config.concurrency,
    portalLimits: Object.fromEntries(config.portals.flatMap((p, i) => (p.limits ? [[adapters[i].id, p.limits]] : []))),
    cloneStrategy: config.cloneStrategy,
    job: (() => {
      const policy = defaultRetryPolicy(config.jobRetryDelayMs ?? JOB_DEFAULTS.retryDelayMs);
      return {
        retryDelayMs: config.jobRetryDelayMs,
        maxAttempts: config.jobMaxAttempts,
        lookupRetries: { ...policy.lookupRetries, max: config.jobLookupRetries },
      };
    })(),
    timeouts: { shutdownMs: config.shutdownTimeoutMs },
    health: config.health,
    workflows: { maxDownloadBytes: config.settings['workflows.maxDownloadBytes'] },
    leases: config.leases,
    hostPressure: { maxLoadPerCore: config.settings['jobs.adaptiveMaxLoadPerCore'], maxMemoryUsed: config.settings['jobs.adaptiveMaxMemoryUsed'] },
    alertRules: config.alertRules,
    browser: config.chromiumPath ? { executablePath: config.chromiumPath } : undefined,
    portalOptions: (() => {
      const byPortal = new Map(config.portals.map((portal, i) => [adapters[i].id, portalRunOptions(portal.settings, adapters[i].id, config.dataDir, secrets)]));
      return (portal: string) => byPortal.get(portal);
    })(),
    snapshotEvery: config.snapshotEvery,
    archiveSchedule: config.archiveSchedule ?? undefined,
    retention: config.retention ?? undefined,
    // PostgreSQL is the store several workers share: each holds its streams by lease.
    scaleOut: /^postgres(ql)?:\/\//i.test(config.storeUrl) ? { databaseUrl: config.storeUrl, ...config.workers } : undefined,
    onCloned: (portal, strategy, seconds) => metrics.cloneLatency.observe({ portal, strategy }, seconds),
  });
  solvers = buildCaptchaSolvers(
    config.portals.map((portal, i) => ({ id: adapters[i].id, config: portal })),
    { manual: engine.manualCaptcha, secrets, observe: (report) => metrics.captchaSolved(report) },
  );
  return engine;
}

/** An account of a portal as the engine takes it: its proxy and proxy login over the portal's. */
export function portalAccount(account: AccountConfig, secrets: SecretProvider): PortalAccount {
  const proxyRef = account.proxyCredentialsRef;
  const browser = {
    ...(account.proxy !== undefined ? { proxy: account.proxy } : {}),
    // Resolved when a page is prepared, like the portal's own proxy login.
    ...(proxyRef !== undefined
      ? {
          proxyCredentials: async () => {
            const secret = await secrets.resolve(proxyRef);
            return { username: secret.username, password: secret.password };
          },
        }
      : {}),
  };
  return {
    id: account.id,
    credentialsRef: account.credentialsRef,
    ...(account.concurrency !== undefined ? { concurrency: account.concurrency } : {}),
    ...(Object.keys(browser).length > 0 ? { browser } : {}),
  };
}

/** A portal's settings (its own over the global ones) as the engine takes them. */
export function portalRunOptions(settings: PortalSettingValues, portal: string, dataDir: string, secrets: SecretProvider): PortalRunOptions {
  const retryDelayMs = settings['jobs.retryDelayMs'];
  const policy = defaultRetryPolicy(retryDelayMs);
  const [width, height] = settings['browser.viewport'].split('x').map(Number);
  const proxyRef = settings['browser.proxyCredentialsRef'];
  return {
    job: { maxAttempts: settings['jobs.maxAttempts'], retryDelayMs, lookupRetries: { ...policy.lookupRetries, max: settings['jobs.lookupRetries'] }, freeLoginFormAttempts: settings['jobs.freeLoginFormAttempts'] },
    timeouts: {
      launchMs: settings['timeouts.launchMs'],
      loginMs: settings['timeouts.loginMs'],
      probeMs: settings['timeouts.probeMs'],
      cloneMs: settings['timeouts.cloneMs'],
      stepMs: settings['timeouts.stepMs'],
      submitMs: settings['timeouts.submitMs'],
      lookupMs: settings['timeouts.lookupMs'],
      lookupWaitMs: settings['timeouts.lookupWaitMs'],
      captureMs: settings['timeouts.captureMs'],
    },
    masterSession: {
      heartbeatMs: settings['masterSession.heartbeatMs'],
      criticalHeartbeatMs: settings['masterSession.criticalHeartbeatMs'],
      alertRetryMs: settings['masterSession.alertRetryMs'],
      soft: { tries: settings['masterSession.softTries'], minWaitMs: settings['masterSession.softMinWaitMs'], maxWaitMs: settings['masterSession.softMaxWaitMs'] },
      hard: { tries: settings['masterSession.hardTries'], minWaitMs: settings['masterSession.hardMinWaitMs'], maxWaitMs: settings['masterSession.hardMaxWaitMs'] },
      nuclear: { tries: settings['masterSession.nuclearTries'], minWaitMs: settings['masterSession.nuclearMinWaitMs'], maxWaitMs: settings['masterSession.nuclearMaxWaitMs'] },
    },
    browser: {
      args: settings['browser.args'],
      proxy: settings['browser.proxy'],
      // Resolved when a page is prepared, so a rotated proxy password is picked up without a restart.
      proxyCredentials: proxyRef === null ? null : async () => {
        const secret = await secrets.resolve(proxyRef);
        return { username: secret.username, password: secret.password };
      },
      viewport: { width, height },
      userAgent: settings['browser.userAgent'],
      locale: settings['browser.locale'],
      timezone: settings['browser.timezone'],
      downloadDir: resolve(settings['browser.downloadDir'] ?? join(dataDir, 'downloads', portal)),
      remoteEndpoint: settings['browser.remoteEndpoint'],
    },
  };
}

/** The S3 store when configured (its keys resolved from the secrets file when used, never logged); else the engine's local default. */
function artifactStore(config: ArtifactsConfig, secrets: SecretProvider): (ArtifactStore & { location: string }) | undefined {
  if (config.store !== 's3') return undefined;
  const ref = config.credentialsRef;
  return new S3ArtifactStore({
    bucket: config.bucket,
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    prefix: config.prefix,
    credentials:
      ref === undefined
        ? undefined
        : async () => {
            const secret = await secrets.resolve(ref);
            return { accessKeyId: secret.username, secretAccessKey: secret.password };
          },
  });
}
