/**
 * Commands and reads on an incident with many action items (issue 17): `engine.addNote` and
 * `engine.get` on an incident holding 10, 100, 1 000 and 10 000 action items, on the memory
 * store, SQLite and PostgreSQL, and the time to build each incident through
 * `engine.addActionItem`. Goal: `addNote` and `get` at most 2× their cost at 10 items.
 *
 * One incident per store grows through the sizes; the baseline is its 10-item point in the same
 * run. Building stops when it runs out of time (BENCH_BUDGET_SECONDS per store, default 60): the
 * first size it did not reach is then measured at the size it did reach, and says so.
 *
 * PostgreSQL as in bench/storage.bench.ts: INCIDENTKIT_BENCH_DATABASE_URL,
 * INCIDENTKIT_TEST_DATABASE_URL or a throwaway cluster; without any, its rows are left out.
 */
import pg from 'pg';
import { createIncidentEngine, memoryStore, type IncidentEngine } from '../src/index.js';
import { postgresStore } from '../src/storage/postgres.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../test/setup/postgres.js';
import { ACTOR, openSqliteFile, secondsSince, sqliteEngine, timePerCall } from './fixtures.js';
import { formatCount, formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const BUDGET_SECONDS = Number(process.env.BENCH_BUDGET_SECONDS ?? 60);
const SIZES = [10, 100, 1_000, 10_000] as const;
const GOAL = 2;

interface Point {
  readonly size: number;
  /** The items the incident really held when measured (below `size` when the build ran out of time). */
  readonly items: number;
  readonly buildSeconds: number;
  readonly addNote: number;
  readonly get: number;
}

async function measure(engine: IncidentEngine): Promise<Point[]> {
  const incident = await engine.declare({ title: 'Payment outage follow-ups', severity: 'SEV2', service: 'payments', actor: ACTOR });
  const points: Point[] = [];
  const deadline = performance.now() + BUDGET_SECONDS * 1000;
  let items = 0;
  let buildSeconds = 0;
  for (const size of SIZES) {
    const start = process.hrtime.bigint();
    while (items < size && performance.now() < deadline) {
      await engine.addActionItem(incident.id, {
        title: `Follow-up ${String(items + 1)}: add an alert on the payment error ratio`,
        owner: `u_owner_${String(items % 17)}`,
        dueAt: '2027-03-01T00:00:00.000Z',
        kind: 'detect',
        actor: ACTOR,
      });
      items += 1;
    }
    buildSeconds += secondsSince(start);
    const held = (await engine.get(incident.id)).actionItems.length;
    if (held !== items) throw new Error(`the incident holds ${String(held)} action items, expected ${String(items)}`);
    const addNote = await timePerCall(() => engine.addNote(incident.id, { text: 'Checked the follow-ups with the owners.', actor: ACTOR }), { runs: 5 });
    const get = await timePerCall(() => engine.get(incident.id), { runs: 5 });
    points.push({ size, items, buildSeconds, addNote, get });
    if (items < size) break; // out of time: the larger sizes are not reached either
  }
  return points;
}

const results: { name: string; points: Point[] }[] = [];
results.push({ name: 'memory store', points: await measure(createIncidentEngine({ store: memoryStore() })) });
console.error('[actionItems] memory store measured');
const database = openSqliteFile();
try {
  results.push({ name: 'SQLite', points: await measure(sqliteEngine(database).engine) });
} finally {
  database.close();
}
console.error('[actionItems] SQLite measured');

let server: ThrowawayPostgres | undefined;
let url = process.env.INCIDENTKIT_BENCH_DATABASE_URL ?? process.env.INCIDENTKIT_TEST_DATABASE_URL;
let postgresNote = '';
if (url === undefined || url === '') {
  try {
    server = await startThrowawayPostgres({ database: 'incidentkit_bench' });
    url = server.url;
  } catch (error) {
    postgresNote = `PostgreSQL left out: no server (${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}).`;
  }
}
if (url !== undefined && url !== '') {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const schema = `ik_items_${String(process.pid)}`;
  try {
    const store = postgresStore(pool, { schema });
    await store.migrate();
    results.push({ name: 'PostgreSQL', points: await measure(createIncidentEngine({ store })) });
    postgresNote = `PostgreSQL: ${server === undefined ? 'the server at INCIDENTKIT_BENCH_DATABASE_URL / INCIDENTKIT_TEST_DATABASE_URL' : 'a throwaway cluster on this machine (fsync off)'}, one pool of 4 connections.`;
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    await server?.stop();
  }
  console.error('[actionItems] PostgreSQL measured');
}

printEnvironment();
console.log(`Time per call on one incident with N action items (in parentheses: × the 10-item point, the baseline); ${database.description}. ${postgresNote}\n`);
const rows: string[][] = [];
for (const { name, points } of results) {
  const base = points[0]!;
  const at = (size: number): Point | undefined => points.find((p) => p.size === size);
  const cell = (size: number, value: (p: Point) => number, baseValue: number): string => {
    const p = at(size);
    if (p === undefined) return 'not reached';
    const text = `${formatSeconds(value(p))} (${formatRatio(value(p) / baseValue)})`;
    return p.items < p.size ? `over budget; at ${formatCount(p.items)} items: ${text}` : text;
  };
  const growth = (value: (p: Point) => number): string => {
    const last = at(SIZES.at(-1)!);
    return last === undefined || last.items < last.size ? 'n/a' : formatRatio(value(last) / value(base));
  };
  const goal = (value: (p: Point) => number): string => {
    const last = at(SIZES.at(-1)!);
    if (last === undefined || last.items < last.size) return `≤ ${String(GOAL)}×: not measured`;
    return `≤ ${String(GOAL)}×: ${value(last) / value(base) <= GOAL ? 'met' : 'NOT met'}`;
  };
  rows.push([`${name}: \`addNote\``, ...SIZES.map((n) => cell(n, (p) => p.addNote, base.addNote)), growth((p) => p.addNote), goal((p) => p.addNote)]);
  rows.push([`${name}: \`get\``, ...SIZES.map((n) => cell(n, (p) => p.get, base.get)), growth((p) => p.get), goal((p) => p.get)]);
  rows.push([
    `${name}: build (\`addActionItem\` × N, from empty)`,
    ...SIZES.map((n) => {
      const p = at(n);
      if (p === undefined) return 'not reached';
      const text = `${formatSeconds(p.buildSeconds)} (${formatSeconds(p.buildSeconds / Math.max(p.items, 1))}/item)`;
      return p.items < p.size ? `over budget: ${formatCount(p.items)} items in ${text}` : text;
    }),
    '',
    '',
  ]);
}
printMarkdown(
  ['case', ...SIZES.map((n) => `${formatCount(n)} items`), `${formatCount(SIZES.at(-1)!)} vs ${formatCount(SIZES[0])}`, 'goal'],
  rows,
  ['left', ...SIZES.map(() => 'right' as const), 'right', 'left'],
);
console.log(`\nThe build stops after ${String(BUDGET_SECONDS)} s per store (BENCH_BUDGET_SECONDS). \`addNote\` adds notes, not items, so the item count stays as built.`);
printRunCost();
