/**
 * An alert storm grouped into one incident (issue 17): `engine.ingest` of signals with N
 * distinct fingerprints that share their `groupBy` labels (`alertname`, `cluster`), so the first
 * opens an incident and every other one attaches to it (`grouped`, an `ALERT_ATTACHED` event).
 * Signals arrive in calls of up to 100, as Alertmanager delivers a group. Per-signal cost at
 * 10, 100, 1 000 and 10 000 alerts, on the memory store and on SQLite. Goal: constant per signal.
 *
 * The baseline is the same storm's 10-alert point in the same run. 10 and 100 are the medians
 * of 5 storms; 1 000 and 10 000 are the checkpoints of one storm that stops when it runs out of
 * time (BENCH_BUDGET_SECONDS per store, default 60): a size it did not reach is reported with
 * how far it got.
 */
import { createIncidentEngine, memoryStore, type IncidentEngine } from '../src/index.js';
import { firingSignal, median, openSqliteFile, secondsSince, sqliteEngine, type BenchDatabase } from './fixtures.js';
import { formatCount, formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const BUDGET_SECONDS = Number(process.env.BENCH_BUDGET_SECONDS ?? 60);
const CALL = 100;
const SMALL = [10, 100] as const;
const LARGE = [1_000, 10_000] as const;
const REPEATS = 5;
const GROUP = { alertname: 'HighErrorRate', cluster: 'eu-west-1' };
const INGEST = { groupBy: ['alertname', 'cluster'] };

/** What one storm measured at one checkpoint. */
interface Checkpoint {
  readonly alerts: number;
  /** Seconds for the whole storm up to here. */
  readonly seconds: number;
  /** Seconds per signal of the last call before the checkpoint (the marginal cost at this size). */
  readonly lastPerSignal: number;
}

/** How far a storm got. */
interface Storm {
  readonly checkpoints: readonly Checkpoint[];
  readonly reached: number;
  readonly seconds: number;
  readonly lastPerSignal: number;
}

/** Ingests a storm of distinct fingerprints of one group up to the last checkpoint, or until `deadline`. */
async function storm(engine: IncidentEngine, checkpoints: readonly number[], deadline: number): Promise<Storm> {
  const found: Checkpoint[] = [];
  let done = 0;
  let seconds = 0;
  let lastPerSignal = Number.NaN;
  let incidentId: string | undefined;
  for (const target of checkpoints) {
    while (done < target) {
      if (performance.now() > deadline) return { checkpoints: found, reached: done, seconds, lastPerSignal };
      const count = Math.min(CALL, target - done);
      const signals = Array.from({ length: count }, (_, i) => firingSignal(`storm-${String(done + i)}`, { ...GROUP, instance: `web-${String(done + i)}:9100` }));
      const start = process.hrtime.bigint();
      const results = await engine.ingest(signals);
      const took = secondsSince(start);
      for (const [i, result] of results.entries()) {
        const expected = done + i === 0 ? 'created' : 'grouped';
        if (result.outcome !== expected || (incidentId !== undefined && result.incident?.id !== incidentId)) {
          throw new Error(`signal ${String(done + i)}: expected ${expected} into one incident, got ${result.outcome}`);
        }
        incidentId ??= result.incident?.id;
      }
      seconds += took;
      lastPerSignal = took / count;
      done += count;
    }
    found.push({ alerts: target, seconds, lastPerSignal });
  }
  const incident = await engine.get(incidentId ?? '');
  if (incident.alertCount !== done) throw new Error(`the incident holds ${String(incident.alertCount)} alerts, expected ${String(done)}`);
  return { checkpoints: found, reached: done, seconds, lastPerSignal };
}

interface StoreCase {
  readonly name: string;
  /** A fresh engine on a fresh store, and how to dispose of it. */
  readonly fresh: () => { engine: IncidentEngine; close: () => void };
}

let description = '';
const cases: StoreCase[] = [
  { name: 'memory store', fresh: () => ({ engine: createIncidentEngine({ store: memoryStore(), ingest: INGEST }), close: () => undefined }) },
  {
    name: 'SQLite',
    fresh: () => {
      const database: BenchDatabase = openSqliteFile();
      description = database.description;
      const { engine } = sqliteEngine(database, { ingest: INGEST });
      return {
        engine,
        close: () => {
          // Write the held repeat counts, then let the database go.
          void engine.flush().finally(() => {
            database.close();
          });
        },
      };
    },
  },
];

interface Result {
  readonly name: string;
  /** Per checkpoint: seconds per signal over the whole storm, and of its last call. */
  readonly points: readonly ({ alerts: number; perSignal: number; lastPerSignal: number } | { alerts: number; over: { reached: number; seconds: number; lastPerSignal: number } })[];
}

const results: Result[] = [];
for (const c of cases) {
  const points: Result['points'][number][] = [];
  const small: Checkpoint[][] = [];
  for (let r = 0; r < REPEATS + 1; r += 1) {
    const { engine, close } = c.fresh();
    try {
      const s = await storm(engine, SMALL, Number.POSITIVE_INFINITY);
      if (r > 0) small.push([...s.checkpoints]); // the first storm warms up
    } finally {
      close();
    }
  }
  for (const [i, alerts] of SMALL.entries()) {
    points.push({ alerts, perSignal: median(small.map((s) => s[i]!.seconds / alerts)), lastPerSignal: median(small.map((s) => s[i]!.lastPerSignal)) });
  }
  const { engine, close } = c.fresh();
  try {
    const s = await storm(engine, LARGE, performance.now() + BUDGET_SECONDS * 1000);
    for (const alerts of LARGE) {
      const at = s.checkpoints.find((p) => p.alerts === alerts);
      points.push(at === undefined ? { alerts, over: { reached: s.reached, seconds: s.seconds, lastPerSignal: s.lastPerSignal } } : { alerts, perSignal: at.seconds / alerts, lastPerSignal: at.lastPerSignal });
    }
  } finally {
    close();
  }
  results.push({ name: c.name, points });
  console.error(`[storm] ${c.name} measured`);
}

printEnvironment();
console.log(`Signals of one group with distinct fingerprints, ingested in calls of up to ${String(CALL)}; ${description}.\n`);
const sizes = [...SMALL, ...LARGE];
const rows: string[][] = [];
for (const r of results) {
  const base = r.points[0];
  const baseWhole = base !== undefined && 'perSignal' in base ? base.perSignal : Number.NaN;
  const baseLast = base !== undefined && 'perSignal' in base ? base.lastPerSignal : Number.NaN;
  const cell = (p: Result['points'][number], pick: 'perSignal' | 'lastPerSignal', baseValue: number): string =>
    'over' in p
      ? `over budget: ${formatCount(p.over.reached)} alerts in ${formatSeconds(p.over.seconds)}${pick === 'lastPerSignal' ? `, then ${formatSeconds(p.over.lastPerSignal)}/signal` : ''}`
      : `${formatSeconds(p[pick])} (${formatRatio(p[pick] / baseValue)})`;
  const last = r.points.at(-1);
  const growth = (pick: 'perSignal' | 'lastPerSignal', baseValue: number): string => (last !== undefined && 'perSignal' in last ? formatRatio(last[pick] / baseValue) : 'n/a');
  // Only the first size the storm did not reach says how far it got.
  const cells = (pick: 'perSignal' | 'lastPerSignal', baseValue: number): string[] =>
    r.points.map((p, i) => ('over' in p && i > 0 && 'over' in r.points[i - 1]! ? 'not reached' : cell(p, pick, baseValue)));
  rows.push([`${r.name}: per signal, whole storm`, ...cells('perSignal', baseWhole), growth('perSignal', baseWhole), 'constant']);
  rows.push([`${r.name}: per signal, last call of the storm`, ...cells('lastPerSignal', baseLast), growth('lastPerSignal', baseLast), 'constant']);
}
printMarkdown(
  ['case (in parentheses: × the 10-alert storm, the baseline)', ...sizes.map((n) => `${formatCount(n)} alerts`), `${formatCount(sizes.at(-1)!)} vs ${formatCount(sizes[0]!)}`, 'goal'],
  rows,
  ['left', ...sizes.map(() => 'right' as const), 'right', 'left'],
);
console.log(`\n"Last call": seconds per signal of the storm's last \`ingest\` call before the checkpoint (up to ${String(CALL)} signals), the marginal cost once the incident holds that many alerts.`);
printRunCost();
