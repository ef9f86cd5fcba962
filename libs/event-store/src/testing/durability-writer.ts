// Child process of sqlite-durability.int.spec.ts: appends to several streams as fast as group
// commit allows and prints "<stream> <version>" only after each append is acknowledged, until
// the test kills it with SIGKILL. Whatever it printed must be in the file after reopening.
//   node -r ./scripts/ts-run.js libs/event-store/src/testing/durability-writer.ts <file> [writers]
import { SqliteEventStore } from '../sqlite-event-store';

const [file, writersArg = '8'] = process.argv.slice(2);
const store = new SqliteEventStore(file);

/** Appends of one to three events, some large, so an append spans rows and pages and a torn one would show. */
async function write(writer: number): Promise<never> {
  const stream = `job-${writer}`;
  let version = 0;
  for (let append = 1; ; append++) {
    const of = 1 + (append % 3);
    const pad = writer === 0 && append % 10 === 0 ? 'x'.repeat(100_000) : '';
    const events = Array.from({ length: of }, (_, index) => ({
      type: 'job.step',
      data: { writer, append, index, of, pad },
      stateAfter: { value: 'running', context: { append } },
      meta: { at: new Date().toISOString() },
    }));
    version = (await store.append(stream, events, { expectedVersion: version })).version;
    process.stdout.write(`${stream} ${version}\n`);
  }
}

process.stdout.write('ready\n');
for (let writer = 0; writer < Number(writersArg); writer++) {
  write(writer).catch((error: unknown) => {
    process.stderr.write(`writer ${writer} failed: ${String(error)}\n`);
    process.exit(1);
  });
}
