// Per-stream hash chain: hash(n) = sha256(hash(n-1) + canonical(event n)). Editing, deleting
// or reordering any event breaks every hash after it, so an audit can prove nothing changed.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { NewEvent } from './recorded-event';

export const GENESIS_HASH = '0'.repeat(64);

export function eventHash(prevHash: string, stream: string, version: number, event: NewEvent): string {
  const body = canonicalJson({ stream, version, type: event.type, data: event.data, stateAfter: event.stateAfter, meta: event.meta });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
