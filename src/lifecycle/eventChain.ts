import { canonicalJson, sha256Hex } from '../kernel/hash.js';
import type { StoredEvent } from '../model/event.js';

/**
 * The hash chain of a timeline (DESIGN §4): each stored event's hash covers the previous hash
 * and the event's canonical JSON, so anyone can verify that a timeline was not edited.
 *
 * @module
 */

/** The hash that precedes the first event of every timeline. */
export const GENESIS_HASH = /* @__PURE__ */ '0'.repeat(64);

/** The hash of `event` chained after `previousHash`. */
export function hashEvent(previousHash: string, event: Omit<StoredEvent, 'hash'>): Promise<string> {
  const { id, tenantId, incidentId, seq, type, at, actor, data } = event;
  return sha256Hex(previousHash + canonicalJson({ id, tenantId, incidentId, seq, type, at, actor, data }));
}

/** The result of {@link verifyChain}. */
export type TimelineVerification =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The first `seq` that was altered or lost (for `projection`, the incident's version). */
      readonly brokenAt: number;
      /**
       * What failed: `chain` (an event's hash or position), `truncated` (the log stops short of
       * the projection), `projection` (the stored incident is not what its events replay to),
       * `anchor` (the log no longer holds an anchored `{ seq, hash }`). Absent from `verifyChain`
       * results before this field existed; always set by the engine.
       */
      readonly reason?: 'chain' | 'truncated' | 'projection' | 'anchor';
      /** For `projection`: the incident's top-level fields that differ from the replay. */
      readonly fields?: readonly string[];
    };

/** A point of a timeline kept outside the database (`engine.anchor`): its `seq` and `hash`. */
export interface TimelineAnchor {
  readonly incidentId: string;
  readonly seq: number;
  readonly hash: string;
}

/** Recomputes the hash chain of a timeline; reports the first `seq` whose hash or position is wrong. */
export async function verifyChain(events: readonly StoredEvent[]): Promise<TimelineVerification> {
  let previous = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const expectedSeq = index + 1;
    if (event.seq !== expectedSeq) return { ok: false, brokenAt: expectedSeq, reason: 'chain' };
    const hash = await hashEvent(previous, event);
    if (hash !== event.hash) return { ok: false, brokenAt: event.seq, reason: 'chain' };
    previous = hash;
  }
  return { ok: true };
}
