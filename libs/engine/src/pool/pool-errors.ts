// Errors of the session pool. Callers check the class or the code, never the message.
import { EngineError } from '@engine/core';

/** Every session is leased and the pool is at its maximum size: nothing can be evicted. */
export class PoolExhaustedError extends EngineError {
  constructor(maxSize: number) {
    super('POOL_EXHAUSTED', `session pool full: all ${maxSize} sessions are leased`, { details: { maxSize } });
  }
}

/** The session could not be opened (login refused, browser would not start); `reason` is a code. */
export class PoolSessionUnavailableError extends EngineError {
  constructor(key: string, reason: string) {
    super('POOL_SESSION_UNAVAILABLE', `pooled session ${key.slice(0, 12)}… could not be opened: ${reason}`, { details: { key, reason } });
  }
}

/** The holder's lease ran out (it was presumed crashed) or the pool closed the session under it. */
export class LeaseRevokedError extends EngineError {
  constructor(leaseId: string, reason: 'expired' | 'closed') {
    super('LEASE_REVOKED', `lease ${leaseId} ${reason === 'expired' ? 'expired' : 'revoked: session closed'}`, { details: { leaseId, reason } });
  }
}
