// The artifact store's configuration: local by default; S3 with a bucket, an optional endpoint
// that may not carry credentials, and keys only by reference into the secrets file. The alert
// webhook's format (json or slack) and the public URL alerts link to, which carries no secret. A
// portal's captcha setting: manual, portal-sim, or a chain of solvers with its API key by reference.
import { ValidationError } from '@engine/core';
import { loadConfig } from './config';

const fieldsOf = (env: NodeJS.ProcessEnv): Record<string, string> => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  return {};
};

describe('artifact store configuration', () => {
  it('keeps artifacts on local disk unless told otherwise', () => {
    expect(loadConfig({}).artifacts).toEqual({ store: 'local' });
  });

  it('reads an S3-compatible bucket with its endpoint, path style, prefix and credentials reference', () => {
    const env = {
      ARTIFACT_STORE: 's3',
      S3_BUCKET: 'engine-artifacts',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: 'prod/artifacts/',
      S3_CREDENTIALS_REF: 'secret://s3/artifacts',
      SECRETS_FILE: '/etc/engine/secrets.json',
    };
    expect(loadConfig(env).artifacts).toEqual({
      store: 's3',
      bucket: 'engine-artifacts',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      prefix: 'prod/artifacts/',
      credentialsRef: 'secret://s3/artifacts',
    });
  });

  it('refuses what it cannot use, naming the variable', () => {
    expect(fieldsOf({ ARTIFACT_STORE: 'ftp' })).toHaveProperty('ARTIFACT_STORE');
    expect(fieldsOf({ ARTIFACT_STORE: 's3' })).toHaveProperty('S3_BUCKET');
    expect(fieldsOf({ ARTIFACT_STORE: 's3', S3_BUCKET: 'b-1', S3_ENDPOINT: 'http://key:secret@127.0.0.1:9000' })).toHaveProperty('S3_ENDPOINT');
    expect(fieldsOf({ ARTIFACT_STORE: 's3', S3_BUCKET: 'b-1', S3_FORCE_PATH_STYLE: 'yes' })).toHaveProperty('S3_FORCE_PATH_STYLE');
    expect(fieldsOf({ ARTIFACT_STORE: 's3', S3_BUCKET: 'b-1', S3_PREFIX: '../x' })).toHaveProperty('S3_PREFIX');
    expect(fieldsOf({ ARTIFACT_STORE: 's3', S3_BUCKET: 'b-1', S3_CREDENTIALS_REF: 'secret://s3/a' })).toEqual({ S3_CREDENTIALS_REF: 'needs SECRETS_FILE, where the reference is resolved' });
    expect(JSON.stringify(fieldsOf({ ARTIFACT_STORE: 's3', S3_BUCKET: 'b-1', S3_ENDPOINT: 'http://key:secret@127.0.0.1:9000' }))).not.toContain('secret@');
  });
});

describe('alert webhook configuration', () => {
  it('posts the alert\'s JSON without links unless told otherwise', () => {
    expect(loadConfig({ ALERT_WEBHOOK_URL: 'https://hooks.example.org/x' })).toMatchObject({ alertWebhookFormat: 'json', publicUrl: null });
  });

  it('reads the Slack-compatible format and the public URL the alerts link to', () => {
    const config = loadConfig({ ALERT_WEBHOOK_URL: 'https://hooks.example.org/x', ALERT_WEBHOOK_FORMAT: 'slack', PUBLIC_URL: 'https://engine.example.org/ops/' });
    expect(config).toMatchObject({ alertWebhookFormat: 'slack', publicUrl: 'https://engine.example.org/ops' });
  });

  it('refuses what it cannot use, naming the variable, and never echoes a credential', () => {
    expect(fieldsOf({ ALERT_WEBHOOK_URL: 'https://hooks.example.org/x', ALERT_WEBHOOK_FORMAT: 'teams' })).toEqual({ ALERT_WEBHOOK_FORMAT: 'must be json or slack, not "teams"' });
    expect(fieldsOf({ ALERT_WEBHOOK_FORMAT: 'slack' })).toEqual({ ALERT_WEBHOOK_FORMAT: 'needs ALERT_WEBHOOK_URL, where the alerts go' });
    for (const url of ['ftp://engine.example.org', 'engine.example.org', 'https://ops:pw-123@engine.example.org', 'https://engine.example.org/?token=abc', 'https://engine.example.org/#x']) {
      expect(fieldsOf({ PUBLIC_URL: url })).toEqual({ PUBLIC_URL: expect.stringMatching(/^must be an http\(s\) URL without credentials, query or fragment/) });
    }
    expect(JSON.stringify(fieldsOf({ PUBLIC_URL: 'https://ops:pw-123@engine.example.org' }))).not.toContain('pw-123');
  });
});

describe('captcha policy configuration', () => {
  it('answers within 5 minutes, retries from 10 s to 10 min, warns after 3, unless told otherwise', () => {
    expect(loadConfig({}).captchaPolicy).toEqual({ answerWithinMs: 300_000, retryMinMs: 10_000, retryMaxMs: 600_000, warnAfter: 3 });
    expect(loadConfig({ CAPTCHA_ANSWER_WITHIN_MS: '120000', CAPTCHA_WARN_AFTER: '1' }).captchaPolicy).toMatchObject({ answerWithinMs: 120_000, warnAfter: 1 });
  });

  it('refuses what it cannot use, naming the variable', () => {
    expect(fieldsOf({ CAPTCHA_ANSWER_WITHIN_MS: '10' })).toEqual({ CAPTCHA_ANSWER_WITHIN_MS: 'must be an integer 1000..86400000, not 10' });
    expect(fieldsOf({ CAPTCHA_WARN_AFTER: 'often' })).toEqual({ CAPTCHA_WARN_AFTER: 'must be an integer 1..1000, not NaN' });
    expect(fieldsOf({ CAPTCHA_RETRY_MIN_MS: '5000', CAPTCHA_RETRY_MAX_MS: '1000' })).toEqual({ CAPTCHA_RETRY_MIN_MS: 'must not exceed CAPTCHA_RETRY_MAX_MS (1000)' });
  });
});

describe('session lease configuration', () => {
  it('has the engine\'s defaults unless told, and takes each setting from its variable', () => {
    expect(loadConfig({}).leases).toEqual({ maxLeases: 2, defaultTtlMs: 300_000, maxTtlMs: 3_600_000, settleTimeoutMs: 30_000, launchTimeoutMs: 30_000 });
    expect(
      loadConfig({ SESSION_LEASES_MAX: '5', SESSION_LEASE_DEFAULT_TTL_MS: '60000', SESSION_LEASE_MAX_TTL_MS: '600000', SESSION_LEASE_SETTLE_TIMEOUT_MS: '10000', SESSION_LEASE_LAUNCH_TIMEOUT_MS: '20000' }).leases,
    ).toEqual({ maxLeases: 5, defaultTtlMs: 60_000, maxTtlMs: 600_000, settleTimeoutMs: 10_000, launchTimeoutMs: 20_000 });
  });

  it('refuses a ttl beyond the machine\'s bound and a default above the longest, naming the variable', () => {
    expect(fieldsOf({ SESSION_LEASE_MAX_TTL_MS: '7200000' })).toEqual({ SESSION_LEASE_MAX_TTL_MS: 'must be an integer 1000..3600000, not 7200000' });
    expect(fieldsOf({ SESSION_LEASE_DEFAULT_TTL_MS: '600000', SESSION_LEASE_MAX_TTL_MS: '60000' })).toEqual({ SESSION_LEASE_DEFAULT_TTL_MS: 'must not exceed SESSION_LEASE_MAX_TTL_MS (60000)' });
  });
});

describe('completion callback configuration', () => {
  it('has no global callback and no signing secret unless told; a global URL needs the secret', () => {
    expect(loadConfig({}).callbacks).toEqual({ url: null, secretRef: null, maxAttempts: 12, minDelayMs: 1_000, maxDelayMs: 600_000, timeoutMs: 10_000 });
    const config = loadConfig({ CALLBACK_URL: 'https://receiver.example/hooks', CALLBACK_SECRET_REF: 'secret://callbacks', CALLBACK_MAX_ATTEMPTS: '5' });
    expect(config.callbacks).toMatchObject({ url: 'https://receiver.example/hooks', secretRef: 'secret://callbacks', maxAttempts: 5 });
  });

  it('refuses what it cannot use, naming the variable, and never echoes a credential', () => {
    expect(fieldsOf({ CALLBACK_URL: 'https://receiver.example/hooks' })).toEqual({ CALLBACK_SECRET_REF: 'required with CALLBACK_URL: every delivery is signed' });
    const withPassword = fieldsOf({ CALLBACK_URL: 'https://u:hunter22@receiver.example/hooks', CALLBACK_SECRET_REF: 'secret://x' });
    expect(Object.keys(withPassword)).toEqual(['CALLBACK_URL']);
    expect(JSON.stringify(withPassword)).not.toContain('hunter22');
    expect(fieldsOf({ CALLBACK_URL: 'gopher://receiver.example', CALLBACK_SECRET_REF: 'secret://x' })).toEqual({ CALLBACK_URL: 'must use http or https (value not shown: it may hold a secret)' });
    expect(fieldsOf({ CALLBACK_MIN_DELAY_MS: '9000', CALLBACK_MAX_DELAY_MS: '1000' })).toEqual({ CALLBACK_MIN_DELAY_MS: 'must not exceed CALLBACK_MAX_DELAY_MS (1000)' });
  });
});

describe('portal captcha configuration', () => {
  const portal = (captcha: unknown) => ({ adapter: 'portal-sim', options: { baseUrl: 'http://127.0.0.1:8080' }, credentialsRef: 'secret://portal-sim/login', captcha });
  const env = (...captchas: unknown[]) => ({ PORTALS: JSON.stringify(captchas.map(portal)), SECRETS_FILE: '/etc/engine/secrets.json' });
  const service = { url: 'https://captcha.example.org/api/', keyRef: 'secret://captcha-service' };

  it('keeps manual, portal-sim and no setting as they are', () => {
    expect(loadConfig(env('manual', 'portal-sim')).portals.map((p) => p.captcha)).toEqual(['manual', 'portal-sim']);
    expect(loadConfig({ PORTALS: JSON.stringify([{ adapter: 'portal-sim', credentialsRef: 'secret://x' }]) }).portals[0]).not.toHaveProperty('captcha');
  });

  it('reads a chain of a captcha service then the operator, with the service\'s defaults filled in', () => {
    const config = loadConfig(env([{ http: { ...service, pollIntervalMs: 2000, costPerSolve: 0.002 } }, 'manual']));
    expect(config.portals[0].captcha).toEqual([
      { http: { name: 'http', url: 'https://captcha.example.org/api/', keyRef: 'secret://captcha-service', pollIntervalMs: 2000, timeoutMs: 120_000, costPerSolve: 0.002 } },
      'manual',
    ]);
    expect(loadConfig(env([{ http: { ...service, name: 'primary' } }, { http: { ...service, name: 'backup', timeoutMs: 60_000 } }, 'portal-sim'])).portals[0].captcha).toHaveLength(3);
  });

  it('refuses a chain it cannot run, naming PORTALS, the place and the reason', () => {
    const refusal = (...captchas: unknown[]) => fieldsOf(env(...captchas));
    expect(refusal('operator')).toEqual({ PORTALS: 'portals[0].captcha: must be "manual", "portal-sim" or a list of solver stages' });
    expect(refusal([])).toEqual({ PORTALS: 'portals[0].captcha: a chain has 1 to 5 stages' });
    expect(refusal('manual', ['manual', { http: service }])).toEqual({ PORTALS: 'portals[1].captcha[0]: "manual" must be the last stage (nothing runs after a person is asked)' });
    expect(refusal([{ http: service }, { http: service }])).toEqual({ PORTALS: 'portals[0].captcha: two stages named http (give each http stage its own "name")' });
    expect(refusal([{ https: service }])).toEqual({ PORTALS: 'portals[0].captcha[0]: must be "manual", "portal-sim" or { "http": { url, keyRef, … } }' });
    expect(refusal([{ http: { ...service, timeout: 5 } }])).toEqual({ PORTALS: 'portals[0].captcha[0].http.timeout: unknown setting (known: name, url, keyRef, pollIntervalMs, timeoutMs, costPerSolve)' });
    expect(refusal([{ http: { url: service.url } }])).toEqual({ PORTALS: 'portals[0].captcha[0].http.keyRef: required, the secret reference of the service\'s API key' });
    expect(refusal([{ http: { ...service, url: 'ftp://captcha.example.org' } }])).toHaveProperty('PORTALS', 'portals[0].captcha[0].http.url: must be an http(s) URL without credentials, query or fragment');
    expect(refusal([{ http: { ...service, pollIntervalMs: 10 } }])).toHaveProperty('PORTALS', 'portals[0].captcha[0].http.pollIntervalMs: must be an integer 100..600000');
    expect(refusal([{ http: { ...service, timeoutMs: '120000' } }])).toHaveProperty('PORTALS', 'portals[0].captcha[0].http.timeoutMs: must be an integer 1000..3600000');
    expect(refusal([{ http: { ...service, costPerSolve: -1 } }])).toHaveProperty('PORTALS', 'portals[0].captcha[0].http.costPerSolve: must be a number >= 0');
    expect(refusal([{ http: { ...service, name: 'manual' } }])).toHaveProperty('PORTALS');
    expect(fieldsOf({ PORTALS: JSON.stringify([portal([{ http: service }, 'manual'])]) })).toEqual({ PORTALS: 'portals[0].captcha[0].http.keyRef: needs SECRETS_FILE, where the reference is resolved' });
  });

  it('never echoes a key or a credential put where it does not belong', () => {
    const key = 'live-api-key-1234567890';
    const pasted = fieldsOf(env([{ http: { ...service, apiKey: key } }]));
    expect(pasted).toEqual({ PORTALS: 'portals[0].captcha[0].http.apiKey: an API key never goes in PORTALS; put it in SECRETS_FILE and name it with keyRef' });
    for (const url of [`https://user:${key}@captcha.example.org`, `https://captcha.example.org/?key=${key}`]) {
      expect(JSON.stringify(fieldsOf(env([{ http: { ...service, url } }])))).not.toContain(key);
    }
  });
});

describe('snapshot configuration', () => {
  it('takes a snapshot every 500 events unless told otherwise; 0 turns them off', () => {
    expect(loadConfig({}).snapshotEvery).toBe(500);
    expect(loadConfig({ SNAPSHOT_EVERY: '1000' }).snapshotEvery).toBe(1000);
    expect(loadConfig({ SNAPSHOT_EVERY: '0' }).snapshotEvery).toBe(0);
  });

  it('refuses an interval that is not a whole number of events, naming the variable', () => {
    for (const bad of ['-1', '2.5', 'often']) expect(fieldsOf({ SNAPSHOT_EVERY: bad })).toHaveProperty('SNAPSHOT_EVERY');
  });
});

describe('scheduled archive configuration', () => {
  it('archives only when ARCHIVE_AFTER is set, checking once a day unless told otherwise', () => {
    expect(loadConfig({}).archiveSchedule).toBeNull();
    expect(loadConfig({ ARCHIVE_AFTER: '90d' }).archiveSchedule).toEqual({ olderThanMs: 90 * 86_400_000, everyMs: 86_400_000 });
    expect(loadConfig({ ARCHIVE_AFTER: '12h', ARCHIVE_EVERY: '30m' }).archiveSchedule).toEqual({ olderThanMs: 43_200_000, everyMs: 1_800_000 });
  });

  it('refuses a bad duration, an interval without an age, and a store shared by several workers', () => {
    expect(fieldsOf({ ARCHIVE_AFTER: '90' })).toHaveProperty('ARCHIVE_AFTER');
    expect(fieldsOf({ ARCHIVE_AFTER: '90d', ARCHIVE_EVERY: '0s' })).toHaveProperty('ARCHIVE_EVERY');
    expect(fieldsOf({ ARCHIVE_EVERY: '1d' })).toHaveProperty('ARCHIVE_EVERY');
    expect(fieldsOf({ ARCHIVE_AFTER: '90d', DATABASE_URL: 'postgres://127.0.0.1/engine' })).toHaveProperty('ARCHIVE_AFTER');
  });
});

describe('retention configuration', () => {
  it('keeps everything unless an age is set; checks once a day unless told otherwise', () => {
    expect(loadConfig({}).retention).toBeNull();
    expect(loadConfig({ RETENTION_ARTIFACTS: '30d' }).retention).toEqual({ artifactsMs: 30 * 86_400_000, everyMs: 86_400_000 });
    expect(loadConfig({ RETENTION_PROFILE_BACKUPS: '2w', RETENTION_CLONES: '12h', RETENTION_EVERY: '1h' }).retention).toEqual({
      profileBackupsMs: 14 * 86_400_000,
      clonesMs: 43_200_000,
      everyMs: 3_600_000,
    });
  });

  it('refuses a bad age or interval, naming the variable', () => {
    expect(fieldsOf({ RETENTION_ARTIFACTS: '30' })).toHaveProperty('RETENTION_ARTIFACTS');
    expect(fieldsOf({ RETENTION_CLONES: '1d', RETENTION_EVERY: 'often' })).toHaveProperty('RETENTION_EVERY');
    expect(fieldsOf({ RETENTION_EVERY: '1d' })).toHaveProperty('RETENTION_EVERY');
  });
});
