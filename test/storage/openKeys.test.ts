/**
 * Which open incident a dedup key finds, step by step, in the memory, SQLite and PostgreSQL
 * stores alike: an incident's own key is unique among open incidents and wins over alert keys;
 * an alert key belongs to the first open incident holding it and, when that incident closes,
 * passes at once to the oldest other open incident with an alert of that key.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { memoryStore } from '../../src/storage/memory.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { StorageAdapter, StoredIncident } from '../../src/storage/types.js';
import { commitBuilder } from '../../src/testing/storageContract/commitBuilder.js';
import { alert, alice, stateOf, t, TENANT, withAlerts } from '../../src/testing/storageContract/fixtures.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';
import { thrown } from '../helpers.js';

const postgres = inject('postgres');
let pool: pg.Pool | undefined;
const schema = `ik_open_keys_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
afterAll(async () => {
  if (pool === undefined) return;
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  markPostgresSuiteRan('openKeys');
});

const stores: [string, () => Promise<StorageAdapter>][] = [
  ['memory', () => Promise.resolve(memoryStore())],
  ['sqlite', () => Promise.resolve(sqliteStore(new Database(':memory:')))],
];
if (postgres.url !== null) {
  const url = postgres.url;
  stores.push([
    'postgres',
    async () => {
      pool ??= new pg.Pool({ connectionString: url, max: 2 });
      const store = postgresStore(pool, { schema });
      await store.migrate();
      return store;
    },
  ]);
}

describe.each(stores)('open dedup keys in the %s store', (_name, create) => {
  const build = commitBuilder();

  it('find the own key first, else the first open holder of an alert key, and follow closes', async () => {
    const store = await create();
    const find = async (key: string): Promise<string | undefined> => (await store.findOpenByDedupKey(TENANT, key))?.id;
    const a = withAlerts(await build.declare({ id: 'inc_a', dedupKey: 'own/a', at: t(0) }), [alert('fp1', 'own/a'), alert('fp2', 'shared')]);
    await store.commit(a);
    const b = withAlerts(await build.declare({ id: 'inc_b', dedupKey: 'own/b', at: t(1000) }), [alert('fp3', 'shared')]);
    await store.commit(b);
    let bState: StoredIncident = stateOf(b);
    const noteOnB = async (text: string, at: string): Promise<void> => {
      const note = await build.note(bState, text, at);
      await store.commit(note);
      bState = stateOf(note, bState);
    };

    expect(await find('own/a')).toBe('inc_a');
    expect(await find('shared')).toBe('inc_a');
    // Another commit of the second holder does not take the key away from the first.
    await noteOnB('still firing', t(1500));
    expect(await find('shared')).toBe('inc_a');

    // Closing the first holder lets its own key go, and its alert key passes to the other open incident that has it.
    await store.commit(await build.next(stateOf(a), t(2000), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice })));
    expect(await find('own/a')).toBeUndefined();
    expect(await find('shared')).toBe('inc_b');
    await noteOnB('after the cancel', t(3000));
    expect(await find('shared')).toBe('inc_b');

    // An incident's own key wins over another incident's alert key.
    await store.commit(await build.declare({ id: 'inc_c', dedupKey: 'shared', at: t(4000) }));
    expect(await find('shared')).toBe('inc_c');

    // Own keys are unique among open incidents; the refusal names the holder.
    const error = await thrown(async () => store.commit(await build.declare({ id: 'inc_d', dedupKey: 'own/b', at: t(5000) })));
    expect(isIncidentKitError(error, 'DUPLICATE_INCIDENT') && error.details).toEqual({ tenantId: TENANT, dedupKey: 'own/b', existingIncidentId: 'inc_b' });
    expect(await store.load(TENANT, 'inc_d')).toBeUndefined();

    // Alerts grouped later are found too; a resolved incident is still open and keeps its keys.
    const grouped = withAlerts(await build.note(bState, 'grouped', t(6000)), [alert('fp3', 'shared'), alert('fp4', 'late')]);
    await store.commit(grouped);
    bState = stateOf(grouped, bState);
    expect(await find('late')).toBe('inc_b');
    const resolved = await build.next(bState, t(7000), (engine, id) => engine.resolve(id, { actor: alice }));
    await store.commit(resolved);
    expect([await find('own/b'), await find('late')]).toEqual(['inc_b', 'inc_b']);
    await store.commit(await build.next(stateOf(resolved, bState), t(8000), (engine, id) => engine.close(id, { actor: alice })));
    expect([await find('own/b'), await find('late'), await find('shared')]).toEqual([undefined, undefined, 'inc_c']);
  });
});
