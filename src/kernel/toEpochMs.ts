import { ValidationError } from '../errors.js';

/** A point in time: a `Date`, epoch milliseconds, or an ISO-8601 string. */
export type TimeInput = Date | number | string;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return MONTH_DAYS[month - 1] ?? 0;
}

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
}

/**
 * Parses an ISO-8601 timestamp to epoch milliseconds, or returns `NaN`.
 *
 * @remarks The projection's own format (`2026-01-02T03:04:05.678Z`, what `toISOString()`
 * writes) is parsed by hand, several times faster than `Date.parse`, which matters when
 * metrics read millions of milestones; anything else goes to `Date.parse`.
 *
 * @internal
 */
export function parseIsoMs(s: string): number {
  if (s.length === 24 && s.charCodeAt(23) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46) {
    const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
    const month = digit(s, 5) * 10 + digit(s, 6);
    const day = digit(s, 8) * 10 + digit(s, 9);
    const hour = digit(s, 11) * 10 + digit(s, 12);
    const minute = digit(s, 14) * 10 + digit(s, 15);
    const second = digit(s, 17) * 10 + digit(s, 18);
    const ms = digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
    // Out-of-range fields (month 13, 31 April, hour 25, …) and non-digits fall through to Date.parse, which rejects them.
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59) {
      return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
    }
  }
  return Date.parse(s);
}

/**
 * Converts a time value to epoch milliseconds: `undefined`/`null` and unparsable values give `NaN`.
 *
 * @internal
 */
export function timeValueMs(value: unknown): number {
  if (typeof value === 'string') return parseIsoMs(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

/**
 * Converts a {@link TimeInput} to epoch milliseconds.
 *
 * @example
 * ```ts
 * import { toEpochMs } from 'incidentkit';
 *
 * console.log(toEpochMs('2026-01-01T00:00:00Z', 'now')); // 1767225600000
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) naming `what` when the value is not a valid date.
 */
export function toEpochMs(value: TimeInput, what: string): number {
  const ms = timeValueMs(value);
  if (!Number.isFinite(ms)) {
    throw new ValidationError(what, [
      {
        code: 'invalid_type',
        path: [],
        message: `Must be a valid date (a Date, epoch milliseconds or an ISO-8601 string); got ${JSON.stringify(String(value))}`,
      },
    ]);
  }
  return ms;
}
