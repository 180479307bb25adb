import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { fingerprintOf } from '../../src/sources/fingerprint.js';
import { parseSentry } from '../../src/sources/parseSentry.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { expectValidSignals, loadFixture } from '../fixtures/ingest/loadFixture.js';

const clock = createManualClock('2026-02-03T04:05:06.000Z');

describe('parseSentry on the issue alert example of the Sentry docs', () => {
  const [signal] = parseSentry(loadFixture('sentry-issue-alert.json'));

  it('returns one valid firing signal identified by the issue', () => {
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({
      source: 'sentry',
      status: 'firing',
      fingerprint: fingerprintOf(['sentry', 'issue', '1117540176']),
      summary: 'ReferenceError: heck is not defined',
      severity: 'SEV2',
      startsAt: '2019-08-19T21:06:17.677Z',
      service: 'front-end',
    });
  });

  it('turns tags into labels and the project slug into the service', () => {
    expect(signal?.labels).toMatchObject({ browser: 'Chrome 75.0.3770', 'os.name': 'Mac OS X', handled: 'no', level: 'error', platform: 'javascript', project: 'front-end' });
  });

  it('keeps culprit, rule and error as annotations and links the event', () => {
    expect(signal?.annotations).toMatchObject({
      culprit: '?(<anonymous>)',
      triggered_rule: 'Very Important Alert Rule!',
      error_type: 'ReferenceError',
      error_value: 'heck is not defined',
    });
    expect(signal?.links).toEqual([
      { href: 'https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/', text: 'Sentry event' },
    ]);
  });

  it('falls back to the epoch timestamp in seconds, then the clock', () => {
    const body = loadFixture('sentry-issue-alert.json');
    const event = (body.data as { event: Record<string, unknown> }).event;
    delete event.datetime;
    expect(parseSentry(body)[0]?.startsAt).toBe('2019-08-19T21:06:17.677Z');
    delete event.timestamp;
    expect(parseSentry(body, { clock })[0]?.startsAt).toBe('2026-02-03T04:05:06.000Z');
  });
});

describe('parseSentry metric alerts', () => {
  it('resolves the documented resolved alert, without an end time when date_closed is null', () => {
    const [signal] = parseSentry(loadFixture('sentry-metric-alert-resolved.json'));
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({
      status: 'resolved',
      fingerprint: fingerprintOf(['sentry', 'metric_alert', '4']),
      summary: 'Resolved: Too many errors',
      startsAt: '2020-09-13T12:26:40.000Z',
      service: 'bar',
      labels: { alert_rule: 'Too many errors', project: 'bar', dataset: 'events', aggregate: 'count()' },
      links: [{ href: 'https://sentry.io/organizations/baz/alerts/1/', text: 'Sentry alert' }],
    });
    expect(signal?.endsAt).toBeUndefined();
  });

  it('fires on critical and warning with their severities, same fingerprint', () => {
    const resolved = parseSentry(loadFixture('sentry-metric-alert-resolved.json'))[0];
    const critical = parseSentry({ ...loadFixture('sentry-metric-alert-resolved.json'), action: 'critical' })[0];
    const warning = parseSentry({ ...loadFixture('sentry-metric-alert-resolved.json'), action: 'warning' })[0];
    expect([critical?.status, critical?.severity, warning?.status, warning?.severity]).toEqual(['firing', 'SEV1', 'firing', 'SEV3']);
    expect(critical?.fingerprint).toBe(resolved?.fingerprint);
  });
});

describe('parseSentry issue webhooks', () => {
  it('fires on created, with the fingerprint of the issue alerts of the issue', () => {
    const [signal] = parseSentry(loadFixture('sentry-issue-created.json'));
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({
      status: 'firing',
      fingerprint: fingerprintOf(['sentry', 'issue', '1170820242']),
      summary: 'ReferenceError: blooopy is not defined',
      startsAt: '2019-08-19T20:58:37.391Z',
      service: 'front-end',
      annotations: { culprit: '?(runner)', short_id: 'FRONT-END-9', substatus: 'escalating' },
    });
  });

  it.each([
    ['resolved', 'resolved'],
    ['ignored', 'resolved'],
    ['archived', 'resolved'],
    ['assigned', 'acknowledged'],
    ['unresolved', 'firing'],
  ])('maps %s to %s', (action, status) => {
    expect(parseSentry({ ...loadFixture('sentry-issue-created.json'), action })[0]?.status).toBe(status);
  });

  it('reads the service from another label when told', () => {
    expect(parseSentry(loadFixture('sentry-issue-created.json'), { service: 'platform' })[0]?.service).toBe('javascript');
  });
});

describe('parseSentry refusals', () => {
  it('refuses other resources and unknown actions, naming the field', () => {
    expect(() => parseSentry({ action: 'created', data: { installation: {} } })).toThrow(/Sentry webhook: data: Expected a Sentry issue alert/);
    expect(() => parseSentry({ ...loadFixture('sentry-issue-created.json'), action: 'commented' })).toThrow(/action/);
    expect(() => parseSentry({ ...loadFixture('sentry-metric-alert-resolved.json'), action: 'triggered' })).toThrow(ValidationError);
  });

  it('names a bad timestamp', () => {
    const body = loadFixture('sentry-issue-alert.json');
    (body.data as { event: Record<string, unknown> }).event.datetime = '2019-02-30T00:00:00Z';
    expect(() => parseSentry(body)).toThrow(/data\.event\.datetime: '2019-02-30T00:00:00Z' is not a valid date/);
  });
});
