// Specifications of the recovery ladder: soft (re-login) → hard (new browser) → nuclear (fresh
// profile, backup restored on failure) → ready or critical; and the way out of critical.
// Every wait between tries is a durable timer whose delay lies in the configured range.
import { machineSpec } from '@engine/core/testing';
import {
  HARD_FAILURE,
  INPUT,
  NUCLEAR_TO_LOGIN,
  TO_CRITICAL,
  TO_NUCLEAR,
  TO_READY,
  TO_SOFT,
  ev,
  softFailures,
} from './master-session.fixtures';
import type { MasterSessionContext } from './master-session.context';
import { MASTER_SESSION_MACHINE } from './master-session.machine';

const spec = machineSpec(MASTER_SESSION_MACHINE);
const portal = { portal: 'portal-a' };
const login = { portal: 'portal-a', credentialsRef: 'secret://portal-a/login', challengeId: null };
const attempts = (then: { context: MasterSessionContext }) => then.context.recovery?.attempts.map((a) => `${a.level}${a.try}:${a.outcome}`);

describe('master session: soft recovery', () => {
  it('a failed re-login waits 10–20 s on a durable timer, then tries again', () => {
    const failed = spec.given(INPUT, TO_SOFT).when(ev.loginFailed('LOGIN_REJECTED'));
    expect(failed.value).toEqual({ recovering: { soft: 'waiting' } });
    expect(failed.effects).toEqual([]);
    expect(failed.timersArmed).toHaveLength(1);
    expect(failed.timersArmed[0].name).toBe('retry');
    expect(failed.timersArmed[0].delayMs).toBeGreaterThanOrEqual(10_000);
    expect(failed.timersArmed[0].delayMs).toBeLessThanOrEqual(20_000);
    expect(failed.context.recovery?.attempts[0]).toEqual({
      level: 'soft',
      try: 1,
      outcome: 'failed',
      error: { code: 'LOGIN_REJECTED', message: 'portal said no' },
    });

    const retried = spec.given(INPUT, [...TO_SOFT, ev.loginFailed()]).when(ev.timer('retry'));
    expect(retried.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(retried.effects).toEqual([{ type: 'relogin', params: login }]);
    expect(attempts(retried)).toEqual(['soft1:failed', 'soft2:running']);
  });

  it('succeeds on the second try: ready again, heartbeat re-armed, recovery recorded as succeeded', () => {
    const then = spec.given(INPUT, [...TO_SOFT, ev.loginFailed(), ev.timer('retry')]).when(ev.loggedIn(80));
    expect(then.value).toBe('ready');
    expect(attempts(then)).toEqual(['soft1:failed', 'soft2:succeeded']);
    expect(then.context.recovery?.outcome).toBe('succeeded');
    expect(then.context.readySince).toBe('2026-01-01T00:01:20.000Z');
    expect(then.timersArmed).toEqual([{ name: 'heartbeat', delayMs: 30_000 }]);
  });

  it('a re-login effect that threw counts as a failed try', () => {
    const then = spec.given(INPUT, TO_SOFT).when(ev.effectFailed('relogin', 'PAGE_CRASHED'));
    expect(then.value).toEqual({ recovering: { soft: 'waiting' } });
    expect(then.context.recovery?.attempts[0].error?.code).toBe('PAGE_CRASHED');
  });

  it('ignores the failure of an effect that is not the running one (a late probe)', () => {
    const then = spec.given(INPUT, TO_SOFT).when(ev.effectFailed('probeSession', 'TIMEOUT'));
    expect(then.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(attempts(then)).toEqual(['soft1:running']);
  });
});

describe('master session: hard recovery', () => {
  it('soft exhausted after 3 tries → hard at once: close the browser, no wait', () => {
    const then = spec.given(INPUT, [...TO_SOFT, ...softFailures(2), ev.timer('retry')]).when(ev.loginFailed());
    expect(then.value).toEqual({ recovering: { hard: { attempt: 'closing' } } });
    expect(then.effects).toEqual([{ type: 'closeBrowser', params: portal }]);
    expect(then.timersArmed).toEqual([]);
    expect(attempts(then)).toEqual(['soft1:failed', 'soft2:failed', 'soft3:failed', 'hard1:running']);
  });

  const hard = [...TO_SOFT, ...softFailures(3)];

  it('closes, launches, logs in: one step at a time', () => {
    expect(spec.given(INPUT, hard).when(ev.closed()).effects).toEqual([{ type: 'launchBrowser', params: portal }]);
    expect(spec.given(INPUT, [...hard, ev.closed()]).when(ev.launched()).effects).toEqual([{ type: 'login', params: login }]);
    const then = spec.given(INPUT, [...hard, ev.closed(), ev.launched()]).when(ev.loggedIn(90));
    expect(then.value).toBe('ready');
    expect(attempts(then)).toEqual(['soft1:failed', 'soft2:failed', 'soft3:failed', 'hard1:succeeded']);
  });

  it('launches even when closing the (dead) browser failed', () => {
    const then = spec.given(INPUT, hard).when(ev.effectFailed('closeBrowser', 'NOT_RUNNING'));
    expect(then.value).toEqual({ recovering: { hard: { attempt: 'launching' } } });
    expect(then.effects).toEqual([{ type: 'launchBrowser', params: portal }]);
  });

  it('a failed hard try waits 30–60 s before the next', () => {
    const then = spec.given(INPUT, [...hard, ev.closed()]).when(ev.effectFailed('launchBrowser', 'LAUNCH_TIMEOUT'));
    expect(then.value).toEqual({ recovering: { hard: 'waiting' } });
    expect(then.timersArmed[0].name).toBe('retry');
    expect(then.timersArmed[0].delayMs).toBeGreaterThanOrEqual(30_000);
    expect(then.timersArmed[0].delayMs).toBeLessThanOrEqual(60_000);
    const next = spec.given(INPUT, [...hard, ev.closed(), ev.effectFailed('launchBrowser')]).when(ev.timer('retry'));
    expect(next.effects).toEqual([{ type: 'closeBrowser', params: portal }]);
    expect(attempts(next)?.slice(3)).toEqual(['hard1:failed', 'hard2:running']);
  });
});

describe('master session: nuclear recovery', () => {
  it('hard exhausted after 2 tries → nuclear: close, back up, wipe, launch, log in', () => {
    const { now } = spec.given(INPUT, TO_NUCLEAR);
    expect(now.value).toEqual({ recovering: { nuclear: { attempt: 'closing' } } });
    expect(now.effects).toEqual([{ type: 'closeBrowser', params: portal }]);
    expect(attempts(now)?.slice(3)).toEqual(['hard1:failed', 'hard2:failed', 'nuclear1:running']);

    const steps = [ev.closed(), ev.backedUp('bk-42'), ev.wiped(), ev.launched()];
    const effects = steps.map((event, i) => spec.given(INPUT, [...TO_NUCLEAR, ...steps.slice(0, i)]).when(event).effects);
    expect(effects).toEqual([
      [{ type: 'backupProfile', params: portal }],
      [{ type: 'wipeProfile', params: portal }],
      [{ type: 'launchBrowser', params: portal }],
      [{ type: 'login', params: login }],
    ]);
  });

  it('nuclear succeeds: ready, with the whole ladder in the recovery', () => {
    const then = spec.given(INPUT, [...TO_NUCLEAR, ...NUCLEAR_TO_LOGIN]).when(ev.loggedIn(300));
    expect(then.value).toBe('ready');
    expect(then.context.recovery?.outcome).toBe('succeeded');
    expect(attempts(then)).toEqual(['soft1:failed', 'soft2:failed', 'soft3:failed', 'hard1:failed', 'hard2:failed', 'nuclear1:succeeded']);
    expect(then.context.intakeHalted).toBe(false);
  });

  it('nuclear fails → the backup is restored, then critical', () => {
    const failed = spec.given(INPUT, [...TO_NUCLEAR, ...NUCLEAR_TO_LOGIN]).when(ev.loginFailed('ACCOUNT_LOCKED'));
    expect(failed.value).toEqual({ recovering: { nuclear: { attempt: 'restoring' } } });
    expect(failed.effects).toEqual([{ type: 'restoreProfile', params: { portal: 'portal-a', backupRef: 'backup-1' } }]);

    const { now } = spec.given(INPUT, TO_CRITICAL);
    expect(now.value).toEqual({ critical: { alert: 'sending', watch: 'waiting' } });
    expect(now.context.recovery).toMatchObject({ outcome: 'failed', profileRestore: 'restored', backupRef: 'backup-1' });
  });

  it('a failed wipe or launch restores the backup too', () => {
    const wipe = spec.given(INPUT, [...TO_NUCLEAR, ev.closed(), ev.backedUp()]).when(ev.effectFailed('wipeProfile', 'EBUSY'));
    expect(wipe.effects).toEqual([{ type: 'restoreProfile', params: { portal: 'portal-a', backupRef: 'backup-1' } }]);
    const launch = spec.given(INPUT, [...TO_NUCLEAR, ev.closed(), ev.backedUp(), ev.wiped()]).when(ev.effectFailed('launchBrowser'));
    expect(launch.effects).toEqual([{ type: 'restoreProfile', params: { portal: 'portal-a', backupRef: 'backup-1' } }]);
  });

  it('never wipes a profile it could not back up: straight to critical', () => {
    const then = spec.given(INPUT, [...TO_NUCLEAR, ev.closed()]).when(ev.effectFailed('backupProfile', 'ENOSPC'));
    expect(then.value).toEqual({ critical: { alert: 'sending', watch: 'waiting' } });
    expect(then.effects.map((e) => e.type)).toEqual(['sendAlert']);
    expect(then.context.recovery).toMatchObject({ backupRef: null, profileRestore: null });
  });

  it('a failed restore is recorded and still ends in critical', () => {
    const then = spec.given(INPUT, [...TO_NUCLEAR, ...NUCLEAR_TO_LOGIN, ev.loginFailed()]).when(ev.effectFailed('restoreProfile'));
    expect(then.value).toEqual({ critical: { alert: 'sending', watch: 'waiting' } });
    expect(then.context.recovery?.profileRestore).toBe('failed');
  });

  it('more nuclear tries when configured: restore, wait in the configured range, back up again', () => {
    const input = { ...INPUT, config: { nuclear: { tries: 2, minWaitMs: 1_000, maxWaitMs: 2_000 } } };
    const then = spec.given(input, [...TO_NUCLEAR, ...NUCLEAR_TO_LOGIN, ev.loginFailed()]).when(ev.restored());
    expect(then.value).toEqual({ recovering: { nuclear: 'waiting' } });
    expect(then.timersArmed[0].delayMs).toBeGreaterThanOrEqual(1_000);
    expect(then.timersArmed[0].delayMs).toBeLessThanOrEqual(2_000);
  });
});

describe('master session: critical', () => {
  const critical = spec.given(INPUT, TO_CRITICAL);

  it('sends a tracked critical alert, halts intake and keeps probing on a slower timer', () => {
    const { now } = critical;
    expect(now.effects).toEqual([
      {
        type: 'sendAlert',
        params: {
          portal: 'portal-a',
          alertId: 'portal-a:recovery-1',
          level: 'critical',
          code: 'RECOVERY_EXHAUSTED',
          message: expect.stringContaining('recovery 1 failed after 6 attempts'),
        },
      },
    ]);
    expect(Object.values(now.state.effects)).toContainEqual({ type: 'sendAlert', params: expect.objectContaining({ level: 'critical' }) });
    expect(now.context.intakeHalted).toBe(true);
    expect(now.timersArmed).toEqual([{ name: 'heartbeat', delayMs: 120_000 }]);
    expect(spec.given(INPUT, TO_READY).now.context.intakeHalted).toBe(false);
  });

  it('re-sends the same alert on a durable timer when delivery failed', () => {
    const failed = critical.when(ev.effectFailed('sendAlert', 'WEBHOOK_5XX'));
    expect(failed.value).toEqual({ critical: { alert: 'resendWaiting', watch: 'waiting' } });
    expect(failed.timersArmed).toEqual([{ name: 'alertRetry', delayMs: 60_000 }]);
    const again = spec.given(INPUT, [...TO_CRITICAL, ev.effectFailed('sendAlert')]).when(ev.timer('alertRetry'));
    expect(again.effects).toEqual([{ type: 'sendAlert', params: expect.objectContaining({ alertId: 'portal-a:recovery-1' }) }]);
  });

  it('joins no report and starts no recovery while critical', () => {
    const then = critical.when(ev.report('job-5', 999));
    expect(then.effects).toEqual([]);
    expect(then.context).toMatchObject({ recoveries: 1, intakeHalted: true });
  });

  it('a successful probe ends critical: ready, intake resumed, slow timer replaced by the heartbeat', () => {
    const probing = spec.given(INPUT, [...TO_CRITICAL, ev.alertSent(), ev.timer('heartbeat')]);
    expect(probing.now.effects).toEqual([{ type: 'probeSession', params: { portal: 'portal-a', probe: 1 } }]);
    const then = probing.when(ev.probeOk(1, 900));
    expect(then.value).toBe('ready');
    expect(then.context).toMatchObject({ intakeHalted: false, readySince: '2026-01-01T00:15:00.000Z' });
    expect(then.timersArmed).toEqual([{ name: 'heartbeat', delayMs: 30_000 }]);
  });

  it('a failed probe keeps it critical and waits for the next slow probe', () => {
    const then = spec.given(INPUT, [...TO_CRITICAL, ev.timer('heartbeat')]).when(ev.probeFailed(1));
    expect(then.value).toEqual({ critical: { alert: 'sending', watch: 'waiting' } });
    expect(then.timersArmed).toEqual([{ name: 'heartbeat', delayMs: 120_000 }]);
  });

  it('a late answer to a probe from before the recovery does not end critical', () => {
    const beforeRecovery = [...TO_READY, ev.timer('heartbeat'), ev.report(), ...softFailures(3), ...HARD_FAILURE, ev.timer('retry'), ...HARD_FAILURE];
    const critical2 = spec.given(INPUT, [...beforeRecovery, ...NUCLEAR_TO_LOGIN, ev.loginFailed(), ev.restored(), ev.timer('heartbeat')]);
    expect(critical2.now.effects).toEqual([{ type: 'probeSession', params: { portal: 'portal-a', probe: 2 } }]);
    expect(critical2.when(ev.probeOk(1)).value).toEqual({ critical: { alert: 'sending', watch: 'probing' } });
  });

  it('an operator RESET restarts from a fresh browser and cancels the critical timers', () => {
    const then = spec.given(INPUT, [...TO_CRITICAL, ev.effectFailed('sendAlert')]).when(ev.reset());
    expect(then.accepted).toBe(true);
    expect(then.value).toBe('restarting');
    expect(then.effects).toEqual([{ type: 'closeBrowser', params: portal }]);
    expect(then.timersCancelled.sort()).toEqual(['alertRetry', 'heartbeat']);
    expect(then.context.intakeHalted).toBe(false);
    const ready = spec.given(INPUT, [...TO_CRITICAL, ev.reset(), ev.closed(), ev.launched()]).when(ev.loggedIn(1_000));
    expect(ready.value).toBe('ready');
  });

  it('RESET is accepted in every state: from ready it restarts the browser and cancels the heartbeat', () => {
    const then = spec.given(INPUT, TO_READY).when(ev.reset());
    expect(then.accepted).toBe(true);
    expect(then.value).toBe('restarting');
    expect(then.effects).toEqual([{ type: 'closeBrowser', params: portal }]);
    expect(then.timersCancelled).toEqual(['heartbeat']);
  });

  it('RESET during a recovery abandons it (recorded as failed) and cancels its retry wait', () => {
    const waiting = spec.given(INPUT, [...TO_SOFT, ev.loginFailed()]);
    expect(waiting.now.value).toEqual({ recovering: { soft: 'waiting' } });
    const then = waiting.when(ev.reset());
    expect(then.value).toBe('restarting');
    expect(then.context.recovery?.outcome).toBe('failed');
    expect(then.timersCancelled).toEqual(['retry']);
    expect(spec.given(INPUT, [...TO_SOFT, ev.loginFailed(), ev.reset(), ev.closed(), ev.launched()]).when(ev.loggedIn(500)).value).toBe('ready');
  });

  it('an operator forces a level: a new recovery starts there, from ready, from a running recovery, from critical', () => {
    const force = (level: 'soft' | 'hard' | 'nuclear') => ({ type: 'RECOVERY_REQUESTED' as const, level, by: 'operator-1', at: '2026-01-01T01:00:00.000Z' });
    const fromReady = spec.given(INPUT, TO_READY).when(force('hard'));
    expect(fromReady.value).toEqual({ recovering: { hard: { attempt: 'closing' } } });
    expect(fromReady.context.recovery).toMatchObject({ number: 1, trigger: { kind: 'operator', by: 'operator-1', level: 'hard' } });
    expect(fromReady.timersCancelled).toEqual(['heartbeat']);
    const fromSoft = spec.given(INPUT, [...TO_SOFT, ev.loginFailed()]).when(force('nuclear'));
    expect(fromSoft.value).toEqual({ recovering: { nuclear: { attempt: 'closing' } } });
    expect(fromSoft.context.recoveries).toBe(2);
    expect(fromSoft.timersCancelled).toEqual(['retry']);
    const fromCritical = spec.given(INPUT, TO_CRITICAL).when(force('soft'));
    expect(fromCritical.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(fromCritical.context.intakeHalted).toBe(false);
  });

  it('RESET while starting up or waiting on a captcha', () => {
    expect(spec.given(INPUT).when(ev.reset()).value).toBe('restarting');
    const then = spec.given(INPUT, [ev.launched(), ev.timedCaptcha('ch-1')]).when(ev.reset());
    expect(then.value).toBe('restarting');
    expect(then.context.captcha).toBeNull();
    expect(then.timersCancelled).toEqual(['captchaExpiry']);
  });
});

describe('master session: the browser is lost', () => {
  it('goes straight to hard recovery (a new browser), not to a re-login', () => {
    const then = spec.given(INPUT, TO_READY).when(ev.browserLost());
    expect(then.value).toEqual({ recovering: { hard: { attempt: 'closing' } } });
    expect(then.context.recovery?.trigger).toEqual({ kind: 'browserLost', reason: 'browser_crashed', at: expect.any(String) });
    expect(then.effects.map((e) => e.type)).toEqual(['closeBrowser']);
    expect(then.timersCancelled).toEqual(['heartbeat']);
  });

  it('from probing too', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.timer('heartbeat')]).when(ev.browserLost());
    expect(then.value).toEqual({ recovering: { hard: { attempt: 'closing' } } });
  });

  it('during a recovery it joins it', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.report()]).when(ev.browserLost());
    expect(then.context.recovery?.joinedReports).toBe(1);
    expect(then.context.recoveries).toBe(1);
    expect(then.effects).toEqual([]);
  });
});

