import { ConcurrencyError, DuplicateIncidentError } from '../errors.js';
import { deepFreeze } from '../kernel/freeze.js';
import type { StoredEvent } from '../model/event.js';
import { OPEN_STATUSES, type Incident } from '../model/incident.js';
import { compareListOrder, decodeCursor, encodeCursor } from './cursor.js';
import type {
  ClaimOptions,
  Claimed,
  Commit,
  ListQuery,
  SignalCount,
  OutboxFailure,
  OutboxRecord,
  Page,
  StorageAdapter,
  StoredIncident,
  TimerRecord,
} from './types.js';

interface Lease {
  owner: string;
  until: string;
}

interface TimerRow {
  record: TimerRecord;
  lease?: Lease;
}

interface OutboxRow {
  record: OutboxRecord;
  lease?: Lease;
  state: 'pending' | 'delivered' | 'dead';
}

const key = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;
const timerKey = (t: { tenantId: string; incidentId: string; timerId: string }): string =>
  `${t.tenantId}\u0000${t.incidentId}\u0000${t.timerId}`;

function isOpen(incident: Incident): boolean {
  return OPEN_STATUSES.includes(incident.status);
}

function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/**
 * An in-memory {@link StorageAdapter}: for tests, demos and single-process hosts that can lose
 * their data on restart.
 *
 * @remarks Keeps every promise of the storage contract within one process. What it stores is
 * deeply frozen on the way in and shared on the way out (never copied), so neither a caller nor
 * the store can change stored state by accident, and a command's cost does not grow with the
 * incident: a new projection shares every value that did not change with the previous one.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * ```
 */
export function memoryStore(): StorageAdapter {
  const incidents = new Map<string, StoredIncident>();
  const timelines = new Map<string, StoredEvent[]>();
  const timers = new Map<string, TimerRow>();
  const outbox = new Map<string, OutboxRow>();
  /** Repeat counters, kept beside projections so commits never overwrite them. */
  const counters = new Map<string, { count: number; lastSeenAt: string }>();
  /** `tenant + dedup key` → id of the open incident holding it as its own key (unique). */
  const ownKeys = new Map<string, string>();
  /** `tenant + dedup key` → id of an open incident holding it as one of its alerts' keys. */
  const alertKeys = new Map<string, string>();
  const firings = new Map<string, string[]>();

  const counterKey = (tenantId: string, incidentId: string, fingerprint: string): string =>
    `${tenantId}\u0000${incidentId}\u0000${fingerprint}`;

  /** Bumped by every `recordSignals` of an incident, so merged projections are rebuilt only when counts changed. */
  const countsChanged = new Map<string, number>();
  /** The last merged projection of each incident with alerts, for as long as neither it nor its counts change. */
  const merged = new WeakMap<Incident, { readonly changes: number; readonly incident: Incident }>();

  /** The projection with its counters merged in (frozen: the stored values are shared, never copied). */
  function withCounters(incident: Incident): Incident {
    if (incident.alerts.length === 0) return incident;
    const changes = countsChanged.get(key(incident.tenantId, incident.id)) ?? 0;
    const cached = merged.get(incident);
    if (cached?.changes === changes) return cached.incident;
    const result = mergeCounters(incident);
    merged.set(incident, { changes, incident: result });
    return result;
  }

  function mergeCounters(incident: Incident): Incident {
    let signalCount = 0;
    const alerts = incident.alerts.map((alert) => {
      const counter = counters.get(counterKey(incident.tenantId, incident.id, alert.fingerprint));
      if (counter === undefined) return alert;
      signalCount += counter.count;
      return { ...alert, count: counter.count, lastSeenAt: counter.lastSeenAt };
    });
    return deepFreeze({ ...incident, alerts, signalCount });
  }

  function reindex(previous: Incident | undefined, next: Incident): void {
    if (previous !== undefined) {
      const { tenantId, id } = previous;
      if (previous.dedupKey !== undefined && ownKeys.get(key(tenantId, previous.dedupKey)) === id) {
        ownKeys.delete(key(tenantId, previous.dedupKey));
      }
      for (const alert of previous.alerts) {
        if (alertKeys.get(key(tenantId, alert.dedupKey)) === id) alertKeys.delete(key(tenantId, alert.dedupKey));
      }
    }
    if (!isOpen(next)) return;
    if (next.dedupKey !== undefined) ownKeys.set(key(next.tenantId, next.dedupKey), next.id);
    for (const alert of next.alerts) {
      if (!alertKeys.has(key(next.tenantId, alert.dedupKey))) alertKeys.set(key(next.tenantId, alert.dedupKey), next.id);
    }
  }

  function openWithDedupKey(tenantId: string, dedupKey: string): Incident | undefined {
    const id = ownKeys.get(key(tenantId, dedupKey));
    return id === undefined ? undefined : incidents.get(key(tenantId, id))?.incident;
  }

  function claim<R, T extends { record: R; lease?: Lease }>(
    rows: Iterable<T>,
    options: ClaimOptions,
    due: (row: T) => string | undefined,
  ): Claimed<R>[] {
    const candidates = [...rows]
      .filter((row) => {
        const dueAt = due(row);
        return dueAt !== undefined && dueAt <= options.now && (row.lease === undefined || row.lease.until <= options.now);
      })
      .sort((a, b) => ((due(a) ?? '') < (due(b) ?? '') ? -1 : 1))
      .slice(0, options.limit);
    const until = addMs(options.now, options.leaseMs);
    return candidates.map((row) => {
      row.lease = { owner: options.owner, until };
      return { item: structuredClone(row.record), owner: options.owner, leaseUntil: until };
    });
  }

  function holds(lease: Lease | undefined, claimed: Claimed<unknown>): boolean {
    return lease?.owner === claimed.owner && lease.until === claimed.leaseUntil;
  }

  return {
    name: 'memory',

    load(tenantId, incidentId) {
      const stored = incidents.get(key(tenantId, incidentId));
      if (stored === undefined) return Promise.resolve(undefined);
      const incident = withCounters(stored.incident);
      return Promise.resolve(incident === stored.incident ? stored : { ...stored, incident });
    },

    commit(commit: Commit) {
      const k = key(commit.tenantId, commit.incidentId);
      const current = incidents.get(k);
      const actual = current?.incident.version ?? 0;
      if (actual !== commit.expectedVersion) {
        return Promise.reject(
          new ConcurrencyError({ tenantId: commit.tenantId, incidentId: commit.incidentId, expected: commit.expectedVersion, actual }),
        );
      }
      const dedupKey = commit.incident.dedupKey;
      if (dedupKey !== undefined && isOpen(commit.incident)) {
        const holder = openWithDedupKey(commit.tenantId, dedupKey);
        if (holder !== undefined && holder.id !== commit.incidentId) {
          return Promise.reject(
            new DuplicateIncidentError({ tenantId: commit.tenantId, dedupKey, existingIncidentId: holder.id }),
          );
        }
      }
      const last = commit.events.at(-1);
      const lastHash = last?.hash ?? current?.lastHash ?? '';
      reindex(current?.incident, commit.incident);
      incidents.set(k, deepFreeze({ incident: commit.incident, snapshot: commit.snapshot, lastHash }));
      const timeline = timelines.get(k) ?? [];
      for (const event of commit.events) timeline.push(deepFreeze(event));
      timelines.set(k, timeline);
      for (const timerId of commit.timers?.cancel ?? []) {
        timers.delete(timerKey({ tenantId: commit.tenantId, incidentId: commit.incidentId, timerId }));
      }
      for (const timer of commit.timers?.set ?? []) {
        timers.set(timerKey(timer), { record: structuredClone(timer) });
      }
      for (const message of commit.outbox ?? []) {
        outbox.set(key(message.tenantId, message.id), { record: structuredClone(message), state: 'pending' });
      }
      return Promise.resolve();
    },

    events(tenantId, incidentId) {
      return Promise.resolve([...(timelines.get(key(tenantId, incidentId)) ?? [])]);
    },

    list(tenantId, query: ListQuery): Promise<Page<Incident>> {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const matches = [...incidents.values()]
        .map((stored) => stored.incident)
        .filter(
          (incident) =>
            incident.tenantId === tenantId &&
            (query.status === undefined || query.status.includes(incident.status)) &&
            (query.severity === undefined || query.severity.includes(incident.severity)) &&
            (query.service === undefined || (incident.service !== undefined && query.service.includes(incident.service))) &&
            (query.open === undefined || isOpen(incident) === query.open) &&
            (query.detectedFrom === undefined || incident.detectedAt >= query.detectedFrom) &&
            (query.detectedTo === undefined || incident.detectedAt < query.detectedTo) &&
            (after === undefined || compareListOrder(incident, after) > 0),
        )
        .sort(compareListOrder);
      const items = matches.slice(0, query.limit).map(withCounters);
      const last = items.at(-1);
      const page: Page<Incident> =
        matches.length > query.limit && last !== undefined ? { items, nextCursor: encodeCursor(last) } : { items };
      return Promise.resolve(page);
    },

    findOpenByDedupKey(tenantId, dedupKey) {
      const id = ownKeys.get(key(tenantId, dedupKey)) ?? alertKeys.get(key(tenantId, dedupKey));
      const found = id === undefined ? undefined : incidents.get(key(tenantId, id))?.incident;
      return Promise.resolve(found === undefined ? undefined : withCounters(found));
    },

    findOpenVersionByDedupKey(tenantId, dedupKey) {
      const id = ownKeys.get(key(tenantId, dedupKey)) ?? alertKeys.get(key(tenantId, dedupKey));
      const found = id === undefined ? undefined : incidents.get(key(tenantId, id))?.incident;
      return Promise.resolve(found === undefined ? undefined : { incidentId: found.id, version: found.version });
    },

    recordSignals(tenantId, counts: readonly SignalCount[]) {
      for (const update of counts) {
        const incidentKey = key(tenantId, update.incidentId);
        countsChanged.set(incidentKey, (countsChanged.get(incidentKey) ?? 0) + 1);
        const k = counterKey(tenantId, update.incidentId, update.fingerprint);
        const counter = counters.get(k);
        if (counter === undefined) {
          counters.set(k, { count: update.count, lastSeenAt: update.lastSeenAt });
        } else {
          counter.count += update.count;
          if (update.lastSeenAt > counter.lastSeenAt) counter.lastSeenAt = update.lastSeenAt;
        }
      }
      return Promise.resolve();
    },

    countFirings(tenantId, firingKey, at, since) {
      const k = key(tenantId, firingKey);
      const kept = (firings.get(k) ?? []).filter((time) => time >= since);
      kept.push(at);
      firings.set(k, kept);
      return Promise.resolve(kept.filter((time) => time >= since).length);
    },

    claimTimers(options) {
      const rows = [...timers.values()].filter((row) => row.record.tenantId === options.tenantId);
      const claimed = claim<TimerRecord, TimerRow>(rows, options, (row) => row.record.dueAt);
      return Promise.resolve(claimed);
    },

    completeTimer(claimed) {
      const k = timerKey(claimed.item);
      const row = timers.get(k);
      if (row === undefined || !holds(row.lease, claimed) || row.record.dueAt !== claimed.item.dueAt) return Promise.resolve(false);
      timers.delete(k);
      return Promise.resolve(true);
    },

    claimOutbox(options) {
      const rows = [...outbox.values()].filter((row) => row.record.tenantId === options.tenantId);
      return Promise.resolve(
        claim<OutboxRecord, OutboxRow>(rows, options, (row) => (row.state === 'pending' ? row.record.availableAt : undefined)),
      );
    },

    completeOutbox(claimed) {
      const row = outbox.get(key(claimed.item.tenantId, claimed.item.id));
      if (row?.state !== 'pending' || !holds(row.lease, claimed)) return Promise.resolve(false);
      row.state = 'delivered';
      row.record = { ...row.record, attempts: row.record.attempts + 1 };
      delete row.lease;
      return Promise.resolve(true);
    },

    failOutbox(claimed, failure: OutboxFailure) {
      const row = outbox.get(key(claimed.item.tenantId, claimed.item.id));
      if (row?.state !== 'pending' || !holds(row.lease, claimed)) return Promise.resolve(false);
      row.record = {
        ...row.record,
        attempts: row.record.attempts + 1,
        lastError: failure.error,
        availableAt: failure.retryAt ?? row.record.availableAt,
      };
      row.state = failure.retryAt === undefined ? 'dead' : 'pending';
      delete row.lease;
      return Promise.resolve(true);
    },

    deadLetters(tenantId) {
      const dead = [...outbox.values()]
        .filter((row) => row.record.tenantId === tenantId && row.state === 'dead')
        .map((row) => structuredClone(row.record))
        .sort((a, b) => (a.availableAt < b.availableAt ? -1 : a.availableAt > b.availableAt ? 1 : 0));
      return Promise.resolve(dead);
    },

    redeliver(tenantId, messageId, availableAt) {
      const row = outbox.get(key(tenantId, messageId));
      if (row?.state !== 'dead') return Promise.resolve(false);
      row.state = 'pending';
      row.record = { ...row.record, availableAt };
      return Promise.resolve(true);
    },
  };
}
