/**
 * The SQLite store: `incidentkit/sqlite` (peer dependency: `better-sqlite3`).
 *
 * @packageDocumentation
 */
import type BetterSqlite3 from 'better-sqlite3';
import { ConcurrencyError, ConfigError, DuplicateIncidentError } from '../errors.js';
import type { AlertSummary, Incident } from '../model/incident.js';
import type { PersistedIncidentSnapshot } from '../model/snapshot.js';
import { compareListOrder, encodeCursor } from './cursor.js';
import { checkEventRange } from './eventRange.js';
import { decodeAlertCursor, encodeAlertCursor } from './sql/alertCursor.js';
import { addMs, assertTimestamp, checkCommit, timerChangesOf } from './sql/checkCommit.js';
import { driverCode, wrapDriverError } from './sql/driverError.js';
import { incidentCache } from './sql/incidentCache.js';
import { incidentWithItems, itemWrites, storedWithItems, type CollectionWrite, type StoredItem } from './sql/incidentItems.js';
import { LIST_FILTERS, planList } from './sql/listPlan.js';
import { openKeysOf, type OpenKeys } from './sql/openKeys.js';
import { projectionRow } from './sql/projectionRow.js';
import { claimedMessages, claimedTimers, parseJson as parse, toOutboxRecord, toStoredEvent, toTimerRecord } from './sql/rowRecords.js';
import { alertWithCounter, groupSignalCounts, mergeCounters } from './sql/signalCounters.js';
import { sqliteMerge } from './sql/sqliteMerge.js';
import { sqliteMigrations } from './sql/sqliteMigrations.js';
import { sqliteRecords } from './sql/sqliteRecords.js';
import { sqliteStatements, type IncidentValues, type OutboxRow, type TimerRow, type UnindexedUpdate } from './sql/sqliteStatements.js';
import { validateIdentifier } from './sql/validateIdentifier.js';
import { deepFreeze } from '../kernel/freeze.js';
import type {
  ClaimOptions,
  Commit,
  MergeWrite,
  OutboxRecord,
  Page,
  SignalCount,
  StorageAdapter,
  StoredIncident,
  TimerRecord,
} from './types.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * Prefix of every table and index the store creates, so it can share a database with the
   * host's own tables. A plain identifier; default `incidentkit_`.
   */
  readonly tablePrefix?: string;
}

const ADAPTER = 'sqlite';

function toTimer(row: TimerRow): TimerRecord {
  return toTimerRecord(row.tenant_id, row, row.due_at);
}

function toOutbox(row: OutboxRow): OutboxRecord {
  return toOutboxRecord(row.tenant_id, row, row.available_at);
}

/**
 * A {@link StorageAdapter} on SQLite through a `better-sqlite3` database the host opened: the
 * embedded default for one process.
 *
 * @remarks
 * Creates and migrates its tables on creation (versioned migrations recorded in
 * `<prefix>migrations`, safe to run again and from several processes). Each commit is one
 * `BEGIN IMMEDIATE` transaction: the expected version is a compare-and-set `UPDATE … WHERE
 * version = ?`, `(tenant, incident, seq)` is a primary key, and the dedup keys of open incidents
 * are rows of `<prefix>open_keys`, where an incident's own key is unique per tenant, so
 * `findOpenByDedupKey` is one index lookup. Every `list` page is an index seek. Alerts and
 * action items are rows of their own, and a commit writes only those it changes: the store
 * remembers the last state of its most recently used incidents by version, so a command on an
 * incident with 10 000 action items costs what one with 10 does. What `load` returns is deeply
 * frozen. Times are stored as canonical ISO-8601 text and JSON as text, so both round-trip
 * exactly. Versioned records (`putRecord`, …) are rows of `<prefix>records`, one per version. Enable WAL (`db.pragma('journal_mode = WAL')`) for files.
 * Several processes may share one file, but for several hosts use `postgresStore`.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { createIncidentEngine } from 'incidentkit';
 * import { sqliteStore } from 'incidentkit/sqlite';
 *
 * const db = new Database('incidents.db');
 * db.pragma('journal_mode = WAL');
 * const engine = createIncidentEngine({ store: sqliteStore(db) });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when `db` is not an open better-sqlite3 database or `tablePrefix` is not a plain identifier.
 * @throws AdapterError (`ADAPTER_FAILED`) when the migrations fail, or the database was migrated by a newer incidentkit.
 */
export function sqliteStore(db: BetterSqlite3.Database, options: SqliteStoreOptions = {}): StorageAdapter {
  const candidate = db as Partial<BetterSqlite3.Database> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.prepare !== 'function' || candidate.open !== true) {
    throw new ConfigError('sqliteStore', [
      { code: 'custom', path: ['db'], message: 'Pass an open better-sqlite3 Database, e.g. new Database("incidents.db")' },
    ]);
  }
  const prefix = validateIdentifier(options.tablePrefix ?? 'incidentkit_', 'sqliteStore', 'tablePrefix', 40);
  try {
    sqliteMigrations(db, prefix);
  } catch (error) {
    throw wrapDriverError(ADAPTER, 'migrate', error);
  }

  const stmt = sqliteStatements(db, prefix);
  const cache = incidentCache();

  function writeIncident(commit: Commit): void {
    const { tenantId, incidentId, expectedVersion } = commit;
    const values: IncidentValues = projectionRow(commit, (open) => (open ? 1 : 0));
    try {
      if (expectedVersion === 0) {
        stmt.insertIncident.run(tenantId, incidentId, ...values);
        return;
      }
      // Most commits (notes, roles, updates) change no column an index holds.
      const [version, status, open, severity, service, dedupKey, detectedAt, incident, snapshot, lastHash] = values;
      const unindexed: UnindexedUpdate = [version, dedupKey, incident, snapshot, lastHash, tenantId, incidentId, expectedVersion, status, open, severity, service, detectedAt];
      if (stmt.updateIncidentData.run(...unindexed).changes === 1) return;
      if (stmt.updateIncident.run(...values, tenantId, incidentId, expectedVersion).changes === 1) return;
    } catch (error) {
      if (driverCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConcurrencyError({ tenantId, incidentId, expected: 0, actual: stmt.version.get(tenantId, incidentId)?.version ?? 0 }, error);
      }
      throw error;
    }
    const actual = stmt.version.get(tenantId, incidentId)?.version ?? 0;
    throw new ConcurrencyError({ tenantId, incidentId, expected: expectedVersion, actual });
  }

  /**
   * Applies a commit's {@link OpenKeys}: takes the incident's own key (or raises
   * DuplicateIncidentError when another open incident has it) and every free key of the alert
   * rows it writes; an incident no longer open lets go of every key, and each alert key passes to
   * the oldest other open incident that has an alert with it. Point lookups and writes only: a
   * commit costs the same whatever the incident holds. Runs inside the commit's transaction,
   * after the version check.
   */
  function syncOpenKeys(tenantId: string, incidentId: string, keys: OpenKeys): void {
    if (!keys.open) {
      // After the first commit that closed it, the incident holds nothing: these find no rows.
      const released = stmt.heldAlertKeys.all(tenantId, incidentId);
      stmt.releaseKeys.run(tenantId, incidentId);
      for (const row of released) stmt.handOverKey.run(tenantId, row.dedup_key, incidentId);
      stmt.closeAlerts.run(tenantId, incidentId);
      return;
    }
    if (keys.own !== null) {
      const holder = stmt.ownKeyHolder.get(tenantId, keys.own)?.incident_id;
      if (holder === undefined) stmt.holdKey.run(tenantId, keys.own, 1, incidentId);
      else if (holder !== incidentId) throw new DuplicateIncidentError({ tenantId, dedupKey: keys.own, existingIncidentId: holder });
    }
    for (const key of keys.alerts) stmt.holdKey.run(tenantId, key, 0, incidentId);
  }

  /** Writes only the alert rows the commit carries: a new fingerprint after the others, a known one in place. */
  function writeAlerts(commit: Commit, open: boolean): void {
    const { tenantId, incidentId } = commit;
    for (const alert of commit.alerts ?? []) {
      stmt.upsertAlert.run(tenantId, incidentId, tenantId, incidentId, alert.fingerprint, alert.dedupKey, open ? 1 : 0, JSON.stringify(alert));
    }
  }

  /** Writes the item rows of a commit's row collections: only those it changed, when the store knew what was stored. */
  function writeItems(commit: Commit, writes: readonly CollectionWrite[]): void {
    const { tenantId, incidentId } = commit;
    for (const write of writes) {
      const { collection } = write;
      if (write.kind === 'patch') {
        for (const key of write.removed) stmt.removeItem.run(tenantId, incidentId, collection, key);
        for (const row of write.changed) stmt.changeItem.run(row.body, tenantId, incidentId, collection, row.key);
        for (const row of write.added) stmt.addItem.run(tenantId, incidentId, collection, row.key, tenantId, incidentId, collection, row.body);
        continue;
      }
      if (commit.expectedVersion !== 0) stmt.keepItems.run(tenantId, incidentId, collection, JSON.stringify(write.items.map((row) => row.key)));
      for (const row of write.items) stmt.moveItem.run(tenantId, incidentId, collection, row.key, tenantId, incidentId, collection, row.body);
    }
  }

  function applyCommit(commit: Commit, items: readonly CollectionWrite[]): void {
    writeIncident(commit);
    writeItems(commit, items);
    const { tenantId, incidentId } = commit;
    const keys = openKeysOf(commit);
    writeAlerts(commit, keys.open);
    syncOpenKeys(tenantId, incidentId, keys);
    for (const event of commit.events) {
      try {
        stmt.insertEvent.run(tenantId, incidentId, event.seq, event.id, event.type, event.at, JSON.stringify(event.actor), JSON.stringify(event.data), event.hash);
      } catch (error) {
        // Only a stale writer can collide on (tenant, incident, seq): the compare-and-set above makes it unreachable, this is the backstop.
        if (driverCode(error) !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
        throw new ConcurrencyError({ tenantId, incidentId, expected: commit.expectedVersion }, error);
      }
    }
    if (commit.timers !== undefined) {
      const timers = timerChangesOf(commit);
      for (const timerId of timers.cancel) stmt.deleteTimer.run(tenantId, incidentId, timerId);
      for (const timer of timers.set) stmt.upsertTimer.run({ ...timer, event: JSON.stringify(timer.event) });
    }
    for (const message of commit.outbox ?? []) {
      stmt.insertOutbox.run({ ...message, payload: JSON.stringify(message.payload), lastError: message.lastError ?? null });
    }
  }

  const commitTransaction = db.transaction(applyCommit);
  const moveAlerts = sqliteMerge(db, prefix);
  const mergeTransaction = db.transaction((write: MergeWrite, items: readonly (readonly CollectionWrite[])[]) => {
    // The version checks first, so a stale merge moves nothing (the transaction rolls back anyway).
    for (const commit of [write.from, write.to]) {
      const actual = stmt.version.get(commit.tenantId, commit.incidentId)?.version ?? 0;
      if (actual !== commit.expectedVersion) throw new ConcurrencyError({ tenantId: commit.tenantId, incidentId: commit.incidentId, expected: commit.expectedVersion, actual });
    }
    moveAlerts(write);
    applyCommit(write.from, items[0] ?? []);
    applyCommit(write.to, items[1] ?? []);
  });

  /** A projection with its signal counters merged in, as every read returns it: those of the alerts it carries, and the total. */
  function withCounters(incident: Incident): Incident {
    if (incident.alerts.length === 0) return incident;
    const fingerprints = JSON.stringify(incident.alerts.map((alert) => alert.fingerprint));
    const rows = stmt.counters.all(incident.tenantId, incident.id, fingerprints);
    const total = stmt.signalTotal.get(incident.tenantId, incident.id)?.count ?? 0;
    return mergeCounters(incident, new Map(rows.map((row) => [row.fingerprint, { count: row.count, lastSeenAt: row.last_seen_at }])), total);
  }

  /** Parsed projections (as stored, without their item rows) completed with the item rows of their incidents: one query for all of them. */
  function complete(tenantId: string, incidents: readonly Incident[]): Incident[] {
    if (incidents.length === 0) return [];
    const rows = incidents.length === 1 ? stmt.items.all(tenantId, incidents[0]?.id ?? '') : stmt.itemsOf.all(tenantId, JSON.stringify(incidents.map((i) => i.id)));
    const byIncident = new Map<string, StoredItem[]>();
    for (const row of rows) {
      const item: StoredItem = [row.collection, parse(row.body)];
      const list = byIncident.get(row.incident_id);
      if (list === undefined) byIncident.set(row.incident_id, [item]);
      else list.push(item);
    }
    return incidents.map((incident) => withCounters(incidentWithItems(incident, byIncident.get(incident.id) ?? [])));
  }

  /**
   * Reads an incident whole (its row and item rows, in one read transaction), frozen, and
   * remembers it if asked: not for a `fresh` read (an audit must not change what commands work
   * from), nor inside a transaction of the host's (which may still roll back what it reads).
   */
  const loadWhole = db.transaction((tenantId: string, incidentId: string, remember: boolean): StoredIncident | undefined => {
    const row = stmt.load.get(tenantId, incidentId);
    if (row === undefined) return undefined;
    const items = stmt.items.all(tenantId, incidentId).map((r): StoredItem => [r.collection, parse(r.body)]);
    const { incident, snapshot } = storedWithItems(parse<Incident>(row.incident), parse<PersistedIncidentSnapshot>(row.snapshot), items);
    const stored = { incident, snapshot, lastHash: row.last_hash };
    return remember ? cache.set(tenantId, incidentId, stored) : deepFreeze(stored);
  });

  /** `stored` (frozen, shared) with the counters of its alerts merged in; itself when it has no alerts. */
  function withCountersOf(stored: StoredIncident): StoredIncident {
    if (stored.incident.alerts.length === 0) return stored;
    return deepFreeze({ ...stored, incident: withCounters(stored.incident) });
  }

  /** Runs `read` in one read transaction: rows and the item rows of their incidents come from one state of the database. */
  const oneRead = db.transaction((read: () => unknown) => read());
  function consistently<T>(read: () => T): T {
    return oneRead(read) as T;
  }

  const recordSignalsTransaction = db.transaction((tenantId: string, counts: readonly SignalCount[]) => {
    for (const update of groupSignalCounts(counts)) {
      stmt.addCounter.run(tenantId, update.incidentId, update.fingerprint, update.count, update.lastSeenAt);
      stmt.addTotal.run(tenantId, update.incidentId, update.count);
    }
  });

  const countFiringsTransaction = db.transaction((tenantId: string, key: string, at: string, since: string): number => {
    stmt.forgetFirings.run(tenantId, key, since);
    stmt.addFiring.run(tenantId, key, at);
    return stmt.countFirings.get(tenantId, key, since)?.n ?? 0;
  });

  /** Runs `fn`, turning driver errors into AdapterErrors; returns a promise like every StorageAdapter method. */
  function run<T>(operation: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(wrapDriverError(ADAPTER, operation, error));
    }
  }

  function checkClaim(operation: string, options: ClaimOptions): { tenantId: string; now: string; owner: string; until: string; limit: number } {
    assertTimestamp(ADAPTER, operation, 'now', options.now);
    return { tenantId: options.tenantId, now: options.now, owner: options.owner, until: addMs(options.now, options.leaseMs), limit: options.limit };
  }

  return {
    name: ADAPTER,

    load: (tenantId, incidentId, options) =>
      run('load', (): StoredIncident | undefined => {
        // The version alone (one primary-key lookup) tells whether the state remembered is still the stored one.
        const version = options?.fresh === true ? undefined : stmt.version.get(tenantId, incidentId)?.version;
        const cached = version === undefined ? undefined : cache.get(tenantId, incidentId, version);
        const stored = cached ?? loadWhole(tenantId, incidentId, options?.fresh !== true && !db.inTransaction);
        return stored === undefined ? undefined : withCountersOf(stored);
      }),

    commit: (commit) =>
      run('commit', () => {
        checkCommit(ADAPTER, commit);
        const previous = commit.expectedVersion === 0 ? undefined : cache.get(commit.tenantId, commit.incidentId, commit.expectedVersion);
        commitTransaction.immediate(commit, itemWrites(ADAPTER, previous?.incident, commit.incident));
        // Inside a transaction of the host's, the commit is not durable yet: it may still roll back.
        if (db.inTransaction) cache.forget(commit.tenantId, commit.incidentId);
        else cache.committed(commit, previous);
      }),

    commitMerge: (write) =>
      run('commitMerge', () => {
        const commits = [write.from, write.to] as const;
        for (const commit of commits) checkCommit(ADAPTER, commit);
        const previous = commits.map((commit) => cache.get(commit.tenantId, commit.incidentId, commit.expectedVersion));
        mergeTransaction.immediate(write, commits.map((commit, i) => itemWrites(ADAPTER, previous[i]?.incident, commit.incident)));
        commits.forEach((commit, i) => {
          if (db.inTransaction) cache.forget(commit.tenantId, commit.incidentId);
          else cache.committed(commit, previous[i]);
        });
      }),

    events: (tenantId, incidentId, range) =>
      run('events', () => {
        const { afterSeq, limit } = checkEventRange(range);
        return stmt.events.all(tenantId, incidentId, afterSeq, limit ?? -1).map((row) => toStoredEvent(tenantId, incidentId, row, row.at));
      }),

    list: (tenantId, query) =>
      run('list', (): Page<Incident> => consistently(() => {
        const plan = planList(query);
        if (plan === undefined) return { items: [] };
        const statement = stmt.list(plan.shape);
        const params: Record<string, unknown> = { tenantId, limit: plan.limit };
        for (const filter of LIST_FILTERS) {
          const values = plan.values[filter];
          if (values === undefined || plan.shape.seek === filter) continue;
          params[filter] = values.length === 1 ? values[0] : JSON.stringify(values);
        }
        if (plan.from !== undefined) params.from = plan.from;
        if (plan.before !== undefined) {
          params.beforeAt = plan.before.detectedAt;
          params.beforeId = plan.before.id;
        }
        const seek = plan.shape.seek;
        // One ordered, limited seek per value of the seek filter, merged: still at most `limit` rows per value.
        const rows =
          seek === undefined
            ? statement.all(params)
            : (plan.values[seek] ?? [])
                .flatMap((value) => statement.all({ ...params, value }))
                .sort((a, b) => compareListOrder({ detectedAt: a.detected_at, id: a.id }, { detectedAt: b.detected_at, id: b.id }))
                .slice(0, plan.limit);
        const items = complete(tenantId, rows.slice(0, query.limit).map((row) => parse<Incident>(row.incident)));
        const last = items.at(-1);
        return rows.length > query.limit && last !== undefined ? { items, nextCursor: encodeCursor(last) } : { items };
      })),

    findOpenByDedupKey: (tenantId, dedupKey) =>
      run('findOpenByDedupKey', () =>
        consistently(() => {
          const row = stmt.openByDedupKey.get(tenantId, dedupKey);
          return row === undefined ? undefined : complete(tenantId, [parse<Incident>(row.incident)])[0];
        }),
      ),

    findLatestByDedupKey: (tenantId, dedupKey) =>
      run('findLatestByDedupKey', () =>
        consistently(() => {
          const row = stmt.latestByDedupKey.get(tenantId, dedupKey);
          return row === undefined ? undefined : complete(tenantId, [parse<Incident>(row.incident)])[0];
        }),
      ),

    findOpenVersionByDedupKey: (tenantId, dedupKey) =>
      run('findOpenVersionByDedupKey', () => {
        const row = stmt.openVersionByDedupKey.get(tenantId, dedupKey);
        return row === undefined ? undefined : { incidentId: row.id, version: row.version };
      }),

    alerts: (tenantId, incidentId, query) =>
      run('alerts', (): Page<AlertSummary> => {
        // A seek on (tenant, incident, position): a page costs the same after 10 000 alerts as after 10.
        const after = query.cursor === undefined ? -1 : decodeAlertCursor(query.cursor);
        const rows = stmt.alerts.all(tenantId, incidentId, after, query.limit + 1);
        const items = rows.slice(0, query.limit).map((row) => alertWithCounter(row.alert, row.count, row.last_seen_at));
        const last = rows[query.limit - 1];
        return rows.length > query.limit && last !== undefined ? { items, nextCursor: encodeAlertCursor(last.position) } : { items };
      }),

    findAlert: (tenantId, incidentId, fingerprint) =>
      run('findAlert', () => {
        const row = stmt.alert.get(tenantId, incidentId, fingerprint);
        return row === undefined ? undefined : alertWithCounter(row.alert, row.count, row.last_seen_at);
      }),

    recordSignals: (tenantId, counts) =>
      run('recordSignals', () => {
        for (const [i, update] of counts.entries()) {
          assertTimestamp(ADAPTER, 'recordSignals', `counts[${String(i)}].lastSeenAt`, update.lastSeenAt);
        }
        recordSignalsTransaction.immediate(tenantId, counts);
      }),

    countFirings: (tenantId, key, at, since) =>
      run('countFirings', () => {
        assertTimestamp(ADAPTER, 'countFirings', 'at', at);
        assertTimestamp(ADAPTER, 'countFirings', 'since', since);
        return countFiringsTransaction.immediate(tenantId, key, at, since);
      }),

    claimTimers: (options) =>
      run('claimTimers', () => {
        const claim = checkClaim('claimTimers', options);
        return claimedTimers(stmt.claimTimers.all(claim).map(toTimer), claim.owner, claim.until);
      }),

    completeTimer: (claimed) =>
      run(
        'completeTimer',
        () =>
          stmt.completeTimer.run({
            tenantId: claimed.item.tenantId,
            incidentId: claimed.item.incidentId,
            timerId: claimed.item.timerId,
            dueAt: claimed.item.dueAt,
            owner: claimed.owner,
            until: claimed.leaseUntil,
          }).changes === 1,
      ),

    claimOutbox: (options) =>
      run('claimOutbox', () => {
        const claim = checkClaim('claimOutbox', options);
        return claimedMessages(stmt.claimOutbox.all(claim).map(toOutbox), claim.owner, claim.until);
      }),

    completeOutbox: (claimed) =>
      run(
        'completeOutbox',
        () =>
          stmt.completeOutbox.run({ tenantId: claimed.item.tenantId, id: claimed.item.id, owner: claimed.owner, until: claimed.leaseUntil })
            .changes === 1,
      ),

    failOutbox: (claimed, failure) =>
      run('failOutbox', () => {
        if (failure.retryAt !== undefined) assertTimestamp(ADAPTER, 'failOutbox', 'retryAt', failure.retryAt);
        return (
          stmt.failOutbox.run({
            tenantId: claimed.item.tenantId,
            id: claimed.item.id,
            owner: claimed.owner,
            until: claimed.leaseUntil,
            error: failure.error,
            retryAt: failure.retryAt ?? null,
          }).changes === 1
        );
      }),

    deadLetters: (tenantId) => run('deadLetters', () => stmt.deadLetters.all(tenantId).map(toOutbox)),

    redeliver: (tenantId, messageId, availableAt) =>
      run('redeliver', () => {
        assertTimestamp(ADAPTER, 'redeliver', 'availableAt', availableAt);
        return stmt.redeliver.run(availableAt, tenantId, messageId).changes === 1;
      }),

    outboxStats: (tenantId) =>
      run('outboxStats', () => {
        const row = stmt.outboxStats.get(tenantId);
        return { pending: row?.pending ?? 0, ...(row?.oldest == null ? {} : { oldestPendingAt: row.oldest }), deadLetters: row?.dead ?? 0 };
      }),

    ...sqliteRecords(db, prefix, stmt, run),
  };
}
