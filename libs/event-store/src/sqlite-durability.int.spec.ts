// Crash durability: a child process appends in a loop with group commit and is killed with
// SIGKILL mid-stream. After reopening the file, every append the child acknowledged is there,
// whole (no torn multi-event append), with contiguous versions and intact hash chains.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';
import { tempStoreFile } from './testing/sqlite-fixture';

const WRITERS = 8;
const RUN_MS = 1500;
/** Starting the child (TypeScript from source) and verifying everything it wrote takes seconds on a busy machine. */
const TEST_TIMEOUT_MS = 60_000;

interface Acknowledged {
  /** Highest acknowledged version per stream. */
  versions: Map<string, number>;
  count: number;
}

/** Runs the writer until RUN_MS after it is ready, kills it with SIGKILL, and returns what it acknowledged. */
function runAndKill(file: string): Promise<Acknowledged> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './scripts/ts-run.js', join(__dirname, 'testing', 'durability-writer.ts'), file, String(WRITERS)], {
      cwd: join(__dirname, '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length === 0 && chunk.startsWith('ready\n')) setTimeout(() => child.kill('SIGKILL'), RUN_MS);
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code ?? signal} before it was killed: ${stderr}`));
      // Only complete lines count: the last one may have been cut by the kill.
      const lines = stdout.split('\n').slice(1, -1);
      const versions = new Map<string, number>();
      for (const line of lines) {
        const [stream, version] = line.split(' ');
        versions.set(stream, Math.max(versions.get(stream) ?? 0, Number(version)));
      }
      resolve({ versions, count: lines.length });
    });
  });
}

describe('SqliteEventStore durability', () => {
  let temp: ReturnType<typeof tempStoreFile>;
  beforeEach(() => (temp = tempStoreFile()));
  afterEach(() => temp.remove());

  it('keeps every acknowledged append, whole and chained, after the writer is killed with SIGKILL', async () => {
    const acknowledged = await runAndKill(temp.file);
    expect(acknowledged.count).toBeGreaterThan(100);
    expect(acknowledged.versions.size).toBe(WRITERS);

    const store = new SqliteEventStore(temp.file);
    try {
      expect(await store.verify()).toEqual([]);
      for (const [stream, version] of acknowledged.versions) {
        const events = await store.read(stream);
        expect(events.length).toBeGreaterThanOrEqual(version);
        expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
        expect(await store.streamVersion(stream)).toBe(events.length);
        const appends = new Map<number, Array<{ index: number; of: number }>>();
        for (const e of events) {
          const data = e.data as { append: number; index: number; of: number };
          appends.set(data.append, [...(appends.get(data.append) ?? []), data]);
        }
        for (const parts of appends.values()) expect(parts.map((p) => p.index)).toEqual(Array.from({ length: parts[0].of }, (_, i) => i));
      }
      const all = await store.readAll();
      for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);
    } finally {
      await store.close();
    }
  }, TEST_TIMEOUT_MS);
});
