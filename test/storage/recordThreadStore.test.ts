/**
 * recordThreadStore: the Slack notifier's thread store kept as records in the engine's store, so
 * threads and incident channels survive a restart and are shared by instances on one database.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { memoryStore, recordThreadStore, type StorageAdapter } from '../../src/index.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import { createManualClock } from '../../src/testing/index.js';

const stores: readonly [string, () => StorageAdapter][] = [
  ['memory', () => memoryStore()],
  ['sqlite', () => sqliteStore(new Database(':memory:'))],
];

describe.each(stores)('recordThreadStore on %s', (_, makeStore) => {
  it('keeps values across store handles (a restart) and overwrites them', async () => {
    const store = makeStore();
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const first = recordThreadStore(store, { clock });
    expect(await first.get('default:inc_1:C0123')).toBeUndefined();
    await first.set('default:inc_1:C0123', '1770000001.000001');
    await first.set('default:inc_1:C0123', '1770000002.000002');
    const second = recordThreadStore(store, { clock });
    expect(await second.get('default:inc_1:C0123')).toBe('1770000002.000002');
  });

  it('keeps keys longer than a record id under their hash, apart from each other', async () => {
    const threads = recordThreadStore(makeStore());
    const a = `incidentChannel:${'t'.repeat(150)}:${'a'.repeat(100)}`;
    const b = `incidentChannel:${'t'.repeat(150)}:${'b'.repeat(100)}`;
    await threads.set(a, 'A');
    await threads.set(b, 'B');
    expect([await threads.get(a), await threads.get(b)]).toEqual(['A', 'B']);
  });

  it('keeps tenants apart', async () => {
    const store = makeStore();
    await recordThreadStore(store, { tenantId: 'acme' }).set('k', 'acme');
    expect(await recordThreadStore(store, { tenantId: 'globex' }).get('k')).toBeUndefined();
    expect(await recordThreadStore(store, { tenantId: 'acme' }).get('k')).toBe('acme');
  });
});
