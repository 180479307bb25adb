/**
 * SQLite reads at 1 000, 10 000 and 100 000 incidents (issue 17), on one fixture grown in steps:
 * - a new dedup key: `store.findOpenByDedupKey` of a key nobody holds, and `engine.ingest` of a
 *   signal with a new key (it opens an incident), next to a raw better-sqlite3 primary-key probe
 *   of a missing key on a table of the same size. Goal: constant.
 * - `engine.list` walking every page (limit 100), next to a raw keyset walk reading and parsing
 *   the same incident JSON from a table of the same size. Goal: linear (constant per page).
 * - `engine.list` with a filter nothing matches (status, severity, service). Goal: constant.
 *
 * The fixture: copies of eight incidents the real engine made (half open; 0, 1, 2, 3 or 5 alerts;
 * notes, roles, a review), committed through `sqliteStore(db).commit`, four per hour from 2023 on.
 */
import type { Statement } from 'better-sqlite3';
import type { Commit } from '../src/index.js';
import { collectGarbage, commitCopies, firingSignal, incidentCopier, incidentTemplates, openSqliteInMemory, secondsSince, sqliteEngine, timePerCall, timePerCallSync } from './fixtures.js';
import { formatCount, formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const PAGE = 100;
const TENANT = 'default';

const database = openSqliteInMemory();
const { db } = database;
const { store, engine } = sqliteEngine(database);

// The raw baselines' own tables, filled with the same incidents as the store.
db.exec(`CREATE TABLE bench_keys (key TEXT PRIMARY KEY, incident_id TEXT NOT NULL);
  CREATE TABLE bench_incidents (id TEXT NOT NULL, detected_at TEXT NOT NULL, incident TEXT NOT NULL);
  CREATE INDEX bench_incidents_list ON bench_incidents (detected_at DESC, id DESC);`);
const insertKey = db.prepare<[string, string]>('INSERT INTO bench_keys (key, incident_id) VALUES (?, ?)');
const insertIncident = db.prepare<[string, string, string]>('INSERT INTO bench_incidents (id, detected_at, incident) VALUES (?, ?, ?)');
const fillBaseline = db.transaction((commits: readonly Commit[]) => {
  for (const c of commits) {
    insertKey.run(c.incident.dedupKey ?? c.incidentId, c.incidentId);
    insertIncident.run(c.incidentId, c.incident.detectedAt, JSON.stringify(c.incident));
  }
});
const probe: Statement<[string], { incident_id: string }> = db.prepare('SELECT incident_id FROM bench_keys WHERE key = ?');
const firstPage: Statement<[number], { id: string; detected_at: string; incident: string }> = db.prepare(
  'SELECT id, detected_at, incident FROM bench_incidents ORDER BY detected_at DESC, id DESC LIMIT ?',
);
const nextPage: Statement<[string, string, number], { id: string; detected_at: string; incident: string }> = db.prepare(
  'SELECT id, detected_at, incident FROM bench_incidents WHERE (detected_at, id) < (?, ?) ORDER BY detected_at DESC, id DESC LIMIT ?',
);

/** Every page of the raw table, parsing each incident as the store does; returns the number of pages. */
function rawWalk(): number {
  let pages = 0;
  let rows = firstPage.all(PAGE + 1);
  for (;;) {
    pages += 1;
    const items = rows.slice(0, PAGE).map((row) => JSON.parse(row.incident) as unknown);
    const last = rows[PAGE - 1];
    if (rows.length <= PAGE || last === undefined || items.length === 0) return pages;
    rows = nextPage.all(last.detected_at, last.id, PAGE + 1);
  }
}

/** Every page of `engine.list`; returns the number of pages and incidents. */
async function engineWalk(): Promise<{ pages: number; incidents: number }> {
  let pages = 0;
  let incidents = 0;
  let cursor: string | undefined;
  do {
    const page = await engine.list({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    pages += 1;
    incidents += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { pages, incidents };
}

interface Point {
  readonly size: number;
  readonly buildSeconds: number;
  readonly probe: number;
  readonly find: number;
  readonly ingestNew: number;
  readonly rawWalk: number;
  readonly engineWalk: number;
  readonly pages: number;
  readonly walked: number;
  readonly empty: { readonly status: number; readonly severity: number; readonly service: number };
}

const copy = incidentCopier(await incidentTemplates());
const points: Point[] = [];
let built = 0;
try {
  for (const size of SIZES) {
    // Grow the fixture to `size` incidents (plus those `ingest` opened at the smaller sizes).
    const start = process.hrtime.bigint();
    const batch: Commit[] = [];
    await commitCopies(store, copy, built, size, (commit) => batch.push(commit));
    const buildSeconds = secondsSince(start);
    fillBaseline(batch);
    built = size;
    collectGarbage();

    const probeTime = timePerCallSync((i) => probe.get(`missing-${String(i)}`));
    const find = await timePerCall(async (i) => {
      if ((await store.findOpenByDedupKey(TENANT, `missing-${String(i)}`)) !== undefined) throw new Error('a missing key was found');
    }, { sampleSeconds: 0.1 });
    // Each call opens one incident: 2 calls × 5 samples (+1 warm-up) add 11 incidents per size.
    const ingestNew = await timePerCall(async (i) => {
      const [result] = await engine.ingest(firingSignal(`new-${String(size)}-${String(i)}`, { instance: `new-${String(i)}:9100` }, { service: 'checkout' }));
      if (result?.outcome !== 'created') throw new Error(`expected created, got ${String(result?.outcome)}`);
    }, { repeat: 2, runs: 5 });

    // The largest walks take seconds each: one run, warmed up by the smaller sizes' walks.
    const walkRuns = size >= 100_000 ? { repeat: 1, runs: 1, warmup: 0 } : { repeat: 1, runs: 5 };
    let pages = 0;
    const raw = timePerCallSync(() => (pages = rawWalk()), walkRuns);
    let walk = { pages: 0, incidents: 0 };
    const walkTime = await timePerCall(async () => (walk = await engineWalk()), walkRuns);
    if (walk.pages !== pages && walk.pages !== pages + 1) console.warn(`note: engine.list walked ${String(walk.pages)} pages, the raw walk ${String(pages)}`);

    const emptyList = (query: Parameters<typeof engine.list>[0]) =>
      timePerCall(async () => {
        if ((await engine.list(query)).items.length !== 0) throw new Error('a filter that should match nothing matched');
      }, { sampleSeconds: 0.1, runs: 5 });
    const empty = {
      status: await emptyList({ status: 'postIncident', limit: PAGE }),
      severity: await emptyList({ severity: 'SEV5', limit: PAGE }),
      service: await emptyList({ service: 'no-such-service', limit: PAGE }),
    };
    points.push({ size, buildSeconds, probe: probeTime, find, ingestNew, rawWalk: raw, engineWalk: walkTime, pages: walk.pages, walked: walk.incidents, empty });
    console.error(`[sqliteScale] ${formatCount(size)} incidents measured`);
  }
} finally {
  database.close();
}

const first = points[0]!;
const last = points.at(-1)!;
const header = ['case', ...points.map((p) => `${formatCount(p.size)} incidents`), `${formatCount(last.size)} vs ${formatCount(first.size)}`, 'goal'];
const align = ['left', ...points.map(() => 'right' as const), 'right', 'left'] as const;
const withBase = (value: number, base: number): string => `${formatSeconds(value)} (${formatRatio(value / base)})`;

printEnvironment();
console.log(`${database.description}. The fixture: ${formatCount(last.size)} incidents in eight kinds (half open; some with 2, 3 or 5 alerts), committed through \`sqliteStore(db).commit\`.\n`);

console.log('### A new dedup key (time per call; in parentheses: × the raw probe of the same size)\n');
printMarkdown(
  header,
  [
    ['raw better-sqlite3 primary-key probe of a missing key (baseline)', ...points.map((p) => formatSeconds(p.probe)), formatRatio(last.probe / first.probe), 'constant'],
    ['`store.findOpenByDedupKey`, key nobody holds', ...points.map((p) => withBase(p.find, p.probe)), formatRatio(last.find / first.find), 'constant'],
    ['`engine.ingest`, signal with a new key (opens an incident)', ...points.map((p) => withBase(p.ingestNew, p.probe)), formatRatio(last.ingestNew / first.ingestNew), 'constant'],
  ],
  align,
);

console.log(`\n### \`list()\` walking every page (limit ${String(PAGE)}): time per page (in parentheses: × the raw walk's page)\n`);
printMarkdown(
  header,
  [
    ['raw keyset walk of the same incident JSON, parsed (baseline)', ...points.map((p) => formatSeconds(p.rawWalk / p.pages)), formatRatio(last.rawWalk / last.pages / (first.rawWalk / first.pages)), 'constant per page'],
    ['`engine.list` walk', ...points.map((p) => withBase(p.engineWalk / p.pages, p.rawWalk / p.pages)), formatRatio(last.engineWalk / last.pages / (first.engineWalk / first.pages)), 'constant per page'],
    ['`engine.list` walk, whole walk', ...points.map((p) => `${formatSeconds(p.engineWalk)} (${formatCount(p.pages)} pages)`), formatRatio(last.engineWalk / first.engineWalk), 'linear'],
  ],
  align,
);

console.log(`\n### \`list()\` with a filter nothing matches (time per call; in parentheses: × the raw probe)\n`);
printMarkdown(
  header,
  [
    ['raw better-sqlite3 primary-key probe of a missing key (baseline)', ...points.map((p) => formatSeconds(p.probe)), formatRatio(last.probe / first.probe), 'constant'],
    ["`engine.list({ status: 'postIncident' })`", ...points.map((p) => withBase(p.empty.status, p.probe)), formatRatio(last.empty.status / first.empty.status), 'constant'],
    ["`engine.list({ severity: 'SEV5' })`", ...points.map((p) => withBase(p.empty.severity, p.probe)), formatRatio(last.empty.severity / first.empty.severity), 'constant'],
    ["`engine.list({ service: 'no-such-service' })`", ...points.map((p) => withBase(p.empty.service, p.probe)), formatRatio(last.empty.service / first.empty.service), 'constant'],
  ],
  align,
);

console.log('\n### Building the fixture\n');
printMarkdown(
  ['step', 'commits', 'time', 'per commit'],
  points.map((p, i) => {
    const commits = p.size - (i === 0 ? 0 : points[i - 1]!.size);
    return [`grow to ${formatCount(p.size)} incidents`, formatCount(commits), formatSeconds(p.buildSeconds), formatSeconds(p.buildSeconds / commits)];
  }),
);
console.log(`\nEach size also holds the incidents \`engine.ingest\` opened at the smaller sizes (11 per size). Walked at ${formatCount(last.size)}: ${formatCount(last.walked)} incidents.`);
printRunCost();
