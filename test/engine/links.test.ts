/** `engine.link`: typed links between incidents, on both timelines, in `get` and in the postmortem. */
import { describe, expect, it } from 'vitest';
import { buildPostmortem, createIncidentEngine, memoryStore, parseSignal, renderPostmortemMarkdown, replayTimeline } from '../../src/index.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';

const ada = { id: 'u_ada', name: 'Ada' };

function setup(authorize?: Parameters<typeof createIncidentEngine>[0]['authorize']) {
  const clock = createManualClock('2026-04-01T10:00:00.000Z');
  const engine = createIncidentEngine({ store: memoryStore(), clock, ids: sequentialIds(), ...(authorize === undefined ? {} : { authorize }) });
  return { clock, engine };
}

describe('engine.link', () => {
  it('records the link on both incidents, the other with the inverse kind, visible in get and replayed', async () => {
    const { clock, engine } = setup();
    const outage = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor: ada });
    const deploy = await engine.declare({ title: 'Bad deploy of payments', severity: 'SEV3', actor: ada });
    clock.advance(60_000);
    const linked = await engine.link(outage.id, { to: deploy.id, kind: 'causedBy', actor: ada });
    expect(linked.links).toEqual([{ kind: 'causedBy', incidentId: deploy.id, at: '2026-04-01T10:01:00.000Z' }]);
    expect((await engine.get(deploy.id)).links).toEqual([{ kind: 'causes', incidentId: outage.id, at: '2026-04-01T10:01:00.000Z' }]);
    expect((await engine.timeline(outage.id)).at(-1)).toMatchObject({ type: 'INCIDENT_LINKED', actor: { id: 'u_ada' }, data: { kind: 'causedBy', to: deploy.id } });
    expect((await engine.timeline(deploy.id)).at(-1)).toMatchObject({ type: 'INCIDENT_LINKED', data: { kind: 'causes', to: outage.id } });
    expect(replayTimeline(await engine.timeline(deploy.id))).toEqual(await engine.get(deploy.id));
    // Linking again changes nothing.
    await engine.link(outage.id, { to: deploy.id, kind: 'causedBy', actor: ada });
    expect((await engine.timeline(outage.id)).filter((e) => e.type === 'INCIDENT_LINKED')).toHaveLength(1);
    // parentOf / childOf, relatesTo both ways.
    const child = await engine.declare({ title: 'Payments API 500s', severity: 'SEV2', actor: ada });
    await engine.link(outage.id, { to: child.id, kind: 'parentOf', actor: ada });
    await engine.link(child.id, { to: deploy.id, kind: 'relatesTo', actor: ada });
    expect((await engine.get(child.id)).links?.map((l) => [l.kind, l.incidentId])).toEqual([
      ['childOf', outage.id],
      ['relatesTo', deploy.id],
    ]);
    expect((await engine.get(deploy.id)).links?.map((l) => l.kind)).toEqual(['causes', 'relatesTo']);
  });

  it('links a closed incident, refuses a canceled one, itself, or an unknown one, and changes nothing then', async () => {
    const { engine } = setup();
    const open = await engine.declare({ title: 'Latency', severity: 'SEV3', actor: ada });
    const past = await engine.declare({ title: 'Latency last week', severity: 'SEV4', actor: ada });
    await engine.resolve(past.id, { actor: ada });
    await engine.close(past.id, { actor: ada });
    await engine.link(open.id, { to: past.id, kind: 'relatesTo', actor: ada });
    expect((await engine.get(past.id)).links).toEqual([expect.objectContaining({ kind: 'relatesTo', incidentId: open.id })]);
    const noise = await engine.declare({ title: 'Noise', severity: 'SEV4', actor: ada });
    await engine.cancel(noise.id, { reason: 'false_positive', actor: ada });
    await expect(engine.link(open.id, { to: noise.id, kind: 'relatesTo', actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(engine.link(noise.id, { to: open.id, kind: 'relatesTo', actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(engine.link(open.id, { to: open.id, kind: 'relatesTo', actor: ada })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.link(open.id, { to: 'inc_nope', kind: 'relatesTo', actor: ada })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.link(open.id, { to: past.id, kind: 'recurredAs' as 'relatesTo', actor: ada })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await engine.get(open.id)).links).toHaveLength(1);
  });

  it('asks authorize about link on both incidents', async () => {
    const { engine } = setup(({ actor, action, incident }) => actor.id !== 'u_bob' || action !== 'link' || incident?.severity !== 'SEV1');
    const bob = { id: 'u_bob' };
    const secret = await engine.declare({ title: 'Breach', severity: 'SEV1', actor: ada });
    const mine = await engine.declare({ title: 'Slow page', severity: 'SEV4', actor: ada });
    await expect(engine.link(mine.id, { to: secret.id, kind: 'relatesTo', actor: bob })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await engine.get(secret.id)).links).toBeUndefined();
  });

  it('shows in the postmortem, with a question for a recurrence', async () => {
    const { engine } = setup();
    const outage = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor: ada });
    const deploy = await engine.declare({ title: 'Bad deploy', severity: 'SEV3', actor: ada });
    await engine.link(outage.id, { to: deploy.id, kind: 'causedBy', actor: ada });
    const pm = buildPostmortem(await engine.get(outage.id), await engine.timeline(outage.id));
    expect(pm.links).toEqual([expect.objectContaining({ kind: 'causedBy', incidentId: deploy.id })]);
    const markdown = renderPostmortemMarkdown(pm);
    expect(markdown).toContain('## Related incidents');
    expect(markdown).toMatch(/- Caused by inc\\?_2 /);
    expect(buildPostmortem(await engine.get(deploy.id)).links.map((l) => l.kind)).toEqual(['causes']);
    // A recurrence opened by ingest asks why the first fix did not hold.
    const signal = parseSignal({ source: 'prometheus', fingerprint: 'disk', status: 'firing', severity: 'SEV3', summary: 'Disk full', startsAt: '2026-04-01T09:00:00.000Z' });
    const [first] = await engine.ingest(signal);
    await engine.resolve(first?.incident?.id ?? '', { actor: ada });
    await engine.close(first?.incident?.id ?? '', { actor: ada });
    const [again] = await engine.ingest(signal);
    const recurrence = buildPostmortem(await engine.get(again?.incident?.id ?? ''));
    expect(recurrence.openQuestions).toContain(`This is a recurrence of ${first?.incident?.id ?? ''}; why did its fix not prevent this one?`);
    expect(renderPostmortemMarkdown(recurrence)).toMatch(/- A recurrence of inc\\?_\d+ /);
  });
});
