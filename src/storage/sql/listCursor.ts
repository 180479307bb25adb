import { ValidationError } from '../../errors.js';
import { decodeCursor, type CursorPosition } from '../cursor.js';
import type { ListQuery } from '../types.js';
import { isCanonicalTimestamp } from './checkCommit.js';

/**
 * Decodes a list cursor for a SQL store, which binds its time as a timestamp.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when the cursor was not made by incidentkit.
 * @internal
 */
export function decodeListCursor(cursor: string): CursorPosition {
  const position = decodeCursor(cursor);
  if (!isCanonicalTimestamp(position.detectedAt)) {
    throw new ValidationError('list', [
      { code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass the nextCursor of a previous page unchanged.' },
    ]);
  }
  return position;
}

/**
 * Checks a list query's `detectedFrom` / `detectedTo` for a SQL store, which compares them with
 * its stored times (SQLite as text, so only the canonical form orders correctly).
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when one is not an ISO-8601 UTC timestamp as `Date#toISOString()` writes it.
 * @internal
 */
export function checkListRange(query: ListQuery): void {
  for (const [field, value] of [['from', query.detectedFrom], ['to', query.detectedTo]] as const) {
    if (value !== undefined && !isCanonicalTimestamp(value)) {
      throw new ValidationError('list', [
        { code: 'custom', path: [field], message: 'Must be a UTC timestamp as Date#toISOString() writes it (e.g. 2026-01-02T03:04:05.000Z).' },
      ]);
    }
  }
}
