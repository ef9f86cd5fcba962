// The server's logger never writes a secret-named field's value, at any depth, in any spelling,
// while it keeps the fields an operator needs.
import { Writable } from 'node:stream';
import { CENSOR, createPinoLogger, isSecretKey, redactSecrets } from './pino-logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createPinoLogger(stream, 'info'), parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

const SECRET = 'hunter2-S3cret-value';

describe('createPinoLogger', () => {
  it('redacts password, token, captcha answer and authorization fields at the top level and nested', () => {
    const { logger, lines, parsed } = capture();
    logger.info('login', {
      portal: 'portal-sim',
      password: SECRET,
      token: SECRET,
      captchaAnswer: SECRET,
      captcha: SECRET,
      answer: SECRET,
      request: { headers: { authorization: `Bearer ${SECRET}`, Authorization: `Bearer ${SECRET}`, cookie: `ASP.NET_SessionId=${SECRET}` } },
      login: { user: { credentials: { username: 'agent', password: SECRET } } },
      deep: { a: { b: { c: { d: { apiToken: SECRET, db_password: SECRET } } } } },
      attempts: [{ level: 'soft', secret: SECRET }],
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    const [line] = parsed();
    expect(line).toMatchObject({ msg: 'login', portal: 'portal-sim', password: CENSOR, token: CENSOR, captchaAnswer: CENSOR, captcha: CENSOR, answer: CENSOR });
    expect(line.request.headers).toEqual({ authorization: CENSOR, Authorization: CENSOR, cookie: CENSOR });
    expect(line.login.user.credentials).toBe(CENSOR);
    expect(line.deep.a.b.c.d).toEqual({ apiToken: CENSOR, db_password: CENSOR });
    expect(line.attempts).toEqual([{ level: 'soft', secret: CENSOR }]);
  });

  it('keeps the fields an operator needs, at every level', () => {
    const { logger, parsed } = capture();
    logger.error('effect failed', { stream: 'job-1', effectId: 'job-1:4:0', code: 'SESSION_EXPIRED', nested: { stage: 'filling', attempt: 2 } });
    expect(parsed()[0]).toMatchObject({ level: 50, msg: 'effect failed', service: 'portal-engine', stream: 'job-1', effectId: 'job-1:4:0', code: 'SESSION_EXPIRED', nested: { stage: 'filling', attempt: 2 } });
  });

  it('does not loop on a cyclic field, and redacts inside errors', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const error = Object.assign(new Error('login refused'), { password: SECRET });
    logger.warn('odd fields', { cyclic, error });
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0])).toMatchObject({ cyclic: { name: 'a', self: '[circular]' }, error: { message: 'login refused', password: CENSOR } });
  });

  it('leaves the caller\'s object untouched', () => {
    const fields = { password: SECRET, nested: { token: SECRET } };
    redactSecrets(fields);
    expect(fields).toEqual({ password: SECRET, nested: { token: SECRET } });
  });

  it.each([['password'], ['Password'], ['X-Api-Token'], ['set-cookie'], ['clientSecret'], ['captcha_answer'], ['credentials']])('treats %s as a secret key', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([['portal'], ['stream'], ['credentialsRef'], ['reference'], ['challengeId'], ['code']])('keeps %s', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});
