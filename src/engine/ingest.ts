import { z } from 'zod';
import { AdapterError, isIncidentKitError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { AlertSummary, Incident } from '../model/incident.js';
import { parseConfig, parseInput } from '../kernel/parse.js';
import { isSealedSignal, signalSchema, type Signal } from '../model/signal.js';
import type { SignalCount } from '../storage/types.js';
import type { EngineCore } from './core.js';
import { ingestOptionsSchema, type IngestOptions, type IngestOutcome, type IngestResult } from './ingestOptions.js';

export type { IngestOptions, IngestOutcome, IngestResult, MaintenanceWindow } from './ingestOptions.js';

const MINUTE = 60_000;
const ACTIVE = new Set(['triage', 'responding', 'mitigated']);

function actorFor(signal: Signal): Actor {
  return { kind: 'integration', id: signal.source };
}

function groupKeyOf(labels: Readonly<Record<string, string>>, groupBy: readonly string[]): string {
  return `group:${groupBy.map((name) => `${name}=${labels[name] ?? ''}`).join(',')}`;
}

/**
 * The ingest half of the engine: deduplicate, group, hold, suppress, open, acknowledge and
 * auto-resolve.
 *
 * @internal
 */
export function createIngest(core: EngineCore, input: IngestOptions | undefined) {
  const options = parseConfig(ingestOptionsSchema, input, 'createIncidentEngine ingest');
  const { store, tenantId } = core;
  const signalsSchema = z.union([signalSchema, z.array(signalSchema).max(10_000)]);

  const noMaintenance = options.maintenanceWindows.length === 0;

  function inMaintenance(signal: Signal, at: string): boolean {
    return options.maintenanceWindows.some(
      (w) =>
        w.start <= at &&
        at < w.end &&
        (w.service === undefined || w.service === signal.service) &&
        Object.entries(w.labels ?? {}).every(([name, value]) => signal.labels[name] === value),
    );
  }

  /** Applies a status change of one alert, then what it implies for the incident. */
  async function changeStatus(incident: Incident, alert: AlertSummary, signal: Signal): Promise<IngestResult> {
    const actor = actorFor(signal);
    let current = await core.command(incident.id, actor, () => ({
      type: 'CHANGE_ALERT_STATUS',
      fingerprint: alert.fingerprint,
      status: signal.status,
    }), undefined);
    if (signal.status === 'acknowledged') {
      if (current.status === 'triage') current = await core.command(incident.id, actor, () => ({ type: 'ACKNOWLEDGE' }), undefined);
      return { outcome: 'acknowledged', incident: current };
    }
    if (signal.status === 'resolved') {
      const allResolved = current.alerts.every((a) => a.status === 'resolved');
      if (options.autoResolve && allResolved && ACTIVE.has(current.status)) {
        current = await core.command(incident.id, actor, () => ({
          type: 'RESOLVE',
          summary: `All ${String(current.alerts.length)} alert(s) resolved at the source (${signal.source}).`,
        }), undefined);
      }
      return { outcome: 'resolved', incident: current };
    }
    return { outcome: 'deduplicated', incident: current };
  }

  async function attach(incident: Incident, signal: Signal, key: string, outcome: IngestOutcome): Promise<IngestResult> {
    const updated = await core.command(incident.id, actorFor(signal), () => ({
      type: 'ATTACH_ALERT',
      fingerprint: signal.fingerprint,
      dedupKey: key,
      source: signal.source,
      status: signal.status,
      summary: signal.summary,
    }), undefined);
    return { outcome, incident: updated };
  }

  /** Per-call lookups: an alert storm of one key costs one store read, not one per signal. */
  type Lookups = Map<string, Incident | undefined>;

  async function findOpen(key: string, lookups: Lookups): Promise<Incident | undefined> {
    if (lookups.has(key)) return lookups.get(key);
    const found = await store.findOpenByDedupKey(tenantId, key);
    lookups.set(key, found);
    return found;
  }

  async function ingestOne(signal: Signal, counts: SignalCount[], at: string, lookups: Lookups): Promise<IngestResult> {
    const result = await decide(signal, counts, at, lookups);
    // Any write may have changed which incident holds which key: forget what this call looked up.
    if (result.outcome !== 'deduplicated' || result.incident === undefined || lookups.get(signal.dedupKey ?? signal.fingerprint) !== result.incident) {
      lookups.clear();
    }
    return result;
  }

  async function decide(signal: Signal, counts: SignalCount[], at: string, lookups: Lookups): Promise<IngestResult> {
    if (inMaintenance(signal, at)) return { outcome: 'suppressed' };
    const key = signal.dedupKey ?? signal.fingerprint;
    const firing = signal.status === 'firing';
    const count = (incident: Incident): void => {
      if (firing) counts.push({ incidentId: incident.id, fingerprint: signal.fingerprint, count: 1, lastSeenAt: at });
    };
    // Bounded retries: a lost create race means another writer opened the incident; look again.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const open = await findOpen(key, lookups);
      if (open !== undefined) {
        const alert = open.alerts.find((a) => a.fingerprint === signal.fingerprint);
        if (alert === undefined) {
          if (!firing) return { outcome: 'ignored' };
          const result = await attach(open, signal, key, 'deduplicated');
          count(open);
          return result;
        }
        count(open);
        if (alert.status === signal.status) return { outcome: 'deduplicated', incident: open };
        return await changeStatus(open, alert, signal);
      }
      // PagerDuty drops a non-firing event for an unknown or closed key too.
      if (!firing) return { outcome: 'ignored' };

      const groupKey = options.groupBy === undefined ? undefined : groupKeyOf(signal.labels, options.groupBy);
      if (groupKey !== undefined) {
        const group = await store.findOpenByDedupKey(tenantId, groupKey);
        if (group !== undefined && Date.parse(at) - Date.parse(group.detectedAt) <= options.groupWindowMinutes * MINUTE) {
          const result = await attach(group, signal, key, 'grouped');
          count(group);
          return result;
        }
      }
      if (options.threshold !== undefined && attempt === 0) {
        const since = new Date(Date.parse(at) - options.threshold.windowMinutes * MINUTE).toISOString();
        const seen = await store.countFirings(tenantId, key, at, since);
        if (seen < options.threshold.count) return { outcome: 'held' };
      }
      // The group key names the incident while it is free; after the window a new group incident takes the alert's key.
      const dedupKey = groupKey !== undefined && (await store.findOpenByDedupKey(tenantId, groupKey)) === undefined ? groupKey : key;
      try {
        const created = await core.create({
          title: signal.summary,
          severity: core.severityScale.levels.includes(signal.severity) ? signal.severity : (core.severityScale.levels.at(-1) ?? signal.severity),
          service: signal.service,
          summary: signal.annotations.description ?? signal.annotations.summary,
          startedAt: signal.startsAt < at ? signal.startsAt : at,
          dedupKey,
          labels: signal.labels,
          actor: actorFor(signal),
          at,
          alert: {
            fingerprint: signal.fingerprint,
            dedupKey: key,
            source: signal.source,
            status: 'firing',
            summary: signal.summary,
          },
        });
        count(created);
        return { outcome: 'created', incident: created };
      } catch (error) {
        if (!isIncidentKitError(error, 'DUPLICATE_INCIDENT')) throw error;
        // Another writer opened it first: forget the cached miss and attach to the winner.
        lookups.clear();
      }
    }
    // The store refused the create as a duplicate three times yet showed no open incident for
    // the key: its dedup index and its reads disagree.
    throw new AdapterError(
      { adapter: 'store', operation: 'findOpenByDedupKey' },
      `ingest could not settle the race for dedup key '${key}' after 3 attempts: the store refuses a new incident as a duplicate but finds no open one with that key.`,
    );
  }

  /**
   * Ingests one signal or many, in order.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when a signal is malformed; nothing is ingested then.
   */
  async function ingest(input: Signal | readonly Signal[]): Promise<IngestResult[]> {
    const list: readonly unknown[] = Array.isArray(input) ? input : [input];
    // Signals from parseSignal or a parser are sealed (valid and frozen); only others are parsed.
    let signals: readonly Signal[];
    // A plain loop, not `every`: `every` skips the holes of a sparse array, which would let them through unparsed.
    let sealed = true;
    for (let i = 0; i < list.length && sealed; i += 1) sealed = isSealedSignal(list[i]);
    if (sealed) {
      signals = list as readonly Signal[];
    } else {
      const parsed = parseInput(signalsSchema, input, 'ingest');
      signals = Array.isArray(parsed) ? parsed : [parsed];
    }
    if (core.authorizes) {
      // Asked once per source of this call: may this integration raise and update incidents?
      const sources = new Map(signals.map((signal) => [signal.source, actorFor(signal)]));
      for (const actor of sources.values()) await core.authorize(actor, 'ingest');
    }
    const at = core.now();
    const counts: SignalCount[] = [];
    const results: IngestResult[] = [];
    try {
      const lookups: Lookups = new Map();
      for (const signal of signals) {
        // The hot path of an alert storm, without a promise per signal: a repeat of an alert
        // whose open incident this call already looked up, in the status it already has.
        const key = signal.dedupKey ?? signal.fingerprint;
        const open = lookups.get(key);
        if (
          open !== undefined &&
          (noMaintenance || !inMaintenance(signal, at)) &&
          open.alerts.some((a) => a.fingerprint === signal.fingerprint && a.status === signal.status)
        ) {
          if (signal.status === 'firing') counts.push({ incidentId: open.id, fingerprint: signal.fingerprint, count: 1, lastSeenAt: at });
          results.push({ outcome: 'deduplicated', incident: open });
          continue;
        }
        results.push(await ingestOne(signal, counts, at, lookups));
      }
    } finally {
      // Repeats are counted in one write per call, not one per signal: an alert storm stays cheap.
      if (counts.length > 0) await store.recordSignals(tenantId, mergeCounts(counts));
    }
    return results;
  }

  return { ingest };
}

type MutableCount = { -readonly [K in keyof SignalCount]: SignalCount[K] };

function mergeCounts(counts: readonly SignalCount[]): SignalCount[] {
  const merged = new Map<string, Map<string, MutableCount>>();
  for (const c of counts) {
    let byFingerprint = merged.get(c.incidentId);
    if (byFingerprint === undefined) {
      byFingerprint = new Map<string, MutableCount>();
      merged.set(c.incidentId, byFingerprint);
    }
    const previous = byFingerprint.get(c.fingerprint);
    if (previous === undefined) byFingerprint.set(c.fingerprint, { ...c });
    else {
      previous.count += c.count;
      if (c.lastSeenAt > previous.lastSeenAt) previous.lastSeenAt = c.lastSeenAt;
    }
  }
  return [...merged.values()].flatMap((byFingerprint) => [...byFingerprint.values()]);
}
