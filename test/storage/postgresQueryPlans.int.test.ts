/**
 * The PostgreSQL store's statements read through indexes: on tables with tens of thousands of
 * rows and fresh statistics (ANALYZE), `EXPLAIN (FORMAT JSON)` of every statement the store sends
 * (each list shape, each kind of commit and of record write included) shows no sequential scan of
 * a store table.
 *
 * Each statement is planned twice, as PostgreSQL plans a prepared statement: with its values
 * (`plan_cache_mode = force_custom_plan`) and without them (`force_generic_plan`), the plan a pool
 * connection may settle on after five executions. `enable_seqscan` is left on: the planner is free
 * to choose a scan, so a plan without one means the indexes are the cheaper path at this size.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeCursor } from '../../src/storage/cursor.js';
import { allListShapes, listShapeKey, planList, type ListShape } from '../../src/storage/sql/listPlan.js';
import type { CollectionWrite } from '../../src/storage/sql/incidentItems.js';
import { postgresCommits } from '../../src/storage/sql/postgresCommit.js';
import { postgresLists } from '../../src/storage/sql/postgresList.js';
import { postgresRecordStatements, postgresRecordWrites } from '../../src/storage/sql/postgresRecords.js';
import { postgresStatements } from '../../src/storage/sql/postgresStatements.js';
import { postgresStore } from '../../src/storage/postgres.js';
import type { Commit, ListQuery, RecordWrite } from '../../src/storage/types.js';
import { commitBuilder } from '../../src/testing/storageContract/commitBuilder.js';
import { alert, alice, message, stateOf, t, timer, withAlerts, withExtras } from '../../src/testing/storageContract/fixtures.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';

const postgres = inject('postgres');
const INCIDENTS = 30_000;
const TENANT = 'tenant_1';
const at = (minutes: number): string => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString();

/** A value as an untyped SQL literal, which EXECUTE converts to the parameter's type (arrays as array literals). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
  const text = (item: unknown): string => (typeof item === 'string' ? item : JSON.stringify(item));
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => (item === null ? 'NULL' : `"${text(item).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`));
    return quote(`{${items.join(',')}}`);
  }
  return quote(text(value));
}

/** Every node of a plan, as "Node Type on relation" lines. */
function planNodes(node: Record<string, unknown>): string[] {
  const relation = typeof node['Relation Name'] === 'string' ? ` on ${node['Relation Name']}` : '';
  const children = Array.isArray(node.Plans) ? (node.Plans as Record<string, unknown>[]) : [];
  return [`${String(node['Node Type'])}${relation}`, ...children.flatMap(planNodes)];
}

/** A list query of `shape`, with values that match some rows. */
function queryOf(shape: ListShape): ListQuery {
  const values = (one: string[], many: string[], arity: ListShape['status']): readonly string[] | undefined =>
    arity === 'one' ? one : arity === 'many' ? many : undefined;
  const query = {
    limit: 50,
    status: values(['triage'], ['triage', 'resolved'], shape.status) as ListQuery['status'],
    severity: values(['SEV1'], ['SEV1', 'SEV2'], shape.severity),
    service: values(['service_1'], ['service_1', 'service_2'], shape.service),
    open: shape.open,
    detectedFrom: shape.from ? at(4_000) : undefined,
    cursor: shape.before ? encodeCursor({ detectedAt: at(20_000), id: 'inc_20000' }) : undefined,
  };
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as unknown as ListQuery;
}

describe.skipIf(postgres.url === null)(`postgresStore query plans${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  const schema = `ik_plans_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const s = `"${schema}"`;
  let pool: pg.Pool;
  let client: pg.PoolClient;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 2 });
    await postgresStore(pool, { schema }).migrate();
    // Three tenants, seven statuses, four severities, forty services (a third without), 1 KiB projections.
    await pool.query(`
      INSERT INTO ${s}.incidentkit_incidents (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
      SELECT 'tenant_' || (n % 3), 'inc_' || n, 1, x.status, x.status NOT IN ('closed', 'canceled'), 'SEV' || (n % 4),
        CASE WHEN n % 3 = 0 THEN NULL ELSE 'service_' || (n % 40) END, 'key_' || n,
        timestamptz '2026-01-01 00:00Z' + n * interval '1 minute',
        jsonb_build_object('id', 'inc_' || n, 'alerts', '[]'::jsonb, 'summary', repeat('x', 1000)), '{}'::jsonb, ''
      FROM generate_series(0, ${String(INCIDENTS - 1)}) AS n,
        LATERAL (SELECT (ARRAY['triage', 'responding', 'mitigated', 'resolved', 'postIncident', 'closed', 'canceled'])[1 + n % 7] AS status) x;
      INSERT INTO ${s}.incidentkit_open_keys (tenant_id, dedup_key, own, incident_id)
        SELECT tenant_id, dedup_key, true, id FROM ${s}.incidentkit_incidents WHERE is_open
        UNION ALL SELECT tenant_id, 'alert_' || id, false, id FROM ${s}.incidentkit_incidents WHERE is_open;
      INSERT INTO ${s}.incidentkit_events (tenant_id, incident_id, seq, id, type, at, actor, data, hash)
        SELECT tenant_id, id, 1, 'evt_' || id, 'DECLARED', detected_at, '{}', '{}', '' FROM ${s}.incidentkit_incidents;
      INSERT INTO ${s}.incidentkit_timers (tenant_id, incident_id, timer_id, due_at, event)
        SELECT tenant_id, id, 'escalation', detected_at + interval '30 minutes', '{}' FROM ${s}.incidentkit_incidents WHERE is_open;
      INSERT INTO ${s}.incidentkit_outbox (tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, state)
        SELECT tenant_id, 'msg_' || id, id, 'slack', 'idem_' || id, '{}', detected_at, 0,
          (ARRAY['pending', 'delivered', 'delivered', 'delivered', 'dead'])[1 + (hashtext(id) & 4)]
        FROM ${s}.incidentkit_incidents;
      INSERT INTO ${s}.incidentkit_signal_counts (tenant_id, incident_id, fingerprint, count, last_seen_at)
        SELECT tenant_id, id, 'fp', 3, detected_at FROM ${s}.incidentkit_incidents WHERE is_open;
      INSERT INTO ${s}.incidentkit_signal_totals (tenant_id, incident_id, count)
        SELECT tenant_id, id, 3 FROM ${s}.incidentkit_incidents WHERE is_open;
      INSERT INTO ${s}.incidentkit_incident_items (tenant_id, incident_id, collection, item_key, position, body)
        SELECT tenant_id, id, 'actionItems', 'ai_' || p, p, '{}' FROM ${s}.incidentkit_incidents, generate_series(0, 4) AS p;
      INSERT INTO ${s}.incidentkit_alerts (tenant_id, incident_id, position, fingerprint, dedup_key, is_open, alert)
        SELECT tenant_id, id, p, 'fp_' || p, CASE WHEN p = 0 THEN 'alert_' || id ELSE 'alert_' || id || '_' || p END, is_open, '{}'
        FROM ${s}.incidentkit_incidents, generate_series(0, 2) AS p;
      -- Records of two kinds, five versions each; every seventh deleted (its newest version a tombstone).
      INSERT INTO ${s}.incidentkit_records (tenant_id, kind, id, version, value, at, actor, is_current)
        SELECT 'tenant_' || (n % 3), CASE WHEN n % 2 = 0 THEN 'schedule' ELSE 'routingRule' END, 'rec_' || n, v,
          CASE WHEN v = 5 AND n % 7 = 0 THEN NULL ELSE jsonb_build_object('n', n, 'body', repeat('x', 200)) END,
          timestamptz '2026-01-01 00:00Z' + (n + v) * interval '1 minute', '{}', v = 5
        FROM generate_series(0, ${String(INCIDENTS - 1)}) AS n, generate_series(1, 5) AS v;
      ANALYZE ${s}.incidentkit_incidents, ${s}.incidentkit_open_keys, ${s}.incidentkit_events, ${s}.incidentkit_timers,
        ${s}.incidentkit_outbox, ${s}.incidentkit_signal_counts, ${s}.incidentkit_signal_totals, ${s}.incidentkit_alerts,
        ${s}.incidentkit_incident_items,
        ${s}.incidentkit_records;
    `);
    client = await pool.connect();
  });

  afterAll(async () => {
    client.release();
    await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await pool.end();
    markPostgresSuiteRan('postgresQueryPlans.int');
  });

  let prepared = 0;
  /** The sequential scans of store tables in the custom and the generic plan of `text` with `values`. */
  async function seqScans(text: string, values: readonly unknown[]): Promise<string[]> {
    const found: string[] = [];
    for (const mode of ['force_custom_plan', 'force_generic_plan']) {
      prepared += 1;
      const name = `plan_check_${String(prepared)}`;
      await client.query(`SET plan_cache_mode = ${mode}`);
      await client.query(`PREPARE ${name} AS ${text}`);
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
          `EXPLAIN (FORMAT JSON) EXECUTE ${name}(${values.map(literal).join(', ')})`,
        );
        const nodes = planNodes(rows[0]?.['QUERY PLAN'][0].Plan ?? {});
        found.push(...nodes.filter((node) => node.startsWith("Seq Scan on incidentkit_")).map((node) => `${mode}: ${node} in ${nodes.join(' > ')}`));
      } finally {
        await client.query(`DEALLOCATE ${name}`);
        await client.query('RESET plan_cache_mode');
      }
    }
    return found;
  }

  it('recognises a sequential scan in a plan', async () => {
    expect(await seqScans(`SELECT id FROM ${s}.incidentkit_incidents WHERE last_hash = $1`, ['x'])).toEqual([
      expect.stringMatching(/^force_custom_plan: Seq Scan on incidentkit_incidents/),
      expect.stringMatching(/^force_generic_plan: Seq Scan on incidentkit_incidents/),
    ]);
  });

  it('reads through indexes in load, findOpenByDedupKey, the claims and every other single statement', async () => {
    const now = at(10_000);
    const samples: Record<keyof ReturnType<typeof postgresStatements>, readonly unknown[]> = {
      version: [TENANT, 'inc_1'],
      load: [TENANT, 'inc_1', 3],
      events: [TENANT, 'inc_1', 0, 100],
      openByDedupKey: [TENANT, 'key_4'],
      openVersionByDedupKey: [TENANT, 'key_4'],
      latestByDedupKey: [TENANT, 'key_4'],
      ownKeyHolder: [TENANT, 'key_4'],
      alerts: [TENANT, 'inc_1', -1, 101],
      alert: [TENANT, 'inc_1', 'fp_1'],
      recordSignals: [TENANT, '[{"incident_id":"inc_1","fingerprint":"fp","count":1,"last_seen_at":"2026-01-01T00:00:00.000Z"}]'],
      countFirings: [TENANT, 'key', now, at(9_000)],
      claimTimers: [TENANT, now, 10, 'worker', at(10_001)],
      completeTimer: [TENANT, 'inc_1', 'escalation', now, 'worker', at(10_001)],
      claimOutbox: [TENANT, now, 10, 'worker', at(10_001)],
      completeOutbox: [TENANT, 'msg_inc_1', 'worker', at(10_001)],
      failOutbox: [TENANT, 'msg_inc_1', 'worker', at(10_001), 'timeout', null],
      deadLetters: [TENANT],
      redeliver: [TENANT, 'msg_inc_1', now],
      outboxStats: [TENANT],
    };
    const scans: string[] = [];
    for (const [name, text] of Object.entries(postgresStatements(s))) {
      const values = samples[name as keyof typeof samples] as readonly unknown[] | undefined;
      expect(values, `a sample for ${name}`).toBeDefined();
      scans.push(...(await seqScans(text, values ?? [])).map((scan) => `${name}: ${scan}`));
    }
    expect(scans).toEqual([]);
  });

  it('reads and writes versioned records through indexes: current, a version, a page, history, every kind of write', async () => {
    const key = [TENANT, 'schedule', 'rec_4'];
    const samples: Record<keyof ReturnType<typeof postgresRecordStatements>, readonly unknown[]> = {
      current: key,
      atVersion: [...key, 3],
      list: [TENANT, 'schedule', 'rec_400', 51],
      history: [...key, 2, 10],
      version: key,
    };
    const scans: string[] = [];
    for (const [name, text] of Object.entries(postgresRecordStatements(s))) {
      const values = samples[name as keyof typeof samples] as readonly unknown[] | undefined;
      expect(values, `a sample for ${name}`).toBeDefined();
      scans.push(...(await seqScans(text, values ?? [])).map((scan) => `${name}: ${scan}`));
    }
    const base = { tenantId: TENANT, kind: 'schedule', at: at(0), actor: { kind: 'user', id: 'u1' } } as const;
    const timer = { tenantId: TENANT, incidentId: '', timerId: 'feature:oncall:handoff', dueAt: at(10), event: { type: 'HANDOFF' } };
    const outbox = [{ id: 'msg_rec', tenantId: TENANT, incidentId: '', channel: 'webhook', idempotencyKey: 'k', payload: {}, availableAt: at(0), attempts: 0 }];
    const writes: [string, RecordWrite][] = [
      ['create', { ...base, id: 'rec_new', expectedVersion: 0, value: { n: 1 } }],
      ['update', { ...base, id: 'rec_4', expectedVersion: 5, value: { n: 2 } }],
      ['delete with timers and outbox', { ...base, id: 'rec_4', expectedVersion: 5, value: null, timers: { set: [timer], cancel: ['feature:oncall:old'] }, outbox }],
      ['create with timers', { ...base, id: 'rec_new', expectedVersion: 0, value: { n: 1 }, timers: { set: [timer], cancel: ['feature:oncall:old'] }, outbox }],
    ];
    const prepare = postgresRecordWrites(s);
    for (const [label, write] of writes) {
      const { text, values } = prepare(write);
      scans.push(...(await seqScans(text, values)).map((scan) => `${label}: ${scan}`));
    }
    expect(scans).toEqual([]);
  });

  it('seeks every list page, first and next, for every combination of filters', async () => {
    const lists = postgresLists(s);
    const scans: string[] = [];
    for (const shape of allListShapes()) {
      const plan = planList(queryOf(shape));
      expect(plan === undefined ? undefined : listShapeKey(plan.shape)).toBe(listShapeKey(shape));
      if (plan === undefined) continue;
      const { text, values } = lists(TENANT, plan);
      scans.push(...(await seqScans(text, values)).map((scan) => `${listShapeKey(shape)}: ${scan}`));
    }
    expect(scans).toEqual([]);
  });

  it('writes every kind of commit through indexes: create, update, close, alerts, events, timers, outbox, item rows', async () => {
    const build = commitBuilder();
    const tenant = { tenantId: TENANT };
    const created = withAlerts(await build.declare({ id: 'inc_new', ...tenant, dedupKey: 'key_new' }), [alert('fp', 'alert_new')]);
    const noted = await build.note(stateOf(created), 'a note', t(1000));
    const commits: [string, Commit][] = [
      ['create with own and alert keys', created],
      ['create without keys', await build.declare({ id: 'inc_plain', ...tenant })],
      ['update of an open incident', noted],
      ['update that closes', await build.next(stateOf(created), t(1000), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice }))],
      [
        'update with timers, outbox and two events',
        withExtras(
          { ...noted, events: [...noted.events, { ...noted.events[0], id: 'evt_extra', seq: 3 } as Commit['events'][number]], incident: { ...noted.incident, version: 3 } },
          { set: [timer(created.incident, 'x', t(0))], cancel: ['escalation'], outbox: [message(created.incident, 'msg_new', t(0))] },
        ),
      ],
    ];
    const prepare = postgresCommits(s);
    const scans: string[] = [];
    for (const [label, commit] of commits) {
      const { text, values } = prepare(commit);
      scans.push(...(await seqScans(text, values)).map((scan) => `${label}: ${scan}`));
    }
    // Item rows: a patch (added, changed, removed by key) and a rewrite (moved, the others deleted), on an existing incident.
    const row = (key: string): { key: string; body: string } => ({ key, body: JSON.stringify({ id: key, title: key }) });
    const onInc1 = { ...noted, tenantId: TENANT, incidentId: 'inc_1', incident: { ...noted.incident, id: 'inc_1' } };
    const itemCommits: [string, CollectionWrite[]][] = [
      ['item patch', [{ kind: 'patch', collection: 'actionItems', added: [row('ai_9')], changed: [row('ai_1')], removed: ['ai_2'] }]],
      ['item rewrite', [{ kind: 'rewrite', collection: 'actionItems', items: [row('ai_4'), row('ai_0')] }]],
    ];
    for (const [label, items] of itemCommits) {
      const { text, values } = prepare(onInc1, items);
      scans.push(...(await seqScans(text, values)).map((scan) => `${label}: ${scan}`));
    }
    expect(scans).toEqual([]);
  });
});
