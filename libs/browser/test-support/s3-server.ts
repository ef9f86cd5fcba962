// Test-only: a local S3-protocol server (s3rver, a JavaScript implementation from the npm
// registry) on a free loopback port, storing in a fresh temporary folder, with one bucket and
// one access key of our own. s3rver refuses an unknown access key id; it does not check SigV4
// signatures, so a wrong secret key goes unnoticed here (real S3 refuses it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import S3rver from 's3rver';
// The server's account registry: the key pair every request must name.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; } };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where s3rver keeps the objects (to prove an object is there, or to remove one). */
  directory: string;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'engine-artifacts'): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'engine-s3-'));
  const accessKeyId = `engine-test-${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(20).toString('base64url');
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId,
    secretAccessKey,
    directory,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
