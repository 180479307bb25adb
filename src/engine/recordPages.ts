/**
 * Pages of a tenant's records of one kind with sealed cursors, as `engine.list` seals its own:
 * for the `list` of features that keep records (schedules, heartbeats, …).
 */
import { ValidationError } from '../errors.js';
import { createCursorSeal } from '../kernel/cursorSeal.js';
import type { RecordStore } from '../storage/records.js';
import type { Page, StoredRecord } from '../storage/types.js';

/**
 * Lists records of `kind` a page at a time. A `nextCursor` is sealed with `cursorSecret` and
 * bound to the tenant and the kind, so a forged cursor, or one of another tenant, kind or
 * engine, is refused with `ValidationError` (`VALIDATION_FAILED`, path `['cursor']`).
 *
 * @internal
 */
export function sealedRecordPages(options: { readonly tenantId: string; readonly cursorSecret?: string | undefined; readonly kind: string }) {
  const { tenantId, kind } = options;
  const cursors = createCursorSeal(options.cursorSecret);
  const context = `${tenantId}\u0000${kind}`;
  return async (store: RecordStore, subject: string, query: { readonly cursor?: string | undefined; readonly limit: number }): Promise<Page<StoredRecord>> => {
    const { cursor, limit } = query;
    const storeCursor = cursor === undefined ? undefined : await cursors.open(cursor, context);
    if (cursor !== undefined && storeCursor === undefined) {
      throw new ValidationError(subject, [
        { code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass the nextCursor of a previous page unchanged (cursors are sealed with the engine’s cursorSecret).' },
      ]);
    }
    const page = await store.listRecords(tenantId, kind, storeCursor === undefined ? { limit } : { limit, cursor: storeCursor });
    return page.nextCursor === undefined ? { items: page.items } : { items: page.items, nextCursor: await cursors.seal(page.nextCursor, context) };
  };
}
