// What the API shows of a session lease, derived from its stream's state (the log is the truth):
// who, when, ttl, mode and state. What a lease hands out (the DevTools endpoint, the cookies) is
// never part of the view: it is added once, to the answer of the request that created the lease.
import { z } from 'zod/v4';
import type { StateOf } from '@engine/core';
import type { SessionLeaseDefinition } from '@engine/machines';

export const leaseViewSchema = z.object({
  leaseId: z.string(),
  portal: z.string(),
  mode: z.enum(['devtools', 'cookies']),
  state: z.string().describe('opening, active, closing or closed'),
  by: z.string().describe('who asked for it'),
  createdAt: z.string(),
  expiresAt: z.string().describe('when it ends by itself'),
  ttlMs: z.number().int(),
  openedAt: z.string().nullable(),
  endReason: z.enum(['released', 'expired', 'lost', 'open_failed']).nullable(),
  endedBy: z.string().nullable().describe('who released it, or what was lost (engine_restarted, browser_crashed)'),
  closedAt: z.string().nullable(),
  lastFailure: z.string().nullable().describe('the code of a failure to open or close it'),
});
export type LeaseView = z.infer<typeof leaseViewSchema>;

export const leaseCookieSchema = z.object({
  name: z.string(),
  value: z.string(),
  domain: z.string(),
  path: z.string(),
  expires: z.number().nullable().describe('seconds since the epoch; null for a session cookie'),
  httpOnly: z.boolean(),
  secure: z.boolean(),
  sameSite: z.string().nullable(),
});
export type LeaseCookie = z.infer<typeof leaseCookieSchema>;

/** The answer to a lease request: the view, plus what was lent (handed out once, never recorded). */
export const grantedLeaseSchema = leaseViewSchema.extend({
  devtools: z
    .object({ browserWSEndpoint: z.string().describe('ws://127.0.0.1:<port>/devtools/browser/<id> of the lease\'s own browser; gone once the lease ends') })
    .nullable(),
  cookies: z.array(leaseCookieSchema).nullable().describe('mode cookies: the session\'s cookies for the portal origin'),
});
export type GrantedLease = z.infer<typeof grantedLeaseSchema>;

export function leaseView(state: StateOf<SessionLeaseDefinition>): LeaseView {
  const c = state.context;
  return {
    leaseId: c.leaseId,
    portal: c.portal,
    mode: c.mode,
    state: String(state.value),
    by: c.by,
    createdAt: c.createdAt,
    expiresAt: c.expiresAt,
    ttlMs: c.ttlMs,
    openedAt: c.openedAt,
    endReason: c.endReason,
    endedBy: c.endedBy,
    closedAt: c.closedAt,
    lastFailure: c.lastFailure,
  };
}
