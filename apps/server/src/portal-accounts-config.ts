// A PORTALS entry's `accounts`, validated on its own: the logins a portal spreads its jobs over,
// instead of its single `credentialsRef`. Each has an id (lowercase letters, digits and inner
// dashes, at most 32: part of its master session's stream `master-<portal>.<id>` and of its
// profile folder), a credentials reference, optionally its share of the portal's attempts
// (`concurrency`) and its own proxy and proxy login over the portal's `browser.proxy` settings.
// A bad value is refused with its place, e.g. `portals[0].accounts[1].id: …`; no value is echoed.
// Nothing from the engine is loaded here (reading the configuration loads no engine code): the
// id rule is the one of machines/master-session/master-session.names.ts, and a test holds them equal.
import { SETTINGS } from './settings/settings-schema';

/** machines' isAccountId, repeated: lowercase letters, digits and inner dashes, at most 32. */
export const ACCOUNT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const isAccountId = (id: unknown): id is string => typeof id === 'string' && ACCOUNT_ID.test(id);

export interface AccountConfig {
  id: string;
  /** Secret reference of this account's login. */
  credentialsRef: string;
  /** Attempts in flight at once on this account. Default: only the portal's and the global limits. */
  concurrency?: number;
  /** The proxy this account's browser goes through, over the portal's `browser.proxy`. */
  proxy?: string;
  /** The proxy's login, over the portal's `browser.proxyCredentialsRef`. */
  proxyCredentialsRef?: string;
}

const KEYS = ['id', 'credentialsRef', 'concurrency', 'proxy', 'proxyCredentialsRef'] as const;
const MAX_ACCOUNTS = 32;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `raw` is the entry's `accounts` (absent: none); `at` names it in errors, e.g. `portals[0].accounts`. */
export function parsePortalAccounts(raw: unknown, at: string, secretsFile: boolean): { accounts: AccountConfig[] | undefined } | { error: string } {
  if (raw === undefined) return { accounts: undefined };
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ACCOUNTS) return { error: `${at}: must be a list of 1..${MAX_ACCOUNTS} accounts { id, credentialsRef, concurrency?, proxy?, proxyCredentialsRef? }` };
  const accounts: AccountConfig[] = [];
  for (const [i, entry] of raw.entries()) {
    const place = `${at}[${i}]`;
    if (!isRecord(entry)) return { error: `${place}: must be an object { id, credentialsRef, concurrency?, proxy?, proxyCredentialsRef? }` };
    const unknown = Object.keys(entry).find((key) => !(KEYS as readonly string[]).includes(key));
    if (unknown !== undefined) return { error: `${place}.${unknown}: unknown key (known: ${KEYS.join(', ')})` };
    if (!isAccountId(entry.id)) return { error: `${place}.id: must be lowercase letters, digits and inner dashes, at most 32` };
    if (accounts.some((a) => a.id === entry.id)) return { error: `${place}.id: ${entry.id} is already the id of another account of this portal` };
    if (typeof entry.credentialsRef !== 'string' || entry.credentialsRef === '') return { error: `${place}.credentialsRef: must be a non-empty string (a secret reference)` };
    const account: AccountConfig = { id: entry.id, credentialsRef: entry.credentialsRef };
    if (entry.concurrency !== undefined) {
      if (typeof entry.concurrency !== 'number' || !Number.isInteger(entry.concurrency) || entry.concurrency < 1 || entry.concurrency > 64) return { error: `${place}.concurrency: must be an integer 1..64` };
      account.concurrency = entry.concurrency;
    }
    for (const key of ['proxy', 'proxyCredentialsRef'] as const) {
      const value = entry[key];
      if (value === undefined) continue;
      const type = SETTINGS[key === 'proxy' ? 'browser.proxy' : 'browser.proxyCredentialsRef'].type;
      if (typeof value !== 'string' || !type.schema.safeParse(value).success) return { error: `${place}.${key}: must be ${type.rule}` };
      account[key] = value;
    }
    if (account.proxyCredentialsRef !== undefined && !secretsFile) return { error: `${place}.proxyCredentialsRef: needs SECRETS_FILE, where the reference is resolved` };
    accounts.push(account);
  }
  return { accounts };
}
