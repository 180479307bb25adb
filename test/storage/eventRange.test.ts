/**
 * The range check every store we ship applies to `events(tenantId, incidentId, range)`: a host
 * calling a store directly with a bad range gets a typed error, not a driver's.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { checkEventRange } from '../../src/storage/eventRange.js';
import { memoryStore } from '../../src/storage/memory.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { EventRange } from '../../src/storage/types.js';
import { thrown } from '../helpers.js';

const bad: readonly (readonly [EventRange, string])[] = [
  [{ afterSeq: -1 }, 'afterSeq'],
  [{ afterSeq: 0.5 }, 'afterSeq'],
  [{ afterSeq: Number.POSITIVE_INFINITY }, 'afterSeq'],
  [{ limit: 0 }, 'limit'],
  [{ limit: 2.5 }, 'limit'],
  [{ limit: Number.NaN }, 'limit'],
];

describe('checkEventRange', () => {
  it('fills in the defaults: from the first event, all of them', () => {
    expect(checkEventRange(undefined)).toEqual({ afterSeq: 0 });
    expect(checkEventRange({ limit: 5 })).toEqual({ afterSeq: 0, limit: 5 });
    expect(checkEventRange({ afterSeq: 7 })).toEqual({ afterSeq: 7 });
  });

  it.each(bad)('refuses %o, naming %s', (range, field) => {
    const error = thrown(() => checkEventRange(range), 'VALIDATION_FAILED');
    expect(error.details.issues.map((issue) => issue.path.join('.'))).toEqual([field]);
  });

  it('is applied by the memory and SQLite stores', async () => {
    const db = new Database(':memory:');
    for (const store of [memoryStore(), sqliteStore(db)]) {
      for (const [range] of bad) {
        expect(isIncidentKitError(await thrown(() => store.events('t', 'inc_1', range)), 'VALIDATION_FAILED')).toBe(true);
      }
    }
    db.close();
  });
});
