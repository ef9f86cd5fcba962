// The S3 artifact store against a local S3-protocol server (s3rver) with the current AWS SDK:
// an artifact saved by one store instance is read back by another (another host), under the
// prefix, with its content type; a missing object is NotFound; references are checked before
// any request; credentials come from the provider and never appear in an error.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NotFoundError, ValidationError } from '@engine/core';
import { startLocalS3, type LocalS3 } from '../test-support/s3-server';
import { S3ArtifactStore } from './s3-artifact-store';

jest.setTimeout(60_000);

describe('S3ArtifactStore', () => {
  let s3: LocalS3;
  const stores: S3ArtifactStore[] = [];
  let provided = 0;

  const open = (overrides: { accessKeyId?: string } = {}) => {
    const store = new S3ArtifactStore({
      bucket: s3.bucket,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      prefix: 'engine/artifacts/',
      credentials: async () => {
        provided++;
        return { accessKeyId: overrides.accessKeyId ?? s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
      },
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    s3 = await startLocalS3();
  });

  afterAll(async () => {
    for (const store of stores) store.close();
    await s3?.close();
  });

  it('saves under the prefix with a generated name and reads it back from another instance', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(4096)]);
    const reference = await open().save('screenshot', 'job-7 Filling / Step "2"', png);
    expect(reference).toMatch(/^screenshot\/art_[a-z0-9_-]+-job-7-filling-step-2\.png$/);
    expect(provided).toBeGreaterThan(0);
    expect(existsSync(join(s3.directory, s3.bucket, 'engine', 'artifacts', 'screenshot'))).toBe(true);

    const elsewhere = open();
    expect((await elsewhere.read(reference)).equals(png)).toBe(true);
    const raw = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const head = await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `engine/artifacts/${reference}` }));
    expect(head.ContentType).toBe('image/png');
    raw.destroy();
  });

  it('answers NotFound for a missing object, refuses a foreign reference before any request', async () => {
    const store = open();
    const reference = await store.save('html', 'page', '<html></html>');
    for (const file of readdirSync(join(s3.directory, s3.bucket, 'engine', 'artifacts', 'html'))) rmSync(join(s3.directory, s3.bucket, 'engine', 'artifacts', 'html', file));
    await expect(store.read(reference)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.read('../screenshot/x.png')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.read('screenshot/X.png')).rejects.toBeInstanceOf(ValidationError);
  });

  it('fails with the S3 error name and status only, never the keys', async () => {
    const store = open({ accessKeyId: 'unknown-key' });
    const error = await store.save('screenshot', 'x', Buffer.from('x')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ARTIFACT_STORE_FAILED', details: { operation: 'PutObject', error: 'InvalidAccessKeyId', status: 403 } });
    expect(String((error as Error).message)).not.toContain(s3.secretAccessKey);
    expect(JSON.stringify(error)).not.toContain(s3.secretAccessKey);
  });
});
