import type { AlertSummary, Incident } from '../../model/incident.js';
import type { SignalCount } from '../types.js';

/** One alert's stored repeat counter. */
export interface SignalCounter {
  readonly count: number;
  readonly lastSeenAt: string;
}

/**
 * Merges stored repeat counters (by alert fingerprint) into a projection, as every read of a
 * store must: each counted alert it carries gets `count` and `lastSeenAt`, and an incident with
 * alerts gets `signalCount`, the sum of the counters of all its alerts (`total`, kept beside them:
 * the projection carries only the newest 100). Same rule as the memory store.
 *
 * @internal
 */
export function mergeCounters(incident: Incident, counters: ReadonlyMap<string, SignalCounter>, total: number): Incident {
  if (incident.alerts.length === 0) return incident;
  const alerts = incident.alerts.map((alert) => {
    const counter = counters.get(alert.fingerprint);
    return counter === undefined ? alert : { ...alert, count: counter.count, lastSeenAt: counter.lastSeenAt };
  });
  return { ...incident, alerts, signalCount: total };
}

/** An alert row as stored (JSON text) with its counter merged in, when it has one. @internal */
export function alertWithCounter(json: string, count: number | string | null, lastSeenAt: string | null): AlertSummary {
  const alert = JSON.parse(json) as AlertSummary;
  return count === null || lastSeenAt === null ? alert : { ...alert, count: Number(count), lastSeenAt };
}

/**
 * Sums a batch of signal counts per `(incident, fingerprint)`, keeping the newest `lastSeenAt`,
 * so a SQL upsert touches each counter row once.
 *
 * @internal
 */
export function groupSignalCounts(counts: readonly SignalCount[]): SignalCount[] {
  const grouped = new Map<string, SignalCount>();
  for (const update of counts) {
    const k = JSON.stringify([update.incidentId, update.fingerprint]);
    const seen = grouped.get(k);
    grouped.set(
      k,
      seen === undefined
        ? { ...update }
        : { ...seen, count: seen.count + update.count, lastSeenAt: update.lastSeenAt > seen.lastSeenAt ? update.lastSeenAt : seen.lastSeenAt },
    );
  }
  return [...grouped.values()];
}
