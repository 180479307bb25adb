/**
 * Escalation levels that page typed targets, resolved when the level fires: whoever is on call on
 * a stored schedule then, a user, the incident's role holder; a level that reaches nobody is
 * skipped to the next at once, and the last one says nobody could be paged. The cases of
 * escalationSuite.ts run here on memory and SQLite, and in escalation.int.test.ts on PostgreSQL.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import { ANA, engineWith, escalationCases, escalations, nights, primary } from './escalationSuite.js';

describe.each([
  ['memoryStore', () => memoryStore()],
  ['sqliteStore', () => sqliteStore(new Database(':memory:'))],
])('escalation to typed targets on %s', (_name, makeStore) => {
  it('resolves a schedule when the level fires: the hand-off between declare and the step pages the new person', async () => {
    const { engine, clock } = engineWith({ levels: [{ afterMinutes: 15, targets: [{ kind: 'schedule', id: 'primary' }] }] }, makeStore());
    await engine.schedules.put(primary, { actor: ANA });
    const incident = await engine.declare({ title: 'Checkout is down', severity: 'SEV2', actor: ANA });
    expect((await engine.schedules.whoIsOnCall('primary')).userIds).toEqual(['ana']);
    clock.advance(15 * 60_000); // 09:05, after the 09:00 hand-off to ben
    const fired = await engine.tick();
    expect(fired.map((f) => [f.event, f.outcome])).toEqual([['ESCALATE', 'applied']]);
    const [escalated] = await escalations(engine, incident.id);
    expect(escalated?.data).toMatchObject({ level: 1, targets: [{ kind: 'schedule', id: 'primary' }], paged: ['ben'], resolved: [{ target: { kind: 'schedule', id: 'primary' }, userIds: ['ben'] }] });
    expect(escalated?.text).toBe('Escalated to level 1 (schedule primary), paged ben');
    expect((await engine.get(incident.id)).escalation?.paged).toEqual(['ben']);
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
    const replayed = replayTimeline(await engine.timeline(incident.id));
    expect(replayed.escalation).toEqual((await engine.get(incident.id)).escalation);
  });

  escalationCases(makeStore);
});

describe('escalation to typed targets', () => {
  it('skips a level that reaches nobody (a schedule gap) to the next one at once', async () => {
    const { engine, clock } = engineWith({
      levels: [
        { afterMinutes: 5, targets: [{ kind: 'schedule', id: 'nights' }] },
        { afterMinutes: 30, targets: [{ kind: 'user', id: 'lead' }] },
      ],
    });
    await engine.schedules.put(nights, { actor: ANA });
    const incident = await engine.declare({ title: 'Pharmacy fridge alarm', severity: 'SEV2', actor: ANA });
    clock.advance(5 * 60_000);
    await engine.tick();
    const [gap, next] = await escalations(engine, incident.id);
    expect(gap?.data).toMatchObject({ level: 1, paged: [], nobody: true, resolved: [{ target: { kind: 'schedule', id: 'nights' }, userIds: [] }] });
    expect(gap?.data.exhausted).toBeUndefined();
    expect(gap?.text).toBe('Escalated to level 1 (schedule nights): nobody could be paged, skipped to the next level');
    expect(next?.data).toMatchObject({ level: 2, paged: ['lead'] });
    expect(next?.text).toBe('Escalated to level 2 (user lead), paged lead');
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });

  it('says so when the last level reaches nobody: an unfilled role, an unknown schedule', async () => {
    const { engine, clock } = engineWith({ levels: [{ afterMinutes: 5, targets: [{ kind: 'role', role: 'commander' }, { kind: 'schedule', id: 'missing' }] }] });
    const incident = await engine.declare({ title: 'API down', severity: 'SEV2', actor: ANA });
    clock.advance(5 * 60_000);
    await engine.tick();
    const [last] = await escalations(engine, incident.id);
    expect(last?.data).toMatchObject({ paged: [], nobody: true, exhausted: true });
    expect(last?.text).toBe('Escalated to level 1 (role commander, schedule missing): nobody could be paged, and no level follows');
    expect((await engine.timeline(incident.id)).map((e) => e.type)).toEqual(['DECLARED', 'ESCALATED', 'NOBODY_PAGED']);
    clock.advance(60 * 60_000);
    expect(await engine.tick()).toEqual([]);
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });

  it('pages the incident’s role holder, and keeps plain ids as they were', async () => {
    const { engine, clock } = engineWith({ levels: [{ afterMinutes: 5, targets: [{ kind: 'role', role: 'commander' }, 'team-sre'] }] });
    const incident = await engine.declare({ title: 'API down', severity: 'SEV2', actor: ANA });
    await engine.assignRole(incident.id, { role: 'commander', assignee: 'u_cy', actor: ANA });
    clock.advance(5 * 60_000);
    await engine.tick();
    const [escalated] = await escalations(engine, incident.id);
    expect(escalated?.data).toMatchObject({ targets: [{ kind: 'role', role: 'commander' }, 'team-sre'], paged: ['u_cy'] });

    const plain = engineWith({ levels: [{ afterMinutes: 5, targets: ['team-sre'] }] });
    const other = await plain.engine.declare({ title: 'API down', severity: 'SEV2', actor: ANA });
    plain.clock.advance(5 * 60_000);
    await plain.engine.tick();
    const [unchanged] = await escalations(plain.engine, other.id);
    expect(unchanged?.data).not.toHaveProperty('paged');
    expect(unchanged?.text).toBe('Escalated to level 1 (team-sre)');
  });
});
