/**
 * Versioned records (schedules, routing rules, status pages, problems, …) at the boundary: how
 * engine-side code reaches the optional record methods of a store, and the checks every write and
 * read passes before it reaches one.
 */
import { z } from 'zod';
import { ConfigError, isIncidentKitError } from '../errors.js';
import { parseInput } from '../kernel/parse.js';
import { checkPlainJson, hasNul, NUL_MESSAGE, type JsonValue, type PlainJsonLimits } from '../model/primitives.js';
import type { Page, RecordHistoryRange, RecordQuery, RecordTimersWrite, RecordWrite, StorageAdapter, StoredRecord } from './types.js';

/** The optional {@link StorageAdapter} methods of versioned records: a store has all five or none. */
export const RECORD_METHODS = ['putRecord', 'getRecord', 'listRecords', 'recordHistory', 'setRecordTimers'] as const;

/** The name of one of the {@link RECORD_METHODS}. */
export type RecordMethod = (typeof RECORD_METHODS)[number];

/**
 * The record methods of a store, with every write and read checked first: what
 * {@link requireRecords} returns. Each method is the store's method of the same name (see
 * {@link StorageAdapter.putRecord}).
 */
export interface RecordStore {
  /**
   * Writes the next version of a record, with its timers and outbox messages, atomically.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed write; nothing is written.
   * @throws RecordConflictError (`VERSION_CONFLICT`) when `expectedVersion` is not the current version.
   */
  putRecord(write: RecordWrite): Promise<StoredRecord>;
  /** The current version of a record (a tombstone too), or `options.version`; `undefined` when there is none. */
  getRecord(tenantId: string, kind: string, id: string, options?: { readonly version?: number }): Promise<StoredRecord | undefined>;
  /** One page of the current, not deleted records of `kind`, ordered by id. */
  listRecords(tenantId: string, kind: string, query: RecordQuery): Promise<Page<StoredRecord>>;
  /** A record's versions after `range.afterVersion`, oldest first. */
  recordHistory(tenantId: string, kind: string, id: string, range?: RecordHistoryRange): Promise<readonly StoredRecord[]>;
  /**
   * Sets and cancels timers of no incident atomically, without writing a record version (e.g.
   * a heartbeat moving its deadline on every beat).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed timer; nothing is written.
   */
  setRecordTimers(write: RecordTimersWrite): Promise<void>;
}

/**
 * The record methods of `store`, each checking its input first; for engine-side code that keeps
 * records (on-call schedules, routing rules, status pages, problems, …), called when it first
 * needs them.
 *
 * @remarks
 * The record methods are optional on {@link StorageAdapter}, so an engine over a custom store
 * written before them still starts and works; only what needs records refuses, when it is used,
 * with an error that names the missing methods. A feature the host adds itself may instead list
 * {@link RECORD_METHODS} in its `requires`: `createIncidentEngine` then refuses such a store at once.
 *
 * Every write is checked here, whatever the store, as commands are checked before a commit: a
 * kind of letters, digits, `_`, `-`, `.` or `:` starting with a letter (at most 64), an id of
 * 1–200 characters, a time exactly as `Date#toISOString()` writes it, a value of plain JSON
 * (finite numbers, no NUL or unpaired surrogate in any string or key, at most 32 levels deep),
 * timers of the write's tenant and of no incident (`incidentId: ''`), and messages of its tenant.
 * So the same write succeeds or fails on every store (PostgreSQL cannot keep NUL, for one).
 *
 * @param subject - What needs the records, for the error message, e.g. `engine.schedules.put`.
 * @example
 * ```ts
 * import { memoryStore, requireRecords } from 'incidentkit';
 *
 * const records = requireRecords(memoryStore(), 'engine.schedules.put');
 * const created = await records.putRecord({
 *   tenantId: 'default',
 *   kind: 'schedule',
 *   id: 'primary',
 *   expectedVersion: 0,
 *   value: { name: 'Primary on-call', layers: [] },
 *   at: new Date().toISOString(),
 *   actor: { kind: 'user', id: 'u_alice' },
 * });
 * console.log(created.version); // 1
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) naming the missing methods when the store lacks any of them.
 */
export function requireRecords(store: StorageAdapter, subject: string): RecordStore {
  const missing = RECORD_METHODS.filter((method) => typeof store[method] !== 'function');
  if (missing.length > 0) {
    throw new ConfigError(subject, [
      {
        code: 'store_lacks_capability',
        path: ['store'],
        message: `${subject} keeps versioned records, and the store '${store.name}' lacks ${missing.map((m) => `${m}()`).join(', ')}. Use memoryStore(), sqliteStore(db), postgresStore(pool), or add the record methods to your adapter (see docs/custom-storage-adapter.md).`,
      },
    ]);
  }
  const s = store as Required<Pick<StorageAdapter, RecordMethod>>;
  // `then` turns what a check throws into a rejection, as every store method reports errors.
  const checked = <T>(run: () => Promise<T>): Promise<T> => Promise.resolve().then(run);
  return {
    putRecord: (write) => checked(() => s.putRecord(checkRecordWrite(write))),
    getRecord: (tenantId, kind, id, options) =>
      checked(() => {
        const version = checkRecordRead(kind, id, options);
        return s.getRecord(tenantId, kind, id, version === undefined ? {} : { version });
      }),
    listRecords: (tenantId, kind, query) =>
      checked(() => {
        checkRecordQuery(kind, query);
        return s.listRecords(tenantId, kind, query);
      }),
    recordHistory: (tenantId, kind, id, range) =>
      checked(() => {
        const { afterVersion, limit } = checkHistoryRange(kind, id, range);
        return s.recordHistory(tenantId, kind, id, limit === undefined ? { afterVersion } : { afterVersion, limit });
      }),
    setRecordTimers: (write) => checked(() => s.setRecordTimers(checkRecordTimers(write))),
  };
}

const JSON_LIMITS: PlainJsonLimits = {
  maxDepth: 32,
  // `__proto__` is refused by parseInput, for every input.
  forbiddenKeys: /* @__PURE__ */ new Set(['constructor', 'prototype']),
  forbiddenKeyMessage: 'Keys named __proto__, constructor or prototype are not allowed.',
};

/** Whether `value` is a time exactly as `Date#toISOString()` writes it, in the years 0001–9999. */
function isCanonicalTime(value: string): boolean {
  const ms = value.length === 24 && !value.startsWith('0000') ? Date.parse(value) : Number.NaN;
  return ms === ms && new Date(ms).toISOString() === value;
}

/** The zod schemas of record writes and reads. */
const schemas = /* @__PURE__ */ (() => {
  const text = z.string().min(1).refine((value) => !hasNul(value), NUL_MESSAGE);
  const time = z.string().refine(isCanonicalTime, 'Must be a UTC time as Date#toISOString() writes it (e.g. 2026-01-02T03:04:05.000Z), in the years 0001–9999.');
  /** Plain JSON every store keeps exactly (an object when `object`); the output is a copy. */
  const json = (object: boolean) =>
    z
      .unknown()
      .superRefine((value, ctx) => {
        if (object && (typeof value !== 'object' || value === null || Array.isArray(value))) ctx.addIssue({ code: 'custom', message: 'Must be a JSON object.' });
        else checkPlainJson(value, JSON_LIMITS, ctx);
      })
      .transform((value) => JSON.parse(JSON.stringify(value)) as JsonValue);
  const key = {
    kind: z.string().regex(/^[A-Za-z][\w.:-]{0,63}$/, 'A kind holds letters, digits, _, -, . or :, starts with a letter, and has at most 64 characters.'),
    id: text.max(200),
  };
  const timers = z.object({
    set: z
      .array(
        z.object({
          tenantId: z.string(),
          incidentId: z.literal('', "Timers written with a record belong to no incident: incidentId must be ''."),
          timerId: text,
          dueAt: time,
          event: json(true),
        }),
      )
      .optional(),
    cancel: z.array(text).optional(),
  });
  // Versions and limits are SQL `integer`s.
  const count = z.int().min(0).max(2_147_483_646);
  const positive = count.min(1);
  const write = z
    .object({
      tenantId: text,
      ...key,
      expectedVersion: count,
      value: json(false),
      at: time,
      actor: z.object({ kind: z.enum(['user', 'system', 'integration']), id: text, name: text.optional() }),
      timers: timers.optional(),
      outbox: z
        .array(
          z.object({
            id: text,
            tenantId: z.string(),
            incidentId: z.string().refine((value) => !hasNul(value), NUL_MESSAGE),
            channel: text,
            idempotencyKey: text,
            payload: json(true),
            availableAt: time,
            attempts: count,
            lastError: z.string().refine((value) => !hasNul(value), NUL_MESSAGE).optional(),
          }),
        )
        .optional(),
    })
    .superRefine((parsed, ctx) => {
      if (parsed.value === null && parsed.expectedVersion === 0) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: 'A delete names the version it deletes; a record that does not exist cannot be deleted.' });
      }
      const ofTenant = (items: readonly { readonly tenantId: string }[] | undefined, path: PropertyKey[]): void => {
        for (const [i, item] of (items ?? []).entries()) {
          if (item.tenantId !== parsed.tenantId) ctx.addIssue({ code: 'custom', path: [...path, i, 'tenantId'], message: "Must be the write's tenantId." });
        }
      };
      ofTenant(parsed.timers?.set, ['timers', 'set']);
      ofTenant(parsed.outbox, ['outbox']);
    });
  return {
    write,
    timers: z
      .object({ tenantId: text, set: timers.shape.set, cancel: timers.shape.cancel })
      .superRefine((parsed, ctx) => {
        for (const [i, timer] of (parsed.set ?? []).entries()) {
          if (timer.tenantId !== parsed.tenantId) ctx.addIssue({ code: 'custom', path: ['set', i, 'tenantId'], message: "Must be the write's tenantId." });
        }
      }),
    read: z.object({ ...key, version: positive.optional() }),
    // A cursor is the store's own: each store refuses one it did not make.
    list: z.object({ kind: key.kind, limit: positive.max(1_000), cursor: z.string().optional() }),
    history: z.object({ ...key, afterVersion: count.default(0), limit: positive.optional() }),
  };
})();

/**
 * Checks a {@link RecordWrite} (see {@link requireRecords} for the rules) and returns it with
 * copies of its JSON.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) listing every problem.
 * @internal
 */
export function checkRecordWrite(write: RecordWrite): RecordWrite {
  return parseInput(schemas.write, write, 'putRecord') as RecordWrite;
}

/**
 * Checks a {@link RecordTimersWrite}: timers of its tenant and of no incident, each as a record's.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) listing every problem.
 * @internal
 */
export function checkRecordTimers(write: RecordTimersWrite): RecordTimersWrite {
  return parseInput(schemas.timers, write, 'setRecordTimers') as RecordTimersWrite;
}

/**
 * Checks the key of a read of one record and its version option; returns the version.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when one is malformed.
 * @internal
 */
export function checkRecordRead(kind: string, id: string, options?: { readonly version?: number }): number | undefined {
  return parseInput(schemas.read, { kind, id, ...options }, 'getRecord').version;
}

/**
 * Checks a page query of records.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for a malformed kind or a limit outside 1–1 000.
 * @internal
 */
export function checkRecordQuery(kind: string, query: RecordQuery): void {
  parseInput(schemas.list, { kind, ...query }, 'listRecords');
}

/**
 * Checks a history range and fills in its default (`limit` stays absent for "all").
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `afterVersion` is not a whole number ≥ 0 or `limit` not one ≥ 1.
 * @internal
 */
export function checkHistoryRange(kind: string, id: string, range?: RecordHistoryRange): { readonly afterVersion: number; readonly limit?: number | undefined } {
  return parseInput(schemas.history, { kind, id, ...range }, 'recordHistory');
}

/**
 * Runs a read-compute-write of a record again when another writer got there first: `attempt`
 * reads the current version, computes the next and writes it at that version; on a
 * `RecordConflictError` (`VERSION_CONFLICT`) it runs again, at most `attempts` times in all
 * (default 10). Any other error, the last conflict, or any conflict when `pinned` (the caller
 * named the version it computed from, so the conflict is theirs to see) is thrown.
 */
export async function retryOnRecordConflict<T>(attempt: () => Promise<T>, options: { readonly attempts?: number; readonly pinned?: boolean } = {}): Promise<T> {
  const attempts = options.attempts ?? 10;
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (isIncidentKitError(error, 'VERSION_CONFLICT') && options.pinned !== true && n < attempts) continue;
      throw error;
    }
  }
}
