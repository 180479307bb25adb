/**
 * A suite of cases over fresh `postgresStore`s on the real server the global setup started: each
 * store in its own schema (dropped afterwards), migrated; the suite leaves its marker for CI and
 * is skipped, saying why, when no server could be started.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { postgresStore } from '../../src/storage/postgres.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { markPostgresSuiteRan } from './postgres.js';

/**
 * Registers `cases` (given a factory of fresh, migrated stores) under `title`; `suite` names the
 * marker `.ci/run` requires (e.g. `heartbeats.int`).
 */
export function describeOnPostgresStores(suite: string, title: string, cases: (store: () => Promise<StorageAdapter>) => void): void {
  const postgres = inject('postgres');
  describe.skipIf(postgres.url === null)(`${title}${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
    let pool: pg.Pool;
    const schemas: string[] = [];
    beforeAll(() => {
      pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 4 });
    });
    afterAll(async () => {
      for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      markPostgresSuiteRan(suite);
    });
    cases(async () => {
      const schema = `ik_${suite.replace(/\W/g, '_')}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
      schemas.push(schema);
      const store = postgresStore(pool, { schema });
      await store.migrate();
      return store;
    });
  });
}
