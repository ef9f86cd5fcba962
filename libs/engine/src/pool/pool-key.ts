// The pool's key for a set of credentials: sha256 over their canonical JSON, so the same
// credentials always find the same session and neither the machine nor the log ever sees them.
// With a pepper (a secret of this deployment) it is an HMAC, so a leaked log does not allow
// testing password guesses against the keys offline.
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '@engine/core';

export interface PoolCredentials {
  portal: string;
  username: string;
  password: string;
}

export function poolKey(credentials: PoolCredentials, pepper?: string): string {
  const canonical = canonicalJson({ portal: credentials.portal, username: credentials.username, password: credentials.password });
  return (pepper ? createHmac('sha256', pepper) : createHash('sha256')).update(canonical).digest('hex');
}
