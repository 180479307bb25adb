import { z } from 'zod';
import { ConcurrencyError, DuplicateIncidentError, ValidationError } from '../errors.js';
import { deepFreeze } from '../kernel/freeze.js';
import { parseConfig } from '../kernel/parse.js';
import type { StoredEvent } from '../model/event.js';
import { holdsDedupKeys, OPEN_STATUSES, type AlertSummary, type Incident } from '../model/incident.js';
import { compareListOrder, decodeCursor, encodeCursor } from './cursor.js';
import { checkEventRange } from './eventRange.js';
import { memoryOutbox, memoryTimers } from './memoryQueues.js';
import { memoryRecords } from './memoryRecords.js';
import { sharedFingerprintError } from './mergeErrors.js';
import type {
  AlertQuery,
  Commit,
  ListQuery,
  MergeWrite,
  SignalCount,
  OutboxFailure,
  Page,
  StorageAdapter,
  StoredIncident,
} from './types.js';

const key = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

function isOpen(incident: Incident): boolean {
  return OPEN_STATUSES.includes(incident.status);
}

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many delivered outbox messages to keep, the most recently delivered ones; older ones are
   * forgotten. Default `1000`; `Infinity` keeps every one, `0` none.
   *
   * @remarks Nothing the store returns reads a delivered message again: they are kept only to
   * look at while debugging. Dead letters are always kept until redelivered.
   */
  readonly keepDelivered?: number;
}

const optionsSchema = /* @__PURE__ */ (() =>
  z
  .strictObject({
    keepDelivered: z
      .custom<number>(
        (value) => value === Number.POSITIVE_INFINITY || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0),
        'A whole number of messages (0 or more), or Infinity to keep every one',
      )
      .optional(),
  })
  .default({}))();

/**
 * An in-memory {@link StorageAdapter}: for tests, demos and single-process hosts that can lose
 * their data on restart.
 *
 * @remarks Keeps every promise of the storage contract within one process. What it stores is
 * deeply frozen on the way in and shared on the way out (never copied), so neither a caller nor
 * the store can change stored state by accident, and a command's cost does not grow with the
 * incident: a new projection shares every value that did not change with the previous one.
 * Claiming timers and outbox messages costs the same however many were completed or delivered
 * before, and only the newest `keepDelivered` delivered messages are kept, so a long-running
 * process does not grow with its deliveries. It keeps versioned records too (`putRecord`,
 * `getRecord`, `listRecords`, `recordHistory`; reach them with `requireRecords`, which checks
 * what is written), every version frozen.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * // Keep the last 100 delivered messages instead of 1 000:
 * const small = memoryStore({ keepDelivered: 100 });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when `keepDelivered` is not a whole number ≥ 0 or `Infinity`.
 */
export function memoryStore(options: MemoryStoreOptions = {}): StorageAdapter {
  const config = parseConfig(optionsSchema, options, 'memoryStore');
  const incidents = new Map<string, StoredIncident>();
  const timelines = new Map<string, StoredEvent[]>();
  const timers = memoryTimers();
  const outbox = memoryOutbox(config.keepDelivered ?? 1_000);
  /** Repeat counters, kept beside projections so commits never overwrite them. */
  const counters = new Map<string, { count: number; lastSeenAt: string }>();
  /** `tenant + incident` → the sum of its counters: `signalCount`, without a pass over its alerts. */
  const signalTotals = new Map<string, number>();
  /** `tenant + incident` → its alert rows in the order they were attached, and each one's position. */
  const alertRows = new Map<string, { readonly order: AlertSummary[]; readonly position: Map<string, number> }>();
  /** `tenant + dedup key` → id of the open incident holding it as its own key (unique). */
  const ownKeys = new Map<string, string>();
  /** The newest incident (list order) with each own dedup key, in any status. */
  const latestKeys = new Map<string, string>();
  /** `tenant + dedup key` → ids of the open incidents holding it as an alert's key, first taker first. */
  const alertKeys = new Map<string, string[]>();
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

  /** One alert with its counter merged in (frozen: the stored row is shared when it has none). */
  function alertWithCounter(tenantId: string, incidentId: string, alert: AlertSummary): AlertSummary {
    const counter = counters.get(counterKey(tenantId, incidentId, alert.fingerprint));
    return counter === undefined ? alert : Object.freeze({ ...alert, count: counter.count, lastSeenAt: counter.lastSeenAt });
  }

  /** The projection with the counters of the alerts it carries, and the incident's total. */
  function mergeCounters(incident: Incident): Incident {
    const alerts = incident.alerts.map((alert) => alertWithCounter(incident.tenantId, incident.id, alert));
    const signalCount = signalTotals.get(key(incident.tenantId, incident.id)) ?? 0;
    return Object.freeze({ ...incident, alerts: Object.freeze(alerts), signalCount });
  }

  /** Moves the incident's own dedup key from `previous` to `next`. */
  function reindex(previous: Incident | undefined, next: Incident): void {
    if (previous?.dedupKey !== undefined && ownKeys.get(key(previous.tenantId, previous.dedupKey)) === previous.id) {
      ownKeys.delete(key(previous.tenantId, previous.dedupKey));
    }
    if (next.dedupKey !== undefined && holdsDedupKeys(next)) ownKeys.set(key(next.tenantId, next.dedupKey), next.id);
    if (next.dedupKey !== undefined && previous === undefined) {
      const k = key(next.tenantId, next.dedupKey);
      const latest = latestKeys.get(k);
      const known = latest === undefined ? undefined : incidents.get(key(next.tenantId, latest))?.incident;
      if (known === undefined || compareListOrder(next, known) < 0) latestKeys.set(k, next.id);
    }
  }

  /** Makes open incident `id` one of the holders of alert key `dedupKey`, after those before it. */
  function holdAlertKey(tenantId: string, dedupKey: string, id: string): void {
    const holders = alertKeys.get(key(tenantId, dedupKey));
    if (holders === undefined) alertKeys.set(key(tenantId, dedupKey), [id]);
    else if (!holders.includes(id)) holders.push(id);
  }

  /** Lets go of alert key `dedupKey` for incident `id`; the next holder, if any, has it now. */
  function releaseAlertKey(tenantId: string, dedupKey: string, id: string): void {
    const holders = alertKeys.get(key(tenantId, dedupKey));
    if (holders === undefined) return;
    const rest = holders.filter((holder) => holder !== id);
    if (rest.length === 0) alertKeys.delete(key(tenantId, dedupKey));
    else alertKeys.set(key(tenantId, dedupKey), rest);
  }

  /**
   * Writes a commit's alert rows (appending new fingerprints, replacing known ones in place) and
   * keeps the alert keys of open incidents: a commit costs what it changed, not what the incident
   * holds. An incident that stops holding keys (once: closed and canceled are final, and a
   * recurrence keeps the keys it took over) lets go of every alert key it held.
   */
  function writeAlerts(commit: Commit, wasOpen: boolean): void {
    const { tenantId, incidentId } = commit;
    const open = holdsDedupKeys(commit.incident);
    if ((commit.alerts?.length ?? 0) > 0) {
      const k = key(tenantId, incidentId);
      let rows = alertRows.get(k);
      if (rows === undefined) {
        rows = { order: [], position: new Map() };
        alertRows.set(k, rows);
      }
      for (const alert of commit.alerts ?? []) {
        const row = deepFreeze(alert);
        const at = rows.position.get(row.fingerprint);
        if (at === undefined) {
          rows.position.set(row.fingerprint, rows.order.length);
          rows.order.push(row);
        } else {
          const replaced = rows.order[at];
          if (replaced !== undefined && replaced.dedupKey !== row.dedupKey) releaseAlertKey(tenantId, replaced.dedupKey, incidentId);
          rows.order[at] = row;
        }
        if (open) holdAlertKey(tenantId, row.dedupKey, incidentId);
      }
    }
    if (wasOpen && !open) {
      for (const row of alertRows.get(key(tenantId, incidentId))?.order ?? []) releaseAlertKey(tenantId, row.dedupKey, incidentId);
    }
  }

  function openWithDedupKey(tenantId: string, dedupKey: string): Incident | undefined {
    const id = ownKeys.get(key(tenantId, dedupKey));
    return id === undefined ? undefined : incidents.get(key(tenantId, id))?.incident;
  }

  /** Why `commit` must be refused (a stale version, or an own key another open incident holds), or `undefined`. */
  function refusal(commit: Commit): Error | undefined {
    const current = incidents.get(key(commit.tenantId, commit.incidentId));
    const actual = current?.incident.version ?? 0;
    if (actual !== commit.expectedVersion) {
      return new ConcurrencyError({ tenantId: commit.tenantId, incidentId: commit.incidentId, expected: commit.expectedVersion, actual });
    }
    const dedupKey = commit.incident.dedupKey;
    if (dedupKey !== undefined && holdsDedupKeys(commit.incident)) {
      const holder = openWithDedupKey(commit.tenantId, dedupKey);
      if (holder !== undefined && holder.id !== commit.incidentId) {
        return new DuplicateIncidentError({ tenantId: commit.tenantId, dedupKey, existingIncidentId: holder.id });
      }
    }
    return undefined;
  }

  /** Writes a commit the store accepted. */
  function apply(commit: Commit): void {
    const k = key(commit.tenantId, commit.incidentId);
    const current = incidents.get(k);
    const last = commit.events.at(-1);
    const lastHash = last?.hash ?? current?.lastHash ?? '';
    reindex(current?.incident, commit.incident);
    writeAlerts(commit, current !== undefined && holdsDedupKeys(current.incident));
    incidents.set(k, deepFreeze({ incident: commit.incident, snapshot: commit.snapshot, lastHash }));
    const timeline = timelines.get(k) ?? [];
    for (const event of commit.events) timeline.push(deepFreeze(event));
    timelines.set(k, timeline);
    for (const timerId of commit.timers?.cancel ?? []) timers.cancel(commit.tenantId, commit.incidentId, timerId);
    for (const timer of commit.timers?.set ?? []) timers.set(timer);
    for (const message of commit.outbox ?? []) outbox.add(message);
  }

  /** A merge's refusal when both incidents have an alert with one fingerprint, or `undefined`. */
  function sharedFingerprint(from: Commit, to: Commit): Error | undefined {
    const target = alertRows.get(key(to.tenantId, to.incidentId))?.position;
    const shared = target === undefined ? undefined : alertRows.get(key(from.tenantId, from.incidentId))?.order.find((row) => target.has(row.fingerprint));
    return shared === undefined ? undefined : sharedFingerprintError(shared.fingerprint, from.incidentId, to.incidentId);
  }

  /** Passes alert key `dedupKey` from holder `from` to `to`, in `from`'s place (or first, with `first`). */
  function passAlertKey(tenantId: string, dedupKey: string, from: string, to: string, first = false): void {
    const k = key(tenantId, dedupKey);
    const holders = alertKeys.get(k) ?? [];
    const at = holders.indexOf(from);
    if (at < 0 && !first) return;
    const rest = holders.map((holder) => (holder === from ? to : holder)).filter((holder, i, all) => holder !== to || all.indexOf(to) === i);
    alertKeys.set(k, first ? [to, ...rest.filter((holder) => holder !== to && holder !== from)] : rest);
  }

  /** Moves the alert rows, their counters and their keys of a {@link MergeWrite}. */
  function moveAlerts(write: MergeWrite): void {
    const { tenantId } = write.from;
    const fromId = write.from.incidentId;
    const toId = write.to.incidentId;
    const source = alertRows.get(key(tenantId, fromId)) ?? { order: [], position: new Map<string, number>() };
    const moves = (row: AlertSummary): boolean => write.kind === 'merge' || row.mergedFrom === toId;
    const moving = source.order.filter(moves);
    const staying = source.order.filter((row) => !moves(row));
    alertRows.set(key(tenantId, fromId), { order: staying, position: new Map(staying.map((row, i) => [row.fingerprint, i])) });
    let target = alertRows.get(key(tenantId, toId));
    if (target === undefined) {
      target = { order: [], position: new Map() };
      alertRows.set(key(tenantId, toId), target);
    }
    let moved = 0;
    for (const row of moving) {
      const { mergedFrom: _mergedFrom, ...plain } = row;
      const next = deepFreeze(write.kind === 'merge' ? { ...plain, mergedFrom: fromId } : plain);
      target.position.set(next.fingerprint, target.order.length);
      target.order.push(next);
      const counter = counters.get(counterKey(tenantId, fromId, row.fingerprint));
      if (counter !== undefined) {
        counters.delete(counterKey(tenantId, fromId, row.fingerprint));
        counters.set(counterKey(tenantId, toId, row.fingerprint), counter);
        moved += counter.count;
      }
    }
    for (const id of [fromId, toId]) countsChanged.set(key(tenantId, id), (countsChanged.get(key(tenantId, id)) ?? 0) + 1);
    signalTotals.set(key(tenantId, fromId), (signalTotals.get(key(tenantId, fromId)) ?? 0) - moved);
    signalTotals.set(key(tenantId, toId), (signalTotals.get(key(tenantId, toId)) ?? 0) + moved);
    for (const dedupKey of new Set(moving.map((row) => row.dedupKey))) passAlertKey(tenantId, dedupKey, fromId, toId);
    // The own key of the merged incident (merge) or of the one coming back (unmerge) goes along.
    const own = write.kind === 'merge' ? write.from.incident.dedupKey : write.to.incident.dedupKey;
    if (own === undefined) return;
    if (write.kind === 'merge' && ownKeys.get(key(tenantId, own)) === fromId) passAlertKey(tenantId, own, fromId, toId, true);
    else if (write.kind === 'unmerge') passAlertKey(tenantId, own, fromId, toId);
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
      const refused = refusal(commit);
      if (refused !== undefined) return Promise.reject(refused);
      apply(commit);
      return Promise.resolve();
    },

    commitMerge(write: MergeWrite) {
      const { from, to } = write;
      const refused = refusal(from) ?? refusal(to) ?? (write.kind === 'merge' ? sharedFingerprint(from, to) : undefined);
      if (refused !== undefined) return Promise.reject(refused);
      moveAlerts(write);
      apply(from);
      apply(to);
      return Promise.resolve();
    },

    events(tenantId, incidentId, range) {
      const { afterSeq, limit } = checkEventRange(range);
      const timeline = timelines.get(key(tenantId, incidentId)) ?? [];
      // A binary search for the first event after afterSeq: the timeline is in seq order.
      let start = 0;
      for (let end = timeline.length; start < end; ) {
        const middle = (start + end) >> 1;
        if ((timeline[middle]?.seq ?? 0) <= afterSeq) start = middle + 1;
        else end = middle;
      }
      return Promise.resolve(timeline.slice(start, limit === undefined ? undefined : start + limit));
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
      const id = ownKeys.get(key(tenantId, dedupKey)) ?? alertKeys.get(key(tenantId, dedupKey))?.[0];
      const found = id === undefined ? undefined : incidents.get(key(tenantId, id))?.incident;
      return Promise.resolve(found === undefined ? undefined : withCounters(found));
    },

    findLatestByDedupKey(tenantId, dedupKey) {
      const id = latestKeys.get(key(tenantId, dedupKey));
      const found = id === undefined ? undefined : incidents.get(key(tenantId, id))?.incident;
      return Promise.resolve(found === undefined ? undefined : withCounters(found));
    },

    findOpenVersionByDedupKey(tenantId, dedupKey) {
      const id = ownKeys.get(key(tenantId, dedupKey)) ?? alertKeys.get(key(tenantId, dedupKey))?.[0];
      const found = id === undefined ? undefined : incidents.get(key(tenantId, id))?.incident;
      return Promise.resolve(found === undefined ? undefined : { incidentId: found.id, version: found.version });
    },

    alerts(tenantId, incidentId, query: AlertQuery): Promise<Page<AlertSummary>> {
      // The cursor is the position after the page (alerts are only ever appended, so it stays put).
      const start = query.cursor === undefined ? 0 : /^\d{1,15}$/.test(query.cursor) ? Number(query.cursor) : -1;
      if (start < 0) {
        return Promise.reject(new ValidationError('alerts', [{ code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass the nextCursor of a previous page unchanged.' }]));
      }
      const order = alertRows.get(key(tenantId, incidentId))?.order ?? [];
      const end = start + query.limit;
      const items = order.slice(start, end).map((alert) => alertWithCounter(tenantId, incidentId, alert));
      return Promise.resolve(end < order.length ? { items, nextCursor: String(end) } : { items });
    },

    findAlert(tenantId, incidentId, fingerprint) {
      const rows = alertRows.get(key(tenantId, incidentId));
      const at = rows?.position.get(fingerprint);
      const row = at === undefined ? undefined : rows?.order[at];
      return Promise.resolve(row === undefined ? undefined : alertWithCounter(tenantId, incidentId, row));
    },

    recordSignals(tenantId, counts: readonly SignalCount[]) {
      for (const update of counts) {
        const incidentKey = key(tenantId, update.incidentId);
        countsChanged.set(incidentKey, (countsChanged.get(incidentKey) ?? 0) + 1);
        signalTotals.set(incidentKey, (signalTotals.get(incidentKey) ?? 0) + update.count);
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

    claimTimers: (options) => Promise.resolve(timers.claim(options)),
    completeTimer: (claimed) => Promise.resolve(timers.complete(claimed)),
    claimOutbox: (options) => Promise.resolve(outbox.claim(options)),
    completeOutbox: (claimed) => Promise.resolve(outbox.complete(claimed)),
    failOutbox: (claimed, failure: OutboxFailure) => Promise.resolve(outbox.fail(claimed, failure)),
    deadLetters: (tenantId) => Promise.resolve(outbox.deadLetters(tenantId)),
    redeliver: (tenantId, messageId, availableAt) => Promise.resolve(outbox.redeliver(tenantId, messageId, availableAt)),
    outboxStats: (tenantId) => Promise.resolve(outbox.stats(tenantId)),
    ...memoryRecords(timers, outbox),
  };
}
