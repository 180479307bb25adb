/**
 * Reading a long timeline (issue 17): `engine.timeline(id)` of an incident with 100, 1 000 and
 * 10 000 events, on the memory store and on SQLite: time per call and per event. Goal:
 * paginated, so a page costs the same at any length.
 *
 * One incident per store grows through the sizes with `addNote`; the baseline is its 100-event
 * point in the same run.
 */
import { createIncidentEngine, isIncidentKitError, memoryStore, type IncidentEngine } from '../src/index.js';
import { ACTOR, openSqliteFile, secondsSince, sqliteEngine, timePerCall } from './fixtures.js';
import { formatCount, formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const SIZES = [100, 1_000, 10_000] as const;
const PAGE = 100;

// ----- the paged variant ----------------------------------------------------------------------------
// PAGED TIMELINE: `timeline(id, { afterSeq, limit })` is being added (issue 17). Until it is, the
// call below is refused (its options hold unknown keys) or ignored, and its rows print "n/a".
// It is called through a loose type so this file compiles before and after the change; if the
// paged call ends up returning `{ items, … }` instead of an array, `eventsOf` reads `items`.
type PagedTimeline = (id: string, options: { readonly afterSeq: number; readonly limit: number }) => Promise<unknown>;

function eventsOf(result: unknown): readonly { readonly seq: number }[] | undefined {
  const items: unknown = Array.isArray(result) ? result : (result as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? (items as { seq: number }[]) : undefined;
}

/** The page after `afterSeq`, or `undefined` when the engine does not page timelines. */
async function page(engine: IncidentEngine, id: string, afterSeq: number, limit: number): Promise<readonly { readonly seq: number }[] | undefined> {
  try {
    return eventsOf(await (engine as unknown as { timeline: PagedTimeline }).timeline(id, { afterSeq, limit }));
  } catch (error) {
    if (isIncidentKitError(error, 'VALIDATION_FAILED')) return undefined;
    throw error;
  }
}

/** Whether `timeline(id, { afterSeq, limit })` honours its options on an incident of `total` events. */
async function pagesTimelines(engine: IncidentEngine, id: string, total: number): Promise<boolean> {
  const afterSeq = Math.max(0, total - 30);
  const events = await page(engine, id, afterSeq, 20);
  return events?.length === Math.min(20, total - afterSeq) && events[0]?.seq === afterSeq + 1;
}
// -------------------------------------------------------------------------------------------------

interface Point {
  readonly events: number;
  readonly buildSeconds: number;
  readonly full: number;
  /** The newest page of PAGE events; NaN when the engine does not page timelines. */
  readonly lastPage: number;
}

async function measure(engine: IncidentEngine): Promise<Point[]> {
  const incident = await engine.declare({ title: 'Search results stale', severity: 'SEV3', service: 'search', actor: ACTOR });
  let events = 1;
  let buildSeconds = 0;
  const points: Point[] = [];
  for (const size of SIZES) {
    const start = process.hrtime.bigint();
    for (; events < size; events += 1) await engine.addNote(incident.id, { text: `Checked shard ${String(events)}: index lag 4 minutes.`, actor: ACTOR });
    buildSeconds += secondsSince(start);
    const full = await timePerCall(async () => {
      if ((await engine.timeline(incident.id)).length !== size) throw new Error('unexpected timeline length');
    }, { sampleSeconds: 0.1, runs: 7, warmup: 3 });
    const lastPage = (await pagesTimelines(engine, incident.id, size))
      ? await timePerCall(() => page(engine, incident.id, size - PAGE, PAGE), { sampleSeconds: 0.1, runs: 7, warmup: 3 })
      : Number.NaN;
    points.push({ events: size, buildSeconds, full, lastPage });
  }
  return points;
}

const results: { name: string; points: Point[] }[] = [];
results.push({ name: 'memory store', points: await measure(createIncidentEngine({ store: memoryStore() })) });
console.error('[timeline] memory store measured');
const database = openSqliteFile();
try {
  results.push({ name: 'SQLite', points: await measure(sqliteEngine(database).engine) });
} finally {
  database.close();
}
console.error('[timeline] SQLite measured');

printEnvironment();
console.log(`One incident grown with \`addNote\`; in parentheses: × its 100-event point (the baseline); ${database.description}.\n`);
const rows: string[][] = [];
for (const { name, points } of results) {
  const base = points[0]!;
  const last = points.at(-1)!;
  const paged = Number.isFinite(base.lastPage);
  rows.push([`${name}: \`timeline(id)\`, whole timeline, per call`, ...points.map((p) => `${formatSeconds(p.full)} (${formatRatio(p.full / base.full)})`), formatRatio(last.full / base.full), 'linear']);
  rows.push([`${name}: \`timeline(id)\`, per event`, ...points.map((p) => `${formatSeconds(p.full / p.events)} (${formatRatio(p.full / p.events / (base.full / base.events))})`), formatRatio(last.full / last.events / (base.full / base.events)), 'constant']);
  rows.push([
    `${name}: \`timeline(id, { afterSeq, limit: ${String(PAGE)} })\`, newest page, per call`,
    ...points.map((p) => (paged ? `${formatSeconds(p.lastPage)} (${formatRatio(p.lastPage / base.lastPage)})` : 'n/a')),
    paged ? formatRatio(last.lastPage / base.lastPage) : 'n/a',
    'constant (paginated)',
  ]);
  rows.push([`${name}: building the incident from empty (\`addNote\` × N)`, ...points.map((p) => formatSeconds(p.buildSeconds)), '', '']);
}
printMarkdown(
  ['case', ...SIZES.map((n) => `${formatCount(n)} events`), `${formatCount(SIZES.at(-1)!)} vs ${formatCount(SIZES[0])}`, 'goal'],
  rows,
  ['left', ...SIZES.map(() => 'right' as const), 'right', 'left'],
);
console.log('\n"n/a": this engine does not page timelines yet (`timeline(id, { afterSeq, limit })` was refused or ignored).');
printRunCost();
