/**
 * Component uptime from the stored history of component changes, as a pure function: per
 * component, the share of the range it was up and the worst status of each day, in the page's
 * time zone, weighted like Statuspage (a partial outage counts 30 %, a major outage 100 %).
 *
 * @packageDocumentation
 */
import { worstOf } from './componentStatus.js';
import type { ComponentStatus, ComponentUptime, StatusPage, UptimeDay } from './snapshot.js';

/** How much of the time in each status counts as down. */
export const UPTIME_WEIGHTS: Readonly<Record<ComponentStatus, number>> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};

const DAY_MS = 24 * 60 * 60_000;

/** What {@link computeUptime} takes. @internal */
export interface UptimeInput {
  readonly page: StatusPage;
  /** Every change, oldest first. */
  readonly changes: readonly { readonly componentId: string; readonly newStatus: ComponentStatus; readonly at: string }[];
  /** When the page's history began: before it, components count as operational. */
  readonly createdAt: string;
  /** The end of the range (now). */
  readonly at: string;
  /** Days shown, today included. */
  readonly days: number;
}

/** The `YYYY-MM-DD` of `ms` in `timeZone`. */
function dateIn(ms: number, format: Intl.DateTimeFormat): string {
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''}`;
}

/** The instant `date` (YYYY-MM-DD) begins in the format's time zone. */
function startOf(date: string, format: Intl.DateTimeFormat): number {
  const midnightUtc = Date.parse(`${date}T00:00:00.000Z`);
  let guess = midnightUtc;
  // Two rounds settle the zone's offset at that midnight (DST changes happen at night, not at 00:00 in practice).
  for (let round = 0; round < 2; round += 1) {
    const parts = Object.fromEntries(format.formatToParts(new Date(guess)).map((p) => [p.type, p.value]));
    const shown = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute), Number(parts.second));
    guess = midnightUtc - (shown - guess);
  }
  return guess;
}

/** Per component of `input.page`, its uptime over the last `input.days` days and each day's worst status. */
export function computeUptime(input: UptimeInput): ComponentUptime[] {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: input.page.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const end = Date.parse(input.at);
  const today = Date.parse(`${dateIn(end, format)}T00:00:00.000Z`);
  // Calendar days counted back from today's date in the page's zone, oldest first.
  const dates = Array.from({ length: input.days }, (_, n) => new Date(today - (input.days - 1 - n) * DAY_MS).toISOString().slice(0, 10));
  const bounds = dates.map((date) => startOf(date, format));
  return input.page.components.map((component) => {
    const own = input.changes.filter((c) => c.componentId === component.id).map((c) => ({ at: Date.parse(c.at), status: c.newStatus }));
    /** The status at `ms` and the changes after it up to `until`, as segments. */
    const segments = (from: number, until: number): { from: number; until: number; status: ComponentStatus }[] => {
      let status: ComponentStatus = 'operational';
      for (const change of own) if (change.at <= from) status = change.status;
      const out: { from: number; until: number; status: ComponentStatus }[] = [];
      let start = from;
      for (const change of own) {
        if (change.at <= from || change.at >= until) continue;
        out.push({ from: start, until: change.at, status });
        start = change.at;
        status = change.status;
      }
      out.push({ from: start, until, status });
      return out;
    };
    const days: UptimeDay[] = dates.map((date, index) => {
      const from = bounds[index] ?? end;
      const until = Math.min(bounds[index + 1] ?? end, end);
      const parts = segments(from, Math.max(until, from));
      const total = Math.max(until - from, 0);
      const down = parts.reduce((sum, s) => sum + (s.until - s.from) * UPTIME_WEIGHTS[s.status], 0);
      return { date, worst: parts.reduce<ComponentStatus>((w, s) => (s.until > s.from || total === 0 ? worstOf(w, s.status) : w), 'operational'), uptime: total === 0 ? 1 : 1 - down / total };
    });
    const from = bounds[0] ?? end;
    const total = end - from;
    const down = segments(from, end).reduce((sum, s) => sum + (s.until - s.from) * UPTIME_WEIGHTS[s.status], 0);
    return { componentId: component.id, uptime: total <= 0 ? 1 : 1 - down / total, days };
  });
}
