// Specifications of the master session outside recovery: start-up, captcha, heartbeat, and how
// failure reports start a recovery or join the one running (single-flight). The recovery
// ladder itself is specified in master-session.recovery.spec.ts.
import { machineSpec } from '@engine/core/testing';
import { INPUT, TO_READY, TO_SOFT, ev } from './master-session.fixtures';
import { MASTER_SESSION_MACHINE } from './master-session.machine';

const spec = machineSpec(MASTER_SESSION_MACHINE);
const login = (challengeId: string | null) => ({ portal: 'portal-a', credentialsRef: 'secret://portal-a/login', challengeId });

describe('master session: start-up', () => {
  it('launches the browser first', () => {
    const { now } = spec.given(INPUT);
    expect(now.value).toBe('launching');
    expect(now.effects).toEqual([{ type: 'launchBrowser', params: { portal: 'portal-a' } }]);
    expect(now.context).toMatchObject({ recoveries: 0, intakeHalted: false, config: { heartbeatMs: 30_000 } });
  });

  it('logs in by credentials reference once the browser runs', () => {
    const then = spec.given(INPUT).when(ev.launched());
    expect(then.value).toBe('loggingIn');
    expect(then.effects).toEqual([{ type: 'login', params: login(null) }]);
  });

  it('is ready after the login, with the heartbeat on a durable timer', () => {
    const then = spec.given(INPUT, [ev.launched()]).when(ev.loggedIn(2));
    expect(then.value).toBe('ready');
    expect(then.context.readySince).toBe('2026-01-01T00:00:02.000Z');
    expect(then.timersArmed).toEqual([{ name: 'heartbeat', delayMs: 30_000 }]);
    expect(then.recorded).toEqual(['LOGGED_IN', 'timer.scheduled']);
  });

  it('a failed first launch goes straight to hard recovery (there is no browser to re-login in)', () => {
    const then = spec.given(INPUT).when(ev.effectFailed('launchBrowser', 'CHROMIUM_MISSING'));
    expect(then.value).toEqual({ recovering: { hard: { attempt: 'closing' } } });
    expect(then.context.recovery).toMatchObject({ number: 1, trigger: { kind: 'startup', reason: 'CHROMIUM_MISSING' } });
    expect(then.context.recovery?.attempts).toEqual([{ level: 'hard', try: 1, outcome: 'running', error: null }]);
  });

  it('a refused first login starts a soft recovery', () => {
    const then = spec.given(INPUT, [ev.launched()]).when(ev.loginFailed('PORTAL_5XX'));
    expect(then.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(then.context.recovery?.trigger).toEqual({ kind: 'startup', reason: 'PORTAL_5XX' });
    expect(then.effects).toEqual([{ type: 'relogin', params: login(null) }]);
  });

  it('takes heartbeat interval and tries from the input', () => {
    const { now } = spec.given({ ...INPUT, config: { heartbeatMs: 5_000, soft: { tries: 1 } } }, TO_READY);
    expect(now.timersArmed).toEqual([{ name: 'heartbeat', delayMs: 5_000 }]);
    expect(now.context.config.soft).toEqual({ tries: 1, minWaitMs: 10_000, maxWaitMs: 20_000 });
  });
});

describe('master session: captcha', () => {
  const awaiting = [ev.launched(), ev.captchaRequired('ch-7')];

  it('waits for an operator when the login meets a captcha', () => {
    const { now } = spec.given(INPUT, awaiting);
    expect(now.value).toBe('awaitingCaptcha');
    expect(now.context.captcha).toEqual({ challengeId: 'ch-7' });
    expect(now.effects).toEqual([]);
  });

  it('logs in again with an effect that fetches the answer from the solver by challenge id', () => {
    const then = spec.given(INPUT, awaiting).when(ev.captchaAnswered('ch-7'));
    expect(then.value).toBe('loggingIn');
    expect(then.effects).toEqual([{ type: 'login', params: login('ch-7') }]);
    expect(then.context.captcha).toBeNull();
  });

  it('refuses an answer to another challenge', () => {
    expect(spec.given(INPUT, awaiting).when(ev.captchaAnswered('ch-other')).accepted).toBe(false);
  });

  it('does not accept an answer when no captcha is awaited', () => {
    expect(spec.given(INPUT, TO_READY).when(ev.captchaAnswered('ch-7')).accepted).toBe(false);
  });

  it('is ready after the answered login', () => {
    const then = spec.given(INPUT, [...awaiting, ev.captchaAnswered('ch-7')]).when(ev.loggedIn(9));
    expect(then.value).toBe('ready');
    expect(then.context.readySince).toBe('2026-01-01T00:00:09.000Z');
  });

  it('a captcha during a re-login waits inside the same attempt and retries it with the answer', () => {
    const given = spec.given(INPUT, [...TO_SOFT, ev.captchaRequired('ch-9')]);
    expect(given.now.value).toEqual({ recovering: { soft: { attempt: 'awaitingCaptcha' } } });
    const then = given.when(ev.captchaAnswered('ch-9'));
    expect(then.effects).toEqual([{ type: 'relogin', params: login('ch-9') }]);
    expect(then.context.recovery?.attempts).toEqual([{ level: 'soft', try: 1, outcome: 'running', error: null }]);
  });
});

describe('master session: heartbeat', () => {
  it('probes when the heartbeat timer fires', () => {
    const then = spec.given(INPUT, TO_READY).when(ev.timer('heartbeat'));
    expect(then.value).toBe('probing');
    expect(then.effects).toEqual([{ type: 'probeSession', params: { portal: 'portal-a', probe: 1 } }]);
  });

  it('a good probe re-arms the heartbeat and keeps readySince', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.timer('heartbeat')]).when(ev.probeOk(1, 40));
    expect(then.value).toBe('ready');
    expect(then.timersArmed).toEqual([{ name: 'heartbeat', delayMs: 30_000 }]);
    expect(then.context.readySince).toBe('2026-01-01T00:00:02.000Z');
  });

  it('a failed probe starts a soft recovery', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.timer('heartbeat')]).when(ev.probeFailed(1, 'login-form'));
    expect(then.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(then.context.recovery).toMatchObject({ number: 1, outcome: 'running', trigger: { kind: 'heartbeat', reason: 'login-form' } });
    expect(then.effects).toEqual([{ type: 'relogin', params: login(null) }]);
  });

  it('a probe effect that threw starts a recovery too', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.timer('heartbeat')]).when(ev.effectFailed('probeSession', 'TIMEOUT', { portal: 'portal-a', probe: 1 }));
    expect(then.context.recovery?.trigger).toEqual({ kind: 'heartbeat', reason: 'TIMEOUT' });
  });

  it('ignores the late throw of an older probe', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.timer('heartbeat')]).when(ev.effectFailed('probeSession', 'TIMEOUT', { portal: 'portal-a', probe: 0 }));
    expect(then.value).toBe('probing');
    expect(then.effects).toEqual([]);
  });

  it('ignores the answer of an older probe', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.timer('heartbeat')]).when(ev.probeFailed(0));
    expect(then.value).toBe('probing');
    expect(then.effects).toEqual([]);
  });
});

describe('master session: failure reports (single-flight)', () => {
  it('a report while ready starts a soft recovery and cancels the heartbeat', () => {
    const then = spec.given(INPUT, TO_READY).when(ev.report('job-7'));
    expect(then.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(then.timersCancelled).toEqual(['heartbeat']);
    expect(then.effects).toEqual([{ type: 'relogin', params: login(null) }]);
    expect(then.context.recovery).toMatchObject({
      number: 1,
      trigger: { kind: 'failureReport', jobId: 'job-7', reason: 'session expired' },
      joinedReports: 0,
    });
    expect(then.recorded).toEqual(['FAILURE_REPORTED', 'timer.cancelled']);
  });

  it('a report while probing starts the recovery without waiting for the probe', () => {
    const then = spec.given(INPUT, [...TO_READY, ev.timer('heartbeat')]).when(ev.report());
    expect(then.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
  });

  it('a report during a recovery joins it: counted, no second launch or re-login', () => {
    const then = spec.given(INPUT, TO_SOFT).when(ev.report('job-2'));
    expect(then.accepted).toBe(true);
    expect(then.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(then.effects).toEqual([]);
    expect(then.timersArmed).toEqual([]);
    expect(then.context.recovery).toMatchObject({ number: 1, joinedReports: 1 });
    expect(then.context).toMatchObject({ recoveries: 1, failureReports: 2 });
  });

  it('a report while waiting between tries joins too, and the wait is unchanged', () => {
    const then = spec.given(INPUT, [...TO_SOFT, ev.loginFailed()]).when(ev.report('job-3'));
    expect(then.value).toEqual({ recovering: { soft: 'waiting' } });
    expect(then.effects).toEqual([]);
    expect(then.timersArmed).toEqual([]);
    expect(then.context.recovery?.joinedReports).toBe(1);
  });

  it('a late report of a failure seen before the session became healthy again starts nothing', () => {
    const healed = [...TO_SOFT, ev.loggedIn(60)];
    const then = spec.given(INPUT, healed).when(ev.report('job-slow', 55));
    expect(then.value).toBe('ready');
    expect(then.effects).toEqual([]);
    expect(then.context).toMatchObject({ recoveries: 1, staleReports: 1, failureReports: 2 });
  });

  it('a report after the session became healthy again starts the next recovery', () => {
    const then = spec.given(INPUT, [...TO_SOFT, ev.loggedIn(60)]).when(ev.report('job-9', 61));
    expect(then.context.recovery).toMatchObject({ number: 2, outcome: 'running', joinedReports: 0 });
    expect(then.context.recoveries).toBe(2);
  });

  it('a report while starting up is counted and changes nothing else', () => {
    const then = spec.given(INPUT).when(ev.report());
    expect(then.value).toBe('launching');
    expect(then.effects).toEqual([]);
    expect(then.context).toMatchObject({ failureReports: 1, recoveries: 0, recovery: null });
  });
});
