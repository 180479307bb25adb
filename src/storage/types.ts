import type { Actor } from '../model/actor.js';
import type { PersistedIncidentSnapshot } from '../model/snapshot.js';
import type { StoredEvent } from '../model/event.js';
import type { AlertSummary, Incident, IncidentStatus } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';

/** An incident as a store holds it: the projection, the machine snapshot and the last event's hash. */
export interface StoredIncident {
  readonly incident: Incident;
  readonly snapshot: PersistedIncidentSnapshot;
  /** The `hash` of the event at `incident.version`; the next event chains from it. */
  readonly lastHash: string;
}

/** A durable timer: an event to feed back into an incident's machine at `dueAt`. */
export interface TimerRecord {
  readonly tenantId: string;
  readonly incidentId: string;
  /** Unique per incident; setting a timer with an existing id replaces it. */
  readonly timerId: string;
  /** ISO-8601 UTC. */
  readonly dueAt: string;
  /** The machine event to deliver, as JSON. */
  readonly event: Readonly<Record<string, JsonValue>>;
}

/** A message waiting to be delivered by a notifier. */
export interface OutboxRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly incidentId: string;
  /** The notifier (by its configured name) that should deliver it. */
  readonly channel: string;
  /** Stable across every attempt, so receivers can drop duplicates. */
  readonly idempotencyKey: string;
  /** The channel-neutral message, as JSON. */
  readonly payload: Readonly<Record<string, JsonValue>>;
  /** Not before this time (ISO-8601 UTC). */
  readonly availableAt: string;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly lastError?: string;
}

/** A timer or outbox item handed to one claimant until `leaseUntil`. */
export interface Claimed<T> {
  readonly item: T;
  /** The claimant that holds the lease. */
  readonly owner: string;
  /** ISO-8601 UTC; after it, another claimant may take the item. */
  readonly leaseUntil: string;
}

/**
 * One atomic write: new events, the projection and snapshot they lead to, and the timers and
 * outbox messages they cause.
 */
export interface Commit {
  readonly tenantId: string;
  readonly incidentId: string;
  /** The version the commit was computed from; `0` creates the incident. */
  readonly expectedVersion: number;
  /** At least one event, with `seq` = `expectedVersion + 1`, … in order (the SQL stores refuse a commit without one). */
  readonly events: readonly StoredEvent[];
  /** The projection after the events; its `version` is the last event's `seq`. */
  readonly incident: Incident;
  readonly snapshot: PersistedIncidentSnapshot;
  readonly timers?: {
    /** Timers to create or replace. */
    readonly set?: readonly TimerRecord[];
    /** Timer ids of this incident to remove. */
    readonly cancel?: readonly string[];
  };
  readonly outbox?: readonly OutboxRecord[];
  /**
   * The alert rows this commit adds or changes, without counters (`count`, `lastSeenAt`): only
   * those, however many alerts the incident has (the projection carries only the newest 100).
   * Keyed by `(tenantId, incidentId, fingerprint)`: a fingerprint the incident does not have yet
   * is appended to its alerts (`alerts` returns them in that order), one it has is replaced in
   * place. While the incident is open, each alert's `dedupKey` is one of the keys
   * `findOpenByDedupKey` finds it by.
   */
  readonly alerts?: readonly AlertSummary[];
}

/**
 * Two commits written as one, with alert rows moving from one incident to the other
 * ({@link StorageAdapter.commitMerge}): how `engine.merge` and `engine.unmerge` write.
 *
 * @remarks
 * - `merge`: `from` is the incident merged into `to`. Every alert row of `from` moves to `to`,
 *   appended after `to`'s rows in `from`'s order, with `mergedFrom: from.incidentId` set.
 * - `unmerge`: `from` is the incident that `to` was merged into. Every alert row of `from` whose
 *   `mergedFrom` is `to.incidentId` moves back to `to`, appended in its order, without `mergedFrom`.
 *
 * The moved rows' repeat counters move with them (both incidents' `signalCount` follows), and so do
 * the dedup keys: every key `from` holds for a moved row (and, on `merge`, `from`'s own `dedupKey`,
 * on `unmerge`, `to`'s own `dedupKey`) passes to `to` as an alert key, before the two commits apply
 * their own key rules. Neither commit carries alert rows (`alerts` is absent). The two commits are
 * of one tenant.
 */
export interface MergeWrite {
  readonly kind: 'merge' | 'unmerge';
  /** The commit of the incident the alerts leave. */
  readonly from: Commit;
  /** The commit of the incident that takes them. */
  readonly to: Commit;
}

/**
 * Which part of a timeline {@link StorageAdapter.events} returns: the events after `afterSeq`,
 * at most `limit` of them, in `seq` order.
 */
export interface EventRange {
  /** Only events with a `seq` greater than this; default `0` (from the first event). A whole number ≥ 0. */
  readonly afterSeq?: number;
  /** At most this many events; default: all that follow. A whole number ≥ 1. */
  readonly limit?: number;
}

/** Options of {@link StorageAdapter.load}. */
export interface LoadOptions {
  /**
   * Read what the backing store holds now, past any state the adapter remembers. SQL stores
   * remember the incidents they last loaded or committed and trust them while the stored version
   * is unchanged; `engine.verifyTimeline` sets this to audit the database itself (a row edited
   * out of band does not change the version). An adapter that remembers nothing ignores it.
   */
  readonly fresh?: boolean;
}

/** Filters and paging of {@link StorageAdapter.list}. */
export interface ListQuery {
  readonly status?: readonly IncidentStatus[];
  readonly severity?: readonly string[];
  readonly service?: readonly string[];
  /** `true`: only open incidents; `false`: only closed or canceled ones. */
  readonly open?: boolean;
  /**
   * Only incidents whose `detectedAt` is at or after this time (inclusive): an ISO-8601 UTC
   * timestamp as `Date#toISOString()` writes it. Adapters must honour it (added in a minor
   * release; an adapter that ignores it returns incidents outside the range).
   */
  readonly detectedFrom?: string;
  /** Only incidents whose `detectedAt` is before this time (exclusive); same format as `detectedFrom`. */
  readonly detectedTo?: string;
  readonly limit: number;
  /** An opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

/** Paging of {@link StorageAdapter.alerts}. */
export interface AlertQuery {
  /** At most this many alerts (a whole number ≥ 1). */
  readonly limit: number;
  /** An opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

/** One page of results. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Present when more items follow; pass it back as `cursor`. */
  readonly nextCursor?: string;
}

/** A batch of signals counted against one alert of an incident (repeats are counted, not logged). */
export interface SignalCount {
  readonly incidentId: string;
  readonly fingerprint: string;
  /** How many signals to add. */
  readonly count: number;
  /** When the newest of them arrived (ISO-8601 UTC); the stored value only moves forward. */
  readonly lastSeenAt: string;
}

/** Options of a claim call. */
export interface ClaimOptions {
  readonly tenantId: string;
  /** Items due at or before this time are claimable (ISO-8601 UTC). */
  readonly now: string;
  /** Who claims: a lease is only completed by its owner. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly limit: number;
}

/** What to do with an outbox message after a failed attempt. */
export interface OutboxFailure {
  readonly error: string;
  /** Retry no earlier than this (ISO-8601 UTC); absent means dead-letter. */
  readonly retryAt?: string;
}

/**
 * A versioned JSON document of one kind (e.g. `schedule`, `routingRule`, `statusPage`), per
 * tenant, outside any incident: one version of it, as {@link StorageAdapter.getRecord} and
 * {@link StorageAdapter.recordHistory} return it.
 *
 * @remarks Every write appends a version (`1`, `2`, …); none is ever changed or removed, so a
 * record's history is complete. A delete appends a tombstone: `value` is `null` and `deleted` is
 * `true`.
 */
export interface StoredRecord {
  readonly tenantId: string;
  readonly kind: string;
  readonly id: string;
  /** `1` for the first version; each write (a delete too) adds one. */
  readonly version: number;
  /** The document; `null` in a tombstone. */
  readonly value: JsonValue;
  /** When this version was written (ISO-8601 UTC, as `Date#toISOString()` writes it). */
  readonly updatedAt: string;
  /** Who wrote this version. */
  readonly updatedBy: Actor;
  /** Present when this version deleted the record. */
  readonly deleted?: true;
}

/**
 * One atomic write of a record ({@link StorageAdapter.putRecord}): the next version, compared
 * and set against the current one, with the timers and outbox messages it causes.
 */
export interface RecordWrite {
  readonly tenantId: string;
  /** Letters, digits, `_`, `-`, `.` or `:`, starting with a letter; at most 64 characters. */
  readonly kind: string;
  /** Any non-empty text of at most 200 characters, without NUL or unpaired surrogates. */
  readonly id: string;
  /**
   * The version the write was computed from: `0` creates the record; otherwise its current
   * version (a tombstone's too: writing a value after a delete brings the record back).
   * Anything else raises `RecordConflictError` (`VERSION_CONFLICT`) and writes nothing.
   */
  readonly expectedVersion: number;
  /** The new document, or `null` to delete the record (a tombstone version; its history stays). */
  readonly value: JsonValue;
  /** When the write happens (ISO-8601 UTC, as `Date#toISOString()` writes it). */
  readonly at: string;
  readonly actor: Actor;
  /**
   * Durable timers written in the same atomic write, e.g. an on-call hand-off notice. They belong
   * to no incident: `incidentId` is `''`, and `timerId` is a feature's (`featureTimerId(name,
   * key)`), so `engine.tick()` hands the due timer to that feature's `fireTimer`. `cancel` names
   * such timers by id.
   */
  readonly timers?: {
    readonly set?: readonly TimerRecord[];
    readonly cancel?: readonly string[];
  };
  /** Messages written in the same atomic write (`incidentId` may be `''` when they are about no incident). */
  readonly outbox?: readonly OutboxRecord[];
}

/**
 * Timers of no incident set and cancelled at once, without a record version
 * ({@link StorageAdapter.setRecordTimers}); setting an id that exists replaces it.
 */
export interface RecordTimersWrite {
  readonly tenantId: string;
  /** `incidentId: ''`, the write's tenant, and a feature's timer id (`featureTimerId(name, key)`). */
  readonly set?: readonly TimerRecord[];
  /** Timer ids (of no incident) to delete; an id both set and cancelled is set. */
  readonly cancel?: readonly string[];
}

/** Paging of {@link StorageAdapter.listRecords}. */
export interface RecordQuery {
  /** At most this many records (a whole number from 1 to 1 000). */
  readonly limit: number;
  /** An opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

/** Which versions {@link StorageAdapter.recordHistory} returns. */
export interface RecordHistoryRange {
  /** Only versions after this one; default `0` (from the first). A whole number ≥ 0. */
  readonly afterVersion?: number;
  /** At most this many versions; default: all that follow. A whole number ≥ 1. */
  readonly limit?: number;
}

/** A tenant's outbox at a glance ({@link StorageAdapter.outboxStats}): what telemetry gauges read. */
export interface OutboxStats {
  /** Messages waiting to be delivered, those scheduled for a retry included (not dead letters). */
  readonly pending: number;
  /** The earliest `availableAt` among them (ISO-8601 UTC); absent when none waits. */
  readonly oldestPendingAt?: string;
  /** Dead-lettered messages held until redelivered. */
  readonly deadLetters: number;
}

/**
 * The storage contract. `memoryStore()`, `sqliteStore(db)` and `postgresStore(pool)` implement
 * it, and so can any host; `runStorageContract` in `incidentkit/testing` proves an adapter.
 *
 * @remarks
 * The promises every adapter keeps (DESIGN §5):
 * - `commit` is atomic and version-checked: it writes everything or nothing, and raises
 *   `ConcurrencyError` when `expectedVersion` is not the stored version (two concurrent
 *   commits at one version produce exactly one winner).
 * - At most one open incident per `(tenantId, dedupKey)`: a creating commit that would break
 *   this raises `DuplicateIncidentError`.
 * - Each due timer or outbox item is handed to one claimant per lease; expired leases are
 *   claimable again; completed items never come back.
 * - Every read is scoped by `tenantId`; `list` pages with a stable cursor.
 * - Timestamps round-trip exactly and JSON round-trips deeply equal.
 * Errors other than the two above surface as `AdapterError`.
 */
export interface StorageAdapter {
  /** Used in error messages, e.g. `memory`. */
  readonly name: string;
  /**
   * Loads one incident, or `undefined`. Its cost must not grow with the timeline. `options` was
   * added in a minor release: see {@link LoadOptions}.
   */
  load(tenantId: string, incidentId: string, options?: LoadOptions): Promise<StoredIncident | undefined>;
  /** Writes a {@link Commit} atomically. */
  commit(commit: Commit): Promise<void>;
  /**
   * The timeline of one incident in `seq` order (empty when unknown): all of it, or with `range`
   * only the events after `range.afterSeq`, at most `range.limit` of them.
   *
   * @remarks Serve a range with a seek on the `(tenantId, incidentId, seq)` key, so a page costs
   * the same at the end of a long timeline as at its start. `range` was added in a minor release:
   * the engine still works with an adapter that ignores it (it cuts the page itself), but then
   * every page reads the whole timeline.
   */
  events(tenantId: string, incidentId: string, range?: EventRange): Promise<readonly StoredEvent[]>;
  /** Incidents matching `query`, newest `detectedAt` first (ties by id, descending). */
  list(tenantId: string, query: ListQuery): Promise<Page<Incident>>;
  /**
   * The incident holding `dedupKey` (see `holdsDedupKeys`: open, and no recurrence took its keys
   * over), if any: as its own `dedupKey`, or as the `dedupKey` of one of its alerts (every alert row committed with it, not only the newest it carries).
   * An incident's own key wins; among incidents holding it as an alert key, the one that took it
   * first.
   */
  findOpenByDedupKey(tenantId: string, dedupKey: string): Promise<Incident | undefined>;
  /**
   * Optional: the newest incident (by `detectedAt`, then id) whose own `dedupKey` is `dedupKey`,
   * in any status, closed and canceled included. Ingest links an alert that fires again after its
   * incident closed to that incident as its recurrence; without this method it opens the new
   * incident unlinked.
   */
  findLatestByDedupKey?(tenantId: string, dedupKey: string): Promise<Incident | undefined>;
  /**
   * Optional: the id and version of the open incident {@link StorageAdapter.findOpenByDedupKey}
   * would return, without reading the incident. `engine.ingest` uses it on its hot path to reuse
   * a projection it read before at the same version (a version names one state of an incident);
   * without it, ingest reads the incident in full.
   */
  findOpenVersionByDedupKey?(tenantId: string, dedupKey: string): Promise<{ readonly incidentId: string; readonly version: number } | undefined>;
  /**
   * One page of an incident's alerts, in the order they were attached (oldest first), with their
   * counters merged in (`count`, `lastSeenAt`); empty for an unknown incident.
   *
   * @remarks A cursor names a position in that order, so alerts attached between two pages
   * never shift the pages that follow; an unknown cursor raises `ValidationError`. Serve it with
   * a seek on an index, so a page costs the same after 10 000 alerts as after 10.
   */
  alerts(tenantId: string, incidentId: string, query: AlertQuery): Promise<Page<AlertSummary>>;
  /** One alert of an incident by fingerprint, with its counters merged in, or `undefined`. */
  findAlert(tenantId: string, incidentId: string, fingerprint: string): Promise<AlertSummary | undefined>;
  /**
   * Adds signal counts to incidents' alerts. Counters live beside the projection: commits
   * never overwrite them, and every read (`load`, `list`, `findOpenByDedupKey`, `alerts`,
   * `findAlert`) merges them into each alert's `count` and `lastSeenAt`, and into
   * `incident.signalCount` (the sum over all the incident's alerts, not only those it carries).
   */
  recordSignals(tenantId: string, counts: readonly SignalCount[]): Promise<void>;
  /**
   * Records one firing of `key` at `at` and returns how many firings of `key` happened at or
   * after `since` (this one included); older firings may be forgotten. Used to hold signals
   * until a threshold is reached.
   */
  countFirings(tenantId: string, key: string, at: string, since: string): Promise<number>;
  /** Claims due timers (earliest first) that nobody holds a live lease on. */
  claimTimers(options: ClaimOptions): Promise<readonly Claimed<TimerRecord>[]>;
  /**
   * Removes a fired timer, if `owner` still holds its lease and the timer was not replaced since.
   * Returns whether it did.
   */
  completeTimer(claim: Claimed<TimerRecord>): Promise<boolean>;
  /** Claims due outbox messages (earliest first) that nobody holds a live lease on. */
  claimOutbox(options: ClaimOptions): Promise<readonly Claimed<OutboxRecord>[]>;
  /** Marks a message delivered, if `owner` still holds its lease. Returns whether it did. */
  completeOutbox(claim: Claimed<OutboxRecord>): Promise<boolean>;
  /** Records a failed attempt: reschedules the message, or dead-letters it when `retryAt` is absent. */
  failOutbox(claim: Claimed<OutboxRecord>, failure: OutboxFailure): Promise<boolean>;
  /**
   * Optional: writes a {@link MergeWrite} atomically: both commits, version-checked as `commit`
   * checks one, and the alert rows, counters and keys that move between the two incidents.
   * `engine.merge` and `engine.unmerge` need it (without it they raise `ConfigError`).
   *
   * @remarks At most one open incident per own key still holds: taking `to`'s own key again on
   * `unmerge` raises `DuplicateIncidentError` when another open incident took it meanwhile.
   * Cost grows with the alerts that move, never with one event per alert.
   * @throws ConcurrencyError (`VERSION_CONFLICT`) when either commit's `expectedVersion` is stale; nothing is written.
   * @throws ValidationError (`VALIDATION_FAILED`) on `merge` when both incidents have an alert with one
   *   fingerprint (an incident's alerts are keyed by fingerprint); nothing is written.
   * @throws DuplicateIncidentError (`DUPLICATE_INCIDENT`) as above; nothing is written.
   */
  commitMerge?(write: MergeWrite): Promise<void>;
  /** Dead-lettered messages, oldest first. */
  deadLetters(tenantId: string): Promise<readonly OutboxRecord[]>;
  /** Moves a dead-lettered message back to the outbox, due at `availableAt`. Returns whether it existed. */
  redeliver(tenantId: string, messageId: string, availableAt: string): Promise<boolean>;
  /**
   * Optional (with the other four record methods: an adapter has all five or none; see
   * `requireRecords`): writes the next version of a record, with its timers and outbox
   * messages, atomically, and returns it.
   *
   * @remarks Compare-and-set in the backend, as for `commit`: of two writes at one version
   * exactly one wins.
   * @throws RecordConflictError (`VERSION_CONFLICT`) when `expectedVersion` is not the record's
   *   current version (`0` for a record that exists); nothing is written.
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed write (a bad kind or id, a time
   *   that is not canonical, a value that is not plain JSON or holds NUL or an unpaired surrogate,
   *   a timer of an incident or of another tenant, …); nothing is written.
   */
  putRecord?(write: RecordWrite): Promise<StoredRecord>;
  /**
   * Optional: a record's current version (a tombstone too, with `deleted: true`), or with
   * `options.version` that version; `undefined` when there is none.
   */
  getRecord?(tenantId: string, kind: string, id: string, options?: { readonly version?: number }): Promise<StoredRecord | undefined>;
  /**
   * Optional: one page of the current, not deleted records of `kind`, ordered by id (as the
   * backend orders text: code point order in our stores).
   *
   * @remarks A cursor names the last id of a page, so records written between two pages never
   * shift the pages that follow; an unknown cursor raises `ValidationError`. Serve it with a seek
   * on an index of current, live records: a page costs the same however many records, versions
   * and tombstones the kind has.
   */
  listRecords?(tenantId: string, kind: string, query: RecordQuery): Promise<Page<StoredRecord>>;
  /** Optional: a record's versions after `range.afterVersion`, oldest first (empty for an unknown record). */
  recordHistory?(tenantId: string, kind: string, id: string, range?: RecordHistoryRange): Promise<readonly StoredRecord[]>;
  /**
   * Optional, with the other record methods: sets and cancels timers of no incident
   * (`incidentId: ''`) atomically, writing no record version — for deadlines that move often (a
   * heartbeat's on every beat). A timer set again replaces the earlier one and drops its lease.
   */
  setRecordTimers?(write: RecordTimersWrite): Promise<void>;
  /**
   * Optional: how many outbox messages of the tenant wait, since when the oldest waits, and how
   * many are dead-lettered, read cheaply (one indexed query). Telemetry reads it when metrics are
   * collected (the outbox depth and age gauges of `incidentkit/opentelemetry`); without it those
   * gauges report nothing.
   */
  outboxStats?(tenantId: string): Promise<OutboxStats>;
}
