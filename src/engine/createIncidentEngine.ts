import { initialTransition, transition } from 'xstate';
import { z } from 'zod';
import {
  DuplicateIncidentError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
  isIncidentKitError,
} from '../errors.js';
import { STORED_TYPE_OF, eventData, type LifecycleEvent } from '../lifecycle/events.js';
import { closeBlockedReason, incidentMachine, type IncidentMachineInput } from '../lifecycle/incidentMachine.js';
import { acceptedEvents, persistSnapshot, restoreSnapshot, toIncident, type IncidentSnapshot } from '../lifecycle/projection.js';
import type { Actor } from '../model/actor.js';
import type { StoredEvent } from '../model/event.js';
import type { Incident, IncidentPolicySnapshot } from '../model/incident.js';
import { parseConfig, parseInput } from '../model/parse.js';
import { sevScale, type SeverityScale } from '../model/severity.js';
import type { Page, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import { systemClock, type Clock } from './clock.js';
import { commandSchemas } from './commands.js';
import { createEngineEmitter, eventName } from './emitter.js';
import { GENESIS_HASH, hashEvent, verifyChain, type TimelineVerification } from './hash.js';
import type { IncidentEngine, IncidentEngineOptions } from './types.js';
import { randomIds } from './ids.js';

const optionsSchema = z.object({
  store: z.custom<StorageAdapter>(
    (value) => typeof value === 'object' && value !== null && typeof (value as StorageAdapter).commit === 'function',
    'A store is required: pass memoryStore(), sqliteStore(db), postgresStore(pool) or your own StorageAdapter.',
  ),
  tenantId: z.string().min(1).max(200).default('default'),
  maxRetries: z.number().int().min(0).max(100).default(5),
});

/** Default policies: SEV1 and SEV2 need a completed review before they close. */
const DEFAULT_REVIEW_REQUIRED_FOR = ['SEV1', 'SEV2'];

function defaultHandlerError(error: unknown, name: string): void {
  console.error(`[incidentkit] a handler of '${name}' threw; the command itself succeeded.`, error);
}

/** Turns the delayed raises and cancels that a transition returned into timer changes. */
function timerChanges(
  actions: readonly { type: string; params?: unknown }[],
  incident: { tenantId: string; id: string },
  at: string,
): { set: TimerRecord[]; cancel: string[] } {
  const set: TimerRecord[] = [];
  const cancel: string[] = [];
  for (const action of actions) {
    const params = action.params as { delay?: unknown; id?: unknown; event?: unknown; sendId?: unknown } | undefined;
    if (action.type === 'xstate.raise' && typeof params?.delay === 'number' && typeof params.id === 'string') {
      set.push({
        tenantId: incident.tenantId,
        incidentId: incident.id,
        timerId: params.id,
        dueAt: new Date(Date.parse(at) + params.delay).toISOString(),
        event: JSON.parse(JSON.stringify(params.event)) as TimerRecord['event'],
      });
    } else if (action.type === 'xstate.cancel' && typeof params?.sendId === 'string') {
      cancel.push(params.sendId);
    }
  }
  return { set, cancel: cancel.filter((id) => !set.some((timer) => timer.timerId === id)) };
}

/**
 * Creates an incident engine over a store: the object a host app drives incidents with.
 *
 * @remarks
 * Every command validates its input with zod, loads the incident's projection, computes the
 * next state with the pure {@link incidentMachine} (`transition()`), and writes the new
 * event, projection, snapshot and timers in one atomic, version-checked commit. When another
 * writer got there first, the engine reloads and retries the command while it is still valid.
 * After each commit it emits `incident.<event type>` (and `'*'`) to subscribers.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const actor = { id: 'u_alice', name: 'Alice' };
 * const incident = await engine.declare({ title: 'Checkout is down', severity: 'SEV1', service: 'checkout', actor });
 * await engine.acknowledge(incident.id, { actor });
 * await engine.resolve(incident.id, { summary: 'Rolled back release 2026.11.3', actor });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when the options are invalid.
 */
export function createIncidentEngine(options: IncidentEngineOptions): IncidentEngine {
  const config = parseConfig(optionsSchema, options, 'createIncidentEngine');
  const store = config.store;
  const tenantId = config.tenantId;
  const clock: Clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const scale: SeverityScale = options.severityScale ?? sevScale;
  const schemas = commandSchemas(scale);
  const requiredFor = options.policies?.review?.requiredFor ?? DEFAULT_REVIEW_REQUIRED_FOR.filter((s) => scale.levels.includes(s));
  const policy: IncidentPolicySnapshot = { reviewRequiredFor: [...requiredFor] };
  const emitter = createEngineEmitter(options.onHandlerError ?? defaultHandlerError);

  function now(): string {
    return clock.now().toISOString();
  }

  function publish(incident: Incident, events: readonly StoredEvent[]): void {
    for (const event of events) emitter.emit(eventName(event.type), { incident, event });
  }

  async function loadOrThrow(incidentId: string): Promise<StoredIncident> {
    const stored = await store.load(tenantId, incidentId);
    if (stored === undefined) throw new NotFoundError({ entity: 'incident', id: incidentId, tenantId });
    return stored;
  }

  function refuse(stored: StoredIncident, snapshot: IncidentSnapshot, event: LifecycleEvent): never {
    const accepted = acceptedEvents(snapshot);
    const reason = accepted.includes(event.type) && event.type === 'CLOSE' ? closeBlockedReason(snapshot.context) : undefined;
    throw new InvalidTransitionError({
      incidentId: stored.incident.id,
      state: stored.incident.status,
      event: event.type,
      accepted,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /**
   * Runs one lifecycle event against an incident with optimistic concurrency: load, decide,
   * commit at the loaded version; on a conflict reload and decide again.
   */
  async function execute(
    incidentId: string,
    actor: Actor,
    build: (stored: StoredIncident) => Omit<LifecycleEvent, 'at' | 'actor'>,
  ): Promise<Incident> {
    for (let attempt = 0; ; attempt += 1) {
      const stored = await loadOrThrow(incidentId);
      const current = stored.incident;
      // Event times never run backwards within an incident, even across hosts with skewed clocks.
      const at = [now(), current.updatedAt].sort().at(-1) ?? now();
      const event = { ...build(stored), at, actor } as LifecycleEvent;
      const snapshot = restoreSnapshot(stored.snapshot);
      const [next, actions] = transition(incidentMachine, snapshot, event);
      // XState returns the very same snapshot when no transition is enabled (unknown event or
      // failed guard); every accepted event assigns at least `updatedAt`, so this is exact.
      if (next === snapshot) refuse(stored, snapshot, event);
      const seq = current.version + 1;
      const unsigned = {
        id: ids('event'),
        tenantId,
        incidentId,
        seq,
        type: STORED_TYPE_OF[event.type],
        at,
        actor,
        data: eventData(event),
      };
      const storedEvent: StoredEvent = { ...unsigned, hash: await hashEvent(stored.lastHash, unsigned) };
      const incident = toIncident(next, seq);
      try {
        await store.commit({
          tenantId,
          incidentId,
          expectedVersion: current.version,
          events: [storedEvent],
          incident,
          snapshot: persistSnapshot(next),
          timers: timerChanges(actions, incident, at),
        });
      } catch (error) {
        if (isIncidentKitError(error, 'VERSION_CONFLICT') && attempt < config.maxRetries) continue;
        throw error;
      }
      publish(incident, [storedEvent]);
      return incident;
    }
  }

  const engine: IncidentEngine = {
    tenantId,
    severityScale: scale,

    async declare(input) {
      const parsed = parseInput(schemas.declare, input, 'declare');
      const at = now();
      if (parsed.startedAt !== undefined && parsed.startedAt > at) {
        throw new ValidationError('declare', [
          { code: 'custom', path: ['startedAt'], message: 'Impact cannot start after the incident is declared.' },
        ]);
      }
      if (parsed.dedupKey !== undefined) {
        const existing = await store.findOpenByDedupKey(tenantId, parsed.dedupKey);
        if (existing !== undefined) {
          throw new DuplicateIncidentError({ tenantId, dedupKey: parsed.dedupKey, existingIncidentId: existing.id });
        }
      }
      const { actor, ...rest } = parsed;
      const id = ids('incident');
      const machineInput: IncidentMachineInput = JSON.parse(
        JSON.stringify({ ...rest, id, tenantId, at, actor, policy }),
      ) as IncidentMachineInput;
      const [snapshot, actions] = initialTransition(incidentMachine, machineInput);
      const { at: _at, actor: _actor, ...data } = machineInput;
      const unsigned = {
        id: ids('event'),
        tenantId,
        incidentId: id,
        seq: 1,
        type: 'DECLARED' as const,
        at,
        actor,
        data: JSON.parse(JSON.stringify(data)) as StoredEvent['data'],
      };
      const event: StoredEvent = { ...unsigned, hash: await hashEvent(GENESIS_HASH, unsigned) };
      const incident = toIncident(snapshot, 1);
      await store.commit({
        tenantId,
        incidentId: id,
        expectedVersion: 0,
        events: [event],
        incident,
        snapshot: persistSnapshot(snapshot),
        timers: timerChanges(actions, incident, at),
      });
      publish(incident, [event]);
      return incident;
    },

    acknowledge(id, input) {
      const { actor } = parseInput(schemas.acknowledge, input, 'acknowledge');
      return execute(parseInput(schemas.incidentId, id, 'acknowledge'), actor, () => ({ type: 'ACKNOWLEDGE' }));
    },

    assignRole(id, input) {
      const { actor, role, assignee } = parseInput(schemas.assignRole, input, 'assignRole');
      return execute(parseInput(schemas.incidentId, id, 'assignRole'), actor, () => ({ type: 'ASSIGN_ROLE', role, assignee }));
    },

    setSeverity(id, input) {
      const { actor, severity, reason } = parseInput(schemas.setSeverity, input, 'setSeverity');
      return execute(parseInput(schemas.incidentId, id, 'setSeverity'), actor, (stored) => ({
        type: 'SET_SEVERITY',
        severity,
        previous: stored.incident.severity,
        ...(reason === undefined ? {} : { reason }),
      }));
    },

    addNote(id, input) {
      const { actor, text } = parseInput(schemas.addNote, input, 'addNote');
      return execute(parseInput(schemas.incidentId, id, 'addNote'), actor, () => ({ type: 'ADD_NOTE', text }));
    },

    postUpdate(id, input) {
      const { actor, audience, message } = parseInput(schemas.postUpdate, input, 'postUpdate');
      return execute(parseInput(schemas.incidentId, id, 'postUpdate'), actor, () => ({ type: 'POST_UPDATE', audience, message }));
    },

    mitigate(id, input) {
      const { actor, summary } = parseInput(schemas.mitigate, input, 'mitigate');
      return execute(parseInput(schemas.incidentId, id, 'mitigate'), actor, () => ({ type: 'MITIGATE', summary }));
    },

    recordRootCause(id, input) {
      const { actor, summary, contributingFactors } = parseInput(schemas.recordRootCause, input, 'recordRootCause');
      return execute(parseInput(schemas.incidentId, id, 'recordRootCause'), actor, () => ({
        type: 'RECORD_ROOT_CAUSE',
        summary,
        contributingFactors: contributingFactors ?? [],
      }));
    },

    resolve(id, input) {
      const { actor, summary } = parseInput(schemas.resolve, input, 'resolve');
      return execute(parseInput(schemas.incidentId, id, 'resolve'), actor, () => ({
        type: 'RESOLVE',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    reopen(id, input) {
      const { actor, reason } = parseInput(schemas.reopen, input, 'reopen');
      return execute(parseInput(schemas.incidentId, id, 'reopen'), actor, () => ({ type: 'REOPEN', reason }));
    },

    startReview(id, input) {
      const { actor, owner } = parseInput(schemas.startReview, input, 'startReview');
      return execute(parseInput(schemas.incidentId, id, 'startReview'), actor, () => ({
        type: 'START_REVIEW',
        ...(owner === undefined ? {} : { owner }),
      }));
    },

    completeReview(id, input) {
      const { actor, summary } = parseInput(schemas.completeReview, input, 'completeReview');
      return execute(parseInput(schemas.incidentId, id, 'completeReview'), actor, () => ({
        type: 'COMPLETE_REVIEW',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    addActionItem(id, input) {
      const { actor, title, owner, dueAt, kind, strength } = parseInput(schemas.addActionItem, input, 'addActionItem');
      const actionItemId = ids('actionItem');
      return execute(parseInput(schemas.incidentId, id, 'addActionItem'), actor, () => ({
        type: 'ADD_ACTION_ITEM',
        actionItemId,
        title,
        ...(owner === undefined ? {} : { owner }),
        ...(dueAt === undefined ? {} : { dueAt }),
        ...(kind === undefined ? {} : { kind }),
        ...(strength === undefined ? {} : { strength }),
      }));
    },

    updateActionItem(id, input) {
      const { actor, actionItemId, status } = parseInput(schemas.updateActionItem, input, 'updateActionItem');
      const incidentId = parseInput(schemas.incidentId, id, 'updateActionItem');
      return execute(incidentId, actor, (stored) => {
        if (!stored.incident.actionItems.some((item) => item.id === actionItemId)) {
          throw new NotFoundError({ entity: 'action item', id: actionItemId, tenantId, incidentId });
        }
        return { type: 'UPDATE_ACTION_ITEM', actionItemId, status };
      });
    },

    close(id, input) {
      const { actor } = parseInput(schemas.close, input, 'close');
      return execute(parseInput(schemas.incidentId, id, 'close'), actor, () => ({ type: 'CLOSE' }));
    },

    async cancel(id, input) {
      const { actor, reason, mergedInto } = parseInput(schemas.cancel, input, 'cancel');
      const incidentId = parseInput(schemas.incidentId, id, 'cancel');
      if (mergedInto !== undefined) {
        if (mergedInto === incidentId) {
          throw new ValidationError('cancel', [
            { code: 'custom', path: ['mergedInto'], message: 'An incident cannot be merged into itself.' },
          ]);
        }
        await loadOrThrow(mergedInto);
      }
      return execute(incidentId, actor, () => ({
        type: 'CANCEL',
        reason,
        ...(mergedInto === undefined ? {} : { mergedInto }),
      }));
    },

    async get(id) {
      return (await loadOrThrow(parseInput(schemas.incidentId, id, 'get'))).incident;
    },

    async list(input) {
      const query = parseInput(schemas.list, input, 'list');
      const page: Page<Incident> = await store.list(tenantId, {
        limit: query.limit,
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.severity === undefined ? {} : { severity: query.severity }),
        ...(query.service === undefined ? {} : { service: query.service }),
        ...(query.open === undefined ? {} : { open: query.open }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return page;
    },

    async timeline(id) {
      const incidentId = parseInput(schemas.incidentId, id, 'timeline');
      await loadOrThrow(incidentId);
      return store.events(tenantId, incidentId);
    },

    async verifyTimeline(id): Promise<TimelineVerification> {
      const incidentId = parseInput(schemas.incidentId, id, 'verifyTimeline');
      const stored = await loadOrThrow(incidentId);
      const events = await store.events(tenantId, incidentId);
      const result = await verifyChain(events);
      if (!result.ok) return result;
      // A chain that verifies but stops short of the projection lost its newest events.
      if (events.length !== stored.incident.version) return { ok: false, brokenAt: events.length + 1 };
      if ((events.at(-1)?.hash ?? '') !== stored.lastHash) return { ok: false, brokenAt: events.length };
      return { ok: true };
    },

    on: emitter.on,
    off: emitter.off,
  };
  return engine;
}

