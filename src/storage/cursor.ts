import { ValidationError } from '../errors.js';

/** The position a list page ends at: the sort key of its last item. */
export interface CursorPosition {
  readonly detectedAt: string;
  readonly id: string;
}

/** Encodes a list position as an opaque, URL-safe cursor. */
export function encodeCursor(position: CursorPosition): string {
  const json = JSON.stringify([position.detectedAt, position.id]);
  return btoa(encodeURIComponent(json)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

/**
 * Decodes a cursor made by {@link encodeCursor}.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when the cursor was not made by incidentkit.
 */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const base64 = cursor.replaceAll('-', '+').replaceAll('_', '/');
    const parsed: unknown = JSON.parse(decodeURIComponent(atob(base64)));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { detectedAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('list', [
    { code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass the nextCursor of a previous page unchanged.' },
  ]);
}

/** Compares two incidents in list order: newest `detectedAt` first, then id descending. */
export function compareListOrder(a: CursorPosition, b: CursorPosition): number {
  if (a.detectedAt !== b.detectedAt) return a.detectedAt < b.detectedAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}
