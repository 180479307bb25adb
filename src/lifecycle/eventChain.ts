import { canonicalJson, sha256Hex } from '../kernel/hash.js';
import type { StoredEvent } from '../model/event.js';

/**
 * The hash chain of a timeline (DESIGN §4): each stored event's hash covers the previous hash
 * and the event's canonical JSON, so anyone can verify that a timeline was not edited.
 *
 * @module
 */

/** The hash that precedes the first event of every timeline. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash of `event` chained after `previousHash`. */
export function hashEvent(previousHash: string, event: Omit<StoredEvent, 'hash'>): Promise<string> {
  const { id, tenantId, incidentId, seq, type, at, actor, data } = event;
  return sha256Hex(previousHash + canonicalJson({ id, tenantId, incidentId, seq, type, at, actor, data }));
}

/** The result of {@link verifyChain}. */
export type TimelineVerification = { readonly ok: true } | { readonly ok: false; readonly brokenAt: number };

/** Recomputes the hash chain of a timeline; reports the first `seq` whose hash or position is wrong. */
export async function verifyChain(events: readonly StoredEvent[]): Promise<TimelineVerification> {
  let previous = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const expectedSeq = index + 1;
    if (event.seq !== expectedSeq) return { ok: false, brokenAt: expectedSeq };
    const hash = await hashEvent(previous, event);
    if (hash !== event.hash) return { ok: false, brokenAt: event.seq };
    previous = hash;
  }
  return { ok: true };
}
