// The JobIndex contract, as one jest suite every adapter runs (memory, SQLite, PostgreSQL): the
// same rows, the same searches, the same pages in the same order. An adapter plugs in through a
// fixture: a fresh index, and (for the ones that keep it) a way to open it again.
import { compareJobSortKeys, type JobIndex, type JobIndexRow, type JobSearch } from '../job-index';

export interface JobIndexFixture {
  readonly index: JobIndex;
  /** Opens the same storage again (the suite closes the previous index first); null for memory. */
  reopen: (() => Promise<JobIndex>) | null;
  dispose(): Promise<void>;
}

const at = (day: number, hour = 0) => `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

let position = 0;
function row(jobId: string, fields: Partial<JobIndexRow> = {}): JobIndexRow {
  position += 1;
  return { jobId, portal: 'alpha', state: 'pending', businessKey: `BK-${jobId}`, externalId: null, failureKind: null, createdAt: at(1), finishedAt: null, version: 1, position, ...fields };
}

/** A small population with every filter's edge in it. */
function population(): JobIndexRow[] {
  return [
    row('a1', { createdAt: at(1, 9) }),
    row('a2', { createdAt: at(2), state: 'submitted', finishedAt: at(2, 5), version: 9 }),
    row('a3', { createdAt: at(2), state: 'failed', failureKind: 'login_form', finishedAt: at(3), version: 7 }),
    row('B4', { createdAt: at(2), state: 'waiting', failureKind: 'portal_error', version: 4 }),
    row('b5', { portal: 'beta', createdAt: at(3), state: 'failed', failureKind: 'login_form', finishedAt: at(4, 12), businessKey: 'SHARED' }),
    row('b6', { portal: 'beta', createdAt: at(4), state: 'submitted', finishedAt: at(5), businessKey: 'SHARED', failureKind: 'clone', version: 12 }),
    row('c7', { portal: 'alpha', createdAt: '', externalId: 'ext-7' }),
    row('c8', { portal: 'alpha', createdAt: at(5), state: 'cancelled', failureKind: 'cancelled', finishedAt: at(5, 1) }),
  ];
}

const ids = (rows: JobIndexRow[]) => rows.map((r) => r.jobId);

/** `persistent`: the adapter keeps its rows in storage the fixture can open again. */
export function describeJobIndexConformance(name: string, createFixture: () => Promise<JobIndexFixture>, { persistent }: { persistent: boolean }): void {
  describe(`${name} conforms to JobIndex`, () => {
    let fixture: JobIndexFixture;
    let index: JobIndex;

    beforeEach(async () => {
      fixture = await createFixture();
      index = fixture.index;
    });
    afterEach(() => fixture.dispose());

    const search = (query: Partial<JobSearch> = {}) => index.search({ limit: 100, ...query });

    it('answers every row in (createdAt, jobId) order, byte by byte, a job without a creation time first', async () => {
      await index.write(population(), 10);
      const all = await search();
      expect(ids(all)).toEqual(['c7', 'a1', 'B4', 'a2', 'a3', 'b5', 'b6', 'c8']);
      expect([...all].sort(compareJobSortKeys)).toEqual(all);
      expect(all.find((r) => r.jobId === 'b6')).toEqual({ ...population().find((r) => r.jobId === 'b6'), position: expect.any(Number) });
      expect(all.find((r) => r.jobId === 'c7')).toMatchObject({ createdAt: '', externalId: 'ext-7', failureKind: null, finishedAt: null });
    });

    it('filters by portal, any of several states, failure kind and business key, all of them together', async () => {
      await index.write(population(), 10);
      expect(ids(await search({ portal: 'beta' }))).toEqual(['b5', 'b6']);
      expect(ids(await search({ states: ['failed'] }))).toEqual(['a3', 'b5']);
      expect(ids(await search({ portal: 'alpha', states: ['submitted', 'waiting'] }))).toEqual(['B4', 'a2']);
      expect(ids(await search({ failureKind: 'login_form' }))).toEqual(['a3', 'b5']);
      expect(ids(await search({ businessKey: 'SHARED' }))).toEqual(['b5', 'b6']);
      expect(ids(await search({ businessKey: 'shared' }))).toEqual([]);
      expect(ids(await search({ portal: 'beta', states: ['failed'], failureKind: 'login_form', businessKey: 'SHARED' }))).toEqual(['b5']);
      expect(ids(await search({ portal: 'gamma' }))).toEqual([]);
    });

    it('bounds created and finished times half-open (from inclusive, to exclusive); a finished bound leaves out unfinished jobs', async () => {
      await index.write(population(), 10);
      expect(ids(await search({ createdFrom: at(2), createdTo: at(4) }))).toEqual(['B4', 'a2', 'a3', 'b5']);
      expect(ids(await search({ createdTo: at(1, 9) }))).toEqual(['c7']);
      expect(ids(await search({ createdFrom: at(5) }))).toEqual(['c8']);
      expect(ids(await search({ finishedFrom: at(3) }))).toEqual(['a3', 'b5', 'b6', 'c8']);
      expect(ids(await search({ finishedTo: at(5) }))).toEqual(['a2', 'a3', 'b5']);
      expect(ids(await search({ finishedFrom: at(2, 5), finishedTo: at(2, 5) }))).toEqual([]);
      expect(ids(await search({ createdFrom: at(2), finishedTo: at(4, 12), portal: 'alpha' }))).toEqual(['a2', 'a3']);
    });

    it('pages after a sort key: walking the pages gives every match once, in order, whatever the page size', async () => {
      await index.write(population(), 10);
      const everything = ids(await search());
      for (const limit of [1, 2, 3, 8]) {
        const seen: string[] = [];
        let after: JobSearch['after'];
        for (;;) {
          const page = await search({ limit, after });
          seen.push(...ids(page));
          if (page.length < limit) break;
          after = page[page.length - 1];
        }
        expect([limit, seen]).toEqual([limit, everything]);
      }
      // Ties on the creation time are broken by job id; a key that is no row's still places the page.
      expect(ids(await search({ after: { createdAt: at(2), jobId: 'B4' } }))).toEqual(['a2', 'a3', 'b5', 'b6', 'c8']);
      expect(ids(await search({ after: { createdAt: at(2), jobId: 'a25' }, states: ['failed'] }))).toEqual(['a3', 'b5']);
      expect(ids(await search({ after: { createdAt: at(9), jobId: 'z' } }))).toEqual([]);
    });

    it('moves a row only to a newer version: a state change moves the job between filters, an older write is ignored', async () => {
      await index.write([row('j1', { version: 3, state: 'filling' })], 3);
      await index.write([row('j1', { version: 5, state: 'failed', failureKind: 'clone', finishedAt: at(6) })], 5);
      await index.write([row('j1', { version: 4, state: 'waiting' }), row('j2', { version: 1 })], 6);
      expect(ids(await search({ states: ['filling'] }))).toEqual([]);
      expect(ids(await search({ states: ['waiting'] }))).toEqual([]);
      expect(await search({ states: ['failed'] })).toEqual([expect.objectContaining({ jobId: 'j1', version: 5, failureKind: 'clone', finishedAt: at(6) })]);
      expect(ids(await search())).toEqual(['j1', 'j2']);
    });

    it('records the position it has caught up to: null when new, never lower, null again once cleared', async () => {
      expect(await index.position()).toBeNull();
      await index.write([], 0);
      expect(await index.position()).toBe(0);
      await index.write([row('p1')], 40);
      await index.write([row('p2')], 25);
      expect(await index.position()).toBe(40);
      await index.clear();
      expect(await index.position()).toBeNull();
      expect(await search()).toEqual([]);
    });

    if (persistent) {
      it('keeps its rows and position when opened again', async () => {
        await index.write(population(), 77);
        await index.close();
        index = await (fixture.reopen as () => Promise<JobIndex>)();
        expect(await index.position()).toBe(77);
        expect(ids(await search({ failureKind: 'login_form' }))).toEqual(['a3', 'b5']);
      });
    }
  });
}
