/**
 * The SQLite store's versioned records: the statements, and the four record methods. A write is
 * one `BEGIN IMMEDIATE` transaction: the compare-and-set flags the expected version off (`UPDATE …
 * WHERE is_current = 1 AND version = ?`), the next version is inserted (a record that exists
 * already makes a create insert nothing), then its timers and outbox messages are written.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { RecordConflictError } from '../../errors.js';
import { checkHistoryRange, checkRecordQuery, checkRecordRead, checkRecordTimers, checkRecordWrite, type RecordMethod } from '../records.js';
import { afterRecordCursor, recordCursor, writtenRecord } from '../storedRecord.js';
import type { RecordTimersWrite, RecordWrite, StorageAdapter, StoredRecord } from '../types.js';
import { recordTimerChanges, toStoredRecord, type RecordColumns } from './recordRows.js';
import type { SqliteStatements } from './sqliteStatements.js';

/** A record row as the SQLite store reads it. @internal */
export interface SqliteRecordRow extends RecordColumns {
  readonly at: string;
}

type S<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
type Key = [tenantId: string, kind: string, id: string];

/** The prepared record statements of one SQLite store. @internal */
export interface SqliteRecordStatements {
  /** The current version's row (a tombstone too). */
  readonly current: S<Key, SqliteRecordRow>;
  readonly atVersion: S<[...Key, number], SqliteRecordRow>;
  /** After id, limit: a seek on the live-records index. */
  readonly list: S<[string, string, string, number], SqliteRecordRow & { readonly id: string }>;
  /** After version, limit (-1: all): a seek on the primary key. */
  readonly history: S<[...Key, number, number], SqliteRecordRow>;
  readonly version: S<Key, { version: number }>;
  /** The compare-and-set: flags the expected version off. */
  readonly supersede: S<[...Key, number]>;
  /** Inserts the next version as the current one; nothing when that version or a current one exists. */
  readonly insert: S<[...Key, number, string | null, string, string]>;
}

/**
 * Prepares the record statements for tables named `<prefix>…`.
 *
 * @internal
 */
export function sqliteRecordStatements(db: BetterSqlite3.Database, prefix: string): SqliteRecordStatements {
  const records = `"${prefix}records"`;
  const columns = 'version, value, at, actor';
  const key = 'tenant_id = ? AND kind = ? AND id = ?';
  return {
    current: db.prepare(`SELECT ${columns} FROM ${records} WHERE ${key} AND is_current = 1`),
    atVersion: db.prepare(`SELECT ${columns} FROM ${records} WHERE ${key} AND version = ?`),
    list: db.prepare(
      `SELECT id, ${columns} FROM ${records} INDEXED BY "${prefix}records_live"
       WHERE tenant_id = ? AND kind = ? AND is_current = 1 AND value IS NOT NULL AND id > ? ORDER BY id LIMIT ?`,
    ),
    history: db.prepare(`SELECT ${columns} FROM ${records} WHERE ${key} AND version > ? ORDER BY version LIMIT ?`),
    version: db.prepare(`SELECT version FROM ${records} WHERE ${key} AND is_current = 1`),
    supersede: db.prepare(`UPDATE ${records} SET is_current = 0 WHERE ${key} AND is_current = 1 AND version = ?`),
    insert: db.prepare(
      `INSERT INTO ${records} (tenant_id, kind, id, version, value, at, actor, is_current) VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`,
    ),
  };
}

/**
 * The record methods of a SQLite store: `run` wraps driver errors as the store's other methods do.
 *
 * @internal
 */
export function sqliteRecords(
  db: BetterSqlite3.Database,
  prefix: string,
  stmt: Pick<SqliteStatements, 'upsertTimer' | 'deleteTimer' | 'insertOutbox'>,
  run: <T>(operation: string, fn: () => T) => Promise<T>,
): Required<Pick<StorageAdapter, RecordMethod>> {
  const r = sqliteRecordStatements(db, prefix);

  const put = db.transaction((write: RecordWrite): StoredRecord => {
    const { tenantId, kind, id, expectedVersion } = write;
    const key: Key = [tenantId, kind, id];
    const applied =
      (expectedVersion === 0 || r.supersede.run(...key, expectedVersion).changes === 1) &&
      r.insert.run(...key, expectedVersion + 1, write.value === null ? null : JSON.stringify(write.value), write.at, JSON.stringify(write.actor)).changes === 1;
    if (!applied) throw new RecordConflictError({ tenantId, kind, id, expected: expectedVersion, actual: r.version.get(...key)?.version ?? 0 });
    const timers = recordTimerChanges(write);
    for (const timerId of timers.cancel) stmt.deleteTimer.run(tenantId, '', timerId);
    for (const timer of timers.set) stmt.upsertTimer.run({ ...timer, event: JSON.stringify(timer.event) });
    for (const message of write.outbox ?? []) {
      stmt.insertOutbox.run({ ...message, payload: JSON.stringify(message.payload), lastError: message.lastError ?? null });
    }
    return writtenRecord(write);
  });

  const setTimers = db.transaction((write: RecordTimersWrite): void => {
    const timers = recordTimerChanges({ timers: write });
    for (const timerId of timers.cancel) stmt.deleteTimer.run(write.tenantId, '', timerId);
    for (const timer of timers.set) stmt.upsertTimer.run({ ...timer, event: JSON.stringify(timer.event) });
  });

  return {
    putRecord: (write) => run('putRecord', () => put.immediate(checkRecordWrite(write))),
    setRecordTimers: (write) =>
      run('setRecordTimers', () => {
        setTimers.immediate(checkRecordTimers(write));
      }),

    getRecord: (tenantId, kind, id, options) =>
      run('getRecord', () => {
        const version = checkRecordRead(kind, id, options);
        const row = version === undefined ? r.current.get(tenantId, kind, id) : r.atVersion.get(tenantId, kind, id, version);
        return row === undefined ? undefined : toStoredRecord(tenantId, kind, id, row, row.at);
      }),

    listRecords: (tenantId, kind, query) =>
      run('listRecords', () => {
        checkRecordQuery(kind, query);
        const rows = r.list.all(tenantId, kind, afterRecordCursor(query.cursor), query.limit + 1);
        const items = rows.slice(0, query.limit).map((row) => toStoredRecord(tenantId, kind, row.id, row, row.at));
        const last = items.at(-1);
        return rows.length > query.limit && last !== undefined ? { items, nextCursor: recordCursor(last.id) } : { items };
      }),

    recordHistory: (tenantId, kind, id, range) =>
      run('recordHistory', () => {
        const { afterVersion, limit } = checkHistoryRange(kind, id, range);
        return r.history.all(tenantId, kind, id, afterVersion, limit ?? -1).map((row) => toStoredRecord(tenantId, kind, id, row, row.at));
      }),
  };
}
