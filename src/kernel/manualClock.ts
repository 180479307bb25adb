import type { Clock } from './clock.js';

/** A {@link Clock} that only moves when told to. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` milliseconds and returns the new time. */
  advance(ms: number): Date;
  /** Sets the clock to `date` and returns it. */
  set(date: Date | string): Date;
}

/**
 * Creates a clock that tests move by hand instead of sleeping.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { createManualClock } from 'incidentkit/testing';
 *
 * const clock = createManualClock('2026-01-01T00:00:00Z');
 * const engine = createIncidentEngine({ store: memoryStore(), clock });
 * clock.advance(5 * 60_000); // five minutes later
 * ```
 * @throws RangeError when `start` or a later `set` is not a valid date, or `advance` gets a negative or non-finite number.
 */
export function createManualClock(start: Date | string = '2026-01-01T00:00:00.000Z'): ManualClock {
  const toMs = (value: Date | string): number => {
    const ms = (value instanceof Date ? value : new Date(value)).getTime();
    if (Number.isNaN(ms)) throw new RangeError(`[incidentkit] createManualClock: '${String(value)}' is not a valid date.`);
    return ms;
  };
  let current = toMs(start);
  return {
    now: () => new Date(current),
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('[incidentkit] ManualClock.advance needs a finite, non-negative number of milliseconds.');
      current += ms;
      return new Date(current);
    },
    set(date) {
      current = toMs(date);
      return new Date(current);
    },
  };
}
