/**
 * Escalation levels that page typed targets, resolved when the level fires: whoever is on call on
 * a stored schedule then, a user, the incident's role holder; a level that reaches nobody is
 * skipped to the next at once, and the last one says nobody could be paged.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { IncidentEngine } from '../../../src/incidentEngine.js';
import { describeEvent } from '../../../src/lifecycle/describeEvent.js';
import type { IncidentPolicies } from '../../../src/engine/policies.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';

const ANA = { id: 'u_ana', name: 'Ana' };

/** Daily hand-off at 09:00 UTC: ana from 8 March, ben from 9 March; a night layer with a gap. */
const primary = {
  id: 'primary',
  name: 'Primary',
  timeZone: 'UTC',
  layers: [{ id: 'daily', start: '2026-03-08T09:00', rotation: { every: { amount: 1, unit: 'days' as const } }, members: ['ana', 'ben'] }],
};
const nights = {
  id: 'nights',
  name: 'Nights',
  timeZone: 'UTC',
  layers: [{ id: 'n', start: '2026-03-01T00:00', rotation: { every: { amount: 1, unit: 'weeks' as const } }, members: ['nia'], restrictions: [{ kind: 'daily' as const, start: '22:00', end: '06:00' }] }],
};

function engineWith(escalation: NonNullable<NonNullable<IncidentPolicies>['escalation']>, store: StorageAdapter = memoryStore()) {
  const clock = createManualClock('2026-03-09T08:50:00.000Z');
  const engine = createIncidentEngine({ store, clock, ids: sequentialIds(), policies: { escalation } });
  return { clock, engine, store };
}

async function escalations(engine: IncidentEngine, id: string) {
  const incident = await engine.get(id);
  const events = (await engine.timeline(id)).filter((e) => e.type === 'ESCALATED');
  return events.map((e) => ({ data: e.data, text: describeEvent(e, incident, (t) => t, (a) => a.name ?? a.id) }));
}

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

  it('records NOBODY_PAGED in the commit of the last level that reached nobody, after skipping the gaps before it', async () => {
    const { engine, clock } = engineWith(
      {
        levels: [
          { afterMinutes: 5, targets: [{ kind: 'schedule', id: 'nights' }] },
          { afterMinutes: 30, targets: [{ kind: 'role', role: 'commander' }] },
        ],
      },
      makeStore(),
    );
    await engine.schedules.put(nights, { actor: ANA });
    const incident = await engine.declare({ title: 'Pharmacy fridge alarm', severity: 'SEV2', actor: ANA });
    const heard: { type: string; version: number }[] = [];
    engine.on('incident.nobody_paged', ({ event, incident: after }) => heard.push({ type: event.type, version: after.version }));
    clock.advance(5 * 60_000); // 08:55: nia's nights end at 06:00, and nobody holds the commander role
    const fired = await engine.tick();
    expect(fired.map((f) => [f.event, f.outcome])).toEqual([
      ['ESCALATE', 'applied'],
      ['ESCALATE', 'applied'],
    ]);
    const timeline = await engine.timeline(incident.id);
    expect(timeline.map((e) => [e.seq, e.type])).toEqual([
      [1, 'DECLARED'],
      [2, 'ESCALATED'],
      [3, 'ESCALATED'],
      [4, 'NOBODY_PAGED'],
    ]);
    const [, gap, last, nobody] = timeline;
    expect(gap?.data).toMatchObject({ level: 1, nobody: true });
    expect(gap?.data.exhausted).toBeUndefined();
    // The exhausted ESCALATED keeps its data; NOBODY_PAGED follows it at the same time, by the same actor.
    expect(last?.data).toMatchObject({ level: 2, paged: [], nobody: true, exhausted: true });
    expect(nobody).toMatchObject({
      at: last?.at,
      actor: last?.actor,
      data: { step: 2, level: 2, cycle: 0, targets: [{ kind: 'role', role: 'commander' }], resolved: [{ target: { kind: 'role', role: 'commander' }, userIds: [] }] },
    });
    const current = await engine.get(incident.id);
    expect(describeEvent(nobody!, current, (t) => t, (a) => a.id)).toBe('Nobody paged: the escalation policy ran out after level 2 (role commander) without reaching anyone');
    // Emitted once, after the commit that holds both events.
    expect(heard).toEqual([{ type: 'NOBODY_PAGED', version: 4 }]);
    expect(current).toMatchObject({ status: 'triage', version: 4, escalation: { level: 2, count: 2, paged: [] } });
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
    expect(replayTimeline(timeline)).toEqual(current);
    // Nothing follows: the policy has no level left.
    clock.advance(60 * 60_000);
    expect(await engine.tick()).toEqual([]);
    expect(await engine.timeline(incident.id)).toHaveLength(4);
  });
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
