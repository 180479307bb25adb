/**
 * Reads of the SQL stores on a large tenant, next to the same reads on a small tenant of the same
 * database in the same run: with indexes that fit the queries, a lookup or a page costs the same
 * whether the tenant holds a thousand incidents or a hundred thousand.
 *
 * - `findOpenByDedupKey` of an alert's key (an ingested repeat) and of an unknown key (a new signal);
 * - `list` with a filter that matches nothing, and the first page of open incidents;
 * - walking every page (`limit` 100), per incident read.
 *
 * Standalone: `npx tsx bench/storageScale.bench.ts [incidents]` (default 100 000). PostgreSQL as in
 * bench/storage.bench.ts: INCIDENTKIT_BENCH_DATABASE_URL, INCIDENTKIT_TEST_DATABASE_URL or a
 * throwaway cluster.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { createIncidentEngine } from '../src/createIncidentEngine.js';
import type { AlertSummary, Incident } from '../src/model/incident.js';
import { memoryStore } from '../src/storage/memory.js';
import { postgresStore } from '../src/storage/postgres.js';
import { sqliteStore } from '../src/storage/sqlite.js';
import type { Commit, StorageAdapter } from '../src/storage/types.js';
import { createManualClock } from '../src/testing/manualClock.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../test/setup/postgres.js';
import { printEnvironment } from './report.js';

const LARGE = Number(process.argv[2] ?? 100_000);
const SMALL = 1_000;
const STATUSES = ['triage', 'responding', 'resolved', 'closed', 'canceled'] as const;

/** One real declare commit from the engine, to copy. */
async function templateCommit(): Promise<Commit> {
  let captured: Commit | undefined;
  const engine = createIncidentEngine({
    store: { ...memoryStore(), commit: (c) => Promise.resolve(void (captured = c)) },
    clock: createManualClock('2026-01-01T00:00:00.000Z'),
  });
  await engine.declare({ title: 'HighErrorRate', severity: 'SEV2', service: 'checkout', dedupKey: 'template', actor: { id: 'alertmanager', kind: 'integration' } });
  if (captured === undefined) throw new Error('no commit captured');
  return captured;
}

/** The `i`th incident of `tenantId`: one alert, statuses in turn (three of five open), one second apart. */
function commitOf(template: Commit, tenantId: string, i: number): Commit {
  const id = `inc_${String(i)}`;
  const detectedAt = new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * 1000).toISOString();
  const alert: AlertSummary = {
    fingerprint: `fp_${String(i)}`,
    dedupKey: `alert/${String(i)}`,
    source: 'alertmanager',
    status: 'firing',
    summary: 'firing',
    firstSeenAt: detectedAt,
    statusChangedAt: detectedAt,
  };
  const incident: Incident = {
    ...template.incident,
    tenantId,
    id,
    status: STATUSES[i % STATUSES.length] ?? 'triage',
    detectedAt,
    severity: `SEV${String((i % 4) + 1)}`,
    dedupKey: `own/${String(i)}`,
    alerts: [alert],
  };
  return { ...template, tenantId, incidentId: id, incident, events: template.events.map((e) => ({ ...e, tenantId, id: `${id}_e1`, incidentId: id })), timers: {} };
}

async function populate(store: StorageAdapter, template: Commit, tenantId: string, count: number, writers: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < count; i = next++) await store.commit(commitOf(template, tenantId, i));
    }),
  );
}

/** Milliseconds per call of `run`: the median of 5 rounds of `reps` calls (fewer when a round passes 300 ms, so slow stores finish). */
async function msPerCall(reps: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const started = performance.now();
    let calls = 0;
    while (calls < reps && (calls === 0 || performance.now() - started < 300)) {
      await run();
      calls += 1;
    }
    rounds.push((performance.now() - started) / calls);
  }
  return rounds.sort((a, b) => a - b)[2] ?? Number.NaN;
}

/** Every page of `tenantId`; returns how many incidents were read. */
async function walk(store: StorageAdapter, tenantId: string): Promise<number> {
  let read = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list(tenantId, { limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    read += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return read;
}

async function measure(name: string, store: StorageAdapter, template: Commit, writers: number, loaded?: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await populate(store, template, 'small', SMALL, writers);
  await populate(store, template, 'large', LARGE, writers);
  await loaded?.();
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n### ${name} (${String(SMALL)} + ${String(LARGE)} incidents written in ${seconds.toFixed(0)} s)\n`);
  console.log(`| case | ${String(SMALL)} incidents (baseline) | ${String(LARGE)} incidents | ratio |`);
  console.log('| --- | ---: | ---: | ---: |');
  const row = async (label: string, reps: number, run: (tenantId: string, size: number) => Promise<unknown>): Promise<void> => {
    const small = await msPerCall(reps, () => run('small', SMALL));
    const large = await msPerCall(reps, () => run('large', LARGE));
    console.log(`| ${label} | ${small.toFixed(3)} ms | ${large.toFixed(3)} ms | ${(large / small).toFixed(2)}× |`);
  };
  await row('findOpenByDedupKey, an open alert key', 200, (tenantId, size) => store.findOpenByDedupKey(tenantId, `alert/${String(size - 5)}`));
  await row('findOpenByDedupKey, an unknown key', 200, (tenantId) => store.findOpenByDedupKey(tenantId, 'nobody/has/this'));
  await row('list, severity matching nothing', 200, (tenantId) => store.list(tenantId, { limit: 50, severity: ['SEV9'] }));
  await row('list, first page of open incidents', 100, (tenantId) => store.list(tenantId, { limit: 50, open: true }));
  const perIncident = async (tenantId: string, size: number): Promise<number> => {
    const begun = performance.now();
    const read = await walk(store, tenantId);
    if (read !== size) throw new Error(`walked ${String(read)} of ${String(size)} incidents`);
    return (performance.now() - begun) / size;
  };
  const small = await perIncident('small', SMALL);
  const large = await perIncident('large', LARGE);
  console.log(`| every page (limit 100), per incident | ${small.toFixed(4)} ms | ${large.toFixed(4)} ms | ${(large / small).toFixed(2)}× |`);
}

const template = await templateCommit();
printEnvironment();

const db = new Database(':memory:');
await measure('SQLite (in memory)', sqliteStore(db), template, 1);
db.close();

let server: ThrowawayPostgres | undefined;
let url = process.env.INCIDENTKIT_BENCH_DATABASE_URL ?? process.env.INCIDENTKIT_TEST_DATABASE_URL;
if (url === undefined || url === '') {
  server = await startThrowawayPostgres({ database: 'incidentkit_bench' });
  url = server.url;
}
const pool = new pg.Pool({ connectionString: url, max: 4 });
const schema = `ik_scale_${String(process.pid)}`;
try {
  const store = postgresStore(pool, { schema });
  await store.migrate();
  // Statistics as autovacuum gathers them after a bulk load (it would, within a minute or so).
  const analyze = async (): Promise<void> => {
    const { rows } = await pool.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    for (const { name } of rows) await pool.query(`ANALYZE "${schema}"."${name}"`);
  };
  await measure(`PostgreSQL, one call at a time${server === undefined ? '' : ' (throwaway cluster: fsync off)'}`, store, template, 4, analyze);
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  await server?.stop();
}
