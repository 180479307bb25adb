import { AdapterError, isIncidentKitError } from '../../errors.js';

/** Driver error fields we read; both `pg` and `better-sqlite3` errors carry a string `code`. */
interface DriverErrorLike {
  readonly code?: unknown;
}

/** What a SQLSTATE class or SQLite result code means to a host, and what to do about it. */
const HINTS: readonly (readonly [RegExp, string])[] = [
  [/^08/, 'the connection to the database failed; check that the server is up and the pool can connect'],
  [/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE)$/, 'the database could not be reached; check the host and port the pool uses'],
  [/^57P0[1-3]$/, 'the database server is shutting down or unavailable; retry later'],
  [/^42P01$/, "the store's tables are missing; let the store migrate (call migrate()) with a role that may create tables"],
  [/^3F000$/, "the store's schema is missing; let the store migrate (call migrate()) with a role that may create schemas"],
  [/^42501$/, 'the database role lacks a privilege the store needs; grant it or use another role'],
  [/^(40001|40P01)$/, 'the transaction was aborted by a serialization failure or deadlock; retry the operation'],
  [/^53/, 'the database ran out of a resource (disk, memory or connections)'],
  [/^(22P05|22021)$/, 'a text value holds a character the database cannot store (e.g. NUL, \\u0000); remove it'],
  [/^22/, 'the database refused a value; check the data being written'],
  [/^SQLITE_(BUSY|LOCKED)/, 'the SQLite database is locked by another connection; enable WAL (db.pragma("journal_mode = WAL")) and a busy timeout'],
  [/^SQLITE_READONLY/, 'the SQLite database is read-only; open it writable'],
  [/^SQLITE_(FULL|IOERR)/, 'SQLite could not write to disk; check free space and permissions'],
  [/^SQLITE_CORRUPT/, 'the SQLite database file is corrupt; restore it from a backup'],
  [/^SQLITE_/, 'SQLite reported an error'],
];

/** The driver's error code (SQLSTATE for `pg`, e.g. `SQLITE_BUSY` for `better-sqlite3`), if any. @internal */
export function driverCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as DriverErrorLike).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Wraps a driver error in an {@link AdapterError} whose message names the operation, the error
 * code and what to do, without the SQL text or any parameter value; the original is the `cause`.
 *
 * incidentkit's own errors (a version conflict, a duplicate, a bad cursor) pass through unchanged.
 * @internal
 */
export function wrapDriverError(adapter: string, operation: string, error: unknown): Error {
  if (isIncidentKitError(error)) return error;
  const code = driverCode(error);
  const hint = code === undefined ? undefined : HINTS.find(([pattern]) => pattern.test(code))?.[1];
  const text = hint ?? (code === undefined ? 'the database driver raised an unexpected error' : 'the database reported an error');
  return new AdapterError({ adapter, operation }, `${text}${code === undefined ? '' : ` (${code})`}.`, error);
}
