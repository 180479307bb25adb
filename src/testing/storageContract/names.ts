/**
 * The names of the storage contract's checks: the titles tests are registered under, and the
 * keys `skip` accepts.
 */

/** Every test of the suite, by name; `skip` keys must be among these. */
export const STORAGE_CONTRACT_TESTS = [
  'commit: creates an incident that load returns exactly',
  'commit: appends events in seq order and advances the version',
  'commit: a stale expected version raises ConcurrencyError and writes nothing',
  'commit: creating an incident that exists raises ConcurrencyError',
  'commit: two concurrent commits at the same version have exactly one winner',
  'commit: concurrent writers that retry lose no update',
  'reads: unknown incidents are absent',
  'reads: a caller cannot change stored values through what a read returns (copies or frozen values)',
  'reads: events returns the page after afterSeq, at most limit events',
  'dedup: a second open incident with the same key raises DuplicateIncidentError and writes nothing',
  'dedup: two concurrent creates with the same key produce one DuplicateIncidentError',
  'dedup: the key is free again once its incident is closed or canceled',
  'dedup: an open incident is also found by the keys of its alerts',
  'dedup: an open incident is found by the key of any of its alerts, not only the 100 it carries',
  'dedup: findOpenVersionByDedupKey (optional) names the incident and version findOpenByDedupKey returns',
  'signals: recorded counts are merged into every read and survive later commits',
  'signals: countFirings counts the firings in the window, one at a time',
  'alerts: a commit adds or replaces only the alert rows it carries; alerts pages them in attach order with a stable cursor',
  'alerts: findAlert reads any alert by fingerprint with its counters, and signalCount counts every alert',
  'timers: due timers are claimed earliest first, future ones are not',
  'timers: concurrent claimants never get the same timer',
  'timers: an expired lease is reclaimable and the old owner can no longer complete',
  'timers: completed timers never come back',
  'timers: setting a timer again replaces it and voids the old claim',
  'timers: a commit cancels timers',
  'outbox: due messages are claimed earliest first; completed ones never come back',
  'outbox: concurrent claimants never get the same message',
  'outbox: an expired lease is reclaimable and the old owner can no longer complete or fail',
  'outbox: failOutbox with retryAt reschedules and counts the attempt',
  'outbox: failOutbox without retryAt dead-letters it; redeliver moves it back',
  'tenancy: every read and claim is scoped by tenant',
  'list: newest detectedAt first, ties by id descending',
  'list: filters by status, severity, service and open',
  'list: cursor paging is stable while incidents are added',
  'list: detectedFrom (inclusive) and detectedTo (exclusive) filter by detectedAt, also while paging',
  'list: an unknown cursor raises ValidationError',
  'round-trip: timestamps come back exactly',
  'round-trip: unicode text comes back exactly',
  'round-trip: nested JSON comes back deeply equal',
  'engine: a full lifecycle runs on the store and its timeline verifies',
  'engine: a due timer fires once across competing engines',
  'engine: an alert storm beyond the 100 alerts an incident carries groups, changes, pages and auto-resolves, and its timeline verifies',
  'raw rows: commits reach the backing store',
  'raw rows: refused commits leave no rows behind',
] as const;

/** The name of one test of the suite. */
export type StorageContractTestName = (typeof STORAGE_CONTRACT_TESTS)[number];
