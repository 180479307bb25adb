import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { fingerprintOf } from '../../src/sources/fingerprint.js';
import { parsePagerDutyEvent } from '../../src/sources/parsePagerDutyEvent.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { expectValidSignals, loadFixture } from '../fixtures/ingest/loadFixture.js';
import { thrown } from '../helpers.js';

const clock = createManualClock('2026-02-03T04:05:06.000Z');
const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';

describe('parsePagerDutyEvent on the official trigger example', () => {
  const [signal] = parsePagerDutyEvent(loadFixture('pagerduty-trigger.json'), { clock });

  it('returns one valid firing signal keyed by dedup_key', () => {
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({
      source: 'pagerduty',
      status: 'firing',
      dedupKey: 'srv01/mysql',
      fingerprint: fingerprintOf(['pagerduty', 'dedup_key', 'srv01/mysql']),
      summary: 'DISK at 99% on machine prod-datapipe03.example.com',
    });
  });

  it('reads the +0000 offset timestamp', () => {
    expect(signal?.startsAt).toBe('2015-07-17T08:42:58.315Z');
  });

  it('maps severity critical to SEV1 and keeps the payload fields as labels', () => {
    expect(signal?.severity).toBe('SEV1');
    expect(signal?.labels).toEqual({ source: 'prod-datapipe03.example.com', component: 'mysql', group: 'prod-datapipe', class: 'disk', severity: 'critical' });
  });

  it('turns custom_details into annotations, non-strings as JSON', () => {
    expect(signal?.annotations).toEqual({ 'free space': '1%', 'ping time': '1500ms', 'load avg': '0.75', client: 'Sample Monitoring Service' });
  });

  it('collects links, the client URL and image links', () => {
    expect(signal?.links).toEqual([
      { href: 'http://pagerduty.example.com', text: 'An example link.' },
      { href: 'https://monitoring.service.com', text: 'Sample Monitoring Service' },
      { href: 'https://google.com', text: 'An example link with an image' },
    ]);
  });
});

describe('parsePagerDutyEvent acknowledge and resolve', () => {
  it('acknowledges and resolves by dedup_key, with the fingerprint of the trigger', () => {
    const [trigger] = parsePagerDutyEvent(loadFixture('pagerduty-trigger.json'));
    const [ack] = parsePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: 'srv01/mysql' }, { clock });
    const [resolve] = parsePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'srv01/mysql' }, { clock });
    expectValidSignals([ack!, resolve!]);
    expect(ack).toMatchObject({ status: 'acknowledged', dedupKey: 'srv01/mysql', fingerprint: trigger?.fingerprint, startsAt: '2026-02-03T04:05:06.000Z' });
    expect(ack?.endsAt).toBeUndefined();
    expect(resolve).toMatchObject({ status: 'resolved', dedupKey: 'srv01/mysql', fingerprint: trigger?.fingerprint, endsAt: '2026-02-03T04:05:06.000Z' });
  });

  it('refuses acknowledge or resolve without a dedup_key', () => {
    expect(() => parsePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'resolve' })).toThrow(/dedup_key: Required for resolve events/);
  });
});

describe('parsePagerDutyEvent without optional fields', () => {
  const minimal = { routing_key: ROUTING_KEY, event_action: 'trigger', payload: { summary: 'Backups failing', source: 'db1', severity: 'warning' } };

  it('uses the clock for a missing timestamp and fingerprints identical triggers alike', () => {
    const [a] = parsePagerDutyEvent(minimal, { clock });
    const [b] = parsePagerDutyEvent(structuredClone(minimal), { clock });
    expectValidSignals([a!]);
    expect(a).toMatchObject({ startsAt: '2026-02-03T04:05:06.000Z', severity: 'SEV3', links: [], annotations: {} });
    expect(a?.dedupKey).toBeUndefined();
    expect(a?.fingerprint).toBe(b?.fingerprint);
    const [other] = parsePagerDutyEvent({ ...minimal, payload: { ...minimal.payload, source: 'db2' } }, { clock });
    expect(other?.fingerprint).not.toBe(a?.fingerprint);
  });

  it.each([
    ['critical', 'SEV1'],
    ['error', 'SEV2'],
    ['warning', 'SEV3'],
    ['info', 'SEV4'],
  ])('maps severity %s to %s, and overrides win', (severity, level) => {
    const body = { ...minimal, payload: { ...minimal.payload, severity } };
    expect(parsePagerDutyEvent(body, { clock })[0]?.severity).toBe(level);
    expect(parsePagerDutyEvent(body, { clock, severityMap: { [severity]: 'SEV5' } })[0]?.severity).toBe('SEV5');
  });
});

describe('parsePagerDutyEvent refusals', () => {
  it('refuses change events with a clear reason', () => {
    const error = thrown(() => parsePagerDutyEvent(loadFixture('pagerduty-change-event.json')));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('change event');
    expect((error as ValidationError).message).toContain('PagerDuty Events API v2 event');
  });

  it('refuses Events API v1 bodies', () => {
    expect(() => parsePagerDutyEvent({ service_key: 'x', event_type: 'trigger', description: 'down' })).toThrow(/Events API v1/);
  });

  it('refuses an unknown severity and a trigger without payload, naming the field', () => {
    const body = loadFixture('pagerduty-trigger.json');
    (body.payload as Record<string, unknown>).severity = 'high';
    expect(() => parsePagerDutyEvent(body)).toThrow(/payload\.severity/);
    expect(() => parsePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'trigger' })).toThrow(/payload: Required for trigger events/);
    expect(() => parsePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'snooze', dedup_key: 'a' })).toThrow(/event_action/);
  });
});
