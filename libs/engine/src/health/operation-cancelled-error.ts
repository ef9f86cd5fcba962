// Thrown to the caller of an operation its session's death cancelled (in flight or waiting).
// Callers and summaries check the code and the root cause, never the message.
import { EngineError } from '@engine/core';
import { deathReason, type SessionDeath } from './operation-record';

export class OperationCancelledError extends EngineError {
  constructor(
    readonly operation: string,
    readonly rootCause: SessionDeath,
  ) {
    super('OPERATION_CANCELLED', `${operation} cancelled: ${deathReason(rootCause)}`, { details: { operation, rootCause } });
  }
}
