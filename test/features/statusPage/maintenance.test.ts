/** Scheduled maintenance on the memory and SQLite stores; authorization. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../../src/errors.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { maintenanceCases } from './maintenanceSuite.js';
import { ADA, engineOn, T0 } from './statusPageSuite.js';

describe('scheduled maintenance on memoryStore', () => {
  maintenanceCases(() => memoryStore());
});

describe('scheduled maintenance on sqliteStore', () => {
  maintenanceCases(() => sqliteStore(new Database(':memory:')));
});

describe('scheduled maintenance authorization', () => {
  it('asks authorize about publish, and writes nothing when it is denied', async () => {
    const asked: string[] = [];
    const { engine } = engineOn(memoryStore(), {
      authorize: ({ action, actor }) => {
        asked.push(action);
        return actor.id !== 'u_mallory';
      },
    });
    const input = { name: 'Upgrade', components: ['api'], scheduledFor: '2026-12-06T10:00:00.000Z', scheduledUntil: '2026-12-06T11:00:00.000Z', body: 'Upgrade.' };
    let error: unknown;
    try {
      await engine.scheduleMaintenance({ ...input, actor: { id: 'u_mallory' } });
    } catch (thrown) {
      error = thrown;
    }
    expect(isIncidentKitError(error, 'FORBIDDEN')).toBe(true);
    expect((await engine.statusPages.snapshot()).maintenances).toEqual([]);
    const m = await engine.scheduleMaintenance({ ...input, actor: ADA });
    expect(m.createdAt).toBe(T0);
    expect(asked).toContain('publish');
  });
});
