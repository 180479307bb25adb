/**
 * Hand-offs of a schedule: the instants where someone comes on call who was not on call just
 * before, for the hand-off notices of `engine.schedules`.
 */
import { compileSchedule, type Schedule } from './schedule.js';
import { segmentsOf } from './segments.js';

/** One hand-off: at `at`, `incoming` come on call (they were not on call just before). */
export interface Handoff {
  /** Epoch milliseconds. */
  readonly at: number;
  /** Who comes on call at `at` (never empty). */
  readonly incoming: readonly string[];
  /** Who was on call just before `at` (empty after a gap). */
  readonly outgoing: readonly string[];
}

/** How far one search looks ahead, widening while it finds nothing: 2, 30, then 366 days. */
const WINDOWS_MS = [172_800_000, 2_592_000_000, 31_622_400_000] as const;

/**
 * The hand-offs in `(after, until]`, in order (at most `limit`).
 *
 * @internal
 */
export function handoffsBetween(schedule: Schedule, after: number, until: number, limit = 1_000): Handoff[] {
  if (until <= after) return [];
  const compiled = compileSchedule(schedule);
  // One millisecond past `until`, so a hand-off at `until` is seen.
  const segments = segmentsOf(compiled, after, until + 1);
  const handoffs: Handoff[] = [];
  for (let i = 1; i < segments.length && handoffs.length < limit; i += 1) {
    const previous = segments[i - 1];
    const current = segments[i];
    if (previous === undefined || current === undefined || current.start > until) break;
    const before = new Set(previous.userIds);
    const incoming = current.userIds.filter((id) => !before.has(id));
    if (incoming.length > 0) handoffs.push({ at: current.start, incoming, outgoing: previous.userIds });
  }
  return handoffs;
}

/**
 * The first hand-off after `after`, looking at most 366 days ahead; `undefined` when there is
 * none within that.
 *
 * @internal
 */
export function nextHandoff(schedule: Schedule, after: number): Handoff | undefined {
  for (const window of WINDOWS_MS) {
    const [first] = handoffsBetween(schedule, after, after + window, 1);
    if (first !== undefined) return first;
  }
  return undefined;
}
