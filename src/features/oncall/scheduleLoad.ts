/**
 * How much on-call each person carries over a range, and how much of it falls outside working
 * time: what teams use to keep a rota fair and to pay for it.
 */
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { defineCalendar, isBusinessDay, type BusinessCalendar, type CalendarOptions } from '../../kernel/calendar.js';
import { epochDayOf, formatDate, ymdOfEpochDay } from '../../kernel/civilDate.js';
import { HH_MM, instantOf, localParts } from '../../kernel/timeZone.js';
import { parseRange, type ScheduleRange } from './renderSchedule.js';
import { compileSchedule, type Schedule } from './schedule.js';
import { segmentsOf } from './segments.js';

/** Working hours on each business day, local times `HH:mm` in the calendar's zone. */
export interface WorkingHours {
  readonly start: string;
  /** After `start`. */
  readonly end: string;
}

/** What counts as working time for {@link scheduleLoad}'s `offHours`. */
export interface OffHoursOptions {
  /** Business days, holidays and the time zone, as {@link defineCalendar} takes or returns them. */
  readonly calendar: BusinessCalendar | CalendarOptions;
  /** Default: `{ start: '09:00', end: '17:00' }`. */
  readonly workingHours?: WorkingHours;
}

/** What {@link scheduleLoad} takes: a range, and optionally what counts as working time. */
export interface ScheduleLoadOptions extends ScheduleRange {
  /** When given, each user's load also counts the hours outside working time. */
  readonly offHours?: OffHoursOptions;
}

/** One person's on-call load over the range. */
export interface UserLoad {
  readonly userId: string;
  /** Hours on call within the range. */
  readonly hours: number;
  /** Stretches of continuous on-call within the range (a shift cut by `from` or `to` counts once). */
  readonly shifts: number;
  /** Of `hours`, those outside working time (present when `offHours` was given). */
  readonly offHours?: number;
}

const HOUR_MS = 3_600_000;

/** Working-time windows meeting `[from, to)`, sorted and disjoint. */
function workingWindows(calendar: BusinessCalendar, hours: WorkingHours, from: number, to: number): [number, number][] {
  const { timeZone } = calendar;
  const [sh, smi] = [Number(hours.start.slice(0, 2)), Number(hours.start.slice(3, 5))];
  const [eh, emi] = [Number(hours.end.slice(0, 2)), Number(hours.end.slice(3, 5))];
  const windows: [number, number][] = [];
  const last = epochDayOf(localParts(to, timeZone));
  for (let day = epochDayOf(localParts(from, timeZone)); day <= last; day += 1) {
    const date = ymdOfEpochDay(day);
    if (!isBusinessDay(calendar, formatDate(date))) continue;
    const start = instantOf(date, sh, smi, timeZone);
    const end = instantOf(date, eh, emi, timeZone);
    if (end > start && end > from && start < to) windows.push([start, end]);
  }
  return windows;
}

/** Milliseconds of `[start, end)` inside `windows` (sorted, disjoint). */
function overlap(windows: readonly [number, number][], start: number, end: number): number {
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((windows[mid]?.[1] ?? 0) <= start) lo = mid + 1;
    else hi = mid;
  }
  let total = 0;
  for (let i = lo; i < windows.length; i += 1) {
    const [ws, we] = windows[i] ?? [0, 0];
    if (ws >= end) break;
    total += Math.min(we, end) - Math.max(ws, start);
  }
  return total;
}

function parseWorkingHours(value: unknown): WorkingHours {
  if (value === undefined) return { start: '09:00', end: '17:00' };
  const path = ['offHours', 'workingHours'];
  const { start, end } = (typeof value === 'object' && value !== null ? value : {}) as { start?: unknown; end?: unknown };
  const issues: ValidationIssue[] = [];
  const check = (field: string, v: unknown): v is string => {
    if (typeof v === 'string' && HH_MM.test(v)) return true;
    issues.push({ code: 'invalid_format', path: [...path, field], message: 'Use a 24-hour local time HH:mm, e.g. 09:00.' });
    return false;
  };
  if (check('start', start) && check('end', end) && end <= start) {
    issues.push({ code: 'custom', path: [...path, 'end'], message: 'Working hours must end after they start.' });
  }
  if (issues.length > 0 || typeof start !== 'string' || typeof end !== 'string') throw new ValidationError('scheduleLoad', issues);
  return { start, end };
}

/**
 * Each person's on-call load over `[from, to)`: hours on call, the number of continuous
 * stretches, and (with `offHours`) the hours outside working time.
 *
 * @remarks Counts the final schedule as {@link renderSchedule} gives it, overrides included;
 * gaps count for nobody. Working time is `workingHours` (default 09:00–17:00) on the business
 * days of `offHours.calendar`, in the calendar's time zone; weekends and holidays are off
 * hours all day. Users are sorted by id.
 *
 * @example
 * ```ts
 * import { defineCalendar, defineSchedule, scheduleLoad } from 'incidentkit';
 *
 * const schedule = defineSchedule({
 *   id: 'db',
 *   name: 'Database on-call',
 *   timeZone: 'Europe/Berlin',
 *   layers: [{ id: 'weekly', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben'] }],
 * });
 * const load = scheduleLoad(schedule, {
 *   from: '2026-03-02T08:00:00Z',
 *   to: '2026-03-16T08:00:00Z',
 *   offHours: { calendar: defineCalendar({ timeZone: 'Europe/Berlin' }) },
 * });
 * // [{ userId: 'ana', hours: 168, shifts: 1, offHours: 128 }, { userId: 'ben', hours: 168, shifts: 1, offHours: 128 }]
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for an invalid schedule or range (see
 * {@link renderSchedule}), or malformed working hours (path `['offHours', 'workingHours', …]`).
 * @throws ConfigError (`CONFIG_INVALID`) for an invalid calendar, as {@link defineCalendar} does.
 */
export function scheduleLoad(schedule: Schedule, options: ScheduleLoadOptions): UserLoad[] {
  const compiled = compileSchedule(schedule);
  const { from, to } = parseRange('scheduleLoad', options);
  const offHours = options.offHours;
  let windows: [number, number][] | undefined;
  if (offHours !== undefined) {
    const given: unknown = offHours;
    if (typeof given !== 'object' || given === null || typeof (given as { calendar?: unknown }).calendar !== 'object') {
      throw new ValidationError('scheduleLoad', [
        { code: 'invalid_type', path: ['offHours', 'calendar'], message: 'Give the calendar of working days: defineCalendar({ timeZone, holidays }) or its options.' },
      ]);
    }
    const hours = parseWorkingHours((offHours as { workingHours?: unknown }).workingHours);
    windows = workingWindows(defineCalendar(offHours.calendar), hours, from, to);
  }

  interface Tally {
    ms: number;
    shifts: number;
    offMs: number;
    /** End of the stretch being counted. */
    until: number;
  }
  const tallies = new Map<string, Tally>();
  for (const segment of segmentsOf(compiled, from, to)) {
    const length = segment.end - segment.start;
    const off = windows === undefined ? 0 : length - overlap(windows, segment.start, segment.end);
    for (const userId of segment.userIds) {
      let tally = tallies.get(userId);
      if (tally === undefined) {
        tally = { ms: 0, shifts: 0, offMs: 0, until: Number.NaN };
        tallies.set(userId, tally);
      }
      if (tally.until !== segment.start) tally.shifts += 1;
      tally.until = segment.end;
      tally.ms += length;
      tally.offMs += off;
    }
  }
  return [...tallies]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([userId, t]) => {
      const load = { userId, hours: t.ms / HOUR_MS, shifts: t.shifts };
      return windows === undefined ? load : { ...load, offHours: t.offMs / HOUR_MS };
    });
}
