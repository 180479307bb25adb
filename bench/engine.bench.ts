/**
 * Engine command throughput on the memory store, each next to the bare XState call of the same
 * event in the same run (issue 17 goal: a command costs at most 1.5× its bare transition):
 * - `engine.addNote` against `transition()` of the same `ADD_NOTE` event;
 * - `engine.declare` against `initialTransition()` of the same machine input (read back from
 *   the `DECLARED` event the engine stored, so both start the same incident).
 * The gap is the engine's own work per command: validation, loading and restoring the snapshot,
 * hashing the event (SHA-256), building the projection and the versioned commit.
 *
 * XState's `transition()` and `initialTransition()` build a throwaway actor on every call (most
 * of their cost); the engine steps the machine through one reused actor scope instead. So the
 * table also shows the true floor, `incidentMachine.transition()` / `getInitialSnapshot()` with a
 * reused scope, and the engine's cost against it.
 */
import { Bench } from 'tinybench';
import { createActor, initialTransition, transition, type ActorScope } from 'xstate';
import { createIncidentEngine, incidentMachine, memoryStore, type IncidentMachineInput, type LifecycleEvent } from '../src/index.js';
import { formatRatio, printEnvironment, printMarkdown } from './report.js';

const GOAL = 1.5;
const actor = { kind: 'user', id: 'u_bench' } as const;
const declareInput = { title: 'Bench incident', severity: 'SEV3', service: 'checkout', actor } as const;
const noteText = 'Investigating the load balancer.';

const engine = createIncidentEngine({ store: memoryStore() });
const incident = await engine.declare(declareInput);
const [declared] = await engine.timeline(incident.id);
if (declared?.type !== 'DECLARED') throw new Error('the first event is not DECLARED');
// The machine input the engine started this incident from: the DECLARED event holds it without `at` and `actor`.
const machineInput = { ...declared.data, at: declared.at, actor: declared.actor } as unknown as IncidentMachineInput;
let [snapshot] = initialTransition(incidentMachine, machineInput);
const at = new Date().toISOString();
let floorSnapshot = snapshot;
// One inert scope for every step, as the engine keeps one: actions are collected, never run.
const self = createActor(incidentMachine, { input: machineInput });
const scope = {
  self,
  id: '',
  sessionId: '',
  system: self.system,
  logger: () => undefined,
  defer: () => undefined,
  emit: () => undefined,
  stopChild: () => undefined,
  actionExecutor: () => undefined,
} as unknown as ActorScope<typeof snapshot, LifecycleEvent>;

const bench = new Bench({ time: 2_000, warmup: true });
bench
  .add('transition() of ADD_NOTE (baseline)', () => {
    const event: LifecycleEvent = { type: 'ADD_NOTE', text: noteText, at, actor };
    [snapshot] = transition(incidentMachine, snapshot, event);
  })
  .add('engine.addNote (memory store)', async () => {
    await engine.addNote(incident.id, { text: noteText, actor });
  })
  .add('initialTransition() of the same declare input (baseline)', () => {
    initialTransition(incidentMachine, machineInput);
  })
  .add('engine.declare (memory store)', async () => {
    await engine.declare(declareInput);
  })
  .add('machine step, reused scope (floor)', () => {
    const event: LifecycleEvent = { type: 'ADD_NOTE', text: noteText, at, actor };
    floorSnapshot = incidentMachine.transition(floorSnapshot, event, scope);
  })
  .add('machine start, reused scope (floor)', () => {
    incidentMachine.getInitialSnapshot(scope, machineInput);
  });
await bench.run();

const opsOf = (name: string): number => {
  const task = bench.tasks.find((t) => t.name === name);
  return task?.result.state === 'completed' ? task.result.throughput.mean : Number.NaN;
};
const pairs = [
  ['transition() of ADD_NOTE (baseline)', 'engine.addNote (memory store)'],
  ['initialTransition() of the same declare input (baseline)', 'engine.declare (memory store)'],
] as const;
const floors = [
  ['machine step, reused scope (floor)', 'engine.addNote (memory store)'],
  ['machine start, reused scope (floor)', 'engine.declare (memory store)'],
] as const;

printEnvironment();
const rows: string[][] = [];
for (const [baseline, command] of pairs) {
  const base = opsOf(baseline);
  const ops = opsOf(command);
  const cost = base / ops;
  rows.push([baseline, Math.round(base).toLocaleString('en-US'), '1.00×', '']);
  rows.push([command, Math.round(ops).toLocaleString('en-US'), formatRatio(cost), `≤ ${GOAL.toFixed(1)}×: ${cost <= GOAL ? 'met' : 'NOT met'}`]);
}
for (const [floor, command] of floors) {
  const base = opsOf(floor);
  rows.push([floor, Math.round(base).toLocaleString('en-US'), '1.00×', '']);
  rows.push([`${command} vs the floor`, Math.round(opsOf(command)).toLocaleString('en-US'), formatRatio(base / opsOf(command)), '(no goal: the floor)']);
}
printMarkdown(['case', 'ops/s', 'cost vs its baseline', 'goal'], rows, ['left', 'right', 'right', 'left']);
const timeline = await engine.timeline(incident.id);
console.log(`\nThe benchmarked incident's timeline grew to ${String(timeline.length)} events; get() still reads one projection.`);
