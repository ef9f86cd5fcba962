// Portal ids become folder names, so they are validated against a strict pattern before any
// path is built from them; raw input never reaches the file system.
import { ValidationError } from '@engine/core';

const PORTAL_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function assertPortalId(portalId: string): string {
  if (typeof portalId !== 'string' || !PORTAL_ID.test(portalId)) {
    throw new ValidationError('invalid portal id', { portalId: 'lowercase letters, digits and inner dashes, at most 64' });
  }
  return portalId;
}

const ACCOUNT_SUFFIX = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** A master profile's id: a portal id, or `<portal>.<account>` for a portal's further account. */
export function assertProfileId(profileId: string): string {
  const [portal, account, ...rest] = typeof profileId === 'string' ? profileId.split('.') : [];
  if (portal === undefined || !PORTAL_ID.test(portal) || (account !== undefined && !ACCOUNT_SUFFIX.test(account)) || rest.length > 0) {
    throw new ValidationError('invalid profile id', { profileId: 'a portal id, or <portal>.<account> with an account of lowercase letters, digits and inner dashes, at most 32' });
  }
  return profileId;
}
