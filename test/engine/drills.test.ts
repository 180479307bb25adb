/**
 * Drill incidents on the memory store: how they are made (declare, import, ingest, a drill
 * engine), that they are stored on `DECLARED` and replay, and that metrics, similar incidents,
 * problem proposals and the postmortem treat them as practice.
 */
import { describe, expect, it } from 'vitest';
import {
  buildPostmortem,
  computeMetrics,
  computeProblemMetrics,
  findSimilarIncidents,
  memoryStore,
  parseSignal,
  renderPostmortemMarkdown,
  type SignalInput,
} from '../../src/index.js';
import { ALICE, makeEngine, thrown } from '../helpers.js';

function signal(overrides: Partial<SignalInput> = {}) {
  return parseSignal({
    source: 'alertmanager',
    fingerprint: 'fp-web-5xx',
    status: 'firing',
    severity: 'SEV2',
    summary: 'High 5xx rate on web',
    service: 'web',
    startsAt: '2025-12-31T23:59:00.000Z',
    ...overrides,
  });
}

describe('drill incidents', () => {
  it('declare({ drill: true }) makes a drill, stored on DECLARED, that replays; other incidents have no drill field', async () => {
    const { engine } = makeEngine();
    const drill = await engine.declare({ title: 'Game day', severity: 'SEV2', drill: true, actor: ALICE });
    const real = await engine.declare({ title: 'Real outage', severity: 'SEV2', actor: ALICE });
    const notDrill = await engine.declare({ title: 'Not a drill', severity: 'SEV3', drill: false, actor: ALICE });
    expect([drill.drill, real.drill, notDrill.drill]).toEqual([true, undefined, undefined]);
    expect('drill' in real).toBe(false);
    const [declared] = await engine.timeline(drill.id);
    expect(declared?.data.drill).toBe(true);
    expect((await engine.timeline(notDrill.id))[0]?.data).not.toHaveProperty('drill');
    expect((await engine.get(drill.id)).drill).toBe(true);
    for (const id of [drill.id, real.id]) expect(await engine.verifyTimeline(id)).toMatchObject({ ok: true });
  });

  it('importIncident({ drill: true }) records a past drill', async () => {
    const { engine } = makeEngine();
    const imported = await engine.importIncident({
      title: 'Tabletop: ransomware',
      severity: 'SEV1',
      drill: true,
      milestones: { detectedAt: '2025-12-01T10:00:00.000Z', resolvedAt: '2025-12-01T11:00:00.000Z' },
      actor: ALICE,
    });
    expect(imported).toMatchObject({ drill: true, imported: true });
  });

  it('ingest(signals, { drill: true }) opens drills that never touch live alerts of the same fingerprint, and back', async () => {
    const { engine } = makeEngine();
    const [live] = await engine.ingest(signal());
    const [drill] = await engine.ingest(signal(), { drill: true });
    expect(live?.incident?.drill).toBeUndefined();
    expect(drill).toMatchObject({ outcome: 'created', incident: { drill: true } });
    expect(drill?.incident?.id).not.toBe(live?.incident?.id);
    // Repeats and resolutions stay on their side.
    expect((await engine.ingest(signal(), { drill: true }))[0]).toMatchObject({ outcome: 'deduplicated', incident: { id: drill?.incident?.id } });
    expect((await engine.ingest(signal({ status: 'resolved' }), { drill: true }))[0]).toMatchObject({ outcome: 'resolved', incident: { id: drill?.incident?.id, status: 'resolved' } });
    expect((await engine.get(live?.incident?.id ?? '')).status).toBe('triage');
  });

  it('refuses a drill option that is not a boolean', async () => {
    const { engine } = makeEngine();
    const error = await thrown(engine.ingest(signal(), { drill: 'yes' as unknown as boolean }), 'VALIDATION_FAILED');
    expect(error.message).toContain('drill must be true or false');
    expect(await thrown(engine.declare({ title: 'x', severity: 'SEV2', drill: 'yes' as unknown as boolean, actor: ALICE }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('a drill engine makes every incident a drill, even when the call says drill: false', async () => {
    const { engine } = makeEngine({ store: memoryStore(), tenantId: 'drills', drill: true });
    const declared = await engine.declare({ title: 'Practice', severity: 'SEV3', drill: false, actor: ALICE });
    const imported = await engine.importIncident({ title: 'Old practice', severity: 'SEV3', milestones: { detectedAt: '2025-12-01T10:00:00.000Z' }, actor: ALICE });
    expect([declared.drill, imported.drill]).toEqual([true, true]);
  });

  it('metrics leave drills out unless includeDrills', async () => {
    const { engine, clock } = makeEngine();
    const drill = await engine.declare({ title: 'Game day', severity: 'SEV2', drill: true, actor: ALICE });
    const real = await engine.declare({ title: 'Outage', severity: 'SEV2', actor: ALICE });
    clock.advance(60_000);
    for (const id of [drill.id, real.id]) await engine.acknowledge(id, { actor: ALICE });
    const incidents = [await engine.get(drill.id), await engine.get(real.id)];
    const without = await computeMetrics(incidents);
    expect(without.overall.count).toBe(1);
    expect(without.skipped).toMatchObject({ drills: 1 });
    const withDrills = await computeMetrics(incidents, { includeDrills: true });
    expect(withDrills.overall.count).toBe(2);
    expect(withDrills.skipped.drills).toBe(0);

    await engine.addActionItem(drill.id, { title: 'Practise the failover runbook', actor: ALICE });
    const drilled = [await engine.get(drill.id), await engine.get(real.id)];
    expect(computeProblemMetrics([], drilled).actionItems.notDone).toBe(0);
    expect(computeProblemMetrics([], drilled, { includeDrills: true }).actionItems.notDone).toBe(1);
  });

  it('similar incidents and problem proposals ignore drills', async () => {
    const { engine } = makeEngine({ problems: { recurrence: { threshold: 2, windowDays: 7 } } });
    const first = await engine.declare({ title: 'Checkout API timeouts', severity: 'SEV2', service: 'checkout', drill: true, actor: ALICE });
    // A real recurrence of a drill is no recurrence: no problem is proposed.
    const real = await engine.declare({ title: 'Checkout API timeouts', severity: 'SEV2', service: 'checkout', actor: ALICE });
    expect(real.problemProposal).toBeUndefined();
    expect(findSimilarIncidents(real, [first])).toEqual([]);
    expect(findSimilarIncidents(real, [first], { includeDrills: true }).map((s) => s.incident.id)).toEqual([first.id]);
    // A drill that recurs a real incident proposes nothing either.
    const second = await engine.declare({ title: 'Checkout API timeouts', severity: 'SEV2', service: 'checkout', drill: true, actor: ALICE });
    expect(second.problemProposal).toBeUndefined();
    // Two real ones recur: the drills count for nothing, the real incident for one.
    const third = await engine.declare({ title: 'Checkout API timeouts', severity: 'SEV2', service: 'checkout', actor: ALICE });
    expect(third.problemProposal?.similar).toEqual([real.id]);
  });

  it('the postmortem says it was a drill, in its data and at the top of its markdown', async () => {
    const { engine } = makeEngine();
    const drill = await engine.declare({ title: 'Game day', severity: 'SEV3', drill: true, actor: ALICE });
    const real = await engine.declare({ title: 'Outage', severity: 'SEV3', actor: ALICE });
    const review = buildPostmortem(await engine.get(drill.id), await engine.timeline(drill.id));
    expect(review.drill).toBe(true);
    expect(review.keyTimeline[0]?.text).toBe('Declared "Game day" as SEV3 (a drill) by Alice');
    const markdown = renderPostmortemMarkdown(review).split('\n');
    expect(markdown.slice(0, 3)).toEqual(['# Post-incident review: Game day', '', expect.stringContaining('**This was a drill**')]);
    const plain = buildPostmortem(await engine.get(real.id), await engine.timeline(real.id));
    expect(plain.drill).toBeUndefined();
    expect(renderPostmortemMarkdown(plain)).not.toContain('drill');
  });
});
