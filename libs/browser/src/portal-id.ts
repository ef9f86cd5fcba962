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
