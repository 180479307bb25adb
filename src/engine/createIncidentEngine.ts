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
import { nextEscalation } from '../lifecycle/timers.js';
import { acceptedEvents, persistSnapshot, restoreSnapshot, toIncident, type IncidentSnapshot } from '../lifecycle/projection.js';
import { SYSTEM_ACTOR, type Actor } from '../model/actor.js';
import type { StoredEvent } from '../model/event.js';
import type { Incident, IncidentPolicySnapshot } from '../model/incident.js';
import { parseConfig, parseInput } from '../model/parse.js';
import { sevScale, type SeverityScale } from '../model/severity.js';
import type { Claimed, Page, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import { systemClock, type Clock } from './clock.js';
import { commandSchemas } from './commands.js';
import { createEngineEmitter, eventName } from './emitter.js';
import { GENESIS_HASH, hashEvent, verifyChain, type TimelineVerification } from './hash.js';
import { resolvePolicies } from './policies.js';
import type { FiredTimer, IncidentEngine, IncidentEngineOptions } from './types.js';
import { runLoop } from './workers.js';
import { randomIds } from './ids.js';

const optionsSchema = z.object({
  store: z.custom<StorageAdapter>(
    (value) => typeof value === 'object' && value !== null && typeof (value as StorageAdapter).commit === 'function',
    'A store is required: pass memoryStore(), sqliteStore(db), postgresStore(pool) or your own StorageAdapter.',
  ),
  tenantId: z.string().min(1).max(200).default('default'),
  maxRetries: z.number().int().min(0).max(100).default(5),
  leaseMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
  workerId: z.string().min(1).max(200).optional(),
});

function defaultHandlerError(error: unknown, name: string): void {
  console.error(`[incidentkit] a handler of '${name}' threw; the command itself succeeded.`, error);
}

/** Turns the delayed raises and cancels that a transition returned into timer changes. */
function timerChanges(
  actions: readonly { type: string; params?: unknown }[],
  incident: { tenantId: string; id: string },
  at: string,
  fired?: string,
): { set: TimerRecord[]; cancel: string[] } {
  const set: TimerRecord[] = [];
  // A fired timer is removed in the same commit as its effect, unless the transition set it again.
  const cancel: string[] = fired === undefined ? [] : [fired];
  for (const action of actions) {
    const params = action.params as { delay?: unknown; id?: unknown; event?: unknown; sendId?: unknown } | undefined;
    if (action.type === 'xstate.raise' && typeof params?.delay === 'number' && typeof params.id === 'string') {
      // The machine fills `at` and `actor` with placeholders; the engine sets both when the timer fires.
      const { at: _at, actor: _actor, ...event } = params.event as Record<string, unknown>;
      set.push({
        tenantId: incident.tenantId,
        incidentId: incident.id,
        timerId: params.id,
        dueAt: new Date(Date.parse(at) + params.delay).toISOString(),
        event: JSON.parse(JSON.stringify(event)) as TimerRecord['event'],
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
  const policy: IncidentPolicySnapshot = resolvePolicies(options.policies, scale);
  const workerId = config.workerId ?? ids('message').replace(/^msg_/, 'worker_');
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
   * commit at the loaded version; on a conflict reload and decide again. With `firedTimer`
   * set, a refused event is not an error: the machine stopped listening, so the timer is moot.
   */
  async function execute(
    incidentId: string,
    actor: Actor,
    build: (stored: StoredIncident) => Omit<LifecycleEvent, 'at' | 'actor'>,
    firedTimer?: string,
  ): Promise<Incident | undefined> {
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
      if (next === snapshot) {
        if (firedTimer !== undefined) return undefined;
        refuse(stored, snapshot, event);
      }
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
          timers: timerChanges(actions, incident, at, firedTimer),
        });
      } catch (error) {
        if (isIncidentKitError(error, 'VERSION_CONFLICT') && attempt < config.maxRetries) continue;
        throw error;
      }
      publish(incident, [storedEvent]);
      return incident;
    }
  }

  /** {@link execute} for commands, which always either change the incident or throw. */
  async function command(
    incidentId: string,
    actor: Actor,
    build: (stored: StoredIncident) => Omit<LifecycleEvent, 'at' | 'actor'>,
  ): Promise<Incident> {
    const incident = await execute(incidentId, actor, build);
    if (incident === undefined) throw new Error('unreachable: a command neither changed the incident nor threw');
    return incident;
  }

  /** Delivers one claimed timer's event to its incident and completes the claim. */
  async function fire(claim: Claimed<TimerRecord>): Promise<FiredTimer> {
    const { incidentId, timerId, dueAt, event } = claim.item;
    let incident: Incident | undefined;
    try {
      incident = await execute(
        incidentId,
        SYSTEM_ACTOR,
        () => ({ ...(event as unknown as Omit<LifecycleEvent, 'at' | 'actor'>), dueAt }),
        timerId,
      );
    } catch (error) {
      // The incident is gone (e.g. the host deleted it): the timer has nothing left to do.
      if (!isIncidentKitError(error, 'NOT_FOUND')) throw error;
    }
    await store.completeTimer(claim);
    const type = typeof event.type === 'string' ? event.type : 'unknown';
    return incident === undefined
      ? { incidentId, timerId, dueAt, event: type, outcome: 'ignored' }
      : { incidentId, timerId, dueAt, event: type, outcome: 'applied', incident };
  }

  async function tick(at?: Date): Promise<FiredTimer[]> {
    const fired: FiredTimer[] = [];
    const limit = 100;
    // A fired timer may set another that is already due (a level with `afterMinutes: 0`, or a
    // chain of overdue levels after downtime): keep claiming until nothing is due, but bounded
    // to 100 batches per pass so a host's worker always yields.
    for (let batch = 0; batch < 100; batch += 1) {
      const claims = await store.claimTimers({
        tenantId,
        now: (at ?? clock.now()).toISOString(),
        owner: workerId,
        leaseMs: config.leaseMs,
        limit,
      });
      for (const claim of claims) fired.push(await fire(claim));
      if (claims.length === 0) break;
    }
    return fired;
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
      return command(parseInput(schemas.incidentId, id, 'acknowledge'), actor, () => ({ type: 'ACKNOWLEDGE' }));
    },

    assignRole(id, input) {
      const { actor, role, assignee } = parseInput(schemas.assignRole, input, 'assignRole');
      return command(parseInput(schemas.incidentId, id, 'assignRole'), actor, () => ({ type: 'ASSIGN_ROLE', role, assignee }));
    },

    setSeverity(id, input) {
      const { actor, severity, reason } = parseInput(schemas.setSeverity, input, 'setSeverity');
      return command(parseInput(schemas.incidentId, id, 'setSeverity'), actor, (stored) => ({
        type: 'SET_SEVERITY',
        severity,
        previous: stored.incident.severity,
        ...(reason === undefined ? {} : { reason }),
      }));
    },

    addNote(id, input) {
      const { actor, text } = parseInput(schemas.addNote, input, 'addNote');
      return command(parseInput(schemas.incidentId, id, 'addNote'), actor, () => ({ type: 'ADD_NOTE', text }));
    },

    postUpdate(id, input) {
      const { actor, audience, message } = parseInput(schemas.postUpdate, input, 'postUpdate');
      return command(parseInput(schemas.incidentId, id, 'postUpdate'), actor, () => ({ type: 'POST_UPDATE', audience, message }));
    },

    mitigate(id, input) {
      const { actor, summary } = parseInput(schemas.mitigate, input, 'mitigate');
      return command(parseInput(schemas.incidentId, id, 'mitigate'), actor, () => ({ type: 'MITIGATE', summary }));
    },

    recordRootCause(id, input) {
      const { actor, summary, contributingFactors } = parseInput(schemas.recordRootCause, input, 'recordRootCause');
      return command(parseInput(schemas.incidentId, id, 'recordRootCause'), actor, () => ({
        type: 'RECORD_ROOT_CAUSE',
        summary,
        contributingFactors: contributingFactors ?? [],
      }));
    },

    resolve(id, input) {
      const { actor, summary } = parseInput(schemas.resolve, input, 'resolve');
      return command(parseInput(schemas.incidentId, id, 'resolve'), actor, () => ({
        type: 'RESOLVE',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    reopen(id, input) {
      const { actor, reason } = parseInput(schemas.reopen, input, 'reopen');
      return command(parseInput(schemas.incidentId, id, 'reopen'), actor, () => ({ type: 'REOPEN', reason }));
    },

    startReview(id, input) {
      const { actor, owner } = parseInput(schemas.startReview, input, 'startReview');
      return command(parseInput(schemas.incidentId, id, 'startReview'), actor, () => ({
        type: 'START_REVIEW',
        ...(owner === undefined ? {} : { owner }),
      }));
    },

    completeReview(id, input) {
      const { actor, summary } = parseInput(schemas.completeReview, input, 'completeReview');
      return command(parseInput(schemas.incidentId, id, 'completeReview'), actor, () => ({
        type: 'COMPLETE_REVIEW',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    addActionItem(id, input) {
      const { actor, title, owner, dueAt, kind, strength } = parseInput(schemas.addActionItem, input, 'addActionItem');
      const actionItemId = ids('actionItem');
      return command(parseInput(schemas.incidentId, id, 'addActionItem'), actor, () => ({
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
      return command(incidentId, actor, (stored) => {
        if (!stored.incident.actionItems.some((item) => item.id === actionItemId)) {
          throw new NotFoundError({ entity: 'action item', id: actionItemId, tenantId, incidentId });
        }
        return { type: 'UPDATE_ACTION_ITEM', actionItemId, status };
      });
    },

    close(id, input) {
      const { actor } = parseInput(schemas.close, input, 'close');
      return command(parseInput(schemas.incidentId, id, 'close'), actor, () => ({ type: 'CLOSE' }));
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
      return command(incidentId, actor, () => ({
        type: 'CANCEL',
        reason,
        ...(mergedInto === undefined ? {} : { mergedInto }),
      }));
    },

    escalate(id, input) {
      const { actor, level } = parseInput(schemas.escalate, input, 'escalate');
      const incidentId = parseInput(schemas.incidentId, id, 'escalate');
      return command(incidentId, actor, (stored) => {
        const incident = stored.incident;
        const levels = incident.policy.escalation?.levels ?? [];
        const current = incident.escalation;
        const chosen = level ?? Math.min((current?.level ?? 0) + 1, Math.max(levels.length, 1));
        if (levels.length > 0 && chosen > levels.length) {
          throw new ValidationError('escalate', [
            {
              code: 'too_big',
              path: ['level'],
              message: `Incident ${incidentId}'s escalation policy has ${String(levels.length)} level(s).`,
            },
          ]);
        }
        const targets = levels[chosen - 1]?.targets ?? nextEscalation(incident.policy.escalation, undefined)?.targets ?? [];
        return {
          type: 'ESCALATE',
          trigger: 'manual',
          step: (current?.count ?? 0) + 1,
          level: chosen,
          cycle: current?.cycle ?? 0,
          targets: [...targets],
        };
      });
    },

    tick,

    runWorkers(options) {
      return runLoop(() => tick(), options);
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

