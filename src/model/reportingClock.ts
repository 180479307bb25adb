/**
 * The regulatory reporting clock as an incident keeps it: the slice the compliance feature
 * computes (`computeClock`) and the lifecycle stores and schedules. Pure data and naming.
 *
 * @module
 */

/**
 * Where a reporting phase stands.
 *
 * - `waiting`: what starts it is not known yet (e.g. DORA's intermediate report before the
 *   initial notification was filed).
 * - `pending`: running, not filed, not past due.
 * - `overdue`: not filed and past due.
 * - `filed`: filed on time (or before its period started).
 * - `filedLate`: filed after it was due.
 */
export type ClockPhaseStatus = 'waiting' | 'pending' | 'overdue' | 'filed' | 'filedLate';

/** One phase of a regulatory clock, as the projection shows it. Times are ISO-8601 UTC. */
export interface ClockPhaseState {
  readonly phase: string;
  readonly title: string;
  readonly reference: string;
  readonly status: ClockPhaseStatus;
  /** When the phase's period started (its trigger, or the filing it counts from). */
  readonly startsAt?: string;
  /** The last on-time instant; absent while `waiting`. */
  readonly dueAt?: string;
  /** The outer limit (`notLaterThan`), when its start is known. */
  readonly capAt?: string;
  /** The first filing. */
  readonly filedAt?: string;
  /** Every filing, oldest first (updated reports are further filings). */
  readonly filings: readonly string[];
  /** The filing reference (e.g. the authority's case number), when recorded. */
  readonly filingReference?: string;
  /** True when the phase is late and the regime asks for reasons for the delay (GDPR Art. 33(1)). */
  readonly reasonForDelayRequired: boolean;
  readonly reasonForDelay?: string;
}

/** A regulatory clock: one regime's phases for one incident. */
export interface ClockState {
  readonly regime: string;
  readonly title: string;
  readonly reference: string;
  /** The time zone the deadlines were computed in. */
  readonly timeZone: string;
  /** The triggers recorded so far. */
  readonly triggers: Readonly<Record<string, string>>;
  readonly phases: readonly ClockPhaseState[];
  /** `overdue` if any phase is, `complete` when every phase is filed, else `open`. */
  readonly status: 'open' | 'overdue' | 'complete';
  /** The earliest `dueAt` of a `pending` phase. */
  readonly nextDueAt?: string;
}

/** A deadline the engine keeps a durable timer for. */
export interface ClockDeadline {
  /** Stable per regime and phase: setting it again replaces the earlier timer. */
  readonly timerId: string;
  readonly regime: string;
  readonly phase: string;
  /** The last on-time instant. */
  readonly dueAt: string;
  /** The first overdue instant (`dueAt` + 1 ms): when to fire `REPORT_OVERDUE`. */
  readonly fireAt: string;
}

/**
 * The timer id of a phase's deadline: `clock:<regime>:<phase>`.
 *
 * @example
 * ```ts
 * import { clockTimerId } from 'incidentkit';
 *
 * clockTimerId('gdpr', 'notification'); // 'clock:gdpr:notification'
 * ```
 */
export function clockTimerId(regime: string, phase: string): string {
  return `clock:${regime}:${phase}`;
}

/**
 * The deadlines that need a timer: every `pending` phase. Phases not listed (filed, waiting,
 * already overdue) need none; cancel their timers.
 *
 * @example
 * ```ts
 * import { clockDeadlines, computeClock, gdpr } from 'incidentkit';
 *
 * const clock = computeClock(gdpr, { triggers: { awareness: '2026-03-27T15:00:00Z' }, now: '2026-03-27T15:00:00Z' });
 * clockDeadlines(clock); // [{ timerId: 'clock:gdpr:notification', dueAt: '2026-03-30T15:00:00.000Z', fireAt: '2026-03-30T15:00:00.001Z', … }]
 * ```
 */
export function clockDeadlines(clock: ClockState): ClockDeadline[] {
  return clock.phases
    .filter((p): p is ClockPhaseState & { dueAt: string } => p.status === 'pending' && p.dueAt !== undefined)
    .map((p) => ({
      timerId: clockTimerId(clock.regime, p.phase),
      regime: clock.regime,
      phase: p.phase,
      dueAt: p.dueAt,
      fireAt: new Date(Date.parse(p.dueAt) + 1).toISOString(),
    }));
}

