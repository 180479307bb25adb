import { ValidationError } from '../errors.js';

/** How a bare number (or numeric string) is read: seconds, milliseconds, or guessed from its size. */
export type EpochUnit = 'auto' | 's' | 'ms';

/** The result of {@link readTimestamp}: an ISO string, `undefined` for "not set", or why it failed. */
export type TimestampReading = { readonly ok: true; readonly iso: string | undefined } | { readonly ok: false; readonly message: string };

/** Go's zero `time.Time` (`0001-01-01T00:00:00Z`), which Alertmanager and Grafana send for "not ended". */
const GO_ZERO_MS = -62_135_596_800_000;
/** The range `Date` can represent. */
const MAX_MS = 8.64e15;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,12}))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC = /^-?\d{1,20}(?:\.\d{1,12})?$/;

function fromEpoch(value: number, unit: EpochUnit): TimestampReading {
  if (!Number.isFinite(value)) return { ok: false, message: 'Expected a finite epoch time.' };
  if (value === 0) return { ok: true, iso: undefined };
  let ms = value;
  if (unit === 's') ms = value * 1_000;
  else if (unit === 'auto') {
    const size = Math.abs(value);
    // Seconds until the year 5138, then milliseconds, microseconds, nanoseconds (Opsgenie's updatedAt).
    if (size < 1e11) ms = value * 1_000;
    else if (size < 1e14) ms = value;
    else if (size < 1e17) ms = value / 1_000;
    else ms = value / 1_000_000;
  }
  // Rounded: 1566248777.677 s is 1566248777676.9998 ms in binary floating point.
  ms = Math.round(ms);
  if (Math.abs(ms) > MAX_MS) return { ok: false, message: 'Expected an epoch time within the range of dates.' };
  return { ok: true, iso: new Date(ms).toISOString() };
}

function fromIso(text: string): TimestampReading | undefined {
  const match = ISO.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  // Fractions beyond milliseconds (Go sends nanoseconds) are truncated, not rounded.
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || hours > 23 || minutes > 59 || seconds > 59) {
    return { ok: false, message: `'${text}' is not a valid date and time.` };
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hours, minutes, seconds, millis);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
    return { ok: false, message: `'${text}' is not a valid date.` };
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z' && zone !== 'UTC' && zone !== 'GMT') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, message: `'${text}' has an invalid UTC offset.` };
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  const ms = date.getTime() - offsetMinutes * 60_000;
  if (ms === GO_ZERO_MS) return { ok: true, iso: undefined };
  if (Math.abs(ms) > MAX_MS) return { ok: false, message: `'${text}' is outside the range of dates.` };
  return { ok: true, iso: new Date(ms).toISOString() };
}

/**
 * Reads a timestamp the way monitoring tools really send them, without throwing.
 *
 * @remarks Accepts RFC 3339 / ISO-8601 with `Z`, `+00:00`, `+0000` or `+00` offsets (none
 * means UTC), any number of fraction digits (nanoseconds are truncated to milliseconds), a space
 * instead of `T`; epoch numbers or numeric strings in `unit`. Go's zero time
 * `0001-01-01T00:00:00Z` and the epoch `0` mean "not set" and read as `iso: undefined`.
 *
 * @example
 * ```ts
 * import { readTimestamp } from 'incidentkit/ingest';
 *
 * console.log(readTimestamp('2015-07-17T08:42:58.315+0000')); // { ok: true, iso: '2015-07-17T08:42:58.315Z' }
 * ```
 */
export function readTimestamp(value: unknown, unit: EpochUnit = 'auto'): TimestampReading {
  const reading = readAnyTimestamp(value, unit);
  // Extended years (`+010000-…`, `-000001-…`) are valid dates but not ISO-8601 timestamps as stored.
  if (reading.ok && reading.iso !== undefined && (!/^\d{4}-/.test(reading.iso) || reading.iso.startsWith('0000-'))) {
    return { ok: false, message: 'Expected a time between the years 0001 and 9999.' };
  }
  return reading;
}

function readAnyTimestamp(value: unknown, unit: EpochUnit): TimestampReading {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? { ok: false, message: 'Expected a valid date.' } : { ok: true, iso: value.toISOString() };
  }
  if (typeof value === 'number') return fromEpoch(value, unit);
  if (typeof value !== 'string') {
    return { ok: false, message: `Expected a timestamp (an ISO-8601 string or epoch number), got ${value === null ? 'null' : typeof value}.` };
  }
  const text = value.trim();
  if (NUMERIC.test(text)) return fromEpoch(Number(text), unit);
  const reading = fromIso(text);
  if (reading !== undefined) return reading;
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return { ok: false, message: `Expected an ISO-8601 timestamp such as 2026-01-02T03:04:05Z or an epoch number, got '${shown}'.` };
}

/**
 * Normalises a tool's timestamp to an ISO-8601 UTC string, or `undefined` when it means "not
 * set" (Go's zero time `0001-01-01T00:00:00Z`, epoch `0`).
 *
 * @example
 * ```ts
 * import { normalizeTimestamp } from 'incidentkit/ingest';
 *
 * normalizeTimestamp('2021-10-12T09:51:03.157076123+02:00'); // '2021-10-12T07:51:03.157Z'
 * normalizeTimestamp('0001-01-01T00:00:00Z'); // undefined
 * normalizeTimestamp('1591216985000'); // '2020-06-03T20:43:05.000Z'
 * normalizeTimestamp(1566248777.677, 's'); // '2019-08-19T21:06:17.677Z'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when `value` is not a timestamp.
 */
export function normalizeTimestamp(value: string | number | Date, unit: EpochUnit = 'auto'): string | undefined {
  const reading = readTimestamp(value, unit);
  if (!reading.ok) throw new ValidationError('timestamp', [{ code: 'invalid_format', path: [], message: reading.message }]);
  return reading.iso;
}
