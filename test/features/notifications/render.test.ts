import { describe, expect, it } from 'vitest';
import { defineStatusLabels } from '../../../src/model/statusLabels.js';
import { computeClock } from '../../../src/features/compliance/computeClock.js';
import type { ClockState } from '../../../src/model/reportingClock.js';
import { gdpr, nis2 } from '../../../src/features/compliance/regimes.js';
import { EVENT_TYPES, type IncidentEventType, type StoredEvent } from '../../../src/model/event.js';
import type { Incident } from '../../../src/model/incident.js';
import type { JsonValue } from '../../../src/model/primitives.js';
import { defaultTemplates, renderNotification } from '../../../src/features/notifications/render.js';
import { factsLine } from '../../../src/features/notifications/templateHelpers.js';
import { formatDuration, formatTime } from '../../../src/kernel/timeFormat.js';
import { CONTRACT_EVENT_TYPES, sampleNotification } from '../../../src/testing/notifierContract.js';
import { history, itOutage, makeFixture, medicationError } from '../../fixtures/notify/seed.js';

describe('renderNotification', () => {
  it('renders a title and body for every notified event type, naming the incident', () => {
    for (const type of CONTRACT_EVENT_TYPES) {
      const message = sampleNotification(type);
      expect(message.title, type).toContain('Checkout API returns errors');
      expect(message.text.length, type).toBeGreaterThan(10);
      expect(message.title, type).not.toMatch(/undefined|\[object/);
      expect(message.text, type).not.toMatch(/undefined|\[object/);
    }
  });

  it('tells what happened in words, with times in UTC', () => {
    expect(sampleNotification('ESCALATED').title).toBe('Escalated to level 2: Checkout API returns errors');
    expect(sampleNotification('ESCALATED').text).toContain('Now notifying: team-payments, duty-manager.');
    expect(sampleNotification('CANCELED').text).toContain('Follow incident inc_contract_0 instead.');
    expect(sampleNotification('MERGED_INTO').title).toBe('Merged: Checkout API returns errors');
    expect(sampleNotification('MERGED_INTO').text).toBe(
      'Bob merged this incident into inc_contract_0 as a duplicate; its 3 alert(s) and their repeats go there now.\n\nFollow incident inc_contract_0 instead.',
    );
    expect(sampleNotification('UNMERGED').text).toContain('Bob undid the merge of this incident into inc_contract_0: it is open again (responding), with its alerts back.');
    const merged = sampleNotification('UNMERGED');
    const from = renderNotification({ event: { ...merged.event, type: 'MERGED_FROM', data: { from: 'inc_9', alertCount: 2 } }, incident: merged.incident, audience: 'internal' });
    expect([from.title, from.text.split('\n')[0]]).toEqual(['Incident merged in: Checkout API returns errors', 'Bob merged incident inc_9 into this one; its 2 alert(s) are here now.']);
    expect(sampleNotification('TARGET_BREACHED').text).toContain(
      'The SEV1 target to acknowledge within 5 min of detection was missed (due 2026-01-01 10:05 UTC).',
    );
    expect(sampleNotification('NOBODY_PAGED').title).toBe('Nobody paged: Checkout API returns errors');
    expect(sampleNotification('NOBODY_PAGED').text).toContain(
      'The escalation policy ran out at 2026-01-01 10:20 UTC: level 2 (schedule payments-primary, role commander) reached nobody. Page someone by hand.',
    );
    // An escalation whose typed targets resolved to nobody names them.
    const gap = sampleNotification('ESCALATED');
    const event = {
      ...gap.event,
      data: {
        ...gap.event.data,
        paged: ['u_ben'],
        nobody: false,
        resolved: [
          { target: { kind: 'schedule', id: 'nights' }, userIds: [] },
          { target: { kind: 'role', role: 'commander' }, userIds: [] },
          { target: { kind: 'user', id: 'u_ben' }, userIds: ['u_ben'] },
        ],
      },
    };
    expect(defaultTemplates.ESCALATED({ incident: gap.incident, event, audience: 'internal' }).text).toContain('Reached nobody: schedule nights, role commander.');
    expect(sampleNotification('REMINDER_DUE').text).toContain('A status update is due for this SEV1 incident (every 30 min while it is open).');
    expect(sampleNotification('UPDATE_POSTED').text).toContain('for stakeholders');
    expect(sampleNotification('RESOLVED').text).toContain('25 min after impact began');
  });

  it('reads well for an IT outage from the real engine', async () => {
    const fixture = makeFixture();
    const incident = await itOutage(fixture);
    const { events } = await history(fixture.engine, incident.id);
    const rendered = events.map((event) => renderNotification({ incident, event, audience: 'internal' }));
    expect(rendered.map((r) => r.title)).toEqual([
      'Incident declared: Checkout API returns 502 errors',
      'Acknowledged: Checkout API returns 502 errors',
      'Update: Checkout API returns 502 errors',
      'Mitigated: Checkout API returns 502 errors',
      'Resolved: Checkout API returns 502 errors',
    ]);
    expect(rendered[0]?.text).toContain('About 30 % of card payments fail since 08:55 UTC.');
    expect(rendered[0]?.text).toContain('Declared by Alice Ops at 2026-03-02 09:00 UTC.');
    expect(rendered[3]?.text).toContain('Impact is contained: Traffic failed over to eu-west-2.');
    expect(rendered[4]?.text).toContain('Alice Ops resolved the incident at 2026-03-02 10:00 UTC, 1 h 00 min after impact began.');
  });

  it('reads well for a healthcare incident, without IT jargon', async () => {
    const fixture = makeFixture();
    const incident = await medicationError(fixture);
    const { events } = await history(fixture.engine, incident.id);
    const [declared, acknowledged] = events.map((event) => renderNotification({ incident, event, audience: 'internal' }));
    expect(declared?.title).toBe('Incident declared: Wrong insulin dose given on ward 4B');
    expect(declared?.text).toContain('Severity SEV2 · Service ward-4b');
    expect(acknowledged?.text).toContain('Chidi Okafor, RN acknowledged the incident at 2026-03-02 09:02 UTC and is responding.');
    for (const text of [declared?.text, acknowledged?.text]) expect(text).not.toMatch(/outage|deploy|server/i);
  });

  it('uses an overriding template, and can build on the default one', () => {
    const base = sampleNotification('DECLARED');
    const rendered = renderNotification(
      { incident: base.incident, event: base.event, audience: 'internal' },
      {
        templates: {
          DECLARED: (input) => ({ title: `CODE RED ${defaultTemplates.DECLARED(input).title}`, text: 'Call the duty manager.' }),
        },
      },
    );
    expect(rendered).toEqual({ title: 'CODE RED Incident declared: Checkout API returns errors', text: 'Call the duty manager.' });
  });

  it('falls back to a generic template for event types it does not know', () => {
    const base = sampleNotification('DECLARED');
    const rendered = renderNotification({ incident: base.incident, event: { ...base.event, type: 'SIGNAL_ATTACHED' as never }, audience: 'internal' });
    expect(rendered.title).toBe('Signal attached: Checkout API returns errors');
    expect(rendered.text).toContain('Bob recorded "signal attached" at 2026-01-01 10:20 UTC.');
  });

  it('formats times and durations the same way everywhere', () => {
    expect(formatTime('2026-03-02T09:05:59.999+01:00')).toBe('2026-03-02 08:05 UTC');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(65 * 60_000)).toBe('1 h 05 min');
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h');
  });
});

describe('default templates for classification and regulatory reporting', () => {
  const MRN = 'MRN-00042';
  const AWARE = '2026-03-02T09:00:00Z';
  const dpo = { kind: 'user', id: 'u_dpo', name: 'Dana' } as const;
  const system = { kind: 'system', id: 'incidentkit' } as const;
  const json = (clock: ClockState): JsonValue => clock as unknown as JsonValue;

  const nis2Started = computeClock(nis2, { triggers: { awareness: AWARE }, now: AWARE });
  const nis2Filed = computeClock(nis2, {
    triggers: { awareness: AWARE },
    filings: { earlyWarning: '2026-03-03T08:00:00Z' },
    references: { earlyWarning: 'CSIRT-7' },
    now: '2026-03-03T08:00:00Z',
  });
  const nis2Overdue = computeClock(nis2, { triggers: { awareness: AWARE }, filings: { earlyWarning: '2026-03-03T08:00:00Z' }, now: '2026-03-05T09:00:00.001Z' });
  const gdprOverdue = computeClock(gdpr, { triggers: { awareness: AWARE }, now: '2026-03-05T09:00:00.001Z' });
  const gdprLate = computeClock(gdpr, {
    triggers: { awareness: AWARE },
    filings: { notification: '2026-03-06T10:00:00Z' },
    references: { notification: 'DPA-42' },
    reasonsForDelay: { notification: 'The breach scope was unclear' },
    now: '2026-03-06T10:00:00Z',
  });

  function incident(overrides: Partial<Incident> = {}): Incident {
    return {
      id: 'inc_med_1',
      tenantId: 'default',
      title: 'Patient records sent to the wrong clinic',
      status: 'responding',
      severity: 'SEV2',
      version: 5,
      startedAt: '2026-03-02T08:30:00.000Z',
      detectedAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-05T09:00:00.001Z',
      createdBy: dpo,
      roles: {},
      actionItems: [],
      labels: {},
      fields: { patientId: MRN, recipient: 'Clinic Nord' },
      reopenCount: 0,
      breaches: [],
      alerts: [],
      alertCount: 0,
      unresolvedAlertCount: 0,
      type: 'privacy-breach',
      statusLabel: 'investigating',
      clocks: [gdprOverdue, nis2Overdue],
      policy: {
        reviewRequiredFor: ['SEV1', 'SEV2'],
        sensitiveFields: ['patientId'],
        statusLabels: defineStatusLabels({ investigating: { status: 'responding', title: 'Investigating' }, containing: { status: 'responding', title: 'Containing the breach' } }),
      },
      ...overrides,
    };
  }

  function event(type: IncidentEventType, data: Readonly<Record<string, JsonValue>>, actor: StoredEvent['actor'] = dpo, at = '2026-03-05T09:00:00.001Z'): StoredEvent {
    return { id: `evt_${type.toLowerCase()}`, tenantId: 'default', incidentId: 'inc_med_1', seq: 5, type, at, actor, data, hash: '0'.repeat(64) };
  }

  const render = (e: StoredEvent, i: Incident = incident()) => renderNotification({ incident: i, event: e, audience: 'internal' });

  it('REPORT_OVERDUE is urgent and names the report, its regime, its legal reference and when it was due', () => {
    const rendered = render(
      event('REPORT_OVERDUE', { regime: 'nis2', phase: 'notification', phaseDueAt: '2026-03-05T09:00:00.000Z', dueAt: '2026-03-05T09:00:00.001Z', clock: json(nis2Overdue) }, system),
    );
    expect(rendered.title).toBe('Urgent: Incident notification overdue (NIS2 Art. 23(4)(b)): Patient records sent to the wrong clinic');
    expect(rendered.text).toBe(
      [
        'The Incident notification under NIS2 significant incident reporting (NIS2 Art. 23(4)(b)) was due at 2026-03-05 09:00 UTC and has not been filed.',
        'File it now and record the filing.',
        'Severity SEV2 · Status responding (Investigating)',
      ].join('\n\n'),
    );
  });

  it('REPORT_OVERDUE asks for the reasons for the delay when the regime does, reading the clock from the incident', () => {
    const rendered = render(event('REPORT_OVERDUE', { regime: 'gdpr', phase: 'notification', phaseDueAt: '2026-03-05T09:00:00.000Z' }, system));
    expect(rendered.title).toBe('Urgent: Notification to the supervisory authority overdue (GDPR Art. 33(1)): Patient records sent to the wrong clinic');
    expect(rendered.text).toContain('under GDPR personal data breach notification (GDPR Art. 33(1)) was due at 2026-03-05 09:00 UTC');
    expect(rendered.text).toContain('File it now, with the reasons for the delay (GDPR Art. 33(1) asks for them), and record the filing.');
  });

  it('REPORT_OVERDUE still reads well without a known clock or with no data', () => {
    const unknown = render(event('REPORT_OVERDUE', { regime: 'hipaa', phase: 'individuals', phaseDueAt: '2026-05-01T09:00:00.000Z' }, system));
    expect(unknown.title).toBe('Urgent: hipaa individuals overdue: Patient records sent to the wrong clinic');
    expect(unknown.text).toContain('The hipaa individuals was due at 2026-05-01 09:00 UTC and has not been filed.');
    const empty = render(event('REPORT_OVERDUE', {}, system), incident({ clocks: [] }));
    expect(empty.title).toBe('Urgent: A regulatory report overdue: Patient records sent to the wrong clinic');
    expect(empty.text).toContain('The regulatory report was due and has not been filed.');
    for (const r of [unknown, empty]) expect(`${r.title}\n${r.text}`).not.toMatch(/undefined|\[object/);
  });

  it('CLOCK_STARTED lists the reports and when each is due', () => {
    const rendered = render(
      event('CLOCK_STARTED', { regime: 'nis2', trigger: 'awareness', triggeredAt: AWARE, clock: json(nis2Started) }, dpo, '2026-03-02T10:00:00.000Z'),
      incident({ clocks: [nis2Started] }),
    );
    expect(rendered.title).toBe('Reporting clock started: NIS2 significant incident reporting: Patient records sent to the wrong clinic');
    expect(rendered.text).toBe(
      [
        'Dana started the NIS2 significant incident reporting clock (Directive (EU) 2022/2555 (NIS2), Art. 23(4)), counting from awareness at 2026-03-02 09:00 UTC.',
        'Reports due:\n- Early warning (NIS2 Art. 23(4)(a)): due 2026-03-03 09:00 UTC\n- Incident notification (NIS2 Art. 23(4)(b)): due 2026-03-05 09:00 UTC\n- Final report (NIS2 Art. 23(4)(d)): not started yet',
        'Severity SEV2 · Status responding (Investigating)',
      ].join('\n\n'),
    );
  });

  it('REPORT_FILED names the report and its filing reference, and what is due next', () => {
    const rendered = render(
      event('REPORT_FILED', { regime: 'nis2', phase: 'earlyWarning', filedAt: '2026-03-03T08:00:00.000Z', reference: 'CSIRT-7', clock: json(nis2Filed) }, dpo, '2026-03-03T08:00:00.000Z'),
    );
    expect(rendered.title).toBe('Report filed: Early warning: Patient records sent to the wrong clinic');
    expect(rendered.text).toContain(
      'Dana recorded the Early warning under NIS2 significant incident reporting (NIS2 Art. 23(4)(a)) as filed at 2026-03-03 08:00 UTC, reference CSIRT-7.',
    );
    expect(rendered.text).toContain('Next report due: Incident notification (NIS2 Art. 23(4)(b)) at 2026-03-05 09:00 UTC.');
    expect(rendered.text).not.toContain('after it was due');
  });

  it('REPORT_FILED says how late a report was and why', () => {
    const rendered = render(
      event(
        'REPORT_FILED',
        { regime: 'gdpr', phase: 'notification', filedAt: '2026-03-06T10:00:00.000Z', reference: 'DPA-42', reasonForDelay: 'The breach scope was unclear', clock: json(gdprLate) },
        dpo,
        '2026-03-06T10:00:00.000Z',
      ),
    );
    expect(rendered.text).toContain('It was filed 25 h 00 min after it was due (2026-03-05 09:00 UTC).');
    expect(rendered.text).toContain('Reasons for the delay: The breach scope was unclear.');
  });

  it('STATUS_LABEL_SET names the new and the previous label by title', () => {
    const rendered = render(event('STATUS_LABEL_SET', { label: 'containing', previous: 'investigating' }), incident({ statusLabel: 'containing' }));
    expect(rendered.title).toBe('Status Containing the breach: Patient records sent to the wrong clinic');
    expect(rendered.text).toContain('Dana set the status to Containing the breach (was Investigating).');
    expect(rendered.text).toContain('Status responding (Containing the breach)');
  });

  it('FIELDS_UPDATED names the changed fields, never their values', () => {
    const rendered = render(event('FIELDS_UPDATED', { fields: { patientId: MRN, recipient: 'Clinic Nord' }, changed: ['patientId', 'recipient'] }));
    expect(rendered.title).toBe('Details updated: Patient records sent to the wrong clinic');
    expect(rendered.text).toContain('Dana updated patientId, recipient at 2026-03-05 09:00 UTC.');
    expect(rendered.text).not.toContain(MRN);
    expect(rendered.text).not.toContain('Clinic Nord');
  });

  it('no default template prints a custom field value, for any event type', () => {
    const secret = 'Clinic Nord';
    const i = incident();
    const data: Record<string, JsonValue> = {
      title: i.title,
      severity: 'SEV2',
      fields: { patientId: MRN, recipient: secret },
      changed: ['patientId', 'recipient'],
      regime: 'gdpr',
      phase: 'notification',
      label: 'investigating',
    };
    const types = new Set<string>([...EVENT_TYPES, ...Object.keys(defaultTemplates)]);
    for (const type of types) {
      const { title, text } = render(event(type as IncidentEventType, data), i);
      expect(`${title}\n${text}`, type).not.toContain(MRN);
      expect(`${title}\n${text}`, type).not.toContain(secret);
    }
    expect(factsLine(i)).toBe('Severity SEV2 · Status responding (Investigating)');
  });
});
