import type BetterSqlite3 from 'better-sqlite3';
import { INCIDENT_ALERTS_LIMIT } from '../../model/incident.js';
import { schemaTooNew, type Migration } from './migration.js';
import { SQLITE_RECORDS_MIGRATION } from './recordsSchema.js';

/**
 * The SQLite schema, as an append-only list: never edit a released migration, add the next one.
 * Each is recorded in `<prefix>migrations`; its DDL gets the table prefix.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create incidents, events, timers and outbox',
    sql: (p) => `
      CREATE TABLE IF NOT EXISTS "${p}incidents" (
        tenant_id TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        is_open INTEGER NOT NULL,
        severity TEXT NOT NULL,
        service TEXT,
        dedup_key TEXT,
        detected_at TEXT NOT NULL,
        incident TEXT NOT NULL,
        snapshot TEXT NOT NULL,
        last_hash TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS "${p}incidents_list" ON "${p}incidents" (tenant_id, detected_at DESC, id DESC);
      CREATE UNIQUE INDEX IF NOT EXISTS "${p}incidents_open_dedup_key"
        ON "${p}incidents" (tenant_id, dedup_key) WHERE dedup_key IS NOT NULL AND is_open = 1;

      CREATE TABLE IF NOT EXISTS "${p}events" (
        tenant_id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        data TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (tenant_id, incident_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE IF NOT EXISTS "${p}timers" (
        tenant_id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        timer_id TEXT NOT NULL,
        due_at TEXT NOT NULL,
        event TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        PRIMARY KEY (tenant_id, incident_id, timer_id)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS "${p}timers_due" ON "${p}timers" (tenant_id, due_at);

      CREATE TABLE IF NOT EXISTS "${p}outbox" (
        tenant_id TEXT NOT NULL,
        id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        available_at TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        lease_owner TEXT,
        lease_until TEXT,
        PRIMARY KEY (tenant_id, id)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS "${p}outbox_due" ON "${p}outbox" (tenant_id, state, available_at);
    `,
  },
  {
    version: 2,
    name: 'signal counters and firing windows',
    sql: (p) => `
      CREATE TABLE IF NOT EXISTS "${p}signal_counts" (
        tenant_id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        count INTEGER NOT NULL,
        last_seen_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, incident_id, fingerprint)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE IF NOT EXISTS "${p}firings" (
        tenant_id TEXT NOT NULL,
        key TEXT NOT NULL,
        at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS "${p}firings_window" ON "${p}firings" (tenant_id, key, at);
    `,
  },
  {
    version: 3,
    name: 'open dedup keys and list indexes',
    // The open-keys table replaces the partial unique index on incidents (own keys are unique in
    // it) and the scan of every open incident's alerts. The backfill gives an alert key shared by
    // several open incidents to the oldest, as the lookup it replaces did.
    sql: (p) => `
      CREATE TABLE IF NOT EXISTS "${p}open_keys" (
        tenant_id TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        own INTEGER NOT NULL CHECK (own IN (0, 1)),
        incident_id TEXT NOT NULL,
        PRIMARY KEY (tenant_id, dedup_key, own)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS "${p}open_keys_incident" ON "${p}open_keys" (tenant_id, incident_id);

      INSERT INTO "${p}open_keys" (tenant_id, dedup_key, own, incident_id)
        SELECT tenant_id, dedup_key, 1, id FROM "${p}incidents" WHERE is_open = 1 AND dedup_key IS NOT NULL;
      INSERT INTO "${p}open_keys" (tenant_id, dedup_key, own, incident_id)
        SELECT i.tenant_id, json_extract(a.value, '$.dedupKey'), 0, i.id
        FROM "${p}incidents" i, json_each(i.incident, '$.alerts') a
        WHERE i.is_open = 1 AND json_extract(a.value, '$.dedupKey') IS NOT NULL
        ORDER BY i.detected_at, i.id
        ON CONFLICT DO NOTHING;
      DROP INDEX IF EXISTS "${p}incidents_open_dedup_key";

      CREATE INDEX IF NOT EXISTS "${p}incidents_open" ON "${p}incidents" (tenant_id, detected_at DESC, id DESC) WHERE is_open = 1;
      CREATE INDEX IF NOT EXISTS "${p}incidents_closed" ON "${p}incidents" (tenant_id, detected_at DESC, id DESC) WHERE is_open = 0;
      CREATE INDEX IF NOT EXISTS "${p}incidents_status" ON "${p}incidents" (tenant_id, status, detected_at DESC, id DESC);
      CREATE INDEX IF NOT EXISTS "${p}incidents_severity" ON "${p}incidents" (tenant_id, severity, detected_at DESC, id DESC);
      CREATE INDEX IF NOT EXISTS "${p}incidents_service" ON "${p}incidents" (tenant_id, service, detected_at DESC, id DESC) WHERE service IS NOT NULL;
    `,
  },  {
    version: 4,
    name: 'alerts as rows, signal totals; projections carry the newest 100 alerts',
    // Alerts of existing projections become rows in their order; each projection and snapshot then
    // carries the alert counts and only its newest 100 alerts, as replaying its timeline would give.
    sql: (p) => {
      const newest = (doc: string, path: string): string =>
        `(SELECT json_group_array(json(value)) FROM (SELECT value FROM json_each(${doc}, '${path}')
           WHERE key >= json_array_length(${doc}, '${path}') - ${String(INCIDENT_ALERTS_LIMIT)} ORDER BY key))`;
      const unresolved = `(SELECT count(*) FROM json_each(incident, '$.alerts') WHERE json_extract(value, '$.status') <> 'resolved')`;
      return `
      CREATE TABLE IF NOT EXISTS "${p}alerts" (
        tenant_id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        is_open INTEGER NOT NULL,
        alert TEXT NOT NULL,
        PRIMARY KEY (tenant_id, incident_id, position)
      ) STRICT, WITHOUT ROWID;
      CREATE UNIQUE INDEX IF NOT EXISTS "${p}alerts_fingerprint" ON "${p}alerts" (tenant_id, incident_id, fingerprint);
      CREATE INDEX IF NOT EXISTS "${p}alerts_open_key" ON "${p}alerts" (tenant_id, dedup_key) WHERE is_open = 1;
      CREATE INDEX IF NOT EXISTS "${p}alerts_open_incident" ON "${p}alerts" (tenant_id, incident_id) WHERE is_open = 1;

      CREATE TABLE IF NOT EXISTS "${p}signal_totals" (
        tenant_id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, incident_id)
      ) STRICT, WITHOUT ROWID;

      INSERT OR IGNORE INTO "${p}alerts" (tenant_id, incident_id, position, fingerprint, dedup_key, is_open, alert)
        SELECT i.tenant_id, i.id, a.key, json_extract(a.value, '$.fingerprint'), json_extract(a.value, '$.dedupKey'), i.is_open,
          json_remove(a.value, '$.count', '$.lastSeenAt')
        FROM "${p}incidents" i, json_each(i.incident, '$.alerts') a;
      INSERT OR IGNORE INTO "${p}signal_totals" (tenant_id, incident_id, count)
        SELECT tenant_id, incident_id, sum(count) FROM "${p}signal_counts" GROUP BY tenant_id, incident_id;
      UPDATE "${p}incidents" SET
        incident = json_set(incident,
          '$.alertCount', json_array_length(incident, '$.alerts'),
          '$.unresolvedAlertCount', ${unresolved},
          '$.alerts', json(${newest('incident', '$.alerts')})),
        snapshot = json_set(snapshot,
          '$.context.alertCount', json_array_length(incident, '$.alerts'),
          '$.context.unresolvedAlertCount', ${unresolved},
          '$.context.alerts', json(${newest('snapshot', '$.context.alerts')}))
        WHERE json_type(incident, '$.alertCount') IS NULL;
    `;
    },
  },
  {
    version: 5,
    name: 'action items as rows',
    // Action items of existing projections become item rows in their order; the projection and
    // the snapshot's context then leave them out. A context whose copy differs from the
    // projection's (never written by the engine) keeps its own.
    sql: (p) => `
      CREATE TABLE IF NOT EXISTS "${p}incident_items" (
        tenant_id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        collection TEXT NOT NULL,
        item_key TEXT NOT NULL,
        position INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (tenant_id, incident_id, collection, position)
      ) STRICT, WITHOUT ROWID;
      CREATE UNIQUE INDEX IF NOT EXISTS "${p}incident_items_key" ON "${p}incident_items" (tenant_id, incident_id, collection, item_key);

      INSERT OR IGNORE INTO "${p}incident_items" (tenant_id, incident_id, collection, item_key, position, body)
        SELECT i.tenant_id, i.id, 'actionItems', json_extract(a.value, '$.id'), a.key, a.value
        FROM "${p}incidents" i, json_each(i.incident, '$.actionItems') a;
      UPDATE "${p}incidents" SET
        snapshot = CASE WHEN json_extract(snapshot, '$.context.actionItems') IS json_extract(incident, '$.actionItems')
          THEN json_remove(snapshot, '$.context.actionItems') ELSE snapshot END,
        incident = json_remove(incident, '$.actionItems')
        WHERE json_type(incident, '$.actionItems') IS NOT NULL;
    `,
  },
  SQLITE_RECORDS_MIGRATION,
  {
    version: 7,
    name: 'incidents by dedup key',
    // The newest incident opened with a key, in any status: ingest links an alert that fires
    // again after its incident closed to it. A partial index: incidents without a key need none.
    sql: (p) => `
      CREATE INDEX IF NOT EXISTS "${p}incidents_dedup_key" ON "${p}incidents" (tenant_id, dedup_key, detected_at DESC, id DESC)
        WHERE dedup_key IS NOT NULL;
    `,
  },
];

/**
 * Brings the store's tables to the newest schema version, in one `BEGIN IMMEDIATE` transaction so
 * that two processes opening the same file never migrate at once. Running it again does nothing.
 *
 * @returns The versions it applied.
 * @throws AdapterError (`ADAPTER_FAILED`) when the database holds a newer schema than this code knows.
 * @internal
 */
export function sqliteMigrations(db: BetterSqlite3.Database, prefix: string): number[] {
  const table = `"${prefix}migrations"`;
  const migrate = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    const current = db.prepare<[], { version: number | null }>(`SELECT max(version) AS version FROM ${table}`).get()?.version ?? 0;
    const newest = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
    if (current > newest) throw schemaTooNew('sqlite', current, newest);
    const record = db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
    const applied: number[] = [];
    for (const migration of SQLITE_MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql(prefix));
      record.run(migration.version, migration.name);
      applied.push(migration.version);
    }
    return applied;
  });
  return migrate.immediate();
}
