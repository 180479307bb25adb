/**
 * The memory store's versioned records: every version of every record, frozen, with the timers
 * and outbox messages of a write applied in the same synchronous step.
 */
import { RecordConflictError } from '../errors.js';
import { deepFreeze } from '../kernel/freeze.js';
import type { memoryOutbox, memoryTimers } from './memoryQueues.js';
import { afterRecordCursor, recordCursor, writtenRecord } from './storedRecord.js';
import type { StorageAdapter, StoredRecord } from './types.js';
import type { RecordMethod } from './records.js';

/** Runs `fn` as a promise: what it throws rejects the promise. */
const settled = <T>(fn: () => T): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(fn());
  });

/**
 * Compares two ids in code point order, as the SQL stores order text (UTF-8 bytes): UTF-16 code
 * unit order differs from it only between a surrogate pair and U+E000–U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const shift = (c: number): number => (c < 0xd800 ? c : c < 0xe000 ? c + 0x2000 : c - 0x800);
  for (let i = 0; i < a.length && i < b.length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return shift(x) - shift(y);
  }
  return a.length - b.length;
}

/**
 * The record methods of a memory store whose timers and outbox are `timers` and `outbox`.
 *
 * @remarks Writes are taken as given: `requireRecords`, the way engine-side code reaches these
 * methods, checks them first (the SQL stores check again, since their databases refuse some
 * values). What is stored is a frozen copy, shared with every read.
 * @internal
 */
export function memoryRecords(
  timers: ReturnType<typeof memoryTimers>,
  outbox: ReturnType<typeof memoryOutbox>,
): Required<Pick<StorageAdapter, RecordMethod>> {
  /** `tenant + kind` → id → its versions, oldest first (version n at index n - 1). */
  const kinds = new Map<string, Map<string, StoredRecord[]>>();
  const kindKey = (tenantId: string, kind: string): string => `${tenantId}\u0000${kind}`;
  const versionsOf = (tenantId: string, kind: string, id: string): readonly StoredRecord[] => kinds.get(kindKey(tenantId, kind))?.get(id) ?? [];

  return {
    putRecord: (write) =>
      settled(() => {
        const { tenantId, kind, id, expectedVersion } = write;
        let records = kinds.get(kindKey(tenantId, kind));
        const versions = records?.get(id);
        const actual = versions?.length ?? 0;
        if (actual !== expectedVersion) throw new RecordConflictError({ tenantId, kind, id, expected: expectedVersion, actual });
        const record = deepFreeze(writtenRecord(write));
        if (records === undefined) kinds.set(kindKey(tenantId, kind), (records = new Map<string, StoredRecord[]>()));
        if (versions === undefined) records.set(id, [record]);
        else versions.push(record);
        for (const timerId of write.timers?.cancel ?? []) timers.cancel(tenantId, '', timerId);
        for (const timer of write.timers?.set ?? []) timers.set(timer);
        for (const message of write.outbox ?? []) outbox.add(message);
        return record;
      }),

    setRecordTimers: (write) =>
      settled(() => {
        for (const timerId of write.cancel ?? []) timers.cancel(write.tenantId, '', timerId);
        for (const timer of write.set ?? []) timers.set(timer);
      }),

    getRecord: (tenantId, kind, id, options) =>
      settled(() => {
        const versions = versionsOf(tenantId, kind, id);
        return options?.version === undefined ? versions.at(-1) : versions[options.version - 1];
      }),

    listRecords: (tenantId, kind, query) =>
      settled(() => {
        const after = afterRecordCursor(query.cursor);
        const live: StoredRecord[] = [];
        for (const versions of kinds.get(kindKey(tenantId, kind))?.values() ?? []) {
          const current = versions.at(-1);
          if (current?.deleted === undefined && current !== undefined && compareCodePoints(current.id, after) > 0) live.push(current);
        }
        const items = live.sort((a, b) => compareCodePoints(a.id, b.id)).slice(0, query.limit);
        const last = items.at(-1);
        return live.length > query.limit && last !== undefined ? { items, nextCursor: recordCursor(last.id) } : { items };
      }),

    recordHistory: (tenantId, kind, id, range = {}) =>
      settled(() => {
        const after = range.afterVersion ?? 0;
        return versionsOf(tenantId, kind, id).slice(after, range.limit === undefined ? undefined : after + range.limit);
      }),
  };
}
