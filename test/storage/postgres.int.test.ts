/**
 * What is particular to the PostgreSQL store, on a real server: migrations under an advisory
 * lock, the schema option, configuration errors, one round trip per commit, error wrapping, and
 * the rows and types it writes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { isIncidentKitError } from '../../src/errors.js';
import { parseSignal } from '../../src/model/signal.js';
import { postgresStore, type PostgresStore } from '../../src/storage/postgres.js';
import { POSTGRES_MIGRATIONS } from '../../src/storage/sql/postgresMigrations.js';
import { projectionRow } from '../../src/storage/sql/projectionRow.js';
import type { Commit, StorageAdapter } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { commitBuilder } from '../../src/testing/storageContract/commitBuilder.js';
import { alert, OTHER_TENANT, stateOf, t, TENANT, withAlerts } from '../../src/testing/storageContract/fixtures.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';
import { thrown } from '../helpers.js';

const postgres = inject('postgres');
const actor = { id: 'u_alice', name: 'Alice' };

/** The commit an engine command would write to `store`, without writing it. */
async function captureCommit(store: StorageAdapter, run: (engine: IncidentEngine) => Promise<unknown>): Promise<Commit> {
  let captured: Commit | undefined;
  const engine = createIncidentEngine({ store: { ...store, commit: (c) => Promise.resolve(void (captured = c)) }, clock: createManualClock() });
  await run(engine);
  if (captured === undefined) throw new Error('no commit captured');
  return captured;
}

const builder = commitBuilder();

describe.skipIf(postgres.url === null)(`postgresStore${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  let pool: pg.Pool;
  const schemas: string[] = [];
  const schemaName = (label: string): string => {
    const name = `ik_${label}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    schemas.push(name);
    return name;
  };

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 6 });
  });
  /**
   * Makes `schema` a schema as an older incidentkit left it: the first `version` migrations,
   * recorded as applied, holding `commits` as that version wrote them (the projection row and
   * the events; versions 1 to 4 wrote them alike, with the action items in the projection and
   * the snapshot).
   */
  async function schemaAt(schema: string, version: number, commits: readonly Commit[]): Promise<void> {
    const s = `"${schema}"`;
    await pool.query(`CREATE SCHEMA ${s}`);
    await pool.query(`CREATE TABLE ${s}.incidentkit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const migration of POSTGRES_MIGRATIONS.slice(0, version)) {
      await pool.query(migration.sql(s));
      await pool.query(`INSERT INTO ${s}.incidentkit_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    }
    for (const commit of commits) {
      const row = projectionRow(commit, (open) => open);
      [row[7], row[8]] = [JSON.stringify(commit.incident), JSON.stringify(commit.snapshot)];
      await pool.query(
        `INSERT INTO ${s}.incidentkit_incidents (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, ''))`,
        [commit.tenantId, commit.incidentId, ...row],
      );
      for (const e of commit.events) {
        await pool.query(
          `INSERT INTO ${s}.incidentkit_events (tenant_id, incident_id, seq, id, type, at, actor, data, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [commit.tenantId, commit.incidentId, e.seq, e.id, e.type, e.at, JSON.stringify(e.actor), JSON.stringify(e.data), e.hash],
        );
      }
    }
  }

  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    markPostgresSuiteRan('postgres.int');
  });

  describe('migrations', () => {
    it('run once when many instances start together, and record the version', async () => {
      const schema = schemaName('migrate');
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: postgres.url ?? '', max: 2 }));
      try {
        const applied = await Promise.all(pools.map((p) => postgresStore(p, { schema }).migrate()));
        expect(applied.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(await postgresStore(pool, { schema }).migrate()).toEqual([]);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
      const { rows } = await pool.query(`SELECT version, name FROM "${schema}".incidentkit_migrations ORDER BY version`);
      expect(rows).toEqual([
        { version: 1, name: 'create incidents, events, timers and outbox' },
        { version: 2, name: 'signal counters, firing windows and alert dedup keys' },
        { version: 3, name: 'open dedup keys and list indexes' },
        { version: 4, name: 'alerts as rows, signal totals; projections carry the newest 100 alerts' },
        { version: 5, name: 'action items as rows' },
        { version: 6, name: 'versioned records' },
        { version: 7, name: 'incidents by dedup key' },
      ]);
    });

    it('happen on first use when migrate() is not called', async () => {
      const schema = schemaName('lazy');
      const engine = createIncidentEngine({ store: postgresStore(pool, { schema }), clock: createManualClock() });
      const incident = await engine.declare({ title: 'First use', severity: 'SEV3', actor });
      expect((await engine.get(incident.id)).title).toBe('First use');
      const { rows } = await pool.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      expect(rows.map((r) => r.table_name)).toEqual([
        'incidentkit_alerts',
        'incidentkit_events',
        'incidentkit_firings',
        'incidentkit_incident_items',
        'incidentkit_incidents',
        'incidentkit_migrations',
        'incidentkit_open_keys',
        'incidentkit_outbox',
        'incidentkit_records',
        'incidentkit_signal_counts',
        'incidentkit_signal_totals',
        'incidentkit_timers',
      ]);
    });

    it('upgrade a schema created at version 1, keeping its data', async () => {
      const schema = schemaName('upgrade');
      const declared = await builder.declare({ id: 'inc_old', dedupKey: 'disk-full/db-1' });
      await schemaAt(schema, 1, [declared]);
      const upgraded = postgresStore(pool, { schema });
      expect(await upgraded.migrate()).toEqual([2, 3, 4, 5, 6, 7]);
      expect(await upgraded.countFirings('default', 'k', '2026-01-01T00:00:00.000Z', '2025-12-31T23:00:00.000Z')).toBe(1);
      expect((await upgraded.load(TENANT, 'inc_old'))?.incident).toEqual(declared.incident);
      expect((await upgraded.findOpenByDedupKey(TENANT, 'disk-full/db-1'))?.id).toBe('inc_old');
    });

    it('backfill the open dedup keys of a schema created at version 2', async () => {
      const schema = schemaName('backfill');
      // Two open incidents share the alert key 'shared'; the older one (by detectedAt) gets it.
      const older = withAlerts(await builder.declare({ id: 'inc_older', dedupKey: 'own/a', at: t(1000) }), [alert('fp1', 'own/a'), alert('fp2', 'shared')]);
      const newer = withAlerts(await builder.declare({ id: 'inc_newer', dedupKey: 'own/b', at: t(2000) }), [alert('fp3', 'shared'), alert('fp4', 'only/b')]);
      const canceled = await builder.next(
        stateOf(withAlerts(await builder.declare({ id: 'inc_canceled', dedupKey: 'own/c', at: t(500) }), [alert('fp5', 'shared')])),
        t(3000),
        (engine, id) => engine.cancel(id, { reason: 'declined', actor }),
      );
      const elsewhere = await builder.declare({ id: 'inc_elsewhere', tenantId: OTHER_TENANT, dedupKey: 'own/a' });
      await schemaAt(schema, 2, [newer, older, canceled, elsewhere]);
      const store = postgresStore(pool, { schema });
      expect(await store.migrate()).toEqual([3, 4, 5, 6, 7]);
      const { rows } = await pool.query(
        `SELECT tenant_id, dedup_key, own, incident_id FROM "${schema}".incidentkit_open_keys ORDER BY tenant_id, dedup_key, own`,
      );
      expect(rows).toEqual([
        { tenant_id: TENANT, dedup_key: 'only/b', own: false, incident_id: 'inc_newer' },
        { tenant_id: TENANT, dedup_key: 'own/a', own: false, incident_id: 'inc_older' },
        { tenant_id: TENANT, dedup_key: 'own/a', own: true, incident_id: 'inc_older' },
        { tenant_id: TENANT, dedup_key: 'own/b', own: true, incident_id: 'inc_newer' },
        { tenant_id: TENANT, dedup_key: 'shared', own: false, incident_id: 'inc_older' },
        { tenant_id: OTHER_TENANT, dedup_key: 'own/a', own: true, incident_id: 'inc_elsewhere' },
      ]);
      expect((await store.findOpenByDedupKey(TENANT, 'shared'))?.id).toBe('inc_older');
      expect((await store.findOpenByDedupKey(TENANT, 'only/b'))?.id).toBe('inc_newer');
      expect(await store.findOpenByDedupKey(TENANT, 'own/c')).toBeUndefined();
      // The backfilled own keys are enforced: a second open incident with one is refused, naming the holder.
      const error = await thrown(async () => store.commit(await builder.declare({ id: 'inc_again', dedupKey: 'own/b', at: t(4000) })));
      expect(isIncidentKitError(error, 'DUPLICATE_INCIDENT') && error.details).toEqual({ tenantId: TENANT, dedupKey: 'own/b', existingIncidentId: 'inc_newer' });
      await store.commit(await builder.declare({ id: 'inc_c2', dedupKey: 'own/c', at: t(4000) }));
      expect((await store.findOpenByDedupKey(TENANT, 'own/c'))?.id).toBe('inc_c2');
      // The layout of version 2 is gone: no partial unique index nor GIN index on the incidents.
      const indexes = await pool.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', [schema]);
      expect(indexes.rows.map((r) => r.indexname)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/incidentkit_incidents_open_(dedup_key|alerts)/)]),
      );
    });

    it('move the alerts of projections written before alerts had rows into rows; the projection keeps the newest 100 and the counts', async () => {
      const schema = schemaName('alerts');
      const clock = createManualClock('2026-05-01T09:00:00.000Z');
      const ingest = { groupBy: ['alertname'], countWindowMs: 0 };
      const engine = createIncidentEngine({ store: postgresStore(pool, { schema }), clock, ingest });
      const signal = (i: number, status: 'firing' | 'resolved' = 'firing') =>
        parseSignal({ source: 'alertmanager', fingerprint: `fp_${String(i)}`, status, severity: 'SEV2', summary: `Replica ${String(i)}`, labels: { alertname: 'ReplicaDown' }, startsAt: '2026-05-01T09:00:00.000Z' });
      const [first] = await engine.ingest(Array.from({ length: 130 }, (_, i) => signal(i)));
      const id = first?.incident?.id ?? '';
      clock.advance(60_000);
      await engine.ingest([signal(0, 'resolved'), signal(1), signal(1)]);
      const before = await engine.get(id);
      // As schema 3 left it: every alert in the projection and snapshot, no counts, no alert rows (and the action items inline).
      const s = `"${schema}"`;
      const every = `(SELECT jsonb_agg(alert ORDER BY position) FROM ${s}.incidentkit_alerts)`;
      await pool.query(`
        UPDATE ${s}.incidentkit_incidents SET
          incident = (incident || jsonb_build_object('alerts', ${every}, 'actionItems', '[]'::jsonb)) - 'alertCount' - 'unresolvedAlertCount',
          snapshot = jsonb_set(snapshot, '{context}', ((snapshot -> 'context') || jsonb_build_object('alerts', ${every}, 'actionItems', '[]'::jsonb)) - 'alertCount' - 'unresolvedAlertCount');
        DROP TABLE ${s}.incidentkit_alerts, ${s}.incidentkit_signal_totals, ${s}.incidentkit_incident_items, ${s}.incidentkit_records;
        DELETE FROM ${s}.incidentkit_migrations WHERE version >= 4`);

      const store = postgresStore(pool, { schema });
      expect(await store.migrate()).toEqual([4, 5, 6, 7]);
      const upgraded = createIncidentEngine({ store, clock, ingest });
      expect(await upgraded.get(id)).toEqual(before);
      expect([before.alertCount, before.unresolvedAlertCount, before.signalCount, before.alerts.length]).toEqual([130, 129, 132, 100]);
      expect(await upgraded.verifyTimeline(id)).toEqual({ ok: true });
      const all = (await upgraded.alerts(id, { limit: 1_000 })).items;
      expect(all.map((a) => a.fingerprint)).toEqual(Array.from({ length: 130 }, (_, i) => `fp_${String(i)}`));
      expect(all[1]).toMatchObject({ count: 3, status: 'firing' });
      expect((await upgraded.ingest(signal(1, 'resolved'))).map((r) => [r.outcome, r.incident?.id])).toEqual([['resolved', id]]);
      expect((await upgraded.ingest(signal(130))).map((r) => r.outcome)).toEqual(['grouped']);
      expect(await upgraded.verifyTimeline(id)).toEqual({ ok: true });
    });

    it('refuse a schema migrated by a newer incidentkit', async () => {
      const schema = schemaName('future');
      await postgresStore(pool, { schema }).migrate();
      await pool.query(`INSERT INTO "${schema}".incidentkit_migrations (version, name) VALUES (99, 'future')`);
      const error = await thrown(() => postgresStore(pool, { schema }).migrate());
      expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.message).toMatch(/schema version 99.*upgrade incidentkit/);
    });
  });

  describe('options', () => {
    it('keeps stores in different schemas apart; the default schema is public', async () => {
      const a = createIncidentEngine({ store: postgresStore(pool, { schema: schemaName('a') }), clock: createManualClock() });
      const b = createIncidentEngine({ store: postgresStore(pool, { schema: schemaName('b') }), clock: createManualClock() });
      await a.declare({ title: 'In A', severity: 'SEV3', actor });
      await b.declare({ title: 'In B', severity: 'SEV3', actor });
      expect((await a.list()).items.map((i) => i.title)).toEqual(['In A']);
      expect((await b.list()).items.map((i) => i.title)).toEqual(['In B']);
      expect(postgresStore(pool).schema).toBe('public');
    });

    it.each(['', 'bad-name', 'x"; DROP TABLE users; --', '1abc', 'a'.repeat(64), 42])('refuses the schema %j with ConfigError', (schema) => {
      const error = thrown(() => postgresStore(pool, { schema: schema as string }));
      expect(isIncidentKitError(error, 'CONFIG_INVALID') && error.details).toMatchObject({ subject: 'postgresStore', issues: [{ path: ['schema'] }] });
    });

    it('refuses something that is not a pg.Pool with ConfigError', () => {
      for (const candidate of [null, {}, 'postgres://localhost/db']) {
        const error = thrown(() => postgresStore(candidate as unknown as pg.Pool));
        expect(isIncidentKitError(error, 'CONFIG_INVALID') && error.message).toMatch(/Pass a pg\.Pool/);
      }
    });
  });

  describe('commits', () => {
    let store: PostgresStore;
    beforeAll(async () => {
      store = postgresStore(pool, { schema: schemaName('commits') });
      await store.migrate();
    });

    it('take one statement, so one round trip', async () => {
      let statements = 0;
      const counting = new Proxy(pool, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (property !== 'query' || typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            statements += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const counted = postgresStore(counting, { schema: store.schema });
      await counted.migrate();
      const engine = createIncidentEngine({ store, clock: createManualClock() });
      const incident = await engine.declare({ title: 'Counted', severity: 'SEV3', actor });
      const commit = await captureCommit(store, (e) => e.addNote(incident.id, { text: 'one statement', actor }));
      statements = 0;
      await counted.commit(commit);
      expect(statements).toBe(1);
      expect((await store.events('default', incident.id)).map((e) => e.seq)).toEqual([1, 2]);
    });

    it('store timestamptz and jsonb columns that hold exactly what was committed, and a row per open dedup key', async () => {
      const engine = createIncidentEngine({ store, clock: createManualClock('2026-07-04T10:11:12.345Z'), tenantId: 'rows' });
      const incident = await engine.declare({ title: 'Typed', severity: 'SEV2', fields: { a: { b: [1, 2.5, 'c'] } }, actor });
      const { rows } = await pool.query<{ detected: boolean; type: string; fields: unknown }>(
        `SELECT detected_at = $2::timestamptz AS detected, jsonb_typeof(incident) AS type, incident -> 'fields' AS fields
         FROM "${store.schema}".incidentkit_incidents WHERE tenant_id = 'rows' AND id = $1`,
        [incident.id, '2026-07-04T10:11:12.345Z'],
      );
      expect(rows).toEqual([{ detected: true, type: 'object', fields: { a: { b: [1, 2.5, 'c'] } } }]);
      const columns = await pool.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'incidentkit_events' AND column_name IN ('at', 'data', 'actor') ORDER BY column_name`,
        [store.schema],
      );
      expect(columns.rows).toEqual([
        { column_name: 'actor', data_type: 'jsonb' },
        { column_name: 'at', data_type: 'timestamp with time zone' },
        { column_name: 'data', data_type: 'jsonb' },
      ]);
      const keys = await pool.query<{ dedup_key: string; own: boolean; incident_id: string }>(
        `SELECT dedup_key, own, incident_id FROM "${store.schema}".incidentkit_open_keys WHERE tenant_id = 'rows'`,
      );
      expect(keys.rows).toEqual([]);
      const keyed = await engine.declare({ title: 'Keyed', severity: 'SEV2', dedupKey: 'disk/db-1', actor });
      const held = await pool.query(`SELECT dedup_key, own, incident_id FROM "${store.schema}".incidentkit_open_keys WHERE tenant_id = 'rows'`);
      expect(held.rows).toEqual([{ dedup_key: 'disk/db-1', own: true, incident_id: keyed.id }]);
      await engine.cancel(keyed.id, { reason: 'declined', actor });
      expect((await pool.query(`SELECT 1 FROM "${store.schema}".incidentkit_open_keys WHERE tenant_id = 'rows'`)).rows).toEqual([]);
    });

    it('turn database errors into AdapterError without SQL text or values', async () => {
      const commit = await captureCommit(store, (e) => e.declare({ title: 'Has a NUL here', severity: 'SEV3', actor }));
      const poisoned = { ...commit, incident: { ...commit.incident, title: 'secret\u0000value' } };
      const error = await thrown(() => store.commit(poisoned));
      expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.details).toEqual({ adapter: 'postgres', operation: 'commit' });
      const text = error instanceof Error ? error.message : '';
      expect(text).toMatch(/cannot store.*NUL.*\(22P05\)/);
      expect(text).not.toMatch(/INSERT|WITH|secret/);
      expect(await store.load('default', commit.incidentId)).toBeUndefined();
    });

    it('report an unreachable server as AdapterError', async () => {
      const dead = new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2_000 });
      try {
        const error = await thrown(() => postgresStore(dead, { schema: 'unreachable' }).load('default', 'inc_1'));
        expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.message).toMatch(/could not be reached.*ECONNREFUSED/);
      } finally {
        await dead.end();
      }
    });
  });
});
