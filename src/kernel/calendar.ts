/**
 * Deadline arithmetic in a time zone, with weekends and a host-supplied holiday list.
 *
 * @remarks Uses `Intl.DateTimeFormat` only (no date library, no Node built-ins), so it runs in
 * browsers, Deno, Bun and edge runtimes. The rules:
 *
 * - `minutes` / `hours`: elapsed time. `72 hours` is 72 × 3,600 seconds after the start,
 *   whatever the wall clock does in between (across a DST change the local time of day shifts
 *   by an hour).
 * - `calendarDays`: the end of the Nth day after the start's local date.
 * - `businessDays`: the end of the Nth business day after the start's local date; the start
 *   day itself never counts. A start on a weekend or holiday therefore counts from the next
 *   business day, which is how SEC Form 8-K General Instruction B.1 and 21 CFR 803 count.
 * - `months`: the end of the day with the same date N months after the start's local date,
 *   clamped to the month's last day (Jan 31 + 1 month → Feb 28, or Feb 29 in a leap year).
 *
 * "The end of a day" is its last millisecond (`23:59:59.999` local), or `dayEndsAt` (e.g.
 * `17:30` for the SEC's EDGAR cut-off) when given. Days are the calendar's local days, so a
 * day is 23 or 25 hours long on a DST change. Deadlines are inclusive: a filing at exactly
 * the deadline is on time.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { parseConfig } from './parse.js';
import { addDaysToDate, addMonthsToDate, DAY_MS, epochDayOf, formatDate, isRealDate, parseDate, utcMs, ymdOfEpochDay, type CivilDate } from './civilDate.js';
import { canonicalZone, endOfDay, HH_MM, localParts, startOfDay } from './timeZone.js';

/** ISO weekday: `1` = Monday … `7` = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A date in `YYYY-MM-DD` form. */
export type LocalDate = string;

/** What {@link defineCalendar} accepts. */
export interface CalendarOptions {
  /** An IANA time zone, e.g. `Europe/Berlin`. Default: `UTC`. */
  readonly timeZone?: string;
  /** Non-business days besides weekends, as `YYYY-MM-DD` dates in the calendar's time zone. */
  readonly holidays?: readonly string[];
  /** Weekend days (ISO weekdays). Default: `[6, 7]` (Saturday, Sunday). */
  readonly weekendDays?: readonly IsoWeekday[];
}

/** A validated calendar: time zone, holidays and weekend days. */
export interface BusinessCalendar {
  /** The canonical IANA time zone. */
  readonly timeZone: string;
  /** Holidays, sorted and unique. */
  readonly holidays: readonly LocalDate[];
  readonly weekendDays: readonly IsoWeekday[];
}

/** A unit of {@link Duration}. */
export type DurationUnit = 'minutes' | 'hours' | 'calendarDays' | 'businessDays' | 'months';

/** An amount of time in one unit, e.g. `{ amount: 72, unit: 'hours' }`. */
export interface Duration {
  /** A whole number, 0 or more. */
  readonly amount: number;
  readonly unit: DurationUnit;
  /**
   * For day-based units: the local time (`HH:MM`) at which the last day ends, instead of
   * midnight. E.g. `17:30` for EDGAR's cut-off.
   */
  readonly dayEndsAt?: string;
}

function isTimeZone(zone: string): boolean {
  return canonicalZone(zone) !== undefined;
}

const calendarSchema = /* @__PURE__ */ (() => z.strictObject({
  timeZone: z
    .string()
    .refine(isTimeZone, { message: 'Use an IANA time zone such as Europe/Berlin or America/New_York.' })
    .default('UTC'),
  holidays: z
    .array(z.string().refine(isRealDate, { message: 'Holidays are real dates written YYYY-MM-DD.' }))
    .max(10_000)
    .default([]),
  weekendDays: z
    .array(z.number().int().min(1, 'Weekdays are 1 (Monday) … 7 (Sunday).').max(7, 'Weekdays are 1 (Monday) … 7 (Sunday).'))
    .max(6, 'At least one day of the week must be a business day.')
    .default([6, 7]),
}))();

const validated = new WeakSet<BusinessCalendar>();
const holidaySets = new WeakMap<BusinessCalendar, ReadonlySet<string>>();

/**
 * Validates calendar options: an IANA time zone, holidays as `YYYY-MM-DD` and weekend days.
 *
 * @example
 * ```ts
 * import { defineCalendar } from 'incidentkit';
 *
 * const berlin = defineCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-25', '2026-12-26'] });
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) for an unknown time zone, a malformed or impossible
 * holiday date, or a week without business days.
 */
export function defineCalendar(options: CalendarOptions | BusinessCalendar = {}): BusinessCalendar {
  if (validated.has(options as BusinessCalendar)) return options as BusinessCalendar;
  const parsed = parseConfig(calendarSchema, options, 'calendar');
  const timeZone = canonicalZone(parsed.timeZone) ?? parsed.timeZone;
  const calendar: BusinessCalendar = Object.freeze({
    timeZone,
    holidays: Object.freeze([...new Set(parsed.holidays)].sort()),
    weekendDays: Object.freeze([...new Set(parsed.weekendDays as IsoWeekday[])].sort()),
  });
  validated.add(calendar);
  holidaySets.set(calendar, new Set(calendar.holidays));
  return calendar;
}

function isoWeekday(date: CivilDate): IsoWeekday {
  const day = new Date(utcMs(date.y, date.m, date.d)).getUTCDay();
  return (day === 0 ? 7 : day) as IsoWeekday;
}

function toMs(at: string | Date): number {
  const ms = at instanceof Date ? at.getTime() : Date.parse(at);
  if (Number.isNaN(ms)) throw new RangeError(`Not a valid time: ${String(at)}`);
  return ms;
}

/**
 * The local date (`YYYY-MM-DD`) of an instant in the calendar's time zone.
 *
 * @example
 * ```ts
 * import { defineCalendar, localDateOf } from 'incidentkit';
 *
 * localDateOf(defineCalendar({ timeZone: 'Asia/Tokyo' }), '2026-01-01T20:00:00Z'); // '2026-01-02'
 * ```
 *
 * @throws RangeError when `at` is not a valid time.
 */
export function localDateOf(calendar: BusinessCalendar, at: string | Date): LocalDate {
  return formatDate(localParts(toMs(at), calendar.timeZone));
}

/**
 * Tells whether `date` (`YYYY-MM-DD`) is a business day: not a weekend day, not a holiday.
 *
 * @example
 * ```ts
 * import { defineCalendar, isBusinessDay } from 'incidentkit';
 *
 * const cal = defineCalendar({ holidays: ['2026-12-25'] });
 * isBusinessDay(cal, '2026-12-25'); // false (holiday)
 * isBusinessDay(cal, '2026-12-26'); // false (Saturday)
 * isBusinessDay(cal, '2026-12-28'); // true
 * ```
 *
 * @throws RangeError when `date` is not `YYYY-MM-DD`.
 */
export function isBusinessDay(calendar: BusinessCalendar, date: LocalDate): boolean {
  const cal = defineCalendar(calendar);
  const ymd = parseDate(date);
  return !cal.weekendDays.includes(isoWeekday(ymd)) && !(holidaySets.get(cal)?.has(formatDate(ymd)) ?? false);
}

/**
 * The local date of the Nth business day after `date` (`n = 0`: `date` itself if it is a
 * business day, else the next one).
 *
 * @example
 * ```ts
 * import { addBusinessDaysToDate, defineCalendar } from 'incidentkit';
 *
 * addBusinessDaysToDate(defineCalendar(), '2026-01-02', 1); // '2026-01-05' (Friday → Monday)
 * ```
 *
 * @throws RangeError when `date` is not `YYYY-MM-DD` or `n` is not a whole number ≥ 0.
 */
export function addBusinessDaysToDate(calendar: BusinessCalendar, date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Business days must be a whole number ≥ 0, got ${String(n)}`);
  const cal = defineCalendar(calendar);
  const holidays = holidaySets.get(cal) ?? new Set<string>();
  // Walk epoch days (day 0 = Thursday 1970-01-01, ISO weekday 4); format a date only to look up holidays.
  let day = epochDayOf(parseDate(date));
  const isOpen = (d: number): boolean =>
    !cal.weekendDays.includes(((((d + 3) % 7) + 7) % 7 + 1) as IsoWeekday) && !holidays.has(new Date(d * DAY_MS).toISOString().slice(0, 10));
  if (n === 0) {
    while (!isOpen(day)) day += 1;
  }
  for (let counted = 0; counted < n; ) {
    day += 1;
    if (isOpen(day)) counted += 1;
  }
  return formatDate(ymdOfEpochDay(day));
}

const durationSchema = /* @__PURE__ */ (() => z
  .strictObject({
    amount: z.number().int('Durations are whole numbers.').min(0).max(100_000),
    unit: z.enum(['minutes', 'hours', 'calendarDays', 'businessDays', 'months']),
    dayEndsAt: z.string().regex(HH_MM, 'Use a 24-hour local time HH:MM, e.g. 17:30.').optional(),
  })
  .refine((d) => d.dayEndsAt === undefined || (d.unit !== 'hours' && d.unit !== 'minutes'), {
    message: 'dayEndsAt applies to calendarDays, businessDays and months only.',
    path: ['dayEndsAt'],
  }))();

/**
 * Validates a {@link Duration}.
 *
 * @internal
 */
export function parseDuration(duration: Duration, subject: string): Duration {
  const { dayEndsAt, ...rest } = parseConfig(durationSchema, duration, subject);
  return dayEndsAt === undefined ? rest : { ...rest, dayEndsAt };
}

/**
 * The deadline `duration` after `from`, in `calendar`, as an ISO-8601 UTC string.
 *
 * @remarks See the module notes for the exact rule per unit. The result is the last instant
 * that is still on time.
 *
 * @example
 * ```ts
 * import { addDuration, defineCalendar } from 'incidentkit';
 *
 * const berlin = defineCalendar({ timeZone: 'Europe/Berlin' });
 * addDuration(berlin, '2026-03-27T15:00:00Z', { amount: 72, unit: 'hours' }); // '2026-03-30T15:00:00.000Z'
 * addDuration(berlin, '2026-01-31T10:00:00Z', { amount: 1, unit: 'months' }); // '2026-02-28T22:59:59.999Z'
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) for a malformed duration or calendar.
 * @throws RangeError when `from` is not a valid time.
 */
export function addDuration(calendar: CalendarOptions | BusinessCalendar, from: string | Date, duration: Duration): string {
  const cal = defineCalendar(calendar);
  const d = parseDuration(duration, 'duration');
  const start = toMs(from);
  switch (d.unit) {
    case 'minutes':
      return new Date(start + d.amount * 60_000).toISOString();
    case 'hours':
      return new Date(start + d.amount * 3_600_000).toISOString();
    case 'calendarDays': {
      const day = addDaysToDate(localParts(start, cal.timeZone), d.amount);
      return new Date(endOfDay(day, cal.timeZone, d.dayEndsAt)).toISOString();
    }
    case 'businessDays': {
      const day = parseDate(addBusinessDaysToDate(cal, localDateOf(cal, new Date(start)), d.amount));
      return new Date(endOfDay(day, cal.timeZone, d.dayEndsAt)).toISOString();
    }
    case 'months': {
      const day = addMonthsToDate(localParts(start, cal.timeZone), d.amount);
      return new Date(endOfDay(day, cal.timeZone, d.dayEndsAt)).toISOString();
    }
  }
}

/**
 * The first instant of a local date in the calendar's zone, as ISO-8601 UTC. On a day whose
 * midnight is skipped by a DST change, the first instant that exists.
 *
 * @example
 * ```ts
 * import { defineCalendar, startOfLocalDay } from 'incidentkit';
 *
 * startOfLocalDay(defineCalendar({ timeZone: 'America/New_York' }), '2026-07-04'); // '2026-07-04T04:00:00.000Z'
 * ```
 *
 * @throws RangeError when `date` is not `YYYY-MM-DD`.
 */
export function startOfLocalDay(calendar: BusinessCalendar, date: LocalDate): string {
  return new Date(startOfDay(parseDate(date), defineCalendar(calendar).timeZone)).toISOString();
}
