// The EventStore contract, as one jest suite every adapter runs (memory, SQLite, PostgreSQL).
// An adapter plugs in through a fixture: fresh storage, a way to reopen that same storage, and
// a way to tamper with it behind the store's back, as someone with access to the file or
// database could.
import {
  GENESIS_HASH,
  SnapshotNotInChainError,
  ValidationError,
  VersionConflictError,
  canonicalEvent,
  eventHash,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RecordedEvent,
  type StreamSnapshot,
  type Subscription,
} from '@engine/core';

export interface EventStoreFixture {
  /** A store on fresh, empty storage. */
  readonly store: EventStore;
  /** Opens another store on the same storage. The suite closes the previous store first. */
  reopen(): Promise<EventStore>;
  /** Rewrites one stored event's data without going through the store (and without fixing hashes). */
  editEventData(stream: string, version: number, data: unknown): Promise<void>;
  /** Removes one stored event without going through the store. */
  deleteEvent(stream: string, version: number): Promise<void>;
  /** Closes every store it opened and removes the storage. */
  dispose(): Promise<void>;
}

export type EventStoreFixtureFactory = () => Promise<EventStoreFixture>;

export function describeEventStoreConformance(name: string, createFixture: EventStoreFixtureFactory): void {
  describe(`${name} conforms to EventStore`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await createFixture();
      store = fixture.store;
    });
    afterEach(() => fixture.dispose());

    describe('append and read', () => {
      it('reads a stream back in version order, each event as appended', async () => {
        const first = await store.append('job-1', [event('job.created', { n: 1 }), event('job.started', { n: 2 }), event('job.cloned', { n: 3 })], { expectedVersion: 'no-stream' });
        const second = await store.append('job-1', [event('job.filled', { n: 4 }), event('job.submitted', { n: 5 })], { expectedVersion: 3 });

        const events = await store.read('job-1');
        // The result says where every appended event landed, exactly as a later read shows it.
        const placed = (e: RecordedEvent) => ({ version: e.version, position: e.position, hash: e.hash, prevHash: e.prevHash });
        expect(first).toEqual({ stream: 'job-1', version: 3, position: events[2].position, events: events.slice(0, 3).map(placed) });
        expect(second).toEqual({ stream: 'job-1', version: 5, position: events[4].position, events: events.slice(3).map(placed) });
        expect(events.map((e) => [e.version, e.type, e.data])).toEqual([
          [1, 'job.created', { n: 1 }],
          [2, 'job.started', { n: 2 }],
          [3, 'job.cloned', { n: 3 }],
          [4, 'job.filled', { n: 4 }],
          [5, 'job.submitted', { n: 5 }],
        ]);
        expect(events[0]).toMatchObject({ stream: 'job-1', stateAfter: { value: 'job.created' }, meta: { at: AT, machineId: 'test' } });
        expect((await store.read('job-1', 4)).map((e) => e.version)).toEqual([4, 5]);
        expect((await store.read('job-1', 2, 4)).map((e) => e.version)).toEqual([2, 3, 4]);
        expect((await store.read('job-1', 1, 1)).map((e) => e.version)).toEqual([1]);
        expect(await store.read('job-1', 4, 3)).toEqual([]);
        expect(await store.read('job-unknown')).toEqual([]);
        expect(await store.streamVersion('job-1')).toBe(5);
        expect(await store.streamVersion('job-unknown')).toBe(0);
      });

      it('links every event to the previous one with eventHash, starting from the genesis hash', async () => {
        await store.append('job-1', [event('a', 1), event('b', 2)], { expectedVersion: 'no-stream' });
        await store.append('job-1', [event('c', 3)], { expectedVersion: 2 });

        let prevHash = GENESIS_HASH;
        for (const e of await store.read('job-1')) {
          expect(e.prevHash).toBe(prevHash);
          expect(e.hash).toBe(eventHash(prevHash, e.stream, e.version, e));
          prevHash = e.hash;
        }
      });

      it('keeps what was appended even if the caller mutates its objects afterwards', async () => {
        const data = { items: ['a'] };
        const appended = store.append('job-1', [event('job.created', data)], { expectedVersion: 'no-stream' });
        data.items.push('mutated');
        await appended;

        const [stored] = await store.read('job-1');
        expect(stored.data).toEqual({ items: ['a'] });
        expect(await store.verify()).toEqual([]);
      });

      it('stores absent data and state as null (JSON has no undefined)', async () => {
        await store.append('job-1', [{ type: 'job.noted', data: undefined, stateAfter: undefined, meta: { at: AT } }], { expectedVersion: 'no-stream' });

        const [stored] = await store.read('job-1');
        expect(stored.data).toBeNull();
        expect(stored.stateAfter).toBeNull();
        expect(await store.verify()).toEqual([]);
      });

      it('refuses invalid appends with a ValidationError and writes nothing', async () => {
        const invalid: Array<[string, NewEvent[], ExpectedVersion]> = [
          ['job-1', [], 'any'],
          ['', [event('a', 1)], 'any'],
          ['job-1', [event('a', 1)], -1],
          ['job-1', [event('a', 1)], 1.5],
          ['job-1', [{ ...event('a', 1), type: '' }], 'any'],
          ['job-1', [{ ...event('a', 1), data: { big: BigInt(1) } }], 'any'],
        ];
        for (const [stream, events, expectedVersion] of invalid) {
          await expect(store.append(stream, events, { expectedVersion })).rejects.toBeInstanceOf(ValidationError);
        }
        expect(await store.readAll()).toEqual([]);
      });
    });

    describe('expectedVersion', () => {
      it("'no-stream' creates a stream and conflicts once it exists", async () => {
        await store.append('job-1', [event('a', 1)], { expectedVersion: 'no-stream' });

        const error = await store.append('job-1', [event('b', 2)], { expectedVersion: 'no-stream' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VersionConflictError);
        expect(error).toMatchObject({ code: 'VERSION_CONFLICT', stream: 'job-1', expected: 'no-stream', actual: 1 });
      });

      it('an exact version must equal the current version, neither lower nor higher', async () => {
        await store.append('job-1', [event('a', 1), event('b', 2)], { expectedVersion: 0 });

        await expect(store.append('job-1', [event('c', 3)], { expectedVersion: 1 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT', expected: 1, actual: 2 });
        await expect(store.append('job-1', [event('c', 3)], { expectedVersion: 3 })).rejects.toBeInstanceOf(VersionConflictError);
        await expect(store.append('job-2', [event('a', 1)], { expectedVersion: 1 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT', actual: 0 });
        expect(await store.append('job-1', [event('c', 3)], { expectedVersion: 2 })).toMatchObject({ version: 3 });
      });

      it("'any' appends whatever the current version", async () => {
        expect(await store.append('job-1', [event('a', 1)], { expectedVersion: 'any' })).toMatchObject({ version: 1 });
        expect(await store.append('job-1', [event('b', 2)], { expectedVersion: 'any' })).toMatchObject({ version: 2 });
      });

      it('a conflicting append writes nothing', async () => {
        await store.append('job-1', [event('a', 1)], { expectedVersion: 'no-stream' });
        await store.append('job-1', [event('x', 1), event('y', 2)], { expectedVersion: 0 }).catch(() => undefined);

        expect(await store.streamVersion('job-1')).toBe(1);
        expect((await store.readAll()).map((e) => e.type)).toEqual(['a']);
        expect(await store.verify()).toEqual([]);
      });

      it('of 20 concurrent appenders expecting the same version, exactly one wins each round', async () => {
        const writers = 20;
        for (let round = 0; round < 5; round++) {
          const outcomes = await Promise.allSettled(
            Array.from({ length: writers }, (_, writer) => store.append('job-1', [event('job.claimed', { round, writer })], { expectedVersion: round })),
          );
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(writers - 1);
          for (const loss of lost) expect(loss.reason).toBeInstanceOf(VersionConflictError);
        }
        const events = await store.read('job-1');
        expect(events.map((e) => [e.version, (e.data as { round: number }).round])).toEqual([1, 2, 3, 4, 5].map((v) => [v, v - 1]));
      });

      it('20 concurrent writers that re-read on conflict each get their events in, every version once', async () => {
        const writers = 20;
        const perWriter = 5;
        const appendWithRetry = async (writer: number, n: number) => {
          for (;;) {
            const version = await store.streamVersion('job-1');
            try {
              return await store.append('job-1', [event('job.step', { writer, n })], { expectedVersion: version });
            } catch (error) {
              if (!(error instanceof VersionConflictError)) throw error;
            }
          }
        };
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            for (let n = 0; n < perWriter; n++) await appendWithRetry(writer, n);
          }),
        );

        const events = await store.read('job-1');
        expect(events.map((e) => e.version)).toEqual(range(1, writers * perWriter));
        const written = events.map((e) => `${(e.data as { writer: number }).writer}:${(e.data as { n: number }).n}`).sort();
        const expected = Array.from({ length: writers }, (_, writer) => range(0, perWriter - 1).map((n) => `${writer}:${n}`)).flat().sort();
        expect(written).toEqual(expected);
        expect(await store.verify()).toEqual([]);
      });
    });

    describe('global order', () => {
      it('readAll returns every stream interleaved in commit order, with increasing positions, in pages too', async () => {
        const results = [];
        for (let i = 0; i < 12; i++) {
          const stream = `job-${i % 3}`;
          results.push(await store.append(stream, [event('job.step', { i })], { expectedVersion: 'any' }));
        }
        await store.append('job-0', [event('job.a', {}), event('job.b', {})], { expectedVersion: 4 });

        const all = await store.readAll();
        expect(all).toHaveLength(14);
        expect(all.slice(0, 12).map((e) => (e.data as { i: number }).i)).toEqual(range(0, 11));
        expect(all.slice(0, 12).map((e) => e.position)).toEqual(results.map((r) => r.position));
        for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);
        expect(all.filter((e) => e.stream === 'job-0').map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);

        const paged: RecordedEvent[] = [];
        for (let page = await store.readAll(0, 5); page.length > 0; page = await store.readAll(paged.at(-1)!.position, 5)) {
          expect(page.length).toBeLessThanOrEqual(5);
          paged.push(...page);
        }
        expect(paged).toEqual(all);
        expect(await store.readAll(all[9].position)).toEqual(all.slice(10));
      });

      it('concurrent appends on many streams get distinct, increasing positions', async () => {
        const results = await Promise.all(range(1, 30).map((i) => store.append(`job-${i}`, [event('a', i), event('b', i)], { expectedVersion: 'no-stream' })));

        const all = await store.readAll();
        expect(all.map((e) => e.position)).toEqual([...new Set(all.map((e) => e.position))]);
        expect(new Set(results.map((r) => r.position)).size).toBe(30);
        for (const result of results) {
          const [, last] = all.filter((e) => e.stream === result.stream);
          expect(last.position).toBe(result.position);
        }
      });
    });

    describe('heads', () => {
      it('returns the last event of every stream, optionally only streams with a prefix', async () => {
        await store.append('job-1', [event('a', 1), event('b', 2), event('c', 3)], { expectedVersion: 'no-stream' });
        await store.append('master-portal', [event('m', 1)], { expectedVersion: 'no-stream' });
        await store.append('job-2', [event('d', 4)], { expectedVersion: 'no-stream' });
        await store.append('job-1', [event('e', 5)], { expectedVersion: 3 });

        const heads = byStream(await store.heads());
        expect(heads.map((h) => [h.stream, h.version, h.lastEvent.type])).toEqual([
          ['job-1', 4, 'e'],
          ['job-2', 1, 'd'],
          ['master-portal', 1, 'm'],
        ]);
        expect(heads[0].lastEvent).toEqual((await store.read('job-1', 4))[0]);
        expect(byStream(await store.heads('job-')).map((h) => h.stream)).toEqual(['job-1', 'job-2']);
        expect(await store.heads('pool-')).toEqual([]);
      });
    });

    describe('subscribe', () => {
      it('delivers the past, then live events while appends continue, in order, without gaps or repeats', async () => {
        for (let i = 0; i < 25; i++) await store.append(`job-${i % 4}`, [event('before', { i })], { expectedVersion: 'any' });
        const total = 25 + 8 * 10;
        const seen = collect(store, 0, total);

        // Eight writers race the subscription through its catch-up and into live delivery.
        await Promise.all(
          range(0, 7).map(async (writer) => {
            for (let n = 0; n < 10; n++) {
              await store.append(`job-w${writer}`, [event('during', { writer, n })], { expectedVersion: 'any' });
              if (n % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
            }
          }),
        );
        await seen.reached;
        await store.append('job-last', [event('after', {})], { expectedVersion: 'no-stream' });
        await seen.until(total + 1);
        await seen.subscription.close();

        const all = await store.readAll();
        expect(all).toHaveLength(total + 1);
        expect(seen.events.map((e) => e.position)).toEqual(all.map((e) => e.position));
      });

      it('starts after the given position', async () => {
        for (let i = 0; i < 6; i++) await store.append('job-1', [event('e', { i })], { expectedVersion: i });
        const before = await store.readAll();
        const seen = collect(store, before[3].position, 2);
        await seen.reached;
        await store.append('job-1', [event('e', { i: 6 })], { expectedVersion: 6 });
        await seen.until(3);
        await seen.subscription.close();

        expect(seen.events.map((e) => e.version)).toEqual([5, 6, 7]);
      });

      it('awaits an async handler before delivering the next event', async () => {
        for (let i = 0; i < 5; i++) await store.append('job-1', [event('e', { i })], { expectedVersion: i });
        let running = 0;
        let maxRunning = 0;
        const seen = collect(store, 0, 5, async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        });
        await seen.reached;
        await seen.subscription.close();

        expect(maxRunning).toBe(1);
      });

      it('a throwing handler stops its own subscription, reports the event, and harms nobody else', async () => {
        const failures: Array<{ error: unknown; version: number }> = [];
        const failing: number[] = [];
        const failingSubscription = store.subscribe(
          0,
          (e) => {
            failing.push(e.version);
            if (e.version === 3) throw new Error('projection bug');
          },
          { onError: (error, e) => failures.push({ error, version: e.version }) },
        );
        for (let i = 0; i < 6; i++) await store.append('job-1', [event('e', { i })], { expectedVersion: i });
        const healthy = collect(store, 0, 6);
        await healthy.reached;
        await healthy.subscription.close();
        await failingSubscription.close();

        expect(failing).toEqual([1, 2, 3]);
        expect(failures).toEqual([{ error: expect.objectContaining({ message: 'projection bug' }), version: 3 }]);
        expect(healthy.events.map((e) => e.version)).toEqual(range(1, 6));
      });

      it('delivers nothing after close() resolves', async () => {
        await store.append('job-1', [event('a', 1), event('b', 2)], { expectedVersion: 'no-stream' });
        const closed = collect(store, 0, 2);
        await closed.reached;
        await closed.subscription.close();
        await store.append('job-1', [event('c', 3), event('d', 4)], { expectedVersion: 2 });
        const witness = collect(store, 0, 4);
        await witness.reached;
        await witness.subscription.close();

        expect(closed.events.map((e) => e.version)).toEqual([1, 2]);
      });
    });

    describe('verify (tamper detection)', () => {
      beforeEach(async () => {
        await store.append('job-a', [event('a1', 1), event('a2', 2), event('a3', 3), event('a4', 4), event('a5', 5)], { expectedVersion: 'no-stream' });
        await store.append('job-b', [event('b1', 1), event('b2', 2), event('b3', 3)], { expectedVersion: 'no-stream' });
        await store.append('job-c', [event('c1', 1), event('c2', 2)], { expectedVersion: 'no-stream' });
        await store.append('job-d', [event('d1', 1)], { expectedVersion: 'no-stream' });
      });

      it('finds nothing in an untouched log', async () => {
        expect(await store.verify()).toEqual([]);
        expect(await store.verify('job-a')).toEqual([]);
        expect(await store.verify('job-unknown')).toEqual([]);
      });

      it('names the stream and version of an edited event', async () => {
        await fixture.editEventData('job-a', 3, { forged: true });

        expect(await store.verify()).toEqual([problem('job-a', 3)]);
        expect(await store.verify('job-a')).toEqual([problem('job-a', 3)]);
        expect(await store.verify('job-b')).toEqual([]);
      });

      it('names the stream and version of a deleted event, in the middle, at the end, or the only one', async () => {
        await fixture.deleteEvent('job-b', 2);
        await fixture.deleteEvent('job-c', 2);
        await fixture.deleteEvent('job-d', 1);

        expect(byStream(await store.verify())).toEqual([problem('job-b', 2), problem('job-c', 2), problem('job-d', 1)]);
        expect(await store.verify('job-c')).toEqual([problem('job-c', 2)]);
      });

      it('reports only the first bad version of each stream', async () => {
        await fixture.editEventData('job-a', 2, 'forged');
        await fixture.deleteEvent('job-a', 4);

        expect(await store.verify('job-a')).toEqual([problem('job-a', 2)]);
      });
    });

    describe('payloads', () => {
      it('keeps unicode exactly: emoji, RTL, combining marks, astral planes, in names and data', async () => {
        const text = 'emoji 🚀👩🏽‍💻 · RTL שלום עולם مرحبا · combining é (e\u0301) · CJK 漢字 · astral 𝄞 · quotes "\'\\ · line\u2028sep';
        const stream = 'job-🚀-שלום';
        await store.append(stream, [{ type: 'note.✓', data: { text, [text]: text }, stateAfter: { value: 'ok', context: { text } }, meta: { at: AT, note: text } }], {
          expectedVersion: 'no-stream',
        });

        const [stored] = await store.read(stream);
        expect(stored).toMatchObject({ stream, type: 'note.✓', data: { text, [text]: text }, stateAfter: { context: { text } }, meta: { note: text } });
        expect(byStream(await store.heads('job-🚀')).map((h) => h.stream)).toEqual([stream]);
        expect(await store.verify()).toEqual([]);
      });

      it('stores an event that carries its canonical text (the host\'s) exactly as the same event without it', async () => {
        // Insertion order, a date, undefined and a digit key: what the text must describe as JSON does.
        const parts = (): [unknown, unknown, NewEvent['meta']] => [
          { z: 1, a: new Date(0), u: undefined, 10: 'ten', 9: 'nine' },
          { value: 'filling', context: { steps: ['b', 'a'], n: -0, x: NaN }, status: 'active' },
          { machineId: 'test', at: AT },
        ];
        const [data, stateAfter, meta] = parts();
        await store.append('job-plain', [{ type: 'step', data, stateAfter, meta }], { expectedVersion: 'no-stream' });
        const appended = await store.append('job-text', [canonicalEvent('step', ...parts())], { expectedVersion: 'no-stream' });

        const [plain] = await store.read('job-plain');
        const [text] = await store.read('job-text');
        const content = (e: RecordedEvent) => ({ type: e.type, data: e.data, stateAfter: e.stateAfter, meta: e.meta });
        expect(content(text)).toEqual(content(plain));
        expect(text.hash).toBe(eventHash(GENESIS_HASH, 'job-text', 1, plain));
        expect(appended.events[0].hash).toBe(text.hash);
        expect(await store.verify()).toEqual([]);
      });

      it('stores and returns a 1 MB payload', async () => {
        const blob = '0123456789abcdef✓'.repeat(64 * 1024).slice(0, 1024 * 1024);
        await store.append('job-1', [event('artifact.captured', { blob })], { expectedVersion: 'no-stream' });
        await store.append('job-1', [event('after', {})], { expectedVersion: 1 });

        const events = await store.read('job-1');
        expect((events[0].data as { blob: string }).blob).toBe(blob);
        expect(events[1].prevHash).toBe(events[0].hash);
        expect(await store.verify()).toEqual([]);
      });
    });

    describe('reopen', () => {
      it('keeps every event, head and chain, and carries on from where it stopped', async () => {
        await store.append('job-1', [event('a', 1), event('b', 2)], { expectedVersion: 'no-stream' });
        await store.append('master-x', [event('m', 1)], { expectedVersion: 'no-stream' });
        await store.append('job-1', [event('c', 3)], { expectedVersion: 2 });
        const before = { all: await store.readAll(), heads: byStream(await store.heads()) };
        await store.close();

        const reopened = await fixture.reopen();
        expect(await reopened.readAll()).toEqual(before.all);
        expect(byStream(await reopened.heads())).toEqual(before.heads);
        expect(await reopened.streamVersion('job-1')).toBe(3);
        expect(await reopened.verify()).toEqual([]);
        await expect(reopened.append('job-1', [event('x', 0)], { expectedVersion: 2 })).rejects.toBeInstanceOf(VersionConflictError);
        const next = await reopened.append('job-1', [event('d', 4)], { expectedVersion: 3 });
        expect(next.version).toBe(4);
        expect(next.position).toBeGreaterThan(before.all.at(-1)!.position);
        expect((await reopened.read('job-1', 4))[0].prevHash).toBe(before.all.at(-1)!.hash);
      });
    });

    describe('snapshots', () => {
      const snapshotOf = (e: RecordedEvent, extra: Partial<StreamSnapshot> = {}): StreamSnapshot => ({
        stream: e.stream,
        version: e.version,
        hash: e.hash,
        machineId: 'test',
        machineVersion: '1',
        state: e.stateAfter,
        takenAt: AT,
        ...extra,
      });

      it('returns the latest snapshot at or before a version, per stream, and none before the first', async () => {
        await store.append('master-x', range(1, 12).map((n) => event(`e${n}`, n)), { expectedVersion: 'no-stream' });
        await store.append('master-y', [event('y', 1)], { expectedVersion: 'no-stream' });
        const events = await store.read('master-x');
        await store.saveSnapshot(snapshotOf(events[4]));
        await store.saveSnapshot(snapshotOf(events[9]));
        await store.saveSnapshot(snapshotOf((await store.read('master-y'))[0]));

        expect(await store.latestSnapshot('master-x')).toEqual(snapshotOf(events[9]));
        expect(await store.latestSnapshot('master-x', 12)).toEqual(snapshotOf(events[9]));
        expect(await store.latestSnapshot('master-x', 9)).toEqual(snapshotOf(events[4]));
        expect(await store.latestSnapshot('master-x', 5)).toEqual(snapshotOf(events[4]));
        expect(await store.latestSnapshot('master-x', 4)).toBeUndefined();
        expect(await store.latestSnapshot('master-unknown')).toBeUndefined();
        expect((await store.latestSnapshot('master-y'))?.version).toBe(1);
      });

      it('replaces a snapshot at the same version, and the state comes back as JSON', async () => {
        await store.append('master-x', [event('a', 1), event('b', 2)], { expectedVersion: 'no-stream' });
        const [, second] = await store.read('master-x');
        await store.saveSnapshot(snapshotOf(second, { machineVersion: '1', state: { n: 1 } }));
        await store.saveSnapshot(snapshotOf(second, { machineVersion: '2', state: { n: 2, when: new Date(AT) } }));
        expect(await store.latestSnapshot('master-x')).toEqual(snapshotOf(second, { machineVersion: '2', state: { n: 2, when: AT } }));
      });

      it('refuses a snapshot that is not in the chain, keeping nothing: wrong hash, no such version, no such stream', async () => {
        await store.append('master-x', [event('a', 1), event('b', 2)], { expectedVersion: 'no-stream' });
        const [first, second] = await store.read('master-x');
        await expect(store.saveSnapshot(snapshotOf(second, { hash: first.hash }))).rejects.toBeInstanceOf(SnapshotNotInChainError);
        await expect(store.saveSnapshot(snapshotOf(second, { version: 3 }))).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_IN_CHAIN', stream: 'master-x', version: 3 });
        await expect(store.saveSnapshot(snapshotOf(second, { stream: 'master-unknown' }))).rejects.toBeInstanceOf(SnapshotNotInChainError);
        expect(await store.latestSnapshot('master-x')).toBeUndefined();
        expect(await store.latestSnapshot('master-unknown')).toBeUndefined();
      });

      it('refuses a malformed snapshot with ValidationError, keeping nothing', async () => {
        await store.append('master-x', [event('a', 1)], { expectedVersion: 'no-stream' });
        const [first] = await store.read('master-x');
        for (const bad of [{ version: 0 }, { version: 1.5 }, { machineVersion: '' }, { stream: '' }, { state: { big: BigInt(1) } }]) {
          await expect(store.saveSnapshot(snapshotOf(first, bad as Partial<StreamSnapshot>))).rejects.toBeInstanceOf(ValidationError);
        }
        await expect(store.latestSnapshot('master-x', Number.NaN)).rejects.toBeInstanceOf(ValidationError);
        expect(await store.latestSnapshot('master-x')).toBeUndefined();
      });

      it('leaves the log, its heads and its chains as they were, and survives a reopen', async () => {
        await store.append('master-x', [event('a', 1), event('b', 2), event('c', 3)], { expectedVersion: 'no-stream' });
        const before = await store.readAll();
        await store.saveSnapshot(snapshotOf(before[1]));
        expect(await store.readAll()).toEqual(before);
        expect(await store.streamVersion('master-x')).toBe(3);
        expect(await store.verify()).toEqual([]);
        await store.close();

        const reopened = await fixture.reopen();
        expect(await reopened.latestSnapshot('master-x')).toEqual(snapshotOf(before[1]));
      });
    });

    describe('removeStream', () => {
      it('removes one stream (events, head, snapshots) and leaves every other stream, position and chain as it was', async () => {
        await store.append('job-1', [event('a', 1), event('b', 2)], { expectedVersion: 'no-stream' });
        await store.append('job-2', [event('c', 3)], { expectedVersion: 'no-stream' });
        await store.append('job-1', [event('d', 4)], { expectedVersion: 2 });
        await store.append('job-3', [event('e', 5)], { expectedVersion: 'no-stream' });
        const [third] = await store.read('job-1', 3);
        await store.saveSnapshot({ stream: 'job-1', version: 3, hash: third.hash, machineId: 'test', machineVersion: '1', state: null, takenAt: AT });
        const others = (await store.readAll()).filter((e) => e.stream !== 'job-1');

        await store.removeStream('job-1', 3);
        expect(await store.read('job-1')).toEqual([]);
        expect(await store.streamVersion('job-1')).toBe(0);
        expect(await store.latestSnapshot('job-1')).toBeUndefined();
        expect(await store.readAll()).toEqual(others);
        expect(byStream(await store.heads()).map((h) => h.stream)).toEqual(['job-2', 'job-3']);
        expect(await store.verify()).toEqual([]);
        const next = await store.append('job-2', [event('f', 6)], { expectedVersion: 1 });
        expect(next.position).toBeGreaterThan(others.at(-1)!.position);
        // The name is free again: a new stream starts at version 1 on the genesis hash.
        const again = await store.append('job-1', [event('g', 7)], { expectedVersion: 'no-stream' });
        expect(again.events[0]).toMatchObject({ version: 1, prevHash: GENESIS_HASH });
      });

      it('refuses, removing nothing, unless the stream is at exactly the expected version', async () => {
        await store.append('job-1', [event('a', 1), event('b', 2)], { expectedVersion: 'no-stream' });
        await expect(store.removeStream('job-1', 1)).rejects.toBeInstanceOf(VersionConflictError);
        await expect(store.removeStream('job-1', 3)).rejects.toBeInstanceOf(VersionConflictError);
        await expect(store.removeStream('job-unknown', 1)).rejects.toBeInstanceOf(VersionConflictError);
        await expect(store.removeStream('job-1', 0)).rejects.toBeInstanceOf(ValidationError);
        await expect(store.removeStream('', 1)).rejects.toBeInstanceOf(ValidationError);
        expect(await store.streamVersion('job-1')).toBe(2);
        expect(await store.verify()).toEqual([]);
      });
    });

    describe('health probe', () => {
      it('checkWritable resolves on an open store, appends nothing, and rejects once it is closed', async () => {
        await store.append('job-1', [event('a', 1)], { expectedVersion: 'no-stream' });
        expect(store.checkWritable).toBeInstanceOf(Function);
        await expect(store.checkWritable!()).resolves.toBeUndefined();
        expect((await store.readAll()).map((e) => e.type)).toEqual(['a']);
        expect((await store.append('job-1', [event('b', 2)], { expectedVersion: 1 })).version).toBe(2);
        await store.close();
        await expect(store.checkWritable!()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
      });
    });

    describe('close', () => {
      it('refuses further calls with STORE_CLOSED', async () => {
        await store.append('job-1', [event('a', 1)], { expectedVersion: 'no-stream' });
        await store.close();

        await expect(store.append('job-1', [event('b', 2)], { expectedVersion: 1 })).rejects.toMatchObject({ code: 'STORE_CLOSED' });
        await expect(store.read('job-1')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
        let subscribeError: unknown;
        try {
          store.subscribe(0, () => undefined);
        } catch (error) {
          subscribeError = error;
        }
        expect(subscribeError).toMatchObject({ code: 'STORE_CLOSED' });
      });
    });
  });
}

const AT = '2026-01-01T00:00:00.000Z';

function event(type: string, data: unknown): NewEvent {
  return { type, data, stateAfter: { value: type, context: { data } }, meta: { at: AT, machineId: 'test', machineVersion: '1' } };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function byStream<T extends { stream: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}

function problem(stream: string, version: number) {
  return { stream, version, reason: expect.any(String) };
}

/** Subscribes and lets the test await "at least n events delivered" without polling. */
function collect(store: EventStore, fromPosition: number, count: number, onEvent: (e: RecordedEvent) => void | Promise<void> = () => undefined) {
  const events: RecordedEvent[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const subscription: Subscription = store.subscribe(
    fromPosition,
    async (e) => {
      await onEvent(e);
      events.push(e);
      for (const w of waiters.filter((w) => events.length >= w.n)) w.resolve();
    },
  );
  const until = (n: number) => (events.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
  return { events, subscription, until, reached: until(count) };
}
