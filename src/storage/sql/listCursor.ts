import { ValidationError } from '../../errors.js';
import { decodeCursor, type CursorPosition } from '../cursor.js';
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
