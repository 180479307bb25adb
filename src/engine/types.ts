import type { Actor } from '../model/actor.js';
import type { StoredEvent } from '../model/event.js';
import type { AlertSummary, Incident } from '../model/incident.js';
import type { SeverityScale } from '../model/severity.js';
import type { Signal } from '../model/signal.js';
import type { Clock } from '../kernel/clock.js';
import type { IdGenerator } from '../kernel/ids.js';
import type { TimelineAnchor, TimelineVerification } from '../lifecycle/eventChain.js';
import type { LifecycleEventType } from '../lifecycle/events.js';
import type { Page, StorageAdapter } from '../storage/types.js';
import type {
  AcknowledgeInput,
  AddNoteInput,
  AlertsOptions,
  AssignRoleInput,
  CancelInput,
  LinkInput,
  MergeInput,
  UnmergeInput,
  CloseInput,
  EscalateInput,
  ListInput,
  MitigateInput,
  PostUpdateInput,
  ReadOptions,
  RecordRootCauseInput,
  ReopenInput,
  ResolveInput,
  ScanFilter,
  SetSeverityInput,
  TimelineOptions,
  UntypedDeclareInput,
  VerifyTimelineOptions,
} from './commands.js';
import type { EngineEventHandler, EngineWildcardHandler, IncidentEngineEvents } from './emitter.js';
import type { IngestCallOptions, IngestOptions, IngestResult } from './ingestOptions.js';
import type { IncidentPolicies } from './policies.js';
import type { RunWorkersOptions, WorkerHandle } from './workers.js';
import type { EngineLogger, EngineTelemetry } from './telemetry.js';

export type { IncidentPolicies };

/**
 * The engine's commands on one existing incident, in a fixed order: what `authorize` is asked
 * about for them, and what the REST API exposes as `POST /incidents/:id/{command}`.
 */
export const INCIDENT_COMMANDS = /* @__PURE__ */ Object.freeze([
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
  'merge',
  'unmerge',
] as const);

/** One of {@link INCIDENT_COMMANDS}. */
export type IncidentCommand = (typeof INCIDENT_COMMANDS)[number];

/**
 * The lifecycle event each command sends, so refusals can speak in the commands a user calls.
 * Events without a command (reminders, targets, alerts, similar incidents, clock deadlines) are
 * the engine's own.
 *
 * @internal
 */
export const COMMAND_EVENTS: Readonly<Record<IncidentCommand, LifecycleEventType>> = /* @__PURE__ */ Object.freeze({
  acknowledge: 'ACKNOWLEDGE',
  assignRole: 'ASSIGN_ROLE',
  setSeverity: 'SET_SEVERITY',
  addNote: 'ADD_NOTE',
  postUpdate: 'POST_UPDATE',
  mitigate: 'MITIGATE',
  recordRootCause: 'RECORD_ROOT_CAUSE',
  resolve: 'RESOLVE',
  reopen: 'REOPEN',
  startReview: 'START_REVIEW',
  completeReview: 'COMPLETE_REVIEW',
  addActionItem: 'ADD_ACTION_ITEM',
  updateActionItem: 'UPDATE_ACTION_ITEM',
  close: 'CLOSE',
  cancel: 'CANCEL',
  escalate: 'ESCALATE',
  updateFields: 'UPDATE_FIELDS',
  setStatusLabel: 'SET_STATUS_LABEL',
  startClock: 'START_CLOCK',
  fileReport: 'FILE_REPORT',
  merge: 'MERGE_INTO',
  unmerge: 'UNMERGE',
});

/**
 * Every action `authorize` is asked about, in a fixed order: `declare`, `importIncident` and
 * `ingest`, the {@link INCIDENT_COMMANDS}, `redeliver`, `read` for reads, then
 * `schedule.write` and `schedule.read` for on-call schedules (`engine.schedules`, no incident), then
 * `change.record` and `change.read` for the changes of a service (`engine.changes`, no incident), then
 * `heartbeat.write`, `heartbeat.read` and `heartbeat.beat` for heartbeats (`engine.heartbeats`, no incident), then
 * `routes.write` and `routes.read` for routing rules (`engine.routes`, `engine.explainRoute`), then
 * `maintenance.write` and `maintenance.read` for maintenance windows (`engine.maintenance`), then
 * `publish` for what is published on a status page (`engine.publish`, `engine.postPublicUpdate`), and
 * `statusPage.write` and `statusPage.read` for status page definitions (`engine.statusPages`), then
 * `completeTask`, `skipTask`, `addTask` and `reassignTask` for an incident's tasks, then
 * `problem.write` and `problem.read` for problems (`engine.problems`, no incident), then
 * `addHypothesis`, `updateHypothesis`, `addEvidence` and `correctMilestone` for the investigation, then
 * `justCulture.write` and `justCulture.read` for the just-culture assessment (`engine.justCulture`), then
 * `tagEvent` for NIST CSF 2.0 tags added to an event after the fact, then `erase` for erasing a data
 * subject's personal data (`engine.erase`).
 */
export const AUTHORIZE_ACTIONS = /* @__PURE__ */ (() =>
  Object.freeze(['declare', 'importIncident', 'ingest', ...INCIDENT_COMMANDS, 'link', 'redeliver', 'read', 'schedule.write', 'schedule.read', 'change.record', 'change.read', 'heartbeat.write', 'heartbeat.read', 'heartbeat.beat', 'routes.write', 'routes.read', 'maintenance.write', 'maintenance.read', 'publish', 'statusPage.write', 'statusPage.read', 'completeTask', 'skipTask', 'addTask', 'reassignTask', 'problem.write', 'problem.read', 'addHypothesis', 'updateHypothesis', 'addEvidence', 'correctMilestone', 'justCulture.write', 'justCulture.read', 'tagEvent', 'erase'] as const))();

/**
 * What the host's `authorize` is asked about: the engine method's name for commands
 * (`declare`, `acknowledge`, `close`, …, `ingest` for signals), `read` for reads, and
 * `schedule.write` / `schedule.read` for on-call schedules, `change.record` / `change.read` for
 * the changes of a service (deploys, config changes).
 */
export type AuthorizeAction = (typeof AUTHORIZE_ACTIONS)[number];

/** What the host's `authorize` receives. */
export interface AuthorizationRequest {
  /**
   * Who acts: the command's `actor`, the read's `actor` (the system actor when a read names
   * none), or the integration of ingested signals: `{ kind: 'integration', id: signal.integration ?? signal.source }`,
   * which for `createIncidentHandler` is the source's name (`/ingest/{name}`), so a policy can
   * decide per source.
   */
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

/** The engine's own options (every feature adds its own to `createIncidentEngine`). */
export interface EngineOptions {
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
   * The secret `list` cursors are sealed with (AES-GCM, at least 32 characters): a `nextCursor`
   * names no incident and works only with engines that share the secret. Give every instance
   * of a multi-instance host the same one. Default: a random key per engine, so cursors work
   * only with the engine that made them.
   */
  readonly cursorSecret?: string;
  /**
   * Consulted by every command and read; see {@link Authorize}. Without it everything is
   * allowed (authorize in your own layer instead).
   */
  readonly authorize?: Authorize;
  /**
   * Tracing and metric hooks, called at each command, ingest call, commit, tick and delivery:
   * `openTelemetry()` from `incidentkit/opentelemetry`, or your own {@link EngineTelemetry}.
   * Default: none, and nothing is measured.
   */
  readonly telemetry?: EngineTelemetry;
  /**
   * A structured logger with pino's shape (`{ debug, info, warn, error }`, each `(record, message)`):
   * it receives what the engine otherwise reports only through `onHandlerError`, `runWorkers`'
   * `onError` or `console.error` (failed worker passes and timers, throwing handlers, failed
   * deliveries, dead letters); see {@link EngineLogger}. Those callbacks still run when given;
   * with a logger, nothing is written to the console. Default: none.
   */
  readonly logger?: EngineLogger;
  /**
   * A drill engine (for a drill tenant): every incident it declares, imports or opens from
   * signals is a drill (`incident.drill === true`), whatever the call says. Default: `false`
   * (only `declare({ drill: true })`, `importIncident({ drill: true })` and
   * `ingest(signals, { drill: true })` make drills). See docs/drills.md.
   */
  readonly drill?: boolean;
}

/**
 * The engine's own methods: the lifecycle commands, ingest, workers, reads and events. The
 * engine a host gets (`IncidentEngine`) adds the methods of its features.
 *
 * @remarks Every command validates its input (throwing `ValidationError`), throws
 * `NotFoundError` for an unknown incident, `InvalidTransitionError` when the incident's state
 * does not accept it, `ConcurrencyError` when retries after concurrent writes run out, and
 * `ForbiddenError` when the `authorize` option denies it (reads too: `get`, `timeline` and
 * `verifyTimeline` throw it; `list` and `scan` leave out what the reader may not see).
 * A command that throws has written nothing.
 */
export interface EngineApi {
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
  declare(input: UntypedDeclareInput): Promise<Incident>;
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
  /**
   * Closes a resolved (or reviewed) incident.
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the review policy requires a completed review first.
   */
  close(id: string, input: CloseInput): Promise<Incident>;
  /** Cancels an open incident: a false positive, a duplicate (`mergedInto`), or declined. */
  cancel(id: string, input: CancelInput): Promise<Incident>;
  /**
   * Links incident `id` to another (`relatesTo`, `causedBy` or `parentOf`), on both timelines:
   * the other incident records the inverse link (`relatesTo`, `causes`, `childOf`). Both show
   * the link in `links` (and in the postmortem). Closed incidents can be linked; canceled ones
   * cannot. Linking again changes nothing.
   *
   * @example
   * ```ts
   * await engine.link(outage.id, { to: deploy.id, kind: 'causedBy', actor: { id: 'u_ada' } });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`), NotFoundError (`NOT_FOUND`), InvalidTransitionError
   * (`INVALID_TRANSITION`, a canceled incident), ForbiddenError (`FORBIDDEN`, action `link`).
   */
  link(id: string, input: LinkInput): Promise<Incident>;
  /**
   * Merges incident `id` into `input.into`, a duplicate into the incident that continues: `id` is
   * canceled as a `duplicate` (`cancellation.mergedInto`), its alerts (every one, with their
   * repeat counts) and dedup keys move to the other incident, and both timelines record it
   * (`MERGED_INTO` and `MERGED_FROM`; links `mergedInto` and `mergedFrom` in `links` and in the
   * postmortem). A repeat of a merged alert lands on the incident it was merged into, never on a
   * new one. One atomic write of both incidents, however many alerts move.
   *
   * @remarks `id` may be in any open state; the incident it is merged into must be open and hold
   * its dedup keys (not superseded by a recurrence). Merges do not chain: neither incident may be
   * merged elsewhere already, and an incident others were merged into cannot itself be merged.
   * Both are authorized as `merge`. The store must implement `commitMerge` (ours do).
   * @example
   * ```ts
   * await engine.merge(duplicate.id, { into: outage.id, actor: { id: 'u_ada' } });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`): bad input, a merge into itself, or both incidents have an alert with one fingerprint.
   * @throws NotFoundError (`NOT_FOUND`) when either incident does not exist.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when `id` is not open, was merged, or others were merged into it; or `into` is not open, was merged, or recurred.
   * @throws ForbiddenError (`FORBIDDEN`, action `merge`) · ConfigError (`CONFIG_INVALID`) for a store without `commitMerge`.
   */
  merge(id: string, input: MergeInput): Promise<Incident>;
  /**
   * Undoes {@link EngineApi.merge} of incident `id` while the incident it was merged into is still
   * open: `id` returns to the state it was merged from (`cancellation.previousStatus`; its
   * escalation, reminders and response targets start again as on entering that state), and the
   * alerts that came from it (with their counts) and its dedup keys move back. Both timelines
   * record it (`UNMERGED` and `UNMERGED_FROM`) and both drop the merge links.
   *
   * @remarks Alerts attached to the other incident after the merge stay there, even when they have
   * one of `id`'s keys. Authorized as `unmerge` on both incidents.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when `id` is not merged, or the incident it was merged into is no longer open.
   * @throws DuplicateIncidentError (`DUPLICATE_INCIDENT`) when another open incident took `id`'s own dedup key meanwhile.
   * @throws NotFoundError (`NOT_FOUND`) · ForbiddenError (`FORBIDDEN`, action `unmerge`) · ConfigError (`CONFIG_INVALID`) as for `merge`.
   */
  unmerge(id: string, input: UnmergeInput): Promise<Incident>;
  /**
   * Escalates by hand, to `level` (default: the next level of the frozen policy), recording
   * `ESCALATED`. Allowed in `triage` and `responding`; in `triage` the automatic escalation
   * continues from the chosen level. Typed targets (`{ kind: 'schedule' | 'user' | 'role' }`)
   * resolve now, as when a timer fires: whoever is on call on the schedule at this moment, the
   * incident's role holder (`data.paged`, `data.resolved`).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when `level` exceeds the policy's levels.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the state does not accept escalations,
   * or when the level's typed targets reach nobody now (a schedule gap, an unfilled role): nothing
   * is recorded, and `details.reason` says which targets; escalate to another level, or fix the
   * schedule or role first.
   */
  escalate(id: string, input: EscalateInput): Promise<Incident>;
  /**
   * Ingests normalised signals from monitoring tools (see `incidentkit/ingest` for parsers).
   *
   * @remarks Each signal first goes through the routing rules in force (`engine.routes`: they may
   * set its service, severity, dedup key, type, escalation policy, threshold and group, or
   * suppress it; `rules` in its result names the rules that matched). Then, in order:
   * `suppressed` (a rule, or a maintenance window), `deduplicated` (an open
   * incident holds its dedup key, `dedupKey ?? fingerprint`: repeats are counted in
   * `signalCount`, not logged), `grouped` (attached to its `groupBy` group's open incident),
   * `held` (below the threshold), `created`, `acknowledged` / `resolved` (the alert's status
   * changed; the incident is acknowledged, or auto-resolved once all its alerts resolved), or
   * `ignored` (a non-firing signal for no open incident), or `rejected` (the signal is malformed,
   * e.g. a text holding NUL: nothing is done with it, its `error` says why, and the other
   * signals of the call are still ingested). Two engines ingesting the same new fingerprint at
   * once open exactly one incident.
   *
   * Dedup keys are scoped by the signal's `namespace` (absent or `'shared'`: the tenant-wide
   * namespace), so a signal never touches an incident opened in another namespace. Everything a
   * signal does is done as `{ kind: 'integration', id: signal.integration ?? signal.source }`,
   * which `authorize` is asked about (action `ingest`) once per integration of the call.
   *
   * `options` gives the incident type and escalation policy the call's new incidents get when no
   * rule sets them (how a PagerDuty routing key's `type` and `policy` reach ingest).
   * @throws ValidationError (`VALIDATION_FAILED`) when `signals` is more than 10 000 signals, or
   * `options` names an unknown type or policy; a malformed signal is `rejected`, never thrown.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` refuses an integration of the call; nothing is ingested then.
   */
  ingest(signals: Signal | readonly Signal[], options?: IngestCallOptions): Promise<IngestResult[]>;
  /**
   * Writes the repeat counts `ingest` is holding (see the `countWindowMs` ingest option) to the
   * store now. Call it before a graceful shutdown; `get`, `list`, `scan`, `anchor` and
   * stopping `runWorkers` call it themselves.
   *
   * @throws AdapterError (`ADAPTER_FAILED`) when the store refuses the write; the counts stay
   * pending and are written by the next flush.
   */
  flush(): Promise<void>;
  /**
   * Fires every durable timer due at `now` (default: the clock's time): claims each with a
   * lease, feeds its event to the incident's machine as the system actor, and completes it.
   * Returns what it fired, in the order the timers were claimed (earliest due first).
   *
   * @remarks Claims 100 timers at a time until none due at `now` is left, however many there
   * are: timers that a fired timer sets and that are already due (overdue escalation levels
   * after downtime) fire in the same tick. One incident's timers fire one after the other in
   * due order; timers of different incidents fire up to four at a time. Safe to call from several
   * engine instances over one store: each timer is claimed by one of them per lease, and a
   * duplicate delivery changes nothing.
   * @throws ValidationError (`VALIDATION_FAILED`) when `now` is not a valid date.
   */
  tick(now?: Date): Promise<FiredTimer[]>;
  /**
   * Runs {@link EngineApi.tick} and every feature's background work (the notifications feature's `dispatch`) on an interval until
   * stopped. Passes never overlap; stopping also writes the pending repeat counts ({@link EngineApi.flush}).
   */
  runWorkers(options?: RunWorkersOptions): WorkerHandle;
  /**
   * Reads one incident's projection; its cost does not grow with the timeline, nor with its
   * alerts: it carries `alertCount` and the newest 100 alerts (page through all with
   * {@link EngineApi.alerts}).
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `read`.
   */
  get(id: string, options?: ReadOptions): Promise<Incident>;
  /**
   * One page of the incident's alerts, all of them (the incident itself carries only the newest
   * 100), in the order they were attached, oldest first, with their repeat counts (`count`,
   * `lastSeenAt`). Pass a page's `nextCursor` back as `cursor` for the next; it is absent on the
   * last page.
   *
   * @remarks A page costs the same after 10 000 alerts as after 10 (the stores seek). Alerts
   * attached while you page appear at the end, never shifting a page. Cursors are sealed like
   * `list` cursors (see the `cursorSecret` option) and work only for the incident they came from.
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore, type AlertSummary } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const { id } = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor: { id: 'u_dana' } });
   * const alerts: AlertSummary[] = [];
   * let cursor: string | undefined;
   * do {
   *   const page = await engine.alerts(id, { limit: 500, ...(cursor === undefined ? {} : { cursor }) });
   *   alerts.push(...page.items);
   *   cursor = page.nextCursor;
   * } while (cursor !== undefined);
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`) for a `limit` outside 1–1 000, or a cursor that
   * is not a `nextCursor` of this incident's alerts.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `read`.
   */
  alerts(id: string, options?: AlertsOptions): Promise<Page<AlertSummary>>;
  /**
   * Lists incidents, newest first, filtered and paged with a stable cursor. With `authorize`,
   * incidents the reader may not `read` are left out of the page.
   */
  list(query?: ListInput, options?: ReadOptions): Promise<Page<Incident>>;
  /**
   * The incident's stored events in `seq` order: all of them, or one page with `{ afterSeq,
   * limit }`: the events after `afterSeq`, at most `limit` of them.
   *
   * @remarks To read a long timeline page by page, pass the last event's `seq` as the next
   * `afterSeq`; a page shorter than `limit` is the last. A page costs the same at the end of a
   * long timeline as at its start (the stores seek on `seq`).
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore, type StoredEvent } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const { id } = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor: { id: 'u_dana' } });
   * const events: StoredEvent[] = [];
   * let page: readonly StoredEvent[];
   * do {
   *   page = await engine.timeline(id, { afterSeq: events.at(-1)?.seq ?? 0, limit: 500 });
   *   events.push(...page);
   * } while (page.length === 500);
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`) when `afterSeq` is not a whole number ≥ 0 or `limit` not one from 1 to 10 000.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `read`.
   */
  timeline(id: string, options?: TimelineOptions): Promise<readonly StoredEvent[]>;
  /**
   * Checks the incident's timeline: recomputes the hash chain, checks that it reaches the
   * stored projection's version and last hash, replays the events and compares the result with
   * the stored projection and the incident's alert rows, and — with `{ anchor }` from
   * {@link EngineApi.anchor} — that the log still holds the anchored hash. `{ ok: true }`, or
   * `{ ok: false, brokenAt, reason, fields? }`.
   *
   * @remarks Detects: an edited, inserted, removed or reordered event (`chain`); lost newest
   * events (`truncated`); an edited projection, e.g. a changed severity or title (`projection`),
   * or an edited, added or removed alert row (`projection` with `fields: ['alerts']`);
   * a cut tail with a rewound version and last hash, given an anchor taken before (`anchor`).
   * Does not detect a consistent rewrite of the events, hashes and projection by someone with
   * write access to the database after the newest anchor: keep anchors where they cannot write.
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed anchor, or one of another incident.
   */
  verifyTimeline(id: string, options?: VerifyTimelineOptions): Promise<TimelineVerification>;
  /**
   * The newest point of the incident's timeline, `{ incidentId, seq, hash }`, to keep somewhere
   * the database's administrators cannot write (an append-only log, a ticket, a signed message).
   * `verifyTimeline(id, { anchor })` then proves the log still reaches it.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `read`.
   */
  anchor(id: string, options?: ReadOptions): Promise<TimelineAnchor>;
  /** Subscribes to an event, e.g. `incident.resolved`, or to every event with `'*'`. */
  on<K extends keyof IncidentEngineEvents>(type: K, handler: EngineEventHandler<K>): void;
  on(type: '*', handler: EngineWildcardHandler): void;
  /** Unsubscribes a handler given to {@link EngineApi.on}. */
  off<K extends keyof IncidentEngineEvents>(type: K, handler?: EngineEventHandler<K>): void;
  off(type: '*', handler?: EngineWildcardHandler): void;
}

/** The lifecycle event names, for hosts that build UIs over them. */
export type { LifecycleEventType };
