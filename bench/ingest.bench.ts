/**
 * The dedup-hit path of `engine.ingest`: repeats of an alert whose incident is open, on the
 * memory store, next to a raw `Map` lookup-and-count of the same keys in the same run (the
 * least any deduplicator must do). Goal: ≥ 200 000 signals/s.
 */
import { createIncidentEngine, memoryStore, parseSignal, type Signal } from '../src/index.js';
import { printEnvironment } from './report.js';

const BATCH = 1_000;
const ROUNDS = 200;
const KEYS = 50;

const signals: Signal[] = Array.from({ length: KEYS }, (_, i) =>
  parseSignal({
    source: 'alertmanager',
    fingerprint: `fp-${String(i)}`,
    status: 'firing',
    severity: 'SEV2',
    summary: `High error rate on web-${String(i)}`,
    labels: { alertname: 'HighErrorRate', instance: `web-${String(i)}:9100`, job: 'node' },
    annotations: { description: 'Error rate above 5% for 5 minutes.' },
    startsAt: '2026-01-01T00:00:00Z',
  }),
);
// An alert storm: batches of repeats spread over the open incidents, as an Alertmanager
// group or a retrying sender delivers them.
const batch = Array.from({ length: BATCH }, (_, i) => signals[i % KEYS]!);

const engine = createIncidentEngine({ store: memoryStore() });
await engine.ingest(signals); // open one incident per key

function rawMap(): number {
  const counts = new Map<string, { count: number; lastSeenAt: string }>();
  for (const s of signals) counts.set(s.dedupKey ?? s.fingerprint, { count: 1, lastSeenAt: s.startsAt });
  const start = performance.now();
  const at = new Date().toISOString();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const s of batch) {
      const entry = counts.get(s.dedupKey ?? s.fingerprint);
      if (entry !== undefined) {
        entry.count += 1;
        entry.lastSeenAt = at;
      }
    }
  }
  return (ROUNDS * BATCH) / ((performance.now() - start) / 1000);
}

async function engineIngest(): Promise<number> {
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round += 1) await engine.ingest(batch);
  return (ROUNDS * BATCH) / ((performance.now() - start) / 1000);
}

// Warm up both, then take the median of five alternating runs.
rawMap();
await engineIngest();
const raw: number[] = [];
const eng: number[] = [];
for (let i = 0; i < 5; i += 1) {
  raw.push(rawMap());
  eng.push(await engineIngest());
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

printEnvironment();
console.log('| case | signals/s (median of 5) | vs baseline |');
console.log('| --- | ---: | ---: |');
console.log(`| raw Map lookup-and-count (baseline) | ${Math.round(median(raw)).toLocaleString('en-US')} | 1.00× |`);
console.log(
  `| engine.ingest dedup hit (memory store) | ${Math.round(median(eng)).toLocaleString('en-US')} | ${(median(eng) / median(raw)).toFixed(3)}× |`,
);
const sample = (await engine.list({ limit: 1 })).items[0];
console.log(`\nOne incident's signalCount after the run: ${String(sample?.signalCount)}; its timeline still has ${String((await engine.timeline(sample?.id ?? '')).length)} event(s).`);
console.log(`Goal ≥ 200 000 signals/s: ${median(eng) >= 200_000 ? 'met' : 'NOT met'}.`);
