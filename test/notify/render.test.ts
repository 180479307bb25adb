import { describe, expect, it } from 'vitest';
import { defaultTemplates, formatDuration, formatTime, renderNotification } from '../../src/notify/render.js';
import { CONTRACT_EVENT_TYPES, sampleNotification } from '../../src/testing/notifierContract.js';
import { history, itOutage, makeFixture, medicationError } from '../fixtures/notify/seed.js';

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
    expect(sampleNotification('TARGET_BREACHED').text).toContain(
      'The SEV1 target to acknowledge within 5 min of detection was missed (due 2026-01-01 10:05 UTC).',
    );
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
