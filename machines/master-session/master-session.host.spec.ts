// The master session on the real engine loop: ActorHost on the in-memory event store and a
// simulated clock, with scripted fake effects that count their runs. Single-flight under 50
// concurrent reports, crash and rebuild in the middle of a hard recovery, a lost alert re-sent,
// and audit replay of the whole stream (deterministic jitter, no effect run).
import { ActorHost, SimulatedClock, auditStore, replayStream, type StateOf } from '@engine/core';

import { MemoryEventStore } from '@engine/event-store';
import type { MasterSessionInput, RecoveryAttempt } from './master-session.context';
import type { MasterSessionEvent } from './master-session.events';
import { FakeEffects, ProcessClock, type EffectScript } from './master-session.fake-effects';
import { INPUT } from './master-session.fixtures';
import { MASTER_SESSION_MACHINE, type MasterSessionDefinition } from './master-session.machine';

const STREAM = 'master-portal-a';

describe('master session on the actor host', () => {
  let store: MemoryEventStore;
  let clock: SimulatedClock;
  const hosts: ActorHost[] = [];

  beforeEach(() => {
    store = new MemoryEventStore();
    clock = new SimulatedClock();
  });

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop(100)));
  });

  /** One engine process: its own host, effects and timers, on the shared store and time. */
  function boot(script: EffectScript = {}) {
    const processClock = new ProcessClock(clock);
    const effects = new FakeEffects(processClock, script);
    const host = new ActorHost({ store, clock: processClock, definitions: [MASTER_SESSION_MACHINE], effects: effects.registry() });
    hosts.push(host);
    return { host, effects, crash: () => processClock.crash() };
  }

  async function state(host: ActorHost): Promise<StateOf<MasterSessionDefinition>> {
    return (await host.getStateOf(MASTER_SESSION_MACHINE, STREAM.slice(MASTER_SESSION_MACHINE.streamPrefix.length)))!.state;
  }

  /**
   * Advances the clock to the stream's earliest armed timer and lets what it starts settle:
   * `idle` waits for every effect; `flush` only drains pending work, for a host whose effect
   * hangs (a process about to crash).
   */
  async function fireNextTimer(host: ActorHost, settle: 'idle' | 'flush' = 'idle'): Promise<string> {
    const timers = Object.entries((await state(host)).timers).sort((a, b) => a[1].dueAt - b[1].dueAt);
    if (timers.length === 0) throw new Error('no timer armed');
    const [name, timer] = timers[0];
    await clock.advance(timer.dueAt - clock.now());
    if (settle === 'idle') await host.idle();
    return name;
  }

  /** Fires timers until the session is critical; fails instead of looping when it never gets there. */
  async function fireUntilCritical(host: ActorHost, settle: 'idle' | 'flush' = 'idle'): Promise<void> {
    for (let fired = 0; !('critical' in Object((await state(host)).value)); fired++) {
      if (fired === 20) throw new Error(`not critical after 20 timers: ${JSON.stringify((await state(host)).value)}`);
      await fireNextTimer(host, settle);
    }
  }

  async function ready(host: ActorHost, input: MasterSessionInput = INPUT) {
    await host.create('master-session', 'portal-a', input);
    await host.idle();
    expect((await state(host)).value).toBe('ready');
  }

  const report = (i: number): MasterSessionEvent => ({ type: 'FAILURE_REPORTED', jobId: `job-${i}`, reason: 'session expired', at: new Date(clock.now()).toISOString() });
  const ladder = (s: StateOf<MasterSessionDefinition>) => s.context.recovery?.attempts.map((a: RecoveryAttempt) => `${a.level}${a.try}:${a.outcome}`);

  it('50 concurrent failure reports while ready: one recovery, one re-login', async () => {
    const { host, effects } = boot();
    await ready(host);
    effects.gate('relogin'); // the recovery is still running while the reports arrive

    const sends = Promise.all(Array.from({ length: 50 }, (_, i) => host.send(STREAM, report(i))));
    await sends;
    effects.open('relogin');
    await host.idle();

    const s = await state(host);
    expect(s.value).toBe('ready');
    expect(effects.count('relogin')).toBe(1);
    expect(effects.count('launchBrowser')).toBe(1); // the start-up launch only
    expect(s.context).toMatchObject({ recoveries: 1, failureReports: 50 });
    expect(s.context.recovery).toMatchObject({ number: 1, outcome: 'succeeded', joinedReports: 49 });
  });

  it('50 reports arriving through a recovery that needs a new browser: exactly one launch for it', async () => {
    const { host, effects } = boot({ relogin: ['fail'] });
    await ready(host, { ...INPUT, config: { soft: { tries: 1 } } });
    effects.gate('launchBrowser');

    const first = Promise.all(Array.from({ length: 25 }, (_, i) => host.send(STREAM, report(i))));
    await first;
    for (let turn = 0; effects.count('launchBrowser') < 2 && turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect((await state(host)).value).toEqual({ recovering: { hard: { attempt: 'launching' } } }); // relogin failed, the new browser is starting
    const second = Promise.all(Array.from({ length: 25 }, (_, i) => host.send(STREAM, report(25 + i))));
    await second;
    effects.open('launchBrowser');
    await host.idle();

    const s = await state(host);
    expect(s.value).toBe('ready');
    expect(effects.count('launchBrowser')).toBe(2); // start-up + the hard recovery's one
    expect(effects.count('relogin')).toBe(1);
    expect(ladder(s)).toEqual(['soft1:failed', 'hard1:succeeded']);
    expect(s.context.recovery?.joinedReports).toBe(49);
    expect(s.context.recoveries).toBe(1);
  });

  it('a crash while waiting between hard tries: the rebuild resumes at hard try 2 with its timer re-armed', async () => {
    const first = boot({ relogin: ['fail', 'fail', 'fail'], login: ['ok', 'fail'] });
    await ready(first.host);
    await first.host.send(STREAM, report(1));
    await first.host.idle();
    for (let i = 0; i < 2; i++) expect(await fireNextTimer(first.host)).toBe('retry'); // soft 2, soft 3 → hard 1 fails
    const before = await state(first.host);
    expect(before.value).toEqual({ recovering: { hard: 'waiting' } });
    expect(ladder(before)).toEqual(['soft1:failed', 'soft2:failed', 'soft3:failed', 'hard1:failed']);
    const dueAt = before.timers.retry.dueAt;
    expect(dueAt - clock.now()).toBeGreaterThanOrEqual(30_000);
    expect(dueAt - clock.now()).toBeLessThanOrEqual(60_000);

    first.crash(); // the process is gone: no stop(), its timers die with it
    const second = boot();
    const restore = await second.host.start();
    expect(restore).toMatchObject({ restored: 1, timersArmed: 1, interrupted: [] });
    const resumed = await state(second.host);
    expect(resumed.value).toEqual({ recovering: { hard: 'waiting' } });
    expect(ladder(resumed)).toEqual(ladder(before));
    expect(resumed.timers.retry.dueAt).toBe(dueAt);

    await clock.advance(dueAt - clock.now() - 1);
    await second.host.idle();
    expect(second.effects.runs).toEqual([]); // the re-armed wait is the original one, not a new one
    await clock.advance(1);
    await second.host.idle();

    const after = await state(second.host);
    expect(after.value).toBe('ready');
    expect(ladder(after)).toEqual(['soft1:failed', 'soft2:failed', 'soft3:failed', 'hard1:failed', 'hard2:succeeded']);
    expect(second.effects.runs.map((r) => r.effect)).toEqual(['closeBrowser', 'launchBrowser', 'login']);
    expect(first.effects.count('launchBrowser')).toBe(2); // start-up + hard 1: nothing ran in the dead process after the crash
  });

  it('a crash while hard try 2 launches the browser: the rebuild re-runs the launch in the same try', async () => {
    const first = boot({ relogin: ['fail', 'fail', 'fail'], login: ['ok', 'fail'], launchBrowser: ['ok', 'ok', 'hang'] });
    await ready(first.host);
    await first.host.send(STREAM, report(1));
    await first.host.idle();
    await fireNextTimer(first.host); // soft 2
    await fireNextTimer(first.host); // soft 3 → hard 1 fails
    await fireNextTimer(first.host, 'flush'); // hard 2: closed, launch in flight (and never answered)
    expect((await state(first.host)).value).toEqual({ recovering: { hard: { attempt: 'launching' } } });

    first.crash();
    const second = boot();
    const restore = await second.host.start();
    expect(restore.interrupted).toEqual([expect.objectContaining({ stream: STREAM, type: 'launchBrowser', policy: 'rerun' })]);
    await second.host.idle();

    const after = await state(second.host);
    expect(after.value).toBe('ready');
    expect(ladder(after)?.slice(3)).toEqual(['hard1:failed', 'hard2:succeeded']);
    expect(second.effects.runs.map((r) => r.effect)).toEqual(['launchBrowser', 'login']);
  });

  it('a critical alert lost in a crash is sent again by the rebuild, with the same alert id', async () => {
    const first = boot({
      relogin: ['fail', 'fail', 'fail'],
      login: ['ok', 'fail', 'fail', 'fail'],
      sendAlert: ['hang'],
    });
    await ready(first.host);
    await first.host.send(STREAM, report(1));
    await first.host.idle();
    await fireUntilCritical(first.host, 'flush'); // the alert hangs: idle() would wait for it forever
    expect(first.effects.count('sendAlert')).toBe(1);
    expect((await state(first.host)).context.intakeHalted).toBe(true);

    first.crash();
    const second = boot();
    await second.host.start();
    await second.host.idle();
    expect(second.effects.runs).toEqual([{ effect: 'sendAlert', params: expect.objectContaining({ level: 'critical', alertId: 'portal-a:recovery-1' }) }]);
    expect((await state(second.host)).value).toEqual({ critical: { alert: 'sent', watch: 'waiting' } });
  });

  it('audit replay of a whole stream (two processes, every level, critical and back) reproduces every stored state and runs no effect', async () => {
    const first = boot({ relogin: ['fail', 'fail', 'fail'], login: ['ok', 'fail', 'fail', 'fail'], restoreProfile: ['fail'] });
    await ready(first.host);
    await first.host.send(STREAM, report(1));
    await first.host.idle();
    await fireNextTimer(first.host); // soft 2
    first.crash();
    const second = boot({ relogin: ['fail'], login: ['fail', 'fail', 'fail'], restoreProfile: ['fail'], probeSession: ['fail'] });
    await second.host.start();
    await fireUntilCritical(second.host);
    await fireNextTimer(second.host); // slow probe fails
    await fireNextTimer(second.host); // slow probe succeeds → ready
    expect((await state(second.host)).value).toBe('ready');
    expect(second.effects.count('backupProfile')).toBe(1);

    const events = await store.read(STREAM);
    const runs = first.effects.runs.length + second.effects.runs.length;
    const appendSpy = jest.spyOn(store, 'append');
    const steps = replayStream(MASTER_SESSION_MACHINE, events);
    expect(steps.map((s) => s.state)).toEqual(events.map((e) => e.stateAfter));
    const waits = events
      .filter((e) => e.type === 'timer.scheduled' && (e.data as { name: string }).name === 'retry')
      .map((e) => (e.data as { dueAt: number }).dueAt - Date.parse(e.meta.at));
    expect(waits).toHaveLength(3); // before soft 2, soft 3 and hard 2
    expect(waits.map((w, i) => (i < 2 ? w >= 10_000 && w <= 20_000 : w >= 30_000 && w <= 60_000))).toEqual([true, true, true]);
    const audit = await auditStore(store, [MASTER_SESSION_MACHINE]);
    expect(audit).toMatchObject({ ok: true, streams: 1, events: events.length, replayProblems: [], chainProblems: [] });
    expect(first.effects.runs.length + second.effects.runs.length).toBe(runs);
    expect(appendSpy).not.toHaveBeenCalled();
  });
});
