import { AdapterError } from '../../errors.js';

/**
 * One schema change of a SQL store: applied once, in `version` order, and recorded in the
 * store's migrations table. Lists of them are append-only: never edit a released migration.
 *
 * @internal
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The DDL, for a schema name (PostgreSQL, already quoted) or a table prefix (SQLite). */
  readonly sql: (namespace: string) => string;
}

/**
 * The AdapterError for a database migrated by a newer incidentkit than this one.
 *
 * @internal
 */
export function schemaTooNew(adapter: string, current: number, newest: number): AdapterError {
  return new AdapterError(
    { adapter, operation: 'migrate' },
    `the database is at schema version ${String(current)} but this incidentkit knows only up to ${String(newest)}; upgrade incidentkit.`,
  );
}
