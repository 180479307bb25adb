/**
 * Routing in the engine: the rules in force (`engine.routes`, kept per tenant as a versioned
 * record of kind `routes`), maintenance windows as runtime data (`engine.maintenance`, a record
 * of kind `maintenance`), `engine.explainRoute`, and the router every `ingest` call asks.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { ConfigError, NotFoundError, ValidationError, type ValidationIssue } from '../../errors.js';
import { builtInFeature, type EngineCore } from '../../engine/core.js';
import type { IncidentFeature, SignalRoute, SignalRouter } from '../../engine/feature.js';
import { instantSchema, windowCovers } from '../../engine/ingestOptions.js';
import { deepFreeze } from '../../kernel/freeze.js';
import { createKeyedQueue } from '../../kernel/keyedQueue.js';
import { parseConfig, parseInput } from '../../kernel/parse.js';
import { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import { isSealedSignal, signalSchema, type Signal } from '../../model/signal.js';
import { requireRecords, retryOnRecordConflict, type RecordStore } from '../../storage/records.js';
import type { StoredRecord } from '../../storage/types.js';
import { routeForIngest, type RouteDecision } from './evaluate.js';
import { explainRoute, type RouteExplanation } from './explainRoute.js';
import { isDefinedRoutes, markDefined, type RouteRule, type Routes } from './routes.js';

/** The record kind the routes in force are kept under (one record per tenant, id `current`). */
export const ROUTES_RECORD_KIND = 'routes';
/** The record kind maintenance windows are kept under (one record per tenant, id `windows`). */
export const MAINTENANCE_RECORD_KIND = 'maintenance';
const ROUTES_ID = 'current';
const WINDOWS_ID = 'windows';

/** Windows kept in force or ahead at once. */
const MAX_WINDOWS = 1_000;
/** How long an ended window stays in `engine.maintenance.list({ ended: true })` (every version stays in the record's history). */
const ENDED_KEPT_MS = 30 * 24 * 60 * 60_000;

/** The routing options of `createIncidentEngine`. */
export interface SignalRoutingOptions {
  /**
   * The routing rules (from `defineRoutes` in `incidentkit/routing`) every ingested signal goes
   * through until `engine.routes.put` stores others for the tenant. Default: none. (`routes` is
   * the notification routes' option.)
   */
  readonly routing?: Routes;
}

/** The routes in force and where they come from. */
export interface RoutesInForce {
  readonly routes: Routes;
  /** `stored`: written with `engine.routes.put` (then `version` and who wrote it are set); `config`: `createIncidentEngine({ routing })`. */
  readonly source: 'stored' | 'config';
  readonly version?: number;
  readonly updatedAt?: string;
  readonly updatedBy?: Actor;
}

/** Who writes, and optionally the version the write was computed from. */
export interface RoutesWriteOptions {
  readonly actor: ActorInput;
  /** The stored version the write replaces (`0`: none stored yet); any other raises `RecordConflictError`. Absent: replace whatever is current. */
  readonly expectedVersion?: number;
}

/** Who reads; absent: the engine's system actor. */
export interface RoutingReadOptions {
  readonly actor?: ActorInput;
}

/**
 * `engine.routes`: the routing rules in force for the engine's tenant, hot-swappable at run time.
 *
 * @remarks Writes ask `authorize` about `routes.write`, reads about `routes.read`. Stored rules
 * replace the configured ones (`createIncidentEngine({ routing })`) for the tenant; every version
 * is kept. An engine applies a write of its own at once, and one made by another engine (another
 * process sharing the store) within `ingest.refreshMs` (default 1 000 ms of its clock).
 */
export interface RoutesApi {
  /**
   * Stores `routes` (made by `defineRoutes`) as the tenant's next version of its rules.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when `routes` did not come from `defineRoutes`, or a rule names an incident type or escalation policy this engine does not have, or a severity outside the scale it applies to.
   * @throws RecordConflictError (`VERSION_CONFLICT`) when `expectedVersion` is given and is not the current version.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `routes.write`.
   * @throws ConfigError (`CONFIG_INVALID`) when the store lacks the record methods.
   */
  put(routes: Routes, options: RoutesWriteOptions): Promise<RoutesInForce>;
  /** The rules in force now (stored, else configured, else none). */
  get(options?: RoutingReadOptions): Promise<RoutesInForce>;
  /** Every stored version after `afterVersion` (default 0), oldest first, at most `limit` (default 100). */
  history(query?: RoutingReadOptions & { readonly afterVersion?: number; readonly limit?: number }): Promise<RoutesInForce[]>;
}

/** A maintenance window as `engine.maintenance.create` takes it. */
export interface MaintenanceWindowInput {
  /** Default: a fresh id. */
  readonly id?: string;
  readonly start: Date | string;
  readonly end: Date | string;
  /** Only signals of this service (after routing set it); absent: any service. */
  readonly service?: string;
  /** Only signals carrying all these labels; absent: any labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Why, for the people reading the list (at most 1 000 characters). */
  readonly reason?: string;
}

/** A stored maintenance window. */
export interface StoredMaintenanceWindow {
  readonly id: string;
  /** ISO-8601 UTC. */
  readonly start: string;
  /** ISO-8601 UTC; moved to the time it was ended early, if it was. */
  readonly end: string;
  readonly service?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly reason?: string;
  readonly createdBy: Actor;
  readonly createdAt: string;
  /** Set when `end` was called before the window's planned end. */
  readonly endedEarly?: { readonly at: string; readonly by: Actor; readonly plannedEnd: string };
}

/**
 * `engine.maintenance`: maintenance windows as runtime data. A signal that matches a window in
 * force (its service and labels, after routing) is recorded as `suppressed`
 * (`suppressedBy: 'maintenance <id>'`) and opens nothing.
 *
 * @remarks Writes ask `authorize` about `maintenance.write`, reads about `maintenance.read`.
 * Windows fixed at construction (`ingest.maintenanceWindows`) keep working beside these. At most
 * 1 000 windows are in force or ahead at once; ended ones are listed for 30 days, and every
 * change stays in the record's history (`recordHistory` of kind `maintenance`).
 */
export interface MaintenanceApi {
  /**
   * Creates a window.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a window that ends before it starts or before now, an id in use, or too many windows.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `maintenance.write`.
   * @throws ConfigError (`CONFIG_INVALID`) when the store lacks the record methods.
   */
  create(window: MaintenanceWindowInput, options: { readonly actor: ActorInput }): Promise<StoredMaintenanceWindow>;
  /** The windows in force or ahead (with `ended: true`, also those that ended within 30 days), by start. */
  list(query?: RoutingReadOptions & { readonly ended?: boolean }): Promise<StoredMaintenanceWindow[]>;
  /**
   * Ends a window now (one that has not started is removed from what is ahead: it ends when it would start).
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown window.
   * @throws ValidationError (`VALIDATION_FAILED`) for a window that has already ended.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `maintenance.write`.
   */
  end(id: string, options: { readonly actor: ActorInput }): Promise<StoredMaintenanceWindow>;
}

/** The methods the routing feature adds to the engine. */
export interface RoutingApi {
  /** The routing rules in force: see {@link RoutesApi}. */
  readonly routes: RoutesApi;
  /** Maintenance windows: see {@link MaintenanceApi}. */
  readonly maintenance: MaintenanceApi;
  /**
   * How the rules in force route `signal` (a `Signal`, as `ingest` takes it): every rule tried,
   * its conditions with the values they saw, and the decision `ingest` applies — plus the
   * maintenance window that would suppress it now, if any.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed signal.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `routes.read`.
   */
  explainRoute(signal: Signal, options?: RoutingReadOptions): Promise<RouteExplanation & { readonly maintenance?: StoredMaintenanceWindow }>;
}


const schemas = /* @__PURE__ */ (() => ({
  write: z.object({ actor: actorSchema, expectedVersion: z.int().min(0).max(2_147_483_646).optional() }),
  actor: z.object({ actor: actorSchema }),
  read: z.object({ actor: actorSchema.optional() }).default({}),
  history: z
    .object({ actor: actorSchema.optional(), afterVersion: z.int().min(0).default(0), limit: z.int().min(1).max(1_000).default(100) })
    .default({ afterVersion: 0, limit: 100 }),
  list: z.object({ actor: actorSchema.optional(), ended: z.boolean().default(false) }).default({ ended: false }),
  id: z.string().min(1).max(200),
  window: z.strictObject({
    id: z.string().regex(/^[\w.:-]{1,200}$/, 'A window id holds 1 to 200 letters, digits, _, ., : or -.').optional(),
    start: instantSchema,
    end: instantSchema,
    service: z.string().min(1).max(200).optional(),
    labels: z.record(z.string().min(1).max(128), z.string().max(1_024)).refine((l) => Object.keys(l).length <= 50, 'At most 50 labels.').optional(),
    reason: z.string().max(1_000).optional(),
  }),
  refresh: z.object({ refreshMs: z.number().int().min(0).max(600_000).default(1_000) }).loose(),
}))();

/** What a routes record holds. */
interface RoutesValue {
  readonly rules: readonly RouteRule[];
}

/** What the maintenance record holds. */
interface WindowsValue {
  readonly windows: readonly StoredMaintenanceWindow[];
}


/**
 * Routes read back from the store: they were validated by `defineRoutes` before `engine.routes.put`
 * wrote them, so they are taken as defined (the ReDoS detector stays out of the core entry).
 */
function storedRoutes(record: StoredRecord): RoutesInForce {
  const value = record.value as unknown as RoutesValue;
  const routes = markDefined(deepFreeze({ rules: JSON.parse(JSON.stringify(value.rules)) as RouteRule[] }));
  return { routes, source: 'stored', version: record.version, updatedAt: record.updatedAt, updatedBy: record.updatedBy };
}

function windowsOf(record: StoredRecord | undefined): readonly StoredMaintenanceWindow[] {
  if (record === undefined || record.deleted === true) return [];
  return (record.value as unknown as WindowsValue).windows;
}


/**
 * The routing feature: `engine.routes`, `engine.maintenance`, `engine.explainRoute` and the
 * router of `ingest`.
 *
 * @internal
 */
export function routingFeature(options: SignalRoutingOptions & { readonly ingest?: unknown }): IncidentFeature<'routing', RoutingApi> {
  const configured = options.routing;
  if (configured !== undefined && !isDefinedRoutes(configured)) {
    throw new ConfigError('createIncidentEngine', [
      { code: 'custom', path: ['routing'], message: 'Routing rules must come from defineRoutes (import it from incidentkit/routing).' },
    ]);
  }
  const { refreshMs } = parseConfig(schemas.refresh, options.ingest ?? {}, 'createIncidentEngine ingest');
  return builtInFeature({
    name: 'routing',
    setup(core) {
      const routing = createRouting(core, configured, refreshMs);
      return { api: routing.api, router: routing.router, ready: routing.ready };
    },
  });
}

function createRouting(core: EngineCore, configured: Routes | undefined, refreshMs: number) {
  const { tenantId } = core;
  const hasRecords = typeof core.store.getRecord === 'function';
  const records = (subject: string): RecordStore => requireRecords(core.store, subject);
  const serially = createKeyedQueue();
  const none: Routes = markDefined(deepFreeze({ rules: [] }));
  const fromConfig: RoutesInForce = { routes: configured ?? none, source: 'config' };


  interface State {
    readonly routes: RoutesInForce;
    readonly windows: readonly StoredMaintenanceWindow[];
  }
  let cached: { readonly at: number; readonly state: State } | undefined;
  let loading: Promise<State> | undefined;

  async function load(): Promise<State> {
    if (!hasRecords) return { routes: fromConfig, windows: [] };
    const store = records('routing');
    const [routesRecord, windowsRecord] = await Promise.all([
      store.getRecord(tenantId, ROUTES_RECORD_KIND, ROUTES_ID),
      store.getRecord(tenantId, MAINTENANCE_RECORD_KIND, WINDOWS_ID),
    ]);
    const routes = routesRecord === undefined || routesRecord.deleted === true ? fromConfig : storedRoutes(routesRecord);
    return { routes, windows: windowsOf(windowsRecord) };
  }

  /** The rules and windows in force: read again at most every `refreshMs` of the engine's clock. */
  /** The cached state while it is younger than `refreshMs` by the engine's clock (and the clock did not go back). */
  function cachedState(now: number): State | undefined {
    return cached !== undefined && now - cached.at < refreshMs && now >= cached.at ? cached.state : undefined;
  }

  async function state(fresh = false): Promise<State> {
    const now = core.clock.now().getTime();
    const known = fresh ? undefined : cachedState(now);
    if (known !== undefined) return known;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    const loaded = await loading;
    cached = { at: now, state: loaded };
    return loaded;
  }

  function remember(change: Partial<State>): void {
    if (cached === undefined) return;
    cached = { at: cached.at, state: { ...cached.state, ...change } };
  }

  /**
   * Refuses rules that name what this engine lacks: an incident type, an escalation policy, a
   * severity outside the scale it applies to.
   */
  function checkRules(routes: Routes, subject: string): void {
    const issues: ValidationIssue[] = [];
    for (const [index, rule] of routes.rules.entries()) {
      const { type, policy, severity } = rule.then;
      const scale = type === undefined ? core.severityScale : core.typeScale(type);
      if (type !== undefined && scale === undefined) {
        issues.push({ code: 'unknown_type', path: ['rules', index, 'then', 'type'], message: `Rule ${rule.id} opens incidents of type '${type}', which this engine does not have (createIncidentEngine({ types })).` });
      }
      if (policy !== undefined && !core.escalationPolicies.has(policy)) {
        const known = [...core.escalationPolicies.keys()].join(', ') || 'none configured';
        issues.push({ code: 'unknown_policy', path: ['rules', index, 'then', 'policy'], message: `Rule ${rule.id} names the escalation policy '${policy}', which is not in policies.escalationPolicies (${known}).` });
      }
      if (severity !== undefined && scale !== undefined && !scale.levels.includes(severity)) {
        issues.push({ code: 'invalid_severity', path: ['rules', index, 'then', 'severity'], message: `Rule ${rule.id} sets severity '${severity}', which is not one of ${scale.levels.join(', ')}.` });
      }
    }
    if (issues.length > 0) throw new ValidationError(subject, issues);
  }

  /** Refuses rules whose incident type needs fields an alert cannot give (a rule opens it with none). */
  async function checkTypeFields(routes: Routes, subject: string): Promise<void> {
    const issues: ValidationIssue[] = [];
    for (const [index, rule] of routes.rules.entries()) {
      const type = rule.then.type;
      const scale = type === undefined ? undefined : core.typeScale(type);
      if (type === undefined || scale === undefined) continue;
      try {
        await core.prepareType({ type, severity: scale.levels.at(-1) ?? '', fields: {} });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        issues.push({
          code: 'type_needs_fields',
          path: ['rules', index, 'then', 'type'],
          message: `Rule ${rule.id} opens incidents of type '${type}', which needs fields an alert cannot give (${error.details.issues.map((i) => i.message).join('; ')}); make them optional or route to another type.`,
        });
      }
    }
    if (issues.length > 0) throw new ValidationError(subject, issues);
  }

  /** Routes every signal of one ingest call with what is in force now. */
  /** The router of a state, made once per state (a cached state answers without a promise). */
  const routers = new WeakMap<State, SignalRouter | null>();
  function routerFor(current: State): SignalRouter | undefined {
    const known = routers.get(current);
    if (known !== undefined) return known ?? undefined;
    const made = makeRouter(current);
    routers.set(current, made ?? null);
    return made;
  }

  function makeRouter({ routes, windows }: State): SignalRouter | undefined {
    const hasRules = routes.routes.rules.length > 0;
    if (!hasRules && windows.length === 0) return undefined;
    return (signal, at): SignalRoute => {
      const decision: RouteDecision | undefined = hasRules ? routeForIngest(routes.routes, signal) : undefined;
      const routed = decision?.signal ?? signal;
      const rules = decision?.matched ?? [];
      const window = windows.length === 0 ? undefined : windows.find((w) => windowCovers(w, routed, at));
      if (window !== undefined) return { signal: routed, rules, suppressed: true, suppressedBy: `maintenance ${window.id}` };
      if (decision === undefined) return { signal, rules, suppressed: false };
      const route: { -readonly [K in keyof SignalRoute]: SignalRoute[K] } = { signal: routed, rules, suppressed: decision.suppressed };
      if (decision.suppressed && decision.setBy.suppress !== undefined) route.suppressedBy = `rule ${decision.setBy.suppress}`;
      if (decision.type !== undefined) route.type = decision.type;
      if (decision.policy !== undefined) route.policy = decision.policy;
      if (decision.threshold !== undefined) route.threshold = decision.threshold;
      if (decision.group !== undefined) route.group = decision.group;
      if (decision.reopenWindowMinutes !== undefined) route.reopenWindowMinutes = decision.reopenWindowMinutes;
      return route;
    };
  }

  /** Routes every signal of one ingest call with what is in force now: at once while the cached rules are fresh. */
  function router(): SignalRouter | undefined | Promise<SignalRouter | undefined> {
    const known = cachedState(core.clock.now().getTime());
    return known === undefined ? state().then(routerFor) : routerFor(known);
  }

  async function reader(options: unknown, subject: string, action: 'routes.read' | 'maintenance.read', input: Readonly<Record<string, unknown>> = {}): Promise<void> {
    const actor = parseInput(schemas.read, options, subject).actor ?? SYSTEM_ACTOR;
    await core.authorize(actor, action, undefined, input);
  }

  const routesApi: RoutesApi = {
    async put(routes, options) {
      const subject = 'routes.put';
      const { actor, expectedVersion } = parseInput(schemas.write, options, subject);
      if (!isDefinedRoutes(routes)) {
        throw new ValidationError(subject, [{ code: 'custom', path: ['routes'], message: 'Routes must come from defineRoutes (import it from incidentkit/routing).' }]);
      }
      checkRules(routes, subject);
      await checkTypeFields(routes, subject);
      await core.authorize(actor, 'routes.write', undefined, { rules: routes.rules.length, ...(expectedVersion === undefined ? {} : { expectedVersion }) });
      const store = records(`engine.${subject}`);
      const written = await serially(ROUTES_ID, () =>
        retryOnRecordConflict(
          async () => {
            const current = await store.getRecord(tenantId, ROUTES_RECORD_KIND, ROUTES_ID);
            return store.putRecord({
              tenantId,
              kind: ROUTES_RECORD_KIND,
              id: ROUTES_ID,
              expectedVersion: expectedVersion ?? current?.version ?? 0,
              value: { rules: routes.rules } as unknown as JsonValue,
              at: core.now(),
              actor,
            });
          },
          { pinned: expectedVersion !== undefined },
        ),
      );
      const stored = storedRoutes(written);
      remember({ routes: stored });
      return stored;
    },

    async get(options) {
      await reader(options, 'routes.get', 'routes.read');
      return (await state(true)).routes;
    },

    async history(query) {
      const subject = 'routes.history';
      const { actor, afterVersion, limit } = parseInput(schemas.history, query, subject);
      await core.authorize(actor ?? SYSTEM_ACTOR, 'routes.read', undefined, {});
      const versions = await records(`engine.${subject}`).recordHistory(tenantId, ROUTES_RECORD_KIND, ROUTES_ID, { afterVersion, limit });
      return versions.filter((record) => record.deleted !== true).map(storedRoutes);
    },
  };

  /** Writes the windows `change` makes of the current ones, at that version; retried on a concurrent write. */
  async function writeWindows(subject: string, actor: Actor, change: (windows: readonly StoredMaintenanceWindow[], now: string) => { windows: StoredMaintenanceWindow[]; result: StoredMaintenanceWindow }) {
    const store = records(`engine.${subject}`);
    return serially(WINDOWS_ID, () =>
      retryOnRecordConflict(async () => {
        const record = await store.getRecord(tenantId, MAINTENANCE_RECORD_KIND, WINDOWS_ID);
        const now = core.now();
        // Windows that ended long ago leave the list (they stay in the record's history).
        const kept = windowsOf(record).filter((w) => Date.parse(now) - Date.parse(w.end) <= ENDED_KEPT_MS);
        const { windows, result } = change(kept, now);
        await store.putRecord({
          tenantId,
          kind: MAINTENANCE_RECORD_KIND,
          id: WINDOWS_ID,
          expectedVersion: record?.version ?? 0,
          value: { windows } as unknown as JsonValue,
          at: now,
          actor,
        });
        remember({ windows });
        return result;
      }),
    );
  }

  const maintenance: MaintenanceApi = {
    async create(input, options) {
      const subject = 'maintenance.create';
      const { actor } = parseInput(schemas.actor, options, subject);
      const window = parseInput(schemas.window, input, subject);
      await core.authorize(actor, 'maintenance.write', undefined, { ...window });
      const id = window.id ?? core.ids('message').replace(/^msg_/, 'mw_');
      return writeWindows(subject, actor, (windows, now) => {
        const issues: ValidationIssue[] = [];
        if (window.end <= window.start) issues.push({ code: 'custom', path: ['end'], message: 'A maintenance window must end after it starts.' });
        else if (window.end <= now) issues.push({ code: 'custom', path: ['end'], message: `The window ends before now (${now}); a window in the past would rewrite history.` });
        if (windows.some((w) => w.id === id)) issues.push({ code: 'custom', path: ['id'], message: `A maintenance window '${id}' exists already.` });
        if (windows.filter((w) => w.end > now).length >= MAX_WINDOWS) issues.push({ code: 'too_big', path: [], message: `At most ${String(MAX_WINDOWS)} maintenance windows may be in force or ahead; end some first.` });
        if (issues.length > 0) throw new ValidationError(subject, issues);
        const created: StoredMaintenanceWindow = JSON.parse(
          JSON.stringify({ id, start: window.start, end: window.end, service: window.service, labels: window.labels, reason: window.reason, createdBy: actor, createdAt: now }),
        ) as StoredMaintenanceWindow;
        return { windows: [...windows, created], result: created };
      });
    },

    async list(query) {
      const subject = 'maintenance.list';
      const { actor, ended } = parseInput(schemas.list, query, subject);
      await core.authorize(actor ?? SYSTEM_ACTOR, 'maintenance.read', undefined, {});
      const windows = hasRecords ? windowsOf(await records(`engine.${subject}`).getRecord(tenantId, MAINTENANCE_RECORD_KIND, WINDOWS_ID)) : [];
      const now = core.now();
      return windows.filter((w) => ended || w.end > now).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : 1));
    },

    async end(id, options) {
      const subject = 'maintenance.end';
      const windowId = parseInput(schemas.id, id, subject);
      const { actor } = parseInput(schemas.actor, options, subject);
      await core.authorize(actor, 'maintenance.write', undefined, { windowId });
      return writeWindows(subject, actor, (windows, now) => {
        const found = windows.find((w) => w.id === windowId);
        if (found === undefined) throw new NotFoundError({ entity: 'maintenance window', id: windowId, tenantId });
        if (found.end <= now) throw new ValidationError(subject, [{ code: 'custom', path: ['id'], message: `Maintenance window ${windowId} ended at ${found.end}.` }]);
        const at = now < found.start ? found.start : now;
        const ended: StoredMaintenanceWindow = { ...found, end: at, endedEarly: { at: now, by: actor, plannedEnd: found.end } };
        return { windows: windows.map((w) => (w.id === windowId ? ended : w)), result: ended };
      });
    },
  };

  const api: RoutingApi = {
    routes: routesApi,
    maintenance,
    async explainRoute(input, options) {
      const subject = 'explainRoute';
      await reader(options, subject, 'routes.read');
      const signal = isSealedSignal(input) ? input : parseInput(signalSchema, input, 'signal');
      const { routes, windows } = await state(true);
      const explanation = explainRoute(routes.routes, signal);
      const at = core.now();
      const window = windows.find((w) => windowCovers(w, explanation.decision.signal, at));
      return window === undefined ? explanation : { ...explanation, maintenance: window };
    },
  };

  /** Configured rules are checked once every feature is set up (incident types, policies). */
  function ready(): void {
    if (configured === undefined) return;
    try {
      checkRules(configured, 'createIncidentEngine routing');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ConfigError('createIncidentEngine', error.details.issues.map((issue) => ({ ...issue, path: ['routing', ...issue.path] })));
    }
  }

  return { api, router, ready };
}
