/**
 * computeMetrics over 1 000 000 synthetic incidents grouped by service, next to a naive
 * sort-everything implementation in the same run. Goal: ≤ 2 s for the streaming path.
 *
 * Incidents are produced lazily by a generator: fresh lightweight objects (as rows from a
 * database cursor would be) whose ISO timestamps come from a precomputed pool, so the bench
 * measures computeMetrics rather than `toISOString`. A "generator only" row shows what
 * producing the incidents costs by itself. Each case runs in its own process, so the peak
 * memory of one never colours the next.
 *
 * Usage: `npx tsx bench/metrics.bench.ts [count]` (default 1 000 000).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { computeMetrics, computeMetricsSync } from '../src/metrics/computeMetrics.js';
import type { MetricsIncident } from '../src/metrics/types.js';
import { seededRandom } from './random.js';
import { printEnvironment } from './report.js';

const SERVICES = Array.from({ length: 20 }, (_, i) => `service-${String(i).padStart(2, '0')}`);
const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'];
const POOL = 1 << 16;
const T0 = Date.parse('2024-01-01T00:00:00.000Z');

interface Times {
  readonly started: string;
  readonly detected: string;
  readonly acknowledged: string;
  readonly mitigated: string;
  readonly resolved: string;
}

const pool: Times[] = (() => {
  const rand = seededRandom(42);
  const minutes = (mean: number): number => Math.round(-Math.log(1 - rand()) * mean * 60_000); // exponential
  return Array.from({ length: POOL }, (_, i) => {
    const started = T0 + i * 7 * 60_000 + Math.round(rand() * 60_000);
    const detected = started + minutes(6);
    const acknowledged = detected + minutes(4);
    const mitigated = acknowledged + minutes(25);
    const resolved = mitigated + minutes(90);
    const iso = (ms: number): string => new Date(ms).toISOString();
    return { started: iso(started), detected: iso(detected), acknowledged: iso(acknowledged), mitigated: iso(mitigated), resolved: iso(resolved) };
  });
})();

let peakHeap = 0;
let peakExternal = 0;
function sample(): void {
  const m = process.memoryUsage();
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  if (m.arrayBuffers > peakExternal) peakExternal = m.arrayBuffers;
}

/** Lazily yields `n` incidents; every 20th was never acknowledged, every 50th is still open. */
function* synthetic(n: number): Generator<MetricsIncident> {
  for (let i = 0; i < n; i += 1) {
    if ((i & 0xffff) === 0) sample();
    const t = pool[i & (POOL - 1)]!;
    const open = i % 50 === 0;
    // One object shape for every incident, as rows from a database would have (null for missing).
    yield {
      service: SERVICES[i % SERVICES.length]!,
      severity: SEVERITIES[i % SEVERITIES.length]!,
      status: open ? 'responding' : 'resolved',
      startedAt: t.started,
      detectedAt: t.detected,
      acknowledgedAt: i % 20 === 0 ? null : t.acknowledged,
      mitigatedAt: open ? null : t.mitigated,
      resolvedAt: open ? null : t.resolved,
    };
  }
}

/** The same incidents behind a promise each, as a database cursor or `engine.scan` delivers them. */
function syntheticAsync(n: number): AsyncIterable<MetricsIncident> {
  const items = synthetic(n);
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(items.next()) }) };
}

/** What a first implementation would do: keep every incident, group them, sort each duration's values. */
function naiveMetrics(source: Iterable<MetricsIncident>): Record<string, Record<string, { mean: number; median: number; p90: number; p95: number; p99: number; std: number; count: number }>> {
  const all = [...source];
  sample();
  const groups = new Map<string, MetricsIncident[]>();
  for (const incident of all) {
    const key = incident.service ?? '(none)';
    const list = groups.get(key) ?? [];
    list.push(incident);
    groups.set(key, list);
  }
  groups.set('overall', all);
  const defs = { mttd: ['startedAt', 'detectedAt'], mtta: ['detectedAt', 'acknowledgedAt'], mttm: ['detectedAt', 'mitigatedAt'], mttr: ['detectedAt', 'resolvedAt'] } as const;
  const out: ReturnType<typeof naiveMetrics> = {};
  for (const [key, incidents] of groups) {
    out[key] = {};
    for (const [name, [from, to]] of Object.entries(defs)) {
      const values = incidents
        .filter((i) => i[from] != null && i[to] != null)
        .map((i) => Date.parse(String(i[to])) - Date.parse(String(i[from])))
        .sort((a, b) => a - b);
      sample();
      const q = (p: number): number => {
        const h = (values.length - 1) * p;
        const lo = Math.floor(h);
        return values[lo]! + (h - lo) * ((values[Math.ceil(h)] ?? values[lo]!) - values[lo]!);
      };
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      out[key][name] = { count: values.length, mean, median: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), std };
    }
  }
  return out;
}

const CASES = {
  'generator only (cost of producing the incidents)': (n: number) => {
    let count = 0;
    for (const _ of synthetic(n)) count += 1;
    return Promise.resolve(count);
  },
  'computeMetricsSync, streamed from a generator': (n: number) =>
    Promise.resolve(computeMetricsSync(synthetic(n), { groupBy: 'service' }).overall.durations.mttr?.p90),
  'computeMetrics (async API), sync generator': async (n: number) =>
    (await computeMetrics(synthetic(n), { groupBy: 'service' })).overall.durations.mttr?.p90,
  'computeMetrics, AsyncIterable (await per incident)': async (n: number) =>
    (await computeMetrics(syntheticAsync(n), { groupBy: 'service' })).overall.durations.mttr?.p90,
  'computeMetrics, every option (mtbf, thresholds, targets, now)': async (n: number) =>
    (
      await computeMetrics(synthetic(n), {
        groupBy: 'service',
        mtbf: true,
        thresholds: [15 * 60_000, 60 * 60_000, 240 * 60_000],
        targets: { SEV1: { acknowledgeWithinMinutes: 5, resolveWithinMinutes: 240 }, SEV2: { acknowledgeWithinMinutes: 15 } },
        now: '2026-01-01T00:00:00Z',
      })
    ).overall.mtbf?.mean,
  'naive: keep every incident, sort every group (baseline)': (n: number) => Promise.resolve(naiveMetrics(synthetic(n)).overall?.mttr?.p90),
} as const satisfies Record<string, (n: number) => Promise<unknown>>;

type CaseName = keyof typeof CASES;

interface Measured {
  readonly name: string;
  readonly ms: number;
  /** User + system CPU time of the process (all its threads, GC included). */
  readonly cpuMs: number;
  readonly peakHeapMb: number;
  readonly peakExternalMb: number;
  readonly maxRssMb: number;
  readonly check: unknown;
}

async function runCase(name: CaseName, n: number): Promise<Measured> {
  globalThis.gc?.();
  sample();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const check = await CASES[name](n);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  sample();
  return {
    name,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakHeapMb: peakHeap / 2 ** 20,
    peakExternalMb: peakExternal / 2 ** 20,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    check,
  };
}

const self = fileURLToPath(import.meta.url);
const childCase = process.argv[2] === '--case' ? (process.argv[3] as CaseName) : undefined;
const count = Number(process.argv[childCase === undefined ? 2 : 4] ?? 1_000_000);

if (childCase !== undefined) {
  process.stdout.write(`${JSON.stringify(await runCase(childCase, count))}\n`);
} else {
  printEnvironment();
  const execArgv = process.execArgv.includes('--expose-gc') ? process.execArgv : [...process.execArgv, '--expose-gc'];
  const rows: Measured[] = [];
  for (const name of Object.keys(CASES) as CaseName[]) {
    const child = spawnSync(process.execPath, [...execArgv, self, '--case', name, String(count)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exit(1);
    }
    rows.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Measured);
  }
  const baseline = rows.find((r) => r.name.startsWith('naive'))?.ms ?? Number.NaN;
  console.log(`${count.toLocaleString('en-US')} incidents, grouped by service (20 services), default durations (MTTD, MTTA, MTTM, MTTR).\n`);
  console.log('| case | wall time | CPU time | incidents/s | vs naive | peak heap | peak typed arrays | max RSS |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${(r.ms / 1000).toFixed(2)} s | ${(r.cpuMs / 1000).toFixed(2)} s | ${Math.round((count / r.ms) * 1000).toLocaleString('en-US')} | ${(baseline / r.ms).toFixed(2)}× | ${r.peakHeapMb.toFixed(0)} MB | ${r.peakExternalMb.toFixed(0)} MB | ${r.maxRssMb.toFixed(0)} MB |`,
    );
  }
  const main = rows.find((r) => r.name.startsWith('computeMetricsSync'));
  const checks = new Set(rows.filter((r) => r.name.includes('computeMetricsSync') || r.name.includes('async API') || r.name.includes('AsyncIterable') || r.name.startsWith('naive')).map((r) => String(r.check)));
  console.log(`\nMTTR p90 agrees across implementations: ${checks.size === 1 ? 'yes' : `no (${[...checks].join(', ')})`}.`);
  console.log(
    `Goal ≤ 2 s for computeMetrics over ${count.toLocaleString('en-US')} incidents: ${main !== undefined && main.ms <= 2000 ? 'met' : 'missed'} (wall ${((main?.ms ?? Number.NaN) / 1000).toFixed(2)} s, CPU ${((main?.cpuMs ?? Number.NaN) / 1000).toFixed(2)} s).`,
  );
  const [load] = loadavg();
  console.log(`Load average during the run: ${(load ?? 0).toFixed(1)} on ${String(cpus().length)} CPUs; wall times stretch when the machine is busy, CPU times much less.`);
  console.log('Peak heap is sampled every 65 536 incidents and at phase ends; typed arrays hold the values kept for exact percentiles.');
}
