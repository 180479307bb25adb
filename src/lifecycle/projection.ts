import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { ValidationError } from '../errors.js';
import { canonicalJson } from '../kernel/hash.js';
import type { StoredEvent } from '../model/event.js';
import { INCIDENT_STATUSES, type Incident, type IncidentStatus } from '../model/incident.js';
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

/** Builds the public projection from a snapshot and the version (last `seq`) it reflects. */
export function toIncident(snapshot: { readonly value: IncidentSnapshot['value']; readonly context: IncidentContext }, version: number): Incident {
  return { ...definedOnly(structuredClone(snapshot.context)), status: statusOf(snapshot), version };
}

/** Drops top-level `undefined` properties (what `assign` leaves for cleared facts). */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
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

/** Reduces a snapshot to what the store persists. */
export function persistSnapshot(snapshot: IncidentSnapshot): PersistedIncidentSnapshot {
  return structuredClone({ value: snapshot.value, context: definedOnly(snapshot.context) });
}

/** Restores a persisted snapshot so `transition()` can continue from it. */
export function restoreSnapshot(persisted: PersistedIncidentSnapshot): IncidentSnapshot {
  return incidentMachine.resolveState({ value: persisted.value, context: structuredClone(persisted.context) });
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
  let [snapshot] = initialTransition(incidentMachine, {
    ...(first.data as unknown as Omit<IncidentMachineInput, 'at' | 'actor'>),
    at: first.at,
    actor: first.actor,
  });
  let expectedSeq = 2;
  for (const event of rest) {
    if (event.seq !== expectedSeq) {
      throw new ValidationError('replay', [
        { code: 'custom', path: [expectedSeq - 1], message: `Expected seq ${String(expectedSeq)} but found ${String(event.seq)}.` },
      ]);
    }
    const next = toLifecycleEvent(event);
    if (!snapshot.can(next)) {
      throw new ValidationError('replay', [
        { code: 'custom', path: [expectedSeq - 1], message: `Event ${String(event.seq)} (${event.type}) is not accepted in state ${statusOf(snapshot)}.` },
      ]);
    }
    [snapshot] = transition(incidentMachine, snapshot, next);
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
