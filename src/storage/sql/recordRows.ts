/**
 * What both SQL stores do alike with versioned records: how a row becomes a record version, and
 * the timer changes of a write as one statement applies them.
 */
import type { Actor } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import { storedRecord } from '../storedRecord.js';
import type { RecordWrite, StoredRecord, TimerRecord } from '../types.js';
import { parseJson } from './rowRecords.js';

/** The columns of a record row both stores read (JSON as text, `value` null in a tombstone), but its time. @internal */
export interface RecordColumns {
  readonly version: number;
  readonly value: string | null;
  readonly actor: string;
}

/** A record row as a {@link StoredRecord}. @internal */
export function toStoredRecord(tenantId: string, kind: string, id: string, row: RecordColumns, updatedAt: string): StoredRecord {
  return storedRecord(tenantId, kind, id, row.version, row.value === null ? null : parseJson<JsonValue>(row.value), updatedAt, parseJson<Actor>(row.actor));
}

/**
 * The timer changes of a record write as a SQL store applies them: one entry per timer id in
 * `set` (the last wins), and `cancel` without the ids `set` replaces anyway (the memory store,
 * which cancels first and then sets, ends the same).
 *
 * @internal
 */
export function recordTimerChanges(write: Pick<RecordWrite, 'timers'>): { readonly set: readonly TimerRecord[]; readonly cancel: readonly string[] } {
  const set = [...new Map((write.timers?.set ?? []).map((timer) => [timer.timerId, timer])).values()];
  const replaced = new Set(set.map((timer) => timer.timerId));
  return { set, cancel: [...new Set(write.timers?.cancel ?? [])].filter((id) => !replaced.has(id)) };
}
