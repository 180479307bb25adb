/** Opaque cursors of the SQL stores' alert pages: the position of a page's last alert. */
import { ValidationError } from '../../errors.js';

/**
 * Encodes a position in an incident's alerts (the store's own, e.g. an index or a row id) as an
 * opaque, URL-safe cursor.
 */
export function encodeAlertCursor(position: number): string {
  return btoa(JSON.stringify(['alerts', position])).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

/**
 * Decodes a cursor made by {@link encodeAlertCursor}.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when the cursor was not made by it.
 */
export function decodeAlertCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === 'alerts' && Number.isSafeInteger(parsed[1]) && (parsed[1] as number) >= 0) {
      return parsed[1] as number;
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('alerts', [
    { code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass the nextCursor of a previous page of alerts unchanged.' },
  ]);
}
