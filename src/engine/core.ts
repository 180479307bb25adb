import { initialTransition, transition } from 'xstate';
import { z } from 'zod';
import { createIncidentTypeRegistry, type IncidentTypeRegistry, type AnyIncidentType } from '../classification/defineIncidentType.js';
import { isStatusLabels, type StatusLabels } from '../classification/statusLabels.js';
import { ConfigError, ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError, isIncidentKitError } from '../errors.js';
import { STORED_TYPE_OF, eventData, type LifecycleEvent, type LifecycleEventDraft } from '../lifecycle/events.js';
import { closeBlockedReason, incidentMachine, type IncidentMachineInput } from '../lifecycle/incidentMachine.js';
import { acceptedEvents, persistSnapshot, restoreSnapshot, toIncident, type IncidentSnapshot } from '../lifecycle/projection.js';
import { SYSTEM_ACTOR, type Actor } from '../model/actor.js';
import type { StoredEvent } from '../model/event.js';
import type { Incident, IncidentPolicySnapshot } from '../model/incident.js';
import { parseConfig } from '../model/parse.js';
import { sevScale, type SeverityScale } from '../model/severity.js';
import type { Claimed, OutboxRecord, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import { systemClock, type Clock } from './clock.js';
import { commandSchemas, type CommandSchemas } from './commands.js';
import { createEngineEmitter, eventName } from './emitter.js';
import { GENESIS_HASH, hashEvent } from './hash.js';
import { randomIds, type IdGenerator } from './ids.js';
import { createKeyedQueue } from './keyedQueue.js';
import { resolveEnginePolicies, type SimilarPolicy } from './policies.js';
import type { AuthorizeAction, FiredTimer, IncidentEngineOptions } from './types.js';
import { compileRoutes, routeNotifications } from '../notify/routing.js';
import { EVENT_TYPES } from '../model/event.js';

/** What `create` needs: the machine input less what the engine fills in (optional keys may be `undefined`). */
type OptionalCreateKey = 'service' | 'summary' | 'dedupKey' | 'startedAt' | 'labels' | 'fields' | 'alert' | 'services' | 'imported' | 'type';
export type CreateIncidentInput = Omit<IncidentMachineInput, 'id' | 'tenantId' | 'policy' | 'at' | OptionalCreateKey> & {
  readonly [K in OptionalCreateKey]?: IncidentMachineInput[K] | undefined;
} & { readonly at?: string | undefined };

/** A lifecycle event as a command builds it: the engine adds `at` and `actor`. */
export type EventDraft = LifecycleEventDraft;

const optionsSchema = z.object({
  store: z.custom<StorageAdapter>(
    (value) => typeof value === 'object' && value !== null && typeof (value as StorageAdapter).commit === 'function',
    'A store is required: pass memoryStore(), sqliteStore(db), postgresStore(pool) or your own StorageAdapter.',
  ),
  tenantId: z.string().min(1).max(200).default('default'),
  maxRetries: z.number().int().min(0).max(100).default(5),
  leaseMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
  workerId: z.string().min(1).max(200).optional(),
  authorize: z.custom<unknown>((value) => value === undefined || typeof value === 'function', 'authorize must be a function ({ actor, action, incident, tenantId }) => boolean | Promise<boolean>.').optional(),
});

/**
 * A policy snapshot with status labels frozen in (as JSON, so replay needs no configuration).
 *
 * @throws ConfigError (`CONFIG_INVALID`) when `labels` were not made with `defineStatusLabels`.
 */
export function withStatusLabels(snapshot: IncidentPolicySnapshot, labels: StatusLabels | undefined): IncidentPolicySnapshot {
  if (labels === undefined) return snapshot;
  if (!isStatusLabels(labels)) {
    throw new ConfigError('createIncidentEngine', [
      { code: 'invalid_status_labels', path: ['statusLabels'], message: 'Make status labels with defineStatusLabels({ … }).' },
    ]);
  }
  return Object.freeze({ ...snapshot, statusLabels: JSON.parse(JSON.stringify(labels)) as StatusLabels });
}

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
 * The engine's internals shared by its feature modules (commands, ingest, notifications,
 * import): one place that loads, decides with the machine, and commits.
 *
 * @internal
 */
export interface EngineCore {
  readonly store: StorageAdapter;
  readonly tenantId: string;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly scale: SeverityScale;
  /** The engine's incident types (validated). */
  readonly types: IncidentTypeRegistry<readonly AnyIncidentType[]>;
  readonly schemas: CommandSchemas;
  readonly policy: IncidentPolicySnapshot;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly emitter: ReturnType<typeof createEngineEmitter>;
  now: () => string;
  loadOrThrow: (incidentId: string) => Promise<StoredIncident>;
  /** Runs one event against an incident; `undefined` when a fired timer finds the machine no longer listening. */
  execute: (incidentId: string, actor: Actor, build: BuildEvent, options?: ExecuteOptions) => Promise<Incident | undefined>;
  /**
   * {@link EngineCore.execute} for commands, which change the incident or throw. `action` is
   * what the host's `authorize` is asked about (the engine method's name).
   */
  command: (
    incidentId: string,
    actor: Actor,
    build: BuildEvent,
    action: AuthorizeAction | undefined,
    input?: Readonly<Record<string, unknown>>,
  ) => Promise<Incident>;
  /** Asks the host's `authorize` (when configured); `ForbiddenError` unless it answers `true`. */
  authorizeOrThrow: (actor: Actor, action: AuthorizeAction, incident?: Incident, input?: Readonly<Record<string, unknown>>) => Promise<void>;
  /** Whether an `authorize` hook is configured (reads skip the per-incident calls otherwise). */
  readonly authorizes: boolean;
  /**
   * Creates an incident from machine input (a version-0 commit); `DuplicateIncidentError` when
   * its dedup key is taken. `history` events (with their own times) are applied in the same
   * commit, and `policy` replaces the engine's (imports freeze an empty one).
   */
  create: (
    input: CreateIncidentInput,
    history?: readonly LifecycleEvent[],
    policy?: IncidentPolicySnapshot,
    action?: AuthorizeAction,
  ) => Promise<Incident>;
  /** The `similar` policy, when on. */
  readonly similar?: SimilarPolicy;
  tick: (at?: Date) => Promise<FiredTimer[]>;
  /** Feature modules register what each commit also writes to the outbox. */
  outbox: (events: readonly StoredEvent[], incident: Incident) => OutboxRecord[];
  /** Feature modules complete a fired timer's event before it is applied (e.g. regulatory clocks add the clock). */
  timerEvent: (draft: EventDraft, stored: StoredIncident) => EventDraft;
}

/** Builds the event of a command from the incident as loaded (may validate asynchronously). */
export type BuildEvent = (stored: StoredIncident) => EventDraft | Promise<EventDraft>;

/** Options of {@link EngineCore.execute}. */
export interface ExecuteOptions {
  /** Set when a durable timer delivers the event: a refused event is then ignored, not an error. */
  readonly firedTimer?: string;
  /** The action the host's `authorize` is asked about; absent for the engine's own work (timers). */
  readonly action?: AuthorizeAction;
  /** The command's validated input (without the actor), shown to `authorize`. */
  readonly input?: Readonly<Record<string, unknown>>;
}

/** Builds the {@link EngineCore} from validated options. @internal */
export function createEngineCore(options: IncidentEngineOptions): EngineCore {
  const config = parseConfig(optionsSchema, options, 'createIncidentEngine');
  const store = config.store;
  const tenantId = config.tenantId;
  const clock: Clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const scale: SeverityScale = options.severityScale ?? sevScale;
  const types = createIncidentTypeRegistry(options.types ?? []);
  // `list` filters accept the levels of every incident type's scale too.
  const typeLevels = types.types.flatMap((type) => type.severityScale.levels);
  const schemas = commandSchemas(scale, [...new Set([...scale.levels, ...typeLevels])]);
  const resolvedPolicies = resolveEnginePolicies(options.policies, scale);
  const policy: IncidentPolicySnapshot = withStatusLabels(resolvedPolicies.snapshot, options.statusLabels);
  const workerId = config.workerId ?? ids('message').replace(/^msg_/, 'worker_');
  const emitter = createEngineEmitter(options.onHandlerError ?? defaultHandlerError);

  function now(): string {
    return clock.now().toISOString();
  }

  function publish(incident: Incident, events: readonly StoredEvent[]): void {
    for (const event of events) emitter.emit(eventName(event.type), { incident, event });
  }

  const authorize = options.authorize;
  async function authorizeOrThrow(actor: Actor, action: AuthorizeAction, incident?: Incident, input?: Readonly<Record<string, unknown>>): Promise<void> {
    if (authorize === undefined) return;
    const allowed: unknown = await authorize({
      actor,
      action,
      tenantId,
      ...(incident === undefined ? {} : { incident }),
      ...(input === undefined ? {} : { input }),
    });
    // Only an explicit `true` allows: a policy that forgets to return denies.
    if (allowed !== true) {
      throw new ForbiddenError({ action, actorId: actor.id, tenantId, ...(incident === undefined ? {} : { incidentId: incident.id }) });
    }
  }

  async function loadOrThrow(incidentId: string): Promise<StoredIncident> {
    const stored = await store.load(tenantId, incidentId);
    if (stored === undefined) throw new NotFoundError({ entity: 'incident', id: incidentId, tenantId });
    return stored;
  }

  function refuse(incident: Incident, snapshot: IncidentSnapshot, event: LifecycleEvent): never {
    const accepted = acceptedEvents(snapshot);
    const reason = accepted.includes(event.type) && event.type === 'CLOSE' ? closeBlockedReason(snapshot.context) : undefined;
    throw new InvalidTransitionError({
      incidentId: incident.id,
      state: incident.status,
      event: event.type,
      accepted,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /** Turns an accepted lifecycle event into the stored event at `seq`, chained after `previousHash`. */
  async function signEvent(incidentId: string, seq: number, event: LifecycleEvent, previousHash: string): Promise<StoredEvent> {
    const unsigned = {
      id: ids('event'),
      tenantId,
      incidentId,
      seq,
      type: STORED_TYPE_OF[event.type],
      at: event.at,
      actor: event.actor,
      data: eventData(event),
    };
    return { ...unsigned, hash: await hashEvent(previousHash, unsigned) };
  }

  /**
   * Runs one lifecycle event against an incident with optimistic concurrency: load, decide,
   * commit at the loaded version; on a conflict reload and decide again. With `firedTimer`
   * set, a refused event is not an error: the machine stopped listening, so the timer is moot.
   */
  async function executeNow(incidentId: string, actor: Actor, build: BuildEvent, options: ExecuteOptions = {}): Promise<Incident | undefined> {
    const { firedTimer, action, input } = options;
    for (let attempt = 0; ; attempt += 1) {
      const stored = await loadOrThrow(incidentId);
      const current = stored.incident;
      // Asked on every attempt: a retry decides against the incident as it is now.
      if (action !== undefined) await authorizeOrThrow(actor, action, current, input);
      const draft = await build(stored);
      // Event times never run backwards within an incident, even across hosts with skewed clocks.
      const at = [now(), current.updatedAt].sort().at(-1) ?? now();
      const event = { ...draft, at, actor } as LifecycleEvent;
      const snapshot = restoreSnapshot(stored.snapshot);
      const [next, actions] = transition(incidentMachine, snapshot, event);
      // XState returns the very same snapshot when no transition is enabled (unknown event or
      // failed guard); every accepted event assigns at least `updatedAt`, so this is exact.
      if (next === snapshot) {
        if (firedTimer !== undefined) return undefined;
        refuse(stored.incident, snapshot, event);
      }
      const seq = current.version + 1;
      const storedEvent = await signEvent(incidentId, seq, event, stored.lastHash);
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
          outbox: core.outbox([storedEvent], incident),
        });
      } catch (error) {
        if (isIncidentKitError(error, 'VERSION_CONFLICT') && attempt < config.maxRetries) continue;
        throw error;
      }
      publish(incident, [storedEvent]);
      return incident;
    }
  }

  /**
   * Commands on one incident from this process run one after the other: concurrent writers in
   * one process would otherwise retry in lockstep and exhaust their retries. Writers in other
   * processes are still caught by the store's version check and retried.
   */
  const serially = createKeyedQueue();
  function execute(incidentId: string, actor: Actor, build: BuildEvent, options?: ExecuteOptions): Promise<Incident | undefined> {
    return serially(incidentId, () => executeNow(incidentId, actor, build, options));
  }

  /** {@link execute} for commands, which always either change the incident or throw. */
  async function command(
    incidentId: string,
    actor: Actor,
    build: BuildEvent,
    action: AuthorizeAction | undefined,
    input?: Readonly<Record<string, unknown>>,
  ): Promise<Incident> {
    const incident = await execute(incidentId, actor, build, {
      ...(action === undefined ? {} : { action }),
      ...(input === undefined ? {} : { input }),
    });
    if (incident === undefined) throw new Error('unreachable: a command neither changed the incident nor threw');
    return incident;
  }

  /** Delivers one claimed timer's event to its incident and completes the claim. */
  async function fire(claim: Claimed<TimerRecord>): Promise<FiredTimer> {
    const { incidentId, timerId, dueAt, event } = claim.item;
    let incident: Incident | undefined;
    try {
      incident = await execute(incidentId, SYSTEM_ACTOR, (stored) => core.timerEvent({ ...(event as unknown as EventDraft), dueAt } as EventDraft, stored), {
        firedTimer: timerId,
      });
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
    const given: unknown = at;
    // A valid Date within years 0000–9999 (leases are added to it, and stores keep ISO-8601 text).
    if (given !== undefined && !(given instanceof Date && Number.isFinite(given.getTime()) && /^\d{4}-/.test(given.toISOString()) && given.getUTCFullYear() < 9999)) {
      throw new ValidationError('tick', [{ code: 'invalid_type', path: [], message: 'Pass a valid Date, or nothing for the clock’s time.' }]);
    }
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


  async function create(
    input: CreateIncidentInput,
    history: readonly LifecycleEvent[] = [],
    frozen: IncidentPolicySnapshot = policy,
    action?: AuthorizeAction,
  ): Promise<Incident> {
    if (action !== undefined) await authorizeOrThrow(input.actor, action);
    const at = input.at ?? now();
    const id = ids('incident');
    const machineInput = JSON.parse(JSON.stringify({ ...input, id, tenantId, at, policy: frozen })) as IncidentMachineInput;
    const [initial, actions] = initialTransition(incidentMachine, machineInput);
    let snapshot = initial;
    const { at: _at, actor, ...data } = machineInput;
    const first = {
      id: ids('event'),
      tenantId,
      incidentId: id,
      seq: 1,
      type: 'DECLARED' as const,
      at,
      actor,
      data: JSON.parse(JSON.stringify(data)) as StoredEvent['data'],
    };
    const events: StoredEvent[] = [{ ...first, hash: await hashEvent(GENESIS_HASH, first) }];
    const timers: { set: TimerRecord[]; cancel: string[] } = { set: [], cancel: [] };
    const mergeTimers = (changes: { set: TimerRecord[]; cancel: string[] }): void => {
      timers.set = [...timers.set.filter((t) => !changes.cancel.includes(t.timerId) && !changes.set.some((n) => n.timerId === t.timerId)), ...changes.set];
      timers.cancel = [...new Set([...timers.cancel, ...changes.cancel])];
    };
    mergeTimers(timerChanges(actions, { tenantId, id }, at));
    for (const event of history) {
      const [next, more] = transition(incidentMachine, snapshot, event);
      if (next === snapshot) refuse(toIncident(snapshot, events.length), snapshot, event);
      snapshot = next;
      mergeTimers(timerChanges(more, { tenantId, id }, event.at));
      events.push(await signEvent(id, events.length + 1, event, events.at(-1)?.hash ?? GENESIS_HASH));
    }
    const incident = toIncident(snapshot, events.length);
    await store.commit({
      tenantId,
      incidentId: id,
      expectedVersion: 0,
      events,
      incident,
      snapshot: persistSnapshot(snapshot),
      timers: { set: timers.set, cancel: timers.cancel.filter((t) => !timers.set.some((n) => n.timerId === t)) },
      outbox: core.outbox(events, incident),
    });
    publish(incident, events);
    return incident;
  }

  const core: EngineCore = {
    store,
    tenantId,
    clock,
    ids,
    scale,
    types,
    schemas,
    policy,
    workerId,
    leaseMs: config.leaseMs,
    emitter,
    now,
    loadOrThrow,
    execute,
    command,
    authorizeOrThrow,
    authorizes: authorize !== undefined,
    create,
    tick,
    outbox: () => [],
    timerEvent: (draft) => draft,
    ...(resolvedPolicies.similar === undefined ? {} : { similar: resolvedPolicies.similar }),
  };
  const notifierNames = Object.keys(options.notifiers ?? {});
  const routing = compileRoutes({
    notifiers: notifierNames,
    eventTypes: EVENT_TYPES,
    ...(options.routes === undefined ? {} : { routes: options.routes }),
    ...(options.templates === undefined ? {} : { templates: options.templates }),
    ...(options.links === undefined ? {} : { links: options.links }),
  });
  // Messages are written in the same commit as the events they are about: none is lost.
  if (notifierNames.length > 0) {
    core.outbox = (events, incident) => routeNotifications(routing, { events, incident, ids, now: clock.now() });
  }
  return core;
}
