/**
 * Durable timers at scale (issue 17): `engine.tick()` with 1 000, 10 000 and 20 000 due
 * escalation timers, on the memory store and on SQLite: how many fire in one call, and the time
 * per fired timer. Goal: all fire.
 *
 * The incidents are copies of one the real engine declared under a one-level escalation policy
 * (each holds one timer, due long ago), committed through `store.commit`. The baseline, in the
 * same run and the same kind of store: `engine.escalate` by hand, the same `ESCALATE` event
 * through a command, per call.
 */
import { createIncidentEngine, memoryStore, type IncidentEngine, type StorageAdapter } from '../src/index.js';
import { ACTOR, commitCopies, escalatingIncidentTemplate, incidentCopier, openSqliteFile, secondsSince, sqliteEngine, timePerCall, type BenchDatabase } from './fixtures.js';
import { formatCount, formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const SIZES = [1_000, 10_000, 20_000] as const;
const BASELINE_CALLS = 300;
const BASELINE_WARMUP = 100;

const copy = incidentCopier([await escalatingIncidentTemplate()]);

interface StoreCase {
  readonly name: string;
  readonly fresh: () => { store: StorageAdapter; engine: IncidentEngine; close: () => void };
}

let description = '';
const cases: StoreCase[] = [
  {
    name: 'memory store',
    fresh: () => {
      const store = memoryStore();
      return { store, engine: createIncidentEngine({ store }), close: () => undefined };
    },
  },
  {
    name: 'SQLite',
    fresh: () => {
      const database: BenchDatabase = openSqliteFile();
      description = database.description;
      return {
        ...sqliteEngine(database),
        close: () => {
          database.close();
        },
      };
    },
  },
];

interface Point {
  readonly due: number;
  readonly fired: number;
  readonly applied: number;
  readonly seconds: number;
  readonly buildSeconds: number;
}

const results: { name: string; escalate: number; points: Point[] }[] = [];
for (const c of cases) {
  // The baseline: ESCALATE by hand on incidents of the same kind, one command each.
  const base = c.fresh();
  let escalate: number;
  try {
    const ids: string[] = [];
    await commitCopies(base.store, copy, 0, BASELINE_WARMUP + BASELINE_CALLS, (commit) => ids.push(commit.incidentId));
    escalate = await timePerCall((i) => base.engine.escalate(ids[i]!, { actor: ACTOR }), { warmup: BASELINE_WARMUP, repeat: BASELINE_CALLS / 6, runs: 6 });
  } finally {
    base.close();
  }
  const points: Point[] = [];
  for (const due of SIZES) {
    const { store, engine, close } = c.fresh();
    try {
      const build = process.hrtime.bigint();
      await commitCopies(store, copy, 0, due);
      const buildSeconds = secondsSince(build);
      const start = process.hrtime.bigint();
      const fired = await engine.tick();
      const seconds = secondsSince(start);
      points.push({ due, fired: fired.length, applied: fired.filter((f) => f.outcome === 'applied').length, seconds, buildSeconds });
    } finally {
      close();
    }
  }
  results.push({ name: c.name, escalate, points });
  console.error(`[tick] ${c.name} measured`);
}

printEnvironment();
console.log(`One \`engine.tick()\` call with N due escalation timers (one per incident); ${description}.\n`);
const rows: string[][] = [];
for (const { name, escalate, points } of results) {
  rows.push([`${name}: \`engine.escalate\` by hand, per call (baseline)`, ...points.map(() => formatSeconds(escalate)), '', '']);
  rows.push([
    `${name}: timers fired by one \`tick()\``,
    ...points.map((p) => `${formatCount(p.fired)} of ${formatCount(p.due)}${p.applied === p.fired ? '' : ` (${formatCount(p.applied)} applied)`}`),
    '',
    `all fire: ${points.every((p) => p.fired === p.due) ? 'met' : 'NOT met'}`,
  ]);
  const first = points[0]!;
  const last = points.at(-1)!;
  rows.push([
    `${name}: time per fired timer (× the baseline)`,
    ...points.map((p) => `${formatSeconds(p.seconds / p.fired)} (${formatRatio(p.seconds / p.fired / escalate)})`),
    formatRatio(last.seconds / last.fired / (first.seconds / first.fired)),
    'constant',
  ]);
  rows.push([`${name}: the whole \`tick()\` call`, ...points.map((p) => formatSeconds(p.seconds)), '', '']);
  rows.push([`${name}: committing the incidents (fixture)`, ...points.map((p) => formatSeconds(p.buildSeconds)), '', '']);
}
printMarkdown(
  ['case', ...SIZES.map((n) => `${formatCount(n)} due`), `${formatCount(SIZES.at(-1)!)} vs ${formatCount(SIZES[0])}`, 'goal'],
  rows,
  ['left', ...SIZES.map(() => 'right' as const), 'right', 'left'],
);
printRunCost();
