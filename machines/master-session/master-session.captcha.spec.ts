// The captcha lifecycle of machine version 2: a challenge recorded with its policy expires on a
// durable timer; nobody answering leads to a new challenge after a doubling wait (never to a
// wait without a timer); a refused answer asks a new challenge at once; a withdrawn login (the
// process restarted) asks again. Version-1 challenges (no policy) are specified in
// master-session.machine.spec.ts and replayed from a real log in master-session.versions.spec.ts.
import { resolveSnapshot } from '@engine/core';
import { machineSpec } from '@engine/core/testing';
import { CAPTCHA_POLICY, INPUT, TO_SOFT, ev } from './master-session.fixtures';
import { MASTER_SESSION_MACHINE } from './master-session.machine';

const spec = machineSpec(MASTER_SESSION_MACHINE);
const login = (challengeId: string | null) => ({ portal: 'portal-a', credentialsRef: 'secret://portal-a/login', challengeId });
const open = [ev.launched(), ev.timedCaptcha('ch-1')];
/** `n` challenges in a row expire unanswered (each followed by its retry wait and a new challenge but the last). */
const unanswered = (n: number) =>
  Array.from({ length: n }, (_, i) => [ev.timer('captchaExpiry'), ...(i < n - 1 ? [ev.timer('captchaRetry'), ev.timedCaptcha(`ch-${i + 2}`)] : [])]).flat();

describe('master session: a timed captcha', () => {
  it('records the challenge with its deadline and arms the expiry timer', () => {
    const { now } = spec.given(INPUT, open);
    expect(now.value).toBe('awaitingCaptcha');
    expect(now.timersArmed).toEqual([{ name: 'captchaExpiry', delayMs: 60_000 }]);
    expect(now.context.captcha).toEqual({
      challengeId: 'ch-1',
      askedAt: '2026-01-01T00:00:03.000Z',
      expiresAt: '2026-01-01T00:01:03.000Z',
      policy: CAPTCHA_POLICY,
      unanswered: 0,
      wrongAnswers: 0,
      answered: false,
    });
  });

  it('an answer in time cancels the expiry and logs in with it', () => {
    const then = spec.given(INPUT, open).when(ev.captchaAnswered('ch-1'));
    expect(then.value).toBe('loggingIn');
    expect(then.timersCancelled).toEqual(['captchaExpiry']);
    expect(then.effects).toEqual([{ type: 'login', params: login('ch-1') }]);
    expect(then.context.captcha?.answered).toBe(true);
    const ready = spec.given(INPUT, [...open, ev.captchaAnswered('ch-1')]).when(ev.loggedIn(9));
    expect(ready.value).toBe('ready');
    expect(ready.context.captcha).toBeNull();
  });

  it('on expiry the parked login is withdrawn and a new challenge is asked after the retry wait', () => {
    const expired = spec.given(INPUT, open).when(ev.timer('captchaExpiry'));
    expect(expired.value).toBe('captchaBackoff');
    expect(expired.effects).toEqual([{ type: 'withdrawCaptcha', params: { portal: 'portal-a', challengeId: 'ch-1' } }]);
    expect(expired.timersArmed).toEqual([{ name: 'captchaRetry', delayMs: 5_000 }]);
    expect(expired.context.captcha?.unanswered).toBe(1);
    const again = spec.given(INPUT, [...open, ev.timer('captchaExpiry')]).when(ev.timer('captchaRetry'));
    expect(again.value).toBe('loggingIn');
    expect(again.effects).toEqual([{ type: 'login', params: login(null) }]);
  });

  it('never waits without a timer: each unanswered challenge doubles the wait, up to the maximum', () => {
    const waits = [1, 2, 3, 4, 5].map((n) => spec.given(INPUT, [ev.launched(), ev.timedCaptcha('ch-1'), ...unanswered(n)]).now);
    expect(waits.map((w) => w.value)).toEqual(Array(5).fill('captchaBackoff'));
    expect(waits.map((w) => w.context.captcha?.unanswered)).toEqual([1, 2, 3, 4, 5]);
    for (const w of waits) expect(w.state.timers).toHaveProperty('captchaRetry');
    expect(waits.map((w) => w.timersArmed[0]?.delayMs)).toEqual([5_000, 10_000, 20_000, 30_000, 30_000]);
  });

  it('the counters carry over to the next challenge and end with the login', () => {
    const third = spec.given(INPUT, [...open, ...unanswered(2), ev.timer('captchaRetry'), ev.timedCaptcha('ch-3')]).now;
    expect(third.context.captcha).toMatchObject({ challengeId: 'ch-3', unanswered: 2 });
    expect(spec.given(INPUT, [...open, ...unanswered(2), ev.timer('captchaRetry')]).when(ev.loggedIn(400)).context.captcha).toBeNull();
  });

  it('an answer to an expired challenge is refused, naming the state', () => {
    const then = spec.given(INPUT, [...open, ev.timer('captchaExpiry')]).when(ev.captchaAnswered('ch-1'));
    expect(then.accepted).toBe(false);
    const waiting = spec.given(INPUT, [...open, ev.timer('captchaExpiry'), ev.timer('captchaRetry'), ev.timedCaptcha('ch-2')]).now.state;
    const snapshot = resolveSnapshot(MASTER_SESSION_MACHINE, waiting);
    expect(snapshot.can(ev.captchaAnswered('ch-1'))).toBe(false);
    expect(MASTER_SESSION_MACHINE.refusal(snapshot, ev.captchaAnswered('ch-1'))).toBe('the session waits for challenge ch-2, not ch-1');
  });

  it('a refused answer is recorded and a new challenge is asked at once, in the same login', () => {
    const then = spec.given(INPUT, [...open, ev.captchaAnswered('ch-1')]).when(ev.loginFailed('CAPTCHA_REJECTED'));
    expect(then.value).toBe('loggingIn');
    expect(then.recorded[0]).toBe('LOGIN_FAILED');
    expect(then.effects).toEqual([{ type: 'login', params: login(null) }]);
    expect(then.context.captcha).toMatchObject({ wrongAnswers: 1, answered: false });
    expect(then.context.recovery).toBeNull();
  });

  it('any other refusal after an answer goes the usual way (recovery) and forgets the challenge', () => {
    const then = spec.given(INPUT, [...open, ev.captchaAnswered('ch-1')]).when(ev.loginFailed('LOGIN_FAILED'));
    expect(then.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(then.context.captcha).toBeNull();
  });

  it('a login withdrawn by a restart asks a new challenge at once; withdrawn otherwise, after the retry wait', () => {
    const restarted = spec.given(INPUT, open).when(ev.captchaWithdrawn('ch-1', 'process_restarted'));
    expect(restarted.value).toBe('loggingIn');
    expect(restarted.timersCancelled).toEqual(['captchaExpiry']);
    expect(restarted.effects).toEqual([{ type: 'login', params: login(null) }]);
    const gaveUp = spec.given(INPUT, open).when(ev.captchaWithdrawn('ch-1', 'TIMEOUT'));
    expect(gaveUp.value).toBe('captchaBackoff');
    expect(gaveUp.timersArmed).toEqual([{ name: 'captchaRetry', delayMs: 5_000 }]);
    expect(spec.given(INPUT, open).when(ev.captchaWithdrawn('ch-other')).accepted).toBe(false);
  });

  it('inside a recovery the same lifecycle runs within the attempt', () => {
    const given = spec.given(INPUT, [...TO_SOFT, ev.timedCaptcha('ch-5', 60)]);
    expect(given.now.value).toEqual({ recovering: { soft: { attempt: 'awaitingCaptcha' } } });
    const expired = given.when(ev.timer('captchaExpiry'));
    expect(expired.value).toEqual({ recovering: { soft: { attempt: 'captchaBackoff' } } });
    const again = spec.given(INPUT, [...TO_SOFT, ev.timedCaptcha('ch-5', 60), ev.timer('captchaExpiry')]).when(ev.timer('captchaRetry'));
    expect(again.value).toEqual({ recovering: { soft: { attempt: 'relogin' } } });
    expect(again.effects).toEqual([{ type: 'relogin', params: login(null) }]);
    expect(again.context.recovery?.attempts).toEqual([{ level: 'soft', try: 1, outcome: 'running', error: null }]);
  });
});
