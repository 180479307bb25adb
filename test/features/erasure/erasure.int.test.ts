/**
 * Crypto-shredding on a real PostgreSQL server: every table of the store's schema is read raw
 * (`SELECT t::text FROM <table> t`), before and after `engine.erase`.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { postgresStore } from '../../../src/storage/postgres.js';
import { markPostgresSuiteRan } from '../../setup/postgres.js';
import { erasureCases } from './erasureSuite.js';

const postgres = inject('postgres');

describe.skipIf(postgres.url === null)(`erasure on PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  const schemas: string[] = [];
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 4 });
  });
  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    markPostgresSuiteRan('erasure.int');
  });

  erasureCases(async () => {
    const schema = `ik_erase_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    schemas.push(schema);
    const store = postgresStore(pool, { schema });
    await store.migrate();
    const dump = async () => {
      const tables = await pool.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      const rows: string[] = [];
      for (const { table_name: table } of tables.rows) {
        const result = await pool.query<{ t: string }>(`SELECT t::text AS t FROM "${schema}"."${table}" t`);
        rows.push(...result.rows.map((row) => row.t));
      }
      return rows.join('\n');
    };
    return { store, dump };
  });
});
