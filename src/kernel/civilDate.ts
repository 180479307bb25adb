/**
 * Civil dates (no time zone): plain year/month/day arithmetic on the proleptic Gregorian
 * calendar, for the business calendar in `calendar.ts` and the on-call schedules.
 */

/** A date as numbers (`m` 1-12); `calendar.ts` writes it as a `YYYY-MM-DD` LocalDate. */
export interface CivilDate {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

export const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a `YYYY-MM-DD` date that exists (no February 30). */
export function isRealDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function utcMs(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
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

/** @throws RangeError when `value` is not `YYYY-MM-DD`. */
export function parseDate(value: string): CivilDate {
  const m = LOCAL_DATE.exec(value);
  if (m === null) throw new RangeError(`Not a YYYY-MM-DD date: ${value}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

export function formatDate({ y, m, d }: CivilDate): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The epoch day of `date` (day 0 = 1970-01-01, a Thursday). */
export function epochDayOf(date: CivilDate): number {
  return Math.round(utcMs(date.y, date.m, date.d) / DAY_MS);
}

/** The date of epoch day `day`. */
export function ymdOfEpochDay(day: number): CivilDate {
  const t = new Date(day * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export function addDaysToDate(date: CivilDate, days: number): CivilDate {
  return ymdOfEpochDay(epochDayOf(date) + days);
}

/** `n` months later, clamped to the month's last day (Jan 31 + 1 month → Feb 28, or 29). */
export function addMonthsToDate(date: CivilDate, n: number): CivilDate {
  const index = date.y * 12 + (date.m - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return { y, m, d: Math.min(date.d, daysInMonth(y, m)) };
}
