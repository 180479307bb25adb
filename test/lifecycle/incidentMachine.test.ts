/**
 * Every state × every event of the lifecycle machine, checked against the transition table of
 * DESIGN §3 written out below, both on the pure machine (`transition()`) and through the engine.
 *
 * The reachable states come from @xstate/graph: a shortest-path traversal of `incidentMachine`
 * over every lifecycle event, with states told apart by status and by the two facts the guards
 * read (does action item `act_1` exist; is the review completed). Each traversal runs twice:
 * once for an incident whose severity needs a review before close (SEV1) and once for one that
 * does not (SEV3).
 */
import { getShortestPaths, getStateNodes } from '@xstate/graph';
import { beforeAll, describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { InvalidTransitionError, NotFoundError, isIncidentKitError } from '../../src/errors.js';
import { STORED_TYPE_OF, type LifecycleEvent } from '../../src/lifecycle/events.js';
import { incidentMachine, type IncidentMachineInput } from '../../src/lifecycle/incidentMachine.js';
import { statusOf, type IncidentSnapshot } from '../../src/lifecycle/projection.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import type { StoredEvent } from '../../src/model/event.js';
import { INCIDENT_STATUSES, type Incident, type IncidentStatus } from '../../src/model/incident.js';
import { memoryStore } from '../../src/storage/memory.js';
import type { StoredIncident } from '../../src/storage/types.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import {
  ALICE_STORED,
  COMMAND_EVENT_TYPES,
  FIRST_ACTION_ITEM_ID,
  T0,
  declareIncident,
  type CommandEventType,
  machineEvent,
  makeEngine,
  runCommand,
  storedState,
  thrown,
} from '../helpers.js';

/** A cell: the next status, `'refused'`, or a next status that a guard may refuse. */
type Cell =
  | IncidentStatus
  | 'refused'
  | { readonly guard: 'reviewPolicy' | 'actionItemExists'; readonly target: IncidentStatus };

const REVIEW = { guard: 'reviewPolicy' } as const;
const ITEM = { guard: 'actionItemExists' } as const;

/** The transition table of DESIGN §3 (plus the fact events accepted in every open state). */
const TABLE: Readonly<Record<IncidentStatus, Readonly<Record<CommandEventType, Cell>>>> = {
  triage: {
    ACKNOWLEDGE: 'responding',
    MITIGATE: 'mitigated',
    RESOLVE: 'resolved',
    CANCEL: 'canceled',
    REOPEN: 'refused',
    START_REVIEW: 'refused',
    COMPLETE_REVIEW: 'refused',
    CLOSE: 'refused',
    ASSIGN_ROLE: 'triage',
    SET_SEVERITY: 'triage',
    ADD_NOTE: 'triage',
    POST_UPDATE: 'triage',
    RECORD_ROOT_CAUSE: 'triage',
    ADD_ACTION_ITEM: 'triage',
    UPDATE_ACTION_ITEM: { ...ITEM, target: 'triage' },
  },
  responding: {
    ACKNOWLEDGE: 'refused',
    MITIGATE: 'mitigated',
    RESOLVE: 'resolved',
    CANCEL: 'canceled',
    REOPEN: 'refused',
    START_REVIEW: 'refused',
    COMPLETE_REVIEW: 'refused',
    CLOSE: 'refused',
    ASSIGN_ROLE: 'responding',
    SET_SEVERITY: 'responding',
    ADD_NOTE: 'responding',
    POST_UPDATE: 'responding',
    RECORD_ROOT_CAUSE: 'responding',
    ADD_ACTION_ITEM: 'responding',
    UPDATE_ACTION_ITEM: { ...ITEM, target: 'responding' },
  },
  mitigated: {
    ACKNOWLEDGE: 'refused',
    MITIGATE: 'refused',
    RESOLVE: 'resolved',
    CANCEL: 'refused',
    REOPEN: 'responding',
    START_REVIEW: 'refused',
    COMPLETE_REVIEW: 'refused',
    CLOSE: 'refused',
    ASSIGN_ROLE: 'mitigated',
    SET_SEVERITY: 'mitigated',
    ADD_NOTE: 'mitigated',
    POST_UPDATE: 'mitigated',
    RECORD_ROOT_CAUSE: 'mitigated',
    ADD_ACTION_ITEM: 'mitigated',
    UPDATE_ACTION_ITEM: { ...ITEM, target: 'mitigated' },
  },
  resolved: {
    ACKNOWLEDGE: 'refused',
    MITIGATE: 'refused',
    RESOLVE: 'refused',
    CANCEL: 'refused',
    REOPEN: 'responding',
    START_REVIEW: 'postIncident',
    COMPLETE_REVIEW: 'refused',
    CLOSE: { ...REVIEW, target: 'closed' },
    ASSIGN_ROLE: 'resolved',
    SET_SEVERITY: 'resolved',
    ADD_NOTE: 'resolved',
    POST_UPDATE: 'resolved',
    RECORD_ROOT_CAUSE: 'resolved',
    ADD_ACTION_ITEM: 'resolved',
    UPDATE_ACTION_ITEM: { ...ITEM, target: 'resolved' },
  },
  postIncident: {
    ACKNOWLEDGE: 'refused',
    MITIGATE: 'refused',
    RESOLVE: 'refused',
    CANCEL: 'refused',
    REOPEN: 'responding',
    START_REVIEW: 'refused',
    COMPLETE_REVIEW: 'postIncident',
    CLOSE: { ...REVIEW, target: 'closed' },
    ASSIGN_ROLE: 'postIncident',
    SET_SEVERITY: 'postIncident',
    ADD_NOTE: 'postIncident',
    POST_UPDATE: 'postIncident',
    RECORD_ROOT_CAUSE: 'postIncident',
    ADD_ACTION_ITEM: 'postIncident',
    UPDATE_ACTION_ITEM: { ...ITEM, target: 'postIncident' },
  },
  closed: {
    ACKNOWLEDGE: 'refused',
    MITIGATE: 'refused',
    RESOLVE: 'refused',
    CANCEL: 'refused',
    REOPEN: 'refused',
    START_REVIEW: 'refused',
    COMPLETE_REVIEW: 'refused',
    CLOSE: 'refused',
    ASSIGN_ROLE: 'refused',
    SET_SEVERITY: 'refused',
    ADD_NOTE: 'refused',
    POST_UPDATE: 'refused',
    RECORD_ROOT_CAUSE: 'refused',
    ADD_ACTION_ITEM: 'refused',
    UPDATE_ACTION_ITEM: { ...ITEM, target: 'closed' },
  },
  canceled: {
    ACKNOWLEDGE: 'refused',
    MITIGATE: 'refused',
    RESOLVE: 'refused',
    CANCEL: 'refused',
    REOPEN: 'refused',
    START_REVIEW: 'refused',
    COMPLETE_REVIEW: 'refused',
    CLOSE: 'refused',
    ASSIGN_ROLE: 'refused',
    SET_SEVERITY: 'refused',
    ADD_NOTE: 'refused',
    POST_UPDATE: 'refused',
    RECORD_ROOT_CAUSE: 'refused',
    ADD_ACTION_ITEM: 'refused',
    UPDATE_ACTION_ITEM: 'refused',
  },
};

/** Whether action item `act_1` exists: the fact the `actionItemExists` guard reads. */
function hasItem(snapshot: IncidentSnapshot): boolean {
  return snapshot.context.actionItems.some((item) => item.id === FIRST_ACTION_ITEM_ID);
}

/** Whether the review is completed. */
function reviewDone(snapshot: IncidentSnapshot): boolean {
  return snapshot.context.review?.completedAt !== undefined;
}

/** Whether the review policy lets this incident close (written from DESIGN §3, not from src). */
function reviewPolicyAllows(snapshot: IncidentSnapshot): boolean {
  const { policy, severity } = snapshot.context;
  return !policy.reviewRequiredFor.includes(severity) || reviewDone(snapshot);
}

/** The expected outcome of `type` in `snapshot`, read from {@link TABLE}. */
function expectedOutcome(snapshot: IncidentSnapshot, type: CommandEventType): IncidentStatus | 'refused' {
  const cell = TABLE[statusOf(snapshot)][type];
  if (typeof cell === 'string') return cell;
  const allowed = cell.guard === 'reviewPolicy' ? reviewPolicyAllows(snapshot) : hasItem(snapshot);
  return allowed ? cell.target : 'refused';
}

/** The command events a status accepts when guards are ignored, in {@link COMMAND_EVENT_TYPES} order. */
function acceptedIgnoringGuards(status: IncidentStatus): CommandEventType[] {
  return COMMAND_EVENT_TYPES.filter((type) => TABLE[status][type] !== 'refused');
}

interface Vertex {
  readonly severity: string;
  readonly label: string;
  readonly state: IncidentSnapshot;
  /** The events that lead from the declared incident to `state`. */
  readonly steps: readonly CommandEventType[];
}

/**
 * Exactly the input the engine starts the machine with for `declareIncident(engine, { severity })`,
 * read back from its DECLARED event, so the traversal and the engine start from the same context.
 */
async function machineInput(severity: string): Promise<IncidentMachineInput> {
  const { engine } = makeEngine();
  const { id } = await declareIncident(engine, { severity });
  const [declared] = await engine.timeline(id);
  if (declared === undefined) throw new Error('declare stored no event');
  return { ...(declared.data as unknown as Omit<IncidentMachineInput, 'at' | 'actor'>), at: declared.at, actor: declared.actor };
}

const INPUTS: Readonly<Record<string, IncidentMachineInput>> = { SEV1: await machineInput('SEV1'), SEV3: await machineInput('SEV3') };

function describeState(snapshot: IncidentSnapshot): string {
  return `${statusOf(snapshot)} (${hasItem(snapshot) ? 'with' : 'without'} action item, review ${reviewDone(snapshot) ? 'completed' : 'not completed'})`;
}

/** Every reachable (status, has item, review completed) combination, for one severity. */
function traverse(severity: string): Vertex[] {
  const input = INPUTS[severity]!;
  const events: LifecycleEvent[] = COMMAND_EVENT_TYPES.map((type) => machineEvent(type, T0, { severity }));
  const paths = getShortestPaths(incidentMachine, {
    input,
    events,
    serializeState: (snapshot) => describeState(snapshot),
  });
  return paths.map((path) => {
    const steps = path.steps
      .map((step) => step.event.type)
      .filter((type): type is CommandEventType => (COMMAND_EVENT_TYPES as readonly string[]).includes(type));
    // A path's `state` is one representative of its serialized class; replaying its steps gives
    // the exact snapshot those steps lead to (same class, and the context the engine will hold).
    let [state] = initialTransition(incidentMachine, input);
    for (const type of steps) [state] = transition(incidentMachine, state, machineEvent(type, T0, { severity }));
    expect(describeState(state)).toBe(describeState(path.state));
    return { severity, label: `${severity} ${describeState(state)} via ${steps.join(',') || 'DECLARE'}`, state, steps };
  });
}

const VERTICES: readonly Vertex[] = [...traverse('SEV1'), ...traverse('SEV3')];

/** The public view of a machine snapshot, as the engine's projection shows it (minus `version`). */
function machineView(snapshot: IncidentSnapshot): Omit<Incident, 'version'> {
  return { ...snapshot.context, status: statusOf(snapshot) };
}

describe('the transition table', () => {
  it('has one row per state of incidentMachine and one column per event it handles', () => {
    const leaves = getStateNodes(incidentMachine.root)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .map((node) => node.key);
    expect([...leaves].sort()).toEqual([...INCIDENT_STATUSES].sort());
    expect(Object.keys(TABLE).sort()).toEqual([...INCIDENT_STATUSES].sort());
    // Every command event is a column; timer events of later issues have their own tables.
    expect(incidentMachine.events).toEqual(expect.arrayContaining([...COMMAND_EVENT_TYPES]));
    for (const status of INCIDENT_STATUSES) expect(Object.keys(TABLE[status]).sort()).toEqual([...COMMAND_EVENT_TYPES].sort());
  });

  it('is traversed from what the engine declares: a SEV1 needing a review and a SEV3 not', () => {
    expect(INPUTS.SEV1).toMatchObject({ id: 'inc_1', tenantId: 'default', at: T0, actor: ALICE_STORED, severity: 'SEV1' });
    expect(INPUTS.SEV1?.policy.reviewRequiredFor).toEqual(['SEV1', 'SEV2']);
    expect(INPUTS.SEV3?.severity).toBe('SEV3');
  });

  it('is fully exercised: the traversal reaches every status, with and without an action item', () => {
    for (const severity of ['SEV1', 'SEV3']) {
      const reached = VERTICES.filter((vertex) => vertex.severity === severity);
      for (const status of INCIDENT_STATUSES) {
        const forStatus = reached.filter((vertex) => statusOf(vertex.state) === status);
        expect(new Set(forStatus.map((vertex) => hasItem(vertex.state))), `${severity} ${status}`).toEqual(new Set([false, true]));
      }
      expect(reached.some((vertex) => statusOf(vertex.state) === 'postIncident' && reviewDone(vertex.state))).toBe(true);
      expect(reached.some((vertex) => statusOf(vertex.state) === 'postIncident' && !reviewDone(vertex.state))).toBe(true);
    }
    // A review belongs to one resolution: no state before review carries a completed one
    // (reopening clears it, DESIGN §3), so a reopened SEV1 incident needs a new review to close.
    const beforeReview = VERTICES.filter((vertex) => ['triage', 'responding', 'mitigated', 'resolved'].includes(statusOf(vertex.state)));
    expect(beforeReview.filter((vertex) => reviewDone(vertex.state)).map((vertex) => vertex.label)).toEqual([]);
    // A SEV1 incident only closes after a completed review; a SEV3 one may close without.
    const closedSev1 = VERTICES.filter((vertex) => vertex.severity === 'SEV1' && statusOf(vertex.state) === 'closed');
    expect(closedSev1.every((vertex) => reviewDone(vertex.state))).toBe(true);
    const closedSev3 = VERTICES.filter((vertex) => vertex.severity === 'SEV3' && statusOf(vertex.state) === 'closed');
    expect(closedSev3.some((vertex) => !reviewDone(vertex.state))).toBe(true);
  });
});

describe.each(VERTICES.map((vertex) => [vertex.label, vertex] as const))('%s', (_label, vertex) => {
  const status = statusOf(vertex.state);

  it.each(COMMAND_EVENT_TYPES.map((type) => [type, expectedOutcome(vertex.state, type)] as const))(
    '%s → %s (pure machine)',
    (type, expected) => {
      const event = machineEvent(type, '2026-01-01T00:05:00.000Z', { severity: vertex.severity });
      const before = structuredClone({ value: vertex.state.value, context: vertex.state.context });
      expect(vertex.state.can(event)).toBe(expected !== 'refused');
      const [next] = transition(incidentMachine, vertex.state, event);
      if (expected === 'refused') {
        expect(next.value).toEqual(vertex.state.value);
        expect(next.context).toEqual(vertex.state.context);
      } else {
        expect(statusOf(next)).toBe(expected);
        expect(next.context.updatedAt).toBe('2026-01-01T00:05:00.000Z');
      }
      // Pure: the input snapshot is never mutated.
      expect({ value: vertex.state.value, context: vertex.state.context }).toEqual(before);
    },
  );

  // The engine walks the path once; every cell then starts from a copy of what it stored.
  let template: { readonly stored: StoredIncident; readonly events: readonly StoredEvent[] } | undefined;
  beforeAll(async () => {
    const { engine, store } = makeEngine();
    const declared = await declareIncident(engine, { severity: vertex.severity });
    for (const step of vertex.steps) await runCommand(engine, declared.id, step, { severity: vertex.severity });
    const stored = await store.load(engine.tenantId, declared.id);
    if (stored === undefined) throw new Error('the template incident vanished');
    template = { stored, events: await store.events(engine.tenantId, declared.id) };
  });

  it('is where the engine lands after the same commands', async () => {
    // The clock stands still at T0 and ids are sequential, so the projections match exactly.
    expect(template?.stored.incident).toEqual({ ...machineView(vertex.state), version: vertex.steps.length + 1 });
    expect(template?.events.map((event) => event.type)).toEqual(['DECLARED', ...vertex.steps.map((type) => STORED_TYPE_OF[type])]);
    const { engine } = await engineAt();
    expect(await engine.verifyTimeline('inc_1')).toEqual({ ok: true });
  });

  /** A fresh engine over a store holding the template incident; its own ids start with `cell_`. */
  async function engineAt(): Promise<{ readonly engine: IncidentEngine; readonly id: string }> {
    if (template === undefined) throw new Error('beforeAll did not run');
    const store = memoryStore();
    const { incident, snapshot } = template.stored;
    await store.commit({ tenantId: incident.tenantId, incidentId: incident.id, expectedVersion: 0, events: template.events, incident, snapshot });
    return { engine: makeEngine({ store, ids: sequentialIds('cell_') }).engine, id: incident.id };
  }

  it.each(COMMAND_EVENT_TYPES.map((type) => [type, expectedOutcome(vertex.state, type)] as const))(
    '%s → %s (engine)',
    async (type, expected) => {
      const { engine, id } = await engineAt();
      const before = await storedState(engine, id);

      const outcome = runCommand(engine, id, type, { severity: vertex.severity });
      if (expected !== 'refused') {
        const incident = await outcome;
        // The cell's engine numbers its action items from cell_act_1.
        const actionItemId = 'cell_act_1';
        const [next] = transition(incidentMachine, vertex.state, machineEvent(type, T0, { severity: vertex.severity, actionItemId }));
        expect(incident.status).toBe(expected);
        expect(incident).toEqual({ ...machineView(next), version: before.incident.version + 1 });
        expect(await engine.get(id)).toEqual(incident);
        const timeline = await engine.timeline(id);
        expect(timeline).toHaveLength(before.timeline.length + 1);
        expect(timeline.at(-1)?.type).toBe(STORED_TYPE_OF[type]);
        return;
      }

      const error = await thrown(outcome);
      if (type === 'UPDATE_ACTION_ITEM' && !hasItem(vertex.state)) {
        // The engine names the missing action item before it asks the state.
        expect(error).toBeInstanceOf(NotFoundError);
        expect(isIncidentKitError(error, 'NOT_FOUND')).toBe(true);
      } else {
        expect(error).toBeInstanceOf(InvalidTransitionError);
        const refused = error as InvalidTransitionError;
        expect(refused.code).toBe('INVALID_TRANSITION');
        expect(refused.details.incidentId).toBe(id);
        expect(refused.details.state).toBe(status);
        expect(refused.details.event).toBe(type);
        // The error lists what the state accepts (ignoring guards); timer events may follow.
        expect(refused.details.accepted.filter((name) => (COMMAND_EVENT_TYPES as readonly string[]).includes(name))).toEqual(
          acceptedIgnoringGuards(status),
        );
        expect(refused.message).toContain(id);
        expect(refused.message).toContain(status);
        // The message names the command a user called, e.g. `reopen` for REOPEN.
        expect(refused.details.command).toBeDefined();
        expect(refused.message).toMatch(new RegExp(`(accept|cannot) ${refused.details.command ?? ''}\\b`));
        if (type === 'CLOSE' && refused.details.accepted.includes('CLOSE')) {
          expect(refused.details.reason).toMatch(/review/);
          expect(refused.message).toMatch(/review/);
        }
      }
      // Nothing was written.
      expect(await storedState(engine, id)).toEqual(before);
    },
  );
});
