/**
 * The SQLite store's item rows: an incident's action items are rows of `<prefix>incident_items`,
 * not part of its projection JSON. They round-trip exactly, a command writes only the rows it
 * changes, a second store on the same file (which remembers nothing of the first one's commits)
 * reads and writes correctly, what `load` returns is frozen, and migration 5 moves the action
 * items of existing projections into rows.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import type { Incident } from '../../src/model/incident.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { StorageAdapter, StoredIncident } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { commitBuilder } from '../../src/testing/storageContract/commitBuilder.js';
import { TENANT } from '../../src/testing/storageContract/fixtures.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';

const actor = { id: 'u_alice', name: 'Alice' };
const builder = commitBuilder();

let dir = '';
const open: Database.Database[] = [];
/** A connection to the WAL file `name` in this test's directory. */
function connect(name = 'incidents.sqlite'): Database.Database {
  const db = new Database(join(dir, name));
  db.pragma('journal_mode = WAL');
  open.push(db);
  return db;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'incidentkit-items-'));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function engineOn(store: StorageAdapter, idPrefix = ''): IncidentEngine {
  return createIncidentEngine({ store, tenantId: TENANT, clock: createManualClock('2026-05-01T09:00:00.000Z'), ids: sequentialIds(idPrefix) });
}

/** Declares an incident and adds `count` action items to it; returns its id. */
async function withItems(engine: IncidentEngine, count: number): Promise<string> {
  const { id } = await engine.declare({ title: 'Payment outage', severity: 'SEV2', actor });
  for (let i = 0; i < count; i += 1) {
    await engine.addActionItem(id, { title: `Follow-up ${String(i)}`, owner: `u_${String(i % 7)}`, kind: 'detect', actor });
  }
  return id;
}

/** The item rows of the database, in the order a read returns them. */
function itemRows(db: Database.Database): { item_key: string; body: unknown }[] {
  return db
    .prepare<[], { item_key: string; body: string }>('SELECT item_key, body FROM incidentkit_incident_items ORDER BY tenant_id, incident_id, collection, position')
    .all()
    .map((row) => ({ item_key: row.item_key, body: JSON.parse(row.body) as unknown }));
}

/** Counts the writes to item rows from now on (temporary triggers of this connection). */
function countItemWrites(db: Database.Database): () => { inserted: number; updated: number; deleted: number } {
  db.exec(`
    CREATE TEMP TABLE item_writes (kind TEXT NOT NULL);
    CREATE TEMP TRIGGER items_inserted AFTER INSERT ON incidentkit_incident_items BEGIN INSERT INTO item_writes VALUES ('inserted'); END;
    CREATE TEMP TRIGGER items_updated AFTER UPDATE ON incidentkit_incident_items BEGIN INSERT INTO item_writes VALUES ('updated'); END;
    CREATE TEMP TRIGGER items_deleted AFTER DELETE ON incidentkit_incident_items BEGIN INSERT INTO item_writes VALUES ('deleted'); END;`);
  return () => {
    const counts = { inserted: 0, updated: 0, deleted: 0 };
    for (const row of db.prepare<[], { kind: keyof typeof counts; n: number }>('SELECT kind, count(*) AS n FROM item_writes GROUP BY kind').all()) counts[row.kind] = row.n;
    db.exec('DELETE FROM item_writes');
    return counts;
  };
}

describe('sqliteStore action items', () => {
  it('round-trips an incident with many action items exactly, as rows outside the projection JSON', async () => {
    const db = connect();
    const engine = engineOn(sqliteStore(db));
    const id = await withItems(engine, 300);
    const items = (await engine.get(id)).actionItems;
    await engine.updateActionItem(id, { actionItemId: items[5]?.id ?? '', status: 'in_progress', actor });
    const last = await engine.updateActionItem(id, { actionItemId: items[299]?.id ?? '', status: 'done', actor });

    expect(last.actionItems).toHaveLength(300);
    expect(await engine.get(id)).toEqual(last);
    // A store that remembers nothing reads the same from the rows.
    expect(await engineOn(sqliteStore(connect())).get(id)).toEqual(last);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    expect(itemRows(db)).toEqual(last.actionItems.map((item) => ({ item_key: item.id, body: item })));
    const row = db.prepare<[], { incident: string; snapshot: string }>('SELECT incident, snapshot FROM incidentkit_incidents').get();
    expect(JSON.parse(row?.incident ?? '{}')).not.toHaveProperty('actionItems');
    expect(JSON.parse(row?.snapshot ?? '{}')).not.toHaveProperty(['context', 'actionItems']);
  });

  it('writes only the item rows a command changes: none for a note, one for an added or updated item', async () => {
    const db = connect();
    const engine = engineOn(sqliteStore(db));
    const id = await withItems(engine, 50);
    const writes = countItemWrites(db);
    await engine.addNote(id, { text: 'Checked with the owners.', actor });
    expect(writes()).toEqual({ inserted: 0, updated: 0, deleted: 0 });
    const target = (await engine.get(id)).actionItems[17]?.id ?? '';
    const updated = await engine.updateActionItem(id, { actionItemId: target, status: 'done', actor });
    expect(writes()).toEqual({ inserted: 0, updated: 1, deleted: 0 });
    const row = db.prepare<[string], { body: string }>('SELECT body FROM incidentkit_incident_items WHERE item_key = ?').get(target);
    expect(JSON.parse(row?.body ?? '{}')).toEqual(updated.actionItems[17]);
    await engine.addActionItem(id, { title: 'One more', actor });
    expect(writes()).toEqual({ inserted: 1, updated: 0, deleted: 0 });
    expect(itemRows(db).map((r) => r.item_key)).toEqual((await engine.get(id)).actionItems.map((item) => item.id));
  });

  it('deletes a removed item and rewrites the order when items move, from a commit at the version it remembers', async () => {
    const db = connect();
    const store = sqliteStore(db);
    const id = await withItems(engineOn(store), 6);
    const writes = countItemWrites(db);
    /** A commit at the stored version whose projection and context hold `change(items)`, sharing the unchanged item objects. */
    const commitWith = async (change: (items: Incident['actionItems']) => Incident['actionItems']): Promise<StoredIncident> => {
      const stored = (await store.load(TENANT, id))!;
      const note = await builder.note(stored, 'reshuffled');
      const actionItems = change(stored.incident.actionItems);
      const commit = { ...note, incident: { ...note.incident, actionItems }, snapshot: { ...note.snapshot, context: { ...note.snapshot.context, actionItems } } };
      await store.commit(commit);
      return { incident: commit.incident, snapshot: commit.snapshot, lastHash: commit.events.at(-1)?.hash ?? '' };
    };
    const removed = await commitWith((items) => items.filter((_, i) => i !== 2));
    expect(writes()).toEqual({ inserted: 0, updated: 0, deleted: 1 });
    expect((await sqliteStore(connect()).load(TENANT, id))?.incident.actionItems).toEqual(removed.incident.actionItems);
    const reversed = await commitWith((items) => [...items].reverse());
    expect(writes()).toMatchObject({ deleted: 0 });
    expect(itemRows(db).map((r) => r.item_key)).toEqual(reversed.incident.actionItems.map((item) => item.id));
    expect(await sqliteStore(connect()).load(TENANT, id)).toEqual(reversed);
  });

  it('lets a second store on the same file read the first one\'s commits and commit after them, and the first one after that', async () => {
    const first = engineOn(sqliteStore(connect()), 'a');
    const second = engineOn(sqliteStore(connect()), 'b');
    const id = await withItems(first, 20);
    const items = (await second.get(id)).actionItems;
    await first.updateActionItem(id, { actionItemId: items[3]?.id ?? '', status: 'done', actor });
    await first.addActionItem(id, { title: 'From the first store', actor });
    // The second store remembers the incident at an older version: it reads the rows again, then writes only its change.
    await second.updateActionItem(id, { actionItemId: items[5]?.id ?? '', status: 'wont_do', actor });
    await second.addActionItem(id, { title: 'From the second store', actor });
    const last = await first.updateActionItem(id, { actionItemId: items[7]?.id ?? '', status: 'in_progress', actor });

    expect(last.actionItems.map((item) => item.status).slice(0, 8)).toEqual(['open', 'open', 'open', 'done', 'open', 'wont_do', 'open', 'in_progress']);
    expect(last.actionItems.slice(-2).map((item) => item.title)).toEqual(['From the first store', 'From the second store']);
    expect(await second.get(id)).toEqual(last);
    expect(await engineOn(sqliteStore(connect())).get(id)).toEqual(last);
    expect(await second.verifyTimeline(id)).toEqual({ ok: true });
  });

  it('rewrites the item rows of a commit at a version it does not remember', async () => {
    const db = connect();
    const id = await withItems(engineOn(sqliteStore(db)), 4);
    // Another store on the same connection (the triggers that count writes are the connection's).
    const other = sqliteStore(db);
    const writes = countItemWrites(db);
    // Built from a copy of the stored state: nothing is shared with what either store remembers.
    const stored = structuredClone((await sqliteStore(connect()).load(TENANT, id))!);
    const note = await builder.note(stored, 'from elsewhere');
    const actionItems = note.incident.actionItems.filter((_, i) => i !== 1);
    const commit = { ...note, incident: { ...note.incident, actionItems }, snapshot: { ...note.snapshot, context: { ...note.snapshot.context, actionItems } } };
    await other.commit(commit);
    // Every item is written again, in order, and the rows of items the projection no longer holds are deleted.
    expect(writes()).toEqual({ inserted: 0, updated: 3, deleted: 1 });
    expect(await other.load(TENANT, id)).toEqual({ incident: commit.incident, snapshot: commit.snapshot, lastHash: commit.events.at(-1)?.hash });
    expect(itemRows(db).map((r) => r.body)).toEqual(actionItems);
  });

  it('does not remember a commit made inside a transaction of the host\'s that then rolls back', async () => {
    const db = connect();
    const store = sqliteStore(db);
    const id = await withItems(engineOn(store), 2);
    const stored = (await store.load(TENANT, id))!;
    const undone = await builder.next(stored, stored.incident.updatedAt, (engine, incidentId) => engine.addActionItem(incidentId, { title: 'Undone', actor }));
    db.exec('BEGIN');
    await store.commit(undone);
    db.exec('ROLLBACK');
    // Another connection writes the same version with other content.
    const kept = await builder.note(stored, 'kept');
    await sqliteStore(connect()).commit(kept);
    expect(await store.load(TENANT, id)).toEqual({ incident: kept.incident, snapshot: kept.snapshot, lastHash: kept.events.at(-1)?.hash });
  });

  it('returns frozen values from load and commands, so a caller cannot change what it remembers', async () => {
    const db = connect();
    const store = sqliteStore(db);
    const engine = engineOn(store);
    const id = await withItems(engine, 3);
    const result = await engine.addNote(id, { text: 'frozen?', actor });
    const loaded = (await store.load(TENANT, id))!;
    for (const value of [result, result.actionItems, result.actionItems[0], loaded, loaded.incident, loaded.snapshot.context.actionItems]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => {
      (loaded.incident.actionItems[0] as { title: string }).title = 'changed';
    }).toThrow(TypeError);
    expect((await engineOn(sqliteStore(connect())).get(id)).actionItems[0]?.title).toBe('Follow-up 0');
  });

  it('refuses a commit whose new action item repeats the key of a stored one, and writes nothing', async () => {
    const db = connect();
    const store = sqliteStore(db);
    const id = await withItems(engineOn(store), 2);
    const stored = (await store.load(TENANT, id))!;
    const note = await builder.note(stored, 'duplicate');
    const [first] = stored.incident.actionItems;
    const actionItems = [...stored.incident.actionItems, { ...first!, title: 'Copy' }];
    const error = await store
      .commit({ ...note, incident: { ...note.incident, actionItems }, snapshot: { ...note.snapshot, context: { ...note.snapshot.context, actionItems } } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ADAPTER_FAILED' });
    expect((await store.load(TENANT, id))?.incident.version).toBe(stored.incident.version);
    expect(itemRows(db)).toHaveLength(2);
  });
});

describe('sqliteStore migration 5', () => {
  it('moves the action items of projections written before they had rows into rows, in their order', async () => {
    const db = connect();
    const engine = engineOn(sqliteStore(db));
    const id = await withItems(engine, 12);
    const before = await engine.updateActionItem(id, { actionItemId: (await engine.get(id)).actionItems[4]?.id ?? '', status: 'done', actor });
    const other = await withItems(engine, 2);
    const otherBefore = await engine.get(other);
    // As schema 4 left it: the action items inside the projection and the snapshot, no item rows.
    // The second incident's context holds a copy that differs (never written by the engine): it keeps its own.
    const every = `(SELECT json_group_array(json(body)) FROM (SELECT body FROM incidentkit_incident_items i WHERE i.incident_id = incidentkit_incidents.id ORDER BY position))`;
    db.exec(`UPDATE incidentkit_incidents SET
        incident = json_set(incident, '$.actionItems', json(${every})),
        snapshot = json_set(snapshot, '$.context.actionItems', CASE WHEN id = '${other}' THEN json('[]') ELSE json(${every}) END);
      DROP TABLE incidentkit_incident_items; DROP TABLE incidentkit_records; DELETE FROM incidentkit_migrations WHERE version >= 5`);

    const store = sqliteStore(connect());
    expect(db.prepare('SELECT max(version) AS v FROM incidentkit_migrations').get()).toEqual({ v: 7 });
    const upgraded = engineOn(store, 'u');
    expect(await upgraded.get(id)).toEqual(before);
    expect(await upgraded.verifyTimeline(id)).toEqual({ ok: true });
    expect(itemRows(db).filter((r) => (r.body as { id: string }).id.length > 0)).toHaveLength(14);
    const row = db.prepare<[string], { incident: string; snapshot: string }>('SELECT incident, snapshot FROM incidentkit_incidents WHERE id = ?').get(id);
    expect(JSON.parse(row?.incident ?? '{}')).not.toHaveProperty('actionItems');
    expect(JSON.parse(row?.snapshot ?? '{}')).not.toHaveProperty(['context', 'actionItems']);
    const otherStored = await store.load(TENANT, other);
    expect(otherStored?.incident).toEqual(otherBefore);
    expect(otherStored?.snapshot.context.actionItems).toEqual([]);
    // Commands go on from the migrated rows.
    const next = await upgraded.addActionItem(id, { title: 'After the upgrade', actor });
    expect(next.actionItems.map((item) => item.id)).toEqual([...before.actionItems.map((item) => item.id), next.actionItems.at(-1)?.id]);
    expect(await engineOn(sqliteStore(connect())).get(id)).toEqual(next);
  });
});
