/**
 * The published storage contract suite, run against every store we ship exactly as a third party
 * would run it against theirs: memory (also keeping no delivered messages, and without the optional
 * record methods), SQLite (in memory and on a WAL file), PostgreSQL, and the custom adapter of
 * examples/custom-storage-adapter.ts.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { keyValueStore, createMapKeyValue } from '../../examples/custom-storage-adapter.js';
import { memoryStore } from '../../src/storage/memory.js';
import { RECORD_METHODS } from '../../src/storage/records.js';
import { postgresStore, type PostgresStore } from '../../src/storage/postgres.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import {
  STORAGE_CONTRACT_TESTS,
  runStorageContract,
  type StorageContractFramework,
  type StorageInspection,
} from '../../src/testing/storageContract.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';

const framework = { describe, it, expect, beforeEach, afterEach };

describe('runStorageContract', () => {
  /** A framework that only records what the suite registers. */
  function recorder(withSkip: boolean) {
    const ran: string[] = [];
    const skipped: string[] = [];
    const hooks: unknown[] = [];
    const register = (name: string): void => {
      ran.push(name);
    };
    const fake: StorageContractFramework = {
      describe: (_name, body) => {
        body();
      },
      it: withSkip ? Object.assign(register, { skip: (name: string) => skipped.push(name) }) : register,
      expect,
      beforeEach: (hook) => {
        hooks.push(hook);
      },
      afterEach: (hook) => {
        hooks.push(hook);
      },
    };
    return { fake, ran, skipped };
  }

  it('registers every test by name, and skipped ones with their reason', () => {
    const { fake, ran, skipped } = recorder(true);
    runStorageContract(fake, { create: () => memoryStore(), skip: { 'list: an unknown cursor raises ValidationError': 'our cursors never fail' } });
    expect([...ran, ...skipped]).toHaveLength(STORAGE_CONTRACT_TESTS.length);
    expect(skipped).toEqual([
      'list: an unknown cursor raises ValidationError (skipped: our cursors never fail)',
      'raw rows: commits reach the backing store (skipped: no inspect() was given, so rows cannot be read past the adapter)',
      'raw rows: refused commits leave no rows behind (skipped: no inspect() was given, so rows cannot be read past the adapter)',
    ]);
  });

  it('names skipped tests as such on frameworks without it.skip, and runs all with inspect', () => {
    const plain = recorder(false);
    runStorageContract(plain.fake, { create: () => memoryStore() });
    expect(plain.ran.filter((name) => name.includes('(skipped: no inspect()'))).toHaveLength(2);
    const full = recorder(true);
    runStorageContract(full.fake, { create: () => memoryStore(), inspect: () => ({ incidents: 0, events: 0, timers: 0, outbox: 0 }) });
    expect(full.ran).toEqual([...STORAGE_CONTRACT_TESTS]);
    expect(full.skipped).toEqual([]);
  });

  it('refuses a skip of an unknown test or without a reason', () => {
    const { fake } = recorder(true);
    const unknown = { 'commit: no such test': 'typo' } as unknown as Record<(typeof STORAGE_CONTRACT_TESTS)[number], string>;
    expect(() => {
      runStorageContract(fake, { create: () => memoryStore(), skip: unknown });
    }).toThrow(/unknown test 'commit: no such test'/);
    expect(() => {
      runStorageContract(fake, { create: () => memoryStore(), skip: { 'reads: unknown incidents are absent': ' ' } });
    }).toThrow(/needs a reason/);
  });
});

runStorageContract(framework, { name: 'memory', create: () => memoryStore() });

// Forgetting each message as soon as it is delivered must not change a single promise.
runStorageContract(framework, { name: 'memory (keepDelivered: 0)', create: () => memoryStore({ keepDelivered: 0 }) });

// An adapter written before records (no record methods) still passes every test: the records
// tests check that requireRecords refuses it cleanly.
runStorageContract(framework, {
  name: 'memory without the optional record methods',
  create: () =>
    Object.fromEntries(Object.entries(memoryStore()).filter(([name]) => !(RECORD_METHODS as readonly string[]).includes(name))) as unknown as StorageAdapter,
});

runStorageContract(framework, {
  name: 'custom adapter from examples/custom-storage-adapter.ts',
  create: () => keyValueStore(createMapKeyValue()),
});

/** Counts one tenant's rows in a SQLite database the store wrote to. */
function sqliteRows(db: Database.Database, tenantId: string): StorageInspection {
  const count = (table: string): number =>
    db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM incidentkit_${table} WHERE tenant_id = ?`).get(tenantId)?.n ?? -1;
  return { incidents: count('incidents'), events: count('events'), timers: count('timers'), outbox: count('outbox') };
}

const sqliteDbs = new WeakMap<StorageAdapter, Database.Database>();
const dbOf = (store: StorageAdapter): Database.Database => {
  const db = sqliteDbs.get(store);
  if (db === undefined) throw new Error('no database for this store');
  return db;
};

runStorageContract(framework, {
  name: 'sqlite (:memory:)',
  create: () => {
    const db = new Database(':memory:');
    const store = sqliteStore(db);
    sqliteDbs.set(store, db);
    return store;
  },
  dispose: (store) => {
    dbOf(store).close();
  },
  inspect: (store, tenantId) => sqliteRows(dbOf(store), tenantId),
});

describe('sqlite on a WAL file', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'incidentkit-contract-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  runStorageContract(framework, {
    name: 'sqlite (file, WAL)',
    create: () => {
      n += 1;
      const db = new Database(join(dir, `contract-${String(n)}.sqlite`));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const store = sqliteStore(db);
      sqliteDbs.set(store, db);
      return store;
    },
    dispose: (store) => {
      dbOf(store).close();
    },
    inspect: (store, tenantId) => sqliteRows(dbOf(store), tenantId),
  });
});

const postgres = inject('postgres');

describe.skipIf(postgres.url === null)(`postgres${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  let pool: pg.Pool;
  // One schema for the file; each test starts from empty tables (TRUNCATE is far cheaper than a
  // new schema, and keeps the prepared statements of the pool's connections warm).
  const schema = `ik_contract_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  beforeAll(() => {
    // A session time zone far from UTC proves that times never depend on it.
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 8, options: '-c TimeZone=Asia/Kathmandu' });
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    markPostgresSuiteRan('storage.contract');
  });

  let shared: PostgresStore | undefined;
  runStorageContract(framework, {
    name: 'postgres',
    create: async () => {
      if (shared === undefined) {
        shared = postgresStore(pool, { schema });
        await shared.migrate();
      }
      await pool.query(
        `TRUNCATE ${['incidents', 'events', 'timers', 'outbox', 'signal_counts', 'signal_totals', 'alerts', 'firings', 'open_keys', 'incident_items', 'records'].map((t) => `"${schema}".incidentkit_${t}`).join(', ')}`,
      );
      return shared;
    },
    inspect: async (store: PostgresStore, tenantId) => {
      const { rows } = await pool.query<{ incidents: number; events: number; timers: number; outbox: number }>(
        `SELECT
           (SELECT count(*)::int FROM "${store.schema}".incidentkit_incidents WHERE tenant_id = $1) AS incidents,
           (SELECT count(*)::int FROM "${store.schema}".incidentkit_events WHERE tenant_id = $1) AS events,
           (SELECT count(*)::int FROM "${store.schema}".incidentkit_timers WHERE tenant_id = $1) AS timers,
           (SELECT count(*)::int FROM "${store.schema}".incidentkit_outbox WHERE tenant_id = $1) AS outbox`,
        [tenantId],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('no counts');
      return row;
    },
  });
});
