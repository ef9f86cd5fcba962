// One error hierarchy for the whole engine. Callers check `code` or the class, never the message.
// The base class and the errors adapters throw live in the adapter kit, so an adapter and the
// engine share them; the engine's own errors below extend the same base.
import { EngineError } from '@portal-engine/adapter-kit';

export { AbortedError, BrowserError, EngineError, errorCode, PortalError, SessionExpiredError, TimeoutError, type ErrorDetails } from '@portal-engine/adapter-kit';

/** An append's expectedVersion did not match the stream: another writer won. */
export class VersionConflictError extends EngineError {
  constructor(readonly stream: string, readonly expected: number | string, readonly actual: number) {
    super('VERSION_CONFLICT', `stream ${stream}: expected version ${expected}, found ${actual}`, {
      details: { stream, expected, actual },
    });
  }
}

/**
 * A stream's lease has passed to another holder (scale-out): an append carrying an older
 * fencing token, or an effect about to act for a lease that is no longer current, is refused.
 * `current` is the lease's token now (null when there is no lease row).
 */
export class FencedOffError extends EngineError {
  constructor(readonly stream: string, readonly token: number, readonly current: number | null) {
    super('FENCED_OFF', `stream ${stream}: fencing token ${token} is no longer current (the lease is at ${current ?? 'no token'})`, {
      details: { stream, token, current },
    });
  }
}

/** A snapshot that does not match the log: no event at its version, or one with another chain hash. */
export class SnapshotNotInChainError extends EngineError {
  constructor(readonly stream: string, readonly version: number) {
    super('SNAPSHOT_NOT_IN_CHAIN', `stream ${stream}: a snapshot at version ${version} does not match the event stored there`, { details: { stream, version } });
  }
}

/** A store file is unreadable, tampered with at the page level, or not ours. Never reset silently. */
export class StoreCorruptError extends EngineError {
  constructor(readonly file: string, reason: string, cause?: unknown) {
    super('STORE_CORRUPT', `event store ${file}: ${reason}`, { cause, details: { file } });
  }
}

/** The store was written by a schema version this build does not know. */
export class UnknownSchemaVersionError extends EngineError {
  constructor(readonly file: string, readonly found: number, readonly supported: number) {
    super('UNKNOWN_SCHEMA_VERSION', `event store ${file}: schema version ${found}, this build supports ${supported}`, {
      details: { file, found, supported },
    });
  }
}

/** Input that fails validation. `fields` maps a field path to what is wrong with it. */
export class ValidationError extends EngineError {
  constructor(message: string, readonly fields: Record<string, string> = {}) {
    super('VALIDATION_FAILED', message, { details: { fields } });
  }
}

export class NotFoundError extends EngineError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`, { details: { what, id } });
  }
}

/** A command the current state does not accept (HTTP 409). */
export class InvalidCommandError extends EngineError {
  constructor(readonly stream: string, readonly command: string, readonly state: unknown, reason?: string) {
    super('INVALID_COMMAND', `stream ${stream}: ${command} is not allowed in state ${JSON.stringify(state)}${reason ? `: ${reason}` : ''}`, {
      details: { stream, command, state, reason },
    });
  }
}

/** Audit replay recomputed a different state than the one stored: the machine definition changed. */
export class ReplayMismatchError extends EngineError {
  constructor(readonly stream: string, readonly version: number, readonly machineVersion: string, readonly diff: string) {
    super('REPLAY_MISMATCH', `stream ${stream} version ${version} (machine version ${machineVersion}): replayed state differs from stored stateAfter: ${diff}`, {
      details: { stream, version, machineVersion, diff },
    });
  }
}

/**
 * A stream was recorded by a version of its machine that is not registered (neither the newest
 * definition nor one of its `previous`): it is refused rather than run on another definition.
 */
export class UnknownMachineVersionError extends EngineError {
  constructor(readonly stream: string, readonly machineId: string, readonly recorded: string, readonly registered: readonly string[]) {
    super('MACHINE_VERSION_UNREGISTERED', `stream ${stream} is on version ${recorded} of machine ${machineId}, which is not registered (registered: ${registered.join(', ')})`, {
      details: { stream, machineId, recorded, registered: [...registered] },
    });
  }
}

/** A hash chain does not verify: an event was edited, removed or reordered. */
export class ChainBrokenError extends EngineError {
  constructor(readonly stream: string, readonly version: number, reason: string) {
    super('CHAIN_BROKEN', `stream ${stream} version ${version}: ${reason}`, { details: { stream, version } });
  }
}





