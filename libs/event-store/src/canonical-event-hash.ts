// The append path's hash: core's eventHash, computed from the canonical JSON text the stores
// keep instead of from objects, so an event is serialized once per append, not twice (hashing
// dominated the CPU cost of an append). canonical-event-hash.spec.ts holds it equal to eventHash;
// verify() hashes the stored text the same way and, when that differs, recomputes with eventHash
// itself from the parsed objects (chain-verifier.ts).
import { createHash } from 'node:crypto';

/** An event's parts as canonical JSON text (core's canonicalJson). */
export interface CanonicalEventParts {
  type: string;
  data: string;
  stateAfter: string;
  meta: string;
}

export function canonicalEventHash(prevHash: string, stream: string, version: number, parts: CanonicalEventParts): string {
  // The body canonicalJson builds for eventHash: its keys in sorted order.
  const body = `{"data":${parts.data},"meta":${parts.meta},"stateAfter":${parts.stateAfter},"stream":${JSON.stringify(stream)},"type":${JSON.stringify(parts.type)},"version":${version}}`;
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
