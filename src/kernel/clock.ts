/**
 * A source of the current time. Inject one to control time in tests.
 *
 * @example
 * ```ts
 * import type { Clock } from 'incidentkit';
 *
 * const fixed: Clock = { now: () => new Date('2026-01-01T00:00:00Z') };
 * ```
 */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = /* @__PURE__ */ Object.freeze({ now: () => new Date() });
