/**
 * New-incident commits through the SQL stores, next to the raw driver writing the same rows in
 * the same run:
 * - `sqliteStore` against raw better-sqlite3 inserting the same projection and event rows in the
 *   same `BEGIN IMMEDIATE` transaction;
 * - `postgresStore` (one statement per commit) against raw `pg` writing the same rows in one
 *   round trip (one named prepared statement: the fastest the bare driver can do), and as
 *   separate round trips (`BEGIN`, insert projection, insert event, `COMMIT`), with 1 and 8
 *   connections.
 * The gap is what the store adds (checks, compare-and-set, dedup index) minus what it saves.
 *
 * Standalone: `npx tsx bench/storage.bench.ts`. PostgreSQL comes from INCIDENTKIT_BENCH_DATABASE_URL
 * (or INCIDENTKIT_TEST_DATABASE_URL), else a throwaway cluster started with scripts/pg-throwaway.sh.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createIncidentEngine } from '../src/createIncidentEngine.js';
import { OPEN_STATUSES } from '../src/model/incident.js';
import { memoryStore } from '../src/storage/memory.js';
import { postgresStore } from '../src/storage/postgres.js';
import { sqliteStore } from '../src/storage/sqlite.js';
import type { Commit } from '../src/storage/types.js';
import { createManualClock } from '../src/testing/manualClock.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../test/setup/postgres.js';
import { printEnvironment, printTable, type Row } from './report.js';

const SQLITE_COMMITS = 3_000;
const PG_COMMITS = 1_200;
const WARMUP = 200;
const ROUNDS = 5;

/** One real declare commit from the engine, then copies with fresh ids (stores do not re-hash). */
async function templateCommit(): Promise<Commit> {
  let captured: Commit | undefined;
  const engine = createIncidentEngine({
    store: { ...memoryStore(), commit: (c) => Promise.resolve(void (captured = c)) },
    clock: createManualClock('2026-06-01T10:00:00.000Z'),
  });
  await engine.declare({
    title: 'HighErrorRate on checkout',
    severity: 'SEV2',
    service: 'checkout',
    summary: '5xx ratio above 20% for 5 minutes.',
    dedupKey: 'template',
    labels: { alertname: 'HighErrorRate', cluster: 'eu-west-1', namespace: 'shop' },
    actor: { id: 'alertmanager', kind: 'integration' },
  });
  if (captured === undefined) throw new Error('no commit captured');
  return captured;
}

function commitsFrom(template: Commit, prefix: string, count: number): Commit[] {
  return Array.from({ length: count }, (_, i) => {
    const incidentId = `${prefix}_${String(i)}`;
    return {
      ...template,
      incidentId,
      incident: { ...template.incident, id: incidentId, dedupKey: `${prefix}/fp/${String(i)}` },
      events: template.events.map((e) => ({ ...e, id: `${incidentId}_e${String(e.seq)}`, incidentId })),
    };
  });
}

/** Runs `write` over `commits` with `concurrency` loops; returns commits per second (after a warmup slice). */
async function throughput(commits: readonly Commit[], concurrency: number, write: (commit: Commit) => Promise<void> | void): Promise<number> {
  for (const commit of commits.slice(0, WARMUP)) await write(commit);
  const measured = commits.slice(WARMUP);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < measured.length; i = next++) {
        const commit = measured[i];
        if (commit !== undefined) await write(commit);
      }
    }),
  );
  return (measured.length / (performance.now() - started)) * 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const isOpen = (commit: Commit): boolean => OPEN_STATUSES.includes(commit.incident.status);

// ----- SQLite ---------------------------------------------------------------------------------

async function benchSqlite(template: Commit): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'incidentkit-bench-'));
  try {
    const db = new Database(join(dir, 'bench.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const store = sqliteStore(db);
    const insertIncident = db.prepare(
      `INSERT INTO incidentkit_incidents (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertEvent = db.prepare(
      'INSERT INTO incidentkit_events (tenant_id, incident_id, seq, id, type, at, actor, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const raw = db.transaction((c: Commit) => {
      const i = c.incident;
      insertIncident.run(c.tenantId, c.incidentId, i.version, i.status, isOpen(c) ? 1 : 0, i.severity, i.service ?? null, i.dedupKey ?? null,
        i.detectedAt, JSON.stringify(i), JSON.stringify(c.snapshot), c.events.at(-1)?.hash ?? '');
      for (const e of c.events) {
        insertEvent.run(c.tenantId, c.incidentId, e.seq, e.id, e.type, e.at, JSON.stringify(e.actor), JSON.stringify(e.data), e.hash);
      }
    });
    const viaStore: number[] = [];
    const viaRaw: number[] = [];
    // Alternate which side goes first, so drift in a busy machine hits both alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      const runRaw = async (): Promise<void> => {
        viaRaw.push(await throughput(commitsFrom(template, `raw${String(round)}`, SQLITE_COMMITS), 1, (c) => {
          raw.immediate(c);
        }));
      };
      const runStore = async (): Promise<void> => {
        viaStore.push(await throughput(commitsFrom(template, `store${String(round)}`, SQLITE_COMMITS), 1, (c) => store.commit(c)));
      };
      for (const run of round % 2 === 0 ? [runRaw, runStore] : [runStore, runRaw]) await run();
    }
    db.close();
    return [
      { name: 'raw better-sqlite3, same rows in one transaction (baseline)', opsPerSecond: median(viaRaw), note: 'file, WAL, synchronous=NORMAL' },
      { name: 'sqliteStore.commit (new incident)', opsPerSecond: median(viaStore), note: 'adds version CAS + dedup index + checks' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ----- PostgreSQL -----------------------------------------------------------------------------

async function benchPostgres(url: string, template: Commit): Promise<Row[]> {
  const rows: Row[] = [];
  for (const connections of [1, 8]) {
    const pool = new pg.Pool({ connectionString: url, max: connections });
    const schema = `ik_bench_${String(connections)}_${String(process.pid)}`;
    const store = postgresStore(pool, { schema });
    await store.migrate();
    const s = `"${schema}"`;
    // The same rows as the store writes, as separate statements, so separate round trips.
    const raw = async (c: Commit): Promise<void> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const i = c.incident;
        await client.query({
          name: `bench_incident_${String(connections)}`,
          text: `INSERT INTO ${s}.incidentkit_incidents (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          values: [c.tenantId, c.incidentId, i.version, i.status, isOpen(c), i.severity, i.service ?? null, i.dedupKey ?? null, i.detectedAt,
            JSON.stringify(i), JSON.stringify(c.snapshot), c.events.at(-1)?.hash ?? ''],
        });
        for (const e of c.events) {
          await client.query({
            name: `bench_event_${String(connections)}`,
            text: `INSERT INTO ${s}.incidentkit_events (tenant_id, incident_id, seq, id, type, at, actor, data, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            values: [c.tenantId, c.incidentId, e.seq, e.id, e.type, e.at, JSON.stringify(e.actor), JSON.stringify(e.data), e.hash],
          });
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    };
    // The fastest way to write the same rows with the bare driver: one named prepared statement
    // (parsed and planned once per connection), both inserts in one round trip and one implicit
    // transaction, every value a plain parameter. The store cannot beat this by saving round trips.
    const single = async (c: Commit): Promise<void> => {
      const i = c.incident;
      const e = c.events[0];
      if (e === undefined || c.events.length !== 1) throw new Error('the single-statement baseline writes exactly one event');
      await pool.query({
        name: `bench_single_${String(connections)}`,
        text: `WITH inc AS (
                 INSERT INTO ${s}.incidentkit_incidents (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12))
               INSERT INTO ${s}.incidentkit_events (tenant_id, incident_id, seq, id, type, at, actor, data, hash)
               VALUES ($1, $2, $13, $14, $15, $16, $17, $18, $19)`,
        values: [c.tenantId, c.incidentId, i.version, i.status, isOpen(c), i.severity, i.service ?? null, i.dedupKey ?? null, i.detectedAt,
          JSON.stringify(i), JSON.stringify(c.snapshot), e.hash, e.seq, e.id, e.type, e.at, JSON.stringify(e.actor), JSON.stringify(e.data), e.hash],
      });
    };
    const viaStore: number[] = [];
    const viaRaw: number[] = [];
    const viaSingle: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        const runRaw = async (): Promise<void> => {
          viaRaw.push(await throughput(commitsFrom(template, `raw${String(round)}`, PG_COMMITS), connections, raw));
        };
        const runSingle = async (): Promise<void> => {
          viaSingle.push(await throughput(commitsFrom(template, `single${String(round)}`, PG_COMMITS), connections, single));
        };
        const runStore = async (): Promise<void> => {
          viaStore.push(await throughput(commitsFrom(template, `store${String(round)}`, PG_COMMITS), connections, (c) => store.commit(c)));
        };
        // Rotate the order, so drift in a busy machine hits every side alike.
        const order = [runSingle, runStore, runRaw];
        for (let k = 0; k < order.length; k += 1) await (order[(round + k) % order.length] ?? runRaw)();
      }
    } finally {
      await pool.query(`DROP SCHEMA ${s} CASCADE`);
      await pool.end();
    }
    rows.push(
      { name: `raw pg, one prepared statement, ${String(connections)} conn (baseline)`, opsPerSecond: median(viaSingle), note: '1 round trip (CTE of 2 INSERTs)' },
      { name: `raw pg, BEGIN + 2 INSERTs + COMMIT, ${String(connections)} conn`, opsPerSecond: median(viaRaw), note: '4 round trips' },
      { name: `postgresStore.commit (new incident), ${String(connections)} conn`, opsPerSecond: median(viaStore), note: '1 round trip (CTE statement)' },
    );
  }
  return rows;
}

const template = await templateCommit();
const sqliteRows = await benchSqlite(template);

let server: ThrowawayPostgres | undefined;
let url = process.env.INCIDENTKIT_BENCH_DATABASE_URL ?? process.env.INCIDENTKIT_TEST_DATABASE_URL;
if (url === undefined || url === '') {
  server = await startThrowawayPostgres({ database: 'incidentkit_bench' });
  url = server.url;
}
let pgRows: Row[];
try {
  pgRows = await benchPostgres(url, template);
} finally {
  await server?.stop();
}

printEnvironment();
console.log(`New-incident commits, median of ${String(ROUNDS)} rounds (SQLite ${String(SQLITE_COMMITS - WARMUP)}, PostgreSQL ${String(PG_COMMITS - WARMUP)} commits each).\n`);
console.log('### SQLite\n');
printTable(sqliteRows, 'raw better-sqlite3, same rows in one transaction (baseline)');
for (const connections of [1, 8]) {
  console.log(`\n### PostgreSQL, ${String(connections)} connection${connections === 1 ? '' : 's'}${server === undefined ? '' : ' (throwaway cluster: fsync off)'}\n`);
  const group = pgRows.filter((row) => row.name.includes(`${String(connections)} conn`));
  printTable(group, group[0]?.name ?? '');
}
