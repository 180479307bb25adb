/**
 * `engine.schedules` on the memory and SQLite stores; authorization, bad input, and an engine
 * over a store without the record methods.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { AuthorizationRequest } from '../../../src/engine/types.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { RECORD_METHODS } from '../../../src/storage/records.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { thrown } from '../../helpers.js';
import { ANA, primary, SCHEDULE_T0, scheduleCases } from './schedulesSuite.js';

describe('engine.schedules on memoryStore', () => {
  scheduleCases(() => memoryStore());
});

describe('engine.schedules on sqliteStore', () => {
  scheduleCases(() => sqliteStore(new Database(':memory:')));
});

describe('engine.schedules', () => {
  it('asks authorize about schedule.write and schedule.read, with the schedule id', async () => {
    const asked: Pick<AuthorizationRequest, 'action' | 'input'>[] = [];
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock(SCHEDULE_T0),
      authorize: ({ actor, action, input }) => {
        asked.push({ action, ...(input === undefined ? {} : { input }) });
        return actor.id === 'u_ana' || action === 'schedule.read';
      },
    });
    await engine.schedules.put(primary, { actor: ANA });
    expect(asked).toEqual([{ action: 'schedule.write', input: { scheduleId: 'sre-primary' } }]);
    const denied = await thrown(engine.schedules.put(primary, { actor: { id: 'u_eve' } }), 'FORBIDDEN');
    expect(denied.code).toBe('FORBIDDEN');
    expect((await thrown(engine.schedules.removeOverride('sre-primary', 'x', { actor: { id: 'u_eve' } }), 'FORBIDDEN')).code).toBe('FORBIDDEN');
    asked.length = 0;
    await engine.schedules.whoIsOnCall('sre-primary', undefined, { actor: { id: 'u_eve' } });
    expect(asked).toEqual([{ action: 'schedule.read', input: { scheduleId: 'sre-primary' } }]);
  });

  it('refuses bad input with the path of the bad field', async () => {
    const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock(SCHEDULE_T0) });
    expect((await thrown(engine.schedules.put({ ...primary, timeZone: 'Mars/Olympus' }, { actor: ANA }), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['timeZone']);
    expect((await thrown(engine.schedules.put(primary, { actor: ANA, expectedVersion: -1 }), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['expectedVersion']);
    await engine.schedules.put(primary, { actor: ANA });
    const bad = await thrown(engine.schedules.addOverride('sre-primary', { id: 'x', start: '2026-03-10T10:00:00Z', end: '2026-03-10T09:00:00Z', userId: 'dora' }, { actor: ANA }), 'VALIDATION_FAILED');
    expect(bad.details.issues[0]?.path).toEqual(['override', 'end']);
    expect((await thrown(engine.schedules.render('sre-primary', { from: '2026-03-10T00:00:00Z', to: '2026-03-09T00:00:00Z' }), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['to']);
  });

  it('works over a store without the record methods until a schedule method is called', async () => {
    const old = Object.fromEntries(Object.entries(memoryStore()).filter(([name]) => !(RECORD_METHODS as readonly string[]).includes(name))) as unknown as StorageAdapter;
    const engine = createIncidentEngine({ store: old, clock: createManualClock(SCHEDULE_T0) });
    expect((await engine.declare({ title: 'Still works', severity: 'SEV3', actor: ANA })).status).toBe('triage');
    const refused = await thrown(engine.schedules.put(primary, { actor: ANA }), 'CONFIG_INVALID');
    expect(refused.message).toContain('engine.schedules.put keeps versioned records');
    expect((await thrown(engine.schedules.get('sre-primary'), 'CONFIG_INVALID')).message).toContain('lacks putRecord()');
  });
});
