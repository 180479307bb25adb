import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseGrafana } from '../../src/sources/parseGrafana.js';
import { expectValidSignals, loadFixture } from '../fixtures/ingest/loadFixture.js';

type Alert = Record<string, unknown> & { labels: Record<string, string> };
const alertsOf = (body: Record<string, unknown>): Alert[] => body.alerts as Alert[];

describe('parseGrafana on the payload of the Grafana documentation', () => {
  const signals = parseGrafana(loadFixture('grafana-webhook.json'));

  it('returns one valid signal per alert with Grafana fingerprints', () => {
    expect(signals).toHaveLength(2);
    expectValidSignals(signals);
    expect(signals.map((s) => [s.source, s.fingerprint, s.status])).toEqual([
      ['grafana', 'c6eadffa33fcdf37', 'firing'],
      ['grafana', 'bc97ff14869b13e3', 'firing'],
    ]);
  });

  it('maps summary, labels, time and the default severity', () => {
    expect(signals[0]).toMatchObject({
      summary: 'This alert was triggered for zone us-1',
      labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
      startsAt: '2021-10-12T07:51:03.157Z',
      severity: 'SEV3',
    });
    expect(signals[0]?.endsAt).toBeUndefined();
  });

  it('links the rule, the runbook, the silence page and Grafana, and skips empty URLs', () => {
    expect(signals[0]?.links).toEqual([
      { href: 'https://play.grafana.org/alerting/1afz29v7z/edit', text: 'Source' },
      { href: 'https://myrunbook.com/runbook/1234', text: 'Runbook' },
      {
        href: 'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
        text: 'Silence',
      },
      { href: 'https://play.grafana.org/', text: 'Grafana' },
    ]);
  });
});

describe('parseGrafana with mixed firing and resolved alerts', () => {
  // The documented payload, with its second alert resolved the way Grafana reports it.
  const body = loadFixture('grafana-webhook.json');
  const second = alertsOf(body)[1]!;
  second.status = 'resolved';
  second.endsAt = '2021-10-12T10:01:03.157076123+02:00';
  const signals = parseGrafana(body);

  it('keeps each alert status whatever the group status says', () => {
    expect(body.status).toBe('firing');
    expect(signals.map((s) => s.status)).toEqual(['firing', 'resolved']);
    expectValidSignals(signals);
  });

  it('sets endsAt on the resolved alert only', () => {
    expect(signals[0]?.endsAt).toBeUndefined();
    expect(signals[1]?.endsAt).toBe('2021-10-12T08:01:03.157Z');
  });

  it('gives the resolved alert the fingerprint it had while firing', () => {
    const firing = parseGrafana(loadFixture('grafana-webhook.json'))[1];
    expect(signals[1]?.fingerprint).toBe(firing?.fingerprint);
  });
});

describe('parseGrafana severity from the severity label', () => {
  it.each([
    ['critical', 'SEV1'],
    ['high', 'SEV2'],
    ['major', 'SEV2'],
    ['error', 'SEV2'],
    ['warning', 'SEV3'],
    ['medium', 'SEV3'],
    ['low', 'SEV4'],
    ['minor', 'SEV4'],
    ['info', 'SEV5'],
    ['Critical', 'SEV1'],
    ['bogus', 'SEV3'],
  ])('%s → %s', (label, severity) => {
    const body = loadFixture('grafana-webhook.json');
    alertsOf(body)[0]!.labels.severity = label;
    expect(parseGrafana(body)[0]?.severity).toBe(severity);
  });

  it('applies a per-call override', () => {
    const body = loadFixture('grafana-webhook.json');
    alertsOf(body)[0]!.labels.severity = 'warning';
    expect(parseGrafana(body, { severityMap: { warning: 'SEV2' } })[0]?.severity).toBe('SEV2');
  });
});

describe('parseGrafana refusals', () => {
  it('refuses a legacy Grafana alerting payload with a pointer to unified alerting', () => {
    const legacy = { dashboardId: 1, evalMatches: [], ruleId: 1, ruleName: 'Panel Title alert', state: 'alerting', title: '[Alerting] Panel Title alert' };
    expect(() => parseGrafana(legacy)).toThrow(ValidationError);
    expect(() => parseGrafana(legacy)).toThrow(/legacy Grafana alerting payload/);
  });

  it('names the field of an alert without labels of strings', () => {
    const body = loadFixture('grafana-webhook.json');
    alertsOf(body)[0]!.labels = 'zone=us-1' as unknown as Record<string, string>;
    expect(() => parseGrafana(body)).toThrow(/Grafana Alerting webhook: alerts\.0\.labels/);
  });
});
