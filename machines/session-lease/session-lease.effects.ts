// The effects a session lease asks the host to run, implemented by the lease runtime in
// libs/engine/src/leases. Params name the lease and its portal only.
// `openLease` is not re-run after a crash (its handler reconciles it as lost: the caller that
// asked for it got no answer and nobody holds the endpoint); `closeLease` is idempotent.

export type LeaseMode = 'devtools' | 'cookies';

/** Copies the portal's master session into an isolated browser (devtools) or reads its cookies (cookies). Answers LEASE_OPENED. */
export interface OpenLeaseParams {
  leaseId: string;
  portal: string;
  mode: LeaseMode;
}

/** Closes the isolated browser (devtools) or forgets the cookies not yet handed out (cookies). Answers LEASE_CLOSED. */
export interface CloseLeaseParams {
  leaseId: string;
  reason: LeaseEndReason;
}

/** Why a lease ended: given back, its ttl ran out, what it handed out was lost, or it could not be opened. */
export type LeaseEndReason = 'released' | 'expired' | 'lost' | 'open_failed';

export interface SessionLeaseEffectParams {
  openLease: OpenLeaseParams;
  closeLease: CloseLeaseParams;
}

export type SessionLeaseEffect = keyof SessionLeaseEffectParams;
