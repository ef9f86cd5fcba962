// Open incidents from committed state: given a master session's recorded events and the jobs
// of the feed, the incident names one root cause, since when, and the jobs that wait on it.
import { stepEvent, stepStart, type ActorState, type EngineEvent, type NewEvent, type StateOf, type StepResult, type StreamState } from '@engine/core';
import { JOB_MACHINE, MASTER_SESSION_MACHINE, type JobDefinition, type MasterSessionDefinition } from '@engine/machines';
import { jobEv, jobInput, MASTER_INPUT, masterEv, TO_READY } from '@engine/machines/testing';
import { incidentOf, unavailableSince, unavailableWindow } from './incidents';

const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1_000).toISOString();

function run(def: typeof MASTER_SESSION_MACHINE | typeof JOB_MACHINE, stream: string, input: unknown, steps: Array<[number, EngineEvent]>) {
  const records: NewEvent[] = [];
  let result: StepResult = stepStart(def, stream, input, { at: T0 });
  records.push(...result.records);
  for (const [second, event] of steps) {
    result = stepEvent(def, stream, records.length, result.state, result.snapshot, event, { at: T0 + second * 1_000 });
    records.push(...result.records);
  }
  return { records, state: result.state };
}

function entry<S extends ActorState>(stream: string, state: ActorState, version: number, seconds: number): StreamState<S> {
  return { stream, kind: 'test', version, position: version, state: state as S, lastEventType: 'x', updatedAt: at(seconds), machineVersion: null };
}

const master = (steps: Array<[number, EngineEvent]>) => {
  const { records, state } = run(MASTER_SESSION_MACHINE, 'master-portal-a', MASTER_INPUT, steps);
  return { records, entry: entry<StateOf<MasterSessionDefinition>>('master-portal-a', state, records.length, steps.at(-1)?.[0] ?? 0) };
};

const job = (jobId: string, portal: string, steps: Array<[number, EngineEvent]> = []) => {
  const { state } = run(JOB_MACHINE, `job-${jobId}`, { ...jobInput, jobId, portal }, steps);
  return entry<StateOf<JobDefinition>>(`job-${jobId}`, state, 1 + steps.length, 0);
};

describe('open incidents', () => {
  const ready: Array<[number, EngineEvent]> = TO_READY.map((e) => [2, e]);

  it('a job report at 100 s: the root cause is that job and its reason, since 100 s; waiting and active jobs of the portal are counted, other portals not', () => {
    const { records, entry: m } = master([...ready, [100, masterEv.report('job-7', 99)]]);
    const jobs = [job('a', 'portal-a'), job('b', 'portal-a'), job('c', 'portal-a', [[1, jobEv.start()]]), job('d', 'portal-b')];
    const incident = incidentOf(m, jobs, unavailableSince(records) ?? 'never');
    expect(incident).toEqual({
      portal: 'portal-a',
      session: 'portal-a',
      account: null,
      state: 'recovering',
      since: at(100),
      rootCause: { kind: 'failureReport', reason: 'session expired', jobId: 'job-7', reportedAt: at(99) },
      intakeHalted: false,
      awaitingCaptcha: false,
      recovery: { number: 1, attempts: expect.any(Number), joinedReports: 0 },
      dependents: { waiting: 2, active: 1, jobIds: ['a', 'b'] },
      operations: { waiting: 0, cancelled: 0, refused: 0, byName: {} },
    });
  });

  it('an account\'s incident names the account and what its outage charged; while another account serves the portal, no ready job waits on it and only its own attempts are active', () => {
    const { records, entry: m } = master([...ready, [100, masterEv.report('job-7', 99)]]);
    const own = job('c', 'portal-a', [[1, { ...jobEv.start(), account: 'a', masterSession: 'master-portal-a' } as EngineEvent]]);
    const other = job('e', 'portal-a', [[1, { ...jobEv.start(), account: 'b', masterSession: 'master-portal-a.b' } as EngineEvent]]);
    const operations = { waiting: 1, cancelled: 2, refused: 3, byName: { lease: 4, keepAlive: 2 } };
    const incident = incidentOf(m, [job('a', 'portal-a'), own, other], unavailableSince(records) ?? 'never', { account: 'a', operations, portalServed: true });
    expect(incident).toMatchObject({ session: 'portal-a', account: 'a', operations, dependents: { waiting: 0, active: 1, jobIds: [] } });
  });

  it('reports that join a running recovery do not start another incident: the first cause stays, the joined ones are counted', () => {
    const { records, entry: m } = master([...ready, [100, masterEv.report('job-7', 99)], [101, masterEv.report('job-8', 101)]]);
    const incident = incidentOf(m, [], unavailableSince(records) ?? 'never');
    expect(incident.rootCause.jobId).toBe('job-7');
    expect(incident.since).toBe(at(100));
    expect(incident.recovery?.joinedReports).toBe(1);
  });

  it('a session that has never been ready is starting since its creation; once it logs in, nothing is open', () => {
    const starting = master([[1, masterEv.launched()]]);
    expect(unavailableSince(starting.records)).toBe(at(0));
    expect(incidentOf(starting.entry, [], at(0)).rootCause).toEqual({ kind: 'starting', reason: 'logging in for the first time', jobId: null, reportedAt: null });
    expect(unavailableSince(master(ready).records)).toBeNull();
  });

  it('a recovery that ended: the next incident starts at its own first event, not at the first one ever', () => {
    const { records } = master([...ready, [100, masterEv.report('job-7', 99)], [120, masterEv.loggedIn(120)], [300, masterEv.report('job-9', 300)]]);
    expect(unavailableSince(records)).toBe(at(300));
    // What the outage is charged with starts when the session last became available (its login at
    // 120 s), so a death the health monitor saw before the log did belongs to it, an older one not.
    expect(unavailableWindow(records)).toEqual({ since: at(300), after: at(120) });
    expect(unavailableWindow(master([[1, masterEv.launched()]]).records)).toEqual({ since: at(0), after: null });
  });
});
