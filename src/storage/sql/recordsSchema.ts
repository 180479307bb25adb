/**
 * The schema of versioned records in both SQL stores (migration 6), side by side: one table holds
 * every version of every record, the current version of each flagged.
 *
 * @remarks Why one table and not a current-records table beside a history table: every version is
 * stored once (no copy of the current value), a write is the same two row writes either way (flag
 * the current version off, insert the next), and each read has its own index: the current
 * version by a partial unique index that also guarantees one current version per record, a page of
 * live records by a partial index of current versions that are not tombstones (so tombstones and
 * old versions never slow a page down), a version or a range of history by the primary key.
 * `value` is NULL in a tombstone.
 */
import type { Migration } from './migration.js';

const NAME = 'versioned records';

/** Migration 6 of the SQLite store. @internal */
export const SQLITE_RECORDS_MIGRATION: Migration = {
  version: 6,
  name: NAME,
  sql: (p) => `
    CREATE TABLE IF NOT EXISTS "${p}records" (
      tenant_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      version INTEGER NOT NULL,
      value TEXT,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      is_current INTEGER NOT NULL CHECK (is_current IN (0, 1)),
      PRIMARY KEY (tenant_id, kind, id, version)
    ) STRICT;
    CREATE UNIQUE INDEX IF NOT EXISTS "${p}records_current" ON "${p}records" (tenant_id, kind, id) WHERE is_current = 1;
    CREATE INDEX IF NOT EXISTS "${p}records_live" ON "${p}records" (tenant_id, kind, id) WHERE is_current = 1 AND value IS NOT NULL;
  `,
};

/** Migration 6 of the PostgreSQL store. @internal */
export const POSTGRES_RECORDS_MIGRATION: Migration = {
  version: 6,
  name: NAME,
  sql: (s) => `
    CREATE TABLE IF NOT EXISTS ${s}.incidentkit_records (
      tenant_id text COLLATE "C" NOT NULL,
      kind text COLLATE "C" NOT NULL,
      id text COLLATE "C" NOT NULL,
      version integer NOT NULL,
      value jsonb,
      at timestamptz NOT NULL,
      actor jsonb NOT NULL,
      is_current boolean NOT NULL,
      CONSTRAINT incidentkit_records_pkey PRIMARY KEY (tenant_id, kind, id, version)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS incidentkit_records_current ON ${s}.incidentkit_records (tenant_id, kind, id) WHERE is_current;
    CREATE INDEX IF NOT EXISTS incidentkit_records_live ON ${s}.incidentkit_records (tenant_id, kind, id) WHERE is_current AND value IS NOT NULL;
  `,
};
