/** `engine.heartbeats` on the PostgreSQL store, on a real server: the cases of heartbeatsSuite.ts. */
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { postgresStore } from '../../../src/storage/postgres.js';
import { markPostgresSuiteRan } from '../../setup/postgres.js';
import { heartbeatCases } from './heartbeatsSuite.js';

const postgres = inject('postgres');

describe.skipIf(postgres.url === null)(`engine.heartbeats on postgresStore${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  let pool: pg.Pool;
  const schemas: string[] = [];
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 4 });
  });
  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    markPostgresSuiteRan('heartbeats.int');
  });
  heartbeatCases(async () => {
    const schema = `ik_hb_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    schemas.push(schema);
    const store = postgresStore(pool, { schema });
    await store.migrate();
    return store;
  });
});
