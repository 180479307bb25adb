import type { Pool } from 'pg';
import type { AdapterError } from '../../errors.js';
import { INCIDENT_ALERTS_LIMIT } from '../../model/incident.js';
import { driverCode } from './driverError.js';
import { schemaTooNew, type Migration } from './migration.js';
import { POSTGRES_RECORDS_MIGRATION } from './recordsSchema.js';
import { quoteIdentifier } from './validateIdentifier.js';

/**
 * The PostgreSQL schema, as an append-only list: never edit a released migration, add the next
 * one. Each is recorded in `incidentkit_migrations`; its DDL gets the schema already quoted.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create incidents, events, timers and outbox',
    sql: (s) => `
      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_incidents (
        tenant_id text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        status text NOT NULL,
        is_open boolean NOT NULL,
        severity text NOT NULL,
        service text,
        dedup_key text,
        detected_at timestamptz NOT NULL,
        incident jsonb NOT NULL,
        snapshot jsonb NOT NULL,
        last_hash text NOT NULL,
        CONSTRAINT incidentkit_incidents_pkey PRIMARY KEY (tenant_id, id)
      );
      CREATE INDEX IF NOT EXISTS incidentkit_incidents_list
        ON ${s}.incidentkit_incidents (tenant_id, detected_at DESC, id DESC);
      CREATE UNIQUE INDEX IF NOT EXISTS incidentkit_incidents_open_dedup_key
        ON ${s}.incidentkit_incidents (tenant_id, dedup_key) WHERE is_open AND dedup_key IS NOT NULL;

      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_events (
        tenant_id text COLLATE "C" NOT NULL,
        incident_id text COLLATE "C" NOT NULL,
        seq integer NOT NULL,
        id text NOT NULL,
        type text NOT NULL,
        at timestamptz NOT NULL,
        actor jsonb NOT NULL,
        data jsonb NOT NULL,
        hash text NOT NULL,
        CONSTRAINT incidentkit_events_pkey PRIMARY KEY (tenant_id, incident_id, seq)
      );

      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_timers (
        tenant_id text COLLATE "C" NOT NULL,
        incident_id text COLLATE "C" NOT NULL,
        timer_id text COLLATE "C" NOT NULL,
        due_at timestamptz NOT NULL,
        event jsonb NOT NULL,
        lease_owner text,
        lease_until timestamptz,
        CONSTRAINT incidentkit_timers_pkey PRIMARY KEY (tenant_id, incident_id, timer_id)
      );
      CREATE INDEX IF NOT EXISTS incidentkit_timers_due ON ${s}.incidentkit_timers (tenant_id, due_at);

      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_outbox (
        tenant_id text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        incident_id text NOT NULL,
        channel text NOT NULL,
        idempotency_key text NOT NULL,
        payload jsonb NOT NULL,
        available_at timestamptz NOT NULL,
        attempts integer NOT NULL,
        last_error text,
        state text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        lease_owner text,
        lease_until timestamptz,
        CONSTRAINT incidentkit_outbox_pkey PRIMARY KEY (tenant_id, id)
      );
      CREATE INDEX IF NOT EXISTS incidentkit_outbox_due
        ON ${s}.incidentkit_outbox (tenant_id, available_at) WHERE state = 'pending';
      CREATE INDEX IF NOT EXISTS incidentkit_outbox_dead
        ON ${s}.incidentkit_outbox (tenant_id, available_at) WHERE state = 'dead';
    `,
  },
  {
    version: 2,
    name: 'signal counters, firing windows and alert dedup keys',
    sql: (s) => `
      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_signal_counts (
        tenant_id text COLLATE "C" NOT NULL,
        incident_id text COLLATE "C" NOT NULL,
        fingerprint text COLLATE "C" NOT NULL,
        count bigint NOT NULL,
        last_seen_at timestamptz NOT NULL,
        CONSTRAINT incidentkit_signal_counts_pkey PRIMARY KEY (tenant_id, incident_id, fingerprint)
      );

      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_firings (
        tenant_id text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        times timestamptz[] NOT NULL,
        CONSTRAINT incidentkit_firings_pkey PRIMARY KEY (tenant_id, key)
      );

      CREATE INDEX IF NOT EXISTS incidentkit_incidents_open_alerts
        ON ${s}.incidentkit_incidents USING gin ((incident -> 'alerts') jsonb_path_ops) WHERE is_open;
    `,
  },
  {
    version: 3,
    name: 'open dedup keys and list indexes',
    // The open-keys table replaces the partial unique index on incidents (own keys are unique in
    // it) and the GIN index on open incidents' alerts. The backfill gives an alert key shared by
    // several open incidents to the oldest, as the lookup it replaces did.
    sql: (s) => `
      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_open_keys (
        tenant_id text COLLATE "C" NOT NULL,
        dedup_key text COLLATE "C" NOT NULL,
        own boolean NOT NULL,
        incident_id text COLLATE "C" NOT NULL,
        CONSTRAINT incidentkit_open_keys_pkey PRIMARY KEY (tenant_id, dedup_key, own)
      );
      CREATE INDEX IF NOT EXISTS incidentkit_open_keys_incident ON ${s}.incidentkit_open_keys (tenant_id, incident_id);

      INSERT INTO ${s}.incidentkit_open_keys (tenant_id, dedup_key, own, incident_id)
        SELECT tenant_id, dedup_key, true, id FROM ${s}.incidentkit_incidents WHERE is_open AND dedup_key IS NOT NULL;
      INSERT INTO ${s}.incidentkit_open_keys (tenant_id, dedup_key, own, incident_id)
        SELECT DISTINCT ON (i.tenant_id, a.key) i.tenant_id, a.key, false, i.id
        FROM ${s}.incidentkit_incidents i
          CROSS JOIN LATERAL (SELECT alert ->> 'dedupKey' COLLATE "C" AS key FROM jsonb_array_elements(i.incident -> 'alerts') AS alert) a
        WHERE i.is_open AND a.key IS NOT NULL
        ORDER BY i.tenant_id, a.key, i.detected_at, i.id;
      DROP INDEX IF EXISTS ${s}.incidentkit_incidents_open_dedup_key;
      DROP INDEX IF EXISTS ${s}.incidentkit_incidents_open_alerts;

      CREATE INDEX IF NOT EXISTS incidentkit_incidents_open
        ON ${s}.incidentkit_incidents (tenant_id, detected_at DESC, id DESC) WHERE is_open;
      CREATE INDEX IF NOT EXISTS incidentkit_incidents_closed
        ON ${s}.incidentkit_incidents (tenant_id, detected_at DESC, id DESC) WHERE NOT is_open;
      CREATE INDEX IF NOT EXISTS incidentkit_incidents_status
        ON ${s}.incidentkit_incidents (tenant_id, status, detected_at DESC, id DESC);
      CREATE INDEX IF NOT EXISTS incidentkit_incidents_severity
        ON ${s}.incidentkit_incidents (tenant_id, severity, detected_at DESC, id DESC);
      CREATE INDEX IF NOT EXISTS incidentkit_incidents_service
        ON ${s}.incidentkit_incidents (tenant_id, service, detected_at DESC, id DESC) WHERE service IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'alerts as rows, signal totals; projections carry the newest 100 alerts',
    // Alerts of existing projections become rows in their order; each projection and snapshot then
    // carries the alert counts and only its newest 100 alerts, as replaying its timeline would give.
    sql: (s) => {
      const newest = (path: string): string =>
        `coalesce((SELECT jsonb_agg(a.value ORDER BY a.n) FROM jsonb_array_elements(${path}) WITH ORDINALITY AS a(value, n)
           WHERE a.n > jsonb_array_length(${path}) - ${String(INCIDENT_ALERTS_LIMIT)}), '[]'::jsonb)`;
      const unresolved = `(SELECT count(*) FROM jsonb_array_elements(incident -> 'alerts') AS a(value) WHERE a.value ->> 'status' <> 'resolved')`;
      return `
      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_alerts (
        tenant_id text COLLATE "C" NOT NULL,
        incident_id text COLLATE "C" NOT NULL,
        position bigint NOT NULL,
        fingerprint text COLLATE "C" NOT NULL,
        dedup_key text COLLATE "C" NOT NULL,
        is_open boolean NOT NULL,
        alert jsonb NOT NULL,
        CONSTRAINT incidentkit_alerts_pkey PRIMARY KEY (tenant_id, incident_id, position)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS incidentkit_alerts_fingerprint ON ${s}.incidentkit_alerts (tenant_id, incident_id, fingerprint);
      CREATE INDEX IF NOT EXISTS incidentkit_alerts_open_key ON ${s}.incidentkit_alerts (tenant_id, dedup_key) WHERE is_open;
      CREATE INDEX IF NOT EXISTS incidentkit_alerts_open_incident ON ${s}.incidentkit_alerts (tenant_id, incident_id) WHERE is_open;

      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_signal_totals (
        tenant_id text COLLATE "C" NOT NULL,
        incident_id text COLLATE "C" NOT NULL,
        count bigint NOT NULL,
        CONSTRAINT incidentkit_signal_totals_pkey PRIMARY KEY (tenant_id, incident_id)
      );

      INSERT INTO ${s}.incidentkit_alerts (tenant_id, incident_id, position, fingerprint, dedup_key, is_open, alert)
        SELECT i.tenant_id, i.id, a.n - 1, a.value ->> 'fingerprint', a.value ->> 'dedupKey', i.is_open, a.value - 'count' - 'lastSeenAt'
        FROM ${s}.incidentkit_incidents i, jsonb_array_elements(i.incident -> 'alerts') WITH ORDINALITY AS a(value, n)
        ON CONFLICT DO NOTHING;
      INSERT INTO ${s}.incidentkit_signal_totals (tenant_id, incident_id, count)
        SELECT tenant_id, incident_id, sum(count) FROM ${s}.incidentkit_signal_counts GROUP BY tenant_id, incident_id
        ON CONFLICT DO NOTHING;
      UPDATE ${s}.incidentkit_incidents SET
        incident = incident || jsonb_build_object(
          'alertCount', jsonb_array_length(incident -> 'alerts'),
          'unresolvedAlertCount', ${unresolved},
          'alerts', ${newest("incident -> 'alerts'")}),
        snapshot = jsonb_set(snapshot, '{context}', (snapshot -> 'context') || jsonb_build_object(
          'alertCount', jsonb_array_length(incident -> 'alerts'),
          'unresolvedAlertCount', ${unresolved},
          'alerts', ${newest("snapshot -> 'context' -> 'alerts'")}))
        WHERE NOT incident ? 'alertCount';
    `;
    },
  },
  {
    version: 5,
    name: 'action items as rows',
    // Action items of existing projections become item rows in their order; the projection and
    // the snapshot's context then leave them out. A context whose copy differs from the
    // projection's (never written by the engine) keeps its own.
    sql: (s) => `
      CREATE TABLE IF NOT EXISTS ${s}.incidentkit_incident_items (
        tenant_id text COLLATE "C" NOT NULL,
        incident_id text COLLATE "C" NOT NULL,
        collection text COLLATE "C" NOT NULL,
        item_key text COLLATE "C" NOT NULL,
        position bigint NOT NULL,
        body jsonb NOT NULL,
        CONSTRAINT incidentkit_incident_items_pkey PRIMARY KEY (tenant_id, incident_id, collection, position)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS incidentkit_incident_items_key ON ${s}.incidentkit_incident_items (tenant_id, incident_id, collection, item_key);

      INSERT INTO ${s}.incidentkit_incident_items (tenant_id, incident_id, collection, item_key, position, body)
        SELECT i.tenant_id, i.id, 'actionItems', a.value ->> 'id', a.n - 1, a.value
        FROM ${s}.incidentkit_incidents i, jsonb_array_elements(i.incident -> 'actionItems') WITH ORDINALITY AS a(value, n)
        WHERE jsonb_typeof(i.incident -> 'actionItems') = 'array'
        ON CONFLICT DO NOTHING;
      UPDATE ${s}.incidentkit_incidents SET
        snapshot = CASE WHEN snapshot -> 'context' -> 'actionItems' = incident -> 'actionItems' THEN snapshot #- '{context,actionItems}' ELSE snapshot END,
        incident = incident - 'actionItems'
        WHERE incident ? 'actionItems';
    `,
  },
  POSTGRES_RECORDS_MIGRATION,
  {
    version: 7,
    name: 'incidents by dedup key',
    // The newest incident opened with a key, in any status: ingest links an alert that fires
    // again after its incident closed to it. A partial index: incidents without a key need none.
    sql: (s) => `
      CREATE INDEX IF NOT EXISTS incidentkit_incidents_dedup_key ON ${s}.incidentkit_incidents (tenant_id, dedup_key, detected_at DESC, id DESC)
        WHERE dedup_key IS NOT NULL;
    `,
  },
];

const NEWEST = /* @__PURE__ */ (() => POSTGRES_MIGRATIONS.at(-1)?.version ?? 0)();

const tooNew = (current: number): AdapterError => schemaTooNew('postgres', current, NEWEST);

/** The schema version recorded in `table`, or `undefined` when the schema or table does not exist yet. */
async function currentVersion(pool: Pool, table: string): Promise<number | undefined> {
  try {
    const result = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${table}`);
    return result.rows[0]?.version ?? 0;
  } catch (error) {
    const code = driverCode(error);
    if (code === '42P01' || code === '3F000') return undefined;
    throw error;
  }
}

/**
 * Brings the schema's tables to the newest version. Several instances may call it at once: the
 * work runs in one transaction under a transaction-scoped advisory lock keyed by the schema name,
 * so exactly one applies each migration and the others find it done. Running it again does nothing.
 *
 * @returns The versions it applied.
 * @throws AdapterError (`ADAPTER_FAILED`) when the database holds a newer schema than this code knows.
 * @internal
 */
export async function postgresMigrations(pool: Pool, schema: string): Promise<number[]> {
  const s = quoteIdentifier(schema);
  const table = `${s}.incidentkit_migrations`;
  // Fast path: one round trip when another instance already migrated.
  const known = await currentVersion(pool, table);
  if (known !== undefined && known > NEWEST) throw tooNew(known);
  if (known === NEWEST) return [];
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`incidentkit:migrate:${schema}`]);
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      // CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege even when the schema exists.
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const current = (await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${table}`)).rows[0]?.version ?? 0;
      if (current > NEWEST) throw tooNew(current);
      const applied: number[] = [];
      for (const migration of POSTGRES_MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query(migration.sql(s));
        await client.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        applied.push(migration.version);
      }
      await client.query('COMMIT');
      return applied;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    // A connection in an unknown state must not go back to the pool.
    client.release(broken);
  }
}
