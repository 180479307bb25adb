/** buildNistReport and renderNistReportMarkdown over an engine's real incident and timeline. */
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { buildNistReport, DEFAULT_NIST_TAGS } from '../../../src/features/security/buildNistReport.js';
import { renderNistReportMarkdown } from '../../../src/features/security/renderNistReportMarkdown.js';
import { NIST_REPORT_SECTIONS } from '../../../src/features/security/nistReportTypes.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

const T0 = '2026-03-01T09:00:00.000Z';
const ADA = { id: 'u_ada', name: 'Ada' };
const LEE = { id: 'u_lee', name: 'Lee' };
const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

async function ransomwareIncident() {
  const clock = createManualClock(T0);
  const engine = createIncidentEngine({ store: memoryStore(), clock });
  const { id } = await engine.declare({ title: 'Ransomware on file server fs-2', severity: 'SEV3', service: 'files', actor: ADA });
  clock.advance(5 * 60_000);
  await engine.acknowledge(id, { actor: ADA });
  await engine.addNote(id, { text: 'EDR shows mass renames on fs-2', actor: ADA }); // seq 3, untagged: tagged later
  await engine.addEvidence(id, { kind: 'attachment', uri: 's3://forensics/fs-2/disk.e01', sha256: SHA, note: 'Disk image of fs-2', actor: LEE });
  clock.advance(10 * 60_000);
  await engine.addNote(id, { text: 'fs-2 unplugged from the network', actor: ADA, nist: ['RS.MI'] });
  await engine.mitigate(id, { summary: 'fs-2 isolated; shares read-only', actor: ADA });
  await engine.postUpdate(id, { audience: 'stakeholders', message: 'File shares read-only while we restore', actor: ADA });
  await engine.recordRootCause(id, { summary: 'Phished VPN credentials without MFA', contributingFactors: ['MFA not enforced on the legacy VPN'], actor: ADA });
  clock.advance(60 * 60_000);
  await engine.resolve(id, { summary: 'Restored from backup', actor: ADA });
  await engine.addActionItem(id, { title: 'Enforce MFA on the VPN', owner: 'u_lee', dueAt: at(7 * 24 * 60), actor: ADA });
  await engine.addNote(id, { text: 'Thanks all', actor: ADA }); // untagged, no default: unmapped
  await engine.tagEvent(id, { eventSeq: 3, nist: ['DE.AE', 'RS.AN'], actor: ADA });
  return { engine, id };
}

describe('buildNistReport', () => {
  it('files events by their tags, tags added later and the default mapping, in the SP 800-61r3 sections', async () => {
    const { engine, id } = await ransomwareIncident();
    const report = buildNistReport(await engine.get(id), await engine.timeline(id));
    const section = (name: string) => report.sections.find((s) => s.id === name)!.entries.map((e) => [e.seq, e.type, e.tags, e.tagSource]);

    expect(report.sections.map((s) => s.id)).toEqual([...NIST_REPORT_SECTIONS]);
    expect(section('detection')).toEqual([
      [1, 'DECLARED', ['DE.AE'], 'default'],
      [3, 'NOTE_ADDED', ['DE.AE', 'RS.AN'], 'tagged'],
    ]);
    expect(section('analysis')).toEqual([
      [2, 'ACKNOWLEDGED', ['RS.MA'], 'default'],
      [3, 'NOTE_ADDED', ['DE.AE', 'RS.AN'], 'tagged'],
      [4, 'EVIDENCE_ADDED', ['RS.AN'], 'default'],
      [8, 'ROOT_CAUSE_RECORDED', ['RS.AN'], 'default'],
    ]);
    expect(section('containmentEradication')).toEqual([
      [5, 'NOTE_ADDED', ['RS.MI'], 'tagged'],
      [6, 'MITIGATED', ['RS.MI'], 'default'],
    ]);
    expect(section('communication')).toEqual([[7, 'UPDATE_POSTED', ['RS.CO'], 'default']]);
    expect(section('recovery')).toEqual([[9, 'RESOLVED', ['RC.RP'], 'default']]);
    expect(section('lessonsLearned')).toEqual([[10, 'ACTION_ITEM_ADDED', ['ID.IM'], 'default']]);
    expect(section('preparation')).toEqual([]);
    // The tagging event is not an entry; an untagged note without a default is not lost.
    expect(report.unmapped.map((e) => [e.seq, e.text])).toEqual([[11, 'Ada: Thanks all']]);
    expect(report.tagCounts).toEqual({ 'DE.AE': 2, 'RS.MA': 1, 'RS.AN': 3, 'RS.CO': 1, 'RS.MI': 2, 'RC.RP': 1, 'ID.IM': 1 });
  });

  it('lists the evidence with its chain of custody and the lessons learned', async () => {
    const { engine, id } = await ransomwareIncident();
    const timeline = await engine.timeline(id);
    const report = buildNistReport(await engine.get(id), timeline);
    expect(report.evidence).toEqual([
      {
        id: expect.stringMatching(/^evd_/) as string,
        kind: 'attachment',
        storedAt: 's3://forensics/fs-2/disk.e01',
        sha256: SHA,
        note: 'Disk image of fs-2',
        collectedBy: 'Lee',
        collectedByActor: { kind: 'user', id: 'u_lee', name: 'Lee' },
        collectedAt: at(5),
        eventSeq: 4,
        eventHash: timeline[3]!.hash,
      },
    ]);
    expect(report.lessons).toEqual({
      rootCause: 'Phished VPN credentials without MFA',
      contributingFactors: ['MFA not enforced on the legacy VPN'],
      causes: [],
      actionItems: [{ id: expect.any(String) as string, title: 'Enforce MFA on the VPN', owner: 'u_lee', dueAt: at(7 * 24 * 60), status: 'open' }],
    });
    expect(report.incident).toEqual({ id, title: 'Ransomware on file server fs-2', severity: 'SEV3', status: 'resolved', service: 'files', startedAt: T0, detectedAt: T0, acknowledgedAt: at(5), mitigatedAt: at(15), resolvedAt: at(75) });
  });

  it('takes the host’s default tags and redaction, and refuses a timeline of another incident', async () => {
    const { engine, id } = await ransomwareIncident();
    const report = buildNistReport(await engine.get(id), await engine.timeline(id), {
      defaultTags: { NOTE_ADDED: ['RS.CO'], DECLARED: [] },
      redact: (text, field) => (field === 'evidence' ? '[REDACTED]' : text),
      displayName: (actor) => actor.id,
    });
    expect(report.sections.find((s) => s.id === 'communication')!.entries.map((e) => e.seq)).toEqual([7, 11]);
    expect(report.unmapped.map((e) => e.type)).toEqual(['DECLARED']);
    expect(report.evidence[0]).toMatchObject({ note: '[REDACTED]', collectedBy: 'u_lee' });
    const other = await engine.declare({ title: 'Other', severity: 'SEV3', actor: ADA });
    const timeline = await engine.timeline(id);
    expect(() => buildNistReport(other, timeline)).toThrow(/The timeline holds an event of incident .*; pass engine\.timeline/);
  });

  it('maps every default to a CSF 2.0 category', () => {
    expect(DEFAULT_NIST_TAGS).toMatchObject({ DECLARED: ['DE.AE'], MITIGATED: ['RS.MI'], RESOLVED: ['RC.RP'], EVIDENCE_ADDED: ['RS.AN'], UPDATE_POSTED: ['RS.CO'] });
  });
});

describe('renderNistReportMarkdown', () => {
  it('renders the sections with tags, the chain of custody and the lessons, escaping incident text', async () => {
    const { engine, id } = await ransomwareIncident();
    await engine.addNote(id, { text: 'See *runbook* | step 2', actor: ADA, nist: ['RC.CO'] });
    const markdown = renderNistReportMarkdown(buildNistReport(await engine.get(id), await engine.timeline(id)));
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Incident report: Ransomware on file server fs-2');
    expect(lines.filter((l) => l.startsWith('## '))).toEqual([
      '## Detection (DE, DE.CM, DE.AE)',
      '## Analysis (RS, RS.MA, RS.AN)',
      '## Containment and eradication (RS.MI)',
      '## Recovery (RC, RC.RP, RC.CO)',
      '## Communication (RS.CO)',
      '## Evidence and chain of custody',
      '## Lessons learned (ID.IM)',
    ]);
    expect(markdown).toContain('- 2026-03-01 09:15 UTC (#6): Mitigated by Ada: fs-2 isolated; shares read-only — `RS.MI` _(by event type)_');
    expect(markdown).toContain('- 2026-03-01 09:15 UTC (#5): Ada: fs-2 unplugged from the network — `RS.MI`\n');
    expect(markdown).toContain('Ada: See \\*runbook\\* \\| step 2 — `RC.CO`');
    expect(markdown).toMatch(/\| `evd_\w+`: Disk image of fs-2 \| attachment \| s3:\/\/forensics\/fs-2\/disk.e01 \| `9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08` \| Lee \| 2026-03-01 09:05 UTC \| #4 \(`[0-9a-f]{12}…`\) \|/);
    expect(markdown).toContain('**Root cause:** Phished VPN credentials without MFA');
    expect(markdown).toContain('| Enforce MFA on the VPN | u\\_lee | 2026-03-08 09:00 UTC | open |');
    expect(markdown).not.toContain('Thanks all');
    expect(renderNistReportMarkdown(buildNistReport(await engine.get(id), await engine.timeline(id)), { unmapped: true })).toContain('## Other events (no CSF tag)\n\n- 2026-03-01 10:15 UTC (#11): Ada: Thanks all');
  });
});
