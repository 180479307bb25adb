import type { LifecycleEventDraft } from '../lifecycle/events.js';
import type { IncidentSnapshot } from '../lifecycle/projection.js';
import type { Actor } from '../model/actor.js';
import type { StoredEvent } from '../model/event.js';
import type { EscalationPolicy, Incident, IncidentPolicySnapshot } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import type { Commit, StoredIncident } from '../storage/types.js';
import type { SeverityScale } from '../model/severity.js';
import type { CommandSchemas } from './commands.js';
import type { createEngineEmitter } from './emitter.js';
import type { AnyIncidentFeature, BuildEvent, FeatureContext, FeatureParts } from './feature.js';
import type { SimilarPolicy } from './policies.js';
import type { AuthorizeAction, EngineOptions, FiredTimer } from './types.js';
import type { EngineLogger, EngineTelemetry } from './telemetry.js';

/** What the engine's kernel is built from: the engine's own options (none of a feature's). */
export type EngineCoreOptions = EngineOptions & {
  /** Severity levels `list` filters accept besides the engine's (those of incident types). */
  readonly listLevels?: readonly string[] | undefined;
};


/**
 * The engine's kernel as its own modules (commands, reads, ingest, workers) and the built-in
 * features see it: the {@link FeatureContext} plus what only the engine itself uses.
 *
 * @internal
 */
export interface EngineCore extends FeatureContext {
  readonly schemas: CommandSchemas;
  readonly emitter: ReturnType<typeof createEngineEmitter>;
  /** The `similar` policy, when on. */
  readonly similar?: SimilarPolicy;
  /** The named escalation policies (`policies.escalationPolicies`). */
  readonly escalationPolicies: ReadonlyMap<string, EscalationPolicy>;
  /**
   * Resolves a typed incident's fields and policy with the feature that knows the type.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for an unknown type, a severity outside its scale or bad fields.
   */
  prepareType: (input: {
    readonly type: string;
    readonly severity: string;
    readonly fields?: Readonly<Record<string, JsonValue>> | undefined;
  }) => Promise<{ readonly fields: Readonly<Record<string, JsonValue>>; readonly policy: IncidentPolicySnapshot }>;
  /** The severity scale of incident type `type`, or `undefined` when no feature knows the type. */
  typeScale: (type: string) => SeverityScale | undefined;
  /** The secret list cursors are sealed with (absent: a random key of this engine). */
  readonly cursorSecret?: string;
  /** The set-up features, in the order they were given. */
  readonly features: readonly { readonly feature: AnyIncidentFeature; readonly parts: FeatureParts }[];
  /** Runs one event against an incident; `undefined` only when a fired timer finds the machine no longer listening. */
  execute: {
    (incidentId: string, actor: Actor, build: BuildEvent, options: ExecuteOptions & { readonly firedTimer: string }): Promise<Incident | undefined>;
    (incidentId: string, actor: Actor, build: BuildEvent, options?: ExecuteOptions & { readonly firedTimer?: undefined }): Promise<Incident>;
  };
  /**
   * Decides `draft` against a loaded incident as `actor` and returns the commit that records it,
   * without writing it (for writes of two incidents at once, e.g. `merge`); refuses as a command
   * does, or with `options.refusal` whatever the machine says. `undefined` only with `firedTimer`.
   */
  prepare: (stored: StoredIncident, actor: Actor, draft: LifecycleEventDraft, options?: { readonly firedTimer?: string; readonly refusal?: string }) => Promise<PreparedCommit | undefined>;
  /** After the store wrote a prepared commit: remembers its machine snapshot and publishes its events. */
  committed: (prepared: PreparedCommit) => void;
  /** The incident's severity scale: a feature's answer (its type's), else the engine's. */
  severityScaleOf: (incident: Incident) => SeverityScale;
  tick: (at?: Date) => Promise<FiredTimer[]>;
  /** The `telemetry` option, or one that measures nothing. */
  readonly telemetry: EngineTelemetry;
  /** The `logger` option, when given. */
  readonly logger?: EngineLogger;
  /** Copies of `incidents` with sensitive fields opened, when a feature seals them (a `keyring`); else `incidents`. */
  openFields: (incidents: readonly Incident[]) => Promise<readonly Incident[]>;
  /** Copies of an incident's events with sensitive fields opened, when a feature seals them; else `events`. */
  openEvents: (incident: Incident, events: readonly StoredEvent[]) => Promise<readonly StoredEvent[]>;
}

/** A commit {@link EngineCore.prepare} decided, with the machine snapshot it leads to. @internal */
export interface PreparedCommit {
  readonly commit: Commit;
  readonly machineSnapshot: IncidentSnapshot;
}

/** Options of {@link EngineCore.execute}. */
export interface ExecuteOptions {
  /** Set when a durable timer delivers the event: a refused event is then ignored, not an error. */
  readonly firedTimer?: string;
  /** The action the host's `authorize` is asked about; absent for the engine's own work (timers). */
  readonly action?: AuthorizeAction;
  /** The command's validated input (without the actor), shown to `authorize`. */
  readonly input?: Readonly<Record<string, unknown>>;
}

