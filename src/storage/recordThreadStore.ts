import { isIncidentKitError } from '../errors.js';
import { systemClock, type Clock } from '../kernel/clock.js';
import { sha256Hex } from '../kernel/hash.js';
import { requireRecords } from './records.js';
import type { StorageAdapter } from './types.js';

/** The record kind the values are kept under. */
export const THREAD_RECORD_KIND = 'slack.thread';

/** Options of {@link recordThreadStore}. */
export interface RecordThreadStoreOptions {
  /** The tenant whose records hold the values: the engine's `tenantId`. Default: `default`. */
  readonly tenantId?: string;
  /** Dates each write. Default: the wall clock. */
  readonly clock?: Clock;
}

/** A key-value store with the shape of the Slack notifier's `SlackThreadStore`. */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Longest record id; longer keys are kept under a hash of themselves. */
const MAX_ID = 200;

async function idOf(key: string): Promise<string> {
  return key.length <= MAX_ID ? key : `sha256:${await sha256Hex(key)}`;
}

/**
 * A durable `threadStore` for the Slack notifier, kept as versioned records (kind
 * `slack.thread`) in the engine's own store: threads, incident channels and incident messages
 * then survive restarts and are shared by every instance on the same database, with nothing
 * else to run.
 *
 * @remarks Works with every store that keeps records (`memoryStore()`, `sqliteStore(db)`,
 * `postgresStore(pool)`); a store without them is refused when it is first used. Each write is a
 * new record version (a few per incident). Concurrent writes of one key: the last one wins.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { createIncidentEngine, recordThreadStore } from 'incidentkit';
 * import { sqliteStore } from 'incidentkit/sqlite';
 * import { slackNotifier } from 'incidentkit/notifiers';
 *
 * const store = sqliteStore(new Database('incidents.db'));
 * const engine = createIncidentEngine({
 *   store,
 *   notifiers: {
 *     slack: slackNotifier({ token: 'xoxb-your-token', channel: 'C0123456789', threadStore: recordThreadStore(store), incidentChannels: {} }),
 *   },
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`), when first used, if the store keeps no records.
 */
export function recordThreadStore(store: StorageAdapter, options: RecordThreadStoreOptions = {}): KeyValueStore {
  const tenantId = options.tenantId ?? 'default';
  const clock = options.clock ?? systemClock;
  const records = () => requireRecords(store, 'recordThreadStore');
  return {
    async get(key) {
      const record = await records().getRecord(tenantId, THREAD_RECORD_KIND, await idOf(key));
      const value = record?.value as { value?: unknown } | null | undefined;
      return typeof value?.value === 'string' ? value.value : undefined;
    },
    async set(key, value) {
      const id = await idOf(key);
      // Read, then write the next version; a writer in between wins the race and we write after it.
      for (let attempt = 0; ; attempt += 1) {
        const current = await records().getRecord(tenantId, THREAD_RECORD_KIND, id);
        try {
          await records().putRecord({
            tenantId,
            kind: THREAD_RECORD_KIND,
            id,
            expectedVersion: current?.version ?? 0,
            value: { key, value },
            at: clock.now().toISOString(),
            actor: { kind: 'integration', id: 'slack' },
          });
          return;
        } catch (error) {
          if (attempt >= 9 || !isIncidentKitError(error, 'VERSION_CONFLICT')) throw error;
        }
      }
    },
  };
}
