// The artifact store's configuration: local by default; S3 with a bucket, an optional endpoint
// that may not carry credentials, and keys only by reference into the secrets file.
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
