/**
 * `engine.heartbeats` against one store: the cases every store must pass (memory and SQLite in
 * heartbeats.test.ts, PostgreSQL in heartbeats.int.test.ts).
 */
import { expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { thrown } from '../../helpers.js';

export const T0 = '2026-03-09T02:00:00.000Z';
export const ADA = { id: 'u_ada', name: 'Ada' } as const;
export const backup = { id: 'nightly-backup', name: 'Nightly backup', service: 'db', interval: { amount: 24, unit: 'hours' }, grace: { amount: 1, unit: 'hours' }, severity: 'SEV2' } as const;

export function heartbeatEngine(store: StorageAdapter) {
  const clock = createManualClock(T0);
  return { clock, engine: createIncidentEngine({ store, clock }) };
}

export function heartbeatCases(store: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('opens an incident when no beat comes within interval + grace, counts the silence on it, and resolves it with the next beat', async () => {
    const { engine, clock } = heartbeatEngine(await store());
    const created = await engine.heartbeats.put(backup, { actor: ADA });
    expect(created).toMatchObject({ version: 1, heartbeat: { id: 'nightly-backup', grace: { amount: 1, unit: 'hours' }, labels: {} } });

    // The job beats on time for a day: nothing opens.
    clock.set('2026-03-10T02:10:00.000Z');
    expect(await engine.heartbeats.beat('nightly-backup')).toEqual({ heartbeatId: 'nightly-backup', at: '2026-03-10T02:10:00.000Z', deadline: '2026-03-11T03:10:00.000Z' });
    clock.set('2026-03-11T03:09:59.999Z');
    expect(await engine.tick()).toEqual([]);

    // Then it stops: at the deadline (25 h after the last beat) the incident opens.
    clock.set('2026-03-11T03:10:00.000Z');
    expect((await engine.tick()).map((f) => [f.event, f.outcome])).toEqual([['HEARTBEAT_MISSED', 'applied']]);
    const [open] = (await engine.list({ status: ['triage'] })).items;
    expect(open).toMatchObject({ title: 'No heartbeat from Nightly backup for 25 h 00 min', severity: 'SEV2', service: 'db', status: 'triage' });

    // Still silent a day later: the same incident says so again, no second one.
    clock.set('2026-03-12T03:10:00.000Z');
    await engine.tick();
    expect((await engine.list({})).items).toHaveLength(1);
    expect((await engine.get(open?.id ?? '')).signalCount).toBe(2);

    // The next beat resolves it and sets a new deadline.
    clock.set('2026-03-12T09:00:00.000Z');
    const beat = await engine.heartbeats.beat('nightly-backup', { actor: { id: 'cron' } });
    expect(beat).toEqual({ heartbeatId: 'nightly-backup', at: '2026-03-12T09:00:00.000Z', deadline: '2026-03-13T10:00:00.000Z', resolved: open?.id });
    expect((await engine.get(open?.id ?? '')).status).toBe('resolved');
    clock.set('2026-03-13T09:59:00.000Z');
    expect(await engine.tick()).toEqual([]);
  });

  it('keeps its deadline in the store: another engine (a restart) fires it; a removed heartbeat fires nothing', async () => {
    const s = await store();
    const first = heartbeatEngine(s);
    await first.engine.heartbeats.put({ ...backup, id: 'certs', name: 'Certificate renewal', interval: { amount: 10, unit: 'minutes' }, grace: { amount: 0, unit: 'minutes' } }, { actor: ADA });
    await first.engine.heartbeats.put(backup, { actor: ADA });
    const second = heartbeatEngine(s);
    second.clock.set('2026-03-09T02:10:00.000Z');
    expect((await second.engine.tick()).map((f) => f.event)).toEqual(['HEARTBEAT_MISSED']);
    expect((await second.engine.list({})).items.map((i) => i.title)).toEqual(['No heartbeat from Certificate renewal for 10 min']);

    await second.engine.heartbeats.remove('nightly-backup', { actor: ADA });
    second.clock.set('2026-03-10T04:00:00.000Z');
    const fired = await second.engine.tick();
    expect(fired.every((f) => f.event === 'HEARTBEAT_MISSED')).toBe(true);
    expect((await second.engine.list({})).items.map((i) => i.title)).toEqual(['No heartbeat from Certificate renewal for 10 min']);
    expect((await thrown(second.engine.heartbeats.get('nightly-backup'), 'NOT_FOUND')).code).toBe('NOT_FOUND');
    expect((await second.engine.heartbeats.list()).items.map((h) => h.heartbeat.id)).toEqual(['certs']);
  });

  it('refuses bad input naming the field, and beats of an unknown heartbeat', async () => {
    const { engine } = heartbeatEngine(await store());
    const severity = await thrown(engine.heartbeats.put({ ...backup, severity: 'P1' }, { actor: ADA }), 'VALIDATION_FAILED');
    expect(severity.details.issues[0]?.path).toEqual(['severity']);
    const id = await thrown(engine.heartbeats.put({ ...backup, id: 'a/b' }, { actor: ADA }), 'VALIDATION_FAILED');
    expect(id.details.issues[0]?.path).toEqual(['id']);
    const long = await thrown(engine.heartbeats.put({ ...backup, interval: { amount: 32, unit: 'days' } }, { actor: ADA }), 'VALIDATION_FAILED');
    expect(long.details.issues[0]?.path).toEqual(['interval']);
    expect((await thrown(engine.heartbeats.beat('nope'), 'NOT_FOUND')).message).toContain("No heartbeat with id 'nope'");
  });
}
