/**
 * The PostgreSQL store's item rows, on a real server: an incident's action items are rows of
 * `incidentkit_incident_items`, not part of its projection JSON. They round-trip exactly, a
 * command writes only the rows it changes (still one statement), a second store on the same
 * schema (which remembers nothing of the first one's commits) reads and writes correctly, and
 * migration 5 moves the action items of existing projections into rows.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { postgresStore } from '../../src/storage/postgres.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { TENANT } from '../../src/testing/storageContract/fixtures.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';

const postgres = inject('postgres');
const actor = { id: 'u_alice', name: 'Alice' };

function engineOn(store: StorageAdapter, idPrefix = ''): IncidentEngine {
  return createIncidentEngine({ store, tenantId: TENANT, clock: createManualClock('2026-05-01T09:00:00.000Z'), ids: sequentialIds(idPrefix) });
}

/** Declares an incident and adds `count` action items to it; returns its id. */
async function withItems(engine: IncidentEngine, count: number): Promise<string> {
  const { id } = await engine.declare({ title: 'Payment outage', severity: 'SEV2', actor });
  for (let i = 0; i < count; i += 1) await engine.addActionItem(id, { title: `Follow-up ${String(i)}`, owner: `u_${String(i % 7)}`, actor });
  return id;
}

describe.skipIf(postgres.url === null)(`postgresStore item rows${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  let pool: pg.Pool;
  const schemas: string[] = [];
  /** A fresh schema, migrated, with a table counting the writes to its item rows. */
  async function schemaFor(label: string): Promise<{ schema: string; s: string; writes: () => Promise<Record<string, number>> }> {
    const schema = `ik_${label}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    schemas.push(schema);
    const s = `"${schema}"`;
    await postgresStore(pool, { schema }).migrate();
    await pool.query(`
      CREATE TABLE ${s}.item_writes (op text NOT NULL);
      CREATE FUNCTION ${s}.count_item_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO ${s}.item_writes VALUES (lower(TG_OP)); RETURN NULL; END $$;
      CREATE TRIGGER count_item_writes AFTER INSERT OR UPDATE OR DELETE ON ${s}.incidentkit_incident_items
        FOR EACH ROW EXECUTE FUNCTION ${s}.count_item_write();`);
    const writes = async (): Promise<Record<string, number>> => {
      const { rows } = await pool.query<{ op: string; n: number }>(`DELETE FROM ${s}.item_writes RETURNING op, 1 AS n`);
      const counts: Record<string, number> = { insert: 0, update: 0, delete: 0 };
      for (const row of rows) counts[row.op] = (counts[row.op] ?? 0) + row.n;
      return counts;
    };
    return { schema, s, writes };
  }
  const itemKeys = async (s: string): Promise<string[]> =>
    (await pool.query<{ item_key: string }>(`SELECT item_key FROM ${s}.incidentkit_incident_items ORDER BY tenant_id, incident_id, collection, position`)).rows.map((r) => r.item_key);

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 4 });
  });
  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    markPostgresSuiteRan('postgresItems.int');
  });

  it('round-trips an incident with many action items and writes only the rows a command changes', async () => {
    const { schema, s, writes } = await schemaFor('items');
    const engine = engineOn(postgresStore(pool, { schema }));
    const id = await withItems(engine, 120);
    await writes();
    await engine.addNote(id, { text: 'Checked with the owners.', actor });
    expect(await writes()).toEqual({ insert: 0, update: 0, delete: 0 });
    const target = (await engine.get(id)).actionItems[60]?.id ?? '';
    await engine.updateActionItem(id, { actionItemId: target, status: 'done', actor });
    expect(await writes()).toEqual({ insert: 0, update: 1, delete: 0 });
    const last = await engine.addActionItem(id, { title: 'One more', actor });
    expect(await writes()).toEqual({ insert: 1, update: 0, delete: 0 });

    expect(last.actionItems).toHaveLength(121);
    expect(last.actionItems[60]?.status).toBe('done');
    expect(await engine.get(id)).toEqual(last);
    expect(await engineOn(postgresStore(pool, { schema })).get(id)).toEqual(last);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    expect(await itemKeys(s)).toEqual(last.actionItems.map((item) => item.id));
    const { rows } = await pool.query<{ projected: boolean; context: boolean }>(
      `SELECT incident ? 'actionItems' AS projected, snapshot -> 'context' ? 'actionItems' AS context FROM ${s}.incidentkit_incidents`,
    );
    expect(rows).toEqual([{ projected: false, context: false }]);
    expect((await engine.list()).items).toEqual([last]);
  });

  it('lets a second store on the same schema read the first one\'s commits and commit after them, and the first one after that', async () => {
    const { schema, s } = await schemaFor('two');
    const first = engineOn(postgresStore(pool, { schema }), 'a');
    const second = engineOn(postgresStore(pool, { schema }), 'b');
    const id = await withItems(first, 12);
    const items = (await second.get(id)).actionItems;
    await first.updateActionItem(id, { actionItemId: items[3]?.id ?? '', status: 'done', actor });
    await first.addActionItem(id, { title: 'From the first store', actor });
    await second.updateActionItem(id, { actionItemId: items[5]?.id ?? '', status: 'wont_do', actor });
    await second.addActionItem(id, { title: 'From the second store', actor });
    const last = await first.updateActionItem(id, { actionItemId: items[7]?.id ?? '', status: 'in_progress', actor });

    expect(last.actionItems.map((item) => item.status).slice(3, 8)).toEqual(['done', 'open', 'wont_do', 'open', 'in_progress']);
    expect(last.actionItems.slice(-2).map((item) => item.title)).toEqual(['From the first store', 'From the second store']);
    expect(await second.get(id)).toEqual(last);
    expect(await engineOn(postgresStore(pool, { schema })).get(id)).toEqual(last);
    expect(await itemKeys(s)).toEqual(last.actionItems.map((item) => item.id));
    expect(await second.verifyTimeline(id)).toEqual({ ok: true });
  });

  it('migration 5 moves the action items of projections written before they had rows into rows, in their order', async () => {
    const { schema, s } = await schemaFor('migrate5');
    const engine = engineOn(postgresStore(pool, { schema }));
    const id = await withItems(engine, 9);
    const before = await engine.updateActionItem(id, { actionItemId: (await engine.get(id)).actionItems[4]?.id ?? '', status: 'done', actor });
    // As schema 4 left it: the action items inside the projection and the snapshot, no item rows.
    const every = `coalesce((SELECT jsonb_agg(body ORDER BY position) FROM ${s}.incidentkit_incident_items d WHERE d.incident_id = i.id), '[]'::jsonb)`;
    await pool.query(`
      UPDATE ${s}.incidentkit_incidents i SET
        incident = incident || jsonb_build_object('actionItems', ${every}),
        snapshot = jsonb_set(snapshot, '{context,actionItems}', ${every});
      DROP TABLE ${s}.incidentkit_incident_items, ${s}.incidentkit_records CASCADE;
      DELETE FROM ${s}.incidentkit_migrations WHERE version >= 5`);

    const store = postgresStore(pool, { schema });
    expect(await store.migrate()).toEqual([5, 6, 7]);
    const upgraded = engineOn(store, 'u');
    expect(await upgraded.get(id)).toEqual(before);
    expect(await upgraded.verifyTimeline(id)).toEqual({ ok: true });
    expect(await itemKeys(s)).toEqual(before.actionItems.map((item) => item.id));
    const next = await upgraded.addActionItem(id, { title: 'After the upgrade', actor });
    expect(await itemKeys(s)).toEqual(next.actionItems.map((item) => item.id));
    expect(await engineOn(postgresStore(pool, { schema })).get(id)).toEqual(next);
  });
});
