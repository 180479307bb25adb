/**
 * Record versions as every store builds them, and the cursor of a page of records: small, so the
 * memory store carries little for them.
 */
import { ValidationError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { JsonValue } from '../model/primitives.js';
import type { RecordWrite, StoredRecord } from './types.js';

/** A record version from its parts; a `null` value is a tombstone (`deleted: true`). @internal */
export function storedRecord(tenantId: string, kind: string, id: string, version: number, value: JsonValue, updatedAt: string, updatedBy: Actor): StoredRecord {
  const record: StoredRecord = { tenantId, kind, id, version, value, updatedAt, updatedBy };
  return value === null ? { ...record, deleted: true } : record;
}

/** The version `write` creates, with copies of its value (through JSON, as a SQL store keeps it) and actor. @internal */
export function writtenRecord(write: RecordWrite): StoredRecord {
  const { kind, id, name } = write.actor;
  const actor: Actor = name === undefined ? { kind, id } : { kind, id, name };
  return storedRecord(write.tenantId, write.kind, write.id, write.expectedVersion + 1, JSON.parse(JSON.stringify(write.value)) as JsonValue, write.at, actor);
}

/**
 * The cursor of a page of records that ends at `id`: the id after a `>`. Stable while records are
 * written between pages; plain, since the engine seals every cursor it hands out.
 *
 * @internal
 */
export const recordCursor = (id: string): string => `>${id}`;

/**
 * The id a page starts after: `''` (before every id) without a cursor.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for a cursor {@link recordCursor} did not make.
 * @internal
 */
export function afterRecordCursor(cursor: string | undefined): string {
  if (cursor === undefined) return '';
  if (cursor.startsWith('>')) return cursor.slice(1);
  throw new ValidationError('listRecords', [{ code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass the nextCursor of a previous page unchanged.' }]);
}
