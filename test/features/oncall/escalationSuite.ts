/**
 * Escalation cases that run on every store (memory and SQLite in escalation.test.ts, PostgreSQL in
 * escalation.int.test.ts): nobody paged when the policy runs out, and a person's escalation that
 * resolves typed targets when it is made.
 */
import { expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { IncidentPolicies } from '../../../src/engine/policies.js';
import type { IncidentEngine } from '../../../src/incidentEngine.js';
import { describeEvent } from '../../../src/lifecycle/describeEvent.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import { memoryStore } from '../../../src/storage/memory.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { thrown } from '../../helpers.js';

export const ANA = { id: 'u_ana', name: 'Ana' };

/** Daily hand-off at 09:00 UTC: ana from 8 March, ben from 9 March. */
export const primary = {
  id: 'primary',
  name: 'Primary',
  timeZone: 'UTC',
  layers: [{ id: 'daily', start: '2026-03-08T09:00', rotation: { every: { amount: 1, unit: 'days' as const } }, members: ['ana', 'ben'] }],
};

/** Nights only (22:00–06:00 UTC): a gap all day. */
export const nights = {
  id: 'nights',
  name: 'Nights',
  timeZone: 'UTC',
  layers: [{ id: 'n', start: '2026-03-01T00:00', rotation: { every: { amount: 1, unit: 'weeks' as const } }, members: ['nia'], restrictions: [{ kind: 'daily' as const, start: '22:00', end: '06:00' }] }],
};

/** An engine over `store` with `escalation` as its policy and a manual clock at 08:50 UTC on 9 March. */
export function engineWith(escalation: NonNullable<NonNullable<IncidentPolicies>['escalation']>, store: StorageAdapter = memoryStore()) {
  const clock = createManualClock('2026-03-09T08:50:00.000Z');
  const engine = createIncidentEngine({ store, clock, ids: sequentialIds(), policies: { escalation } });
  return { clock, engine, store };
}

/** The incident's `ESCALATED` events: their data and how the timeline describes them. */
export async function escalations(engine: IncidentEngine, id: string) {
  const incident = await engine.get(id);
  const events = (await engine.timeline(id)).filter((e) => e.type === 'ESCALATED');
  return events.map((e) => ({ data: e.data, text: describeEvent(e, incident, (t) => t, (a) => a.name ?? a.id) }));
}

/** Registers the cases; `makeStore()` makes a fresh, migrated store each time it is called. */
export function escalationCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('records NOBODY_PAGED in the commit of the last level that reached nobody, after skipping the gaps before it', async () => {
    const { engine, clock } = engineWith(
      {
        levels: [
          { afterMinutes: 5, targets: [{ kind: 'schedule', id: 'nights' }] },
          { afterMinutes: 30, targets: [{ kind: 'role', role: 'commander' }] },
        ],
      },
      await makeStore(),
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
      data: { step: 2, level: 2, cycle: 0, targets: [{ kind: 'role', role: 'commander' }] },
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

  it('resolves typed targets when a person escalates: pages whoever is on call at that moment', async () => {
    const { engine, clock } = engineWith(
      {
        levels: [
          { afterMinutes: 30, targets: ['team-sre'] },
          { afterMinutes: 30, targets: [{ kind: 'schedule', id: 'primary' }, { kind: 'role', role: 'commander' }] },
        ],
      },
      await makeStore(),
    );
    await engine.schedules.put(primary, { actor: ANA });
    const incident = await engine.declare({ title: 'Checkout is down', severity: 'SEV2', actor: ANA });
    await engine.assignRole(incident.id, { role: 'commander', assignee: 'u_cy', actor: ANA });
    expect((await engine.schedules.whoIsOnCall('primary')).userIds).toEqual(['ana']);
    clock.advance(15 * 60_000); // 09:05: ben took over at 09:00
    const escalated = await engine.escalate(incident.id, { level: 2, actor: ANA });
    expect(escalated.escalation).toMatchObject({ level: 2, count: 1, paged: ['ben', 'u_cy'] });
    const [manual] = await escalations(engine, incident.id);
    expect(manual?.data).toMatchObject({
      trigger: 'manual',
      level: 2,
      paged: ['ben', 'u_cy'],
      resolved: [
        { target: { kind: 'schedule', id: 'primary' }, userIds: ['ben'] },
        { target: { kind: 'role', role: 'commander' }, userIds: ['u_cy'] },
      ],
    });
    expect(manual?.data).not.toHaveProperty('nobody');
    expect(manual?.text).toBe('Escalated to level 2 (schedule primary, role commander), paged ben, u_cy');
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(await engine.get(incident.id));

    // Acknowledged, then escalated again by hand: still resolved at that moment.
    await engine.acknowledge(incident.id, { actor: ANA });
    await engine.schedules.addOverride('primary', { id: 'cover', start: '2026-03-09T09:10:00Z', end: '2026-03-09T12:00:00Z', userId: 'dev' }, { actor: ANA });
    clock.advance(10 * 60_000); // 09:15, inside dev's override
    await engine.escalate(incident.id, { level: 2, actor: ANA });
    const [, again] = await escalations(engine, incident.id);
    expect(again?.data).toMatchObject({ trigger: 'manual', paged: ['dev', 'u_cy'] });
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });

  it('refuses a person’s escalation whose targets reach nobody now, and records nothing', async () => {
    const { engine, clock } = engineWith(
      {
        levels: [
          { afterMinutes: 30, targets: ['team-sre'] },
          { afterMinutes: 30, targets: [{ kind: 'schedule', id: 'nights' }, { kind: 'role', role: 'commander' }] },
        ],
      },
      await makeStore(),
    );
    await engine.schedules.put(nights, { actor: ANA });
    const incident = await engine.declare({ title: 'Pharmacy fridge alarm', severity: 'SEV2', actor: ANA });
    clock.advance(5 * 60_000); // 08:55: nia's nights ended at 06:00, and nobody holds the commander role
    const error = await thrown(engine.escalate(incident.id, { level: 2, actor: ANA }), 'INVALID_TRANSITION');
    expect(error.details).toMatchObject({ incidentId: incident.id, state: 'triage', event: 'ESCALATE', command: 'escalate' });
    expect(error.details.reason).toBe('level 2 (schedule nights, role commander) reaches nobody now; escalate to another level, or add an override or assign the role first.');
    expect(error.message).toContain(`Incident ${incident.id} is in state 'triage' and cannot escalate: level 2 (schedule nights, role commander) reaches nobody now`);
    expect((await engine.timeline(incident.id)).map((e) => e.type)).toEqual(['DECLARED']);
    expect((await engine.get(incident.id)).version).toBe(1);

    // The next level (plain ids, the host's to resolve) is never "nobody"; the timer still runs.
    const manual = await engine.escalate(incident.id, { actor: ANA });
    expect(manual.escalation).toMatchObject({ level: 1, targets: ['team-sre'] });
    // Someone covers the gap: the same escalation now pages them.
    await engine.schedules.addOverride('nights', { id: 'day-cover', start: '2026-03-09T08:55:00Z', end: '2026-03-09T18:00:00Z', userId: 'omar' }, { actor: ANA });
    const covered = await engine.escalate(incident.id, { level: 2, actor: ANA });
    expect(covered.escalation).toMatchObject({ level: 2, paged: ['omar'] });
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });
}
