/**
 * The stores the command and HTTP fuzz suites run against (issue 16): the memory store with
 * the full run count, and SQLite (in memory) and PostgreSQL (test/setup/postgres.ts) with a
 * reduced one, so input a store refuses where another accepts it (NUL, which PostgreSQL
 * cannot store) is found on every store without making CI much slower.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { memoryStore } from '../../src/storage/memory.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';

/** One store the fuzz suites run against. */
export interface FuzzStore {
  readonly name: 'memory' | 'sqlite' | 'postgres';
  /** Why the store is not available here (PostgreSQL without a server); absent when it is. */
  readonly skip?: string;
  /** A fresh, empty store. */
  readonly create: () => StorageAdapter;
  /** Releases every store `create` made. */
  readonly close: () => Promise<void>;
}

function memory(): FuzzStore {
  return { name: 'memory', create: () => memoryStore(), close: () => Promise.resolve() };
}

function sqlite(): FuzzStore {
  const dbs: Database.Database[] = [];
  return {
    name: 'sqlite',
    create: () => {
      const db = new Database(':memory:');
      dbs.push(db);
      return sqliteStore(db);
    },
    close: () => {
      for (const db of dbs.splice(0)) db.close();
      return Promise.resolve();
    },
  };
}

function postgres(suite: string): FuzzStore {
  const availability = inject('postgres');
  let pool: pg.Pool | undefined;
  const schemas: string[] = [];
  return {
    name: 'postgres',
    ...(availability.url === null ? { skip: availability.reason } : {}),
    create: () => {
      pool ??= new pg.Pool({ connectionString: availability.url ?? '', max: 4 });
      const schema = `ik_fuzz_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
      schemas.push(schema);
      return postgresStore(pool, { schema });
    },
    close: async () => {
      if (pool === undefined) return;
      for (const schema of schemas.splice(0)) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      pool = undefined;
      markPostgresSuiteRan(suite);
    },
  };
}

/** The memory store and the SQL stores, for the fuzz file `suite` (named in the PostgreSQL marker). */
export function fuzzStores(suite: string): { readonly memory: FuzzStore; readonly sql: readonly FuzzStore[] } {
  return { memory: memory(), sql: [sqlite(), postgres(suite)] };
}
