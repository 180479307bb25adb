import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { Clock } from '../kernel/clock.js';
import type { IdGenerator } from '../kernel/ids.js';
import { parseConfig } from '../kernel/parse.js';
import { LIFECYCLE_EVENT_TYPES, type LifecycleEvent, type LifecycleEventDraft, type LifecycleEventType } from '../lifecycle/events.js';
import type { IncidentMachineInput } from '../lifecycle/incidentContext.js';
import type { Actor } from '../model/actor.js';
import type { StoredEvent } from '../model/event.js';
import type { Incident, IncidentPolicySnapshot } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import type { SeverityScale } from '../model/severity.js';
import type { NotifierContext } from '../model/notification.js';
import type { Signal } from '../model/signal.js';
import type { OutboxRecord, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import type { ScanFilter } from './commands.js';
import type { IncidentEngineEvents } from './emitter.js';
import type { AuthorizeAction } from './types.js';

/**
 * A storage method a feature relies on: the name of a {@link StorageAdapter} method. A store
 * that lacks one is refused by `createIncidentEngine` with `CONFIG_INVALID`.
 */
export type StorageCapability = keyof StorageAdapter;

/** Builds the lifecycle event of a command from the incident as loaded (may validate asynchronously). */
export type BuildEvent = (stored: StoredIncident) => LifecycleEventDraft | Promise<LifecycleEventDraft>;

/** What `create` needs: the machine input less what the engine fills in (id, tenant, policy, time). */
export interface CreateIncidentDraft {
  /** The new incident's id (default: a fresh one); ingest names a recurrence before it exists. */
  readonly id?: string | undefined;
  readonly actor: Actor;
  readonly title: string;
  readonly severity: string;
  readonly at?: string | undefined;
  readonly service?: string | undefined;
  readonly summary?: string | undefined;
  readonly dedupKey?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly fields?: Readonly<Record<string, JsonValue>> | undefined;
  readonly services?: readonly string[] | undefined;
  readonly type?: string | undefined;
  readonly imported?: boolean | undefined;
  readonly alert?:
    | {
        readonly fingerprint: string;
        readonly dedupKey: string;
        readonly source: string;
        readonly status: 'firing' | 'acknowledged' | 'resolved';
        readonly summary: string;
        readonly rules?: readonly string[] | undefined;
      }
    | undefined;
  /** A drill (`true`); the engine also makes every incident a drill when created with `drill: true`. */
  readonly drill?: boolean | undefined;
  /** The data subject of the incident's sensitive fields. */
  readonly subjectId?: string | undefined;
}

/**
 * What a feature may use of the engine: its tenant, store, clock and ids, and the one path by
 * which incidents change (load → machine → commit).
 *
 * @remarks Everything a feature writes goes through {@link FeatureContext.command} or
 * {@link FeatureContext.create}, so it is validated by the lifecycle machine, version-checked,
 * hash-chained and committed atomically with the outbox messages and timers of every feature.
 */
export interface FeatureContext {
  /** The tenant every read and write is scoped to. */
  readonly tenantId: string;
  /** The engine's store (already checked for the feature's {@link IncidentFeature.requires}). */
  readonly store: StorageAdapter;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The engine's severity scale (incident types may bring their own). */
  readonly severityScale: SeverityScale;
  /** The policy frozen into untyped incidents at `declare`. */
  readonly policy: IncidentPolicySnapshot;
  /** Names this engine instance in leases. */
  readonly workerId: string;
  /** How long a claim stays with one worker, in milliseconds. */
  readonly leaseMs: number;
  /** The clock's time as ISO-8601 UTC. */
  readonly now: () => string;
  /**
   * Loads an incident of this tenant.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown id.
   */
  readonly load: (incidentId: string) => Promise<StoredIncident>;
  /**
   * Runs one lifecycle event against an incident: asks `authorize` about `action` (unless it is
   * `undefined`, for the engine's own work), builds the event from the incident as loaded,
   * transitions the machine and commits — retrying on a concurrent write.
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the state does not accept the event.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `action`.
   */
  readonly command: (
    incidentId: string,
    actor: Actor,
    build: BuildEvent,
    action: AuthorizeAction | undefined,
    input?: Readonly<Record<string, unknown>>,
  ) => Promise<Incident>;
  /**
   * Creates an incident (a version-0 commit). `history` events, with their own times, are
   * applied in the same commit; `policy` replaces the engine's frozen policy.
   */
  readonly create: (
    input: CreateIncidentDraft,
    history?: readonly (LifecycleEventDraft & { readonly at: string; readonly actor: Actor })[],
    policy?: IncidentPolicySnapshot,
    action?: AuthorizeAction,
  ) => Promise<Incident>;
  /**
   * Asks the host's `authorize` (when configured).
   *
   * @throws ForbiddenError (`FORBIDDEN`) unless it answers `true`.
   */
  readonly authorize: (actor: Actor, action: AuthorizeAction, incident?: Incident, input?: Readonly<Record<string, unknown>>) => Promise<void>;
  /** Whether `actor` may read `incident` (always `true` without an `authorize` hook). */
  readonly mayRead: (actor: Actor, incident: Incident) => Promise<boolean>;
  /** Whether the host configured `authorize` (reads can skip per-incident checks otherwise). */
  readonly authorizes: boolean;
  /** Every incident matching `filter`, newest first, page by page (no `authorize`: filter with {@link FeatureContext.mayRead}). */
  readonly scan: (filter?: ScanFilter) => AsyncGenerator<Incident>;
  /** Emits an engine event to the host's subscribers (`engine.on`). */
  readonly emit: <K extends keyof IncidentEngineEvents>(name: K, payload: IncidentEngineEvents[K]) => void;
}

/** What a feature adds to one commit: messages for the outbox and timers to set. */
export interface CommitContribution {
  readonly outbox?: readonly OutboxRecord[];
  /** Timers of the feature's own; ids must start with `feature:<name>:` (see {@link featureTimerId}). */
  readonly timers?: readonly TimerRecord[];
}

/** The parts of a `declare` a feature may take over. */
export interface DeclareHooks {
  /**
   * Resolves a typed `declare` (one with a `type`): returns the validated fields and the policy
   * to freeze, or `undefined` when the type is not this feature's.
   */
  readonly prepare?: (input: {
    readonly type: string;
    readonly severity: string;
    readonly fields?: Readonly<Record<string, JsonValue>> | undefined;
  }) => Promise<{ readonly fields: Readonly<Record<string, JsonValue>>; readonly policy: IncidentPolicySnapshot } | undefined>;
  /**
   * Lifecycle events to record in the creation commit of every incident (declared or raised by
   * ingest; not imported ones), after `DECLARED`, by the system actor, e.g. `LINK_CHANGES`.
   * Runs before the commit, so it may read the store; a retry after a lost create race runs it again.
   */
  readonly history?: (input: IncidentMachineInput) => Promise<readonly LifecycleEventDraft[]>;
  /** The severity scale of incident type `type`, or `undefined` when the type is not this feature's. */
  readonly typeScale?: (type: string) => SeverityScale | undefined;
  /** Runs after the incident was created, as the declaring actor; returns the incident after its own changes. */
  readonly after?: (incident: Incident, actor: Actor) => Promise<Incident>;
}

/**
 * What routing decided for one ingested signal: the signal as routed, and what ingest does with
 * it besides (see {@link FeatureParts.router}).
 */
export interface SignalRoute {
  /** The signal with the service, severity and dedup key the rules set. */
  readonly signal: Signal;
  /** The ids of the rules that matched, in order (recorded on what the signal creates or attaches). */
  readonly rules: readonly string[];
  /** Open nothing: the result is `suppressed`. */
  readonly suppressed: boolean;
  /** Why it was suppressed, e.g. `rule db-noise` or `maintenance mw_1`, when `suppressed`. */
  readonly suppressedBy?: string;
  /** The incident type a new incident gets. */
  readonly type?: string;
  /** The name of the escalation policy (`policies.escalationPolicies`) a new incident gets. */
  readonly policy?: string;
  /** Replaces the engine's `ingest.threshold` for this signal. */
  readonly threshold?: { readonly count: number; readonly windowMinutes: number };
  /** Replaces the engine's `ingest.groupBy` for this signal: attach to the open incident of the same `key`. */
  readonly group?: { readonly key: string; readonly windowMinutes?: number };
  /** Replaces the engine's `ingest.reopenWindowMinutes` for this signal. */
  readonly reopenWindowMinutes?: number;
}

/** Routes the signals of one `ingest` call (synchronous: it runs once per signal). */
export type SignalRouter = (signal: Signal, at: string) => SignalRoute;

/** A route a feature serves under `createIncidentHandler`'s base path. */
export interface FeatureRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path under the base path, with `:name` parameters, e.g. `/incidents/:id/impact`. */
  readonly path: string;
  /**
   * Answers a request made by `actor` (already authenticated by the handler). Errors thrown as
   * `IncidentKitError`s become the handler's usual JSON error responses.
   */
  readonly handle: (request: Request, route: FeatureRouteContext) => Promise<Response>;
}

/** What a {@link FeatureRoute}'s `handle` receives beside the request. */
export interface FeatureRouteContext {
  /** The path's `:name` parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** Who calls, as the handler's `authenticate` says. */
  readonly actor: Actor;
  /**
   * The request's JSON object body, read as the handler reads its own commands' bodies: within
   * its size limit, `Content-Type: application/json`, and refused when it names an `actor`
   * (the actor is {@link FeatureRouteContext.actor}). An empty body is `{}`.
   */
  readonly json: () => Promise<Record<string, unknown>>;
}

/**
 * What a feature contributes once set up. Every part is optional; the engine collects them at
 * `createIncidentEngine`, so a command's whole path is fixed before the first one runs.
 */
export interface FeatureParts<Api extends object = object> {
  /** Methods the feature adds (`engine.features.<name>` for a host's own features). */
  readonly api?: Api;
  /** Runs inside every command, before its commit: what the feature writes in the same commit. */
  readonly commit?: (change: { readonly events: readonly StoredEvent[]; readonly incident: Incident }) => CommitContribution | undefined;
  /**
   * Completes a lifecycle event that a durable machine timer delivers before it is applied
   * (e.g. the compliance feature adds the recomputed clock to `CLOCK_DUE`; on-call resolves the
   * targets of an `ESCALATE`). May be asynchronous; it runs again on a retry after a concurrent write.
   */
  readonly timerEvent?: (draft: LifecycleEventDraft, stored: StoredIncident) => LifecycleEventDraft | Promise<LifecycleEventDraft>;
  /**
   * Completes a lifecycle event that a command builds (not a timer) before it is applied, e.g.
   * on-call resolves the typed targets of a person's `ESCALATE` to whoever is on call now. May be
   * asynchronous, and may refuse the command by throwing; it runs again on a retry after a
   * concurrent write.
   */
  readonly commandEvent?: (draft: LifecycleEventDraft, stored: StoredIncident) => LifecycleEventDraft | Promise<LifecycleEventDraft>;
  /** Fires one of the feature's own timers (set through {@link CommitContribution.timers}). */
  readonly fireTimer?: (timer: TimerRecord) => Promise<void>;
  /**
   * Delivers the feature's own outbox messages, by channel (names start with `feature:<name>:`,
   * see {@link featureOutboxChannel}): the notification dispatcher hands each due message on
   * such a channel here, with the retries, backoff and dead letters of every message. Resolve
   * once it is done; reject with a `NotifierError` (`retryable` says whether to try again).
   */
  readonly outboxChannels?: Readonly<Record<string, OutboxChannel>>;
  /** One pass of background work, run by `engine.runWorkers` after the due timers. */
  readonly work?: () => Promise<unknown>;
  /** What the feature does in `declare`. */
  readonly declare?: DeclareHooks;
  /** The severity scale of an incident, when the feature knows it (incident types bring their own). */
  readonly severityScaleOf?: (incident: Incident) => SeverityScale | undefined;
  /**
   * Completes incidents as a reader gets them from `get` and `list` (e.g. the titles of linked
   * incidents the reader may read); receives a page at a time and returns it in order.
   */
  readonly read?: (incidents: readonly Incident[], actor: Actor) => Promise<readonly Incident[]>;
  /** Refines the policy frozen into untyped incidents (e.g. custom status labels). */
  readonly policy?: (policy: IncidentPolicySnapshot) => IncidentPolicySnapshot;
  /** HTTP routes `createIncidentHandler` mounts. */
  readonly routes?: readonly FeatureRoute[];
  /**
   * The router of one `ingest` call, asked once per call before its first signal (it may read
   * the store: return a promise then; return the router itself when it has one at hand, which
   * saves the call a promise); `undefined` when nothing routes now. The first feature with a
   * router routes.
   */
  readonly router?: () => SignalRouter | undefined | Promise<SignalRouter | undefined>;
  /**
   * Runs once every feature is set up, before `createIncidentEngine` returns: checks what the
   * feature was configured with against what the others provide (e.g. incident types).
   *
   * @throws ConfigError (`CONFIG_INVALID`) for a configuration that cannot work.
   */
  readonly ready?: () => void;
  /**
   * Lifecycle events to record right after the event of a command or timer, in the same commit
   * (each its own timeline event, by the system actor), given that event and the incident after
   * it; e.g. the playbooks feature attaches the tasks of playbooks a new severity matches. Runs
   * again on a retry after a concurrent write; replay steps the stored events and never calls it.
   */
  readonly following?: (event: LifecycleEvent, incident: Incident) => readonly LifecycleEventDraft[];
  /** Keeps sensitive fields sealed where the store keeps them (the erasure feature, given a `keyring`); the first feature with it does. */
  readonly fields?: FieldSealing;
}

/**
 * How sensitive fields are sealed as they are stored and opened as they are read
 * ({@link FeatureParts.fields}).
 */
export interface FieldSealing {
  /** The fields of an incident being created, sealed: what its `DECLARED` event, projection and snapshot hold. */
  readonly seal: (input: {
    readonly incidentId: string;
    readonly subjectId?: string | undefined;
    readonly fields: Readonly<Record<string, JsonValue>>;
    readonly policy: IncidentPolicySnapshot;
  }) => Promise<Readonly<Record<string, JsonValue>>>;
  /** Copies of `incidents` with their sealed fields opened (`[erased]` once erased). */
  readonly open: (incidents: readonly Incident[]) => Promise<readonly Incident[]>;
  /** Copies of an incident's events with their sealed fields opened. */
  readonly openEvents: (incident: Incident, events: readonly StoredEvent[]) => Promise<readonly StoredEvent[]>;
}

/**
 * A capability plugged into the engine: the lifecycle events and incident slice it owns, the
 * storage it needs, and how it sets itself up against the engine.
 *
 * @typeParam Name - the feature's name; a host's own features appear as `engine.features[Name]`.
 * @typeParam Api - the methods the feature adds.
 */
export interface IncidentFeature<Name extends string = string, Api extends object = object> {
  readonly name: Name;
  /** Lifecycle events whose meaning this feature owns (documentation, and checked for typos). */
  readonly events?: readonly LifecycleEventType[];
  /** Keys of the incident projection this feature keeps. */
  readonly slice?: readonly (keyof Incident)[];
  /** Storage methods the feature needs; a store without them is refused with `CONFIG_INVALID`. */
  readonly requires?: readonly StorageCapability[];
  /** Sets the feature up once, at `createIncidentEngine`. */
  setup(context: FeatureContext): FeatureParts<Api>;
}

/** Any feature, whatever its name and methods. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a feature's Api is only known to the code that made it
export type AnyIncidentFeature = IncidentFeature<string, any>;

/** The methods of a host's own features, by name: `engine.features`. */
export type FeatureApis<Features extends readonly AnyIncidentFeature[]> = {
  readonly [F in Features[number] as F['name']]: F extends IncidentFeature<string, infer Api> ? Api : never;
};

/** What {@link defineFeature} takes. */
export interface FeatureDefinition<Name extends string, Schema extends z.ZodType, Api extends object> {
  /** Letters, digits, `-` or `_`, starting with a letter. */
  readonly name: Name;
  /** The options the feature takes, as a zod schema; bad options are a `ConfigError`. */
  readonly options?: Schema;
  readonly events?: readonly LifecycleEventType[];
  readonly slice?: readonly (keyof Incident)[];
  readonly requires?: readonly StorageCapability[];
  /** Sets the feature up with its validated options. */
  setup(context: FeatureContext, options: z.output<Schema>): FeatureParts<Api>;
}

const FEATURE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Defines a feature: returns a factory that validates the feature's options with its zod
 * schema and returns the {@link IncidentFeature} to pass to `createIncidentEngine({ features })`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createIncidentEngine, defineFeature, memoryStore } from 'incidentkit';
 *
 * const auditLog = defineFeature({
 *   name: 'auditLog',
 *   options: z.object({ prefix: z.string().default('[audit]') }),
 *   setup(context, options) {
 *     const lines: string[] = [];
 *     return {
 *       commit: ({ events }) => {
 *         for (const event of events) lines.push(`${options.prefix} ${event.incidentId} ${event.type}`);
 *         return undefined;
 *       },
 *       api: { lines: () => [...lines] },
 *     };
 *   },
 * });
 *
 * const engine = createIncidentEngine({ store: memoryStore(), features: [auditLog({})] });
 * await engine.declare({ title: 'API down', severity: 'SEV2', actor: { id: 'u1' } });
 * engine.features.auditLog.lines(); // ['[audit] inc_… DECLARED']
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) for a bad name, and (from the factory) for options
 * that fail the schema.
 */
export function defineFeature<const Name extends string, Schema extends z.ZodType = z.ZodType<undefined>, Api extends object = object>(
  definition: FeatureDefinition<Name, Schema, Api>,
): (...options: undefined extends z.input<Schema> ? [options?: z.input<Schema>] : object extends z.input<Schema> ? [options?: z.input<Schema>] : [options: z.input<Schema>]) => IncidentFeature<Name, Api> {
  if (!FEATURE_NAME.test(definition.name)) {
    throw new ConfigError('defineFeature', [
      { code: 'invalid_name', path: ['name'], message: 'A feature name starts with a letter and holds letters, digits, - or _ (at most 64).' },
    ]);
  }
  return (...args) => {
    const schema = definition.options;
    // Options may be left out when the schema accepts an empty object (every key has a default).
    const given: unknown = args[0] === undefined && schema !== undefined && !schema.safeParse(undefined).success ? {} : args[0];
    const options = (schema === undefined ? given : parseConfig(schema, given, definition.name)) as z.output<Schema>;
    return Object.freeze({
      name: definition.name,
      ...(definition.events === undefined ? {} : { events: definition.events }),
      ...(definition.slice === undefined ? {} : { slice: definition.slice }),
      ...(definition.requires === undefined ? {} : { requires: definition.requires }),
      setup: (context: FeatureContext) => definition.setup(context, options),
    });
  };
}

/** Where an engine keeps the routes its features contribute, for `createIncidentHandler`. @internal */
export const FEATURE_ROUTES: unique symbol = /* @__PURE__ */ Symbol.for('incidentkit.featureRoutes');

/** Delivers one outbox message of a feature's own channel (see {@link FeatureParts.outboxChannels}). */
export type OutboxChannel = (message: OutboxRecord, context: NotifierContext) => Promise<void>;

/** The name of a feature's own outbox channel: `feature:<name>:<key>`. */
export function featureOutboxChannel(feature: string, key: string): string {
  return `feature:${feature}:${key}`;
}

/**
 * A JSON response of a {@link FeatureRoute}, with the headers the handler's own routes answer
 * with: UTF-8 JSON, never cached, no content sniffing.
 */
export function featureJsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } });
}

/** The id of a feature's own timer: `feature:<name>:<key>` (setting the same id again replaces it). */
export function featureTimerId(feature: string, key: string): string {
  return `feature:${feature}:${key}`;
}

/** The feature that owns a timer id, when it is a feature timer. @internal */
export function timerFeature(timerId: string): string | undefined {
  if (!timerId.startsWith('feature:')) return undefined;
  const end = timerId.indexOf(':', 'feature:'.length);
  return end < 0 ? undefined : timerId.slice('feature:'.length, end);
}

/** Refuses duplicate feature names and stores that lack what a feature requires. @internal */
export function checkFeatures(features: readonly AnyIncidentFeature[], store: StorageAdapter): void {
  const seen = new Set<string>();
  const issues: { code: string; path: (string | number)[]; message: string }[] = [];
  for (const [index, feature] of features.entries()) {
    if (seen.has(feature.name)) issues.push({ code: 'duplicate_feature', path: ['features', index], message: `Two features are named '${feature.name}'; each feature may be given once.` });
    seen.add(feature.name);
    const unknown = (feature.events ?? []).filter((event) => !(LIFECYCLE_EVENT_TYPES as readonly string[]).includes(event));
    if (unknown.length > 0) {
      issues.push({
        code: 'unknown_event',
        path: ['features', index, 'events'],
        message: `The feature '${feature.name}' names lifecycle events that do not exist: ${unknown.join(', ')} (see LIFECYCLE_EVENT_TYPES).`,
      });
    }
    const missing = (feature.requires ?? []).filter((method) => typeof (store as unknown as Record<string, unknown>)[method] !== 'function');
    if (missing.length > 0) {
      issues.push({
        code: 'store_lacks_capability',
        path: ['store'],
        message: `The feature '${feature.name}' needs a store with ${missing.map((m) => `${m}()`).join(', ')}; this store has none of that. Use memoryStore(), sqliteStore(db), postgresStore(pool), or add the methods to your adapter (see docs/custom-storage-adapter.md).`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError('createIncidentEngine', issues);
}
