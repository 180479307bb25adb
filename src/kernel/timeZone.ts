/**
 * Time zones through `Intl.DateTimeFormat` (no date library, no Node built-ins): an instant's
 * local wall time, and the instant a local wall time names, for the business calendar in
 * `calendar.ts` and the on-call schedules.
 */
import { addDaysToDate, DAY_MS, utcMs, type CivilDate } from './civilDate.js';

/** A 24-hour local time of day, `HH:MM`. */
export const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

// Constructing an Intl.DateTimeFormat is costly (hundreds of µs); remember each zone's verdict.
const zones = new Map<string, string | undefined>();

/** The canonical IANA name of `zone`, or `undefined` when the runtime does not know it. */
export function canonicalZone(zone: string): string | undefined {
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

/** An instant's local wall time, to the second. */
export interface LocalParts extends CivilDate {
  readonly h: number;
  readonly mi: number;
  readonly s: number;
}

export function localParts(ms: number, timeZone: string): LocalParts {
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
export function instantOf(date: CivilDate, h: number, mi: number, timeZone: string): number {
  const local = utcMs(date.y, date.m, date.d, h, mi);
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const candidates = [...new Set([before, after])].map((o) => local - o).filter((t) => offsetAt(t, timeZone) === local - t);
  if (candidates.length > 0) return Math.min(...candidates);
  return local - before;
}

/** The first instant of the local day `date`. */
export function startOfDay(date: CivilDate, timeZone: string): number {
  return instantOf(date, 0, 0, timeZone);
}

export function endOfDay(date: CivilDate, timeZone: string, dayEndsAt: string | undefined): number {
  if (dayEndsAt !== undefined) {
    const m = HH_MM.exec(dayEndsAt);
    if (m !== null) return instantOf(date, Number(m[1]), Number(m[2]), timeZone);
  }
  return startOfDay(addDaysToDate(date, 1), timeZone) - 1;
}
