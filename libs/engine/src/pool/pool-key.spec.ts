// The pool key: a stable sha256 of the credentials' canonical form, different for any other
// credentials, and an HMAC (a different key) when the deployment sets a pepper.
import { poolKey } from './pool-key';

const AGENT = { portal: 'portal-a', username: 'agent', password: 'Secr3t!pass' };

describe('poolKey', () => {
  it('is a sha256 hex digest that does not depend on property order', () => {
    const reordered = { password: 'Secr3t!pass', username: 'agent', portal: 'portal-a' };
    expect(poolKey(AGENT)).toMatch(/^[0-9a-f]{64}$/);
    expect(poolKey(reordered)).toBe(poolKey(AGENT));
  });

  it('differs when any credential differs', () => {
    const keys = new Set([
      poolKey(AGENT),
      poolKey({ ...AGENT, password: 'Secr3t!pasS' }),
      poolKey({ ...AGENT, username: 'agent2' }),
      poolKey({ ...AGENT, portal: 'portal-b' }),
    ]);
    expect(keys.size).toBe(4);
  });

  it('with a pepper is a different, still stable key', () => {
    expect(poolKey(AGENT, 'deployment-secret')).not.toBe(poolKey(AGENT));
    expect(poolKey(AGENT, 'deployment-secret')).toBe(poolKey(AGENT, 'deployment-secret'));
  });

  it('ignores fields outside the credentials', () => {
    expect(poolKey({ ...AGENT, extra: 'x' } as typeof AGENT)).toBe(poolKey(AGENT));
  });
});
