import type { AnyIncidentType, InferFieldsInput, TypedDeclareFields } from '../classification/defineIncidentType.js';
import type { StatusLabels } from '../classification/statusLabels.js';
import type { CalendarOptions } from '../compliance/calendar.js';
import type { Regime } from '../compliance/regimes.js';
import type { LifecycleEventType } from '../lifecycle/events.js';
import type { Actor } from '../model/actor.js';
import type { JsonValue } from '../model/primitives.js';
import type { StoredEvent } from '../model/event.js';
import type { Incident } from '../model/incident.js';
import type { SeverityScale } from '../model/severity.js';
import type { Page, StorageAdapter } from '../storage/types.js';
import type { Clock } from './clock.js';
import type { IncidentPolicies } from './policies.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import type { ScanFilter } from './history.js';
import type { Signal } from '../model/signal.js';
import type { DeliveryOptions, DispatchStats } from '../notify/dispatcher.js';
import type { NotificationRoute } from '../notify/routing.js';
import type { NotificationTemplates } from '../notify/render.js';
import type { NotificationLink, Notifier } from '../notify/types.js';
import type { OutboxRecord } from '../storage/types.js';
import type { RunWorkersOptions, WorkerHandle } from './workers.js';
import type {
  AcknowledgeInput,
  AddActionItemInput,
  AddNoteInput,
  AssignRoleInput,
  CancelInput,
  CloseInput,
  CompleteReviewInput,
  EscalateInput,
  FileReportInput,
  ReadOptions,
  SetStatusLabelInput,
  StartClockInput,
  UntypedDeclareInput,
  UpdateFieldsInput,
  ImportIncidentInput,
  ListInput,
  MitigateInput,
  PostUpdateInput,
  RecordRootCauseInput,
  ReopenInput,
  ResolveInput,
  SetSeverityInput,
  StartReviewInput,
  UpdateActionItemInput,
} from './commands.js';
import type { EngineEventHandler, EngineWildcardHandler, IncidentEngineEvents } from './emitter.js';
import type { TimelineVerification } from './hash.js';
import type { IdGenerator } from './ids.js';

export type { IncidentPolicies };

/**
 * The engine's commands on one existing incident, in a fixed order: what `authorize` is asked
 * about for them, and what the REST API exposes as `POST /incidents/:id/{command}`.
 */
export const INCIDENT_COMMANDS = Object.freeze([
  'acknowledge',
  'assignRole',
  'setSeverity',
  'addNote',
  'postUpdate',
  'mitigate',
  'recordRootCause',
  'resolve',
  'reopen',
  'startReview',
  'completeReview',
  'addActionItem',
  'updateActionItem',
  'close',
  'cancel',
  'escalate',
  'updateFields',
  'setStatusLabel',
  'startClock',
  'fileReport',
] as const);

/** One of {@link INCIDENT_COMMANDS}. */
export type IncidentCommand = (typeof INCIDENT_COMMANDS)[number];

/**
 * Every action `authorize` is asked about, in a fixed order: `declare`, `importIncident` and
 * `ingest`, the {@link INCIDENT_COMMANDS}, `redeliver`, and `read` for reads.
 */
export const AUTHORIZE_ACTIONS = Object.freeze(['declare', 'importIncident', 'ingest', ...INCIDENT_COMMANDS, 'redeliver', 'read'] as const);

/**
 * What the host's `authorize` is asked about: the engine method's name for commands
 * (`declare`, `acknowledge`, `close`, …, `ingest` for signals), or `read` for reads.
 */
export type AuthorizeAction = (typeof AUTHORIZE_ACTIONS)[number];

/** What the host's `authorize` receives. */
export interface AuthorizationRequest {
  /** Who acts: the command's `actor`, the read's `actor` (the system actor when a read names none), or the integration of ingested signals. */
  readonly actor: Actor;
  readonly action: AuthorizeAction;
  /** The incident as it is now; absent for `declare`, `importIncident` and `ingest`. */
  readonly incident?: Incident;
  /**
   * The command's validated input without the actor (e.g. `{ role, assignee }` of
   * `assignRole`), so a policy can decide on what is asked, not only on who asks. Absent for
   * reads and `ingest`.
   */
  readonly input?: Readonly<Record<string, unknown>>;
  /** The engine's tenant. */
  readonly tenantId: string;
}

/**
 * The host's authorization policy: `true` allows; anything else (`false`, `undefined`) denies
 * with `ForbiddenError` and nothing is written. See `roleBasedPolicy` for the common case.
 *
 * @remarks A command asks again on each retry after a concurrent write (it decides against the
 * incident as it is then), so a policy that logs access may log a command more than once. Do not
 * run engine commands on the same incident from inside the policy: commands on one incident run
 * one at a time, so it would wait for itself.
 */
export type Authorize = (request: AuthorizationRequest) => boolean | Promise<boolean>;

/**
 * Input of `engine.declare`: an untyped incident, or one of the engine's incident types with
 * that type's severity scale and custom fields.
 */
export type DeclareInput<Types extends readonly AnyIncidentType[] = readonly []> =
  | UntypedDeclareInput
  | (Omit<UntypedDeclareInput, 'type' | 'severity' | 'fields'> & TypedDeclareFields<Types>);

/** Input of `engine.updateFields`, typed by the incident type `T` when given. */
export type TypedUpdateFieldsInput<T extends AnyIncidentType | undefined = undefined> = T extends AnyIncidentType
  ? Omit<UpdateFieldsInput, 'fields'> & { readonly fields: PartialFields<InferFieldsInput<T>> }
  : Omit<UpdateFieldsInput, 'fields'> & { readonly fields: Readonly<Record<string, JsonValue>> };

/** Some of a type's custom fields (what `updateFields` merges over the current ones). */
export type PartialFields<F> = F extends object ? { readonly [K in keyof F]?: F[K] } : Readonly<Record<string, JsonValue>>;

/** What `engine.tick` did with one due timer. */
export interface FiredTimer {
  readonly incidentId: string;
  readonly timerId: string;
  /** When the timer was due (ISO-8601 UTC). */
  readonly dueAt: string;
  /** The lifecycle event it carried, e.g. `ESCALATE`. */
  readonly event: string;
  /**
   * `applied`: the event changed the incident (the incident after it is included).
   * `ignored`: the incident no longer listens for it (acknowledged, resolved, already fired).
   */
  readonly outcome: 'applied' | 'ignored';
  readonly incident?: Incident;
}

/** Options of {@link createIncidentEngine}. */
export interface IncidentEngineOptions {
  /** Where incidents live: `memoryStore()`, `sqliteStore(db)`, `postgresStore(pool)` or your own adapter. */
  readonly store: StorageAdapter;
  /** The time source. Default: the system clock. */
  readonly clock?: Clock;
  /** The id generator. Default: prefixed random UUIDs. */
  readonly ids?: IdGenerator;
  /** The tenant every read and write of this engine is scoped to. Default: `'default'`. */
  readonly tenantId?: string;
  /**
   * Lifecycle policies: `review` (which severities need a completed review before `close`;
   * default SEV1 and SEV2), `escalation` (levels fired while unacknowledged), `reminders`
   * (status-update reminders per severity) and `targets` (response targets per severity).
   * The policies in force at `declare` are frozen into the incident.
   */
  readonly policies?: IncidentPolicies;
  /** Notifiers by name, e.g. `{ slack: slackNotifier(…), webhook: webhookNotifier(…) }`. */
  readonly notifiers?: Readonly<Record<string, Notifier>>;
  /**
   * Which events reach which notifiers. Without routes every notifier receives declared,
   * acknowledged, escalated, mitigated, resolved, reopened, closed and canceled incidents,
   * posted updates, due reminders and breached targets.
   */
  readonly routes?: readonly NotificationRoute[];
  /** Templates by event type that replace the default message texts. */
  readonly templates?: NotificationTemplates;
  /** Links attached to each message, e.g. the incident's page in your app. */
  readonly links?: (incident: Incident, event: StoredEvent) => readonly NotificationLink[];
  /** Retries, backoff, timeouts and concurrency of delivery. */
  readonly delivery?: DeliveryOptions;
  /** Randomness for the backoff jitter, a number in [0, 1). Default: `Math.random`. */
  readonly random?: () => number;
  /** How signals become incidents: grouping, thresholds, maintenance windows, auto-resolve. */
  readonly ingest?: IngestOptions;
  /** How long a claimed timer or outbox message stays with one worker before another may take it. Default: 30 000 ms. */
  readonly leaseMs?: number;
  /** Names this engine instance in leases. Default: a random id. */
  readonly workerId?: string;
  /** The severity scale. Default: {@link sevScale} (`SEV1`…`SEV5`). */
  readonly severityScale?: SeverityScale;
  /** How often a command is retried after a version conflict before `ConcurrencyError`. Default: 5. */
  readonly maxRetries?: number;
  /** Called when an event handler throws. Default: logs with `console.error`. */
  readonly onHandlerError?: (error: unknown, eventName: string) => void;
  /**
   * Incident types made with `defineIncidentType`: `declare({ type })` then takes that type's
   * severity scale, validates its custom fields, and freezes its status labels, sensitive
   * fields and policies into the incident. Without types every incident is untyped.
   */
  readonly types?: readonly AnyIncidentType[];
  /**
   * Custom status labels for untyped incidents, and for typed ones whose type defines no
   * `statuses` and uses the engine's severity scale.
   */
  readonly statusLabels?: StatusLabels;
  /**
   * The calendar reporting deadlines are computed in: time zone and holidays
   * (e.g. `{ timeZone: 'Europe/Berlin', holidays: ['2026-12-25'] }`). Default: UTC, no holidays.
   * A regime's own calendar settings (the SEC counts in New York time) take precedence.
   */
  readonly calendar?: CalendarOptions;
  /** Regimes made with `defineRegime`, besides the built-in ones (`gdpr`, `nis2`, `dora`, `sec8k`, `hipaa`, `fdaMdr`, `jointCommission`). */
  readonly regimes?: readonly Regime[];
  /**
   * Consulted by every command and read; see {@link Authorize}. Without it everything is
   * allowed (authorize in your own layer instead).
   */
  readonly authorize?: Authorize;
}

/**
 * The incident engine: commands that change incidents, reads, and events.
 *
 * @remarks Every command validates its input (throwing `ValidationError`), throws
 * `NotFoundError` for an unknown incident, `InvalidTransitionError` when the incident's state
 * does not accept it, `ConcurrencyError` when retries after concurrent writes run out, and
 * `ForbiddenError` when the `authorize` option denies it (reads too: `get`, `timeline` and
 * `verifyTimeline` throw it; `list` and `scan` leave out what the reader may not see).
 * A command that throws has written nothing.
 */
export interface IncidentEngine<Types extends readonly AnyIncidentType[] = readonly []> {
  /** The tenant this engine reads and writes. */
  readonly tenantId: string;
  /** The severity scale in use. */
  readonly severityScale: SeverityScale;

  /**
   * Declares a new incident in `triage`.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, e.g. an unknown severity.
   * @throws DuplicateIncidentError (`DUPLICATE_INCIDENT`) when an open incident has the same `dedupKey`.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies it.
   */
  declare(input: DeclareInput<Types>): Promise<Incident>;
  /**
   * Records a past incident with the given milestone times, e.g. history migrated from another
   * tool, so metrics cover it. The incident is marked `imported`; no policy applies to it.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when milestones are out of order (unless
   * `allowUnordered`), in the future, or `closedAt` comes without `resolvedAt`.
   */
  importIncident(input: ImportIncidentInput): Promise<Incident>;
  /**
   * Yields every incident matching `filter` (newest first), page by page: feed it to
   * `computeMetrics` without loading everything at once.
   */
  scan(filter?: ScanFilter, options?: ReadOptions): AsyncGenerator<Incident>;
  /** Acknowledges a `triage` incident: it moves to `responding`. */
  acknowledge(id: string, input: AcknowledgeInput): Promise<Incident>;
  /** Assigns a response role (`commander`, `communications`, `operations`, `scribe`, or your own). */
  assignRole(id: string, input: AssignRoleInput): Promise<Incident>;
  /** Changes the severity; the previous one is kept on the timeline. */
  setSeverity(id: string, input: SetSeverityInput): Promise<Incident>;
  /** Adds a note to the timeline. */
  addNote(id: string, input: AddNoteInput): Promise<Incident>;
  /** Records an update posted to an audience (`internal`, `stakeholders`, `public`). */
  postUpdate(id: string, input: PostUpdateInput): Promise<Incident>;
  /** Records that impact is contained: the incident moves to `mitigated`. */
  mitigate(id: string, input: MitigateInput): Promise<Incident>;
  /** Records the root cause and contributing factors; the first one sets `diagnosedAt`. */
  recordRootCause(id: string, input: RecordRootCauseInput): Promise<Incident>;
  /** Resolves the incident. */
  resolve(id: string, input: ResolveInput): Promise<Incident>;
  /** Reopens a mitigated, resolved or in-review incident: it returns to `responding`. */
  reopen(id: string, input: ReopenInput): Promise<Incident>;
  /** Starts the post-incident review of a resolved incident. */
  startReview(id: string, input: StartReviewInput): Promise<Incident>;
  /** Completes the post-incident review. */
  completeReview(id: string, input: CompleteReviewInput): Promise<Incident>;
  /** Adds an action item. */
  addActionItem(id: string, input: AddActionItemInput): Promise<Incident>;
  /**
   * Changes an action item's status; allowed after `close` too.
   *
   * @throws NotFoundError (`NOT_FOUND`) when the incident has no such action item.
   */
  updateActionItem(id: string, input: UpdateActionItemInput): Promise<Incident>;
  /**
   * Closes a resolved (or reviewed) incident.
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the review policy requires a completed review first.
   */
  close(id: string, input: CloseInput): Promise<Incident>;
  /** Cancels an open incident: a false positive, a duplicate (`mergedInto`), or declined. */
  cancel(id: string, input: CancelInput): Promise<Incident>;
  /**
   * Escalates by hand, to `level` (default: the next level of the frozen policy), recording
   * `ESCALATED`. Allowed in `triage` and `responding`; in `triage` the automatic escalation
   * continues from the chosen level.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when `level` exceeds the policy's levels.
   */
  escalate(id: string, input: EscalateInput): Promise<Incident>;
  /**
   * Changes custom fields: `fields` are merged over the current ones and the result is
   * validated by the incident type's schema (untyped incidents take any JSON fields). Name
   * the type for typed input: `engine.updateFields<typeof medicationError>(id, …)`.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when the merged fields fail the type's schema.
   */
  updateFields<T extends Types[number] | undefined = undefined>(id: string, input: TypedUpdateFieldsInput<T>): Promise<Incident>;
  /**
   * Sets the custom status label (e.g. `investigating`), which must apply in the incident's
   * current state. State changes keep it while it applies and otherwise switch to the new
   * state's default label (or none).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a label the incident's type does not
   * define or that does not apply in its state (the message lists the ones that do).
   */
  setStatusLabel(id: string, input: SetStatusLabelInput): Promise<Incident>;
  /**
   * Starts a regulatory reporting clock (or records a further trigger of one, such as DORA's
   * `classification`): `at` is when the trigger happened (default: now). Every unfiled
   * phase's deadline becomes a durable timer; a missed one records `REPORT_OVERDUE` once and
   * is notified like other events.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for an unknown regime or a trigger it does
   * not have (the message lists them), or a time in the future.
   */
  startClock(id: string, input: StartClockInput): Promise<Incident>;
  /**
   * Records a filed report of a clock's phase (`at`: when it was filed, default now), with
   * the authority's `reference` and, for a late report, the `reasonForDelay` (GDPR Art. 33(1)).
   * Filing again records an update; DORA's final report counts from the latest intermediate one.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when no clock of that regime was started,
   * the phase is unknown, or `at` is in the future.
   */
  fileReport(id: string, input: FileReportInput): Promise<Incident>;

  /**
   * Ingests normalised signals from monitoring tools (see `incidentkit/ingest` for parsers).
   *
   * @remarks Per signal, in order: `suppressed` (maintenance window), `deduplicated` (an open
   * incident holds its dedup key, `dedupKey ?? fingerprint`: repeats are counted in
   * `signalCount`, not logged), `grouped` (attached to its `groupBy` group's open incident),
   * `held` (below the threshold), `created`, `acknowledged` / `resolved` (the alert's status
   * changed; the incident is acknowledged, or auto-resolved once all its alerts resolved), or
   * `ignored` (a non-firing signal for no open incident). Two engines ingesting the same new
   * fingerprint at once open exactly one incident.
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed signal; nothing is ingested.
   */
  ingest(signals: Signal | readonly Signal[]): Promise<IngestResult[]>;

  /**
   * Fires every durable timer due at `now` (default: the clock's time): claims each with a
   * lease, feeds its event to the incident's machine as the system actor, and completes it.
   *
   * @remarks Safe to call from several engine instances over one store: each timer is claimed
   * by one of them per lease, and a duplicate delivery changes nothing.
   */
  tick(now?: Date): Promise<FiredTimer[]>;
  /**
   * Runs {@link IncidentEngine.tick} and {@link IncidentEngine.dispatch} on an interval until
   * stopped. Passes never overlap.
   */
  runWorkers(options?: RunWorkersOptions): WorkerHandle;
  /**
   * Delivers one batch of due outbox messages through their notifiers: retries with
   * exponential backoff and jitter (honouring `Retry-After`), and dead-letters after
   * `delivery.maxAttempts` or a permanent failure. Every attempt carries the same idempotency key.
   */
  dispatch(): Promise<DispatchStats>;
  /**
   * Messages that will not be retried, oldest first. With `authorize`, only those about
   * incidents the reader may `read`.
   */
  deadLetters(options?: ReadOptions): Promise<readonly OutboxRecord[]>;
  /**
   * Puts a dead-lettered message back in the outbox, due now; asks `authorize` for
   * `redeliver` with the message's incident.
   *
   * @throws NotFoundError (`NOT_FOUND`) when no dead letter has this id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies it.
   */
  redeliver(messageId: string, options?: ReadOptions): Promise<void>;

  /**
   * Reads one incident's projection; its cost does not grow with the timeline.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `read`.
   */
  get(id: string, options?: ReadOptions): Promise<Incident>;
  /**
   * Lists incidents, newest first, filtered and paged with a stable cursor. With `authorize`,
   * incidents the reader may not `read` are left out of the page.
   */
  list(query?: ListInput, options?: ReadOptions): Promise<Page<Incident>>;
  /**
   * The incident's stored events in order.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `read`.
   */
  timeline(id: string, options?: ReadOptions): Promise<readonly StoredEvent[]>;
  /** Recomputes the hash chain: `{ ok: true }`, or the first `seq` that was altered or lost. */
  verifyTimeline(id: string, options?: ReadOptions): Promise<TimelineVerification>;

  /** Subscribes to an event, e.g. `incident.resolved`, or to every event with `'*'`. */
  on<K extends keyof IncidentEngineEvents>(type: K, handler: EngineEventHandler<K>): void;
  on(type: '*', handler: EngineWildcardHandler): void;
  /** Unsubscribes a handler given to {@link IncidentEngine.on}. */
  off<K extends keyof IncidentEngineEvents>(type: K, handler?: EngineEventHandler<K>): void;
  off(type: '*', handler?: EngineWildcardHandler): void;
}

/** The lifecycle event names, for hosts that build UIs over them. */
export type { LifecycleEventType };
