/**
 * `engine.ingest` with routing rules vs none, on the dedup-hit path: repeats of alerts whose
 * incidents are open, one signal per call (a webhook per alert) and 1 000 per call, on the memory
 * store and on SQLite, with 0, 10, 200 and 1 000 rules in force.
 * Goal (issue 19): ingest with 200 rules under 2× slower than with none on the dedup-hit path.
 *
 * The rules are the mix of `routing.bench.ts`: per-team `equals` on a label, `all` with an `in`
 * on the severity, `any` with a `not`, and `all` of an `exists` and an anchored `matches` (one
 * rule in four); each sets the service, an escalation policy and a dedup key template, so a
 * matching signal's key is rendered on every repeat. Half the signals match the last rule (all
 * rules may be tried), half match none.
 */
import { createIncidentEngine, memoryStore, type IncidentEngine, type Signal } from '../src/index.js';
import { defineRoutes, type RouteRuleInput, type Routes } from '../src/features/routing/index.js';
import { firingSignal, median, openSqliteFile, sqliteEngine, type BenchDatabase } from './fixtures.js';
import { formatCount, formatRatio, printEnvironment, printMarkdown } from './report.js';

const KEYS = 50;
const ROUNDS = 5;
const SIZES = [0, 10, 200, 1_000] as const;
/** Signals per measured run, per store and call shape. */
const SIGNALS = { memory: { one: 20_000, batch: 200_000 }, sqlite: { one: 6_000, batch: 100_000 } } as const;

function rule(i: number): RouteRuleInput {
  const team = `team-${String(i)}`;
  const shapes: RouteRuleInput['when'][] = [
    { field: 'labels.team', equals: team },
    { all: [{ field: 'labels.team', equals: team }, { field: 'severity', in: ['SEV1', 'SEV2'] }] },
    { any: [{ field: 'labels.service', equals: team }, { all: [{ field: 'labels.team', equals: team }, { not: { field: 'labels.env', equals: 'test' } }] }] },
    { all: [{ field: 'labels.team', exists: true }, { field: 'labels.instance', matches: `^${team}-\\d+:` }] },
  ];
  return { id: `rule-${String(i)}`, when: shapes[i % shapes.length]!, then: { service: team, policy: 'bench', dedupKey: '{{labels.alertname}}:{{labels.instance}}' } };
}

const routesBySize = new Map<number, Routes>(SIZES.map((n) => [n, defineRoutes(Array.from({ length: n }, (_, i) => rule(i)))]));

/** Half the keys match the last rule of the largest set (and no rule of the smaller sets but their last, when it is the same team), half match none. */
function signalsFor(rules: number): Signal[] {
  const last = Math.max(0, rules - 1);
  const team = `team-${String(last)}`;
  return Array.from({ length: KEYS }, (_, i) =>
    i % 2 === 0
      ? firingSignal(`fp-${String(i)}`, { team, instance: `${team}-${String(i)}:9100`, alertname: 'HighLatency', service: team }, { severity: 'SEV2' })
      : firingSignal(`fp-${String(i)}`, { team: 'nobody', instance: `web-${String(i)}:9100`, alertname: 'HighLatency' }),
  );
}

const policies = { escalationPolicies: { bench: { levels: [{ afterMinutes: 5, targets: ['bench-oncall'] }] } } };

interface Case {
  readonly rules: number;
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
async function makeCase(store: 'memory' | 'sqlite', rules: number): Promise<Case> {
  const routing = routesBySize.get(rules);
  const options = { ingest: { countWindowMs: 5 }, policies, ...(rules === 0 || routing === undefined ? {} : { routing }) };
  let engine: IncidentEngine;
  if (store === 'memory') engine = createIncidentEngine({ store: memoryStore(), ...options });
  else {
    const database = openSqliteFile();
    databases.push(database);
    engine = sqliteEngine(database, options).engine;
  }
  const signals = signalsFor(rules);
  await engine.ingest(signals); // one open incident per key
  const batch = Array.from({ length: 1_000 }, (_, i) => signals[i % KEYS]!);
  return { rules, engine, signals, batch };
}

const rows: string[][] = [];
try {
  for (const store of ['memory', 'sqlite'] as const) {
    const cases = await Promise.all(SIZES.map((n) => makeCase(store, n)));
    const one = new Map<number, number[]>(SIZES.map((n) => [n, []]));
    const many = new Map<number, number[]>(SIZES.map((n) => [n, []]));
    for (const c of cases) {
      await oneByOne(c, SIGNALS[store].one / 10);
      await batches(c, SIGNALS[store].batch / 10);
    }
    // Alternate the cases within each round, so drift on a busy machine hits all alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const c of cases) {
        one.get(c.rules)!.push(await oneByOne(c, SIGNALS[store].one));
        many.get(c.rules)!.push(await batches(c, SIGNALS[store].batch));
      }
    }
    for (const c of cases) await c.engine.flush();
    const baseOne = median(one.get(0)!);
    const baseMany = median(many.get(0)!);
    for (const n of SIZES) {
      const o = median(one.get(n)!);
      const m = median(many.get(n)!);
      const goal = n === 200 ? `< 2× slower: one per call ${baseOne / o < 2 ? 'met' : 'NOT met'}, batched ${baseMany / m < 2 ? 'met' : 'NOT met'}` : '';
      rows.push([store, n === 0 ? '0 (baseline)' : String(n), formatCount(o), formatRatio(o / baseOne), formatCount(m), formatRatio(m / baseMany), goal]);
    }
  }
} finally {
  for (const database of databases) database.close();
}

printEnvironment();
console.log(`Dedup hits, ${String(KEYS)} open incidents, median of ${String(ROUNDS)} alternating rounds; "vs none" is throughput relative to 0 rules (below 0.50× misses the goal).\n`);
printMarkdown(['store', 'rules', 'one per call (signals/s)', 'vs none', '1 000 per call (signals/s)', 'vs none', 'goal (200 rules)'], rows);
