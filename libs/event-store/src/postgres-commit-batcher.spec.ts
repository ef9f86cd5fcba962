// Group commit for the PostgreSQL store: what arrives together commits together, never more
// transactions in flight than allowed, and drained() waits for everything queued.
import { CommitBatcher } from './postgres-commit-batcher';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('CommitBatcher', () => {
  it('commits requests queued in one event-loop turn as one batch', async () => {
    const batches: number[][] = [];
    const batcher = new CommitBatcher<number>(async (batch) => void batches.push(batch), 2, 100);
    for (let i = 0; i < 5; i++) batcher.push(i);
    await batcher.drained();

    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('keeps at most `concurrency` batches in flight; what queues meanwhile becomes the next batch', async () => {
    const gates: Array<ReturnType<typeof deferred>> = [];
    const batches: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const batcher = new CommitBatcher<number>(
      async (batch) => {
        batches.push(batch);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
        inFlight--;
      },
      2,
      3,
    );
    for (let i = 0; i < 7; i++) batcher.push(i);
    await turn();
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5]]);
    batcher.push(7);
    gates[0].resolve();
    await turn();
    await turn();
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);

    const drained = batcher.drained();
    for (const gate of gates) gate.resolve();
    await turn();
    gates.at(-1)!.resolve();
    await drained;
    expect(maxInFlight).toBe(2);
  });

  it('goes on after a commit that rejects (the commit settles its own requests)', async () => {
    const batches: number[][] = [];
    const batcher = new CommitBatcher<number>(
      async (batch) => {
        batches.push(batch);
        if (batch.includes(0)) throw new Error('lost connection');
      },
      1,
      10,
    );
    batcher.push(0);
    await turn();
    batcher.push(1);
    await batcher.drained();

    expect(batches).toEqual([[0], [1]]);
  });
});
