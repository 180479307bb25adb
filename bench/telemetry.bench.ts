/**
 * What telemetry costs per command (issue 23 goal: telemetry off costs nothing measurable):
 * `engine.addNote` on the memory store with no `telemetry` (the baseline), with a hand-written
 * no-op `EngineTelemetry` (every hook only runs its work: the price of the hooks themselves), and
 * with `openTelemetry()` over the OpenTelemetry SDK (a span per command and per commit into an
 * in-memory exporter, the command counter and duration histogram, the commit histogram).
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Bench } from 'tinybench';
import { createIncidentEngine, memoryStore, type EngineTelemetry, type IncidentEngine } from '../src/index.js';
import { openTelemetry } from '../src/opentelemetry/index.js';
import { formatRatio, printEnvironment, printMarkdown, printRunCost } from './report.js';

const actor = { kind: 'user', id: 'u_bench' } as const;
const noteText = 'Investigating the load balancer.';

/** A reader that is never collected: the SDK still aggregates every measurement. */
class IdleReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const noop: EngineTelemetry = {
  command: (_info, run) => run(),
  ingest: (_info, run) => run(),
  commit: (_info, run) => run(),
  tick: (_info, run) => run(),
  delivery: (_info, run) => run(),
};
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const meterProvider = new MeterProvider({ readers: [new IdleReader()] });

async function engineWith(telemetry?: EngineTelemetry): Promise<{ engine: IncidentEngine; id: string }> {
  const engine = createIncidentEngine({ store: memoryStore(), ...(telemetry === undefined ? {} : { telemetry }) });
  const { id } = await engine.declare({ title: 'Bench incident', severity: 'SEV3', service: 'checkout', actor });
  return { engine, id };
}

const cases = [
  ['engine.addNote, no telemetry (baseline)', await engineWith()],
  ['engine.addNote, a no-op EngineTelemetry', await engineWith(noop)],
  ['engine.addNote, openTelemetry() into the in-memory SDK', await engineWith(openTelemetry({ tracerProvider, meterProvider }))],
] as const;

const bench = new Bench({ time: 2_000, warmup: true });
// Each case several times, interleaved, so a noisy neighbour on a shared machine hits all alike.
for (let round = 0; round < 3; round += 1) {
  for (const [name, { engine, id }] of cases) {
    bench.add(`${name} #${String(round)}`, async () => {
      await engine.addNote(id, { text: noteText, actor });
      // Keep the exporter from growing without bound; the spans were built and exported.
      if (exporter.getFinishedSpans().length > 10_000) exporter.reset();
    });
  }
}
await bench.run();

/** The median throughput of a case over its rounds. */
function opsOf(name: string): number {
  const all = bench.tasks
    .filter((task) => task.name.startsWith(`${name} #`))
    .map((task) => (task.result.state === 'completed' ? task.result.throughput.mean : Number.NaN))
    .sort((a, b) => a - b);
  return all[Math.floor(all.length / 2)] ?? Number.NaN;
}

printEnvironment();
const base = opsOf(cases[0][0]);
printMarkdown(
  ['case', 'ops/s (median of 3 rounds)', 'cost vs no telemetry'],
  cases.map(([name]) => [name, Math.round(opsOf(name)).toLocaleString('en-US'), formatRatio(base / opsOf(name))]),
);
printRunCost();
