/**
 * What is particular to the SQLite store: migrations, the table prefix, configuration errors,
 * several connections on one WAL file, error wrapping, and the rows it writes.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { isIncidentKitError } from '../../src/errors.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { Commit, StorageAdapter } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { thrown } from '../helpers.js';

const actor = { id: 'u_alice', name: 'Alice' };

/** The commit an engine command would write to `store`, without writing it. */
async function captureCommit(store: StorageAdapter, run: (engine: IncidentEngine) => Promise<unknown>): Promise<Commit> {
  let captured: Commit | undefined;
  const engine = createIncidentEngine({ store: { ...store, commit: (c) => Promise.resolve(void (captured = c)) }, clock: createManualClock() });
  await run(engine);
  if (captured === undefined) throw new Error('no commit captured');
  return captured;
}

function engineOn(db: Database.Database, options: Parameters<typeof sqliteStore>[1] = {}) {
  const clock = createManualClock('2026-05-01T09:00:00.000Z');
  return createIncidentEngine({ store: sqliteStore(db, options), clock, ids: sequentialIds(options.tablePrefix ?? '') });
}

let dir = '';
const open: Database.Database[] = [];
function database(name = ':memory:'): Database.Database {
  const db = new Database(name === ':memory:' ? name : join(dir, name));
  open.push(db);
  return db;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'incidentkit-sqlite-'));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sqliteStore migrations', () => {
  it('creates its tables once and records the schema version; opening again changes nothing', async () => {
    const db = database('incidents.sqlite');
    const incident = await engineOn(db).declare({ title: 'Disk full', severity: 'SEV3', actor });
    sqliteStore(db);
    sqliteStore(db);
    expect(db.prepare('SELECT version, name FROM incidentkit_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: 'create incidents, events, timers and outbox' },
      { version: 2, name: 'signal counters and firing windows' },
    ]);
    expect(await engineOn(db).get(incident.id)).toEqual(incident);
  });

  it('upgrades a database at an older schema version and keeps its data', async () => {
    const db = database();
    const incident = await engineOn(db).declare({ title: 'Before the upgrade', severity: 'SEV3', actor });
    // Roll the schema back to version 1, as an older incidentkit left it.
    db.exec('DROP TABLE incidentkit_signal_counts; DROP TABLE incidentkit_firings; DELETE FROM incidentkit_migrations WHERE version = 2');
    const store = sqliteStore(db);
    expect(db.prepare('SELECT max(version) AS v FROM incidentkit_migrations').get()).toEqual({ v: 2 });
    expect(await store.countFirings('default', 'k', '2026-05-01T09:00:00.000Z', '2026-05-01T08:00:00.000Z')).toBe(1);
    expect((await store.load('default', incident.id))?.incident).toEqual(incident);
  });

  it('lets two connections to one file migrate and then share the data', async () => {
    const first = database('shared.sqlite');
    const second = database('shared.sqlite');
    for (const db of [first, second]) db.pragma('journal_mode = WAL');
    const a = engineOn(first);
    const b = engineOn(second);
    const incident = await a.declare({ title: 'Shared', severity: 'SEV2', actor });
    expect((await b.get(incident.id)).title).toBe('Shared');
    expect(first.prepare('SELECT count(*) AS n FROM incidentkit_migrations').get()).toEqual({ n: 2 });
  });

  it('refuses a database migrated by a newer incidentkit', () => {
    const db = database();
    sqliteStore(db);
    db.prepare("INSERT INTO incidentkit_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
    const error = thrown(() => sqliteStore(db));
    expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.message).toMatch(/schema version 99.*upgrade incidentkit/);
  });
});

describe('sqliteStore options', () => {
  it('prefixes every table, so stores with different prefixes keep their data apart', async () => {
    const db = database();
    const ops = engineOn(db, { tablePrefix: 'ops_' });
    const safety = engineOn(db, { tablePrefix: 'safety_' });
    const outage = await ops.declare({ title: 'Outage', severity: 'SEV1', actor });
    await safety.declare({ title: 'Medication error', severity: 'SEV2', actor });
    expect((await ops.list()).items.map((i) => i.title)).toEqual(['Outage']);
    expect((await safety.list()).items.map((i) => i.title)).toEqual(['Medication error']);
    expect(await safety.list({ status: 'triage' })).not.toEqual(await ops.list({ status: 'triage' }));
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const kinds = ['events', 'firings', 'incidents', 'migrations', 'outbox', 'signal_counts', 'timers'];
    expect(tables.map((t) => t.name)).toEqual([...kinds.map((k) => `ops_${k}`), ...kinds.map((k) => `safety_${k}`)]);
    expect((await ops.get(outage.id)).id).toBe(outage.id);
  });

  it.each(['', 'bad-prefix', 'x; DROP TABLE users; --', '1abc', 'a'.repeat(41)])('refuses the table prefix %j with ConfigError', (tablePrefix) => {
    const error = thrown(() => sqliteStore(database(), { tablePrefix }));
    expect(isIncidentKitError(error, 'CONFIG_INVALID') && error.details).toMatchObject({ subject: 'sqliteStore', issues: [{ path: ['tablePrefix'] }] });
  });

  it('refuses something that is not an open better-sqlite3 database with ConfigError', () => {
    const closed = database();
    closed.close();
    for (const db of [closed, {}, null]) {
      const error = thrown(() => sqliteStore(db as Database.Database));
      expect(isIncidentKitError(error, 'CONFIG_INVALID') && error.message).toMatch(/open better-sqlite3 Database/);
    }
  });
});

describe('sqliteStore on a WAL file with several connections', () => {
  it('keeps the version check across connections: one of two stale writers loses', async () => {
    const first = database('wal.sqlite');
    first.pragma('journal_mode = WAL');
    const second = database('wal.sqlite');
    const a = sqliteStore(first);
    const b = sqliteStore(second);
    const engine = createIncidentEngine({ store: a, clock: createManualClock(), ids: sequentialIds('a_') });
    const incident = await engine.declare({ title: 'Latency', severity: 'SEV3', actor });
    // Each connection computes a note from version 1; the first write wins, the second is stale.
    const fromA = await captureCommit(a, (e) => e.addNote(incident.id, { text: 'from a', actor }));
    const fromB = await captureCommit(b, (e) => e.addNote(incident.id, { text: 'from b', actor }));
    await a.commit(fromA);
    const error = await thrown(() => b.commit(fromB));
    expect(isIncidentKitError(error, 'VERSION_CONFLICT') && error.details).toEqual({ tenantId: 'default', incidentId: incident.id, expected: 1, actual: 2 });
    expect((await b.events('default', incident.id)).map((e) => e.data)).toEqual([expect.anything(), { text: 'from a' }]);
    expect(first.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('reports a locked database as AdapterError with advice, without SQL text or values', async () => {
    const first = database('locked.sqlite');
    first.pragma('journal_mode = WAL');
    const second = database('locked.sqlite');
    second.pragma('busy_timeout = 0');
    sqliteStore(first);
    const engine = createIncidentEngine({ store: sqliteStore(second), clock: createManualClock() });
    first.exec('BEGIN IMMEDIATE');
    const error = await thrown(() => engine.declare({ title: 'secret-title-value', severity: 'SEV3', actor }));
    first.exec('ROLLBACK');
    expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.details).toEqual({ adapter: 'sqlite', operation: 'commit' });
    const message = error instanceof Error ? error.message : '';
    expect(message).toMatch(/locked by another connection.*WAL.*SQLITE_BUSY/);
    expect(message).not.toMatch(/INSERT|SELECT|secret-title-value/);
  });

  it('reports a closed database as AdapterError from every read', async () => {
    const db = database();
    const store = sqliteStore(db);
    db.close();
    const error = await thrown(() => store.load('default', 'inc_1'));
    expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.details).toEqual({ adapter: 'sqlite', operation: 'load' });
  });
});

describe('sqliteStore rows', () => {
  it('stores times as the exact ISO text and JSON as text, one row per event', async () => {
    const db = database();
    const engine = engineOn(db);
    const incident = await engine.declare({ title: 'Büro 🔥', severity: 'SEV3', fields: { nested: { list: [1, 'two'] } }, actor });
    await engine.addNote(incident.id, { text: 'שלום', actor });
    const row = db.prepare('SELECT detected_at, status, is_open, incident FROM incidentkit_incidents').get() as Record<string, unknown>;
    expect(row).toMatchObject({ detected_at: '2026-05-01T09:00:00.000Z', status: 'triage', is_open: 1 });
    expect(JSON.parse(String(row.incident))).toEqual(await engine.get(incident.id));
    const events = db.prepare('SELECT seq, at, data FROM incidentkit_events ORDER BY seq').all();
    expect(events).toEqual([
      expect.objectContaining({ seq: 1, at: '2026-05-01T09:00:00.000Z' }),
      { seq: 2, at: '2026-05-01T09:00:00.000Z', data: JSON.stringify({ text: 'שלום' }) },
    ]);
  });

  it('enforces one open incident per dedup key with a partial unique index', () => {
    const db = database();
    sqliteStore(db);
    const index = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'incidentkit_incidents_open_dedup_key'").get();
    expect(index?.sql).toMatch(/CREATE UNIQUE INDEX .* WHERE dedup_key IS NOT NULL AND is_open = 1/s);
  });

  it('refuses a commit whose times are not canonical ISO strings, and writes nothing', async () => {
    const db = database();
    const store = sqliteStore(db);
    const commit = await captureCommit(store, (engine) => engine.declare({ title: 'Clock skew', severity: 'SEV3', actor }));
    const skewed = { ...commit, events: commit.events.map((e) => ({ ...e, at: '2026-01-01T00:00:00Z' })) };
    const error = await thrown(() => store.commit(skewed));
    expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.message).toMatch(/events\[0\]\.at must be a UTC timestamp as Date#toISOString\(\) writes it/);
    expect(db.prepare('SELECT count(*) AS n FROM incidentkit_incidents').get()).toEqual({ n: 0 });
  });
});
