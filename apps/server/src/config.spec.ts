// The artifact store's configuration: local by default; S3 with a bucket, an optional endpoint
// that may not carry credentials, and keys only by reference into the secrets file. The alert
// webhook's format (json or slack) and the public URL alerts link to, which carries no secret.
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
    expect(fieldsOf({ ALERT_WEBHOOK_URL: 'https://hooks.example.org/x', ALERT_WEBHOOK_FORMAT: 'teams' })).toEqual({ ALERT_WEBHOOK_FORMAT: 'must be json or slack' });
    expect(fieldsOf({ ALERT_WEBHOOK_FORMAT: 'slack' })).toEqual({ ALERT_WEBHOOK_FORMAT: 'needs ALERT_WEBHOOK_URL, where the alerts go' });
    for (const url of ['ftp://engine.example.org', 'engine.example.org', 'https://ops:pw-123@engine.example.org', 'https://engine.example.org/?token=abc', 'https://engine.example.org/#x']) {
      expect(fieldsOf({ PUBLIC_URL: url })).toEqual({ PUBLIC_URL: 'must be an http(s) URL without credentials, query or fragment' });
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
    expect(fieldsOf({ CAPTCHA_ANSWER_WITHIN_MS: '10' })).toEqual({ CAPTCHA_ANSWER_WITHIN_MS: 'must be an integer 1000..86400000' });
    expect(fieldsOf({ CAPTCHA_WARN_AFTER: 'often' })).toEqual({ CAPTCHA_WARN_AFTER: 'must be an integer 1..1000' });
    expect(fieldsOf({ CAPTCHA_RETRY_MIN_MS: '5000', CAPTCHA_RETRY_MAX_MS: '1000' })).toEqual({ CAPTCHA_RETRY_MIN_MS: 'must not exceed CAPTCHA_RETRY_MAX_MS (1000)' });
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
    expect(fieldsOf({ CALLBACK_URL: 'gopher://receiver.example', CALLBACK_SECRET_REF: 'secret://x' })).toEqual({ CALLBACK_URL: 'must use http or https' });
    expect(fieldsOf({ CALLBACK_MIN_DELAY_MS: '9000', CALLBACK_MAX_DELAY_MS: '1000' })).toEqual({ CALLBACK_MIN_DELAY_MS: 'must not exceed CALLBACK_MAX_DELAY_MS (1000)' });
  });
});
