// The HTTP solver against a local fake of a submit-then-poll captcha service on 127.0.0.1:
// the image and key go to the service, polls wait out CAPCHA_NOT_READY, every failure is a
// CaptchaUnsolvableError (or the run's timeout / abort) and no error ever holds the key.
import { AbortedError, MemorySecretProvider, TimeoutError } from '@engine/core';
import { startFakeCaptchaService, type FakeCaptchaService } from '@engine/portals/testing';
import { CaptchaUnsolvableError } from './errors';
import { HttpCaptchaSolver } from './http-captcha-solver';

const KEY = 'K3Y9SECRET7XYZ';
const KEY_REF = 'secret://captcha-service';
const challenge = { image: Buffer.from('\x89PNG fake image bytes'), portal: 'portal-sim', captchaId: 'c-1' };

function expectNoKey(error: unknown): void {
  const e = error as { message: string; stack?: string; details?: unknown; cause?: unknown };
  expect(`${e.message} ${e.stack} ${JSON.stringify(e.details ?? {})} ${String(e.cause ?? '')}`).not.toContain(KEY);
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the solve to fail');
    },
    (error: unknown) => error,
  );
}

describe('HttpCaptchaSolver', () => {
  let service: FakeCaptchaService;
  let secrets: MemorySecretProvider;
  const solver = (options: { pollIntervalMs?: number; timeoutMs?: number; url?: string } = {}) =>
    new HttpCaptchaSolver({ url: options.url ?? service.url, keyRef: KEY_REF, secrets, pollIntervalMs: options.pollIntervalMs ?? 5, timeoutMs: options.timeoutMs });

  beforeEach(async () => {
    service = await startFakeCaptchaService({ key: KEY, answer: (image) => (image.equals(challenge.image) ? 'X7Q2K' : 'ERROR_CAPTCHA_UNSOLVABLE'), notReadyPolls: 2 });
    secrets = new MemorySecretProvider().set(KEY_REF, { username: 'captcha-service', password: KEY });
  });

  afterEach(() => service.close());

  it('submits the image with the key, polls past CAPCHA_NOT_READY and returns the answer', async () => {
    await expect(solver().solve(challenge, { timeoutMs: 10_000 })).resolves.toBe('X7Q2K');
    expect(service.submitted).toEqual([challenge.image]);
    expect(service.polls).toBe(3);
    expect(service.requests[0]).toBe('POST /in.php');
    expect(service.requests.slice(1)).toEqual(Array(3).fill(`GET /res.php?key=${KEY}&action=get&id=1&json=1`));
  });

  it('reads the key at each solve, so a rotated key needs no restart', async () => {
    secrets.set(KEY_REF, { username: 'captcha-service', password: 'OLDKEY' });
    const error = await failureOf(solver().solve(challenge, { timeoutMs: 10_000 }));
    expect(error).toBeInstanceOf(CaptchaUnsolvableError);
    expect((error as CaptchaUnsolvableError).details).toMatchObject({ reason: 'captcha service: submit refused (ERROR_WRONG_USER_KEY)' });
    secrets.set(KEY_REF, { username: 'captcha-service', password: KEY });
    await expect(solver().solve(challenge, { timeoutMs: 10_000 })).resolves.toBe('X7Q2K');
  });

  it('turns a refused submission into CaptchaUnsolvableError naming the service\'s code, without the key', async () => {
    service.set({ submitError: 'ERROR_ZERO_BALANCE' });
    const error = await failureOf(solver().solve(challenge, { timeoutMs: 10_000 }));
    expect(error).toBeInstanceOf(CaptchaUnsolvableError);
    expect((error as CaptchaUnsolvableError).details).toEqual({ portal: 'portal-sim', reason: 'captcha service: submit refused (ERROR_ZERO_BALANCE)' });
    expectNoKey(error);
  });

  it('turns an error while polling into CaptchaUnsolvableError', async () => {
    const error = await failureOf(solver().solve({ ...challenge, image: Buffer.from('unreadable') }, { timeoutMs: 10_000 }));
    expect(error).toBeInstanceOf(CaptchaUnsolvableError);
    expect((error as CaptchaUnsolvableError).details).toMatchObject({ reason: 'captcha service: no answer (ERROR_CAPTCHA_UNSOLVABLE)' });
    expectNoKey(error);
  });

  it('never repeats a reply that holds the key', async () => {
    service.set({ answer: () => `ERROR_${KEY}` });
    const error = await failureOf(solver().solve(challenge, { timeoutMs: 10_000 }));
    expect((error as CaptchaUnsolvableError).details).toMatchObject({ reason: 'captcha service: no answer (unrecognised reply)' });
    expectNoKey(error);
  });

  it('turns a service that is down or unreachable into CaptchaUnsolvableError', async () => {
    service.set({ httpStatus: 503 });
    const down = await failureOf(solver().solve(challenge, { timeoutMs: 10_000 }));
    expect((down as CaptchaUnsolvableError).details).toMatchObject({ reason: 'captcha service: HTTP 503' });
    expectNoKey(down);
    const gone = `${service.url}/`;
    await service.close();
    const unreachable = await failureOf(solver({ url: gone }).solve(challenge, { timeoutMs: 10_000 }));
    expect(unreachable).toBeInstanceOf(CaptchaUnsolvableError);
    expect((unreachable as CaptchaUnsolvableError).details).toMatchObject({ reason: 'captcha service: unreachable (ECONNREFUSED)' });
    expectNoKey(unreachable);
  });

  it('gives up after its own timeout, even when the caller allows longer', async () => {
    service.set({ neverReady: true });
    const error = await failureOf(solver({ timeoutMs: 200 }).solve(challenge, { timeoutMs: 60_000 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(200);
    expectNoKey(error);
  });

  it('keeps to the caller\'s deadline when it is the shorter one', async () => {
    service.set({ neverReady: true });
    const error = await failureOf(solver({ timeoutMs: 60_000 }).solve(challenge, { timeoutMs: 200 }));
    expect((error as TimeoutError).timeoutMs).toBe(200);
  });

  it('stops polling when the caller aborts', async () => {
    service.set({ neverReady: true });
    const controller = new AbortController();
    const solving = failureOf(solver().solve(challenge, { timeoutMs: 60_000, signal: controller.signal }));
    await service.pollsReached(1);
    controller.abort();
    const error = await solving;
    expect(error).toBeInstanceOf(AbortedError);
    expectNoKey(error);
  });
});
