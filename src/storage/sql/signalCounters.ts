import type { Incident } from '../../model/incident.js';
import type { SignalCount } from '../types.js';

/** One alert's stored repeat counter. */
export interface SignalCounter {
  readonly count: number;
  readonly lastSeenAt: string;
}

/**
 * Merges stored repeat counters (by alert fingerprint) into a projection, as every read of a
 * store must: each counted alert gets `count` and `lastSeenAt`, and an incident with alerts gets
 * `signalCount`, the sum of its alerts' counters. Same rule as the memory store.
 *
 * @internal
 */
export function mergeCounters(incident: Incident, counters: ReadonlyMap<string, SignalCounter>): Incident {
  if (incident.alerts.length === 0) return incident;
  let signalCount = 0;
  const alerts = incident.alerts.map((alert) => {
    const counter = counters.get(alert.fingerprint);
    if (counter === undefined) return alert;
    signalCount += counter.count;
    return { ...alert, count: counter.count, lastSeenAt: counter.lastSeenAt };
  });
  return { ...incident, alerts, signalCount };
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
