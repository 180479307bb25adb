/**
 * The PostgreSQL store's versioned records: the read statements, the write (one statement of
 * data-modifying CTEs, like a commit), and the four record methods. A write flags the expected
 * version off (`UPDATE … WHERE is_current AND version = $expected`, the compare-and-set) and
 * inserts the next one from it; a create is an insert that does nothing when the record exists.
 * The record's timers and outbox messages are written `FROM rec`, so only when the record was.
 */
import type { QueryResultRow } from 'pg';
import { RecordConflictError } from '../../errors.js';
import { checkHistoryRange, checkRecordQuery, checkRecordRead, checkRecordTimers, checkRecordWrite, type RecordMethod } from '../records.js';
import { afterRecordCursor, recordCursor, writtenRecord } from '../storedRecord.js';
import type { RecordWrite, StorageAdapter } from '../types.js';
import { outboxInsert } from './postgresCommit.js';
import { iso } from './postgresRows.js';
import { queryAssembler, type PreparedQuery, type QueryPart } from './postgresQuery.js';
import { ms, statementName } from './postgresStatements.js';
import { recordTimerChanges, toStoredRecord, type RecordColumns } from './recordRows.js';

/** A record row as the PostgreSQL store reads it: its time as epoch milliseconds (`bigint` text). @internal */
export interface PostgresRecordRow extends RecordColumns, QueryResultRow {
  readonly at_ms: string | number;
}

/**
 * The record reads of schema `s` (already quoted): `$1` tenant, `$2` kind, `$3` id (for `list`,
 * the id the page starts after), then each statement's own.
 *
 * @internal
 */
export function postgresRecordStatements(s: string) {
  const records = `${s}.incidentkit_records`;
  const columns = `version, value::text AS value, ${ms('at')} AS at_ms, actor::text AS actor`;
  const key = 'tenant_id = $1 AND kind = $2 AND id = $3';
  return {
    /** The current version (a tombstone too), through the partial unique index of current versions. */
    current: `SELECT ${columns} FROM ${records} WHERE ${key} AND is_current`,
    atVersion: `SELECT ${columns} FROM ${records} WHERE ${key} AND version = $4::integer`,
    /** `$4` the limit: a seek on the partial index of live records. */
    list: `SELECT id, ${columns} FROM ${records}
      WHERE tenant_id = $1 AND kind = $2 AND is_current AND value IS NOT NULL AND id > $3 ORDER BY id LIMIT $4::integer`,
    /** `$4` after version, `$5` limit (null: all): a seek on the primary key. */
    history: `SELECT ${columns} FROM ${records} WHERE ${key} AND version > $4::integer ORDER BY version LIMIT $5::integer`,
    version: `SELECT version FROM ${records} WHERE ${key} AND is_current`,
  };
}

/** A part of a record write: one data-modifying statement, run as the CTE `name`. */
interface WritePart extends QueryPart {
  readonly name: string;
}

/**
 * The record writes of schema `s` (already quoted): turns a {@link RecordWrite} into one prepared
 * statement returning one row, `applied`: 1 when the record was written, 0 when the version
 * check failed (then nothing was).
 *
 * @internal
 */
export function postgresRecordWrites(s: string): (write: RecordWrite) => PreparedQuery {
  const records = `${s}.incidentkit_records`;
  const columns = 'tenant_id, kind, id, version, value, at, actor, is_current';
  const assemble = queryAssembler<WritePart>(
    (sql, parts) => `WITH ${parts.map((part, i) => `${part.name} AS (\n${sql[i] ?? ''})`).join(',\n')}\nSELECT count(*)::integer AS applied FROM rec`,
  );
  return (write) => {
    const row = [write.value === null ? null : JSON.stringify(write.value), write.at, JSON.stringify(write.actor)];
    const parts: WritePart[] =
      write.expectedVersion === 0
        ? [
            {
              key: 'create',
              name: 'rec',
              values: row,
              sql: (p) => `INSERT INTO ${records} (${columns})
                VALUES ($1, $2, $3, 1, ${p(0)}::jsonb, ${p(1)}::timestamptz, ${p(2)}::jsonb, true)
                ON CONFLICT DO NOTHING RETURNING version`,
            },
          ]
        : [
            {
              key: 'supersede',
              name: 'prev',
              values: [write.expectedVersion],
              sql: (p) => `UPDATE ${records} SET is_current = false
                WHERE tenant_id = $1 AND kind = $2 AND id = $3 AND is_current AND version = ${p(0)}::integer RETURNING version`,
            },
            {
              key: 'next',
              name: 'rec',
              values: row,
              sql: (p) => `INSERT INTO ${records} (${columns})
                SELECT $1, $2, $3, prev.version + 1, ${p(0)}::jsonb, ${p(1)}::timestamptz, ${p(2)}::jsonb, true FROM prev RETURNING version`,
            },
          ];
    const { set, cancel } = recordTimerChanges(write);
    if (cancel.length > 0) {
      parts.push({
        key: 'cancel',
        name: 'cancelled',
        values: [cancel],
        sql: (p) => `DELETE FROM ${s}.incidentkit_timers t USING rec WHERE t.tenant_id = $1 AND t.incident_id = '' AND t.timer_id = ANY(${p(0)}::text[])`,
      });
    }
    if (set.length > 0) {
      parts.push({
        key: 'schedule',
        name: 'scheduled',
        values: [set.map((x) => x.timerId), set.map((x) => x.dueAt), set.map((x) => JSON.stringify(x.event))],
        sql: (p) => `INSERT INTO ${s}.incidentkit_timers (tenant_id, incident_id, timer_id, due_at, event)
          SELECT $1, '', x.timer_id, x.due_at, x.event
          FROM rec, unnest(${p(0)}::text[], ${p(1)}::timestamptz[], ${p(2)}::jsonb[]) AS x(timer_id, due_at, event)
          ON CONFLICT (tenant_id, incident_id, timer_id)
          DO UPDATE SET due_at = EXCLUDED.due_at, event = EXCLUDED.event, lease_owner = NULL, lease_until = NULL`,
      });
    }
    const outbox = outboxInsert(`${s}.incidentkit_outbox`, write.outbox ?? [], 'FROM rec,');
    if (outbox !== undefined) parts.push(outbox);
    return assemble([write.tenantId, write.kind, write.id], parts);
  };
}

/** How the store runs a statement: after its migrations, with driver errors wrapped. @internal */
// R is the caller's statement of what its SQL selects, as with pool.query<R>().
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export type RunStatement = <R extends QueryResultRow>(operation: string, statement: PreparedQuery) => Promise<{ rows: R[]; rowCount: number }>;

/**
 * The record methods of a PostgreSQL store on schema `s` (already quoted).
 *
 * @internal
 */
export function postgresRecords(s: string, run: RunStatement): Required<Pick<StorageAdapter, RecordMethod>> {
  const sql = postgresRecordStatements(s);
  const writes = postgresRecordWrites(s);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- R is the caller's statement of what its SQL selects
  const query = <R extends QueryResultRow>(operation: string, text: string, values: unknown[]) => run<R>(operation, { name: statementName(text), text, values });

  return {
    async setRecordTimers(input) {
      const write = checkRecordTimers(input);
      const { set, cancel } = recordTimerChanges({ timers: write });
      // One statement: the cancel and the upsert commit together.
      const text = `WITH cancelled AS (
          DELETE FROM ${s}.incidentkit_timers WHERE tenant_id = $1 AND incident_id = '' AND timer_id = ANY($2::text[])
        )
        INSERT INTO ${s}.incidentkit_timers (tenant_id, incident_id, timer_id, due_at, event)
        SELECT $1, '', x.timer_id, x.due_at, x.event
        FROM unnest($3::text[], $4::timestamptz[], $5::jsonb[]) AS x(timer_id, due_at, event)
        ON CONFLICT (tenant_id, incident_id, timer_id)
        DO UPDATE SET due_at = EXCLUDED.due_at, event = EXCLUDED.event, lease_owner = NULL, lease_until = NULL`;
      await query('setRecordTimers', text, [write.tenantId, cancel, set.map((x) => x.timerId), set.map((x) => x.dueAt), set.map((x) => JSON.stringify(x.event))]);
    },

    async putRecord(input) {
      const write = checkRecordWrite(input);
      const { tenantId, kind, id, expectedVersion } = write;
      const { rows } = await run<{ applied: number }>('putRecord', writes(write));
      if (rows[0]?.applied !== 1) {
        const current = await query<{ version: number }>('putRecord', sql.version, [tenantId, kind, id]);
        throw new RecordConflictError({ tenantId, kind, id, expected: expectedVersion, actual: current.rows[0]?.version ?? 0 });
      }
      return writtenRecord(write);
    },

    async getRecord(tenantId, kind, id, options) {
      const version = checkRecordRead(kind, id, options);
      const { rows } =
        version === undefined
          ? await query<PostgresRecordRow>('getRecord', sql.current, [tenantId, kind, id])
          : await query<PostgresRecordRow>('getRecord', sql.atVersion, [tenantId, kind, id, version]);
      const row = rows[0];
      return row === undefined ? undefined : toStoredRecord(tenantId, kind, id, row, iso(row.at_ms));
    },

    async listRecords(tenantId, kind, page) {
      checkRecordQuery(kind, page);
      const { rows } = await query<PostgresRecordRow & { id: string }>('listRecords', sql.list, [tenantId, kind, afterRecordCursor(page.cursor), page.limit + 1]);
      const items = rows.slice(0, page.limit).map((row) => toStoredRecord(tenantId, kind, row.id, row, iso(row.at_ms)));
      const last = items.at(-1);
      return rows.length > page.limit && last !== undefined ? { items, nextCursor: recordCursor(last.id) } : { items };
    },

    async recordHistory(tenantId, kind, id, range) {
      const { afterVersion, limit } = checkHistoryRange(kind, id, range);
      const { rows } = await query<PostgresRecordRow>('recordHistory', sql.history, [tenantId, kind, id, afterVersion, limit ?? null]);
      return rows.map((row) => toStoredRecord(tenantId, kind, id, row, iso(row.at_ms)));
    },
  };
}
