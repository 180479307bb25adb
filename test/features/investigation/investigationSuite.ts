/** The investigation against any store: the cases of investigation.test.ts (memory, SQLite). */
import { expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { renderPostmortemMarkdown } from '../../../src/features/review/renderPostmortemMarkdown.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

export const T0 = '2026-03-01T09:00:00.000Z';
export const ADA = { id: 'u_ada', name: 'Ada' };
const SHA = '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08';
const minutes = (n: number): string => new Date(Date.parse(T0) + n * 60_000).toISOString();

export function engineOn(store: StorageAdapter, extra: Partial<IncidentEngineOptions> = {}) {
  const clock = createManualClock(T0);
  return { engine: createIncidentEngine({ store, clock, ...extra }), clock };
}

/** The cases, over fresh stores from `makeStore`. */
export function investigationCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('records hypotheses, evidence, causes and corrections on the hash-chained timeline; replay equals the projection; the postmortem shows them', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const { id } = await engine.declare({ title: 'Checkout slow', severity: 'SEV2', service: 'checkout', actor: ADA });
    clock.advance(60_000);
    await engine.acknowledge(id, { actor: ADA });
    const pool = (await engine.addHypothesis(id, { statement: 'The DB connection pool is exhausted', actor: ADA })).hypotheses![0]!.id;
    const dns = (await engine.addHypothesis(id, { statement: 'DNS resolution is slow', actor: ADA })).hypotheses![1]!.id;
    clock.advance(60_000);
    const withEvidence = await engine.addEvidence(id, { kind: 'link', uri: 'https://grafana.example.com/d/db?from=now-1h', note: 'Pool at 100% since 08:58', actor: ADA });
    const evidenceId = withEvidence.evidence![0]!.id;
    await engine.addEvidence(id, { kind: 'attachment', uri: 's3://forensics/db-1/slowlog.gz', sha256: SHA, note: 'Slow query log', actor: ADA });
    await engine.updateHypothesis(id, { hypothesisId: pool, status: 'confirmed', evidence: evidenceId, actor: ADA });
    await engine.updateHypothesis(id, { hypothesisId: dns, status: 'ruled_out', note: 'Resolution takes 2 ms', actor: ADA });
    clock.advance(60_000);
    await engine.recordRootCause(id, {
      summary: 'A deploy halved the pool size.',
      causes: [
        { category: 'configuration', description: 'Pool size 10 instead of 20' },
        { category: 'change', description: 'Deploy 2026.3.1 carried the new config' },
        { category: 'process', description: 'Config changes skip review', contributing: true },
      ],
      actor: ADA,
    });
    await engine.correctMilestone(id, { milestone: 'startedAt', at: minutes(-2), reason: 'Latency rose at 08:58 in the dashboard', actor: ADA });
    const incident = await engine.resolve(id, { actor: ADA });

    expect(incident.hypotheses?.map((h) => [h.statement, h.status, h.evidence ?? [], h.note])).toEqual([
      ['The DB connection pool is exhausted', 'confirmed', [evidenceId], undefined],
      ['DNS resolution is slow', 'ruled_out', [], 'Resolution takes 2 ms'],
    ]);
    expect(incident.evidence?.[1]).toMatchObject({ kind: 'attachment', sha256: SHA.toLowerCase(), addedBy: { id: 'u_ada' } });
    expect(incident.rootCause).toMatchObject({ taxonomy: 'it', contributingFactors: [], causes: [{ category: 'configuration' }, { category: 'change' }, { category: 'process', contributing: true }] });
    expect(incident.startedAt).toBe(minutes(-2));

    const timeline = await engine.timeline(id);
    expect(timeline.map((e) => e.type)).toEqual([
      'DECLARED', 'ACKNOWLEDGED', 'HYPOTHESIS_ADDED', 'HYPOTHESIS_ADDED', 'EVIDENCE_ADDED', 'EVIDENCE_ADDED', 'HYPOTHESIS_UPDATED', 'HYPOTHESIS_UPDATED', 'ROOT_CAUSE_RECORDED', 'MILESTONE_CORRECTED', 'RESOLVED',
    ]);
    expect(timeline[5]).toMatchObject({ actor: { id: 'u_ada' }, data: { kind: 'attachment', uri: 's3://forensics/db-1/slowlog.gz', sha256: SHA.toLowerCase(), note: 'Slow query log' } });
    expect(timeline[6]).toMatchObject({ data: { hypothesisId: pool, status: 'confirmed', previous: 'open', evidence: [evidenceId] } });
    expect(timeline[9]).toMatchObject({ data: { milestone: 'startedAt', to: minutes(-2), previous: T0, reason: 'Latency rose at 08:58 in the dashboard' } });
    expect(await engine.verifyTimeline(id)).toMatchObject({ ok: true });
    expect(replayTimeline(timeline)).toEqual(incident);

    const review = buildPostmortem(incident, timeline);
    expect(review.hypotheses?.map((h) => [h.statement, h.status])).toEqual([['The DB connection pool is exhausted', 'confirmed'], ['DNS resolution is slow', 'ruled_out']]);
    expect(review.evidence).toHaveLength(2);
    expect(review.causes).toEqual({
      taxonomy: 'it',
      categories: [
        { category: 'change', title: 'Change', causes: ['Deploy 2026.3.1 carried the new config'], contributing: [] },
        { category: 'configuration', title: 'Configuration', causes: ['Pool size 10 instead of 20'], contributing: [] },
        { category: 'process', title: 'Process', causes: [], contributing: ['Config changes skip review'] },
      ],
    });
    expect(review.milestoneCorrections).toEqual([{ milestone: 'startedAt', from: T0, to: minutes(-2), reason: 'Latency rose at 08:58 in the dashboard', at: minutes(3), by: 'Ada' }]);
    expect(review.keyTimeline.map((e) => e.text)).toContain('Hypothesis "DNS resolution is slow" ruled out by Ada: Resolution takes 2 ms');
    const markdown = renderPostmortemMarkdown(review, { diagram: false });
    expect(markdown).toContain('## Causes by category');
    expect(markdown).toContain('- **Process**\n  - Config changes skip review _(contributing)_');
    expect(markdown).toContain('| The DB connection pool is exhausted | **confirmed** |');
    expect(markdown).toContain('## Evidence');
    expect(markdown).toContain(`\`${SHA.toLowerCase()}\``);
    expect(markdown).toContain('## Milestone corrections');
  });

  it('keeps old callers and stored shapes: a root cause without causes and a status-only action item update store what they stored before, and replay', async () => {
    const { engine } = engineOn(await makeStore());
    const { id } = await engine.declare({ title: 'Disk full', severity: 'SEV3', actor: ADA });
    await engine.recordRootCause(id, { summary: 'Logs not rotated', contributingFactors: ['no alert'], actor: ADA });
    const itemId = (await engine.addActionItem(id, { title: 'Rotate logs', actor: ADA })).actionItems[0]!.id;
    const incident = await engine.updateActionItem(id, { actionItemId: itemId, status: 'done', actor: ADA });
    const timeline = await engine.timeline(id);
    expect(timeline.find((e) => e.type === 'ROOT_CAUSE_RECORDED')?.data).toEqual({ summary: 'Logs not rotated', contributingFactors: ['no alert'] });
    expect(timeline.at(-1)?.data).toEqual({ actionItemId: itemId, status: 'done', previous: { status: 'open' } });
    expect(incident.rootCause).toEqual({ summary: 'Logs not rotated', contributingFactors: ['no alert'], recordedAt: T0, recordedBy: { kind: 'user', id: 'u_ada', name: 'Ada' } });
    // An event as stored before edits existed (no `previous`) replays to the same item.
    const old = timeline.map((e) => (e.type === 'ACTION_ITEM_UPDATED' ? { ...e, data: { actionItemId: itemId, status: 'done' } } : e));
    expect(replayTimeline(old)).toEqual(incident);
    expect(replayTimeline(timeline)).toEqual(incident);
  });

  it('edits action items with their history on the timeline; null clears; an edit that changes nothing is refused', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const { id } = await engine.declare({ title: 'Disk full', severity: 'SEV3', actor: ADA });
    const itemId = (await engine.addActionItem(id, { title: 'Rotate logs', owner: 'u_lee', strength: 'weaker', actor: ADA })).actionItems[0]!.id;
    clock.advance(60_000);
    await engine.updateActionItem(id, { actionItemId: itemId, title: 'Rotate logs hourly', dueAt: '2026-03-10T00:00:00+01:00', strength: 'stronger', actor: ADA });
    const incident = await engine.updateActionItem(id, { actionItemId: itemId, owner: null, status: 'in_progress', actor: ADA });
    expect(incident.actionItems[0]).toEqual({
      id: itemId, title: 'Rotate logs hourly', dueAt: '2026-03-09T23:00:00.000Z', strength: 'stronger', status: 'in_progress', createdAt: T0, updatedAt: minutes(1),
    });
    const history = (await engine.timeline(id)).filter((e) => e.type === 'ACTION_ITEM_UPDATED').map((e) => e.data);
    expect(history).toEqual([
      { actionItemId: itemId, title: 'Rotate logs hourly', dueAt: '2026-03-09T23:00:00.000Z', strength: 'stronger', previous: { title: 'Rotate logs', dueAt: null, strength: 'weaker' } },
      { actionItemId: itemId, status: 'in_progress', owner: null, previous: { status: 'open', owner: 'u_lee' } },
    ]);
    expect(replayTimeline(await engine.timeline(id))).toEqual(incident);
    await expect(engine.updateActionItem(id, { actionItemId: itemId, title: 'Rotate logs hourly', actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /changes nothing/ });
    await expect(engine.updateActionItem(id, { actionItemId: itemId, actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /at least one of status, title, owner, dueAt, kind, strength/ });
    const closed = await engine.close((await engine.resolve(id, { actor: ADA })).id, { actor: ADA });
    expect((await engine.updateActionItem(closed.id, { actionItemId: itemId, owner: 'u_kim', actor: ADA })).actionItems[0]?.owner).toBe('u_kim');
  });

  it('refuses bad evidence, unknown hypotheses and evidence, and unknown cause categories with errors that say what to give', async () => {
    const { engine } = engineOn(await makeStore(), { causeTaxonomies: [{ id: 'pharmacy', title: 'Pharmacy', categories: [{ id: 'dispensing', title: 'Dispensing' }] }] });
    const { id } = await engine.declare({ title: 'Wrong dose', severity: 'SEV2', actor: ADA });
    const add = (input: object) => engine.addEvidence(id, { kind: 'link', uri: 'https://x.example', note: 'n', actor: ADA, ...input } as never);
    await expect(add({ uri: 'grafana/d/abc' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /not an absolute URI/, details: { issues: [{ path: ['uri'] }] } });
    await expect(add({ uri: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /kept by reference/ });
    await expect(add({ sha256: 'abc123' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /64 hexadecimal characters/, details: { issues: [{ path: ['sha256'] }] } });
    await expect(add({ kind: 'video' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: ['kind'] }] } });
    await expect(engine.updateHypothesis(id, { hypothesisId: 'hyp_nope', status: 'confirmed', actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND', message: /hypothesis with id 'hyp_nope'/ });
    const hypothesisId = (await engine.addHypothesis(id, { statement: 'Look-alike names', actor: ADA })).hypotheses![0]!.id;
    await expect(engine.updateHypothesis(id, { hypothesisId, status: 'confirmed', evidence: ['evd_nope'], actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND', message: /evidence with id 'evd_nope'/ });

    await expect(engine.recordRootCause(id, { summary: 's', causes: [{ category: 'weather', description: 'd' }], actor: ADA })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: /'weather' is not a category of the cause taxonomy 'it' \(IT causes\); its categories are: change, capacity, dependency, configuration, code, hardware, human_factors, process/,
      details: { issues: [{ path: ['causes', 0, 'category'] }] },
    });
    await expect(engine.recordRootCause(id, { summary: 's', taxonomy: 'nope', causes: [], actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /taxonomies are: it, rca2, pharmacy/ });
    const rca = await engine.recordRootCause(id, { summary: 's', taxonomy: 'rca2', causes: [{ category: 'communication', description: 'Handover without the chart' }], actor: ADA });
    expect(rca.rootCause).toMatchObject({ taxonomy: 'rca2', causes: [{ category: 'communication' }] });
    const own = await engine.recordRootCause(id, { summary: 's', taxonomy: 'pharmacy', causes: [{ category: 'dispensing', description: 'Look-alike vials' }], actor: ADA });
    expect(buildPostmortem(own, [], { causeTaxonomies: [{ id: 'pharmacy', title: 'Pharmacy', categories: [{ id: 'dispensing', title: 'Dispensing' }] }] }).causes?.categories[0]?.title).toBe('Dispensing');
    expect((await engine.timeline(id)).filter((e) => e.type === 'ROOT_CAUSE_RECORDED')).toHaveLength(2);
  });

  it('corrects milestones of live incidents in order, says why on the timeline, and refuses the rest', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const { id } = await engine.declare({ title: 'API down', severity: 'SEV1', actor: ADA });
    clock.advance(5 * 60_000);
    await engine.acknowledge(id, { actor: ADA });
    clock.advance(5 * 60_000);
    await engine.mitigate(id, { summary: 'failover', actor: ADA });
    const corrected = await engine.correctMilestone(id, { milestone: 'acknowledgedAt', at: minutes(2), reason: 'Paged at 09:02, acked in chat', actor: ADA });
    expect(corrected.acknowledgedAt).toBe(minutes(2));
    const err = engine.correctMilestone(id, { milestone: 'mitigatedAt', at: minutes(1), reason: 'r', actor: ADA });
    await expect(err).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: ['at'] }] } });
    await expect(err).rejects.toThrow(`mitigatedAt ${minutes(1)} would come before acknowledgedAt ${minutes(2)}`);
    await expect(engine.correctMilestone(id, { milestone: 'resolvedAt', at: minutes(1), reason: 'r', actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /no resolvedAt to correct yet/ });
    await expect(engine.correctMilestone(id, { milestone: 'mitigatedAt', at: minutes(30), reason: 'r', actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /future/ });
    const minor = await engine.declare({ title: 'blip', severity: 'SEV4', actor: ADA });
    await engine.resolve(minor.id, { actor: ADA });
    await engine.close(minor.id, { actor: ADA });
    await expect(engine.correctMilestone(minor.id, { milestone: 'detectedAt', at: minutes(0), reason: 'r', actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    const canceled = await engine.declare({ title: 'noise', severity: 'SEV3', actor: ADA });
    await engine.cancel(canceled.id, { reason: 'false_positive', actor: ADA });
    await expect(engine.correctMilestone(canceled.id, { milestone: 'detectedAt', at: minutes(0), reason: 'r', actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    const timeline = await engine.timeline(id);
    expect(timeline.filter((e) => e.type === 'MILESTONE_CORRECTED').map((e) => e.data)).toEqual([{ milestone: 'acknowledgedAt', to: minutes(2), previous: minutes(5), reason: 'Paged at 09:02, acked in chat' }]);
    expect(replayTimeline(timeline)).toEqual(await engine.get(id));
  });
}
