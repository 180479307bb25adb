import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { IncidentEngine } from '../../../src/incidentEngine.js';
import { isIncidentKitError } from '../../../src/errors.js';
import type { StoredEvent } from '../../../src/model/event.js';
import type { Incident } from '../../../src/model/incident.js';
import { buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { mermaidGanttText, postmortemGantt, postmortemToJson, renderPostmortemMarkdown } from '../../../src/features/review/renderPostmortemMarkdown.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock, type ManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { mermaidBlocks, parseGantt } from '../../fixtures/mermaid.js';
import { thrown } from '../../helpers.js';

const MIN = 60_000;
const alice = { id: 'u_alice', name: 'Alice' } as const;
const bob = { id: 'u_bob', name: 'Bob' } as const;
const grafana = { id: 'grafana', name: 'Grafana', kind: 'integration' } as const;

interface Story {
  readonly engine: IncidentEngine;
  readonly clock: ManualClock;
  readonly incident: Incident;
  readonly timeline: readonly StoredEvent[];
}

function setup(): { engine: IncidentEngine; clock: ManualClock; minutes: (n: number) => void } {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const engine = createIncidentEngine({ store: memoryStore(), clock, ids: sequentialIds(), onHandlerError: () => undefined });
  return { engine, clock, minutes: (n) => void clock.advance(n * MIN) };
}

/** A SEV2 raised by Grafana at 09:00 (impact since 08:52), raised to SEV1, mitigated, diagnosed, resolved, reviewed, closed. */
async function fullStory(): Promise<Story> {
  const { engine, clock, minutes } = setup();
  let incident = await engine.declare({
    title: 'Checkout: 502 errors | payments',
    severity: 'SEV2',
    service: 'checkout',
    startedAt: '2026-03-02T08:52:00Z',
    dedupKey: 'checkout-5xx',
    labels: { team: 'payments' },
    actor: grafana,
  });
  const id = incident.id;
  minutes(3);
  await engine.acknowledge(id, { actor: alice });
  await engine.assignRole(id, { role: 'commander', assignee: { id: 'u_alice', name: 'Alice' }, actor: alice });
  await engine.assignRole(id, { role: 'communications', assignee: { id: 'u_bob', name: 'Bob' }, actor: alice });
  minutes(2);
  await engine.addNote(id, { text: 'Error rate *spiking* after deploy <v42> | all pods', actor: alice });
  await engine.setSeverity(id, { severity: 'SEV1', reason: 'All regions affected', actor: alice });
  await engine.postUpdate(id, { audience: 'stakeholders', message: 'Checkout is failing for most customers.', actor: bob });
  minutes(10);
  await engine.mitigate(id, { summary: 'Rolled back to v41', actor: alice });
  minutes(20);
  await engine.recordRootCause(id, {
    summary: 'Connection pool exhausted by v42',
    contributingFactors: ['No canary stage', 'Pool alert threshold too high'],
    actor: alice,
  });
  minutes(5);
  await engine.resolve(id, { summary: 'Pool size fixed and v42 redeployed', actor: alice });
  minutes(24 * 60);
  await engine.startReview(id, { owner: 'u_bob', actor: bob });
  await engine.addActionItem(id, { title: 'Add a canary stage', kind: 'prevent', strength: 'stronger', owner: 'u_bob', dueAt: '2026-03-10T00:00:00Z', actor: bob });
  await engine.addActionItem(id, { title: 'Pool saturation alert', kind: 'detect', strength: 'intermediate', owner: 'u_alice', dueAt: '2026-04-01T00:00:00Z', actor: bob });
  await engine.completeReview(id, { summary: 'A pool regression in v42 broke checkout for 23 minutes.', actor: bob });
  minutes(5);
  incident = await engine.close(id, { actor: bob });
  return { engine, clock, incident, timeline: await engine.timeline(id) };
}

describe('buildPostmortem on a full incident', () => {
  it('summarises impact, detection and response with the right durations', async () => {
    const { incident, timeline } = await fullStory();
    const pm = buildPostmortem(incident, timeline, { now: '2026-03-20T00:00:00Z' });

    expect(pm.format).toBe('incidentkit.postmortem');
    expect(pm.summary).toBe('A pool regression in v42 broke checkout for 23 minutes.');
    expect(pm.impact).toMatchObject({
      startedAt: '2026-03-02T08:52:00.000Z',
      endedAt: '2026-03-02T09:15:00.000Z',
      endedBy: 'mitigated',
      durationMs: 23 * MIN,
      ongoing: false,
      services: ['checkout'],
      severity: 'SEV1',
      severityChanges: [{ at: '2026-03-02T09:05:00.000Z', from: 'SEV2', to: 'SEV1', reason: 'All regions affected' }],
    });
    expect(pm.detection).toEqual({
      method: 'integration',
      by: 'Grafana',
      startedAt: '2026-03-02T08:52:00.000Z',
      detectedAt: '2026-03-02T09:00:00.000Z',
      timeToDetectMs: 8 * MIN,
    });
    expect(pm.response).toMatchObject({
      timeToAcknowledgeMs: 3 * MIN,
      timeToMitigateMs: 15 * MIN,
      timeToResolveMs: 40 * MIN,
      escalations: 0,
      reopened: 0,
      updatesPosted: { stakeholders: 1 },
      roles: [
        { role: 'commander', assignee: 'Alice', assignedAt: '2026-03-02T09:03:00.000Z' },
        { role: 'communications', assignee: 'Bob', assignedAt: '2026-03-02T09:03:00.000Z' },
      ],
    });
  });

  it('curates the key timeline and cuts the phases', async () => {
    const { incident, timeline } = await fullStory();
    const pm = buildPostmortem(incident, timeline);
    const types = pm.keyTimeline.map((e) => e.type);
    expect(types).toEqual([
      'DECLARED',
      'ACKNOWLEDGED',
      'ROLE_ASSIGNED',
      'ROLE_ASSIGNED',
      'NOTE_ADDED',
      'SEVERITY_CHANGED',
      'UPDATE_POSTED',
      'MITIGATED',
      'ROOT_CAUSE_RECORDED',
      'RESOLVED',
      'CLOSED',
    ]);
    expect(pm.keyTimeline[0]).toMatchObject({ text: 'Raised "Checkout: 502 errors | payments" as SEV2 by Grafana', offsetMs: 8 * MIN, actorKind: 'integration' });
    expect(pm.keyTimeline.find((e) => e.type === 'MITIGATED')?.text).toBe('Mitigated by Alice: Rolled back to v41');
    expect(pm.phases.map((p) => [p.phase, p.durationMs / MIN])).toEqual([
      ['impact', 23],
      ['triage', 3],
      ['responding', 12],
      ['mitigated', 25],
    ]);
    expect(pm.milestones.map((m) => m.name)).toEqual(['started', 'detected', 'acknowledged', 'mitigated', 'diagnosed', 'resolved', 'closed']);
    expect(pm.rootCause).toMatchObject({ summary: 'Connection pool exhausted by v42', recordedBy: 'Alice' });
    expect(pm.contributingFactors).toEqual(['No canary stage', 'Pool alert threshold too high']);
  });

  it('leaves the authors sections empty unless given, and lists action items with overdue flags', async () => {
    const { incident, timeline } = await fullStory();
    const bare = buildPostmortem(incident, timeline);
    expect([bare.wentWell, bare.wentPoorly, bare.gotLucky]).toEqual([[], [], []]);
    // Root cause, contributing factors and strong action items exist; Grafana detected it: nothing to ask.
    expect(bare.openQuestions).toEqual([]);

    const pm = buildPostmortem(incident, timeline, {
      now: '2026-03-20T00:00:00Z',
      wentWell: ['Rollback took two minutes'],
      wentPoorly: ['No canary'],
      gotLucky: ['It happened during office hours'],
      openQuestions: ['Should v42 have passed review?'],
    });
    expect(pm.wentWell).toEqual(['Rollback took two minutes']);
    expect(pm.openQuestions).toEqual(['Should v42 have passed review?']);
    expect(pm.actionItems.map((a) => [a.title, a.strength, a.overdue])).toEqual([
      ['Add a canary stage', 'stronger', true],
      ['Pool saturation alert', 'intermediate', false],
    ]);
  });

  it('redacts free text and renames actors through hooks', async () => {
    const { incident, timeline } = await fullStory();
    const pm = buildPostmortem(incident, timeline, {
      redact: (text) => text.replace(/v4\d/g, '[version]'),
      displayName: (actor) => actor.id.toUpperCase(),
    });
    const json = postmortemToJson(pm);
    expect(json).not.toMatch(/v4\d/);
    expect(pm.rootCause?.summary).toBe('Connection pool exhausted by [version]');
    expect(pm.detection.by).toBe('GRAFANA');
    expect(pm.response.roles[0]?.assignee).toBe('U_ALICE');
  });
});

describe('renderPostmortemMarkdown', () => {
  it('renders the sections a reader expects, with durations and escaped text', async () => {
    const { incident, timeline } = await fullStory();
    const md = renderPostmortemMarkdown(buildPostmortem(incident, timeline, { now: '2026-03-20T00:00:00Z', wentWell: ['Fast rollback'] }));
    const headings = md.split('\n').filter((line) => /^#{1,2} /.test(line));
    expect(headings).toEqual([
      '# Post-incident review: Checkout: 502 errors \\| payments',
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Detection',
      '## Response',
      '## Key timeline',
      '## Root cause and contributing factors',
      '## What went well',
      '## What went poorly',
      '## Where we got lucky',
      '## Action items',
      '## Open questions',
    ]);
    expect(md).toContain('| Duration | 23m |');
    expect(md).toContain('| Started | 2026-03-02 08:52:00 UTC |');
    expect(md).toContain('raised by a monitoring signal (Grafana) at 2026-03-02 09:00:00 UTC, 8m after impact began');
    expect(md).toContain('| Time to acknowledge | 3m |');
    expect(md).toContain('| Time to resolve | 40m |');
    expect(md).toContain('| commander | Alice | 2026-03-02 09:03:00 UTC |');
    // Markdown in a note is shown literally and cannot break the table.
    expect(md).toContain('| 2026-03-02 09:05:00 | +13m | Alice: Error rate \\*spiking\\* after deploy \\<v42\\> \\| all pods |');
    expect(md).toContain('- Fast rollback');
    expect(md).toContain("## What went poorly\n\n_To be filled in by the review's authors._");
    expect(md).toContain('| Add a canary stage | prevent | stronger | u\\_bob | 2026-03-10 | open **(overdue)** |');
    // Every table row has as many cells as its header.
    for (const table of md.split('\n\n').filter((block) => block.startsWith('|'))) {
      const rows = table.split('\n').map((row) => row.replace(/\\\|/g, '').split('|').length);
      expect(new Set(rows).size).toBe(1);
    }
  });

  it('draws the phases as a well-formed Mermaid gantt chart', async () => {
    const { incident, timeline } = await fullStory();
    const md = renderPostmortemMarkdown(buildPostmortem(incident, timeline));
    const blocks = mermaidBlocks(md);
    expect(blocks).toHaveLength(1);
    const gantt = parseGantt(blocks[0]!);
    expect(gantt.title).toBe('inc_1 Checkout - 502 errors | payments (UTC)');
    expect(gantt.tasks.filter((t) => !t.tags.includes('milestone')).map((t) => [t.section, t.name, t.start, t.end])).toEqual([
      ['Impact', 'Impact (23m)', '2026-03-02 08:52:00', '2026-03-02 09:15:00'],
      ['Triage', 'Triage (3m)', '2026-03-02 09:00:00', '2026-03-02 09:03:00'],
      ['Responding', 'Responding (12m)', '2026-03-02 09:03:00', '2026-03-02 09:15:00'],
      ['Mitigated', 'Mitigated (25m)', '2026-03-02 09:15:00', '2026-03-02 09:40:00'],
    ]);
    // The close a day later is left off the chart so the response stays readable.
    expect(gantt.tasks.filter((t) => t.tags.includes('milestone')).map((t) => t.name)).toEqual([
      'Detected',
      'Acknowledged',
      'Mitigated',
      'Root cause found',
      'Resolved',
    ]);
  });

  it('the diagram can be left out', async () => {
    const { incident, timeline } = await fullStory();
    expect(mermaidBlocks(renderPostmortemMarkdown(buildPostmortem(incident, timeline), { diagram: false }))).toEqual([]);
  });

  it('exports JSON that round-trips', async () => {
    const { incident, timeline } = await fullStory();
    const pm = buildPostmortem(incident, timeline);
    expect(JSON.parse(postmortemToJson(pm))).toEqual(pm);
  });
});

describe('other shapes of incident', () => {
  it('a reopened incident shows each cycle of impact and response', async () => {
    const { engine, minutes } = setup();
    const { id } = await engine.declare({ title: 'Login failures', severity: 'SEV3', service: 'auth', actor: alice });
    minutes(5);
    await engine.acknowledge(id, { actor: alice });
    minutes(5);
    await engine.mitigate(id, { summary: 'Restarted', actor: alice });
    minutes(30);
    await engine.reopen(id, { reason: 'Failures are back', actor: alice });
    minutes(10);
    await engine.resolve(id, { actor: alice });
    const pm = buildPostmortem(await engine.get(id), await engine.timeline(id));
    expect(pm.phases.map((p) => [p.phase, p.durationMs / MIN])).toEqual([
      ['impact', 10],
      ['impact', 10],
      ['triage', 5],
      ['responding', 5],
      ['responding', 10],
      ['mitigated', 30],
    ]);
    expect(pm.detection.method).toBe('person');
    expect(pm.response.reopened).toBe(1);
    expect(pm.openQuestions).toEqual([
      'What was the root cause? None has been recorded yet.',
      'Which actions would prevent a recurrence, or detect and contain it sooner?',
      'The incident was reopened 1 time(s); why did the first fix not hold?',
    ]);
    const gantt = parseGantt(postmortemGantt(pm));
    expect(gantt.tasks.filter((t) => t.section === 'Impact').map((t) => t.name)).toEqual(['Impact 1 (10m)', 'Impact 2 (10m)']);
  });

  it('an ongoing incident ends its phases at now and says so', async () => {
    const { engine, minutes } = setup();
    const { id } = await engine.declare({ title: 'Queue backlog', severity: 'SEV2', startedAt: '2026-03-02T08:30:00Z', actor: alice });
    minutes(4);
    await engine.acknowledge(id, { actor: alice });
    const pm = buildPostmortem(await engine.get(id), await engine.timeline(id), { now: '2026-03-02T10:00:00Z' });
    expect(pm.impact).toMatchObject({ ongoing: true, durationMs: 90 * MIN });
    expect(pm.impact.endedAt).toBeUndefined();
    expect(pm.phases.filter((p) => p.ongoing).map((p) => [p.phase, p.end])).toEqual([
      ['impact', '2026-03-02T10:00:00.000Z'],
      ['responding', '2026-03-02T10:00:00.000Z'],
    ]);
    expect(pm.openQuestions).toContain(
      'Impact went unnoticed for 30m and a person declared the incident; why did monitoring not catch it?',
    );
    const md = renderPostmortemMarkdown(pm);
    expect(md).toContain('| Ended | ongoing |');
    expect(md).toContain('| Duration | 1h 30m so far |');
    expect(parseGantt(mermaidBlocks(md)[0]!).tasks.find((t) => t.section === 'Responding')).toMatchObject({ tags: ['active'] });
  });

  it('counts escalations and target breaches found on the timeline', async () => {
    const { incident, timeline } = await fullStory();
    const extra = (seq: number, type: string, data: Record<string, unknown>) => ({
      seq,
      incidentId: incident.id,
      type,
      at: '2026-03-02T09:02:00.000Z',
      actor: { kind: 'system' as const, id: 'incidentkit' },
      data,
    });
    const pm = buildPostmortem(incident, [...timeline, extra(100, 'ESCALATED', { level: 2, targets: ['team-lead'] }), extra(101, 'TARGET_BREACHED', { target: 'acknowledge' })]);
    expect(pm.response.escalations).toBe(1);
    expect(pm.response.targetBreaches).toEqual([{ target: 'acknowledge', at: '2026-03-02T09:02:00.000Z' }]);
    expect(pm.keyTimeline.map((e) => e.text)).toContain('Escalated to level 2 (team-lead)');
    expect(pm.response.nobodyPaged).toEqual([]);
  });

  it('lists when nobody could be paged, in the response and the key timeline', async () => {
    const { incident, timeline } = await fullStory();
    const extra = (seq: number, type: string, data: Record<string, unknown>) => ({
      seq,
      incidentId: incident.id,
      type,
      at: '2026-03-02T09:02:00.000Z',
      actor: { kind: 'system' as const, id: 'incidentkit' },
      data,
    });
    const targets = [{ kind: 'schedule', id: 'nights' }, { kind: 'role', role: 'commander' }];
    const pm = buildPostmortem(incident, [
      ...timeline,
      extra(100, 'ESCALATED', { level: 2, targets, paged: [], nobody: true, exhausted: true }),
      extra(101, 'NOBODY_PAGED', { step: 2, level: 2, cycle: 0, targets }),
    ]);
    expect(pm.response.nobodyPaged).toEqual([{ level: 2, targets: ['schedule nights', 'role commander'], at: '2026-03-02T09:02:00.000Z' }]);
    expect(pm.keyTimeline.map((e) => e.text)).toContain(
      'Nobody paged: the escalation policy ran out after level 2 (schedule nights, role commander) without reaching anyone',
    );
    expect(renderPostmortemMarkdown(pm)).toContain('Nobody could be paged: level 2 (schedule nights, role commander) at ');
  });

  it('without a timeline, escalations and missed targets come from the projection', async () => {
    const { incident } = await fullStory();
    const escalated = {
      ...incident,
      escalation: { level: 2, cycle: 0, count: 2, targets: ['lead'], lastEscalatedAt: '2026-03-02T09:02:00.000Z' },
      breaches: [{ target: 'acknowledge', dueAt: '2026-03-02T09:02:00.000Z', at: '2026-03-02T09:02:00.000Z' }],
    } as Incident;
    const pm = buildPostmortem(escalated, []);
    expect(pm.response.escalations).toBe(2);
    expect(pm.response.targetBreaches).toEqual([{ target: 'acknowledge', at: '2026-03-02T09:02:00.000Z' }]);
  });

  it('without a timeline, phases come from the milestones', async () => {
    const { incident } = await fullStory();
    const pm = buildPostmortem(incident, []);
    expect(pm.phases.map((p) => p.phase)).toEqual(['impact', 'triage', 'responding', 'mitigated']);
    expect(pm.keyTimeline).toEqual([]);
    expect(pm.detection.method).toBe('integration');
  });

  it('refuses a timeline of another incident', async () => {
    const { incident, timeline } = await fullStory();
    const caught = thrown(() => buildPostmortem({ ...incident, id: 'inc_other' }, timeline));
    expect(isIncidentKitError(caught, 'VALIDATION_FAILED')).toBe(true);
    expect((caught as Error).message).toContain("engine.timeline('inc_other')");
  });
});

describe('mermaidGanttText', () => {
  it.each([
    ['Checkout: down; see #42', 'Checkout - down see 42'],
    ['title of the outage', '- title of the outage'],
    ['2026-01-01 outage', '- 2026-01-01 outage'],
    ['50%% errors\nsecond line', '50 errors second line'],
    [':::', '- - -'],
  ])('%j becomes %j', (input, output) => {
    expect(mermaidGanttText(input)).toBe(output);
  });
});
