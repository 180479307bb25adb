/**
 * Who is on call, at an instant and over a range: pure functions of a {@link Schedule}.
 */
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { DAY_MS } from '../../kernel/civilDate.js';
import { timeValueMs, type TimeInput } from '../../kernel/toEpochMs.js';
import { compileSchedule, type CompiledSchedule, type Schedule } from './schedule.js';
import { segmentsOf, type Segment, type ShiftSource } from './segments.js';

export type { ShiftSource } from './segments.js';

/** One stretch of the final schedule: who is on call from `start` to `end` (ISO-8601 UTC). */
export interface Shift {
  /** Empty for a gap; several people only where overrides put them there. */
  readonly userIds: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly source: ShiftSource;
  /** The layer that gives these people (for `source: 'layer'`). */
  readonly layerId?: string;
}

/** The answer of {@link whoIsOnCall}. */
export interface OnCall {
  /** Empty for a gap. */
  readonly userIds: readonly string[];
  /** The shift these people are in (as {@link renderSchedule} merges it); `null` in a gap. */
  readonly shift: { readonly start: string; readonly end: string } | null;
  readonly source: ShiftSource;
  readonly layerId?: string;
}

/** A range of instants `[from, to)`: each a `Date`, epoch milliseconds or an ISO-8601 string. */
export interface ScheduleRange {
  readonly from: TimeInput;
  readonly to: TimeInput;
}

/** The longest range the range functions accept: 731 days, two years with a leap day. */
export const MAX_SCHEDULE_RANGE_DAYS = 731;

/**
 * How far {@link whoIsOnCall} looks either side of `at` for the ends of the current shift: 366
 * days. A literal: `366 * DAY_MS` would stay in every bundle, since a bundler cannot tell that
 * multiplying an imported binding has no side effect.
 */
const LOOKAROUND_LIMIT_MS = 31_622_400_000;
const MIN_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

function instantIssue(value: unknown, path: PropertyKey[]): ValidationIssue | number {
  const ms = timeValueMs(value);
  if (Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS) return ms;
  return {
    code: 'invalid_type',
    path,
    message: `Must be an instant between the years 0001 and 9999 (a Date, epoch milliseconds or an ISO-8601 string with an offset); got ${JSON.stringify(String(value))}`,
  };
}

/** @internal */
export function parseInstant(subject: string, field: string, value: unknown): number {
  const result = instantIssue(value, [field]);
  if (typeof result !== 'number') throw new ValidationError(subject, [result]);
  return result;
}

/**
 * Validates a range: both ends instants, `to` not before `from`, at most
 * {@link MAX_SCHEDULE_RANGE_DAYS} days.
 *
 * @internal
 */
export function parseRange(subject: string, range: unknown): { from: number; to: number } {
  if (typeof range !== 'object' || range === null) {
    throw new ValidationError(subject, [{ code: 'invalid_type', path: [], message: 'Give a range { from, to }.' }]);
  }
  const { from, to } = range as { from?: unknown; to?: unknown };
  const f = instantIssue(from, ['from']);
  const t = instantIssue(to, ['to']);
  const issues = [f, t].filter((x): x is ValidationIssue => typeof x !== 'number');
  if (typeof f === 'number' && typeof t === 'number') {
    if (t < f) issues.push({ code: 'custom', path: ['to'], message: '`to` must not be before `from`.' });
    else if (t - f > MAX_SCHEDULE_RANGE_DAYS * DAY_MS) {
      issues.push({
        code: 'too_big',
        path: ['to'],
        message: `A range spans at most ${String(MAX_SCHEDULE_RANGE_DAYS)} days (two years); ask for longer periods in parts.`,
      });
    }
  }
  if (issues.length > 0 || typeof f !== 'number' || typeof t !== 'number') throw new ValidationError(subject, issues);
  return { from: f, to: t };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The final schedule over `[from, to)`: shifts in order that tile the range exactly, adjacent
 * shifts with the same people, source and layer merged, gaps as `source: 'gap'` with no
 * `userIds`.
 *
 * @remarks Overrides win over layers; a later layer wins over an earlier one wherever it
 * covers someone. The first and last shifts are cut at `from` and `to`. Computed by walking
 * hand-offs, restriction windows and override bounds, so a year of hourly hand-offs takes
 * milliseconds.
 *
 * @example
 * ```ts
 * import { defineSchedule, renderSchedule } from 'incidentkit';
 *
 * const schedule = defineSchedule({
 *   id: 'db',
 *   name: 'Database on-call',
 *   timeZone: 'America/New_York',
 *   layers: [{ id: 'daily', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['ana', 'ben'] }],
 * });
 * renderSchedule(schedule, { from: '2026-03-02T14:00:00Z', to: '2026-03-04T14:00:00Z' });
 * // [{ userIds: ['ana'], start: '2026-03-02T14:00:00.000Z', end: '2026-03-03T14:00:00.000Z', source: 'layer', layerId: 'daily' },
 * //  { userIds: ['ben'], start: '2026-03-03T14:00:00.000Z', end: '2026-03-04T14:00:00.000Z', source: 'layer', layerId: 'daily' }]
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for an invalid schedule, a `from` or `to` that
 * is not an instant, `to` before `from`, or a range over {@link MAX_SCHEDULE_RANGE_DAYS} days
 * (path `['to']`).
 */
export function renderSchedule(schedule: Schedule, range: ScheduleRange): Shift[] {
  const compiled = compileSchedule(schedule);
  const { from, to } = parseRange('renderSchedule', range);
  return toShifts(segmentsOf(compiled, from, to));
}

/**
 * Segments as shifts; each boundary is formatted once (one shift's end is the next one's start).
 *
 * @internal
 */
export function toShifts(segments: readonly Segment[]): Shift[] {
  let lastMs = Number.NaN;
  let lastIso = '';
  const format = (ms: number): string => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = iso(ms);
    }
    return lastIso;
  };
  // Two literal shapes rather than a spread: this runs once per shift of a year.
  return segments.map((s) =>
    s.layerId === undefined
      ? { userIds: s.userIds, start: format(s.start), end: format(s.end), source: s.source }
      : { userIds: s.userIds, start: format(s.start), end: format(s.end), source: s.source, layerId: s.layerId },
  );
}

/**
 * A first guess at how far around an instant its shift may reach: the shortest turn, between an
 * hour and a day. Small, because rendering costs what the window holds; {@link whoIsOnCall}
 * widens it fourfold while the shift reaches an edge.
 */
function initialRadius(schedule: CompiledSchedule): number {
  let shortest = DAY_MS;
  for (const layer of schedule.layers) shortest = Math.min(shortest, layer.unit === 'hours' ? layer.step : layer.step * DAY_MS);
  return Math.max(shortest, 3_600_000);
}

/**
 * Who is on call at `at`, and the shift they are in.
 *
 * @remarks The same answer {@link renderSchedule} gives for the shift containing `at`: its
 * people, source and bounds. `shift` is `null` in a gap. A shift is looked up at most 366 days
 * either side of `at`; a longer one (a single-member layer, say) reports the bounds where the
 * look-up stopped.
 *
 * @example
 * ```ts
 * import { defineSchedule, whoIsOnCall } from 'incidentkit';
 *
 * const schedule = defineSchedule({
 *   id: 'db',
 *   name: 'Database on-call',
 *   timeZone: 'Europe/Berlin',
 *   layers: [{ id: 'weekly', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben'] }],
 * });
 * whoIsOnCall(schedule, '2026-03-10T12:00:00Z');
 * // { userIds: ['ben'], shift: { start: '2026-03-09T08:00:00.000Z', end: '2026-03-16T08:00:00.000Z' }, source: 'layer', layerId: 'weekly' }
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for an invalid schedule, or an `at` that is
 * not an instant (path `['at']`).
 */
export function whoIsOnCall(schedule: Schedule, at: TimeInput): OnCall {
  const compiled = compileSchedule(schedule);
  const t = parseInstant('whoIsOnCall', 'at', at);
  let radius = initialRadius(compiled);
  for (;;) {
    const from = Math.max(MIN_MS, t - radius);
    const to = Math.min(MAX_MS, t + radius) + 1;
    const segment = segmentsOf(compiled, from, to).find((s) => s.start <= t && t < s.end);
    if (segment === undefined) throw new Error('whoIsOnCall: the segments do not cover the instant (a bug)');
    const cut = (segment.start === from && from > MIN_MS) || (segment.end === to && to <= MAX_MS);
    if (segment.source !== 'gap' && cut && radius < LOOKAROUND_LIMIT_MS) {
      radius = Math.min(radius * 4, LOOKAROUND_LIMIT_MS);
      continue;
    }
    const result = {
      userIds: segment.userIds,
      shift: segment.source === 'gap' ? null : { start: iso(segment.start), end: iso(segment.end) },
      source: segment.source,
    };
    return segment.layerId === undefined ? result : { ...result, layerId: segment.layerId };
  }
}
