import type BetterSqlite3 from 'better-sqlite3';
import { listShapeKey, type ListShape } from './listPlan.js';
import type { ProjectionRow } from './projectionRow.js';
import type { EventColumns, OutboxColumns, TimerColumns } from './rowRecords.js';

/** Row shapes the SQLite store reads. @internal */
export interface IncidentRow {
  readonly version: number;
  readonly incident: string;
  readonly snapshot: string;
  readonly last_hash: string;
}

/** An alert row with its counter, as the SQLite store reads it. @internal */
export interface AlertRow {
  readonly position: number;
  readonly alert: string;
  readonly count: number | null;
  readonly last_seen_at: string | null;
}

/** An item row of `<prefix>incident_items`, as reads return them (in position order). @internal */
export interface ItemRow {
  readonly incident_id: string;
  readonly collection: string;
  readonly body: string;
}

/** @internal */
export interface EventRow extends EventColumns {
  readonly at: string;
}

/** @internal */
export interface TimerRow extends TimerColumns {
  readonly tenant_id: string;
  readonly due_at: string;
}

/** @internal */
export interface OutboxRow extends OutboxColumns {
  readonly tenant_id: string;
  readonly available_at: string;
}

/** A list row: the sort key (to merge seeks) and the projection. @internal */
export interface ListRow {
  readonly detected_at: string;
  readonly id: string;
  readonly incident: string;
}

/** The projection columns of an incident write, is_open as `1` or `0`. @internal */
export type IncidentValues = ProjectionRow<number>;

/**
 * The values of an update that changes no indexed column: the columns it sets, the key and
 * expected version, then the indexed columns as they must already be.
 *
 * @internal
 */
export type UnindexedUpdate = [
  version: number,
  dedupKey: string | null,
  incident: string,
  snapshot: string,
  lastHash: string | null,
  tenantId: string,
  incidentId: string,
  expectedVersion: number,
  status: string,
  isOpen: number,
  severity: string,
  service: string | null,
  detectedAt: string,
];

/** The values of an item insert: its key, the collection whose last position it follows, its body. @internal */
export type ItemInsert = [tenantId: string, incidentId: string, collection: string, key: string, tenantId: string, incidentId: string, collection: string, body: string];

type S<P extends unknown[] | object, R = unknown> = BetterSqlite3.Statement<P, R>;
type Named = Record<string, unknown>;

/** The prepared statements of one SQLite store. @internal */
export interface SqliteStatements {
  readonly load: S<[string, string], IncidentRow>;
  /** The item rows of one incident, by collection and position. */
  readonly items: S<[string, string], ItemRow>;
  /** The item rows of several incidents of a tenant (their ids as a JSON array), by incident, collection and position. */
  readonly itemsOf: S<[string, string], ItemRow>;
  /** Tenant, incident, collection, key, then tenant, incident, collection again, and the body: a new item after the collection's last. */
  readonly addItem: S<ItemInsert>;
  /** Body, tenant, incident, collection, key: an item replaced in place. */
  readonly changeItem: S<[string, string, string, string, string]>;
  readonly removeItem: S<[string, string, string, string]>;
  /** As `addItem`, for an item new or not: it moves after the collection's last. */
  readonly moveItem: S<ItemInsert>;
  /** Tenant, incident, collection, keys (JSON array): deletes the collection's other items. */
  readonly keepItems: S<[string, string, string, string]>;
  readonly version: S<[string, string], { version: number }>;
  readonly insertIncident: S<[string, string, ...IncidentValues]>;
  readonly updateIncident: S<[...IncidentValues, string, string, number]>;
  readonly updateIncidentData: S<UnindexedUpdate>;
  readonly insertEvent: S<[string, string, number, string, string, string, string, string, string]>;
  readonly deleteTimer: S<[string, string, string]>;
  readonly upsertTimer: S<Named>;
  readonly insertOutbox: S<Named>;
  /** Tenant, incident, after seq, limit (-1: all). */
  readonly events: S<[string, string, number, number], EventRow>;
  /** The statement of one list shape, prepared on first use. */
  readonly list: (shape: ListShape) => S<Named, ListRow>;
  readonly openByDedupKey: S<[string, string], { incident: string }>;
  readonly openVersionByDedupKey: S<[string, string], { id: string; version: number }>;
  readonly latestByDedupKey: S<[string, string], { incident: string }>;
  readonly heldAlertKeys: S<[string, string], { dedup_key: string }>;
  readonly holdKey: S<[string, string, number, string]>;
  readonly handOverKey: S<[string, string, string]>;
  readonly releaseKeys: S<[string, string]>;
  readonly ownKeyHolder: S<[string, string], { incident_id: string }>;
  readonly counters: S<[string, string, string], { fingerprint: string; count: number; last_seen_at: string }>;
  readonly signalTotal: S<[string, string], { count: number }>;
  readonly addCounter: S<[string, string, string, number, string]>;
  readonly addTotal: S<[string, string, number]>;
  readonly upsertAlert: S<[string, string, string, string, string, string, number, string]>;
  readonly closeAlerts: S<[string, string]>;
  readonly alerts: S<[string, string, number, number], AlertRow>;
  readonly alert: S<[string, string, string], AlertRow>;
  readonly addFiring: S<[string, string, string]>;
  readonly forgetFirings: S<[string, string, string]>;
  readonly countFirings: S<[string, string, string], { n: number }>;
  readonly claimTimers: S<Named, TimerRow>;
  readonly completeTimer: S<Named>;
  readonly claimOutbox: S<Named, OutboxRow>;
  readonly completeOutbox: S<Named>;
  readonly failOutbox: S<Named>;
  readonly deadLetters: S<[string], OutboxRow>;
  readonly redeliver: S<[string, string, string]>;
  readonly outboxStats: S<[string], { pending: number | null; oldest: string | null; dead: number | null }>;
}

/**
 * Prepares every statement of the SQLite store for tables named `<prefix>…`. Every value is a
 * bind parameter; only the validated prefix is spliced in.
 *
 * @internal
 */
export function sqliteStatements(db: BetterSqlite3.Database, prefix: string): SqliteStatements {
  const t = {
    incidents: `"${prefix}incidents"`,
    openKeys: `"${prefix}open_keys"`,
    alerts: `"${prefix}alerts"`,
    signalTotals: `"${prefix}signal_totals"`,
    events: `"${prefix}events"`,
    timers: `"${prefix}timers"`,
    outbox: `"${prefix}outbox"`,
    signalCounts: `"${prefix}signal_counts"`,
    items: `"${prefix}incident_items"`,
    firings: `"${prefix}firings"`,
  };
  const incidentColumns = `tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash`;
  const lists = new Map<string, S<Named, ListRow>>();
  // The position after a collection's last item: the end of a primary-key range.
  const lastPosition = `(SELECT coalesce(max(position) + 1, 0) FROM ${t.items} WHERE tenant_id = ? AND incident_id = ? AND collection = ?)`;
  return {
    load: db.prepare<[string, string], IncidentRow>(`SELECT version, incident, snapshot, last_hash FROM ${t.incidents} WHERE tenant_id = ? AND id = ?`),
    // Item rows: a seek on the primary key (tenant_id, incident_id, collection, position).
    items: db.prepare<[string, string], ItemRow>(
      `SELECT incident_id, collection, body FROM ${t.items} WHERE tenant_id = ? AND incident_id = ? ORDER BY collection, position`,
    ),
    itemsOf: db.prepare<[string, string], ItemRow>(
      `SELECT incident_id, collection, body FROM ${t.items}
       WHERE tenant_id = ? AND incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, collection, position`,
    ),
    // No ON CONFLICT: a new item with a key the collection already has fails the commit.
    addItem: db.prepare<ItemInsert>(`INSERT INTO ${t.items} (tenant_id, incident_id, collection, item_key, position, body) VALUES (?, ?, ?, ?, ${lastPosition}, ?)`),
    changeItem: db.prepare<[string, string, string, string, string]>(
      `UPDATE ${t.items} SET body = ? WHERE tenant_id = ? AND incident_id = ? AND collection = ? AND item_key = ?`,
    ),
    removeItem: db.prepare<[string, string, string, string]>(
      `DELETE FROM ${t.items} WHERE tenant_id = ? AND incident_id = ? AND collection = ? AND item_key = ?`,
    ),
    moveItem: db.prepare<ItemInsert>(
      `INSERT INTO ${t.items} (tenant_id, incident_id, collection, item_key, position, body) VALUES (?, ?, ?, ?, ${lastPosition}, ?)
       ON CONFLICT (tenant_id, incident_id, collection, item_key) DO UPDATE SET position = excluded.position, body = excluded.body`,
    ),
    keepItems: db.prepare<[string, string, string, string]>(
      `DELETE FROM ${t.items} WHERE tenant_id = ? AND incident_id = ? AND collection = ? AND item_key NOT IN (SELECT value FROM json_each(?))`,
    ),
    version: db.prepare<[string, string], { version: number }>(`SELECT version FROM ${t.incidents} WHERE tenant_id = ? AND id = ?`),
    // The hot statements bind by position: measurably cheaper than named parameters.
    insertIncident: db.prepare<[string, string, ...IncidentValues]>(
      `INSERT INTO ${t.incidents} (${incidentColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, ''))`,
    ),
    // The same write when no indexed column changes: SQLite then rewrites the row and no index
    // entry (it updates the indexes of the columns a statement sets, whatever their values).
    updateIncidentData: db.prepare<UnindexedUpdate>(
      `UPDATE ${t.incidents} SET version = ?, dedup_key = ?, incident = ?, snapshot = ?, last_hash = coalesce(?, last_hash)
       WHERE tenant_id = ? AND id = ? AND version = ? AND status = ? AND is_open = ? AND severity = ? AND service IS ? AND detected_at = ?`,
    ),
    updateIncident: db.prepare<[...IncidentValues, string, string, number]>(
      `UPDATE ${t.incidents} SET version = ?, status = ?, is_open = ?, severity = ?, service = ?, dedup_key = ?, detected_at = ?,
         incident = ?, snapshot = ?, last_hash = coalesce(?, last_hash)
       WHERE tenant_id = ? AND id = ? AND version = ?`,
    ),
    insertEvent: db.prepare<[string, string, number, string, string, string, string, string, string]>(
      `INSERT INTO ${t.events} (tenant_id, incident_id, seq, id, type, at, actor, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteTimer: db.prepare<[string, string, string]>(`DELETE FROM ${t.timers} WHERE tenant_id = ? AND incident_id = ? AND timer_id = ?`),
    upsertTimer: db.prepare<Named>(
      `INSERT INTO ${t.timers} (tenant_id, incident_id, timer_id, due_at, event) VALUES (@tenantId, @incidentId, @timerId, @dueAt, @event)
       ON CONFLICT (tenant_id, incident_id, timer_id)
       DO UPDATE SET due_at = excluded.due_at, event = excluded.event, lease_owner = NULL, lease_until = NULL`,
    ),
    insertOutbox: db.prepare<Named>(
      `INSERT INTO ${t.outbox} (tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, last_error, state)
       VALUES (@tenantId, @id, @incidentId, @channel, @idempotencyKey, @payload, @availableAt, @attempts, @lastError, 'pending')`,
    ),
    // A seek on the primary key (tenant_id, incident_id, seq); LIMIT -1 is no limit.
    events: db.prepare<[string, string, number, number], EventRow>(
      `SELECT seq, id, type, at, actor, data, hash FROM ${t.events} WHERE tenant_id = ? AND incident_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    list: (shape) => {
      const key = listShapeKey(shape);
      let statement = lists.get(key);
      if (statement === undefined) {
        statement = db.prepare<Named, ListRow>(listSql(prefix, shape));
        lists.set(key, statement);
      }
      return statement;
    },
    // Own key first (own = 1 sorts last in the primary key, hence DESC); is_open guards against a stale row.
    openByDedupKey: db.prepare<[string, string], { incident: string }>(
      `SELECT i.incident FROM ${t.openKeys} k JOIN ${t.incidents} i ON i.tenant_id = k.tenant_id AND i.id = k.incident_id
       WHERE k.tenant_id = ? AND k.dedup_key = ? AND i.is_open = 1
       ORDER BY k.own DESC LIMIT 1`,
    ),
    // The newest incident opened with the key, in any status: one seek of the partial index.
    latestByDedupKey: db.prepare<[string, string], { incident: string }>(
      `SELECT incident FROM ${t.incidents} INDEXED BY "${prefix}incidents_dedup_key"
       WHERE tenant_id = ? AND dedup_key = ? AND dedup_key IS NOT NULL
       ORDER BY detected_at DESC, id DESC LIMIT 1`,
    ),
    // The same lookup, without reading the projection: ingest reuses one it read at this version.
    openVersionByDedupKey: db.prepare<[string, string], { id: string; version: number }>(
      `SELECT i.id, i.version FROM ${t.openKeys} k JOIN ${t.incidents} i ON i.tenant_id = k.tenant_id AND i.id = k.incident_id
       WHERE k.tenant_id = ? AND k.dedup_key = ? AND i.is_open = 1
       ORDER BY k.own DESC LIMIT 1`,
    ),
    heldAlertKeys: db.prepare<[string, string], { dedup_key: string }>(
      `SELECT dedup_key FROM ${t.openKeys} WHERE tenant_id = ? AND incident_id = ? AND own = 0`,
    ),
    holdKey: db.prepare<[string, string, number, string]>(
      `INSERT INTO ${t.openKeys} (tenant_id, dedup_key, own, incident_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    // A released alert key passes to the oldest other open incident with an open alert row of that key.
    // CROSS JOIN keeps SQLite reading the few alert rows of the key first, whatever its statistics say.
    handOverKey: db.prepare<[string, string, string]>(
      `INSERT INTO ${t.openKeys} (tenant_id, dedup_key, own, incident_id)
       SELECT a.tenant_id, a.dedup_key, 0, a.incident_id FROM ${t.alerts} a CROSS JOIN ${t.incidents} i ON i.tenant_id = a.tenant_id AND i.id = a.incident_id
       WHERE a.tenant_id = ? AND a.dedup_key = ? AND a.is_open = 1 AND i.is_open = 1 AND a.incident_id <> ?
       ORDER BY i.detected_at, i.id LIMIT 1
       ON CONFLICT DO NOTHING`,
    ),
    releaseKeys: db.prepare<[string, string]>(`DELETE FROM ${t.openKeys} WHERE tenant_id = ? AND incident_id = ?`),
    ownKeyHolder: db.prepare<[string, string], { incident_id: string }>(
      `SELECT incident_id FROM ${t.openKeys} WHERE tenant_id = ? AND dedup_key = ? AND own = 1`,
    ),
    // The counters of the alerts a projection carries ($3: their fingerprints as a JSON array), not all of the incident's.
    counters: db.prepare<[string, string, string], { fingerprint: string; count: number; last_seen_at: string }>(
      `SELECT fingerprint, count, last_seen_at FROM ${t.signalCounts}
       WHERE tenant_id = ? AND incident_id = ? AND fingerprint IN (SELECT value FROM json_each(?))`,
    ),
    signalTotal: db.prepare<[string, string], { count: number }>(`SELECT count FROM ${t.signalTotals} WHERE tenant_id = ? AND incident_id = ?`),
    addTotal: db.prepare<[string, string, number]>(
      `INSERT INTO ${t.signalTotals} (tenant_id, incident_id, count) VALUES (?, ?, ?)
       ON CONFLICT (tenant_id, incident_id) DO UPDATE SET count = count + excluded.count`,
    ),
    // A new fingerprint goes after the incident's last alert; a known one is replaced in place.
    upsertAlert: db.prepare<[string, string, string, string, string, string, number, string]>(
      `INSERT INTO ${t.alerts} (tenant_id, incident_id, position, fingerprint, dedup_key, is_open, alert)
       VALUES (?, ?, (SELECT coalesce(max(position) + 1, 0) FROM ${t.alerts} WHERE tenant_id = ? AND incident_id = ?), ?, ?, ?, ?)
       ON CONFLICT (tenant_id, incident_id, fingerprint) DO UPDATE SET dedup_key = excluded.dedup_key, is_open = excluded.is_open, alert = excluded.alert`,
    ),
    // Once an incident is no longer open its alert rows hold no keys; after that this finds nothing to update.
    closeAlerts: db.prepare<[string, string]>(`UPDATE ${t.alerts} SET is_open = 0 WHERE tenant_id = ? AND incident_id = ? AND is_open = 1`),
    alerts: db.prepare<[string, string, number, number], AlertRow>(
      `SELECT a.position, a.alert, c.count, c.last_seen_at FROM ${t.alerts} a
       LEFT JOIN ${t.signalCounts} c ON c.tenant_id = a.tenant_id AND c.incident_id = a.incident_id AND c.fingerprint = a.fingerprint
       WHERE a.tenant_id = ? AND a.incident_id = ? AND a.position > ? ORDER BY a.position LIMIT ?`,
    ),
    alert: db.prepare<[string, string, string], AlertRow>(
      `SELECT a.position, a.alert, c.count, c.last_seen_at FROM ${t.alerts} a
       LEFT JOIN ${t.signalCounts} c ON c.tenant_id = a.tenant_id AND c.incident_id = a.incident_id AND c.fingerprint = a.fingerprint
       WHERE a.tenant_id = ? AND a.incident_id = ? AND a.fingerprint = ?`,
    ),
    addCounter: db.prepare<[string, string, string, number, string]>(
      `INSERT INTO ${t.signalCounts} (tenant_id, incident_id, fingerprint, count, last_seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, incident_id, fingerprint)
       DO UPDATE SET count = count + excluded.count, last_seen_at = max(last_seen_at, excluded.last_seen_at)`,
    ),
    addFiring: db.prepare<[string, string, string]>(`INSERT INTO ${t.firings} (tenant_id, key, at) VALUES (?, ?, ?)`),
    forgetFirings: db.prepare<[string, string, string]>(`DELETE FROM ${t.firings} WHERE tenant_id = ? AND key = ? AND at < ?`),
    countFirings: db.prepare<[string, string, string], { n: number }>(
      `SELECT count(*) AS n FROM ${t.firings} WHERE tenant_id = ? AND key = ? AND at >= ?`,
    ),
    claimTimers: db.prepare<Named, TimerRow>(
      `UPDATE ${t.timers} SET lease_owner = @owner, lease_until = @until
       WHERE rowid IN (
         SELECT rowid FROM ${t.timers}
         WHERE tenant_id = @tenantId AND due_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
         ORDER BY due_at, incident_id, timer_id LIMIT @limit)
       RETURNING tenant_id, incident_id, timer_id, due_at, event`,
    ),
    completeTimer: db.prepare<Named>(
      `DELETE FROM ${t.timers} WHERE tenant_id = @tenantId AND incident_id = @incidentId AND timer_id = @timerId
         AND due_at = @dueAt AND lease_owner = @owner AND lease_until = @until`,
    ),
    claimOutbox: db.prepare<Named, OutboxRow>(
      `UPDATE ${t.outbox} SET lease_owner = @owner, lease_until = @until
       WHERE rowid IN (
         SELECT rowid FROM ${t.outbox}
         WHERE tenant_id = @tenantId AND state = 'pending' AND available_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
         ORDER BY available_at, id LIMIT @limit)
       RETURNING tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, last_error`,
    ),
    completeOutbox: db.prepare<Named>(
      `UPDATE ${t.outbox} SET state = 'delivered', attempts = attempts + 1, lease_owner = NULL, lease_until = NULL
       WHERE tenant_id = @tenantId AND id = @id AND state = 'pending' AND lease_owner = @owner AND lease_until = @until`,
    ),
    failOutbox: db.prepare<Named>(
      `UPDATE ${t.outbox} SET attempts = attempts + 1, last_error = @error, available_at = coalesce(@retryAt, available_at),
         state = CASE WHEN @retryAt IS NULL THEN 'dead' ELSE 'pending' END, lease_owner = NULL, lease_until = NULL
       WHERE tenant_id = @tenantId AND id = @id AND state = 'pending' AND lease_owner = @owner AND lease_until = @until`,
    ),
    deadLetters: db.prepare<[string], OutboxRow>(
      `SELECT tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, last_error
       FROM ${t.outbox} WHERE tenant_id = ? AND state = 'dead' ORDER BY available_at, id`,
    ),
    redeliver: db.prepare<[string, string, string]>(
      `UPDATE ${t.outbox} SET state = 'pending', available_at = ? WHERE tenant_id = ? AND id = ? AND state = 'dead'`,
    ),
    // One search of the (tenant_id, state, available_at) index: delivered rows are never read.
    outboxStats: db.prepare<[string], { pending: number | null; oldest: string | null; dead: number | null }>(
      `SELECT sum(state = 'pending') AS pending, min(CASE WHEN state = 'pending' THEN available_at END) AS oldest, sum(state = 'dead') AS dead
       FROM ${t.outbox} WHERE tenant_id = ? AND state IN ('pending', 'dead')`,
    ),
  };
}

/**
 * The SQL of one list shape. Named parameters: `@tenantId`, `@limit`, and as the shape needs them
 * `@status` / `@severity` / `@service` (one value, or a JSON array of several), `@value` (the
 * value of the `seek` filter for this seek), `@from`, `@beforeAt` and `@beforeId`.
 *
 * @remarks The statement reads the shape's index (`INDEXED BY`): without statistics SQLite
 * would rather range over a time window of the whole list than seek a filter's index, which holds
 * the same window of only the matching rows. Filters are written only when present and the open
 * filter as a literal (a bound `is_open = ?` could not use the partial indexes); the end of the
 * range (a cursor, `detectedTo`) is one row-value comparison, a range on the index it seeks.
 * @internal
 */
export function listSql(prefix: string, shape: ListShape): string {
  const where = ['tenant_id = @tenantId'];
  for (const filter of ['status', 'severity', 'service'] as const) {
    if (shape.seek === filter) where.push(`${filter} = @value`);
    else if (shape[filter] === 'one') where.push(`${filter} = @${filter}`);
    else if (shape[filter] === 'many') where.push(`${filter} IN (SELECT value FROM json_each(@${filter}))`);
  }
  if (shape.open !== undefined) where.push(`is_open = ${shape.open ? '1' : '0'}`);
  if (shape.from) where.push('detected_at >= @from');
  if (shape.before) where.push('(detected_at, id) < (@beforeAt, @beforeId)');
  const index = `"${prefix}incidents_${shape.index}"`;
  return `SELECT detected_at, id, incident FROM "${prefix}incidents" INDEXED BY ${index}
    WHERE ${where.join(' AND ')} ORDER BY detected_at DESC, id DESC LIMIT @limit`;
}
