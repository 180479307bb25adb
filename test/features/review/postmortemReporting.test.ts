import { describe, expect, it } from 'vitest';
import { defineStatusLabels } from '../../../src/model/statusLabels.js';
import { computeClock } from '../../../src/features/compliance/computeClock.js';
import type { ClockState } from '../../../src/model/reportingClock.js';
import { gdpr, nis2 } from '../../../src/features/compliance/regimes.js';
import { isIncidentKitError } from '../../../src/errors.js';
import { EVENT_TYPES } from '../../../src/model/event.js';
import type { Incident } from '../../../src/model/incident.js';
import type { JsonValue } from '../../../src/model/primitives.js';
import { KEY_EVENT_TYPES, buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { postmortemToJson, renderPostmortemMarkdown } from '../../../src/features/review/renderPostmortemMarkdown.js';
import type { TimelineEventLike } from '../../../src/features/review/types.js';
import { thrown } from '../../helpers.js';

const MRN = 'MRN-00042';
const nurse = { kind: 'user', id: 'u_chidi', name: 'Chidi Okafor' } as const;
const dpo = { kind: 'user', id: 'u_dpo', name: 'Dana (DPO)' } as const;
const system = { kind: 'system', id: 'incidentkit' } as const;

const AWARE = '2026-03-02T09:00:00Z';

/** GDPR: aware 09:00 on 2 March, due 5 March 09:00, filed late on 6 March with reference DPA-42 and no reasons recorded. */
const gdprClock: ClockState = computeClock(gdpr, {
  triggers: { awareness: AWARE },
  filings: { notification: '2026-03-06T10:00:00Z' },
  references: { notification: 'DPA-42' },
  now: '2026-03-06T10:00:00Z',
});

/** NIS2: early warning filed on time; the notification missed 5 March 09:00; the final report waits for it. */
const nis2Clock: ClockState = computeClock(nis2, {
  triggers: { awareness: AWARE },
  filings: { earlyWarning: '2026-03-03T08:00:00Z' },
  references: { earlyWarning: 'CSIRT-7' },
  now: '2026-03-05T09:00:00.001Z',
});

const labels = defineStatusLabels({
  investigating: { status: 'responding', default: true },
  monitoring: { status: ['mitigated', 'resolved'], title: 'Monitoring the patient' },
});

/** A medication error as the projection would hold it after the engine recorded fields, a label and two clocks. */
function medicationError(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_med_1',
    tenantId: 'default',
    title: 'Heparin overdose on ward 4B',
    status: 'mitigated',
    severity: 'SEV2',
    service: 'ward-4b',
    version: 9,
    startedAt: '2026-03-02T08:40:00.000Z',
    detectedAt: '2026-03-02T09:00:00.000Z',
    acknowledgedAt: '2026-03-02T09:02:00.000Z',
    mitigatedAt: '2026-03-02T09:20:00.000Z',
    updatedAt: '2026-03-06T10:00:00.000Z',
    createdBy: nurse,
    roles: {},
    actionItems: [],
    labels: {},
    fields: { patientId: MRN, drug: 'heparin', dose: { amount: 5000, unit: 'units' }, route: 'iv', ward: '4B' },
    reopenCount: 0,
    breaches: [],
    alerts: [],
    alertCount: 0,
    unresolvedAlertCount: 0,
    type: 'medication-error',
    statusLabel: 'monitoring',
    clocks: [gdprClock, nis2Clock],
    overdueReports: [{ regime: 'nis2', phase: 'notification', dueAt: '2026-03-05T09:00:00.000Z', at: '2026-03-05T09:00:00.001Z' }],
    policy: { reviewRequiredFor: ['SEV1', 'SEV2'], statusLabels: labels, sensitiveFields: ['patientId'] },
    ...overrides,
  };
}

function ev(seq: number, type: string, at: string, data: Readonly<Record<string, JsonValue>>, actor: TimelineEventLike['actor'] = nurse): TimelineEventLike {
  return { seq, incidentId: 'inc_med_1', type, at, actor, data };
}

/** The timeline as stored: the patient identifier is in the `DECLARED` and `FIELDS_UPDATED` data. */
const timeline: readonly TimelineEventLike[] = [
  ev(1, 'DECLARED', '2026-03-02T09:00:00.000Z', { title: 'Heparin overdose on ward 4B', severity: 'SEV2', fields: { patientId: MRN, drug: 'heparin' } }),
  ev(2, 'ACKNOWLEDGED', '2026-03-02T09:02:00.000Z', {}),
  ev(3, 'FIELDS_UPDATED', '2026-03-02T09:05:00.000Z', {
    fields: { patientId: MRN, dose: { amount: 5000, unit: 'units' }, route: 'iv' },
    changed: ['patientId', 'dose', 'route'],
  }),
  ev(4, 'STATUS_LABEL_SET', '2026-03-02T09:06:00.000Z', { label: 'monitoring', previous: 'investigating' }),
  ev(5, 'MITIGATED', '2026-03-02T09:20:00.000Z', { summary: 'Protamine given; patient stable' }),
  ev(6, 'CLOCK_STARTED', '2026-03-02T10:00:00.000Z', { regime: 'gdpr', trigger: 'awareness', triggeredAt: AWARE, clock: gdprClock as unknown as JsonValue }, dpo),
  ev(7, 'CLOCK_STARTED', '2026-03-02T10:01:00.000Z', { regime: 'nis2', trigger: 'awareness', triggeredAt: AWARE, clock: nis2Clock as unknown as JsonValue }, dpo),
  ev(8, 'REPORT_FILED', '2026-03-03T08:00:00.000Z', { regime: 'nis2', phase: 'earlyWarning', filedAt: '2026-03-03T08:00:00.000Z', reference: 'CSIRT-7', clock: nis2Clock as unknown as JsonValue }, dpo),
  ev(9, 'REPORT_OVERDUE', '2026-03-05T09:00:00.001Z', { regime: 'nis2', phase: 'notification', phaseDueAt: '2026-03-05T09:00:00.000Z', dueAt: '2026-03-05T09:00:00.001Z' }, system),
  ev(10, 'REPORT_FILED', '2026-03-06T10:00:00.000Z', { regime: 'gdpr', phase: 'notification', filedAt: '2026-03-06T10:00:00.000Z', reference: 'DPA-42', clock: gdprClock as unknown as JsonValue }, dpo),
];

const everyType = { keyEventTypes: [...EVENT_TYPES] };

describe('buildPostmortem with sensitive custom fields', () => {
  it('never shows a sensitive value in the JSON or the Markdown, whatever the options', () => {
    const incident = medicationError();
    for (const options of [{}, everyType, { ...everyType, now: '2026-03-10T00:00:00Z' }, { ...everyType, includeSensitiveFields: false }]) {
      const pm = buildPostmortem(incident, timeline, options);
      expect(postmortemToJson(pm)).not.toContain(MRN);
      expect(renderPostmortemMarkdown(pm)).not.toContain(MRN);
      expect(renderPostmortemMarkdown(pm, { diagram: false, headingLevel: 2 })).not.toContain(MRN);
    }
  });

  it('keeps the other fields, replacing only the sensitive value', () => {
    const pm = buildPostmortem(medicationError(), timeline);
    expect(pm.version).toBe(1);
    expect(pm.incident.fields).toEqual({ patientId: '[REDACTED]', drug: 'heparin', dose: { amount: 5000, unit: 'units' }, route: 'iv', ward: '4B' });
    expect(pm.incident).toMatchObject({ type: 'medication-error', statusLabel: 'monitoring', statusLabelTitle: 'Monitoring the patient' });
  });

  it('shows the sensitive value only when asked with includeSensitiveFields', () => {
    const pm = buildPostmortem(medicationError(), timeline, { includeSensitiveFields: true });
    expect(pm.incident.fields.patientId).toBe(MRN);
    expect(postmortemToJson(pm)).toContain(MRN);
    expect(renderPostmortemMarkdown(pm)).toContain(`| patientId | ${MRN} |`);
  });

  it('redacts nested and listed paths, and does not modify the incident', () => {
    const incident = medicationError({
      fields: { patient: { mrn: MRN, ward: '4B' }, contacts: [{ phone: '555-0100', role: 'daughter' }] },
      policy: { reviewRequiredFor: [], sensitiveFields: ['patient.mrn', 'contacts.*.phone'] },
    });
    const pm = buildPostmortem(incident, []);
    expect(pm.incident.fields).toEqual({ patient: { mrn: '[REDACTED]', ward: '4B' }, contacts: [{ phone: '[REDACTED]', role: 'daughter' }] });
    expect(incident.fields).toEqual({ patient: { mrn: MRN, ward: '4B' }, contacts: [{ phone: '555-0100', role: 'daughter' }] });
    const md = renderPostmortemMarkdown(pm);
    expect(md).toContain('| patient.mrn | \\[REDACTED\\] |');
    expect(md).toContain('| patient.ward | 4B |');
    expect(md).not.toContain('555-0100');
  });

  it('passes field text through the redact hook as `field`', () => {
    const seen: string[] = [];
    const pm = buildPostmortem(medicationError(), [], {
      includeSensitiveFields: true,
      redact: (text, field) => {
        if (field === 'field') seen.push(text);
        return field === 'field' ? text.replace(/MRN-\d+/g, '[mrn]') : text;
      },
    });
    expect(pm.incident.fields.patientId).toBe('[mrn]');
    expect(seen).toContain(MRN);
    expect(postmortemToJson(pm)).not.toContain(MRN);
  });

  it('reports a malformed sensitive path as a configuration error', () => {
    const incident = medicationError({ policy: { reviewRequiredFor: [], sensitiveFields: ['patient..mrn'] } });
    const caught = thrown(() => buildPostmortem(incident, []));
    expect(isIncidentKitError(caught, 'CONFIG_INVALID')).toBe(true);
  });

  it('renders a Details section with the type, the status label and the fields', () => {
    const md = renderPostmortemMarkdown(buildPostmortem(medicationError(), timeline));
    expect(md).toContain(
      [
        '## Details',
        '',
        '| Detail | Value |',
        '| --- | --- |',
        '| Incident type | medication-error |',
        '| Status label | Monitoring the patient (monitoring) |',
        '| patientId | \\[REDACTED\\] |',
        '| drug | heparin |',
        '| dose.amount | 5000 |',
        '| dose.unit | units |',
        '| route | iv |',
        '| ward | 4B |',
      ].join('\n'),
    );
  });

  it('leaves out Details and Regulatory reporting for an incident without them', () => {
    const plain = medicationError({ fields: {}, policy: { reviewRequiredFor: [] } });
    const { type: _type, statusLabel: _label, clocks: _clocks, overdueReports: _overdue, ...rest } = plain;
    const pm = buildPostmortem(rest, []);
    expect(pm.incident.fields).toEqual({});
    expect(pm.reporting).toEqual({ clocks: [], overdue: [] });
    const md = renderPostmortemMarkdown(pm);
    expect(md).not.toContain('## Details');
    expect(md).not.toContain('## Regulatory reporting');
  });
});

describe('buildPostmortem regulatory reporting', () => {
  it('lists each clock with its reports, due and filed times, statuses and references', () => {
    const pm = buildPostmortem(medicationError(), timeline);
    expect(pm.reporting.clocks).toEqual([
      {
        regime: 'gdpr',
        title: 'GDPR personal data breach notification',
        reference: 'Regulation (EU) 2016/679 (GDPR), Art. 33',
        status: 'complete',
        phases: [
          {
            phase: 'notification',
            title: 'Notification to the supervisory authority',
            reference: 'GDPR Art. 33(1)',
            dueAt: '2026-03-05T09:00:00.000Z',
            filedAt: '2026-03-06T10:00:00.000Z',
            status: 'filedLate',
            filingReference: 'DPA-42',
            reasonForDelayRequired: true,
          },
        ],
      },
      {
        regime: 'nis2',
        title: 'NIS2 significant incident reporting',
        reference: 'Directive (EU) 2022/2555 (NIS2), Art. 23(4)',
        status: 'overdue',
        phases: [
          {
            phase: 'earlyWarning',
            title: 'Early warning',
            reference: 'NIS2 Art. 23(4)(a)',
            dueAt: '2026-03-03T09:00:00.000Z',
            filedAt: '2026-03-03T08:00:00.000Z',
            status: 'filed',
            filingReference: 'CSIRT-7',
            reasonForDelayRequired: false,
          },
          {
            phase: 'notification',
            title: 'Incident notification',
            reference: 'NIS2 Art. 23(4)(b)',
            dueAt: '2026-03-05T09:00:00.000Z',
            status: 'overdue',
            reasonForDelayRequired: false,
          },
          { phase: 'finalReport', title: 'Final report', reference: 'NIS2 Art. 23(4)(d)', status: 'waiting', reasonForDelayRequired: false },
        ],
      },
    ]);
    expect(pm.reporting.overdue).toEqual([{ regime: 'nis2', phase: 'notification', dueAt: '2026-03-05T09:00:00.000Z', at: '2026-03-05T09:00:00.001Z' }]);
  });

  it('includes the reasons for a delay when recorded, through the redact hook', () => {
    const late = computeClock(gdpr, {
      triggers: { awareness: AWARE },
      filings: { notification: '2026-03-06T10:00:00Z' },
      reasonsForDelay: { notification: 'Scope unclear until patient MRN-00042 was traced' },
      now: '2026-03-06T10:00:00Z',
    });
    const pm = buildPostmortem(medicationError({ clocks: [late] }), [], { redact: (text) => text.replace(/MRN-\d+/g, '[mrn]') });
    expect(pm.reporting.clocks[0]?.phases[0]).toMatchObject({ status: 'filedLate', reasonForDelay: 'Scope unclear until patient [mrn] was traced' });
    expect(pm.reporting.clocks[0]?.phases[0]).not.toHaveProperty('filingReference');
    expect(pm.openQuestions.join(' ')).not.toContain('reasons for the delay');
  });

  it('takes statuses at `now`: a report pending when last recorded is overdue once its deadline passed', () => {
    const pending = computeClock(gdpr, { triggers: { awareness: AWARE }, now: '2026-03-03T00:00:00Z' });
    const incident = medicationError({ clocks: [pending], overdueReports: [] });
    expect(buildPostmortem(incident, []).reporting.clocks[0]).toMatchObject({ status: 'open', phases: [{ status: 'pending' }] });
    const later = buildPostmortem(incident, [], { now: '2026-03-10T00:00:00Z' });
    expect(later.reporting.clocks[0]).toMatchObject({ status: 'overdue', phases: [{ status: 'overdue' }] });
    expect(later.openQuestions).toContain(
      'The Notification to the supervisory authority (GDPR Art. 33(1)) for GDPR personal data breach notification was due 2026-03-05 09:00 UTC and has not been filed; who files it, and by when?',
    );
  });

  it('asks for the reasons of a late report when the regime requires them and none were recorded', () => {
    const pm = buildPostmortem(medicationError(), timeline);
    expect(pm.openQuestions).toContain(
      'The Notification to the supervisory authority (GDPR Art. 33(1)) for GDPR personal data breach notification was filed late; what were the reasons for the delay? The regime asks for them.',
    );
    expect(buildPostmortem(medicationError(), timeline, { suggestQuestions: false }).openQuestions).toEqual([]);
  });

  it('falls back to the clocks and overdue reports on the timeline when the projection has none', () => {
    const { clocks: _clocks, overdueReports: _overdue, ...withoutClocks } = medicationError();
    const pm = buildPostmortem(withoutClocks, timeline);
    expect(pm.reporting.clocks.map((c) => c.regime)).toEqual(['gdpr', 'nis2']);
    expect(pm.reporting.overdue).toEqual([{ regime: 'nis2', phase: 'notification', dueAt: '2026-03-05T09:00:00.000Z', at: '2026-03-05T09:00:00.001Z' }]);
  });

  it('renders a Regulatory reporting table per clock, and the deadlines missed', () => {
    const md = renderPostmortemMarkdown(buildPostmortem(medicationError(), timeline));
    const headings = md.split('\n').filter((line) => line.startsWith('## '));
    expect(headings.indexOf('## Regulatory reporting')).toBe(headings.indexOf('## Response') + 1);
    expect(headings.indexOf('## Details')).toBe(headings.indexOf('## Summary') + 1);
    expect(md).toContain(
      [
        '## Regulatory reporting',
        '',
        '**GDPR personal data breach notification** (Regulation (EU) 2016/679 (GDPR), Art. 33): complete',
        '',
        '| Report | Legal reference | Due (UTC) | Filed (UTC) | Status | Filing reference | Reason for delay |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| Notification to the supervisory authority | GDPR Art. 33(1) | 2026-03-05 09:00:00 | 2026-03-06 10:00:00 | **filed late** | DPA-42 | **required, not recorded** |',
        '',
        '**NIS2 significant incident reporting** (Directive (EU) 2022/2555 (NIS2), Art. 23(4)): **overdue**',
        '',
        '| Report | Legal reference | Due (UTC) | Filed (UTC) | Status | Filing reference | Reason for delay |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| Early warning | NIS2 Art. 23(4)(a) | 2026-03-03 09:00:00 | 2026-03-03 08:00:00 | filed | CSIRT-7 | — |',
        '| Incident notification | NIS2 Art. 23(4)(b) | 2026-03-05 09:00:00 | — | **overdue** | — | — |',
        '| Final report | NIS2 Art. 23(4)(d) | — | — | waiting | — | — |',
        '',
        'Deadlines missed:',
        '',
        '- Incident notification (NIS2 significant incident reporting): due 2026-03-05 09:00:00 UTC, recorded overdue 2026-03-05 09:00:00 UTC',
        '',
        '## Key timeline',
      ].join('\n'),
    );
  });

  it('escapes Markdown in filing references and reasons, so they cannot break the table', () => {
    const clock = computeClock(gdpr, {
      triggers: { awareness: AWARE },
      filings: { notification: '2026-03-06T10:00:00Z' },
      references: { notification: 'DPA|42 <b>' },
      reasonsForDelay: { notification: 'Waited for *legal* | see [memo](http://x)' },
      now: '2026-03-06T10:00:00Z',
    });
    const md = renderPostmortemMarkdown(buildPostmortem(medicationError({ clocks: [clock], overdueReports: [] }), []));
    const row = md.split('\n').find((line) => line.startsWith('| Notification to the supervisory authority'));
    expect(row).toBe(
      '| Notification to the supervisory authority | GDPR Art. 33(1) | 2026-03-05 09:00:00 | 2026-03-06 10:00:00 | **filed late** | DPA\\|42 \\<b\\> | Waited for \\*legal\\* \\| see \\[memo\\](http://x) |',
    );
    expect(row?.split(/(?<!\\)\|/).length).toBe(9);
  });
});

describe('key timeline texts for classification and reporting events', () => {
  it('shows clocks started, reports filed and reports overdue by default', () => {
    expect(KEY_EVENT_TYPES).toEqual(expect.arrayContaining(['CLOCK_STARTED', 'REPORT_FILED', 'REPORT_OVERDUE']));
    const pm = buildPostmortem(medicationError(), timeline);
    expect(pm.keyTimeline.map((e) => [e.type, e.text])).toEqual([
      ['DECLARED', 'Declared "Heparin overdose on ward 4B" as SEV2 by Chidi Okafor'],
      ['ACKNOWLEDGED', 'Acknowledged by Chidi Okafor'],
      ['MITIGATED', 'Mitigated by Chidi Okafor: Protamine given; patient stable'],
      ['CLOCK_STARTED', 'GDPR personal data breach notification clock started (awareness at 2026-03-02 09:00 UTC) by Dana (DPO)'],
      ['CLOCK_STARTED', 'NIS2 significant incident reporting clock started (awareness at 2026-03-02 09:00 UTC) by Dana (DPO)'],
      ['REPORT_FILED', 'Report filed: Early warning (NIS2 Art. 23(4)(a), ref CSIRT-7) by Dana (DPO)'],
      ['REPORT_OVERDUE', 'Report overdue: Incident notification (NIS2 Art. 23(4)(b)) was due 2026-03-05 09:00 UTC'],
      ['REPORT_FILED', 'Report filed: Notification to the supervisory authority (GDPR Art. 33(1), ref DPA-42) by Dana (DPO); late, was due 2026-03-05 09:00 UTC'],
    ]);
  });

  it('names changed fields but never their values, and describes status labels by title', () => {
    const pm = buildPostmortem(medicationError(), timeline, everyType);
    const text = (type: string): string | undefined => pm.keyTimeline.find((e) => e.type === type)?.text;
    expect(text('FIELDS_UPDATED')).toBe('Fields updated by Chidi Okafor: patientId, dose, route');
    expect(text('STATUS_LABEL_SET')).toBe('Status set to Monitoring the patient (was investigating) by Chidi Okafor');
    expect(pm.keyTimeline.map((e) => e.text).join('\n')).not.toMatch(/MRN|5000|units/);
  });

  it('falls back to ids when the clock is unknown, and to field keys without a `changed` list', () => {
    const bare = medicationError({ clocks: [], overdueReports: [] });
    const events = [
      ev(1, 'FIELDS_UPDATED', '2026-03-02T09:05:00.000Z', { fields: { dose: '10 ml', route: 'iv' } }),
      ev(2, 'CLOCK_STARTED', '2026-03-02T10:00:00.000Z', { regime: 'nis2', trigger: 'awareness', triggeredAt: AWARE }),
      ev(3, 'REPORT_FILED', '2026-03-02T11:00:00.000Z', { regime: 'gdpr', phase: 'notification', filedAt: '2026-03-02T11:00:00.000Z', reference: 'DPA-42' }),
      ev(4, 'REPORT_OVERDUE', '2026-03-03T09:00:00.001Z', { regime: 'nis2', phase: 'earlyWarning', phaseDueAt: '2026-03-03T09:00:00.000Z' }, system),
      ev(5, 'STATUS_LABEL_SET', '2026-03-03T10:00:00.000Z', { label: 'fixing' }),
    ];
    const texts = buildPostmortem(bare, events, everyType).keyTimeline.map((e) => e.text);
    expect(texts).toEqual([
      'Fields updated by Chidi Okafor: dose, route',
      'nis2 clock started (awareness at 2026-03-02 09:00 UTC) by Chidi Okafor',
      'Report filed: gdpr notification (ref DPA-42) by Chidi Okafor',
      'Report overdue: nis2 earlyWarning was due 2026-03-03 09:00 UTC',
      'Status set to fixing by Chidi Okafor',
    ]);
    expect(texts.join('\n')).not.toContain('10 ml');
  });
});
