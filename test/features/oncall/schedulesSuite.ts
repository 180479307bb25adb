/**
 * `engine.schedules` against one store: the cases every store must pass (memory and SQLite in
 * schedules.test.ts, PostgreSQL in schedules.int.test.ts).
 */
import { expect, it } from 'vitest';
import { consoleNotifier } from '../../../src/channels/console.js';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { HANDOFF_RECORD_KIND } from '../../../src/features/oncall/handoffNotices.js';
import type { ScheduleInput } from '../../../src/features/oncall/schedule.js';
import { requireRecords } from '../../../src/storage/records.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { thrown } from '../../helpers.js';

export const SCHEDULE_T0 = '2026-03-09T12:00:00.000Z';
export const ANA = { id: 'u_ana', name: 'Ana' } as const;

/** Weekly, Monday 08:00 UTC: ana (from 2 March), ben (from 9 March), chen (from 16 March). */
export const primary: ScheduleInput = {
  id: 'sre-primary',
  name: 'SRE primary',
  timeZone: 'UTC',
  layers: [{ id: 'weekly', start: '2026-03-02T08:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben', 'chen'] }],
};

/** An engine over `store` (fresh per call) with a manual clock at {@link SCHEDULE_T0}. */
export function schedulesEngine(store: StorageAdapter, tenantId = 'default') {
  const clock = createManualClock(SCHEDULE_T0);
  return { clock, engine: createIncidentEngine({ store, clock, tenantId, ids: sequentialIds() }) };
}

/** Registers the cases; `store()` makes a fresh, migrated store each time it is called. */
export function scheduleCases(store: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('puts, gets and lists schedules as versions, and answers who is on call from the stored one', async () => {
    const { engine, clock } = schedulesEngine(await store());
    const created = await engine.schedules.put(primary, { actor: ANA });
    expect(created).toMatchObject({ version: 1, updatedAt: SCHEDULE_T0, updatedBy: { kind: 'user', id: 'u_ana', name: 'Ana' } });
    expect(created.schedule.overrides).toEqual([]);
    const second = await engine.schedules.put({ ...primary, id: 'dba', name: 'DBA' }, { actor: ANA });
    expect((await engine.schedules.get('sre-primary')).schedule).toEqual(created.schedule);
    const renamed = await engine.schedules.put({ ...primary, name: 'SRE primary (EU)' }, { actor: ANA });
    expect(renamed.version).toBe(2);

    const first = await engine.schedules.list({ limit: 1 });
    expect(first.items.map((s) => s.schedule.id)).toEqual(['dba']);
    const next = await engine.schedules.list({ limit: 1, ...(first.nextCursor === undefined ? {} : { cursor: first.nextCursor }) });
    expect(next.items.map((s) => [s.schedule.id, s.schedule.name, s.version])).toEqual([['sre-primary', 'SRE primary (EU)', 2]]);
    expect(second.version).toBe(1);

    expect(await engine.schedules.whoIsOnCall('sre-primary')).toMatchObject({ userIds: ['ben'], source: 'layer' });
    clock.set('2026-03-16T08:00:00.000Z');
    expect((await engine.schedules.whoIsOnCall('sre-primary')).userIds).toEqual(['chen']);
    expect((await engine.schedules.whoIsOnCall('sre-primary', '2026-03-03T00:00:00Z')).userIds).toEqual(['ana']);
    expect(await engine.schedules.render('sre-primary', { from: '2026-03-09T00:00:00Z', to: '2026-03-09T12:00:00Z' })).toEqual([
      { userIds: ['ana'], start: '2026-03-09T00:00:00.000Z', end: '2026-03-09T08:00:00.000Z', source: 'layer', layerId: 'weekly' },
      { userIds: ['ben'], start: '2026-03-09T08:00:00.000Z', end: '2026-03-09T12:00:00.000Z', source: 'layer', layerId: 'weekly' },
    ]);
  });

  it('adds and removes overrides as new versions; refuses one in the past and removing one that started', async () => {
    const { engine, clock } = schedulesEngine(await store());
    await engine.schedules.put(primary, { actor: ANA });
    const cover = { id: 'dentist', start: '2026-03-10T15:00:00+01:00', end: '2026-03-10T18:00:00+01:00', userId: 'dora' };
    const added = await engine.schedules.addOverride('sre-primary', cover, { actor: ANA });
    expect(added.version).toBe(2);
    expect(added.schedule.overrides).toEqual([{ id: 'dentist', start: '2026-03-10T14:00:00.000Z', end: '2026-03-10T17:00:00.000Z', userId: 'dora' }]);
    expect((await engine.schedules.whoIsOnCall('sre-primary', '2026-03-10T15:00:00Z')).userIds).toEqual(['dora']);

    const dup = await thrown(engine.schedules.addOverride('sre-primary', { ...cover, start: '2026-03-11T10:00:00Z', end: '2026-03-11T11:00:00Z' }, { actor: ANA }), 'VALIDATION_FAILED');
    expect(dup.details.issues[0]?.path).toEqual(['override', 'id']);
    const past = await thrown(engine.schedules.addOverride('sre-primary', { id: 'late', start: '2026-03-09T09:00:00Z', end: '2026-03-09T11:00:00Z', userId: 'dora' }, { actor: ANA }), 'VALIDATION_FAILED');
    expect(past.details.issues[0]?.path).toEqual(['override', 'end']);
    expect(past.message).toContain('ends before now');
    const pastInPut = await thrown(
      engine.schedules.put({ ...primary, overrides: [{ id: 'late', start: '2026-03-09T09:00:00Z', end: '2026-03-09T11:00:00Z', userId: 'dora' }] }, { actor: ANA }),
      'VALIDATION_FAILED',
    );
    expect(pastInPut.details.issues[0]?.path).toEqual(['overrides', 0, 'end']);

    clock.set('2026-03-10T14:30:00.000Z');
    const started = await thrown(engine.schedules.removeOverride('sre-primary', 'dentist', { actor: ANA }), 'VALIDATION_FAILED');
    expect(started.details.issues[0]?.path).toEqual(['overrideId']);
    await engine.schedules.addOverride('sre-primary', { id: 'tomorrow', start: '2026-03-11T09:00:00Z', end: '2026-03-11T10:00:00Z', userId: 'eve' }, { actor: ANA });
    const removed = await engine.schedules.removeOverride('sre-primary', 'tomorrow', { actor: ANA });
    expect(removed.version).toBe(4);
    expect(removed.schedule.overrides.map((o) => o.id)).toEqual(['dentist']);
    expect((await thrown(engine.schedules.removeOverride('sre-primary', 'nope', { actor: ANA }), 'NOT_FOUND')).message).toContain("No override with id 'nope'");
    expect((await thrown(engine.schedules.get('unknown'), 'NOT_FOUND')).message).toContain("No schedule with id 'unknown'");
    expect((await thrown(engine.schedules.addOverride('unknown', cover, { actor: ANA }), 'NOT_FOUND')).code).toBe('NOT_FOUND');
  });

  it('compare-and-sets on the version: a named stale version conflicts, concurrent override writers all land', async () => {
    const s = await store();
    const a = schedulesEngine(s).engine;
    const b = schedulesEngine(s).engine;
    await a.schedules.put(primary, { actor: ANA, expectedVersion: 0 });
    expect((await thrown(b.schedules.put(primary, { actor: ANA, expectedVersion: 0 }), 'VERSION_CONFLICT')).details).toMatchObject({ kind: 'schedule', expected: 0, actual: 1 });
    // Two engines (as two processes) add overrides at once: each reloads and retries on a conflict.
    const adds = ['o1', 'o2', 'o3', 'o4'].map((id, i) =>
      (i % 2 === 0 ? a : b).schedules.addOverride('sre-primary', { id, start: `2026-03-2${String(i)}T09:00:00Z`, end: `2026-03-2${String(i)}T10:00:00Z`, userId: 'dora' }, { actor: ANA }),
    );
    await Promise.all(adds);
    const final = await a.schedules.get('sre-primary');
    expect(final.version).toBe(5);
    expect(final.schedule.overrides.map((o) => o.id).sort()).toEqual(['o1', 'o2', 'o3', 'o4']);
  });

  it('keeps schedules per tenant', async () => {
    const s = await store();
    await schedulesEngine(s, 'acme').engine.schedules.put(primary, { actor: ANA });
    const other = schedulesEngine(s, 'globex').engine;
    expect((await thrown(other.schedules.get('sre-primary'), 'NOT_FOUND')).code).toBe('NOT_FOUND');
    expect((await other.schedules.list()).items).toEqual([]);
  });

  it('seals list cursors like incident cursors: opaque, bound to the tenant, a forged one refused', async () => {
    const s = await store();
    const { engine } = schedulesEngine(s, 'acme');
    await engine.schedules.put({ ...primary, id: 'a-rota' }, { actor: ANA });
    await engine.schedules.put({ ...primary, id: 'b-rota' }, { actor: ANA });
    const first = await engine.schedules.list({ limit: 1 });
    expect(first.nextCursor).toBeDefined();
    expect(first.nextCursor).not.toContain('a-rota');
    expect((await engine.schedules.list({ limit: 1, cursor: first.nextCursor ?? '' })).items.map((x) => x.schedule.id)).toEqual(['b-rota']);
    const other = schedulesEngine(s, 'globex').engine;
    for (const cursor of [first.nextCursor ?? '', '>a-rota']) {
      const error = await thrown(other.schedules.list({ cursor }), 'VALIDATION_FAILED');
      expect(error.message).toMatch(/Unknown cursor/);
    }
    expect((await thrown(engine.schedules.list({ cursor: '>a-rota' }), 'VALIDATION_FAILED')).message).toMatch(/Unknown cursor/);
  });

  it('keeps hand-off notice timers in the store: two engines ticking at once announce a hand-off once, and the next is planned', async () => {
    const s = await store();
    const clock = createManualClock('2026-03-09T06:00:00.000Z');
    const lines: string[] = [];
    // Two engines over one store, as two processes; default (random) ids so their messages never collide.
    const make = () =>
      createIncidentEngine({ store: s, clock, notifiers: { console: consoleNotifier({ log: (line) => lines.push(line) }) }, contacts: () => ({ console: 'tty' }) });
    const [a, b] = [make(), make()];
    await a.schedules.put({ ...primary, handoffNotice: { before: { amount: 1, unit: 'hours' } } }, { actor: ANA });
    clock.set('2026-03-09T07:00:00.000Z'); // ben takes over at 08:00
    const fired = (await Promise.all([a.tick(), b.tick()])).flat();
    expect(fired.map((f) => [f.event, f.outcome])).toEqual([['HANDOFF_NOTICE', 'applied']]);
    await Promise.all([a.dispatch(), b.dispatch()]);
    expect(lines).toEqual([expect.stringContaining('[notice to ben <tty>] On call from Mon, 9 Mar 2026, 08:00: SRE primary')]);
    const history = await requireRecords(s, 'test').recordHistory('default', HANDOFF_RECORD_KIND, 'sre-primary');
    expect(history.map((v) => [v.version, (v.value as { lastHandoffAt: string }).lastHandoffAt])).toEqual([[1, '2026-03-09T08:00:00.000Z']]);
    // Chen's, a week later, an hour ahead.
    clock.set('2026-03-16T06:59:59.999Z');
    expect(await b.tick()).toEqual([]);
    clock.set('2026-03-16T07:00:00.000Z');
    expect((await b.tick()).map((f) => f.event)).toEqual(['HANDOFF_NOTICE']);
    await a.dispatch();
    expect(lines[1]).toContain('[notice to chen <tty>] On call from Mon, 16 Mar 2026, 08:00');
  });
}
