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
import type { JsonValue } from '../../src/model/primitives.js';
import { parseSignal } from '../../src/model/signal.js';
import { projectionRow } from '../../src/storage/sql/projectionRow.js';
import { SQLITE_MIGRATIONS } from '../../src/storage/sql/sqliteMigrations.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { Commit, StorageAdapter } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { commitBuilder } from '../../src/testing/storageContract/commitBuilder.js';
import { alert, OTHER_TENANT, stateOf, t, TENANT, withAlerts } from '../../src/testing/storageContract/fixtures.js';
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

const builder = commitBuilder();

/**
 * Makes `db` a database as an older incidentkit left it: the schema of the first `version`
 * migrations, recorded as applied, holding `commits` as that version wrote them (the projection
 * row and the events; versions 1 to 4 wrote them alike, with the action items in the projection
 * and the snapshot).
 */
function databaseAt(db: Database.Database, version: number, commits: readonly Commit[]): void {
  const prefix = 'incidentkit_';
  db.exec(`CREATE TABLE "${prefix}migrations" (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  for (const migration of SQLITE_MIGRATIONS.slice(0, version)) {
    db.exec(migration.sql(prefix));
    db.prepare(`INSERT INTO "${prefix}migrations" VALUES (?, ?, '2026-01-01T00:00:00.000Z')`).run(migration.version, migration.name);
  }
  for (const commit of commits) {
    const [version_, status, open, severity, service, dedupKey, detectedAt, , , lastHash] = projectionRow(commit, (o) => (o ? 1 : 0));
    const [incident, snapshot] = [JSON.stringify(commit.incident), JSON.stringify(commit.snapshot)];
    db.prepare(`INSERT INTO "${prefix}incidents" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      commit.tenantId, commit.incidentId, version_, status, open, severity, service, dedupKey, detectedAt, incident, snapshot, lastHash ?? '',
    );
    for (const e of commit.events) {
      db.prepare(`INSERT INTO "${prefix}events" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        commit.tenantId, commit.incidentId, e.seq, e.id, e.type, e.at, JSON.stringify(e.actor), JSON.stringify(e.data), e.hash,
      );
    }
  }
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
      { version: 3, name: 'open dedup keys and list indexes' },
      { version: 4, name: 'alerts as rows, signal totals; projections carry the newest 100 alerts' },
      { version: 5, name: 'action items as rows' },
      { version: 6, name: 'versioned records' },
      { version: 7, name: 'incidents by dedup key' },
    ]);
    expect(await engineOn(db).get(incident.id)).toEqual(incident);
  });

  it('upgrades a database created at schema version 1 and keeps its data', async () => {
    const db = database();
    const declared = await builder.declare({ id: 'inc_old', dedupKey: 'disk-full/db-1' });
    databaseAt(db, 1, [declared]);
    const store = sqliteStore(db);
    expect(db.prepare('SELECT version FROM incidentkit_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }, { version: 7 }]);
    expect(await store.countFirings('default', 'k', '2026-05-01T09:00:00.000Z', '2026-05-01T08:00:00.000Z')).toBe(1);
    expect((await store.load(TENANT, 'inc_old'))?.incident).toEqual(declared.incident);
    expect((await store.findOpenByDedupKey(TENANT, 'disk-full/db-1'))?.id).toBe('inc_old');
  });

  it('backfills the open dedup keys of a database created at schema version 2', async () => {
    const db = database();
    // Two open incidents share the alert key 'shared'; the older one (by detectedAt) gets it.
    const older = withAlerts(await builder.declare({ id: 'inc_older', dedupKey: 'own/a', at: t(1000) }), [alert('fp1', 'own/a'), alert('fp2', 'shared')]);
    const newer = withAlerts(await builder.declare({ id: 'inc_newer', dedupKey: 'own/b', at: t(2000) }), [alert('fp3', 'shared'), alert('fp4', 'only/b')]);
    const canceled = await builder.next(
      stateOf(withAlerts(await builder.declare({ id: 'inc_canceled', dedupKey: 'own/c', at: t(500) }), [alert('fp5', 'shared')])),
      t(3000),
      (engine, id) => engine.cancel(id, { reason: 'declined', actor }),
    );
    const elsewhere = await builder.declare({ id: 'inc_elsewhere', tenantId: OTHER_TENANT, dedupKey: 'own/a' });
    databaseAt(db, 2, [newer, older, canceled, elsewhere]);
    const store = sqliteStore(db);
    expect(db.prepare('SELECT tenant_id, dedup_key, own, incident_id FROM incidentkit_open_keys ORDER BY tenant_id, dedup_key, own').all()).toEqual([
      { tenant_id: TENANT, dedup_key: 'only/b', own: 0, incident_id: 'inc_newer' },
      { tenant_id: TENANT, dedup_key: 'own/a', own: 0, incident_id: 'inc_older' },
      { tenant_id: TENANT, dedup_key: 'own/a', own: 1, incident_id: 'inc_older' },
      { tenant_id: TENANT, dedup_key: 'own/b', own: 1, incident_id: 'inc_newer' },
      { tenant_id: TENANT, dedup_key: 'shared', own: 0, incident_id: 'inc_older' },
      { tenant_id: OTHER_TENANT, dedup_key: 'own/a', own: 1, incident_id: 'inc_elsewhere' },
    ]);
    expect((await store.findOpenByDedupKey(TENANT, 'shared'))?.id).toBe('inc_older');
    expect((await store.findOpenByDedupKey(TENANT, 'only/b'))?.id).toBe('inc_newer');
    expect(await store.findOpenByDedupKey(TENANT, 'own/c')).toBeUndefined();
    // The backfilled own keys are enforced: a second open incident with one is refused, naming the holder.
    const error = await thrown(async () => store.commit(await builder.declare({ id: 'inc_again', dedupKey: 'own/b', at: t(4000) })));
    expect(isIncidentKitError(error, 'DUPLICATE_INCIDENT') && error.details).toEqual({ tenantId: TENANT, dedupKey: 'own/b', existingIncidentId: 'inc_newer' });
    await store.commit(await builder.declare({ id: 'inc_c2', dedupKey: 'own/c', at: t(4000) }));
    expect((await store.findOpenByDedupKey(TENANT, 'own/c'))?.id).toBe('inc_c2');
    // The layout of version 2 is gone: no partial unique index on the incidents any more.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'incidentkit_incidents_open_dedup_key'").all()).toEqual([]);
  });

  it('moves the alerts of projections written before alerts had rows into rows; the projection keeps the newest 100 and the counts', async () => {
    const db = database();
    const clock = createManualClock('2026-05-01T09:00:00.000Z');
    const engine = createIncidentEngine({ store: sqliteStore(db), clock, ids: sequentialIds(), ingest: { groupBy: ['alertname'], countWindowMs: 0 } });
    const signal = (i: number, status: 'firing' | 'resolved' = 'firing') =>
      parseSignal({ source: 'alertmanager', fingerprint: `fp_${String(i)}`, status, severity: 'SEV2', summary: `Replica ${String(i)}`, labels: { alertname: 'ReplicaDown' }, startsAt: '2026-05-01T09:00:00.000Z' });
    const [first] = await engine.ingest(Array.from({ length: 130 }, (_, i) => signal(i)));
    const id = first?.incident?.id ?? '';
    clock.advance(60_000);
    await engine.ingest([signal(0, 'resolved'), signal(1), signal(1)]);
    const before = await engine.get(id);
    // As schema 3 left it: every alert in the projection and snapshot, no counts, no alert rows.
    const every = `(SELECT json_group_array(json(alert)) FROM (SELECT alert FROM incidentkit_alerts ORDER BY position))`;
    db.exec(`UPDATE incidentkit_incidents SET
        incident = json_remove(json_set(incident, '$.alerts', json(${every})), '$.alertCount', '$.unresolvedAlertCount'),
        snapshot = json_remove(json_set(snapshot, '$.context.alerts', json(${every})), '$.context.alertCount', '$.context.unresolvedAlertCount');
      DROP TABLE incidentkit_alerts; DROP TABLE incidentkit_signal_totals; DELETE FROM incidentkit_migrations WHERE version >= 4;
      UPDATE incidentkit_incidents SET incident = json_set(incident, '$.actionItems', json('[]')), snapshot = json_set(snapshot, '$.context.actionItems', json('[]'));
      DROP TABLE incidentkit_incident_items; DROP TABLE incidentkit_records`);
    expect(db.prepare<[], { n: number }>("SELECT json_array_length(incident, '$.alerts') AS n FROM incidentkit_incidents").get()?.n).toBe(130);

    const upgraded = createIncidentEngine({ store: sqliteStore(db), clock, ids: sequentialIds('u'), ingest: { groupBy: ['alertname'], countWindowMs: 0 } });
    expect(await upgraded.get(id)).toEqual(before);
    expect([before.alertCount, before.unresolvedAlertCount, before.signalCount, before.alerts.length]).toEqual([130, 129, 132, 100]);
    expect(await upgraded.verifyTimeline(id)).toEqual({ ok: true });
    const all = (await upgraded.alerts(id, { limit: 1_000 })).items;
    expect(all.map((a) => a.fingerprint)).toEqual(Array.from({ length: 130 }, (_, i) => `fp_${String(i)}`));
    expect(all[1]).toMatchObject({ count: 3, status: 'firing' });
    // Old alerts keep their keys and their place.
    expect((await upgraded.ingest(signal(1, 'resolved'))).map((r) => [r.outcome, r.incident?.id])).toEqual([['resolved', id]]);
    expect((await upgraded.ingest(signal(130))).map((r) => r.outcome)).toEqual(['grouped']);
    expect((await upgraded.alerts(id, { limit: 1_000 })).items.map((a) => a.fingerprint).at(-1)).toBe('fp_130');
    expect(await upgraded.verifyTimeline(id)).toEqual({ ok: true });
  });

  it('lets two connections to one file migrate and then share the data', async () => {
    const first = database('shared.sqlite');
    const second = database('shared.sqlite');
    for (const db of [first, second]) db.pragma('journal_mode = WAL');
    const a = engineOn(first);
    const b = engineOn(second);
    const incident = await a.declare({ title: 'Shared', severity: 'SEV2', actor });
    expect((await b.get(incident.id)).title).toBe('Shared');
    expect(first.prepare('SELECT count(*) AS n FROM incidentkit_migrations').get()).toEqual({ n: 7 });
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
    const kinds = ['alerts', 'events', 'firings', 'incident_items', 'incidents', 'migrations', 'open_keys', 'outbox', 'records', 'signal_counts', 'signal_totals', 'timers'];
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
    // Action items are rows of their own: the projection's JSON leaves them out.
    const { actionItems, tasks, ...rest } = await engine.get(incident.id);
    expect(actionItems).toEqual([]);
    expect(tasks).toEqual([]);
    expect(JSON.parse(String(row.incident))).toEqual(rest);
    const events = db.prepare('SELECT seq, at, data FROM incidentkit_events ORDER BY seq').all();
    expect(events).toEqual([
      expect.objectContaining({ seq: 1, at: '2026-05-01T09:00:00.000Z' }),
      { seq: 2, at: '2026-05-01T09:00:00.000Z', data: JSON.stringify({ text: 'שלום' }) },
    ]);
  });

  it('keeps a row per dedup key an open incident holds in <prefix>open_keys, and none once it is closed', async () => {
    const db = database();
    const store = sqliteStore(db);
    const rows = () => db.prepare('SELECT dedup_key, own, incident_id FROM incidentkit_open_keys ORDER BY dedup_key, own').all();
    const declared = withAlerts(await builder.declare({ id: 'inc_1', dedupKey: 'own' }), [alert('fp1', 'own'), alert('fp2', 'grouped')]);
    await store.commit(declared);
    expect(rows()).toEqual([
      { dedup_key: 'grouped', own: 0, incident_id: 'inc_1' },
      { dedup_key: 'own', own: 0, incident_id: 'inc_1' },
      { dedup_key: 'own', own: 1, incident_id: 'inc_1' },
    ]);
    const resolved = await builder.next(stateOf(declared), t(1000), (engine, id) => engine.resolve(id, { actor }));
    await store.commit(resolved);
    expect(rows()).toHaveLength(3);
    await store.commit(await builder.next(stateOf(resolved, stateOf(declared)), t(2000), (engine, id) => engine.close(id, { actor })));
    expect(rows()).toEqual([]);
  });

  it('keeps every version of a record as a row of <prefix>records, only the newest flagged current, a tombstone with a NULL value', async () => {
    const db = database();
    const store = sqliteStore(db);
    const write = (expectedVersion: number, value: JsonValue) =>
      ({ tenantId: TENANT, kind: 'schedule', id: 'primary', expectedVersion, value, at: t(expectedVersion * 1000), actor: { kind: 'user', id: 'u_alice' } }) as const;
    await store.putRecord?.(write(0, { name: 'Primary' }));
    await store.putRecord?.(write(1, { name: 'Primary on-call' }));
    await store.putRecord?.(write(2, null));
    expect(isIncidentKitError(await thrown(() => store.putRecord?.(write(1, { name: 'stale' }))), 'VERSION_CONFLICT')).toBe(true);
    expect(db.prepare('SELECT version, value, at, actor, is_current FROM incidentkit_records ORDER BY version').all()).toEqual([
      { version: 1, value: '{"name":"Primary"}', at: t(0), actor: '{"kind":"user","id":"u_alice"}', is_current: 0 },
      { version: 2, value: '{"name":"Primary on-call"}', at: t(1000), actor: '{"kind":"user","id":"u_alice"}', is_current: 0 },
      { version: 3, value: null, at: t(2000), actor: '{"kind":"user","id":"u_alice"}', is_current: 1 },
    ]);
  });

  it('checks a record write itself, as requireRecords does, so a direct call cannot store what another store refuses', async () => {
    const db = database();
    const store = sqliteStore(db);
    const base = { tenantId: TENANT, kind: 'schedule', id: 'primary', expectedVersion: 0, at: t(0), actor: { kind: 'user', id: 'u_alice' } } as const;
    expect(isIncidentKitError(await thrown(() => store.putRecord?.({ ...base, value: { name: 'a\u0000b' } })), 'VALIDATION_FAILED')).toBe(true);
    expect(isIncidentKitError(await thrown(() => store.putRecord?.({ ...base, value: {}, at: '2026-01-01T00:00:00Z' })), 'VALIDATION_FAILED')).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM incidentkit_records').get()).toEqual({ n: 0 });
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

  it('refuses a commit without events (the version must move on with every change), and writes nothing', async () => {
    const db = database();
    const store = sqliteStore(db);
    const engine = createIncidentEngine({ store, clock: createManualClock('2026-05-01T09:00:00.000Z') });
    const incident = await engine.declare({ title: 'Cache keyed by version', severity: 'SEV3', actor });
    const stored = await store.load(incident.tenantId, incident.id);
    const retitled = { ...stored!.incident, title: 'Rewritten in place' };
    const error = await thrown(() =>
      store.commit({ tenantId: incident.tenantId, incidentId: incident.id, expectedVersion: incident.version, events: [], incident: retitled, snapshot: stored!.snapshot }),
    );
    expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.message).toMatch(/a commit carries at least one event/);
    expect((await engine.get(incident.id)).title).toBe('Cache keyed by version');
  });
});
