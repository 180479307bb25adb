import { z } from 'zod';
import { ConfigError, ForbiddenError, ValidationError, InvalidTransitionError, NotFoundError, isIncidentKitError } from '../errors.js';
import { systemClock, type Clock } from '../kernel/clock.js';
import { randomIds } from '../kernel/ids.js';
import { createKeyedQueue } from '../kernel/keyedQueue.js';
import { parseConfig, parseInput } from '../kernel/parse.js';
import { alertRowsOf, hasAlertsBeyondWindow, withoutAlertCounters } from '../lifecycle/actions/alerts.js';
import { GENESIS_HASH, hashEvent } from '../lifecycle/eventChain.js';
import { STORED_TYPE_OF, eventData, followingEvents, type LifecycleEvent, type LifecycleEventDraft } from '../lifecycle/events.js';
import { closeBlockedReason, escalationBlockedReason, taskBlockedReason, tasksBlockedReason, type IncidentMachineInput } from '../lifecycle/incidentMachine.js';
import { acceptedEvents, persistSnapshot, restoreSnapshot, startMachine, stepMachine, toIncident, type IncidentSnapshot } from '../lifecycle/projection.js';
import { SYSTEM_ACTOR, type Actor } from '../model/actor.js';
import type { StoredEvent } from '../model/event.js';
import type { AlertSummary, Incident, IncidentPolicySnapshot } from '../model/incident.js';
import { sevScale, type SeverityScale } from '../model/severity.js';
import type { Commit, OutboxRecord, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import { commandSchemas, toListQuery, withoutActor, type ReadOptions, type ScanFilter } from './commands.js';
import { createEngineEmitter, eventName } from './emitter.js';
import type { EngineCore, EngineCoreOptions, ExecuteOptions, PreparedCommit } from './engineCore.js';
import { checkFeatures, type AnyIncidentFeature, type BuildEvent, type CreateIncidentDraft, type FeatureParts, type FieldSealing, type IncidentFeature } from './feature.js';
import { resolveEnginePolicies } from './policies.js';
import { timerChanges } from './timerChanges.js';
import { createTimerWorker } from './timerWorker.js';
import { logTo, noTelemetry } from './telemetry.js';
import { COMMAND_EVENTS, INCIDENT_COMMANDS, type AuthorizeAction } from './types.js';
import type { NistCsfTag } from '../model/nistCsf.js';

export type { EngineCore, EngineCoreOptions, ExecuteOptions } from './engineCore.js';
export { withoutActor } from './commands.js';
export type { BuildEvent } from './feature.js';

/** A lifecycle event as a command builds it: the engine adds `at` and `actor`. */
export type EventDraft = LifecycleEventDraft;

const optionsSchema = /* @__PURE__ */ (() => z.object({
  store: z.custom<StorageAdapter>(
    (value) => typeof value === 'object' && value !== null && typeof (value as StorageAdapter).commit === 'function',
    'A store is required: pass memoryStore(), sqliteStore(db), postgresStore(pool) or your own StorageAdapter.',
  ),
  tenantId: z.string().min(1).max(200).default('default'),
  maxRetries: z.number().int().min(0).max(100).default(5),
  leaseMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
  workerId: z.string().min(1).max(200).optional(),
  cursorSecret: z.string().min(32, 'Use at least 32 characters of secret for cursorSecret (e.g. 32 random bytes, base64).').max(1_000).optional(),
  authorize: z.custom<unknown>((value) => value === undefined || typeof value === 'function', 'authorize must be a function ({ actor, action, incident, tenantId }) => boolean | Promise<boolean>.').optional(),
  drill: z.boolean().default(false),
}))();

/**
 * Refuses a store without the alert reads every engine needs: incidents carry only their newest
 * alerts, and ingest finds the others there. An adapter written before alerts had rows lacks them.
 */
function checkAlertReads(store: StorageAdapter): void {
  const missing = (['alerts', 'findAlert'] as const).filter((method) => typeof (store as unknown as Record<string, unknown>)[method] !== 'function');
  if (missing.length === 0) return;
  throw new ConfigError('createIncidentEngine', [
    {
      code: 'store_lacks_capability',
      path: ['store'],
      message: `The store '${store.name}' lacks ${missing.join(' and ')}(): stores keep every alert as a row; see "Alerts" in docs/custom-storage-adapter.md.`,
    },
  ]);
}

/** Why the incident's tasks refuse `event`: an open task blocks a `MITIGATE` or `RESOLVE`, or a task event names no open task. */
function tasksRefusal(context: IncidentSnapshot['context'], event: LifecycleEvent): string | undefined {
  if (event.type === 'MITIGATE' || event.type === 'RESOLVE') return tasksBlockedReason(context, event.type === 'MITIGATE' ? 'mitigate' : 'resolve');
  if (event.type === 'COMPLETE_TASK' || event.type === 'SKIP_TASK' || event.type === 'REASSIGN_TASK') return taskBlockedReason(context, event.taskId);
  return undefined;
}

function defaultHandlerError(error: unknown, name: string): void {
  console.error(`[incidentkit] a handler of '${name}' threw; the command itself succeeded.`, error);
}

/**
 * Builds the engine's kernel from validated options and sets up `features` against it, in
 * order. Every hook a feature contributes is known here, before the first command runs.
 *
 * @throws ConfigError (`CONFIG_INVALID`) for invalid options, a duplicate feature name, or a
 * store that lacks a storage method a feature requires.
 * @internal
 */
export function createEngineCore(options: EngineCoreOptions, features: readonly AnyIncidentFeature[]): EngineCore {
  const config = parseConfig(optionsSchema, options, 'createIncidentEngine');
  const store = config.store;
  checkAlertReads(store);
  const tenantId = config.tenantId;
  const clock: Clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const scale: SeverityScale = options.severityScale ?? sevScale;
  const schemas = commandSchemas(scale, [...new Set([...scale.levels, ...(options.listLevels ?? [])])]);
  const resolvedPolicies = resolveEnginePolicies(options.policies, scale);
  const workerId = config.workerId ?? ids('message').replace(/^msg_/, 'worker_');
  const telemetry = options.telemetry ?? noTelemetry;
  const { logger, onHandlerError } = options;
  const emitter = createEngineEmitter(
    logger === undefined
      ? (onHandlerError ?? defaultHandlerError)
      : (error, name) => {
          logTo(logger, 'error', { err: error, tenantId, component: 'handlers', event: name }, `A handler of '${name}' threw; the command itself succeeded.`);
          onHandlerError?.(error, name);
        },
  );
  checkFeatures(features, store);

  function now(): string {
    return clock.now().toISOString();
  }

  function publish(incident: Incident, events: readonly StoredEvent[]): void {
    for (const event of events) emitter.emit(eventName(event.type), { incident, event });
  }

  const authorizeHook = options.authorize;
  async function authorize(actor: Actor, action: AuthorizeAction, incident?: Incident, input?: Readonly<Record<string, unknown>>): Promise<void> {
    if (authorizeHook === undefined) return;
    const allowed: unknown = await authorizeHook({
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

  async function mayRead(actor: Actor, incident: Incident): Promise<boolean> {
    if (authorizeHook === undefined) return true;
    try {
      await authorize(actor, 'read', incident);
      return true;
    } catch (error) {
      if (error instanceof ForbiddenError) return false;
      throw error;
    }
  }

  async function load(incidentId: string): Promise<StoredIncident> {
    const stored = await store.load(tenantId, incidentId);
    if (stored === undefined) throw new NotFoundError({ entity: 'incident', id: incidentId, tenantId });
    return stored;
  }

  /** Refuses `event` with an {@link InvalidTransitionError}; `why` is given when the state accepts the event, or `always`. */
  function refuse(incident: Incident, snapshot: IncidentSnapshot, event: LifecycleEvent, why?: string, always = false): never {
    // A canceled incident takes an UNMERGE only when it was merged, and any incident a public update only once published; say nothing of them otherwise.
    const accepted = acceptedEvents(snapshot).filter(
      (type) => (type !== 'UNMERGE' || snapshot.context.cancellation?.previousStatus !== undefined) && (type !== 'POST_PUBLIC_UPDATE' || snapshot.context.publicIncident !== undefined),
    );
    const reason = always ? why : !accepted.includes(event.type) ? undefined : event.type === 'CLOSE' ? closeBlockedReason(snapshot.context) : (escalationBlockedReason(event) ?? tasksRefusal(snapshot.context, event) ?? why);
    // Speak in the commands a user can call; the engine's own events have none.
    const commandOf = (type: string) => INCIDENT_COMMANDS.find((name) => COMMAND_EVENTS[name] === type);
    const command = commandOf(event.type);
    throw new InvalidTransitionError({
      incidentId: incident.id,
      state: incident.status,
      event: event.type,
      accepted,
      ...(command === undefined ? {} : { command }),
      commands: INCIDENT_COMMANDS.filter((name) => accepted.includes(COMMAND_EVENTS[name])),
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /**
   * Checks an alert event against the store where the machine cannot: the context keeps only the
   * newest alerts, so an `ATTACH_ALERT` of an older alert, or a `CHANGE_ALERT_STATUS` of one, is
   * decided by the store's alert row. A status change gets that row's status as `previous`.
   * Returns the event to step, the alert as it was (`before`), and why it must be refused, if so.
   */
  async function checkAlertEvent(
    incidentId: string,
    event: LifecycleEvent,
    context: IncidentSnapshot['context'],
  ): Promise<{ event: LifecycleEvent; before?: AlertSummary; refusal?: string }> {
    if (event.type !== 'ATTACH_ALERT' && event.type !== 'CHANGE_ALERT_STATUS') return { event };
    const { fingerprint } = event;
    const shown = context.alerts.find((alert) => alert.fingerprint === fingerprint);
    const found = shown ?? (hasAlertsBeyondWindow(context) ? await store.findAlert(tenantId, incidentId, fingerprint) : undefined);
    const before = found === undefined ? undefined : withoutAlertCounters(found);
    if (event.type === 'ATTACH_ALERT') return before === undefined ? { event } : { event, before, refusal: `it already has alert '${fingerprint}'.` };
    if (before === undefined) return { event, refusal: `it has no alert '${fingerprint}'.` };
    const checked = { ...event, previous: before.status };
    return before.status === event.status ? { event: checked, before, refusal: `its alert '${fingerprint}' is already ${event.status}.` } : { event: checked, before };
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

  // Set up after the functions above exist: a feature's setup may keep references to them.
  let parts: readonly { readonly feature: AnyIncidentFeature; readonly parts: FeatureParts }[] = [];

  /** What every feature adds to the commit of `events`: outbox messages and its own timers. */
  function contributions(events: readonly StoredEvent[], incident: Incident): { outbox: OutboxRecord[]; timers: TimerRecord[] } {
    const outbox: OutboxRecord[] = [];
    const timers: TimerRecord[] = [];
    for (const { parts: p } of parts) {
      const added = p.commit?.({ events, incident });
      if (added?.outbox !== undefined) outbox.push(...added.outbox);
      if (added?.timers !== undefined) timers.push(...added.timers);
    }
    return { outbox, timers };
  }

  /**
   * The machine snapshot each persisted snapshot this engine committed was made from. A store
   * that hands back the very object it was given (the memory store) skips the restore; any
   * other object (parsed from a row) is restored. Weak: it never keeps an incident alive.
   */
  const machineSnapshots = new WeakMap<object, IncidentSnapshot>();
  function machineSnapshotOf(persisted: StoredIncident['snapshot']): IncidentSnapshot {
    return machineSnapshots.get(persisted) ?? restoreSnapshot(persisted);
  }

  /**
   * Decides one lifecycle event against a loaded incident: the commit that records it, not yet
   * written. `undefined` when a fired timer finds the machine no longer listening; a refused
   * event (or one refused with `refusal`, whatever the machine says) throws.
   */
  async function prepare(stored: StoredIncident, actor: Actor, draft: EventDraft, options: { readonly firedTimer?: string; readonly refusal?: string } = {}): Promise<PreparedCommit | undefined> {
    const { firedTimer } = options;
    const current = stored.incident;
    // Event times never run backwards within an incident, even across hosts with skewed clocks.
    const at = [now(), current.updatedAt].sort().at(-1) ?? now();
    const snapshot = machineSnapshotOf(stored.snapshot);
    if (options.refusal !== undefined) refuse(current, snapshot, { ...draft, at, actor }, options.refusal, true);
    const { event, before, refusal } = await checkAlertEvent(current.id, { ...draft, at, actor }, snapshot.context);
    const [next, actions] = refusal === undefined ? stepMachine(snapshot, event) : [snapshot, []];
    // XState returns the very same snapshot when no transition is enabled (unknown event or
    // failed guard); every accepted event assigns at least `updatedAt`, so this is exact.
    if (next === snapshot) {
      if (firedTimer !== undefined) return undefined;
      refuse(current, snapshot, event, refusal);
    }
    // What the lifecycle records right after the event (nobody could be paged) goes in the same commit.
    let last = next;
    const allActions = [...actions];
    const storedEvents: StoredEvent[] = [];
    const steps = [event, ...followingEvents(event)];
    // What features record after the event (e.g. a playbook's tasks after a severity change) follows it, in the same commit.
    for (const { parts: p } of parts) {
      for (const follow of p.following?.(event, toIncident(next, current.version + 1)) ?? []) steps.push({ ...follow, at, actor: SYSTEM_ACTOR });
    }
    for (const step of steps) {
      if (step !== event) {
        const [after, more] = stepMachine(last, step);
        if (after === last) refuse(toIncident(last, current.version + storedEvents.length), last, step);
        last = after;
        allActions.push(...more);
      }
      storedEvents.push(await signEvent(current.id, current.version + storedEvents.length + 1, step, storedEvents.at(-1)?.hash ?? stored.lastHash));
    }
    const incident = toIncident(last, current.version + storedEvents.length);
    const machineTimers = timerChanges(allActions, incident, at, firedTimer);
    const added = contributions(storedEvents, incident);
    const persisted = persistSnapshot(last);
    const alerts = alertRowsOf(event, before);
    const commit: Commit = {
      tenantId,
      incidentId: current.id,
      expectedVersion: current.version,
      events: storedEvents,
      incident,
      snapshot: persisted,
      timers: { set: [...machineTimers.set, ...added.timers], cancel: machineTimers.cancel },
      outbox: added.outbox,
      ...(alerts.length === 0 ? {} : { alerts }),
    };
    return { commit, machineSnapshot: last };
  }

  /** Remembers the machine snapshot of a written commit and tells subscribers about its events. */
  function committed(prepared: PreparedCommit): void {
    machineSnapshots.set(prepared.commit.snapshot, prepared.machineSnapshot);
    publish(prepared.commit.incident, prepared.commit.events);
  }

  /**
   * Runs one lifecycle event against an incident with optimistic concurrency: load, decide,
   * commit at the loaded version; on a conflict reload and decide again. With `firedTimer`
   * set, a refused event is not an error: the machine stopped listening, so the timer is moot.
   */
  async function executeNow(incidentId: string, actor: Actor, build: BuildEvent, execution: ExecuteOptions = {}): Promise<Incident | undefined> {
    const { firedTimer, action, input } = execution;
    for (let attempt = 0; ; attempt += 1) {
      const stored = await load(incidentId);
      // Asked on every attempt: a retry decides against the incident as it is now.
      if (action !== undefined) await authorize(actor, action, stored.incident, input);
      const draft = await build(stored);
      const prepared = await prepare(stored, actor, draft, firedTimer === undefined ? {} : { firedTimer });
      if (prepared === undefined) return undefined;
      try {
        const { commit } = prepared;
        await telemetry.commit({ tenantId, incidentId, events: commit.events.length, kind: 'commit' }, () => store.commit(commit));
      } catch (error) {
        if (isIncidentKitError(error, 'VERSION_CONFLICT') && attempt < config.maxRetries) continue;
        throw error;
      }
      committed(prepared);
      return prepared.commit.incident;
    }
  }

  /**
   * Commands on one incident from this process run one after the other: concurrent writers in
   * one process would otherwise retry in lockstep and exhaust their retries. Writers in other
   * processes are still caught by the store's version check and retried.
   */
  const serially = createKeyedQueue();
  function execute(incidentId: string, actor: Actor, build: BuildEvent, execution: ExecuteOptions & { readonly firedTimer: string }): Promise<Incident | undefined>;
  function execute(incidentId: string, actor: Actor, build: BuildEvent, execution?: ExecuteOptions & { readonly firedTimer?: undefined }): Promise<Incident>;
  function execute(incidentId: string, actor: Actor, build: BuildEvent, execution?: ExecuteOptions): Promise<Incident | undefined> {
    return serially(incidentId, () => executeNow(incidentId, actor, build, execution));
  }

  /**
   * {@link execute} for commands: without a fired timer a refused event throws, so a command always
   * changes the incident. Every feature's `commandEvent` hook completes the built event, in order.
   */
  function command(
    incidentId: string,
    actor: Actor,
    build: BuildEvent,
    action: AuthorizeAction | undefined,
    input?: Readonly<Record<string, unknown>>,
  ): Promise<Incident> {
    const done = execute(incidentId, actor, async (stored) => completeEvent('commandEvent', await build(stored), stored), {
      ...(action === undefined ? {} : { action }),
      ...(input === undefined ? {} : { input }),
    });
    // The caller sees sealed sensitive fields (a keyring) opened.
    return fieldSealing() === undefined ? done : done.then(async (incident) => (await core.openFields([incident]))[0] ?? incident);
  }

  /** Completes a machine timer's event (`timerEvent`) or a command's (`commandEvent`) with every feature's hook, in order. */
  async function completeEvent(hook: 'timerEvent' | 'commandEvent', draft: EventDraft, stored: StoredIncident): Promise<EventDraft> {
    let completed = draft;
    for (const { parts: p } of parts) completed = (await p[hook]?.(completed, stored)) ?? completed;
    return completed;
  }

  const fireDue = createTimerWorker({
    store,
    tenantId,
    clock,
    workerId,
    leaseMs: config.leaseMs,
    execute,
    completeTimerEvent: (draft, stored) => completeEvent('timerEvent', draft, stored),
    fireFeatureTimer: (feature) => parts.find((p) => p.feature.name === feature)?.parts.fireTimer,
    ...(logger === undefined ? {} : { logger }),
  });
  /** The tick, measured: its time is resolved here so the telemetry sees what the tick fires at. */
  const tick =
    telemetry === noTelemetry
      ? fireDue
      : (at?: Date) => {
          const when = at ?? clock.now();
          // An invalid date is refused inside, with a ValidationError; the span names it as given.
          const iso = when instanceof Date && Number.isFinite(when.getTime()) ? when.toISOString() : String(when);
          return telemetry.tick({ tenantId, at: iso }, () => fireDue(when));
        };

  /** Each policy as plain JSON, computed once per policy object (the engine's, or an incident type's). */
  const jsonPolicies = new WeakMap<IncidentPolicySnapshot, IncidentPolicySnapshot>();
  function jsonPolicy(policy: IncidentPolicySnapshot): IncidentPolicySnapshot {
    let json = jsonPolicies.get(policy);
    if (json === undefined) {
      json = JSON.parse(JSON.stringify(policy)) as IncidentPolicySnapshot;
      jsonPolicies.set(policy, json);
    }
    return json;
  }

  async function create(
    input: CreateIncidentDraft,
    history: readonly LifecycleEvent[] = [],
    frozen?: IncidentPolicySnapshot,
    action?: AuthorizeAction,
  ): Promise<Incident> {
    if (action !== undefined) await authorize(input.actor, action);
    const at = input.at ?? now();
    const id = input.id ?? ids('incident');
    // A drill is `true` or absent (never `false`), so real incidents' events and projections stay as they were.
    const { drill: askedDrill, ...draft } = input;
    input = askedDrill === true || config.drill ? { ...draft, drill: true } : draft;
    // Sensitive fields enter the machine sealed: the DECLARED event, projection and snapshot hold only envelopes.
    const sealing = fieldSealing();
    if (sealing !== undefined && input.fields !== undefined) {
      input = { ...input, fields: await sealing.seal({ incidentId: id, subjectId: input.subjectId, fields: input.fields, policy: frozen ?? core.policy }) };
    }
    // Plain JSON (no undefined, no prototypes), as a replay of the stored DECLARED event sees it;
    // the policy is normalised once per policy object and then shared by every incident.
    const machineInput = { ...(JSON.parse(JSON.stringify({ ...input, id, tenantId, at })) as object), policy: jsonPolicy(frozen ?? core.policy) } as IncidentMachineInput;
    const [initial, actions] = startMachine(machineInput);
    let snapshot = initial;
    // What features record in the creation commit itself (e.g. the service's recent changes).
    if (input.imported !== true) {
      for (const { parts: p } of parts) {
        const drafts = p.declare?.history === undefined ? [] : await p.declare.history(machineInput);
        history = [...history, ...drafts.map((draft) => ({ ...draft, at, actor: SYSTEM_ACTOR }))];
      }
    }
    const { at: _at, actor, ...data } = machineInput;
    const first = {
      id: ids('event'),
      tenantId,
      incidentId: id,
      seq: 1,
      type: 'DECLARED' as const,
      at,
      actor,
      // Already plain JSON (machineInput is); the fresh top-level object is the event's own.
      data: data as unknown as StoredEvent['data'],
    };
    const events: StoredEvent[] = [{ ...first, hash: await hashEvent(GENESIS_HASH, first) }];
    const timers: { set: TimerRecord[]; cancel: string[] } = { set: [], cancel: [] };
    const mergeTimers = (changes: { set: TimerRecord[]; cancel: string[] }): void => {
      timers.set = [...timers.set.filter((t) => !changes.cancel.includes(t.timerId) && !changes.set.some((n) => n.timerId === t.timerId)), ...changes.set];
      timers.cancel = [...new Set([...timers.cancel, ...changes.cancel])];
    };
    mergeTimers(timerChanges(actions, { tenantId, id }, at));
    // A new incident's alerts are all in its context; history may attach or change more.
    const alerts = new Map(initial.context.alerts.map((alert) => [alert.fingerprint, alert]));
    for (const event of history) {
      const [next, more] = stepMachine(snapshot, event);
      if (next === snapshot) refuse(toIncident(snapshot, events.length), snapshot, event);
      const fingerprint = event.type === 'ATTACH_ALERT' || event.type === 'CHANGE_ALERT_STATUS' ? event.fingerprint : undefined;
      for (const row of alertRowsOf(event, fingerprint === undefined ? undefined : alerts.get(fingerprint))) alerts.set(row.fingerprint, row);
      snapshot = next;
      mergeTimers(timerChanges(more, { tenantId, id }, event.at));
      events.push(await signEvent(id, events.length + 1, event, events.at(-1)?.hash ?? GENESIS_HASH));
    }
    const incident = toIncident(snapshot, events.length);
    const added = contributions(events, incident);
    const persisted = persistSnapshot(snapshot);
    const commit: Commit = {
      tenantId,
      incidentId: id,
      expectedVersion: 0,
      events,
      incident,
      snapshot: persisted,
      timers: { set: [...timers.set, ...added.timers], cancel: timers.cancel.filter((t) => !timers.set.some((n) => n.timerId === t)) },
      outbox: added.outbox,
      ...(alerts.size === 0 ? {} : { alerts: [...alerts.values()] }),
    };
    await telemetry.commit({ tenantId, incidentId: id, events: events.length, kind: 'create' }, () => store.commit(commit));
    machineSnapshots.set(persisted, snapshot);
    publish(incident, events);
    return incident;
  }

  async function prepareType(input: Parameters<EngineCore['prepareType']>[0]): ReturnType<EngineCore['prepareType']> {
    for (const { parts: p } of parts) {
      const prepared = await p.declare?.prepare?.(input);
      if (prepared !== undefined) return prepared;
    }
    throw new ValidationError('declare', [
      { code: 'unknown_type', path: ['type'], message: `Unknown incident type '${input.type}': this engine has no such incident type; pass it as createIncidentEngine({ types }).` },
    ]);
  }

  async function* scan(filter: ScanFilter = {}): AsyncGenerator<Incident> {
    let cursor: string | undefined;
    do {
      const query = parseInput(schemas.list, { ...filter, limit: 500, ...(cursor === undefined ? {} : { cursor }) }, 'scan');
      const page = await store.list(tenantId, toListQuery(query));
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** How the features seal sensitive fields (the first that does), when one does. */
  function fieldSealing(): FieldSealing | undefined {
    return parts.find((p) => p.parts.fields !== undefined)?.parts.fields;
  }

  function severityScaleOf(incident: Incident): SeverityScale {
    for (const { parts: p } of parts) {
      const own = p.severityScaleOf?.(incident);
      if (own !== undefined) return own;
    }
    return scale;
  }

  const core: EngineCore = {
    store,
    tenantId,
    clock,
    ids,
    severityScale: scale,
    schemas,
    // Replaced below once the features refined it (status labels); read only after setup.
    policy: resolvedPolicies.snapshot,
    workerId,
    leaseMs: config.leaseMs,
    emitter,
    now,
    load,
    execute,
    command,
    authorize,
    mayRead,
    authorizes: authorizeHook !== undefined,
    create,
    prepare,
    committed,
    scan,
    emit: (name, payload) => {
      emitter.emit(name, payload);
    },
    tick,
    severityScaleOf,
    get features() {
      return parts;
    },
    escalationPolicies: resolvedPolicies.escalationPolicies,
    prepareType,
    typeScale: (type) => {
      for (const { parts: p } of parts) {
        const found = p.declare?.typeScale?.(type);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    openFields: async (incidents) => (await fieldSealing()?.open(incidents)) ?? incidents,
    openEvents: async (incident, events) => (await fieldSealing()?.openEvents(incident, events)) ?? events,
    ...(resolvedPolicies.similar === undefined ? {} : { similar: resolvedPolicies.similar }),
    ...(config.cursorSecret === undefined ? {} : { cursorSecret: config.cursorSecret }),
    telemetry,
    ...(logger === undefined ? {} : { logger }),
  };
  parts = features.map((feature) => ({ feature, parts: feature.setup(core) }));
  for (const { parts: p } of parts) p.ready?.();
  // The policy frozen into untyped incidents, as every feature refined it (e.g. status labels).
  let policy = resolvedPolicies.snapshot;
  for (const { parts: p } of parts) if (p.policy !== undefined) policy = p.policy(policy);
  Object.defineProperty(core, 'policy', { value: policy, enumerable: true });
  const outboxStats = store.outboxStats?.bind(store);
  telemetry.register?.({ tenantId, now: () => clock.now(), ...(outboxStats === undefined ? {} : { outbox: () => outboxStats(tenantId) }) });
  return core;
}

/**
 * Runs a lifecycle command on incident `id` (validated here) as `parsed.actor`, authorized as
 * `action` with the command's validated input: the one shape every per-incident command has.
 *
 * @internal
 */
export function runIncidentCommand(
  core: EngineCore,
  action: AuthorizeAction,
  id: unknown,
  parsed: { readonly actor: Actor; readonly nist?: readonly NistCsfTag[] | undefined },
  build: BuildEvent,
): Promise<Incident> {
  // The optional `nist` tags of a command are stored on the event it records.
  const { nist } = parsed;
  const tagged: BuildEvent = nist === undefined ? build : async (stored) => ({ ...(await build(stored)), nist });
  return core.command(parseInput(core.schemas.incidentId, id, action), parsed.actor, tagged, action, withoutActor(parsed));
}

/** Who reads: the actor a read names, or the system actor when the host names none. @internal */
export function readerOf(core: EngineCore, options: ReadOptions | undefined, subject: string): Actor {
  return parseInput(core.schemas.read, options, subject).actor ?? SYSTEM_ACTOR;
}

/**
 * A feature of the library's own: set up against the engine's whole kernel ({@link EngineCore}),
 * not only the public {@link FeatureContext}. The engine passes its kernel to every feature.
 *
 * @internal
 */
export function builtInFeature<const Name extends string, Api extends object>(
  feature: Omit<IncidentFeature<Name, Api>, 'setup'> & { setup(core: EngineCore): FeatureParts<Api> },
): IncidentFeature<Name, Api> {
  return { ...feature, setup: (context) => feature.setup(context as EngineCore) };
}
