/**
 * The SQLite store's statements read through indexes: `EXPLAIN QUERY PLAN` of every statement it
 * prepares (each list shape included) on a populated database, before and after `ANALYZE`, must
 * not scan one of its tables, and every list page must be read in index order (a seek that stops
 * after the page, not a sort of every match). The statements of versioned records likewise.
 */
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { allListShapes, listShapeKey, type ListShape } from '../../src/storage/sql/listPlan.js';
import { sqliteRecordStatements, type SqliteRecordStatements } from '../../src/storage/sql/sqliteRecords.js';
import { sqliteStatements, type SqliteStatements } from '../../src/storage/sql/sqliteStatements.js';
import { sqliteStore } from '../../src/storage/sqlite.js';

const PREFIX = 'incidentkit_';
const TENANTS = 3;
const PER_TENANT = 4_000;
const STATUSES = ['triage', 'responding', 'mitigated', 'resolved', 'postIncident', 'closed', 'canceled'];
const at = (i: number): string => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();

/** Fills every table of the store with a spread of tenants, statuses, severities and services. */
function populate(db: Database.Database): void {
  const incident = db.prepare(
    `INSERT INTO ${PREFIX}incidents (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
     VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, '{"alerts":[]}', '{}', '')`,
  );
  const key = db.prepare(`INSERT INTO ${PREFIX}open_keys (tenant_id, dedup_key, own, incident_id) VALUES (?, ?, ?, ?)`);
  const alert = db.prepare(`INSERT INTO ${PREFIX}alerts (tenant_id, incident_id, position, fingerprint, dedup_key, is_open, alert) VALUES (?, ?, ?, ?, ?, ?, '{}')`);
  const item = db.prepare(
    `INSERT INTO ${PREFIX}incident_items (tenant_id, incident_id, collection, item_key, position, body) VALUES (?, ?, 'actionItems', ?, ?, '{}')`,
  );
  const event = db.prepare(`INSERT INTO ${PREFIX}events (tenant_id, incident_id, seq, id, type, at, actor, data, hash) VALUES (?, ?, 1, ?, 'DECLARED', ?, '{}', '{}', '')`);
  const timer = db.prepare(`INSERT INTO ${PREFIX}timers (tenant_id, incident_id, timer_id, due_at, event) VALUES (?, ?, 'escalate', ?, '{}')`);
  const outbox = db.prepare(
    `INSERT INTO ${PREFIX}outbox (tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, state)
     VALUES (?, ?, ?, 'slack', ?, '{}', ?, 0, ?)`,
  );
  const record = db.prepare(
    `INSERT INTO ${PREFIX}records (tenant_id, kind, id, version, value, at, actor, is_current) VALUES (?, ?, ?, ?, ?, ?, '{}', ?)`,
  );
  db.transaction(() => {
    // Records of two kinds, five versions each; every seventh deleted (its newest version a tombstone).
    for (let n = 0; n < TENANTS * PER_TENANT; n += 1) {
      for (let v = 1; v <= 5; v += 1) {
        record.run(`tenant_${String(n % TENANTS)}`, n % 2 === 0 ? 'schedule' : 'routingRule', `rec_${String(n)}`, v, v === 5 && n % 7 === 0 ? null : '{}', at(n + v), v === 5 ? 1 : 0);
      }
    }
    for (let n = 0; n < TENANTS * PER_TENANT; n += 1) {
      const tenant = `tenant_${String(n % TENANTS)}`;
      const id = `inc_${String(n)}`;
      const status = STATUSES[n % STATUSES.length] ?? 'triage';
      const open = status !== 'closed' && status !== 'canceled';
      incident.run(tenant, id, status, open ? 1 : 0, `SEV${String(n % 4)}`, n % 3 === 0 ? null : `service_${String(n % 40)}`, `key_${String(n)}`, at(n));
      if (open) {
        key.run(tenant, `key_${String(n)}`, 1, id);
        key.run(tenant, `alert_${String(n)}`, 0, id);
      }
      for (let p = 0; p < 3; p += 1) alert.run(tenant, id, p, `fp_${String(p)}`, p === 0 ? `alert_${String(n)}` : `alert_${String(n)}_${String(p)}`, open ? 1 : 0);
      for (let p = 0; p < 5; p += 1) item.run(tenant, id, `ai_${String(p)}`, p);
      event.run(tenant, id, `evt_${String(n)}`, at(n));
      if (open) timer.run(tenant, id, at(n + 30));
      outbox.run(tenant, `msg_${String(n)}`, id, `idem_${String(n)}`, at(n), n % 10 === 0 ? 'dead' : n % 2 === 0 ? 'delivered' : 'pending');
    }
  })();
}

/** Plausible values for a statement's parameters (named `@x`, or positional `?`). */
function bindings(sql: string): unknown[] {
  const named = [...new Set([...sql.matchAll(/@(\w+)/g)].map((match) => match[1] ?? ''))];
  if (named.length > 0) {
    const sample: Record<string, unknown> = {
      tenantId: 'tenant_1',
      limit: 51,
      status: '["triage","resolved"]',
      severity: '["SEV1","SEV2"]',
      service: '["service_1","service_2"]',
      value: 'SEV1',
      from: at(100),
      beforeAt: at(9_000),
      beforeId: 'inc_9000',
      now: at(5_000),
    };
    return [Object.fromEntries(named.map((name) => [name, sample[name] ?? 'x']))];
  }
  return Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 'tenant_1');
}

function planOf(db: Database.Database, sql: string): string[] {
  return db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...bindings(sql))
    .map((row) => row.detail);
}

/** Plan lines that read a whole table (or a whole index of it): any SCAN but the bound list of values (json_each). */
const fullScans = (plan: readonly string[]): string[] => plan.filter((line) => line.startsWith('SCAN ') && !/^SCAN json_each\b/.test(line));

/** Plan lines that read every row of a tenant: a search whose only constraint is the tenant. */
const tenantScans = (plan: readonly string[]): string[] => plan.filter((line) => /^SEARCH .*\(tenant_id=\?\)$/.test(line));

/** What a list statement's plan must show besides reading in index order: its seek. */
function listSeekProblems(shape: ListShape, plan: readonly string[]): string[] {
  const search = plan.find((line) => line.startsWith(`SEARCH ${PREFIX}incidents `));
  if (search === undefined) return ['no index search of the incidents'];
  const problems: string[] = [];
  // A next page (or a detectedTo) starts where the range ends, inside the index.
  if (shape.before && !search.includes('(detected_at,id)<(?,?)')) problems.push('the end of the range is not an index constraint');
  // A filter value is an index constraint, or the open filter's partial index is read.
  const filtered = (['status', 'severity', 'service'] as const).some((filter) => shape[filter] === 'one' || shape.seek === filter);
  const byValue = /\b(status|severity|service)=\?/.test(search);
  const byOpen = shape.open !== undefined && search.includes(`INDEX ${PREFIX}incidents_${shape.open ? 'open' : 'closed'} `);
  if (filtered && !byValue && !byOpen) problems.push('no filter is an index constraint');
  if (!filtered && shape.open !== undefined && !byOpen) problems.push('the open filter does not read its partial index');
  return problems;
}


describe.each([
  ['without statistics', false],
  ['after ANALYZE', true],
])('sqliteStore query plans on a populated database, %s', (_label, analyze) => {
  let db: Database.Database;
  let statements: SqliteStatements;
  beforeAll(() => {
    db = new Database(':memory:');
    sqliteStore(db);
    populate(db);
    if (analyze) db.exec('ANALYZE');
    statements = sqliteStatements(db, PREFIX);
    return () => {
      db.close();
    };
  });

  it('recognises full and tenant-wide scans in this SQLite version\'s plans', () => {
    expect(fullScans(planOf(db, `SELECT id FROM ${PREFIX}incidents WHERE last_hash = ?`))).toEqual([expect.stringMatching(/^SCAN incidentkit_incidents/)]);
    expect(tenantScans(planOf(db, `SELECT id FROM ${PREFIX}incidents WHERE tenant_id = ? AND last_hash = ?`))).toHaveLength(1);
  });

  it('reads every hot path through an index: load, findOpenByDedupKey, commits, claims, the open keys, alert and item rows', () => {
    const hot = [
      'load',
      'openByDedupKey',
      'openVersionByDedupKey',
      'updateIncident',
      'heldAlertKeys',
      'handOverKey',
      'releaseKeys',
      'ownKeyHolder',
      'claimTimers',
      'claimOutbox',
      'upsertAlert',
      'closeAlerts',
      'alerts',
      'alert',
      'counters',
      'signalTotal',
      'items',
      'itemsOf',
      'addItem',
      'changeItem',
      'removeItem',
      'moveItem',
      'keepItems',
    ] as const;
    const prepared = Object.entries(statements).flatMap(([name, statement]) =>
      typeof statement === 'function' ? [] : [[name, (statement as { source: string }).source] as const],
    );
    expect(prepared.map(([name]) => name)).toEqual(expect.arrayContaining([...hot]));
    const scanning = prepared.flatMap(([name, sql]) => {
      const plan = planOf(db, sql);
      const scans = [...fullScans(plan), ...tenantScans(plan)];
      return scans.length === 0 ? [] : [`${name}: ${plan.join('; ')}`];
    });
    expect(scanning).toEqual([]);
    expect(planOf(db, statements.openByDedupKey.source)).toEqual([
      expect.stringMatching(/^SEARCH k USING PRIMARY KEY \(tenant_id=\? AND dedup_key=\?\)$/),
      expect.stringMatching(/^SEARCH i USING INDEX sqlite_autoindex_incidentkit_incidents_1 \(tenant_id=\? AND id=\?\)$/),
    ]);
  });

  it('reads and writes versioned records through indexes, pages and history in index order', () => {
    const key = ['tenant_1', 'schedule', 'rec_4'];
    const samples: Record<keyof SqliteRecordStatements, readonly unknown[]> = {
      current: key,
      atVersion: [...key, 3],
      list: ['tenant_1', 'schedule', 'rec_400', 51],
      history: [...key, 2, 10],
      version: key,
      supersede: [...key, 5],
      insert: [...key, 6, '{}', at(0), '{}'],
    };
    const records = sqliteRecordStatements(db, PREFIX);
    const problems = Object.entries(records).flatMap(([name, statement]) => {
      const values = samples[name as keyof SqliteRecordStatements];
      const plan = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${(statement as { source: string }).source}`).all(...values).map((row) => row.detail);
      const bad = [...fullScans(plan), ...tenantScans(plan), ...plan.filter((line) => line.includes('TEMP B-TREE'))];
      return bad.length === 0 ? [] : [`${name}: ${plan.join('; ')}`];
    });
    expect(problems).toEqual([]);
    expect(Object.keys(records).sort()).toEqual(Object.keys(samples).sort());
  });

  it('seeks every list page, first and next, for every combination of filters', () => {
    const shapes = allListShapes();
    expect(shapes).toHaveLength(3 ** 3 * 3 * 4);
    const bad = shapes.flatMap((shape) => {
      const plan = planOf(db, statements.list(shape).source);
      const problems = [
        ...fullScans(plan),
        ...plan.filter((line) => line.includes('TEMP B-TREE FOR ORDER BY')),
        ...listSeekProblems(shape, plan),
      ];
      return problems.length === 0 ? [] : [`${listShapeKey(shape)}: ${problems.join(', ')} in ${plan.join('; ')}`];
    });
    expect(bad).toEqual([]);
  });
});
