// Passwords never leave the process: the redacted form keeps where the store is, not the secret.
import { redactUrl } from './postgres-redact-url';

describe('redactUrl', () => {
  it('hides the password in the userinfo and in query parameters, keeps host, port, user and database', () => {
    const redacted = redactUrl('postgres://engine:s3cr%40t@db.local:5433/events?sslpassword=k3y&application_name=w1');

    expect(redacted).not.toContain('s3cr');
    expect(redacted).not.toContain('k3y');
    expect(redacted).toContain('engine:***@db.local:5433/events');
    expect(redacted).toContain('application_name=w1');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('postgres://engine@127.0.0.1:5432/events')).toBe('postgres://engine@127.0.0.1:5432/events');
  });

  it('hides a string it cannot parse entirely, since it may be all secret', () => {
    expect(redactUrl('not a url with hunter2')).not.toContain('hunter2');
  });
});
