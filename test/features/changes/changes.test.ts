import { describe, expect, it } from 'vitest';
import { createIncidentEngine, isIncidentKitError, memoryStore, replayTimeline, requireRecords, type Authorize } from '../../../src/index.js';
import { parseSignal } from '../../../src/sources/index.js';
import { createManualClock, sequentialIds } from '../../../src/testing/index.js';

const ci = { kind: 'integration', id: 'ci' } as const;
const alice = { id: 'u_alice', name: 'Alice' };
const MINUTE = 60_000;

function setup(options: { changes?: { windowMinutes?: number; maxLinked?: number }; authorize?: Authorize } = {}) {
  const clock = createManualClock('2026-06-01T12:00:00.000Z');
  const store = memoryStore();
  const engine = createIncidentEngine({ store, clock, ids: sequentialIds(), ...options });
  return { clock, store, engine };
}

describe('engine.changes', () => {
  it('records changes per service and lists the recent ones newest first', async () => {
    const { clock, engine } = setup();
    const first = await engine.changes.record({ service: 'api', summary: 'Deployed api v1', source: 'ci', links: [{ href: 'https://ci.example/1', text: 'Build 1' }], details: { build: 1 }, actor: ci });
    clock.advance(MINUTE);
    await engine.changes.record({ service: 'api', summary: 'Deployed api v2', actor: ci });
    await engine.changes.record({ service: 'db', summary: 'Raised max_connections', actor: ci });
    expect(first).toMatchObject({ id: 'chg_1', service: 'api', at: '2026-06-01T12:00:00.000Z', receivedAt: '2026-06-01T12:00:00.000Z', source: 'ci', details: { build: 1 }, recordedBy: ci });
    expect((await engine.changes.recent('api')).map((c) => c.summary)).toEqual(['Deployed api v2', 'Deployed api v1']);
    expect((await engine.changes.recent('api', { limit: 1 })).map((c) => c.summary)).toEqual(['Deployed api v2']);
    expect(await engine.changes.recent('web')).toEqual([]);
  });

  it('keeps every change as a version of the service record', async () => {
    const { clock, engine, store } = setup({ changes: { windowMinutes: 10 } });
    await engine.changes.record({ service: 'api', summary: 'One', actor: ci });
    clock.advance(30 * MINUTE);
    await engine.changes.record({ service: 'api', summary: 'Two', actor: ci });
    // The record holds only the window; its history holds everything.
    expect((await engine.changes.recent('api', { since: '2026-06-01T00:00:00Z' })).map((c) => c.summary)).toEqual(['Two']);
    const history = await requireRecords(store, 'test').recordHistory('default', 'changes', 'api');
    expect(history.map((r) => r.version)).toEqual([1, 2]);
  });

  it('refuses bad input with VALIDATION_FAILED', async () => {
    const { engine } = setup();
    await expect(engine.changes.record({ service: 'api', summary: 'x'.repeat(1_025), actor: ci })).rejects.toSatisfy((e) => isIncidentKitError(e, 'VALIDATION_FAILED'));
    await expect(engine.changes.record({ service: '', summary: 'x', actor: ci })).rejects.toSatisfy((e) => isIncidentKitError(e, 'VALIDATION_FAILED'));
    await expect(engine.changes.record({ service: 'api', summary: 'x', at: 'yesterday', actor: ci })).rejects.toSatisfy((e) => isIncidentKitError(e, 'VALIDATION_FAILED'));
  });

  it('asks authorize about change.record and change.read', async () => {
    const asked: string[] = [];
    const { engine } = setup({ authorize: ({ action, actor }) => (asked.push(action), actor.id === 'ci') });
    await engine.changes.record({ service: 'api', summary: 'Deploy', actor: ci });
    await expect(engine.changes.recent('api', { actor: alice })).rejects.toSatisfy((e) => isIncidentKitError(e, 'FORBIDDEN'));
    await expect(engine.changes.record({ service: 'api', summary: 'Deploy', actor: alice })).rejects.toSatisfy((e) => isIncidentKitError(e, 'FORBIDDEN'));
    expect(asked).toEqual(['change.record', 'change.read', 'change.record']);
  });
});

describe('changes on incident timelines', () => {
  it('links the changes of the window before a declared incident of the service in its creation commit', async () => {
    const { clock, engine } = setup({ changes: { windowMinutes: 60 } });
    await engine.changes.record({ service: 'api', summary: 'Too old', actor: ci });
    clock.advance(61 * MINUTE);
    await engine.changes.record({ service: 'api', summary: 'Deployed api v2', source: 'ci', actor: ci });
    await engine.changes.record({ service: 'db', summary: 'Other service', actor: ci });
    clock.advance(5 * MINUTE);
    const incident = await engine.declare({ title: 'API errors', severity: 'SEV2', service: 'api', actor: alice });
    const linked = await engine.get(incident.id);
    expect(linked.recentChanges).toEqual([{ id: 'chg_2', at: '2026-06-01T13:01:00.000Z', summary: 'Deployed api v2', source: 'ci' }]);
    const timeline = await engine.timeline(incident.id);
    expect(timeline.map((e) => e.type)).toEqual(['DECLARED', 'CHANGES_LINKED']);
    expect(timeline[1]?.actor.kind).toBe('system');
    // Replay rebuilds the link, and the timeline still verifies.
    expect(replayTimeline(timeline).recentChanges).toEqual(linked.recentChanges);
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });

  it('links changes to incidents raised by ingest, and leaves incidents without changes alone', async () => {
    const { clock, engine } = setup();
    await engine.changes.record({ service: 'api', summary: 'Flag checkout_v2 on', actor: ci });
    clock.advance(MINUTE);
    const [raised] = await engine.ingest([
      parseSignal({ source: 'prometheus', fingerprint: 'a', status: 'firing', severity: 'SEV2', summary: 'High error rate', service: 'api', startsAt: clock.now() }),
    ]);
    const [quiet] = await engine.ingest([
      parseSignal({ source: 'prometheus', fingerprint: 'b', status: 'firing', severity: 'SEV2', summary: 'Slow queries', service: 'db', startsAt: clock.now() }),
    ]);
    expect((await engine.get(raised?.incident?.id ?? '')).recentChanges?.map((c) => c.summary)).toEqual(['Flag checkout_v2 on']);
    const untouched = await engine.get(quiet?.incident?.id ?? '');
    expect(untouched.recentChanges).toBeUndefined();
    expect((await engine.timeline(untouched.id)).map((e) => e.type)).toEqual(['DECLARED']);
  });

  it('does not link changes recorded after the incident opened', async () => {
    const { clock, engine } = setup();
    const incident = await engine.declare({ title: 'API errors', severity: 'SEV2', service: 'api', actor: alice });
    clock.advance(MINUTE);
    await engine.changes.record({ service: 'api', summary: 'Rollback', actor: ci });
    expect((await engine.get(incident.id)).recentChanges).toBeUndefined();
  });

  it('links at most maxLinked changes, newest first', async () => {
    const { clock, engine } = setup({ changes: { maxLinked: 2 } });
    for (const n of [1, 2, 3]) {
      await engine.changes.record({ service: 'api', summary: `Deploy ${String(n)}`, actor: ci });
      clock.advance(MINUTE);
    }
    const incident = await engine.declare({ title: 'API errors', severity: 'SEV2', service: 'api', actor: alice });
    expect((await engine.get(incident.id)).recentChanges?.map((c) => c.summary)).toEqual(['Deploy 3', 'Deploy 2']);
  });

  it('links nothing to imported incidents', async () => {
    const { engine } = setup();
    await engine.changes.record({ service: 'api', summary: 'Deploy', actor: ci });
    const imported = await engine.importIncident({ title: 'Old outage', severity: 'SEV2', service: 'api', milestones: { detectedAt: '2026-06-01T12:00:00Z' }, actor: alice });
    expect(imported.recentChanges).toBeUndefined();
  });

  it('refuses bad options with CONFIG_INVALID', () => {
    expect(() => setup({ changes: { windowMinutes: 0 } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });
});
