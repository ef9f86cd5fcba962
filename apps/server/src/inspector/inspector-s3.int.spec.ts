// Artifacts in object storage, end to end through the server: one engine instance runs a job
// whose validation fails with a screenshot, saved to a local S3-protocol server (s3rver); then
// the real server of ANOTHER engine instance, with its own empty data folder, shows that
// screenshot on the inspector route (bytes streamed by the server, behind its token; the view
// names the artifact by reference only, never by a bucket URL).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3ArtifactStore } from '@engine/browser';
import { createEngine, type Engine } from '@engine/engine';
import { SqliteEventStore } from '@engine/event-store';
import { jobInput } from '@engine/machines/testing';
import { startLocalS3, type LocalS3 } from '@engine/browser/testing';
import { loadConfig } from '../config';
import { buildEngine } from '../engine/build-engine';
import { EngineMetrics } from '../metrics/metrics';
import { startInspectorTestServer, type InspectorTestServer } from './testing/inspector-test-server';

jest.setTimeout(60_000);

describe('inspector with artifacts in S3', () => {
  let s3: LocalS3;
  let dir: string;
  let server: InspectorTestServer | undefined;
  const stores: S3ArtifactStore[] = [];
  const bucketStore = (prefix = 'artifacts/') => {
    const store = new S3ArtifactStore({
      bucket: s3.bucket,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      prefix,
      credentials: async () => ({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }),
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    s3 = await startLocalS3();
    dir = mkdtempSync(join(tmpdir(), 'inspector-s3-'));
  });

  afterAll(async () => {
    await server?.close();
    for (const store of stores) store.close();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a failure screenshot written by one engine from another engine instance that has no copy of it', async () => {
    const file = join(dir, 'events.db');
    const screenshot = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2048)]);
    const at = () => new Date().toISOString();
    const workerDir = join(dir, 'worker');
    // The screenshot goes through the engine's own artifact store, as failure capture does.
    const worker: Engine = createEngine({
      store: new SqliteEventStore(file),
      dataDir: workerDir,
      artifacts: bucketStore(),
      effects: {
        cloneSession: { run: async () => ({ type: 'CLONED', at: at() }) },
        validateSession: {
          run: async (p: { jobId: string }) => ({ type: 'PAGE_UNRECOGNISED', code: 'MAINTENANCE', artifactRef: await worker.artifacts.save('screenshot', `${p.jobId}-validating`, screenshot), at: at() }),
        },
        closeClone: { run: async () => undefined },
      },
    });
    await worker.start();
    await worker.host.create('job', 'j1', { ...jobInput, jobId: 'j1' });
    await worker.host.send('job-j1', { type: 'START' });
    await worker.host.idle();
    await worker.stop();
    expect(existsSync(join(workerDir, 'artifacts'))).toBe(false); // nothing on the worker's disk

    server = await startInspectorTestServer({ store: new SqliteEventStore(file), artifacts: bucketStore() });
    const get = (path: string, token: string | null = (server as InspectorTestServer).token) =>
      fetch(`${(server as InspectorTestServer).url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    const view = await (await get('/api/inspector/streams/job-j1')).json();
    expect(view.screenshots).toHaveLength(1);
    const [reference] = view.screenshots as string[];
    expect(reference).toMatch(/^screenshot\/art_[a-z0-9_-]+-j1-validating\.png$/);
    expect(JSON.stringify(view)).not.toContain(s3.endpoint);

    const name = reference.slice('screenshot/'.length);
    const shown = await get(`/api/inspector/streams/job-j1/screenshots/${name}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await shown.arrayBuffer()).equals(screenshot)).toBe(true);
    expect(existsSync(server.artifactsDir)).toBe(false); // served from the bucket, not from a local copy

    expect((await get(`/api/inspector/streams/job-j1/screenshots/${name}`, null)).status).toBe(401);
    expect((await get('/api/inspector/streams/job-j1/screenshots/art_unreferenced.png')).status).toBe(404);
  });

  it('is selected by configuration, with its keys from the secrets file and nowhere in the logs', async () => {
    const secretsFile = join(dir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ 'secret://s3/artifacts': { username: s3.accessKeyId, password: s3.secretAccessKey } }));
    const config = loadConfig({
      DATABASE_URL: 'memory:',
      DATA_DIR: join(dir, 'configured'),
      SECRETS_FILE: secretsFile,
      ARTIFACT_STORE: 's3',
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: 'configured/',
      S3_CREDENTIALS_REF: 'secret://s3/artifacts',
    });
    const logged: string[] = [];
    const log = (message: string, fields?: Record<string, unknown>) => void logged.push(`${message} ${JSON.stringify(fields ?? {})}`);
    const engine = await buildEngine(config, { info: log, warn: log, error: log }, new EngineMetrics());
    const reference = await engine.artifacts.save('screenshot', 'configured', Buffer.from('png'));
    await engine.stop();
    expect(existsSync(join(dir, 'configured', 'artifacts'))).toBe(false);
    const reader = bucketStore('configured/');
    expect((await reader.read(reference)).toString()).toBe('png');
    expect(existsSync(join(s3.directory, s3.bucket, 'configured', 'screenshot'))).toBe(true);
    expect(logged.join('\n')).toContain(`s3://${s3.bucket}/configured/`);
    expect(logged.join('\n')).not.toContain(s3.secretAccessKey);
  });
});
