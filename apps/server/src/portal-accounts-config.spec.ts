// A portal's `accounts` in PORTALS (and the config file's `portals`): read as given, refused with
// the place and the reason, never with a credential; an alternative to `credentialsRef`, not both.
import { ValidationError } from '@engine/core';
import { isAccountId } from '@engine/machines';
import { loadConfig } from './config';
import { ACCOUNT_ID } from './portal-accounts-config';

const fieldsOf = (env: NodeJS.ProcessEnv): Record<string, string> => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  return {};
};

const portal = (extra: object) => ({ adapter: 'portal-sim', options: { baseUrl: 'http://127.0.0.1:8080' }, ...extra });
const env = (...portals: object[]) => ({ PORTALS: JSON.stringify(portals), SECRETS_FILE: '/etc/engine/secrets.json' });

describe('portal accounts configuration', () => {
  it('reads a list of accounts with their shares and proxies; the portal keeps its first account as its credentials reference', () => {
    const accounts = [
      { id: 'main', credentialsRef: 'secret://sim/main' },
      { id: 'second-desk', credentialsRef: 'secret://sim/second', concurrency: 2, proxy: 'http://proxy.internal:3128', proxyCredentialsRef: 'secret://proxy/second' },
    ];
    const config = loadConfig(env(portal({ accounts })));
    expect(config.portals[0].accounts).toEqual(accounts);
    expect(config.portals[0].credentialsRef).toBe('secret://sim/main');
    expect(loadConfig(env(portal({ credentialsRef: 'secret://x' }))).portals[0]).not.toHaveProperty('accounts');
  });

  it('refuses accounts it cannot run, naming PORTALS, the place and the reason', () => {
    const refusal = (accounts: unknown) => fieldsOf(env(portal({ accounts })));
    const ok = { id: 'a', credentialsRef: 'secret://a' };
    expect(fieldsOf(env(portal({ credentialsRef: 'secret://x', accounts: [ok] })))).toEqual({ PORTALS: 'portals[0]: credentialsRef and accounts are alternatives: give one (a single login, or a list of accounts)' });
    expect(fieldsOf(env(portal({})))).toEqual({ PORTALS: 'portals[0]: needs adapter and credentialsRef (strings), or adapter and accounts' });
    expect(refusal([])).toEqual({ PORTALS: 'portals[0].accounts: must be a list of 1..32 accounts { id, credentialsRef, concurrency?, proxy?, proxyCredentialsRef? }' });
    expect(refusal([ok, 'b'])).toEqual({ PORTALS: 'portals[0].accounts[1]: must be an object { id, credentialsRef, concurrency?, proxy?, proxyCredentialsRef? }' });
    expect(refusal([{ ...ok, password: 'x' }])).toEqual({ PORTALS: 'portals[0].accounts[0].password: unknown key (known: id, credentialsRef, concurrency, proxy, proxyCredentialsRef)' });
    for (const id of ['Main', 'a.b', '../x', '-a', 'a'.repeat(33), 7]) {
      expect(refusal([{ ...ok, id }])).toEqual({ PORTALS: 'portals[0].accounts[0].id: must be lowercase letters, digits and inner dashes, at most 32' });
    }
    expect(refusal([ok, { ...ok, credentialsRef: 'secret://b' }])).toEqual({ PORTALS: 'portals[0].accounts[1].id: a is already the id of another account of this portal' });
    expect(refusal([{ id: 'a' }])).toEqual({ PORTALS: 'portals[0].accounts[0].credentialsRef: must be a non-empty string (a secret reference)' });
    expect(refusal([{ ...ok, concurrency: 0 }])).toEqual({ PORTALS: 'portals[0].accounts[0].concurrency: must be an integer 1..64' });
    expect(refusal([{ ...ok, proxy: 'ftp://proxy.internal' }])).toEqual({ PORTALS: 'portals[0].accounts[0].proxy: must be a proxy URL scheme://host:port (http, https, socks4, socks5)' });
    expect(refusal([{ ...ok, proxyCredentialsRef: 'plain' }])).toHaveProperty('PORTALS', expect.stringMatching(/^portals\[0\]\.accounts\[0\]\.proxyCredentialsRef: must be /));
    expect(fieldsOf({ PORTALS: JSON.stringify([portal({ accounts: [{ ...ok, proxyCredentialsRef: 'secret://p' }] })]) })).toEqual({ PORTALS: 'portals[0].accounts[0].proxyCredentialsRef: needs SECRETS_FILE, where the reference is resolved' });
  });

  it('never echoes a proxy login put in the URL', () => {
    const password = 'proxy-pw-0987654321';
    const fields = fieldsOf(env(portal({ accounts: [{ id: 'a', credentialsRef: 'secret://a', proxy: `http://user:${password}@proxy.internal:3128` }] })));
    expect(fields).toHaveProperty('PORTALS');
    expect(JSON.stringify(fields)).not.toContain(password);
  });

  it("uses the machines' account id rule", () => {
    for (const id of ['a', 'main', 'second-desk', 'a1', 'a'.repeat(32), 'A', 'a.b', 'a-', '', 'a'.repeat(33)]) expect(ACCOUNT_ID.test(id)).toBe(isAccountId(id));
  });
});
