import type { IdGenerator, IdKind } from './ids.js';

/**
 * An id generator that counts per kind (`inc_1`, `evt_1`, `evt_2`, …): deterministic ids for
 * tests and snapshots.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { sequentialIds } from 'incidentkit/testing';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), ids: sequentialIds() });
 * ```
 */
export function sequentialIds(prefix = ''): IdGenerator {
  const counters = new Map<IdKind, number>();
  const short: Readonly<Record<IdKind, string>> = { incident: 'inc', event: 'evt', actionItem: 'act', message: 'msg', change: 'chg', problem: 'prb' };
  return (kind) => {
    const next = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, next);
    return `${prefix}${short[kind]}_${String(next)}`;
  };
}
