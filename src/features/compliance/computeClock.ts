import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { parseInput } from '../../kernel/parse.js';
import { LIMITS, text, timestampSchema } from '../../model/primitives.js';
import { addDuration, defineCalendar, type BusinessCalendar, type CalendarOptions } from '../../kernel/calendar.js';
import type { ClockAnchor, Regime, RegimePhaseId, RegimeTrigger } from './regimes.js';
import type { ClockPhaseState, ClockPhaseStatus, ClockState } from '../../model/reportingClock.js';

/** What {@link computeClock} takes: the facts recorded for one regime on one incident. */
export interface ClockInput<T extends string = string, P extends string = string> {
  /** When each trigger happened, e.g. `{ awareness: '2026-03-27T15:00:00Z' }`. */
  readonly triggers: Partial<Record<T, string | Date>>;
  /** When each phase was filed; a list when it was filed more than once (updates). */
  readonly filings?: Partial<Record<P, string | Date | readonly (string | Date)[]>>;
  /** Reasons for delay per phase. */
  readonly reasonsForDelay?: Partial<Record<P, string>>;
  /** Filing references per phase (case numbers, receipt ids). */
  readonly references?: Partial<Record<P, string>>;
  /** The time statuses are computed for. */
  readonly now: string | Date;
  /** The host's calendar; the regime's own `calendar` settings override it. Default: UTC, no holidays. */
  readonly calendar?: CalendarOptions | BusinessCalendar;
}

const inputSchema = /* @__PURE__ */ (() => z.strictObject({
  triggers: z.record(z.string(), timestampSchema),
  filings: z.record(z.string(), z.union([timestampSchema, z.array(timestampSchema).min(1).max(LIMITS.list)])).optional(),
  reasonsForDelay: z.record(z.string(), text(LIMITS.text)).optional(),
  references: z.record(z.string(), text(LIMITS.shortText)).optional(),
  now: timestampSchema,
  calendar: z.unknown().optional(),
}))();

function unknownKeys(record: Readonly<Record<string, unknown>> | undefined, known: readonly string[], path: string, what: string, regime: string): ValidationIssue[] {
  return Object.keys(record ?? {})
    .filter((key) => !known.includes(key))
    .map((key) => ({ code: `unknown_${what}`, path: [path, key], message: `Regime '${regime}' has no ${what} '${key}'; use one of ${known.join(', ')}` }));
}

/**
 * The calendar a regime's deadlines are computed in: the host's, with the regime's own
 * settings (e.g. the SEC's New York time zone) taking precedence field by field.
 *
 * @example
 * ```ts
 * import { calendarForRegime, sec8k } from 'incidentkit';
 *
 * calendarForRegime(sec8k, { timeZone: 'Europe/Berlin' }).timeZone; // 'America/New_York'
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) for a malformed calendar.
 */
export function calendarForRegime(regime: Regime, calendar: CalendarOptions | BusinessCalendar = {}): BusinessCalendar {
  const host = defineCalendar(calendar);
  return defineCalendar({
    timeZone: regime.calendar?.timeZone ?? host.timeZone,
    holidays: regime.calendar?.holidays ?? host.holidays,
    weekendDays: regime.calendar?.weekendDays ?? host.weekendDays,
  });
}

/**
 * Computes a regulatory clock: each phase's start, due time and status, from the triggers and
 * filings recorded so far.
 *
 * @remarks Pure and deterministic: the same input always gives the same output, so the
 * engine can compute it in its projection with `now` = the time of the latest event and
 * replay gives the same result. Due times follow the calendar rules in `kernel/calendar`;
 * a phase with a `notLaterThan` limit is due at the earlier of the two, unless the limit falls
 * before the phase starts. A phase whose start is unknown is `waiting` with no `dueAt`.
 *
 * @example
 * ```ts
 * import { computeClock, gdpr } from 'incidentkit';
 *
 * const clock = computeClock(gdpr, {
 *   triggers: { awareness: '2026-03-27T16:00:00+01:00' },
 *   now: '2026-03-28T09:00:00Z',
 *   calendar: { timeZone: 'Europe/Berlin' },
 * });
 * clock.phases[0]?.dueAt; // '2026-03-30T15:00:00.000Z' (17:00 in Berlin, after the DST change)
 * clock.phases[0]?.status; // 'pending'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for malformed times, or triggers and phases the
 * regime does not have (the message lists the ones it has).
 * @throws ConfigError (`CONFIG_INVALID`) for a malformed calendar.
 */
export function computeClock<R extends Regime>(regime: R, input: ClockInput<RegimeTrigger<R>, RegimePhaseId<R>>): ClockState {
  const parsed = parseInput(inputSchema, input, `computeClock(${regime.id})`);
  const phaseIds = regime.phases.map((p) => p.id);
  const issues = [
    ...unknownKeys(parsed.triggers, regime.triggers, 'triggers', 'trigger', regime.id),
    ...unknownKeys(parsed.filings, phaseIds, 'filings', 'phase', regime.id),
    ...unknownKeys(parsed.reasonsForDelay, phaseIds, 'reasonsForDelay', 'phase', regime.id),
    ...unknownKeys(parsed.references, phaseIds, 'references', 'phase', regime.id),
  ];
  if (issues.length > 0) throw new ValidationError(`computeClock(${regime.id})`, issues);

  const calendar = calendarForRegime(regime, input.calendar);
  const now = Date.parse(parsed.now);
  const filings = new Map<string, string[]>(
    Object.entries(parsed.filings ?? {}).map(([phase, at]) => [phase, (Array.isArray(at) ? [...at] : [at]).sort()]),
  );
  const anchorTime = (anchor: ClockAnchor): string | undefined => {
    if ('trigger' in anchor) return parsed.triggers[anchor.trigger];
    const list = filings.get(anchor.phase);
    return anchor.filing === 'latest' ? list?.at(-1) : list?.[0];
  };

  const phases = regime.phases.map((phase): ClockPhaseState => {
    const startsAt = anchorTime(phase.from);
    const base = startsAt === undefined ? undefined : addDuration(calendar, startsAt, phase.within);
    const capStart = phase.notLaterThan === undefined ? undefined : anchorTime(phase.notLaterThan.from);
    const capAt = capStart === undefined || phase.notLaterThan === undefined ? undefined : addDuration(calendar, capStart, phase.notLaterThan.within);
    let dueAt = base;
    if (base !== undefined && capAt !== undefined && startsAt !== undefined && Date.parse(capAt) >= Date.parse(startsAt)) {
      dueAt = Date.parse(capAt) < Date.parse(base) ? capAt : base;
    }
    const filed = filings.get(phase.id) ?? [];
    const filedAt = filed[0];
    let status: ClockPhaseStatus;
    if (filedAt !== undefined) status = dueAt !== undefined && Date.parse(filedAt) > Date.parse(dueAt) ? 'filedLate' : 'filed';
    else if (dueAt === undefined) status = 'waiting';
    else status = now > Date.parse(dueAt) ? 'overdue' : 'pending';

    const state: { -readonly [K in keyof ClockPhaseState]: ClockPhaseState[K] } = {
      phase: phase.id,
      title: phase.title,
      reference: phase.reference,
      status,
      filings: Object.freeze(filed),
      reasonForDelayRequired: phase.reasonForDelayWhenLate === true && (status === 'overdue' || status === 'filedLate'),
    };
    if (startsAt !== undefined) state.startsAt = startsAt;
    if (dueAt !== undefined) state.dueAt = dueAt;
    if (capAt !== undefined) state.capAt = capAt;
    if (filedAt !== undefined) state.filedAt = filedAt;
    const filingReference = parsed.references?.[phase.id];
    if (filingReference !== undefined) state.filingReference = filingReference;
    const reason = parsed.reasonsForDelay?.[phase.id];
    if (reason !== undefined) state.reasonForDelay = reason;
    return Object.freeze(state);
  });

  const pendingDue = phases.flatMap((p) => (p.status === 'pending' && p.dueAt !== undefined ? [p.dueAt] : [])).sort();
  const clock: { -readonly [K in keyof ClockState]: ClockState[K] } = {
    regime: regime.id,
    title: regime.title,
    reference: regime.reference,
    timeZone: calendar.timeZone,
    triggers: Object.freeze({ ...parsed.triggers }),
    phases: Object.freeze(phases),
    status: phases.some((p) => p.status === 'overdue')
      ? 'overdue'
      : phases.every((p) => p.status === 'filed' || p.status === 'filedLate')
        ? 'complete'
        : 'open',
  };
  if (pendingDue[0] !== undefined) clock.nextDueAt = pendingDue[0];
  return Object.freeze(clock);
}

/** The recorded facts of a clock, as {@link clockInputOf} returns them. */
export interface ClockFacts {
  readonly triggers: Readonly<Record<string, string | Date>>;
  readonly filings: Readonly<Record<string, readonly (string | Date)[]>>;
  readonly references: Readonly<Record<string, string>>;
  readonly reasonsForDelay: Readonly<Record<string, string>>;
}

/** One fact the engine records about a clock: a trigger, a filing, or a reason for delay. */
export type ClockFact =
  | { readonly type: 'trigger'; readonly trigger: string; readonly at: string | Date }
  | { readonly type: 'filing'; readonly phase: string; readonly at: string | Date; readonly reference?: string }
  | { readonly type: 'reasonForDelay'; readonly phase: string; readonly reason: string };

/**
 * The recorded facts of a computed clock, to compute it again (at another `now`, or after a
 * new fact): its triggers, filings, references and reasons for delay.
 *
 * @example
 * ```ts
 * import { clockInputOf, computeClock, gdpr } from 'incidentkit';
 *
 * const clock = computeClock(gdpr, { triggers: { awareness: '2026-03-27T15:00:00Z' }, now: '2026-03-27T15:00:00Z' });
 * const later = computeClock(gdpr, { ...clockInputOf(clock), now: '2026-04-01T00:00:00Z' });
 * later.phases[0]?.status; // 'overdue'
 * ```
 */
export function clockInputOf(clock: ClockState): ClockFacts {
  const filings: Record<string, readonly string[]> = {};
  const references: Record<string, string> = {};
  const reasonsForDelay: Record<string, string> = {};
  for (const p of clock.phases) {
    if (p.filings.length > 0) filings[p.phase] = p.filings;
    if (p.filingReference !== undefined) references[p.phase] = p.filingReference;
    if (p.reasonForDelay !== undefined) reasonsForDelay[p.phase] = p.reasonForDelay;
  }
  return { triggers: { ...clock.triggers }, filings, references, reasonsForDelay };
}

/**
 * Applies one recorded fact to a clock (or starts one) and recomputes it at `now`: the
 * reducer the engine's projection uses for `startClock`, `fileReport` and reasons for delay.
 *
 * @remarks A trigger recorded again replaces the earlier time (a correction); a filing is
 * added to the phase's filings; a reference or reason replaces the earlier one. To refresh
 * statuses only (e.g. when `REPORT_OVERDUE` is recorded), call
 * `computeClock(regime, { ...clockInputOf(clock), now, calendar })`.
 *
 * @example
 * ```ts
 * import { gdpr, updateClock } from 'incidentkit';
 *
 * let clock = updateClock(gdpr, undefined, { type: 'trigger', trigger: 'awareness', at: '2026-03-27T15:00:00Z' }, { now: '2026-03-27T15:00:00Z' });
 * clock = updateClock(gdpr, clock, { type: 'filing', phase: 'notification', at: '2026-03-29T10:00:00Z', reference: 'DPA-42' }, { now: '2026-03-29T10:00:00Z' });
 * clock.phases[0]?.status; // 'filed'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for a trigger or phase the regime does not have,
 * or a malformed time.
 * @throws ConfigError (`CONFIG_INVALID`) for a malformed calendar.
 */
export function updateClock(
  regime: Regime,
  previous: ClockState | undefined,
  fact: ClockFact,
  options: { readonly now: string | Date; readonly calendar?: CalendarOptions | BusinessCalendar },
): ClockState {
  const base: ClockFacts = previous === undefined ? { triggers: {}, filings: {}, references: {}, reasonsForDelay: {} } : clockInputOf(previous);
  const triggers = { ...base.triggers };
  const filings = { ...base.filings };
  const references = { ...base.references };
  const reasonsForDelay = { ...base.reasonsForDelay };
  switch (fact.type) {
    case 'trigger':
      triggers[fact.trigger] = fact.at;
      break;
    case 'filing': {
      filings[fact.phase] = [...(filings[fact.phase] ?? []), fact.at];
      if (fact.reference !== undefined) references[fact.phase] = fact.reference;
      break;
    }
    case 'reasonForDelay':
      reasonsForDelay[fact.phase] = fact.reason;
      break;
  }
  const input: ClockInput = { triggers, filings, references, reasonsForDelay, now: options.now };
  return computeClock(regime, options.calendar === undefined ? input : { ...input, calendar: options.calendar });
}
