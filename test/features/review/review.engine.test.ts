import { describe, expect, it } from 'vitest';
import { computeMetrics, createIncidentEngine, memoryStore, replayTimeline, type IncidentPolicies } from '../../../src/index.js';
import { createManualClock, sequentialIds } from '../../../src/testing/index.js';

const actor = { id: 'u_lee', name: 'Lee' };

function setup(policies?: IncidentPolicies) {
  const clock = createManualClock('2026-06-01T12:00:00.000Z');
  const engine = createIncidentEngine({ store: memoryStore(), clock, ids: sequentialIds(), ...(policies === undefined ? {} : { policies }) });
  return { clock, engine };
}

describe('engine.importIncident', () => {
  it('records a retrospective incident with the given times, marked imported', async () => {
    const { engine } = setup();
    const incident = await engine.importIncident({
      title: 'API elevated errors',
      severity: 'SEV1',
      services: ['api', 'console'],
      milestones: {
        startedAt: '2024-02-26T17:05:00Z',
        detectedAt: '2024-02-26T17:09:00Z',
        acknowledgedAt: '2024-02-26T17:20:00Z',
        mitigatedAt: '2024-02-26T17:45:00Z',
        resolvedAt: '2024-02-26T18:30:00Z',
        closedAt: '2024-03-01T10:00:00Z',
      },
      actor,
    });
    expect(incident).toMatchObject({
      status: 'closed',
      imported: true,
      service: 'api',
      services: ['api', 'console'],
      startedAt: '2024-02-26T17:05:00.000Z',
      detectedAt: '2024-02-26T17:09:00.000Z',
      acknowledgedAt: '2024-02-26T17:20:00.000Z',
      mitigatedAt: '2024-02-26T17:45:00.000Z',
      resolvedAt: '2024-02-26T18:30:00.000Z',
      closedAt: '2024-03-01T10:00:00.000Z',
    });
    const timeline = await engine.timeline(incident.id);
    expect(timeline.map((e) => e.type)).toEqual(['DECLARED', 'ACKNOWLEDGED', 'MITIGATED', 'RESOLVED', 'CLOSED']);
    expect(replayTimeline(timeline)).toEqual(incident);
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });

  it('refuses milestones out of order unless allowUnordered, and future or dangling ones', async () => {
    const { engine } = setup();
    const base = { title: 'Late ack', severity: 'SEV3', actor } as const;
    await expect(
      engine.importIncident({ ...base, milestones: { detectedAt: '2024-01-01T10:00:00Z', acknowledgedAt: '2024-01-01T09:00:00Z' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [expect.objectContaining({ path: ['milestones', 'acknowledgedAt'] })] } });
    await expect(
      engine.importIncident({ ...base, milestones: { detectedAt: '2027-01-01T10:00:00Z' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      engine.importIncident({ ...base, milestones: { detectedAt: '2024-01-01T10:00:00Z', closedAt: '2024-01-02T10:00:00Z' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await engine.list()).items).toEqual([]);
    const messy = await engine.importIncident({
      ...base,
      allowUnordered: true,
      milestones: { detectedAt: '2024-01-01T10:00:00Z', acknowledgedAt: '2024-01-01T09:00:00Z', resolvedAt: '2024-01-01T11:00:00Z' },
    });
    expect(messy).toMatchObject({ status: 'resolved', acknowledgedAt: '2024-01-01T09:00:00.000Z' });
  });

  it('feeds computeMetrics through engine.scan', async () => {
    const { engine } = setup();
    for (const [i, minutes] of [10, 20, 30, 40].entries()) {
      await engine.importIncident({
        title: `Incident ${String(i)}`,
        severity: 'SEV2',
        service: i % 2 === 0 ? 'api' : 'web',
        milestones: {
          detectedAt: `2024-05-0${String(i + 1)}T10:00:00Z`,
          acknowledgedAt: `2024-05-0${String(i + 1)}T10:${String(minutes)}:00Z`,
        },
        actor,
      });
    }
    const result = await computeMetrics(engine.scan(), { groupBy: 'service' });
    expect(result.overall.count).toBe(4);
    expect(result.overall.durations.mtta?.mean).toBe(25 * 60_000);
    expect(result.overall.durations.mttr?.excluded).toBe(4);
    expect(Object.keys(result.groups).sort()).toEqual(['api', 'web']);
  });
});

describe('policies from review and prevention', () => {
  it('the action item policy keeps SEV1 open until a non-weaker action item exists', async () => {
    const { engine } = setup({ review: { requiredFor: [] }, actionItems: {} });
    const incident = await engine.declare({ title: 'Ward pump misconfigured', severity: 'SEV1', actor });
    await engine.resolve(incident.id, { actor });
    await engine.addActionItem(incident.id, { title: 'Remind staff', strength: 'weaker', actor });
    await expect(engine.close(incident.id, { actor })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await engine.addActionItem(incident.id, { title: 'Lock pump library limits', strength: 'stronger', kind: 'prevent', actor });
    await expect(engine.close(incident.id, { actor })).resolves.toMatchObject({ status: 'closed' });
  });

  it('the similar policy records similar recent incidents at declare', async () => {
    const { clock, engine } = setup({ similar: { limit: 2, minScore: 0.2 } });
    const old = await engine.declare({ title: 'Checkout latency high', severity: 'SEV2', service: 'checkout', actor });
    await engine.declare({ title: 'Email delays', severity: 'SEV4', service: 'mail', actor });
    clock.advance(86_400_000);
    const fresh = await engine.declare({ title: 'Checkout latency very high', severity: 'SEV2', service: 'checkout', actor });
    expect(fresh.similarIncidents?.map((s) => s.id)).toEqual([old.id]);
    expect(fresh.similarIncidents?.[0]?.reasons.join(' ')).toContain('checkout');
    const types = (await engine.timeline(fresh.id)).map((e) => e.type);
    expect(types).toEqual(['DECLARED', 'SIMILAR_INCIDENTS_FOUND']);
  });
});
