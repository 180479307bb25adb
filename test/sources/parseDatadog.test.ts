import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseDatadog } from '../../src/sources/parseDatadog.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { expectValidSignals, fixtureText, loadFixture } from '../fixtures/ingest/loadFixture.js';

const clock = createManualClock('2026-02-03T04:05:06.000Z');

describe('parseDatadog on a real default-template body', () => {
  const [signal] = parseDatadog(fixtureText('datadog-default.json'));

  it('returns one valid firing signal from the [Triggered] title', () => {
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({ source: 'datadog', status: 'firing', summary: '[TEST] Host Cluster Alert', severity: 'SEV2' });
    expect(signal?.dedupKey).toBeUndefined();
  });

  it('reads epoch milliseconds sent as strings', () => {
    expect(signal?.startsAt).toBe('2020-06-03T20:43:05.000Z');
  });

  it('labels the event type, the organisation and the monitor found in the body link', () => {
    expect(signal?.labels).toEqual({ event_type: 'service_check', org_id: '415600', org_name: 'Puppet', monitor_id: '18692904' });
  });

  it('turns the markdown links of the body into links', () => {
    expect(signal?.links).toEqual([
      { href: 'https://app.datadoghq.com/monitors#18692904?', text: 'Monitor Status' },
      { href: 'https://app.datadoghq.com/monitors#18692904/edit', text: 'Edit Monitor' },
    ]);
  });

  it('resolves on [Recovered] with the same fingerprint and the date as end', () => {
    const body = loadFixture('datadog-default.json');
    body.title = '[Recovered] [TEST] Host Cluster Alert';
    body.date = '1591217045000';
    const [recovered] = parseDatadog(body);
    expect(recovered).toMatchObject({ status: 'resolved', fingerprint: signal?.fingerprint, endsAt: '2020-06-03T20:44:05.000Z' });
  });
});

describe('parseDatadog titles', () => {
  const withTitle = (title: string): Record<string, unknown> => ({ ...loadFixture('datadog-default.json'), title });

  it('reads a priority and a scope: severity, labels and a fingerprint per scope', () => {
    const [web1] = parseDatadog(withTitle('[P1] [Triggered on {host:web-1,env:prod}] CPU high'));
    const [web2] = parseDatadog(withTitle('[P1] [Triggered on {host:web-2,env:prod}] CPU high'));
    expect(web1).toMatchObject({ severity: 'SEV1', summary: 'CPU high', labels: { host: 'web-1', env: 'prod', priority: 'P1' } });
    expect(web2?.fingerprint).not.toBe(web1?.fingerprint);
    const [again] = parseDatadog(withTitle('[P1] [Re-Triggered on {host:web-1,env:prod}] CPU high'));
    expect(again?.fingerprint).toBe(web1?.fingerprint);
  });

  it.each([
    ['[Warn] Disk', 'firing', 'SEV3'],
    ['[No Data] Disk', 'firing', 'SEV3'],
    ['[Re-Triggered] Disk', 'firing', 'SEV2'],
    ['[Recovered] Disk', 'resolved', 'SEV4'],
    ['Disk without a transition', 'firing', 'SEV2'],
  ])('%s → %s %s', (title, status, severity) => {
    expect(parseDatadog(withTitle(title))[0]).toMatchObject({ status, severity });
  });
});

describe('parseDatadog custom template keys', () => {
  it('takes transition, monitor, cycle key, priority and tags from Datadog variables', () => {
    const [signal] = parseDatadog(
      {
        title: 'CPU high on web-1',
        body: 'CPU above 90%',
        date: 1591216985000,
        org: { id: 415600, name: 'Acme' },
        alert_transition: 'Recovered',
        alert_id: '1234',
        alert_cycle_key: '7092341324',
        alert_priority: 'P2',
        alert_scope: 'host:web-1',
        tags: 'service:checkout,team:payments',
        link: 'https://app.datadoghq.com/event/event?id=1',
      },
      { clock },
    );
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({
      status: 'resolved',
      dedupKey: '7092341324',
      severity: 'SEV2',
      service: 'checkout',
      labels: { monitor_id: '1234', host: 'web-1', team: 'payments', org_id: '415600' },
      links: [{ href: 'https://app.datadoghq.com/event/event?id=1', text: 'Datadog' }],
    });
  });

  it('uses the clock without date fields, and overrides map priorities', () => {
    const [signal] = parseDatadog({ title: '[P3] [Triggered] Queue backlog' }, { clock, severityMap: { P3: 'SEV2' } });
    expect(signal).toMatchObject({ startsAt: '2026-02-03T04:05:06.000Z', severity: 'SEV2' });
  });
});

describe('parseDatadog refusals', () => {
  it('requires a title and names fields of the wrong type', () => {
    expect(() => parseDatadog({ body: 'x' })).toThrow(/Datadog webhook: title/);
    expect(() => parseDatadog({ ...loadFixture('datadog-default.json'), date: 'June' })).toThrow(ValidationError);
    expect(() => parseDatadog({ ...loadFixture('datadog-default.json'), org: 'Puppet' })).toThrow(/org/);
  });
});
