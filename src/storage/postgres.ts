/**
 * The PostgreSQL store: `incidentkit/postgres` (peer dependency: `pg`).
 *
 * @packageDocumentation
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { ConcurrencyError, ConfigError, DuplicateIncidentError, isIncidentKitError } from '../errors.js';
import type { PersistedIncidentSnapshot } from '../model/snapshot.js';
import type { AlertSummary, Incident } from '../model/incident.js';
import { encodeCursor } from './cursor.js';
import { checkEventRange } from './eventRange.js';
import { decodeAlertCursor, encodeAlertCursor } from './sql/alertCursor.js';
import { addMs, assertTimestamp, checkCommit } from './sql/checkCommit.js';
import { driverCode, wrapDriverError } from './sql/driverError.js';
import { incidentCache } from './sql/incidentCache.js';
import { itemWrites, storedWithItems } from './sql/incidentItems.js';
import { planList } from './sql/listPlan.js';
import { postgresCommits } from './sql/postgresCommit.js';
import { postgresLists } from './sql/postgresList.js';
import type { PreparedQuery } from './sql/postgresQuery.js';
import { groupSignalCounts } from './sql/signalCounters.js';
import { postgresMerge } from './sql/postgresMerge.js';
import { postgresMigrations } from './sql/postgresMigrations.js';
import { postgresRecords } from './sql/postgresRecords.js';
import {
  itemsOf,
  iso,
  toAlert,
  toEvent,
  toIncident,
  toOutbox,
  toTimer,
  withCounters,
  type AlertRow,
  type CounterColumns,
  type EventRow,
  type IncidentRow,
  type OutboxRow,
  type TimerRow,
} from './sql/postgresRows.js';
import { claimedMessages, claimedTimers, parseJson } from './sql/rowRecords.js';
import { postgresStatements, statementName } from './sql/postgresStatements.js';
import { quoteIdentifier, validateIdentifier } from './sql/validateIdentifier.js';
import { deepFreeze } from '../kernel/freeze.js';
import type { ClaimOptions, Commit, MergeWrite, Page, StorageAdapter, StoredIncident } from './types.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The schema holding the store's tables (all named `incidentkit_*`); created if missing. A
   * plain identifier; default `public`. Give each application or test run its own schema to keep
   * their data apart.
   */
  readonly schema?: string;
}

/** A PostgreSQL {@link StorageAdapter}, plus explicit control of its migrations. */
export interface PostgresStore extends StorageAdapter {
  /** The schema the store uses. */
  readonly schema: string;
  /**
   * Creates or upgrades the store's tables now instead of on first use; safe to call from every
   * instance at once. Resolves to the migration versions this call applied (empty when none).
   *
   * @throws AdapterError (`ADAPTER_FAILED`) when the database cannot be migrated.
   */
  migrate(): Promise<readonly number[]>;
}

const ADAPTER = 'postgres';

/** What `load` reads: the projection, snapshot and items only when the version is not the one the store remembers. */
interface LoadRow extends CounterColumns {
  readonly version: number;
  readonly last_hash: string;
  readonly incident: string | null;
  readonly snapshot: string | null;
  readonly items: string | null;
}

/**
 * A {@link StorageAdapter} on PostgreSQL through a `pg.Pool` the host owns: how several instances
 * of a host share one database.
 *
 * @remarks
 * - Tables live in `options.schema` and are created on first use (or by {@link PostgresStore.migrate})
 *   with versioned migrations under `pg_advisory_xact_lock`, so instances can start together.
 * - A commit is one prepared statement (data-modifying CTEs), so one round trip and atomic on its
 *   own: a compare-and-set `UPDATE … WHERE version = $expected` on the projection, a primary key
 *   on `(tenant, incident, seq)`, and the open incidents' dedup keys as rows of
 *   `incidentkit_open_keys`, where an incident's own key is unique per tenant. Nothing is read and
 *   checked in JavaScript first.
 * - `findOpenByDedupKey` is one index lookup, and every `list` page an index seek.
 * - Alerts and action items are rows of their own, and a commit writes only those it changes:
 *   the store remembers the last state of its most recently used incidents by version (another
 *   instance's commit makes it stale), and `load` reads only the version while it is current.
 *   What `load` returns is deeply frozen.
 * - Timers and outbox messages are claimed with `FOR UPDATE SKIP LOCKED` and a lease.
 * - Versioned records (`putRecord`, …) are rows of `incidentkit_records`, one per version; a
 *   write is one statement too, compare-and-set on the current version.
 * - Data and snapshots are `jsonb`, times `timestamptz`; both round-trip exactly (times must be
 *   canonical `toISOString()` strings, which the engine always writes). Strings must not contain NUL.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createIncidentEngine } from 'incidentkit';
 * import { postgresStore } from 'incidentkit/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = postgresStore(pool, { schema: 'incidents' });
 * await store.migrate();
 * const engine = createIncidentEngine({ store });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when `pool` is not a `pg.Pool` or `schema` is not a plain identifier.
 */
export function postgresStore(pool: Pool, options: PostgresStoreOptions = {}): PostgresStore {
  const candidate = pool as Partial<Pool> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.query !== 'function' || typeof candidate.connect !== 'function') {
    throw new ConfigError('postgresStore', [
      { code: 'custom', path: ['pool'], message: 'Pass a pg.Pool, e.g. new pg.Pool({ connectionString })' },
    ]);
  }
  const schema = validateIdentifier(options.schema ?? 'public', 'postgresStore', 'schema');
  const sql = postgresStatements(quoteIdentifier(schema));
  const commits = postgresCommits(quoteIdentifier(schema));
  const lists = postgresLists(quoteIdentifier(schema));
  const cache = incidentCache();
  let migrated: Promise<readonly number[]> | undefined;
  let ready = false;

  function migrate(): Promise<readonly number[]> {
    migrated ??= postgresMigrations(pool, schema).then(
      (applied) => {
        ready = true;
        return applied;
      },
      (error: unknown) => {
        migrated = undefined; // let the next call try again
        throw wrapDriverError(ADAPTER, 'migrate', error);
      },
    );
    return migrated;
  }

  // R is the caller's statement of what its SQL selects, as with pool.query<R>().
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  async function run<R extends QueryResultRow>(operation: string, statement: PreparedQuery): Promise<{ rows: R[]; rowCount: number }> {
    if (!ready) await migrate();
    try {
      const result = await pool.query<R>(statement);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw wrapDriverError(ADAPTER, operation, error);
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  function query<R extends QueryResultRow>(operation: string, text: string, values: unknown[]): Promise<{ rows: R[]; rowCount: number }> {
    return run<R>(operation, { name: statementName(text), text, values });
  }

  async function versionOf(tenantId: string, incidentId: string): Promise<number> {
    const { rows } = await query<{ version: number }>('commit', sql.version, [tenantId, incidentId]);
    return rows[0]?.version ?? 0;
  }

  async function commit(commit: Commit): Promise<void> {
    checkCommit(ADAPTER, commit);
    const { incident, tenantId, incidentId, expectedVersion } = commit;
    // At the version remembered, only the item rows that changed are written.
    const previous = expectedVersion === 0 ? undefined : cache.get(tenantId, incidentId, expectedVersion);
    const items = itemWrites(ADAPTER, previous?.incident, incident);
    let applied: number;
    try {
      const { rows } = await run<{ applied: number }>('commit', commits(commit, items));
      applied = expectedVersion === 0 ? 1 : (rows[0]?.applied ?? 0);
    } catch (error) {
      const cause = error instanceof Error ? error.cause : undefined;
      const constraint = (cause as { constraint?: unknown } | undefined)?.constraint;
      // Only the insert of the incident's own key can collide on the open keys: another open incident holds it.
      if (driverCode(cause) === '23505' && constraint === 'incidentkit_open_keys_pkey' && incident.dedupKey !== undefined) {
        const { rows } = await query<{ incident_id: string }>('commit', sql.ownKeyHolder, [tenantId, incident.dedupKey]);
        const holder = rows[0]?.incident_id;
        throw new DuplicateIncidentError(
          { tenantId, dedupKey: incident.dedupKey, ...(holder === undefined ? {} : { existingIncidentId: holder }) },
          cause,
        );
      }
      // A create of an incident that exists, or (a backstop behind the compare-and-set) a stale writer's event.
      if (driverCode(cause) === '23505' && (constraint === 'incidentkit_incidents_pkey' || constraint === 'incidentkit_events_pkey')) {
        throw new ConcurrencyError({ tenantId, incidentId, expected: expectedVersion, actual: await versionOf(tenantId, incidentId) }, cause);
      }
      throw error;
    }
    if (applied !== 1) {
      throw new ConcurrencyError({ tenantId, incidentId, expected: expectedVersion, actual: await versionOf(tenantId, incidentId) });
    }
    cache.committed(commit, previous);
  }

  const moveAlerts = postgresMerge(quoteIdentifier(schema));

  /**
   * A {@link MergeWrite} in one transaction on one client of the pool: the alert moves, then both
   * commits' statements, each of which must apply (a stale version rolls everything back).
   */
  async function commitMerge(write: MergeWrite): Promise<void> {
    const pair = [write.from, write.to] as const;
    for (const c of pair) checkCommit(ADAPTER, c);
    if (!ready) await migrate();
    const previous = pair.map((c) => cache.get(c.tenantId, c.incidentId, c.expectedVersion));
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw wrapDriverError(ADAPTER, 'commitMerge', error);
    }
    try {
      await client.query('BEGIN');
      await moveAlerts(client, write);
      for (const [i, c] of pair.entries()) {
        const { rows } = await client.query<{ applied: number }>(commits(c, itemWrites(ADAPTER, previous[i]?.incident, c.incident)));
        if ((rows[0]?.applied ?? 0) !== 1) throw new ConcurrencyError({ tenantId: c.tenantId, incidentId: c.incidentId, expected: c.expectedVersion });
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const constraint = (error as { constraint?: unknown } | undefined)?.constraint;
      // Only the own key of the incident coming back (unmerge) can collide: another open incident took it.
      const own = write.to.incident.dedupKey;
      if (driverCode(error) === '23505' && constraint === 'incidentkit_open_keys_pkey' && own !== undefined) {
        throw new DuplicateIncidentError({ tenantId: write.to.tenantId, dedupKey: own }, error);
      }
      if (isIncidentKitError(error)) throw error;
      throw wrapDriverError(ADAPTER, 'commitMerge', error);
    } finally {
      client.release();
    }
    pair.forEach((c, i) => {
      cache.committed(c, previous[i]);
    });
  }

  async function findOpenByDedupKey(tenantId: string, dedupKey: string): Promise<Incident | undefined> {
    const { rows } = await query<IncidentRow>('findOpenByDedupKey', sql.openByDedupKey, [tenantId, dedupKey]);
    const row = rows[0];
    return row === undefined ? undefined : toIncident(row);
  }

  async function findLatestByDedupKey(tenantId: string, dedupKey: string): Promise<Incident | undefined> {
    const { rows } = await query<IncidentRow>('findLatestByDedupKey', sql.latestByDedupKey, [tenantId, dedupKey]);
    const row = rows[0];
    return row === undefined ? undefined : toIncident(row);
  }

  async function findOpenVersionByDedupKey(tenantId: string, dedupKey: string): Promise<{ incidentId: string; version: number } | undefined> {
    const { rows } = await query<{ id: string; version: number }>('findOpenVersionByDedupKey', sql.openVersionByDedupKey, [tenantId, dedupKey]);
    const row = rows[0];
    return row === undefined ? undefined : { incidentId: row.id, version: row.version };
  }

  function claimValues(operation: string, options: ClaimOptions): { values: unknown[]; until: string } {
    assertTimestamp(ADAPTER, operation, 'now', options.now);
    const until = addMs(options.now, options.leaseMs);
    return { values: [options.tenantId, options.now, options.limit, options.owner, until], until };
  }

  return {
    name: ADAPTER,
    schema,
    migrate,
    commit,
    commitMerge,
    findOpenByDedupKey,
    findLatestByDedupKey,
    findOpenVersionByDedupKey,

    async load(tenantId, incidentId, options) {
      // One round trip: the row reads the projection, snapshot and item rows only when its version is not the one remembered.
      const cached = options?.fresh === true ? undefined : cache.get(tenantId, incidentId);
      const { rows } = await query<LoadRow>('load', sql.load, [tenantId, incidentId, cached?.incident.version ?? -1]);
      const row = rows[0];
      if (row === undefined) return undefined;
      let stored: StoredIncident | undefined = cached;
      if (row.incident !== null && row.snapshot !== null) {
        const { incident, snapshot } = storedWithItems(parseJson<Incident>(row.incident), parseJson<PersistedIncidentSnapshot>(row.snapshot), itemsOf(row.items));
        const read = { incident, snapshot, lastHash: row.last_hash };
        // A fresh read audits the database: it does not change what commands work from.
        stored = options?.fresh === true ? deepFreeze(read) : cache.set(tenantId, incidentId, read);
      }
      // Without a remembered state (version -1) the row always holds the projection.
      if (stored === undefined) return undefined;
      return stored.incident.alerts.length === 0 ? stored : deepFreeze({ ...stored, incident: withCounters(stored.incident, row) });
    },

    async events(tenantId, incidentId, range) {
      const { afterSeq, limit } = checkEventRange(range);
      const { rows } = await query<EventRow>('events', sql.events, [tenantId, incidentId, afterSeq, limit ?? null]);
      return rows.map((row) => toEvent(tenantId, incidentId, row));
    },

    async list(tenantId, listQuery): Promise<Page<Incident>> {
      const plan = planList(listQuery);
      if (plan === undefined) return { items: [] };
      const { rows } = await run<IncidentRow>('list', lists(tenantId, plan));
      const items = rows.slice(0, listQuery.limit).map(toIncident);
      const last = items.at(-1);
      return rows.length > listQuery.limit && last !== undefined ? { items, nextCursor: encodeCursor(last) } : { items };
    },

    async alerts(tenantId, incidentId, alertQuery): Promise<Page<AlertSummary>> {
      // A seek on (tenant, incident, position): a page costs the same after 10 000 alerts as after 10.
      const after = alertQuery.cursor === undefined ? -1 : decodeAlertCursor(alertQuery.cursor);
      const { rows } = await query<AlertRow>('alerts', sql.alerts, [tenantId, incidentId, after, alertQuery.limit + 1]);
      const items = rows.slice(0, alertQuery.limit).map(toAlert);
      const last = rows[alertQuery.limit - 1];
      return rows.length > alertQuery.limit && last !== undefined ? { items, nextCursor: encodeAlertCursor(Number(last.position)) } : { items };
    },

    async findAlert(tenantId, incidentId, fingerprint) {
      const { rows } = await query<AlertRow>('findAlert', sql.alert, [tenantId, incidentId, fingerprint]);
      const row = rows[0];
      return row === undefined ? undefined : toAlert(row);
    },

    async recordSignals(tenantId, counts) {
      const grouped = groupSignalCounts(counts);
      for (const [i, update] of grouped.entries()) assertTimestamp(ADAPTER, 'recordSignals', `counts[${String(i)}].lastSeenAt`, update.lastSeenAt);
      if (grouped.length === 0) return;
      const json = grouped.map((c) => ({ incident_id: c.incidentId, fingerprint: c.fingerprint, count: c.count, last_seen_at: c.lastSeenAt }));
      await query('recordSignals', sql.recordSignals, [tenantId, JSON.stringify(json)]);
    },

    async countFirings(tenantId, key, at, since) {
      assertTimestamp(ADAPTER, 'countFirings', 'at', at);
      assertTimestamp(ADAPTER, 'countFirings', 'since', since);
      const { rows } = await query<{ n: number }>('countFirings', sql.countFirings, [tenantId, key, at, since]);
      return rows[0]?.n ?? 0;
    },

    async claimTimers(options) {
      const { values, until } = claimValues('claimTimers', options);
      const { rows } = await query<TimerRow>('claimTimers', sql.claimTimers, values);
      return claimedTimers(rows.map((row) => toTimer(options.tenantId, row)), options.owner, until);
    },

    async completeTimer(claimed) {
      const { item } = claimed;
      const { rowCount } = await query('completeTimer', sql.completeTimer, [
        item.tenantId,
        item.incidentId,
        item.timerId,
        item.dueAt,
        claimed.owner,
        claimed.leaseUntil,
      ]);
      return rowCount === 1;
    },

    async claimOutbox(options) {
      const { values, until } = claimValues('claimOutbox', options);
      const { rows } = await query<OutboxRow>('claimOutbox', sql.claimOutbox, values);
      return claimedMessages(rows.map((row) => toOutbox(options.tenantId, row)), options.owner, until);
    },

    async completeOutbox(claimed) {
      const { rowCount } = await query('completeOutbox', sql.completeOutbox, [
        claimed.item.tenantId,
        claimed.item.id,
        claimed.owner,
        claimed.leaseUntil,
      ]);
      return rowCount === 1;
    },

    async failOutbox(claimed, failure) {
      if (failure.retryAt !== undefined) assertTimestamp(ADAPTER, 'failOutbox', 'retryAt', failure.retryAt);
      const { rowCount } = await query('failOutbox', sql.failOutbox, [
        claimed.item.tenantId,
        claimed.item.id,
        claimed.owner,
        claimed.leaseUntil,
        failure.error,
        failure.retryAt ?? null,
      ]);
      return rowCount === 1;
    },

    async deadLetters(tenantId) {
      const { rows } = await query<OutboxRow>('deadLetters', sql.deadLetters, [tenantId]);
      return rows.map((row) => toOutbox(tenantId, row));
    },

    async redeliver(tenantId, messageId, availableAt) {
      assertTimestamp(ADAPTER, 'redeliver', 'availableAt', availableAt);
      const { rowCount } = await query('redeliver', sql.redeliver, [tenantId, messageId, availableAt]);
      return rowCount === 1;
    },

    async outboxStats(tenantId) {
      const { rows } = await query<{ pending: number; oldest_ms: string | number | null; dead: number }>('outboxStats', sql.outboxStats, [tenantId]);
      const row = rows[0];
      return { pending: row?.pending ?? 0, ...(row?.oldest_ms == null ? {} : { oldestPendingAt: iso(row.oldest_ms) }), deadLetters: row?.dead ?? 0 };
    },

    ...postgresRecords(quoteIdentifier(schema), run),
  };
}
