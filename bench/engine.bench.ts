/**
 * Engine command throughput on the memory store, next to bare `transition()` of the same
 * events in the same run. The gap is the engine's own work per command: validation, loading
 * and restoring the snapshot, hashing the event (SHA-256), building the projection and the
 * versioned commit.
 */
import { Bench } from 'tinybench';
import { initialTransition, transition } from 'xstate';
import { createIncidentEngine, incidentMachine, memoryStore, type LifecycleEvent } from '../src/index.js';
import { printEnvironment, printTable } from './report.js';

const actor = { kind: 'user', id: 'u_bench' } as const;
const at = '2026-01-01T00:00:00.000Z';
const notes: LifecycleEvent[] = [{ type: 'ADD_NOTE', text: 'Investigating the load balancer.', at, actor }];

const engine = createIncidentEngine({ store: memoryStore() });
const incident = await engine.declare({ title: 'Bench incident', severity: 'SEV3', actor });
const [start] = initialTransition(incidentMachine, {
  id: 'inc_bench',
  tenantId: 'default',
  at,
  actor,
  title: 'Bench incident',
  severity: 'SEV3',
  policy: { reviewRequiredFor: [] },
});
let snapshot = start;

const bench = new Bench({ time: 2_000, warmup: true });
bench
  .add('transition() only (baseline)', () => {
    for (const event of notes) [snapshot] = transition(incidentMachine, snapshot, event);
  })
  .add('engine.addNote (memory store)', async () => {
    await engine.addNote(incident.id, { text: 'Investigating the load balancer.', actor });
  })
  .add('engine.declare (memory store)', async () => {
    await engine.declare({ title: 'Bench incident', severity: 'SEV3', actor });
  });
await bench.run();

printEnvironment();
printTable(
  bench.tasks.map((task) => ({
    name: task.name,
    opsPerSecond: task.result.state === 'completed' ? task.result.throughput.mean : Number.NaN,
  })),
  'transition() only (baseline)',
);
const timeline = await engine.timeline(incident.id);
console.log(`\nThe benchmarked incident's timeline grew to ${String(timeline.length)} events; get() still reads one projection.`);
