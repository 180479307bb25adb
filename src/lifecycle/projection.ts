import { createActor, type ActorScope, type ExecutableActionsFrom, type SnapshotFrom } from 'xstate';
import { ValidationError } from '../errors.js';
import { canonicalJson } from '../kernel/hash.js';
import type { StoredEvent } from '../model/event.js';
import { INCIDENT_STATUSES, type AlertStatus, type AlertSummary, type Incident, type IncidentStatus } from '../model/incident.js';
import { alertRowsOf } from './actions/alerts.js';
import { LIFECYCLE_EVENT_TYPES, LIFECYCLE_TYPE_OF, type LifecycleEvent, type LifecycleEventType } from './events.js';
import { incidentMachine, type IncidentContext, type IncidentMachineInput } from './incidentMachine.js';
import type { IncidentStateValue, PersistedIncidentSnapshot } from '../model/snapshot.js';

/** A snapshot of {@link incidentMachine}. */
export type IncidentSnapshot = SnapshotFrom<typeof incidentMachine>;

export type { PersistedIncidentSnapshot } from '../model/snapshot.js';

/** Compile-time proof that the model's state value is exactly the machine's. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _StateValueMatchesMachine = Assert<Same<IncidentSnapshot['value'], IncidentStateValue>>;

function isIncidentStatus(value: unknown): value is IncidentStatus {
  return typeof value === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(value);
}

/** The public status of a snapshot: the name of its innermost state. */
export function statusOf(snapshot: { readonly value: IncidentSnapshot['value'] }): IncidentStatus {
  let value: unknown = snapshot.value;
  // The status is the innermost state: `{ open: { active: 'triage' } }` is `triage`.
  while (typeof value === 'object' && value !== null) value = Object.values(value)[0];
  if (!isIncidentStatus(value)) throw new TypeError(`Unknown incident state ${JSON.stringify(snapshot.value)}.`);
  return value;
}

/**
 * Builds the public projection from a snapshot and the version (last `seq`) it reflects.
 *
 * @remarks Shares the context's values (the machine never mutates them; `assign` replaces what
 * changed), so its cost does not grow with the incident's collections.
 */
export function toIncident(snapshot: { readonly value: IncidentSnapshot['value']; readonly context: IncidentContext }, version: number): Incident {
  return { ...definedOnly(snapshot.context), status: statusOf(snapshot), version };
}

/** Drops top-level `undefined` properties (what `assign` leaves for cleared facts). */
function definedOnly<T extends object>(value: T): T {
  // A plain loop: this runs twice per command, and entries/filter/fromEntries cost several times more.
  const defined: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) defined[key] = v;
  }
  return defined as T;
}

/**
 * The lifecycle events the snapshot's state handles (ignoring guards), read from the machine
 * definition itself so error messages never disagree with it.
 */
export function acceptedEvents(snapshot: IncidentSnapshot): LifecycleEventType[] {
  const handled = new Set<string>();
  for (const node of snapshot._nodes) {
    for (const type of Object.keys(node.on)) handled.add(type);
  }
  return LIFECYCLE_EVENT_TYPES.filter((type) => handled.has(type));
}

/** Reduces a snapshot to what the store persists (sharing its values: treat both as immutable). */
export function persistSnapshot(snapshot: IncidentSnapshot): PersistedIncidentSnapshot {
  return { value: snapshot.value, context: definedOnly(snapshot.context) };
}

/** Restores a persisted snapshot so `transition()` can continue from it (sharing its values). */
export function restoreSnapshot(persisted: PersistedIncidentSnapshot): IncidentSnapshot {
  return incidentMachine.resolveState({ value: persisted.value, context: persisted.context });
}

/** The actions a transition of {@link incidentMachine} asks for (timers to set or cancel). */
export type IncidentMachineActions = ExecutableActionsFrom<typeof incidentMachine>[];

let collected: IncidentMachineActions = [];
let inertScope: ActorScope<IncidentSnapshot, LifecycleEvent> | undefined;

/**
 * One actor scope for every step: XState's `transition()` builds a fresh actor (and runs the
 * machine's initial context) on every call, which costs several times the transition itself.
 * The machine is pure (no children, no delayed events, no I/O), so a scope that only collects
 * the actions it asks for can be shared by every synchronous step.
 */
function scope(): ActorScope<IncidentSnapshot, LifecycleEvent> {
  if (inertScope !== undefined) return inertScope;
  const self = createActor(incidentMachine, {
    input: { id: 'inert', tenantId: 'inert', at: '1970-01-01T00:00:00.000Z', actor: { kind: 'system', id: 'inert' }, title: 'inert', severity: 'inert', policy: { reviewRequiredFor: [] } },
  });
  inertScope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    stopChild: () => undefined,
    actionExecutor: (action) => {
      collected.push(action as IncidentMachineActions[number]);
    },
  } as ActorScope<IncidentSnapshot, LifecycleEvent>;
  return inertScope;
}

/**
 * `transition(incidentMachine, snapshot, event)` without XState's per-call actor: the same next
 * snapshot and actions (returns `snapshot` itself when no transition is enabled).
 *
 * @internal
 */
export function stepMachine(snapshot: IncidentSnapshot, event: LifecycleEvent): [IncidentSnapshot, IncidentMachineActions] {
  const actorScope = scope();
  collected = [];
  const next = incidentMachine.transition(snapshot, event, actorScope);
  const actions = collected;
  collected = [];
  return [next, actions];
}

/**
 * `initialTransition(incidentMachine, input)` without XState's per-call actor.
 *
 * @internal
 */
export function startMachine(input: IncidentMachineInput): [IncidentSnapshot, IncidentMachineActions] {
  const actorScope = scope();
  collected = [];
  const next = incidentMachine.getInitialSnapshot(actorScope, input);
  const actions = collected;
  collected = [];
  return [next, actions];
}

/** Turns a stored event back into the machine event that produced it. */
export function toLifecycleEvent(event: StoredEvent): LifecycleEvent {
  const type = LIFECYCLE_TYPE_OF[event.type];
  if (type === undefined) {
    throw new ValidationError('replay', [
      { code: 'custom', path: ['type'], message: `Event ${String(event.seq)} of type ${event.type} cannot be replayed.` },
    ]);
  }
  return { ...event.data, type, at: event.at, actor: event.actor } as unknown as LifecycleEvent;
}

/**
 * Follows the status of every alert through a replay and completes `CHANGE_ALERT_STATUS` events
 * stored before they carried `previous`: the machine keeps only the newest alerts, so it needs
 * the event to say what an older alert changes from. Replay reads the whole log anyway; the
 * engine's commands never need this.
 */
function alertStatusTracker(declared: StoredEvent): (event: LifecycleEvent) => LifecycleEvent {
  const statuses = new Map<string, AlertStatus>();
  const alert = (declared.data as { alert?: { fingerprint?: unknown; status?: unknown } }).alert;
  if (typeof alert?.fingerprint === 'string') statuses.set(alert.fingerprint, alert.status as AlertStatus);
  return (event) => {
    if (event.type === 'ATTACH_ALERT') {
      if (!statuses.has(event.fingerprint)) statuses.set(event.fingerprint, event.status);
      return event;
    }
    if (event.type !== 'CHANGE_ALERT_STATUS') return event;
    const previous = statuses.get(event.fingerprint);
    if (previous !== undefined && previous !== event.status) statuses.set(event.fingerprint, event.status);
    return event.previous !== undefined || previous === undefined ? event : { ...event, previous };
  };
}

/**
 * Replays a timeline through {@link incidentMachine} and returns the snapshot it ends in.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when the timeline does not start with
 * `DECLARED`, has gaps, or holds an event the machine refuses.
 */
export function replaySnapshot(events: readonly StoredEvent[]): IncidentSnapshot {
  const [first, ...rest] = events;
  if (first?.type !== 'DECLARED' || first.seq !== 1) {
    throw new ValidationError('replay', [{ code: 'custom', path: [0], message: 'A timeline must start with DECLARED at seq 1.' }]);
  }
  let [snapshot] = startMachine({
    ...(first.data as unknown as Omit<IncidentMachineInput, 'at' | 'actor'>),
    at: first.at,
    actor: first.actor,
  });
  let expectedSeq = 2;
  const alertStatuses = alertStatusTracker(first);
  for (const event of rest) {
    if (event.seq !== expectedSeq) {
      throw new ValidationError('replay', [
        { code: 'custom', path: [expectedSeq - 1], message: `Expected seq ${String(expectedSeq)} but found ${String(event.seq)}.` },
      ]);
    }
    const next = alertStatuses(toLifecycleEvent(event));
    if (!snapshot.can(next)) {
      throw new ValidationError('replay', [
        { code: 'custom', path: [expectedSeq - 1], message: `Event ${String(event.seq)} (${event.type}) is not accepted in state ${statusOf(snapshot)}.` },
      ]);
    }
    [snapshot] = stepMachine(snapshot, next);
    expectedSeq += 1;
  }
  return snapshot;
}

/**
 * Rebuilds an incident's projection from its timeline alone.
 *
 * @remarks The result equals what the engine stored: use it to audit a store, or to rebuild
 * projections after restoring events from a backup.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, replayTimeline } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const incident = await engine.declare({ title: 'Checkout errors', severity: 'SEV3', actor: { id: 'u1' } });
 * const rebuilt = replayTimeline(await engine.timeline(incident.id));
 * console.log(rebuilt.status); // 'triage'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the timeline is malformed.
 */
export function replayTimeline(events: readonly StoredEvent[]): Incident {
  return toIncident(replaySnapshot(events), events.length);
}

/**
 * Every alert of an incident as its timeline records it, in the order attached: the rows the
 * engine wrote to the store (without repeat counters), of which the projection carries the newest
 * 100. `verifyTimeline` compares them with the store's alert rows.
 *
 * @remarks Expects a timeline that replays (see {@link replayTimeline}); it does not check one.
 */
export function replayAlerts(events: readonly StoredEvent[]): AlertSummary[] {
  const rows = new Map<string, AlertSummary>();
  const first = events[0];
  const declared = first?.type === 'DECLARED' ? (first.data as { alert?: Omit<AlertSummary, 'firstSeenAt' | 'statusChangedAt'> }).alert : undefined;
  if (first !== undefined && declared !== undefined) rows.set(declared.fingerprint, { ...declared, firstSeenAt: first.at, statusChangedAt: first.at });
  for (const event of events) {
    if (event.type !== 'ALERT_ATTACHED' && event.type !== 'ALERT_STATUS_CHANGED') continue;
    const next = toLifecycleEvent(event);
    const before = next.type === 'ATTACH_ALERT' || next.type === 'CHANGE_ALERT_STATUS' ? rows.get(next.fingerprint) : undefined;
    for (const row of alertRowsOf(next, before)) rows.set(row.fingerprint, row);
  }
  return [...rows.values()];
}

/** An incident without what stores count beside the projection (repeats), which replay does not rebuild. */
function withoutCounters(incident: Incident): Incident {
  const { signalCount: _signalCount, ...rest } = incident;
  return { ...rest, alerts: incident.alerts.map(({ count: _count, lastSeenAt: _lastSeenAt, ...alert }) => alert) };
}

/**
 * The top-level fields in which a stored projection differs from what its events replay to
 * (empty when they agree; counters of repeated signals are not compared). A timeline whose
 * events cannot be replayed at all differs in every field (`['*']`).
 */
export function projectionDrift(incident: Incident, events: readonly StoredEvent[]): string[] {
  let replayed: Incident;
  try {
    replayed = withoutCounters(replayTimeline(events));
  } catch {
    return ['*'];
  }
  const stored = withoutCounters(incident);
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(replayed)])].sort();
  return keys.filter((key) => canonicalJson((stored as unknown as Record<string, unknown>)[key]) !== canonicalJson((replayed as unknown as Record<string, unknown>)[key]));
}
