// Two actor-host behaviours the master session depends on, found as gaps and since fixed in
// libs/core: invalid input is refused before anything is appended, and EFFECT_FAILED carries
// the failed run's id and params so a late throw of an old probe is recognised.
import { ActorHost, SimulatedClock } from '@engine/core';

import { MemoryEventStore } from '@engine/event-store';
import { FakeEffects, ProcessClock } from './master-session.fake-effects';
import { INPUT } from './master-session.fixtures';
import { MASTER_SESSION_MACHINE } from './master-session.machine';

const STREAM = 'master-portal-a';

describe('actor host behaviours the master session relies on', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;
  let host: ActorHost;
  let effects: FakeEffects;

  beforeEach(() => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
    const processClock = new ProcessClock(clock);
    effects = new FakeEffects(processClock, { probeSession: ['fail', 'ok'] });
    host = new ActorHost({ store, clock: processClock, definitions: [MASTER_SESSION_MACHINE], effects: effects.registry() });
  });

  afterEach(() => host.stop(100));

  const context = async () => (await host.getStateOf(MASTER_SESSION_MACHINE, STREAM.slice(MASTER_SESSION_MACHINE.streamPrefix.length)))!.state.context;

  // XState turns a throwing context factory into an error snapshot; the host refuses it.
  // DESIGN.md: bad input gets a 4xx with a clear message and appends nothing.
  it('refuses to create a session whose input is invalid, and appends nothing', async () => {
    const bad = { ...INPUT, config: { soft: { tries: 0 } } };
    await expect(host.create('master-session', 'portal-a', bad)).rejects.toThrow(/soft\.tries/);
    expect(await store.streamVersion(STREAM)).toBe(0);
  });

  // The probe in flight when a job's report started recovery 1 throws after the next probe
  // began; the throw carries its params (probe 1), so no second recovery starts.
  it('the late failure of an old probe does not start a second recovery', async () => {
    await host.create('master-session', 'portal-a', INPUT);
    await host.idle();
    effects.gate('probeSession');
    await clock.advance(30_000); // heartbeat: probe 1 starts and hangs at the gate (it will throw)
    await host.send(STREAM, { type: 'FAILURE_REPORTED', jobId: 'job-1', reason: 'session expired', at: new Date(clock.now()).toISOString() });
    await clock.advance(1); // recovery 1: the re-login succeeds
    expect((await context()).recoveries).toBe(1);
    await clock.advance(30_000); // heartbeat: probe 2 starts, also at the gate (it will succeed)
    expect(effects.count('probeSession')).toBe(2);
    effects.open('probeSession');
    await host.idle();
    expect((await context()).recoveries).toBe(1);
  });
});
