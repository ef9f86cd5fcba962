// Names of a portal's master sessions, one per account. The first account of a portal (and a
// portal with a single credentials reference) keeps the instance id `<portal>`, so its stream
// stays `master-<portal>` and older logs, the API and the inspector keep working; every other
// account is `<portal>.<account>` (stream `master-<portal>.<account>`). Portal and account ids
// are lowercase letters, digits and inner dashes, so the dot is unambiguous and every name is
// safe as a folder name (the account's browser profile).

export const MASTER_STREAM_PREFIX = 'master-';

const ACCOUNT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** Whether `id` is a valid account id: lowercase letters, digits and inner dashes, at most 32. */
export function isAccountId(id: unknown): id is string {
  return typeof id === 'string' && ACCOUNT_ID.test(id);
}

/** The master session's instance id: `<portal>` for the default account, `<portal>.<account>` for another. */
export function masterSessionId(portal: string, account: string | null = null): string {
  return account === null ? portal : `${portal}.${account}`;
}

/** The master session's stream: `master-<portal>` or `master-<portal>.<account>`. */
export function masterSessionStream(portal: string, account: string | null = null): string {
  return `${MASTER_STREAM_PREFIX}${masterSessionId(portal, account)}`;
}

/** The portal and account (null: the default one) a master session instance id names. */
export function parseMasterSessionId(id: string): { portal: string; account: string | null } {
  const dot = id.indexOf('.');
  return dot < 0 ? { portal: id, account: null } : { portal: id.slice(0, dot), account: id.slice(dot + 1) };
}
