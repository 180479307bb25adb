/**
 * New-incident commits through the SQL stores, next to the raw driver writing the same rows in
 * the same run:
 * - `sqliteStore` against raw better-sqlite3 inserting the same projection and event rows in the
 *   same `BEGIN IMMEDIATE` transaction (and, for reference, the open-key row too);
 * - `postgresStore` (one statement per commit) against raw `pg` writing the same rows in one
 *   round trip (one named prepared statement: the fastest the bare driver can do; for reference
 *   also with the open-key row, so every row the store writes), and as separate round trips
 *   (`BEGIN`, insert projection, insert event, `COMMIT`), with 1 and 8 connections.
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

const SQLITE_COMMITS = 1_700;
const PG_COMMITS = 700;
const WARMUP = 200;
const ROUNDS = 9;

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

/** Sides measured in the same rounds, one after the other. */
interface Side {
  readonly write: (commit: Commit) => Promise<void> | void;
  readonly results: number[];
}

/**
 * A row per side: its median throughput, and its ratio to `baseline` as the median of the
 * per-round ratios (both sides of a ratio ran back to back, so load that drifts between rounds
 * cancels out).
 */
function rowsOf(sides: Readonly<Record<string, Side>>, baseline: Side, names: Readonly<Record<string, readonly [string, string]>>): Row[] {
  return Object.entries(names).map(([key, [name, note]]) => {
    const side = sides[key];
    const results = side?.results ?? [];
    const ratio = median(results.map((value, round) => value / (baseline.results[round] ?? Number.NaN)));
    return { name, opsPerSecond: median(results), note, ratio };
  });
}

/** Runs every side once per round, rotating the order so that drift in a busy machine hits each alike. */
async function rounds(sides: Readonly<Record<string, Side>>, template: Commit, count: number, connections: number): Promise<void> {
  const order = Object.entries(sides);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let k = 0; k < order.length; k += 1) {
      const entry = order[(round + k) % order.length];
      if (entry === undefined) continue;
      const [name, side] = entry;
      side.results.push(await throughput(commitsFrom(template, `${name}${String(round)}`, count), connections, side.write));
    }
  }
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
    const insertKey = db.prepare('INSERT INTO incidentkit_open_keys (tenant_id, dedup_key, own, incident_id) VALUES (?, ?, 1, ?)');
    const writeRows = (c: Commit, withKey: boolean): void => {
      const i = c.incident;
      insertIncident.run(c.tenantId, c.incidentId, i.version, i.status, isOpen(c) ? 1 : 0, i.severity, i.service ?? null, i.dedupKey ?? null,
        i.detectedAt, JSON.stringify(i), JSON.stringify(c.snapshot), c.events.at(-1)?.hash ?? '');
      for (const e of c.events) {
        insertEvent.run(c.tenantId, c.incidentId, e.seq, e.id, e.type, e.at, JSON.stringify(e.actor), JSON.stringify(e.data), e.hash);
      }
      if (withKey && i.dedupKey !== undefined) insertKey.run(c.tenantId, i.dedupKey, c.incidentId);
    };
    const raw = db.transaction((c: Commit) => {
      writeRows(c, false);
    });
    const rawWithKey = db.transaction((c: Commit) => {
      writeRows(c, true);
    });
    const sides: Record<string, Side> = {
      raw: {
        write: (c) => {
          raw.immediate(c);
        },
        results: [],
      },
      rawWithKey: {
        write: (c) => {
          rawWithKey.immediate(c);
        },
        results: [],
      },
      store: { write: (c) => store.commit(c), results: [] },
    };
    await rounds(sides, template, SQLITE_COMMITS, 1);
    db.close();
    return rowsOf(sides, sides.raw ?? { write: () => undefined, results: [] }, {
      raw: ['raw better-sqlite3, same rows in one transaction (baseline)', 'file, WAL, synchronous=NORMAL; incident + event'],
      rawWithKey: ['raw better-sqlite3, with the open-key row', 'incident + event + open-key row (all the store writes)'],
      store: ['sqliteStore.commit (new incident)', 'adds version CAS, the open keys, checks'],
    });
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
    // The same, plus the open-key row the store also writes (its dedup key): all the rows of the store's commit.
    const singleWithKey = async (c: Commit): Promise<void> => {
      const i = c.incident;
      const e = c.events[0];
      if (e === undefined || c.events.length !== 1) throw new Error('the single-statement baseline writes exactly one event');
      await pool.query({
        name: `bench_single_key_${String(connections)}`,
        text: `WITH inc AS (
                 INSERT INTO ${s}.incidentkit_incidents (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)),
               ev AS (
                 INSERT INTO ${s}.incidentkit_events (tenant_id, incident_id, seq, id, type, at, actor, data, hash)
                 VALUES ($1, $2, $13, $14, $15, $16, $17, $18, $19))
               INSERT INTO ${s}.incidentkit_open_keys (tenant_id, dedup_key, own, incident_id) VALUES ($1, $8, true, $2)`,
        values: [c.tenantId, c.incidentId, i.version, i.status, isOpen(c), i.severity, i.service ?? null, i.dedupKey ?? null, i.detectedAt,
          JSON.stringify(i), JSON.stringify(c.snapshot), e.hash, e.seq, e.id, e.type, e.at, JSON.stringify(e.actor), JSON.stringify(e.data), e.hash],
      });
    };
    const sides: Record<string, Side> = {
      single: { write: single, results: [] },
      singleWithKey: { write: singleWithKey, results: [] },
      store: { write: (c) => store.commit(c), results: [] },
      raw: { write: raw, results: [] },
    };
    try {
      await rounds(sides, template, PG_COMMITS, connections);
    } finally {
      await pool.query(`DROP SCHEMA ${s} CASCADE`);
      await pool.end();
    }
    const n = `${String(connections)} conn`;
    rows.push(
      ...rowsOf(sides, sides.single ?? { write: () => undefined, results: [] }, {
        single: [`raw pg, one prepared statement, ${n} (baseline)`, '1 round trip: incident + event'],
        singleWithKey: [`raw pg, one prepared statement with the open key, ${n}`, '1 round trip: incident + event + open-key row (all the store writes)'],
        raw: [`raw pg, BEGIN + 2 INSERTs + COMMIT, ${n}`, '4 round trips'],
        store: [`postgresStore.commit (new incident), ${n}`, '1 round trip (one prepared statement)'],
      }),
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
console.log(
  `New-incident commits, median of ${String(ROUNDS)} rounds (SQLite ${String(SQLITE_COMMITS - WARMUP)}, PostgreSQL ${String(PG_COMMITS - WARMUP)} commits each); ` +
    '"vs baseline" is the median of the per-round ratios.\n',
);
console.log('### SQLite\n');
printTable(sqliteRows, 'raw better-sqlite3, same rows in one transaction (baseline)');
for (const connections of [1, 8]) {
  console.log(`\n### PostgreSQL, ${String(connections)} connection${connections === 1 ? '' : 's'}${server === undefined ? '' : ' (throwaway cluster: fsync off)'}\n`);
  const group = pgRows.filter((row) => row.name.includes(`${String(connections)} conn`));
  printTable(group, group[0]?.name ?? '');
}
