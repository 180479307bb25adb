/**
 * The storage contract suite: every promise of DESIGN §5, runnable against any
 * {@link StorageAdapter} with any test framework that has `describe`/`it`/`expect`.
 *
 * @remarks One file on purpose (about 700 lines): the tests, their names (which `skip` refers to)
 * and the builders they share belong together, and adapter authors read it as the contract.
 */
import { createIncidentEngine } from '../engine/createIncidentEngine.js';
import { verifyChain } from '../engine/hash.js';
import type { IncidentEngine } from '../engine/types.js';
import { isIncidentKitError } from '../errors.js';
import { replayTimeline } from '../lifecycle/projection.js';
import type { AlertSummary, Incident } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import { compareListOrder } from '../storage/cursor.js';
import { memoryStore } from '../storage/memory.js';
import type { Claimed, Commit, ListQuery, OutboxRecord, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import { createManualClock } from './manualClock.js';

/** The subset of an `expect(value)` result the suite uses; vitest's and Jest's `expect` fit it. */
export interface StorageContractAssertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toHaveLength(length: number): void;
  toBeUndefined(): void;
}

/**
 * The test framework the suite registers its tests with: pass vitest's or Jest's functions, or
 * thin wrappers around another framework's.
 */
export interface StorageContractFramework {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: ((name: string, body: () => Promise<void>, timeout?: number) => void) & {
    /** Used for skipped tests when present, so they show up as skipped together with their reason. */
    readonly skip?: (name: string, body: () => Promise<void>) => void;
  };
  readonly expect: (actual: unknown) => StorageContractAssertion;
  readonly beforeEach: (body: () => Promise<void>) => void;
  readonly afterEach: (body: () => Promise<void>) => void;
}

/** Row counts read straight from an adapter's backing store, bypassing its read methods. */
export interface StorageInspection {
  /** Projection rows (one per incident). */
  readonly incidents: number;
  /** Timeline event rows. */
  readonly events: number;
  /** Timer rows. */
  readonly timers: number;
  /** Outbox rows in any state (pending, delivered or dead). */
  readonly outbox: number;
}

/** Every test of the suite, by name; `skip` keys must be among these. */
export const STORAGE_CONTRACT_TESTS = [
  'commit: creates an incident that load returns exactly',
  'commit: appends events in seq order and advances the version',
  'commit: a stale expected version raises ConcurrencyError and writes nothing',
  'commit: creating an incident that exists raises ConcurrencyError',
  'commit: two concurrent commits at the same version have exactly one winner',
  'commit: concurrent writers that retry lose no update',
  'reads: unknown incidents are absent',
  'reads: returned values are copies',
  'dedup: a second open incident with the same key raises DuplicateIncidentError and writes nothing',
  'dedup: two concurrent creates with the same key produce one DuplicateIncidentError',
  'dedup: the key is free again once its incident is closed or canceled',
  'dedup: an open incident is also found by the keys of its alerts',
  'signals: recorded counts are merged into every read and survive later commits',
  'signals: countFirings counts the firings in the window, one at a time',
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
  'list: an unknown cursor raises ValidationError',
  'round-trip: timestamps come back exactly',
  'round-trip: unicode text comes back exactly',
  'round-trip: nested JSON comes back deeply equal',
  'engine: a full lifecycle runs on the store and its timeline verifies',
  'engine: a due timer fires once across competing engines',
  'raw rows: commits reach the backing store',
  'raw rows: refused commits leave no rows behind',
] as const;

/** The name of one test of the suite. */
export type StorageContractTestName = (typeof STORAGE_CONTRACT_TESTS)[number];

/** Options of {@link runStorageContract}. */
export interface StorageContractOptions<S extends StorageAdapter> {
  /** Shown in the suite's title; default: the store's kind is unknown until `create` runs, so `adapter`. */
  readonly name?: string;
  /** Returns a fresh, empty store; called before every test. */
  create(): S | Promise<S>;
  /** Releases a store after its test (drop a schema, close a file). */
  dispose?(store: S): void | Promise<void>;
  /**
   * Counts one tenant's rows straight from the backing store, so the suite can prove that data
   * really reached it and that refused commits left nothing behind. Without it, the `raw rows`
   * tests are skipped and say so.
   */
  inspect?(store: S, tenantId: string): StorageInspection | Promise<StorageInspection>;
  /** Tests to skip, each with the reason to show (required, non-empty). */
  readonly skip?: Partial<Readonly<Record<StorageContractTestName, string>>>;
  /** Per-test timeout in milliseconds passed to `it`; default: the framework's. */
  readonly timeoutMs?: number;
}

const BASE = Date.parse('2026-03-01T12:00:00.000Z');
/** A canonical timestamp `ms` milliseconds after the suite's base time. */
const t = (ms: number): string => new Date(BASE + ms).toISOString();
const MINUTE = 60_000;
const TENANT = 'tenant_a';
const OTHER_TENANT = 'tenant_b';
const alice = { id: 'u_alice', name: 'Alice' };

/** The `code` of an incidentkit error, or a description of whatever else was thrown. */
function codeOf(error: unknown): string {
  if (isIncidentKitError(error)) return error.code;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Resolves to what `run` threw (synchronously or by rejecting); `undefined` when it did not throw. */
async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

function stateOf(commit: Commit, previous?: StoredIncident): StoredIncident {
  return { incident: commit.incident, snapshot: commit.snapshot, lastHash: commit.events.at(-1)?.hash ?? previous?.lastHash ?? '' };
}

/** What `declare` of the builder accepts: the engine's declare input plus the incident's id and time. */
interface DeclareSpec {
  readonly id: string;
  readonly tenantId?: string;
  readonly at?: string;
  readonly title?: string;
  readonly severity?: string;
  readonly service?: string;
  readonly dedupKey?: string;
  readonly startedAt?: string;
  readonly labels?: Record<string, string>;
  readonly fields?: Record<string, JsonValue>;
}

/**
 * Builds commits with the real engine (validation, machine, hashing, projection), without
 * writing them: the engine runs over a capturing store that returns a given state and keeps the
 * commit it is handed.
 */
function commitBuilder() {
  let counter = 0;
  let incidentId = '';
  let now = t(0);
  let current: StoredIncident | undefined;
  let captured: Commit | undefined;
  const ids = (kind: string): string => (kind === 'incident' ? incidentId : `${kind.slice(0, 3)}_${String((counter += 1))}`);
  const capturing: StorageAdapter = {
    ...memoryStore(),
    name: 'capture',
    load: (_tenant, id) => Promise.resolve(current?.incident.id === id ? structuredClone(current) : undefined),
    commit: (commit) => {
      captured = commit;
      return Promise.resolve();
    },
  };
  const engines = new Map<string, IncidentEngine>();
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs one engine command against `state` at `at` and returns the commit it wrote; one at a time. */
  function capture(
    tenantId: string,
    at: string,
    state: StoredIncident | undefined,
    run: (engine: IncidentEngine) => Promise<unknown>,
    newId = '',
  ): Promise<Commit> {
    const result = queue.then(async () => {
      let engine = engines.get(tenantId);
      if (engine === undefined) {
        engine = createIncidentEngine({ store: capturing, tenantId, clock: { now: () => new Date(now) }, ids });
        engines.set(tenantId, engine);
      }
      [now, current, captured, incidentId] = [at, state, undefined, newId];
      await run(engine);
      const commit = captured as Commit | undefined;
      if (commit === undefined) throw new Error('[incidentkit] storage contract: the engine wrote no commit.');
      return commit;
    });
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    /** The commit that declares an incident. */
    declare(spec: DeclareSpec): Promise<Commit> {
      const { id, tenantId = TENANT, at = t(0), ...input } = spec;
      return capture(
        tenantId,
        at,
        undefined,
        (engine) => engine.declare({ title: 'Checkout is down', severity: 'SEV3', ...input, actor: alice }),
        id,
      );
    },
    /** The commit of one more command on `current`. */
    next(current: StoredIncident, at: string, run: (engine: IncidentEngine, id: string) => Promise<unknown>): Promise<Commit> {
      return capture(current.incident.tenantId, at, current, (engine) => run(engine, current.incident.id));
    },
    /** The commit that adds a note to `current`. */
    note(current: StoredIncident, text: string, at: string = current.incident.updatedAt): Promise<Commit> {
      return capture(current.incident.tenantId, at, current, (engine) => engine.addNote(current.incident.id, { text, actor: alice }));
    },
  };
}

/** `commit` plus hand-built timers and outbox messages. */
function withExtras(
  commit: Commit,
  extras: { readonly set?: readonly TimerRecord[]; readonly cancel?: readonly string[]; readonly outbox?: readonly OutboxRecord[] },
): Commit {
  return {
    ...commit,
    timers: {
      set: [...(commit.timers?.set ?? []), ...(extras.set ?? [])],
      cancel: [...(commit.timers?.cancel ?? []), ...(extras.cancel ?? [])],
    },
    outbox: [...(commit.outbox ?? []), ...(extras.outbox ?? [])],
  };
}

/** `commit` with `alerts` in its projection and snapshot, as grouping signals would leave it. */
function withAlerts(commit: Commit, alerts: readonly AlertSummary[]): Commit {
  return {
    ...commit,
    incident: { ...commit.incident, alerts },
    snapshot: { ...commit.snapshot, context: { ...commit.snapshot.context, alerts } },
  };
}

function alert(fingerprint: string, dedupKey: string): AlertSummary {
  return { fingerprint, dedupKey, source: 'alertmanager', status: 'firing', summary: `${fingerprint} firing`, firstSeenAt: t(0), statusChangedAt: t(0) };
}

function timer(incident: Incident, timerId: string, dueAt: string, event: Record<string, JsonValue> = { type: 'REMIND', n: 1 }): TimerRecord {
  return { tenantId: incident.tenantId, incidentId: incident.id, timerId, dueAt, event };
}

function message(incident: Incident, id: string, availableAt: string, payload: Record<string, JsonValue> = { title: 'Update' }): OutboxRecord {
  return {
    id,
    tenantId: incident.tenantId,
    incidentId: incident.id,
    channel: 'webhook',
    idempotencyKey: `${incident.id}:${id}`,
    payload,
    availableAt,
    attempts: 0,
  };
}

const claimIds = (claims: readonly Claimed<TimerRecord>[]): string[] => claims.map((c) => c.item.timerId);
const messageIds = (claims: readonly Claimed<OutboxRecord>[]): string[] => claims.map((c) => c.item.id);

/**
 * Registers the storage contract suite: one `describe` with a test for every promise a
 * {@link StorageAdapter} keeps (DESIGN §5), each run on a fresh store from `create`.
 *
 * @remarks
 * Takes the test framework as an argument, so it has no runtime dependency on vitest. It checks
 * atomic, version-checked commits (exactly one winner of two concurrent commits at one version,
 * no lost update among retrying writers), the one-open-incident-per-dedup-key rule and its race,
 * timer and outbox leases (one claimant per lease, expired leases reclaimable, completed items
 * never returned, retries, dead letters and redelivery), tenant isolation of every read, stable
 * cursor paging, and exact round-trips of timestamps, unicode and nested JSON. Commits are built
 * with the real engine, so the data is what a host would store. Strings are NUL-free: PostgreSQL
 * cannot store U+0000 in text, and the suite asks nothing any SQL store cannot keep.
 *
 * @example
 * ```ts
 * // test/myStore.contract.test.ts
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * import { memoryStore } from 'incidentkit';
 * import { runStorageContract } from 'incidentkit/testing';
 *
 * runStorageContract({ describe, it, expect, beforeEach, afterEach }, {
 *   name: 'memory',
 *   create: () => memoryStore(),
 * });
 * ```
 * @throws TypeError when `skip` names an unknown test or gives no reason.
 */
export function runStorageContract<S extends StorageAdapter>(framework: StorageContractFramework, options: StorageContractOptions<S>): void {
  const { describe, it, expect, beforeEach, afterEach } = framework;
  const skip: Partial<Record<string, string>> = { ...options.skip };
  for (const [name, reason] of Object.entries(skip)) {
    if (!(STORAGE_CONTRACT_TESTS as readonly string[]).includes(name)) {
      throw new TypeError(`[incidentkit] runStorageContract: skip names an unknown test '${name}'; use a name from STORAGE_CONTRACT_TESTS.`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new TypeError(`[incidentkit] runStorageContract: skipping '${name}' needs a reason; give it as the value.`);
    }
  }

  let current: S | undefined;
  const store = (): S => {
    if (current === undefined) throw new Error('[incidentkit] storage contract: create() has not returned a store.');
    return current;
  };
  let build = commitBuilder();

  function test(name: StorageContractTestName, body: (store: S) => Promise<void>, missing?: string): void {
    const reason = skip[name] ?? missing;
    if (reason !== undefined) {
      const title = `${name} (skipped: ${reason})`;
      if (it.skip !== undefined) {
        it.skip(title, () => Promise.resolve());
      } else {
        it(title, () => Promise.resolve());
      }
      return;
    }
    it(name, () => body(store()), options.timeoutMs);
  }

  async function inspect(tenantId: string): Promise<StorageInspection> {
    if (options.inspect === undefined) throw new Error('unreachable: raw-row tests run only with inspect');
    return options.inspect(store(), tenantId);
  }

  async function declare(spec: DeclareSpec, extras: Parameters<typeof withExtras>[1] = {}): Promise<StoredIncident> {
    const commit = withExtras(await build.declare(spec), extras);
    await store().commit(commit);
    return stateOf(commit);
  }

  async function note(state: StoredIncident, text: string, extras: Parameters<typeof withExtras>[1] = {}, at?: string): Promise<StoredIncident> {
    const commit = withExtras(await build.note(state, text, at), extras);
    await store().commit(commit);
    return stateOf(commit, state);
  }

  async function apply(state: StoredIncident, at: string, run: (engine: IncidentEngine, id: string) => Promise<unknown>): Promise<StoredIncident> {
    const commit = await build.next(state, at, run);
    await store().commit(commit);
    return stateOf(commit, state);
  }

  const claim = (tenantId: string, now: string, owner = 'worker_1', leaseMs = MINUTE, limit = 100) => ({ tenantId, now, owner, leaseMs, limit });

  describe(`storage contract: ${options.name ?? 'adapter'}`, () => {
    beforeEach(async () => {
      build = commitBuilder();
      current = await options.create();
    });
    afterEach(async () => {
      const used = current;
      current = undefined;
      if (used !== undefined) await options.dispose?.(used);
    });

    // ----- commits -----------------------------------------------------------------------

    test('commit: creates an incident that load returns exactly', async (s) => {
      const commit = await build.declare({ id: 'inc_1', service: 'checkout', dedupKey: 'alert-1', labels: { team: 'payments' } });
      await s.commit(commit);
      expect(await s.load(TENANT, 'inc_1')).toEqual({ incident: commit.incident, snapshot: commit.snapshot, lastHash: commit.events[0]?.hash });
      expect(await s.events(TENANT, 'inc_1')).toEqual(commit.events);
    });

    test('commit: appends events in seq order and advances the version', async (s) => {
      let state = await declare({ id: 'inc_1' });
      for (let i = 1; i <= 5; i += 1) state = await note(state, `note ${String(i)}`, {}, t(i * 1000));
      const stored = await s.load(TENANT, 'inc_1');
      expect(stored?.incident.version).toBe(6);
      expect(stored?.incident).toEqual(state.incident);
      expect(stored?.lastHash).toBe(state.lastHash);
      const events = await s.events(TENANT, 'inc_1');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await verifyChain(events)).toEqual({ ok: true });
    });

    test('commit: a stale expected version raises ConcurrencyError and writes nothing', async (s) => {
      const first = await declare({ id: 'inc_1' });
      const stale = await build.note(first, 'stale');
      await note(first, 'winner');
      const incident = first.incident;
      const error = await thrown(() =>
        s.commit(withExtras(stale, { set: [timer(incident, 'late', t(0))], outbox: [message(incident, 'msg_late', t(0))] })),
      );
      expect(codeOf(error)).toBe('VERSION_CONFLICT');
      expect(isIncidentKitError(error, 'VERSION_CONFLICT') && error.details).toEqual({ tenantId: TENANT, incidentId: 'inc_1', expected: 1, actual: 2 });
      const events = await s.events(TENANT, 'inc_1');
      expect(events.map((e) => e.data)).toEqual([events[0]?.data, { text: 'winner' }]);
      expect(await s.claimTimers(claim(TENANT, t(MINUTE)))).toEqual([]);
      expect(await s.claimOutbox(claim(TENANT, t(MINUTE)))).toEqual([]);
    });

    test('commit: creating an incident that exists raises ConcurrencyError', async (s) => {
      const original = await declare({ id: 'inc_1', title: 'Original' });
      const again = await build.declare({ id: 'inc_1', title: 'Impostor' });
      expect(codeOf(await thrown(() => s.commit(again)))).toBe('VERSION_CONFLICT');
      // A commit at version 1 for an incident the store never saw.
      const ahead = await build.note(original, 'for an incident that is not there');
      const ghost: Commit = {
        ...ahead,
        incidentId: 'inc_missing',
        incident: { ...ahead.incident, id: 'inc_missing' },
        events: ahead.events.map((e) => ({ ...e, incidentId: 'inc_missing' })),
      };
      expect(codeOf(await thrown(() => s.commit(ghost)))).toBe('VERSION_CONFLICT');
      expect((await s.load(TENANT, 'inc_1'))?.incident.title).toBe('Original');
      expect(await s.load(TENANT, 'inc_missing')).toBeUndefined();
    });

    test('commit: two concurrent commits at the same version have exactly one winner', async (s) => {
      let state = await declare({ id: 'inc_1' });
      for (let round = 0; round < 5; round += 1) {
        const a = await build.note(state, `a${String(round)}`);
        const b = await build.note(state, `b${String(round)}`);
        const results = await Promise.allSettled([s.commit(a), s.commit(b)]);
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i === 0 ? a : b] : []));
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []));
        expect(won).toHaveLength(1);
        expect(lost).toEqual(['VERSION_CONFLICT']);
        const winner = won[0];
        if (winner === undefined) return;
        state = stateOf(winner, state);
        expect((await s.events(TENANT, 'inc_1')).at(-1)).toEqual(winner.events[0]);
      }
      const events = await s.events(TENANT, 'inc_1');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await verifyChain(events)).toEqual({ ok: true });
    });

    test('commit: concurrent writers that retry lose no update', async (s) => {
      await declare({ id: 'inc_1' });
      const writers = Array.from({ length: 8 }, (_, i) => `writer ${String(i)}`);
      await Promise.all(
        writers.map(async (text) => {
          for (let attempt = 0; attempt < 100; attempt += 1) {
            const loaded = await s.load(TENANT, 'inc_1');
            if (loaded === undefined) throw new Error('the incident vanished');
            try {
              await s.commit(await build.note(loaded, text));
              return;
            } catch (error) {
              if (!isIncidentKitError(error, 'VERSION_CONFLICT')) throw error;
            }
          }
          throw new Error(`${text} never got its commit in`);
        }),
      );
      const events = await s.events(TENANT, 'inc_1');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(events.slice(1).map((e) => e.data.text).sort()).toEqual(writers);
      expect(await verifyChain(events)).toEqual({ ok: true });
      expect((await s.load(TENANT, 'inc_1'))?.incident.version).toBe(9);
    });

    test('reads: unknown incidents are absent', async (s) => {
      expect(await s.load(TENANT, 'inc_nope')).toBeUndefined();
      expect(await s.events(TENANT, 'inc_nope')).toEqual([]);
      expect(await s.findOpenByDedupKey(TENANT, 'nope')).toBeUndefined();
      expect(await s.list(TENANT, { limit: 10 })).toEqual({ items: [] });
      expect(await s.deadLetters(TENANT)).toEqual([]);
      expect(await s.redeliver(TENANT, 'msg_nope', t(0))).toBe(false);
    });

    test('reads: returned values are copies', async (s) => {
      await declare({ id: 'inc_1', labels: { team: 'payments' } });
      const loaded = await s.load(TENANT, 'inc_1');
      if (loaded === undefined) throw new Error('expected the incident');
      (loaded.incident.labels as Record<string, string>).team = 'changed';
      (await s.events(TENANT, 'inc_1') as unknown[]).pop();
      expect((await s.load(TENANT, 'inc_1'))?.incident.labels).toEqual({ team: 'payments' });
      expect(await s.events(TENANT, 'inc_1')).toHaveLength(1);
    });

    // ----- dedup -------------------------------------------------------------------------

    test('dedup: a second open incident with the same key raises DuplicateIncidentError and writes nothing', async (s) => {
      const first = await declare({ id: 'inc_1', dedupKey: 'HighErrorRate/web' });
      const second = await build.declare({ id: 'inc_2', dedupKey: 'HighErrorRate/web' });
      const error = await thrown(() =>
        s.commit(withExtras(second, { set: [timer(second.incident, 'x', t(0))], outbox: [message(second.incident, 'msg_x', t(0))] })),
      );
      expect(codeOf(error)).toBe('DUPLICATE_INCIDENT');
      expect(isIncidentKitError(error, 'DUPLICATE_INCIDENT') && error.details.dedupKey).toBe('HighErrorRate/web');
      expect(await s.load(TENANT, 'inc_2')).toBeUndefined();
      expect(await s.events(TENANT, 'inc_2')).toEqual([]);
      expect(await s.claimTimers(claim(TENANT, t(MINUTE)))).toEqual([]);
      expect(await s.claimOutbox(claim(TENANT, t(MINUTE)))).toEqual([]);
      expect((await s.findOpenByDedupKey(TENANT, 'HighErrorRate/web'))?.id).toBe(first.incident.id);
      await declare({ id: 'inc_3', dedupKey: 'HighErrorRate/api' });
      await declare({ id: 'inc_4' });
      await declare({ id: 'inc_5' });
      expect((await s.list(TENANT, { limit: 10 })).items).toHaveLength(4);
    });

    test('dedup: two concurrent creates with the same key produce one DuplicateIncidentError', async (s) => {
      for (let round = 0; round < 5; round += 1) {
        const key = `disk-full/${String(round)}`;
        const a = await build.declare({ id: `inc_a${String(round)}`, dedupKey: key });
        const b = await build.declare({ id: `inc_b${String(round)}`, dedupKey: key });
        const results = await Promise.allSettled([s.commit(a), s.commit(b)]);
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i === 0 ? a : b] : []));
        expect(winners).toHaveLength(1);
        expect(results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []))).toEqual(['DUPLICATE_INCIDENT']);
        const winner = winners[0]?.incident.id;
        const loser = winner === a.incident.id ? b.incident.id : a.incident.id;
        expect((await s.findOpenByDedupKey(TENANT, key))?.id).toBe(winner);
        expect(await s.load(TENANT, loser)).toBeUndefined();
        expect(await s.events(TENANT, loser)).toEqual([]);
      }
    });

    test('dedup: the key is free again once its incident is closed or canceled', async (s) => {
      const first = await declare({ id: 'inc_1', dedupKey: 'k' });
      await apply(first, t(1000), (engine, id) => engine.cancel(id, { reason: 'false_positive', actor: alice }));
      expect(await s.findOpenByDedupKey(TENANT, 'k')).toBeUndefined();
      let second = await declare({ id: 'inc_2', dedupKey: 'k', severity: 'SEV4' }, {});
      expect((await s.findOpenByDedupKey(TENANT, 'k'))?.id).toBe('inc_2');
      for (const step of ['resolve', 'close'] as const) {
        second = await apply(second, t(2000), (engine, id) => (step === 'resolve' ? engine.resolve(id, { actor: alice }) : engine.close(id, { actor: alice })));
        // Resolved incidents are still open: the key stays taken until the incident closes.
        expect((await s.findOpenByDedupKey(TENANT, 'k'))?.id).toBe(step === 'resolve' ? 'inc_2' : undefined);
      }
      await declare({ id: 'inc_3', dedupKey: 'k' });
      expect((await s.findOpenByDedupKey(TENANT, 'k'))?.id).toBe('inc_3');
    });

    test('dedup: an open incident is also found by the keys of its alerts', async (s) => {
      const grouped = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'own', at: t(0) }), [alert('fp1', 'grouped'), alert('fp2', 'shared')]);
      await s.commit(grouped);
      expect((await s.findOpenByDedupKey(TENANT, 'grouped'))?.id).toBe('inc_1');
      expect((await s.findOpenByDedupKey(TENANT, 'own'))?.id).toBe('inc_1');
      expect(await s.findOpenByDedupKey(OTHER_TENANT, 'grouped')).toBeUndefined();
      // An incident's own key wins over another incident's alert key.
      await declare({ id: 'inc_2', dedupKey: 'shared', at: t(1000) });
      expect((await s.findOpenByDedupKey(TENANT, 'shared'))?.id).toBe('inc_2');
      await apply(stateOf(grouped), t(2000), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice }));
      expect(await s.findOpenByDedupKey(TENANT, 'grouped')).toBeUndefined();
    });

    // ----- signal counters ---------------------------------------------------------------

    test('signals: recorded counts are merged into every read and survive later commits', async (s) => {
      const declared = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'k' }), [alert('fp_a', 'k'), alert('fp_b', 'k_b')]);
      await s.commit(declared);
      const other = withAlerts(await build.declare({ id: 'inc_1', tenantId: OTHER_TENANT }), [alert('fp_a', 'k')]);
      await s.commit(other);
      await s.recordSignals(TENANT, [
        { incidentId: 'inc_1', fingerprint: 'fp_a', count: 3, lastSeenAt: t(1000) },
        { incidentId: 'inc_1', fingerprint: 'fp_a', count: 2, lastSeenAt: t(3000) },
        { incidentId: 'inc_1', fingerprint: 'fp_b', count: 1, lastSeenAt: t(500) },
      ]);
      // An older lastSeenAt adds to the count but never moves the time back.
      await s.recordSignals(TENANT, [{ incidentId: 'inc_1', fingerprint: 'fp_a', count: 4, lastSeenAt: t(2000) }]);
      const expectCounted = (incident: Incident | undefined): void => {
        expect(incident?.signalCount).toBe(10);
        expect(incident?.alerts.map((a) => [a.fingerprint, a.count, a.lastSeenAt])).toEqual([
          ['fp_a', 9, t(3000)],
          ['fp_b', 1, t(500)],
        ]);
      };
      expectCounted((await s.load(TENANT, 'inc_1'))?.incident);
      expectCounted((await s.list(TENANT, { limit: 5 })).items[0]);
      expectCounted(await s.findOpenByDedupKey(TENANT, 'k'));
      await note(stateOf(declared), 'a commit carries the projection without counters');
      expectCounted((await s.load(TENANT, 'inc_1'))?.incident);
      const untouched = (await s.load(OTHER_TENANT, 'inc_1'))?.incident;
      expect(untouched?.alerts.map((a) => a.count)).toEqual([undefined]);
    });

    test('signals: countFirings counts the firings in the window, one at a time', async (s) => {
      expect(await s.countFirings(TENANT, 'cpu-high', t(0), t(-60_000))).toBe(1);
      expect(await s.countFirings(TENANT, 'cpu-high', t(10_000), t(-50_000))).toBe(2);
      expect(await s.countFirings(TENANT, 'cpu-high', t(70_000), t(10_000))).toBe(2);
      expect(await s.countFirings(TENANT, 'cpu-high', t(200_000), t(140_000))).toBe(1);
      expect(await s.countFirings(TENANT, 'disk-full', t(200_000), t(140_000))).toBe(1);
      expect(await s.countFirings(OTHER_TENANT, 'cpu-high', t(200_000), t(140_000))).toBe(1);
      const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => s.countFirings(TENANT, 'burst', t(300_000 + i), t(240_000))));
      expect([...racing].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    // ----- timers ------------------------------------------------------------------------

    test('timers: due timers are claimed earliest first, future ones are not', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      const incident = declared.incident;
      const timers = [timer(incident, 'b', t(2 * MINUTE)), timer(incident, 'a', t(MINUTE)), timer(incident, 'c', t(3 * MINUTE)), timer(incident, 'future', t(60 * MINUTE))];
      await s.commit(withExtras(declared, { set: timers }));
      expect(await s.claimTimers(claim(TENANT, t(MINUTE - 1)))).toEqual([]);
      const claimed = await s.claimTimers(claim(TENANT, t(3 * MINUTE), 'worker_1', 30_000, 2));
      expect(claimed).toEqual([
        { item: timers[1], owner: 'worker_1', leaseUntil: t(3 * MINUTE + 30_000) },
        { item: timers[0], owner: 'worker_1', leaseUntil: t(3 * MINUTE + 30_000) },
      ]);
      expect(claimIds(await s.claimTimers(claim(TENANT, t(3 * MINUTE), 'worker_2')))).toEqual(['c']);
      expect(await s.claimTimers(claim(TENANT, t(3 * MINUTE), 'worker_3'))).toEqual([]);
    });

    test('timers: concurrent claimants never get the same timer', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      const timers = Array.from({ length: 30 }, (_, i) => timer(declared.incident, `t${String(i).padStart(2, '0')}`, t(i * 1000)));
      await s.commit(withExtras(declared, { set: timers }));
      const seen: string[] = [];
      for (let round = 0; round < 10 && seen.length < timers.length; round += 1) {
        const batches = await Promise.all(
          ['w1', 'w2', 'w3', 'w4'].map((owner) => s.claimTimers(claim(TENANT, t(MINUTE), owner, 10 * MINUTE, 5))),
        );
        for (const batch of batches) seen.push(...claimIds(batch));
      }
      expect(seen.length).toBe(timers.length);
      expect([...new Set(seen)].sort()).toEqual(timers.map((x) => x.timerId));
    });

    test('timers: an expired lease is reclaimable and the old owner can no longer complete', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      await s.commit(withExtras(declared, { set: [timer(declared.incident, 'escalate', t(0))] }));
      const [first] = await s.claimTimers(claim(TENANT, t(0), 'w1', 10_000));
      expect(first?.leaseUntil).toBe(t(10_000));
      expect(await s.claimTimers(claim(TENANT, t(9_999), 'w2', 10_000))).toEqual([]);
      const [second] = await s.claimTimers(claim(TENANT, t(10_000), 'w2', 10_000));
      expect(second?.item).toEqual(first?.item);
      expect(second?.owner).toBe('w2');
      if (first === undefined || second === undefined) return;
      expect(await s.completeTimer(first)).toBe(false);
      expect(await s.completeTimer(second)).toBe(true);
    });

    test('timers: completed timers never come back', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      await s.commit(withExtras(declared, { set: [timer(declared.incident, 'a', t(0)), timer(declared.incident, 'b', t(0))] }));
      const claimed = await s.claimTimers(claim(TENANT, t(0), 'w1', 1_000));
      for (const c of claimed) expect(await s.completeTimer(c)).toBe(true);
      for (const c of claimed) expect(await s.completeTimer(c)).toBe(false);
      expect(await s.claimTimers(claim(TENANT, t(24 * 60 * MINUTE), 'w2'))).toEqual([]);
    });

    test('timers: setting a timer again replaces it and voids the old claim', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      const state = stateOf(declared);
      await s.commit(withExtras(declared, { set: [timer(declared.incident, 'remind', t(0), { type: 'REMIND', n: 1 })] }));
      const [old] = await s.claimTimers(claim(TENANT, t(0), 'w1'));
      const replacement = timer(declared.incident, 'remind', t(5 * MINUTE), { type: 'REMIND', n: 2 });
      await note(state, 'reschedule', { set: [replacement] });
      if (old === undefined) throw new Error('expected a claim');
      expect(await s.completeTimer(old)).toBe(false);
      expect(await s.claimTimers(claim(TENANT, t(5 * MINUTE - 1), 'w2'))).toEqual([]);
      const [fresh] = await s.claimTimers(claim(TENANT, t(5 * MINUTE), 'w2'));
      expect(fresh?.item).toEqual(replacement);
    });

    test('timers: a commit cancels timers', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      await s.commit(withExtras(declared, { set: [timer(declared.incident, 'keep', t(0)), timer(declared.incident, 'drop', t(0))] }));
      await note(stateOf(declared), 'cancel one', { cancel: ['drop', 'never-set'] });
      expect(claimIds(await s.claimTimers(claim(TENANT, t(0))))).toEqual(['keep']);
    });

    // ----- outbox ------------------------------------------------------------------------

    test('outbox: due messages are claimed earliest first; completed ones never come back', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      const incident = declared.incident;
      const messages = [message(incident, 'msg_b', t(2000)), message(incident, 'msg_a', t(1000)), message(incident, 'msg_later', t(MINUTE))];
      await s.commit(withExtras(declared, { outbox: messages }));
      const claimed = await s.claimOutbox(claim(TENANT, t(2000), 'w1', 5_000));
      expect(claimed).toEqual([
        { item: messages[1], owner: 'w1', leaseUntil: t(7000) },
        { item: messages[0], owner: 'w1', leaseUntil: t(7000) },
      ]);
      for (const c of claimed) expect(await s.completeOutbox(c)).toBe(true);
      for (const c of claimed) expect(await s.completeOutbox(c)).toBe(false);
      const later = await s.claimOutbox(claim(TENANT, t(24 * 60 * MINUTE), 'w2'));
      expect(messageIds(later)).toEqual(['msg_later']);
      for (const c of later) expect(await s.completeOutbox(c)).toBe(true);
      expect(await s.claimOutbox(claim(TENANT, t(48 * 60 * MINUTE), 'w3'))).toEqual([]);
      expect(await s.deadLetters(TENANT)).toEqual([]);
    });

    test('outbox: concurrent claimants never get the same message', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      const messages = Array.from({ length: 30 }, (_, i) => message(declared.incident, `msg_${String(i).padStart(2, '0')}`, t(i)));
      await s.commit(withExtras(declared, { outbox: messages }));
      const seen: string[] = [];
      for (let round = 0; round < 10 && seen.length < messages.length; round += 1) {
        const batches = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((owner) => s.claimOutbox(claim(TENANT, t(MINUTE), owner, 10 * MINUTE, 5))));
        for (const batch of batches) seen.push(...messageIds(batch));
      }
      expect(seen.length).toBe(messages.length);
      expect([...new Set(seen)].sort()).toEqual(messages.map((m) => m.id));
    });

    test('outbox: an expired lease is reclaimable and the old owner can no longer complete or fail', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      await s.commit(withExtras(declared, { outbox: [message(declared.incident, 'msg_1', t(0))] }));
      const [first] = await s.claimOutbox(claim(TENANT, t(0), 'w1', 10_000));
      expect(await s.claimOutbox(claim(TENANT, t(9_999), 'w2', 10_000))).toEqual([]);
      const [second] = await s.claimOutbox(claim(TENANT, t(10_000), 'w2', 10_000));
      if (first === undefined || second === undefined) throw new Error('expected two claims');
      expect(second.item.id).toBe('msg_1');
      expect(await s.completeOutbox(first)).toBe(false);
      expect(await s.failOutbox(first, { error: 'stale', retryAt: t(20_000) })).toBe(false);
      expect(await s.completeOutbox(second)).toBe(true);
    });

    test('outbox: failOutbox with retryAt reschedules and counts the attempt', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      await s.commit(withExtras(declared, { outbox: [message(declared.incident, 'msg_1', t(0))] }));
      const [first] = await s.claimOutbox(claim(TENANT, t(0), 'w1'));
      if (first === undefined) throw new Error('expected a claim');
      expect(await s.failOutbox(first, { error: 'HTTP 503 from receiver', retryAt: t(30_000) })).toBe(true);
      expect(await s.claimOutbox(claim(TENANT, t(29_999), 'w2'))).toEqual([]);
      const [retry] = await s.claimOutbox(claim(TENANT, t(30_000), 'w2'));
      expect(retry?.item).toEqual({ ...first.item, attempts: 1, lastError: 'HTTP 503 from receiver', availableAt: t(30_000) });
      expect(await s.deadLetters(TENANT)).toEqual([]);
    });

    test('outbox: failOutbox without retryAt dead-letters it; redeliver moves it back', async (s) => {
      const declared = await build.declare({ id: 'inc_1' });
      const incident = declared.incident;
      await s.commit(withExtras(declared, { outbox: [message(incident, 'msg_new', t(2000)), message(incident, 'msg_old', t(1000))] }));
      for (const c of await s.claimOutbox(claim(TENANT, t(2000), 'w1'))) {
        expect(await s.failOutbox(c, { error: `gave up on ${c.item.id}` })).toBe(true);
      }
      const dead = await s.deadLetters(TENANT);
      expect(dead.map((m) => [m.id, m.attempts, m.lastError])).toEqual([
        ['msg_old', 1, 'gave up on msg_old'],
        ['msg_new', 1, 'gave up on msg_new'],
      ]);
      expect(await s.claimOutbox(claim(TENANT, t(60 * MINUTE), 'w2'))).toEqual([]);
      expect(await s.redeliver(TENANT, 'msg_old', t(5 * MINUTE))).toBe(true);
      expect(await s.redeliver(TENANT, 'msg_old', t(5 * MINUTE))).toBe(false);
      expect((await s.deadLetters(TENANT)).map((m) => m.id)).toEqual(['msg_new']);
      expect(await s.claimOutbox(claim(TENANT, t(5 * MINUTE - 1), 'w3'))).toEqual([]);
      const [again] = await s.claimOutbox(claim(TENANT, t(5 * MINUTE), 'w3'));
      expect(again?.item).toEqual({ ...dead[0], availableAt: t(5 * MINUTE) });
      if (again !== undefined) expect(await s.completeOutbox(again)).toBe(true);
    });

    // ----- tenancy -----------------------------------------------------------------------

    test('tenancy: every read and claim is scoped by tenant', async (s) => {
      const a = await build.declare({ id: 'inc_shared', tenantId: TENANT, title: 'Tenant A outage', dedupKey: 'same-key' });
      const b = await build.declare({ id: 'inc_shared', tenantId: OTHER_TENANT, title: 'Tenant B outage', dedupKey: 'same-key' });
      await s.commit(withExtras(a, { set: [timer(a.incident, 'x', t(0))], outbox: [message(a.incident, 'msg_1', t(0))] }));
      await s.commit(withExtras(b, { set: [timer(b.incident, 'x', t(0))], outbox: [message(b.incident, 'msg_1', t(0))] }));
      await note(stateOf(b), 'only in B');
      expect((await s.load(TENANT, 'inc_shared'))?.incident.title).toBe('Tenant A outage');
      expect((await s.load(OTHER_TENANT, 'inc_shared'))?.incident.title).toBe('Tenant B outage');
      expect(await s.load('tenant_c', 'inc_shared')).toBeUndefined();
      expect((await s.events(TENANT, 'inc_shared')).map((e) => e.tenantId)).toEqual([TENANT]);
      expect((await s.events(OTHER_TENANT, 'inc_shared')).map((e) => e.tenantId)).toEqual([OTHER_TENANT, OTHER_TENANT]);
      expect((await s.list(TENANT, { limit: 10 })).items.map((i) => i.title)).toEqual(['Tenant A outage']);
      expect((await s.findOpenByDedupKey(OTHER_TENANT, 'same-key'))?.title).toBe('Tenant B outage');
      expect(await s.findOpenByDedupKey('tenant_c', 'same-key')).toBeUndefined();
      const timersA = await s.claimTimers(claim(TENANT, t(0)));
      expect(timersA.map((c) => c.item.tenantId)).toEqual([TENANT]);
      const outboxA = await s.claimOutbox(claim(TENANT, t(0)));
      expect(outboxA.map((c) => c.item.tenantId)).toEqual([TENANT]);
      const [timerB] = await s.claimTimers(claim(OTHER_TENANT, t(0)));
      expect(timerB?.item.tenantId).toBe(OTHER_TENANT);
      const [outboxB] = await s.claimOutbox(claim(OTHER_TENANT, t(0)));
      if (outboxB === undefined) throw new Error('tenant B lost its message');
      expect(await s.failOutbox(outboxB, { error: 'dead in B' })).toBe(true);
      expect(await s.deadLetters(TENANT)).toEqual([]);
      expect((await s.deadLetters(OTHER_TENANT)).map((m) => m.tenantId)).toEqual([OTHER_TENANT]);
      expect(await s.redeliver(TENANT, 'msg_1', t(0))).toBe(false);
      expect(await s.redeliver(OTHER_TENANT, 'msg_1', t(0))).toBe(true);
    });

    // ----- list --------------------------------------------------------------------------

    test('list: newest detectedAt first, ties by id descending', async (s) => {
      const specs = [
        { id: 'inc_c', at: t(1000) },
        { id: 'inc_a', at: t(3000) },
        { id: 'inc_b', at: t(3000) },
        { id: 'inc_d', at: t(2000) },
        { id: 'inc_e', at: t(3000) },
      ];
      for (const spec of specs) await declare(spec);
      expect((await s.list(TENANT, { limit: 10 })).items.map((i) => i.id)).toEqual(['inc_e', 'inc_b', 'inc_a', 'inc_d', 'inc_c']);
    });

    test('list: filters by status, severity, service and open', async (s) => {
      await declare({ id: 'inc_1', severity: 'SEV1', service: 'checkout', at: t(1000) });
      const acked = await declare({ id: 'inc_2', severity: 'SEV2', service: 'search', at: t(2000) });
      await apply(acked, t(2500), (engine, id) => engine.acknowledge(id, { actor: alice }));
      const canceled = await declare({ id: 'inc_3', severity: 'SEV2', at: t(3000) });
      await apply(canceled, t(3500), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice }));
      const ids = async (query: Omit<ListQuery, 'limit'>): Promise<string[]> =>
        (await s.list(TENANT, { limit: 10, ...query })).items.map((i) => i.id);
      expect(await ids({ status: ['triage'] })).toEqual(['inc_1']);
      expect(await ids({ status: ['responding', 'canceled'] })).toEqual(['inc_3', 'inc_2']);
      expect(await ids({ severity: ['SEV2'] })).toEqual(['inc_3', 'inc_2']);
      expect(await ids({ service: ['checkout', 'search'] })).toEqual(['inc_2', 'inc_1']);
      expect(await ids({ open: true })).toEqual(['inc_2', 'inc_1']);
      expect(await ids({ open: false })).toEqual(['inc_3']);
      expect(await ids({ open: true, severity: ['SEV2'], service: ['search'], status: ['responding'] })).toEqual(['inc_2']);
      expect(await ids({ severity: ['SEV5'] })).toEqual([]);
    });

    test('list: cursor paging is stable while incidents are added', async (s) => {
      const created: Incident[] = [];
      for (let i = 0; i < 23; i += 1) {
        // Every third incident shares its detectedAt with the next, so ties are paged too.
        const state = await declare({ id: `inc_${String(i).padStart(2, '0')}`, at: t(Math.floor(i / 2) * 1000), severity: i % 2 === 0 ? 'SEV3' : 'SEV4' });
        created.push(state.incident);
      }
      const expected = [...created].sort(compareListOrder).map((i) => i.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page += 1) {
        const result = await s.list(TENANT, { limit: 5, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...result.items.map((i) => i.id));
        // Newer incidents arriving between pages never shift the pages still to come.
        await declare({ id: `inc_new_${String(page)}`, at: t(3_600_000 + page), severity: 'SEV5' });
        if (result.nextCursor === undefined) break;
        expect(result.items).toHaveLength(5);
        cursor = result.nextCursor;
      }
      expect(seen).toEqual(expected);
      const sev3: string[] = [];
      cursor = undefined;
      do {
        const result = await s.list(TENANT, { limit: 4, severity: ['SEV3'], ...(cursor === undefined ? {} : { cursor }) });
        sev3.push(...result.items.map((i) => i.id));
        cursor = result.nextCursor;
      } while (cursor !== undefined);
      expect(sev3).toEqual(expected.filter((id) => Number(id.slice(4)) % 2 === 0));
    });

    test('list: an unknown cursor raises ValidationError', async (s) => {
      await declare({ id: 'inc_1' });
      expect(codeOf(await thrown(() => s.list(TENANT, { limit: 10, cursor: 'not-a-cursor' })))).toBe('VALIDATION_FAILED');
    });

    // ----- round trips -------------------------------------------------------------------

    test('round-trip: timestamps come back exactly', async (s) => {
      const instants = ['1970-01-01T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2026-03-01T12:00:00.001Z', '2038-01-19T03:14:08.500Z', '2099-12-31T23:59:59.999Z'];
      for (const [i, at] of instants.entries()) {
        const declared = await build.declare({ id: `inc_${String(i)}`, at, startedAt: '1969-12-31T23:59:59.999Z' });
        await s.commit(withExtras(declared, { set: [timer(declared.incident, 'due', at)], outbox: [message(declared.incident, `msg_${String(i)}`, at)] }));
        const loaded = await s.load(TENANT, `inc_${String(i)}`);
        expect([loaded?.incident.detectedAt, loaded?.incident.startedAt, loaded?.incident.updatedAt]).toEqual([at, '1969-12-31T23:59:59.999Z', at]);
        expect((await s.events(TENANT, `inc_${String(i)}`)).map((e) => e.at)).toEqual([at]);
      }
      const timers = await s.claimTimers(claim(TENANT, '2100-01-01T00:00:00.000Z', 'w1', 1));
      expect(timers.map((c) => c.item.dueAt)).toEqual(instants);
      expect(timers.map((c) => c.leaseUntil)).toEqual(instants.map(() => '2100-01-01T00:00:00.001Z'));
      const messages = await s.claimOutbox(claim(TENANT, '2100-01-01T00:00:00.000Z', 'w1', 1));
      expect(messages.map((c) => c.item.availableAt)).toEqual(instants);
      expect((await s.list(TENANT, { limit: 10 })).items.map((i) => i.detectedAt)).toEqual([...instants].reverse());
    });

    test('round-trip: unicode text comes back exactly', async (s) => {
      const title = '🔥 Checkout — مرحبا بالعالم שלום 日本語 e\u0301 👩🏽‍💻 \u200f⁦RTL⁩';
      const text = `${title} Ελληνικά "quotes" 'single' \\back\\slash\\ ; DROP TABLE incidents; -- %_ $1 \u{1F1FA}\u{1F1F8}\ttab\nnewline`;
      const declared = await build.declare({
        id: 'inc_ünï_😀',
        title,
        service: 'pagos-😀-δ',
        dedupKey: 'alert:😀:שלום',
        labels: { 'région': 'مصر', '🏷️': '✓', alertname: title },
        fields: { note: text, 'ключ': ['ü', '😀', 'ع'] },
      });
      const msg = message(declared.incident, 'msg_😀', t(0), { text, '键': text });
      await s.commit(withExtras(declared, { set: [timer(declared.incident, 'timer_✓', t(0), { type: 'REMIND', text })], outbox: [msg] }));
      const state = await note(stateOf(declared), text);
      expect(await s.load(TENANT, 'inc_ünï_😀')).toEqual(state);
      expect((await s.events(TENANT, 'inc_ünï_😀')).at(-1)?.data.text).toBe(text);
      expect((await s.list(TENANT, { limit: 5, service: ['pagos-😀-δ'] })).items.map((i) => i.id)).toEqual(['inc_ünï_😀']);
      expect((await s.findOpenByDedupKey(TENANT, 'alert:😀:שלום'))?.title).toBe(title);
      expect((await s.claimTimers(claim(TENANT, t(0))))[0]?.item.event).toEqual({ type: 'REMIND', text });
      expect((await s.claimOutbox(claim(TENANT, t(0))))[0]?.item).toEqual(msg);
    });

    test('round-trip: nested JSON comes back deeply equal', async (s) => {
      let deep: JsonValue = { leaf: [1, 'two', null, true] };
      for (let depth = 0; depth < 6; depth += 1) deep = { [`level ${String(depth)}`]: [deep, { depth }] };
      const numbers = { zero: 0, negative: -42, pi: 3.141592653589793, max: Number.MAX_SAFE_INTEGER, min: -Number.MAX_SAFE_INTEGER, tiny: 1e-7, huge: 1.5e300, third: 1 / 3 };
      const fields: Record<string, JsonValue> = {
        deep,
        numbers,
        empty: {},
        none: [],
        flags: [true, false, null],
        'dotted.key with spaces': { 'a-b': { c: [[[]], [{}]] } },
      };
      const declared = await build.declare({ id: 'inc_json', fields });
      const payload = { incident: { fields }, list: [numbers, [deep]], '': 'empty key', nested: { a: { b: { c: { d: { e: 'f' } } } } } };
      await s.commit(withExtras(declared, { set: [timer(declared.incident, 'json', t(0), { type: 'REMIND', payload })], outbox: [message(declared.incident, 'msg_json', t(0), payload)] }));
      const loaded = await s.load(TENANT, 'inc_json');
      expect(loaded?.incident.fields).toEqual(fields);
      expect(loaded?.snapshot).toEqual(declared.snapshot);
      expect(await s.events(TENANT, 'inc_json')).toEqual(declared.events);
      expect((await s.claimTimers(claim(TENANT, t(0))))[0]?.item.event).toEqual({ type: 'REMIND', payload });
      expect((await s.claimOutbox(claim(TENANT, t(0))))[0]?.item.payload).toEqual(payload);
    });

    // ----- with the engine ---------------------------------------------------------------

    test('engine: a full lifecycle runs on the store and its timeline verifies', async (s) => {
      const clock = createManualClock(t(0));
      const engine = createIncidentEngine({ store: s, clock, tenantId: TENANT });
      const other = createIncidentEngine({ store: s, clock, tenantId: TENANT });
      const lee = { id: 'u_lee', name: 'Lee' };
      const incident = await engine.declare({ title: 'Search is slow', severity: 'SEV2', service: 'search', dedupKey: 'p99/search', actor: alice });
      clock.advance(MINUTE);
      await engine.acknowledge(incident.id, { actor: alice });
      await Promise.all([
        engine.assignRole(incident.id, { role: 'commander', assignee: alice, actor: alice }),
        other.addNote(incident.id, { text: 'Index rebuild is saturating disks.', actor: lee }),
        other.postUpdate(incident.id, { audience: 'stakeholders', message: 'Search is degraded.', actor: lee }),
      ]);
      clock.advance(MINUTE);
      await engine.mitigate(incident.id, { summary: 'Paused the rebuild.', actor: alice });
      await engine.recordRootCause(incident.id, { summary: 'Rebuild ran at peak.', contributingFactors: ['no throttle'], actor: alice });
      await engine.resolve(incident.id, { actor: alice });
      await engine.startReview(incident.id, { actor: alice });
      const withItem = await engine.addActionItem(incident.id, { title: 'Throttle rebuilds', owner: 'u_lee', actor: alice });
      await engine.completeReview(incident.id, { actor: alice });
      await engine.close(incident.id, { actor: alice });
      const itemId = withItem.actionItems[0]?.id ?? '';
      const final = await engine.updateActionItem(incident.id, { actionItemId: itemId, status: 'done', actor: lee });
      expect(await engine.get(incident.id)).toEqual(final);
      expect(final.status).toBe('closed');
      expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
      const timeline = await engine.timeline(incident.id);
      expect(timeline).toHaveLength(final.version);
      expect(replayTimeline(timeline)).toEqual(final);
      expect((await engine.list({ open: false })).items.map((i) => i.id)).toEqual([incident.id]);
    });

    test('engine: a due timer fires once across competing engines', async (s) => {
      const clock = createManualClock(t(0));
      const policies = { escalation: { levels: [{ afterMinutes: 5, targets: ['team:payments'] }] } };
      const engines = ['w1', 'w2', 'w3'].map((workerId) => createIncidentEngine({ store: s, clock, tenantId: TENANT, policies, workerId }));
      const first = engines[0];
      if (first === undefined) return;
      const incident = await first.declare({ title: 'Payments failing', severity: 'SEV2', actor: alice });
      clock.advance(6 * MINUTE);
      const fired = (await Promise.all(engines.map((engine) => engine.tick()))).flat();
      expect(fired.filter((f) => f.outcome === 'applied').map((f) => f.incidentId)).toEqual([incident.id]);
      const escalations = (await first.timeline(incident.id)).filter((e) => e.type === 'ESCALATED');
      expect(escalations).toHaveLength(1);
      expect(await first.verifyTimeline(incident.id)).toEqual({ ok: true });
      clock.advance(60 * MINUTE);
      expect((await Promise.all(engines.map((engine) => engine.tick()))).flat().filter((f) => f.outcome === 'applied')).toEqual([]);
    });

    // ----- raw rows (needs inspect) ------------------------------------------------------

    const noInspect = options.inspect === undefined ? 'no inspect() was given, so rows cannot be read past the adapter' : undefined;

    test(
      'raw rows: commits reach the backing store',
      async () => {
        const declared = await build.declare({ id: 'inc_1' });
        await store().commit(withExtras(declared, { set: [timer(declared.incident, 'a', t(0))], outbox: [message(declared.incident, 'msg_1', t(0))] }));
        expect(await inspect(TENANT)).toEqual({ incidents: 1, events: 1, timers: 1, outbox: 1 });
        await note(stateOf(declared), 'second event', { cancel: ['a'] });
        expect(await inspect(TENANT)).toEqual({ incidents: 1, events: 2, timers: 0, outbox: 1 });
        expect(await inspect(OTHER_TENANT)).toEqual({ incidents: 0, events: 0, timers: 0, outbox: 0 });
      },
      noInspect,
    );

    test(
      'raw rows: refused commits leave no rows behind',
      async () => {
        const first = await declare({ id: 'inc_1', dedupKey: 'k' });
        const before = await inspect(TENANT);
        const stale = await build.note(first, 'stale');
        await note(first, 'winner');
        const afterWinner = await inspect(TENANT);
        expect(afterWinner.events).toBe(before.events + 1);
        const extras = { set: [timer(first.incident, 'x', t(0))], outbox: [message(first.incident, 'msg_x', t(0))] };
        expect(codeOf(await thrown(() => store().commit(withExtras(stale, extras))))).toBe('VERSION_CONFLICT');
        const duplicate = await build.declare({ id: 'inc_2', dedupKey: 'k' });
        expect(codeOf(await thrown(() => store().commit(withExtras(duplicate, { set: [timer(duplicate.incident, 'y', t(0))] }))))).toBe('DUPLICATE_INCIDENT');
        expect(await inspect(TENANT)).toEqual(afterWinner);
      },
      noInspect,
    );
  });
}
