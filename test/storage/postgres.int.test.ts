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
import { postgresStore, type PostgresStore } from '../../src/storage/postgres.js';
import type { Commit, StorageAdapter } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
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
        expect(applied.flat()).toEqual([1, 2]);
        expect(await postgresStore(pool, { schema }).migrate()).toEqual([]);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
      const { rows } = await pool.query(`SELECT version, name FROM "${schema}".incidentkit_migrations ORDER BY version`);
      expect(rows).toEqual([
        { version: 1, name: 'create incidents, events, timers and outbox' },
        { version: 2, name: 'signal counters, firing windows and alert dedup keys' },
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
        'incidentkit_events',
        'incidentkit_firings',
        'incidentkit_incidents',
        'incidentkit_migrations',
        'incidentkit_outbox',
        'incidentkit_signal_counts',
        'incidentkit_timers',
      ]);
    });

    it('upgrade a schema left at an older version, keeping its data', async () => {
      const schema = schemaName('upgrade');
      const store = postgresStore(pool, { schema });
      const engine = createIncidentEngine({ store, clock: createManualClock() });
      const incident = await engine.declare({ title: 'Before the upgrade', severity: 'SEV3', actor });
      await pool.query(
        `DROP TABLE "${schema}".incidentkit_signal_counts, "${schema}".incidentkit_firings;
         DROP INDEX "${schema}".incidentkit_incidents_open_alerts;
         DELETE FROM "${schema}".incidentkit_migrations WHERE version = 2`,
      );
      const upgraded = postgresStore(pool, { schema });
      expect(await upgraded.migrate()).toEqual([2]);
      expect(await upgraded.countFirings('default', 'k', '2026-01-01T00:00:00.000Z', '2025-12-31T23:00:00.000Z')).toBe(1);
      expect((await upgraded.load('default', incident.id))?.incident).toEqual(incident);
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

    it('store timestamptz and jsonb columns that hold exactly what was committed', async () => {
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
      const index = await pool.query<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'incidentkit_incidents_open_dedup_key'",
        [store.schema],
      );
      expect(index.rows[0]?.indexdef).toMatch(/CREATE UNIQUE INDEX .* WHERE \(is_open AND \(dedup_key IS NOT NULL\)\)/);
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
