/**
 * The dedup-hit path of `engine.ingest` with ONE signal per call, as a webhook per alert
 * delivers them (PagerDuty, Opsgenie, a retrying sender): repeats of alerts whose incidents are
 * open, on the memory store and on SQLite, next to a raw `Map` lookup-and-count of the same keys
 * in the same run (the least any deduplicator must do).
 * Goals (issue 17): ≥ 200 000 signals/s on the memory store, ≥ 50 000 signals/s on SQLite.
 *
 * `ingest.bench.ts` measures the same path with batches of 1 000 signals per call.
 */
import { createIncidentEngine, memoryStore, type IncidentEngine, type Signal } from '../src/index.js';
import { firingSignal, median, openSqliteFile, sqliteEngine } from './fixtures.js';
import { formatCount, formatRatio, printEnvironment, printMarkdown } from './report.js';

const KEYS = 50;
const ROUNDS = 5;
/** Calls per measured run; SQLite gets fewer, as it is slower. */
const CALLS = { map: 2_000_000, memory: 40_000, sqlite: 10_000 } as const;

const signals: Signal[] = Array.from({ length: KEYS }, (_, i) => firingSignal(`fp-${String(i)}`, { instance: `web-${String(i)}:9100` }));

function rawMap(calls: number): number {
  const counts = new Map<string, { count: number; lastSeenAt: string }>();
  for (const s of signals) counts.set(s.dedupKey ?? s.fingerprint, { count: 1, lastSeenAt: s.startsAt });
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) {
    // One "call" per signal, like the engine rows: the time is read per call, too.
    const s = signals[i % KEYS]!;
    const entry = counts.get(s.dedupKey ?? s.fingerprint);
    if (entry !== undefined) {
      entry.count += 1;
      entry.lastSeenAt = new Date().toISOString();
    }
  }
  return calls / ((performance.now() - start) / 1000);
}

async function oneByOne(engine: IncidentEngine, calls: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) {
    const [result] = await engine.ingest(signals[i % KEYS]!);
    if (result?.outcome !== 'deduplicated') throw new Error(`expected a dedup hit, got ${String(result?.outcome)}`);
  }
  return calls / ((performance.now() - start) / 1000);
}

const memoryEngine = createIncidentEngine({ store: memoryStore(), ingest: { countWindowMs: 5 } });
await memoryEngine.ingest(signals); // one open incident per key
const database = openSqliteFile();
const { engine: sqlEngine } = sqliteEngine(database, { ingest: { countWindowMs: 5 } });
await sqlEngine.ingest(signals);

const results = { map: [] as number[], memory: [] as number[], sqlite: [] as number[] };
try {
  // Warm up each, then alternate the rounds so drift on a busy machine hits all alike.
  rawMap(CALLS.map / 10);
  await oneByOne(memoryEngine, CALLS.memory / 10);
  await oneByOne(sqlEngine, CALLS.sqlite / 10);
  for (let round = 0; round < ROUNDS; round += 1) {
    results.map.push(rawMap(CALLS.map));
    results.memory.push(await oneByOne(memoryEngine, CALLS.memory));
    results.sqlite.push(await oneByOne(sqlEngine, CALLS.sqlite));
  }
} finally {
  // Write the held repeat counts before the database goes away.
  await sqlEngine.flush();
  database.close();
}

const base = median(results.map);
const memory = median(results.memory);
const sqlite = median(results.sqlite);
printEnvironment();
console.log(`One signal per \`ingest()\` call, ${String(KEYS)} open incidents, median of ${String(ROUNDS)} alternating rounds.\n`);
printMarkdown(
  ['case', 'signals/s', 'vs baseline', 'goal'],
  [
    ['raw `Map` lookup-and-count, one call per signal (baseline)', formatCount(base), '1.00×', ''],
    ['`engine.ingest(signal)` dedup hit, memory store', formatCount(memory), formatRatio(memory / base), `≥ 200 000/s: ${memory >= 200_000 ? 'met' : 'NOT met'}`],
    ['`engine.ingest(signal)` dedup hit, SQLite', formatCount(sqlite), formatRatio(sqlite / base), `≥ 50 000/s: ${sqlite >= 50_000 ? 'met' : 'NOT met'}`],
  ],
  ['left', 'right', 'right', 'left'],
);
console.log(`\n${database.description}. Each call reads the open incident (\`findOpenByDedupKey\`) and writes one \`recordSignals\` counter update.`);
const sample = (await memoryEngine.list({ limit: 1 })).items[0];
console.log(`One memory-store incident's signalCount after the run: ${String(sample?.signalCount)}; its timeline still has ${String((await memoryEngine.timeline(sample?.id ?? '')).length)} event(s).`);
