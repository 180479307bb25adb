/**
 * `engine.ingest` with routing rules vs none, on the dedup-hit path: repeats of alerts whose
 * incidents are open, one signal per call (a webhook per alert) and 1 000 per call, on the memory
 * store and on SQLite, with no rules, 10, 200 and 1 000 keyed rules, and 200 mixed or unkeyed ones.
 * Goal (issue 19): ingest with 200 rules under 2× slower than with none on the dedup-hit path.
 *
 * The rule sets are those of `routingRules.ts` (keyed, mixed, unkeyed); each rule sets the
 * service, an escalation policy and a dedup key template, so a matching signal's key is rendered
 * on every repeat. Half the signals match the set's last rule, half match none.
 */
import { createIncidentEngine, memoryStore, type IncidentEngine, type Signal } from '../src/index.js';
import { defineRoutes } from '../src/features/routing/index.js';
import { firingSignal, median, openSqliteFile, sqliteEngine, type BenchDatabase } from './fixtures.js';
import { formatCount, formatRatio, printEnvironment, printMarkdown } from './report.js';
import { rule, signals, type Shape } from './routingRules.js';

const KEYS = 50;
const ROUNDS = 5;
/** Signals per measured run, per store and call shape. */
const SIGNALS = { memory: { one: 10_000, batch: 100_000 }, sqlite: { one: 4_000, batch: 50_000 } } as const;

/** A case: no rules, or `size` rules of one set. */
interface Setup {
  readonly label: string;
  readonly shape?: Shape;
  readonly size: number;
}

const SETUPS: readonly Setup[] = [
  { label: 'none (baseline)', size: 0 },
  { label: 'keyed 10', shape: 'keyed', size: 10 },
  { label: 'keyed 200', shape: 'keyed', size: 200 },
  { label: 'keyed 1 000', shape: 'keyed', size: 1_000 },
  { label: 'mixed 200', shape: 'mixed', size: 200 },
  { label: 'unkeyed 200', shape: 'unkeyed', size: 200 },
];

/** Half the keys match the set's last rule (the signal of `routingRules.ts`, with its own instance), half match none. */
function signalsFor(setup: Setup): Signal[] {
  const { matchesLast, matchesNone } = signals(setup.shape ?? 'keyed', Math.max(0, setup.size - 1));
  return Array.from({ length: KEYS }, (_, i) => {
    const base = i % 2 === 0 ? matchesLast : matchesNone;
    const instance = (base.labels.instance ?? 'web-1:9100').replace(/-1:9100$/, `-${String(i)}:9100`);
    return firingSignal(`fp-${String(i)}`, { ...base.labels, instance, alertname: base.labels.alertname ?? 'HighLatency' }, { severity: base.severity });
  });
}

const policies = { escalationPolicies: { bench: { levels: [{ afterMinutes: 5, targets: ['bench-oncall'] }] } } };

interface Case {
  readonly setup: Setup;
  readonly engine: IncidentEngine;
  readonly signals: Signal[];
  readonly batch: Signal[];
}

async function oneByOne(c: Case, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    const [result] = await c.engine.ingest(c.signals[i % KEYS]!);
    if (result?.outcome !== 'deduplicated') throw new Error(`expected a dedup hit, got ${String(result?.outcome)}`);
  }
  return count / ((performance.now() - start) / 1000);
}

async function batches(c: Case, count: number): Promise<number> {
  const start = performance.now();
  for (let done = 0; done < count; done += c.batch.length) {
    const results = await c.engine.ingest(c.batch);
    if (results[results.length - 1]?.outcome !== 'deduplicated') throw new Error('expected dedup hits');
  }
  return count / ((performance.now() - start) / 1000);
}

const databases: BenchDatabase[] = [];
async function makeCase(store: 'memory' | 'sqlite', setup: Setup): Promise<Case> {
  const routing = setup.shape === undefined ? undefined : defineRoutes(Array.from({ length: setup.size }, (_, i) => rule(setup.shape ?? 'keyed', i)));
  const options = { ingest: { countWindowMs: 5 }, policies, ...(routing === undefined ? {} : { routing }) };
  let engine: IncidentEngine;
  if (store === 'memory') engine = createIncidentEngine({ store: memoryStore(), ...options });
  else {
    const database = openSqliteFile();
    databases.push(database);
    engine = sqliteEngine(database, options).engine;
  }
  const signals = signalsFor(setup);
  await engine.ingest(signals); // one open incident per key
  const batch = Array.from({ length: 1_000 }, (_, i) => signals[i % KEYS]!);
  return { setup, engine, signals, batch };
}

const rows: string[][] = [];
try {
  for (const store of ['memory', 'sqlite'] as const) {
    const cases = await Promise.all(SETUPS.map((setup) => makeCase(store, setup)));
    const one = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const many = new Map<Case, number[]>(cases.map((c) => [c, []]));
    for (const c of cases) {
      await oneByOne(c, SIGNALS[store].one / 10);
      await batches(c, SIGNALS[store].batch / 10);
    }
    // Alternate the cases within each round, so drift on a busy machine hits all alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const c of cases) {
        one.get(c)!.push(await oneByOne(c, SIGNALS[store].one));
        many.get(c)!.push(await batches(c, SIGNALS[store].batch));
      }
    }
    for (const c of cases) await c.engine.flush();
    const baseOne = median(one.get(cases[0]!)!);
    const baseMany = median(many.get(cases[0]!)!);
    for (const c of cases) {
      const o = median(one.get(c)!);
      const m = median(many.get(c)!);
      const goal = c.setup.size === 200 ? `one per call ${baseOne / o < 2 ? 'met' : 'NOT met'}, batched ${baseMany / m < 2 ? 'met' : 'NOT met'}` : '';
      rows.push([store, c.setup.label, formatCount(o), formatRatio(o / baseOne), formatCount(m), formatRatio(m / baseMany), goal]);
    }
  }
} finally {
  for (const database of databases) database.close();
}

printEnvironment();
console.log(`Dedup hits, ${String(KEYS)} open incidents, median of ${String(ROUNDS)} alternating rounds; "vs none" is throughput relative to 0 rules (below 0.50× misses the goal).\n`);
printMarkdown(['store', 'rules in force', 'one per call (signals/s)', 'vs none', '1 000 per call (signals/s)', 'vs none', 'goal (200 rules: under 2× slower)'], rows);
