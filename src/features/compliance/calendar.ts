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
import { parseConfig } from '../../kernel/parse.js';

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

const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function isRealDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

// Constructing an Intl.DateTimeFormat is costly (hundreds of µs); remember each zone's verdict.
const zones = new Map<string, string | undefined>();

/** The canonical IANA name of `zone`, or `undefined` when the runtime does not know it. */
function canonicalZone(zone: string): string | undefined {
  if (zones.has(zone)) return zones.get(zone);
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  if (zones.size > 1_000) zones.clear();
  zones.set(zone, canonical);
  return canonical;
}

function isTimeZone(zone: string): boolean {
  return canonicalZone(zone) !== undefined;
}

const calendarSchema = z.strictObject({
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
});

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

// ---------------------------------------------------------------------------------------------
// Civil dates (no time zone): plain year/month/day arithmetic on the proleptic Gregorian calendar.

interface Ymd {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

function utcMs(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function daysInMonth(y: number, m: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, m, 0);
  return date.getUTCDate();
}

function parseDate(value: LocalDate): Ymd {
  const m = LOCAL_DATE.exec(value);
  if (m === null) throw new RangeError(`Not a YYYY-MM-DD date: ${value}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

function formatDate({ y, m, d }: Ymd): LocalDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function addDaysToDate(date: Ymd, days: number): Ymd {
  const t = new Date(utcMs(date.y, date.m, date.d) + days * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function isoWeekday(date: Ymd): IsoWeekday {
  const day = new Date(utcMs(date.y, date.m, date.d)).getUTCDay();
  return (day === 0 ? 7 : day) as IsoWeekday;
}

// ---------------------------------------------------------------------------------------------
// Time zones through Intl.DateTimeFormat.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalParts extends Ymd {
  readonly h: number;
  readonly mi: number;
  readonly s: number;
}

function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const hour = parts.hour ?? 0;
  return {
    y: parts.year ?? 0,
    m: parts.month ?? 1,
    d: parts.day ?? 1,
    h: hour === 24 ? 0 : hour,
    mi: parts.minute ?? 0,
    s: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (local − UTC). */
function offsetAt(ms: number, timeZone: string): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  const p = localParts(whole, timeZone);
  return utcMs(p.y, p.m, p.d, p.h, p.mi, p.s) - whole;
}

/**
 * The instant at which the zone's wall clock shows the given local time. In a repeated hour
 * (DST ends) the earlier instant; in a skipped hour (DST starts) the time is moved forward by
 * the length of the gap, as `Temporal`'s `compatible` disambiguation does.
 */
function instantOf(date: Ymd, h: number, mi: number, timeZone: string): number {
  const local = utcMs(date.y, date.m, date.d, h, mi);
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const candidates = [...new Set([before, after])].map((o) => local - o).filter((t) => offsetAt(t, timeZone) === local - t);
  if (candidates.length > 0) return Math.min(...candidates);
  return local - before;
}

/** The first instant of the local day `date`. */
function startOfDay(date: Ymd, timeZone: string): number {
  return instantOf(date, 0, 0, timeZone);
}

function endOfDay(date: Ymd, timeZone: string, dayEndsAt: string | undefined): number {
  if (dayEndsAt !== undefined) {
    const m = HH_MM.exec(dayEndsAt);
    if (m !== null) return instantOf(date, Number(m[1]), Number(m[2]), timeZone);
  }
  return startOfDay(addDaysToDate(date, 1), timeZone) - 1;
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
  const start = parseDate(date);
  // Walk epoch days (day 0 = Thursday 1970-01-01, ISO weekday 4); format a date only to look up holidays.
  let day = Math.round(utcMs(start.y, start.m, start.d) / DAY_MS);
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

function ymdOfEpochDay(day: number): Ymd {
  const t = new Date(day * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function addMonthsToDate(date: Ymd, n: number): Ymd {
  const index = date.y * 12 + (date.m - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return { y, m, d: Math.min(date.d, daysInMonth(y, m)) };
}

const durationSchema = z
  .strictObject({
    amount: z.number().int('Durations are whole numbers.').min(0).max(100_000),
    unit: z.enum(['minutes', 'hours', 'calendarDays', 'businessDays', 'months']),
    dayEndsAt: z.string().regex(HH_MM, 'Use a 24-hour local time HH:MM, e.g. 17:30.').optional(),
  })
  .refine((d) => d.dayEndsAt === undefined || (d.unit !== 'hours' && d.unit !== 'minutes'), {
    message: 'dayEndsAt applies to calendarDays, businessDays and months only.',
    path: ['dayEndsAt'],
  });

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
