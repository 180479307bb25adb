import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../../src/errors.js';
import { fingerprintOf } from '../../src/sources/fingerprint.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { expectValidSignals, fixtureText, loadFixture } from '../fixtures/ingest/loadFixture.js';
import { thrown } from '../helpers.js';

type Alert = Record<string, unknown> & { labels: Record<string, string>; annotations: Record<string, string> };
const alertsOf = (body: Record<string, unknown>): Alert[] => body.alerts as Alert[];

describe('parseAlertmanager on the documented webhook v4 payload', () => {
  const signals = parseAlertmanager(loadFixture('alertmanager-webhook-v4.json'));

  it('returns one valid signal per alert, each with its own status', () => {
    expect(signals).toHaveLength(2);
    expectValidSignals(signals);
    expect(signals.map((s) => s.status)).toEqual(['firing', 'resolved']);
  });

  it('maps the firing alert: fingerprint, severity, service, summary, labels, annotations', () => {
    const [firing] = signals;
    expect(firing).toMatchObject({
      source: 'alertmanager',
      fingerprint: '1a30ba71cca2921f',
      severity: 'SEV1',
      service: 'checkout',
      summary: 'Instance web-1:9100 down',
      labels: { alertname: 'InstanceDown', instance: 'web-1:9100', job: 'node', service: 'checkout', severity: 'critical' },
      annotations: { description: 'web-1:9100 of job node has been down for more than 5 minutes.' },
    });
    expect(firing?.dedupKey).toBeUndefined();
  });

  it('reads nanosecond times with offsets in UTC and treats Go zero time as not ended', () => {
    const [firing, resolved] = signals;
    expect(firing?.startsAt).toBe('2018-08-03T07:52:26.739Z');
    expect(firing?.endsAt).toBeUndefined();
    expect(resolved?.startsAt).toBe('2018-08-03T07:40:11.000Z');
    expect(resolved?.endsAt).toBe('2018-08-03T07:57:41.512Z');
  });

  it('links the generator, the runbook and the Alertmanager', () => {
    expect(signals[0]?.links).toEqual([
      { href: 'http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1', text: 'Source' },
      { href: 'https://runbooks.example.com/InstanceDown', text: 'Runbook' },
      { href: 'http://alertmanager.example.com:9093', text: 'Alertmanager' },
    ]);
  });

  it('keeps each alert as raw JSON', () => {
    expect(signals[1]?.raw).toEqual(alertsOf(loadFixture('alertmanager-webhook-v4.json'))[1]);
  });

  it('accepts the body as JSON text', () => {
    expect(parseAlertmanager(fixtureText('alertmanager-webhook-v4.json'))).toEqual(signals);
  });
});

describe('parseAlertmanager tolerates what senders omit', () => {
  it('computes a stable fingerprint from the labels when the alert has none', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    for (const alert of alertsOf(body)) delete alert.fingerprint;
    const [first] = parseAlertmanager(body);
    const reordered = loadFixture('alertmanager-webhook-v4.json');
    const alert = alertsOf(reordered)[0]!;
    delete alert.fingerprint;
    alert.labels = Object.fromEntries(Object.entries(alert.labels).reverse());
    expect(first?.fingerprint).toBe(fingerprintOf(['alertmanager', alertsOf(body)[0]!.labels]));
    expect(parseAlertmanager(reordered)[0]?.fingerprint).toBe(first?.fingerprint);

    const changed = loadFixture('alertmanager-webhook-v4.json');
    delete alertsOf(changed)[0]!.fingerprint;
    alertsOf(changed)[0]!.labels.instance = 'web-9:9100';
    expect(parseAlertmanager(changed)[0]?.fingerprint).not.toBe(first?.fingerprint);
  });

  it('takes the group status for alerts without one, and null maps as empty', () => {
    const [signal] = parseAlertmanager({
      version: '4',
      status: 'resolved',
      alerts: [{ labels: { alertname: 'Watchdog' }, annotations: null, startsAt: '2026-01-02T03:04:05Z', endsAt: '2026-01-02T04:00:00+0000' }],
    });
    expect(signal).toMatchObject({ status: 'resolved', summary: 'Watchdog', severity: 'SEV3', annotations: {}, endsAt: '2026-01-02T04:00:00.000Z' });
    expect(signal?.service).toBeUndefined();
  });

  it('falls back from the summary annotation to the description, then the alertname', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    const alerts = alertsOf(body);
    delete alerts[0]!.annotations.summary;
    alerts[1]!.annotations = {};
    const [first, second] = parseAlertmanager(body);
    expect(first?.summary).toBe('web-1:9100 of job node has been down for more than 5 minutes.');
    expect(second?.summary).toBe('InstanceDown');
  });

  it('ignores the expected endsAt Prometheus sends for a firing alert', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    alertsOf(body)[0]!.endsAt = '2030-01-01T00:00:00Z';
    expect(parseAlertmanager(body)[0]?.endsAt).toBeUndefined();
  });

  it('uses the injected clock when startsAt is Go zero time', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    alertsOf(body)[0]!.startsAt = '0001-01-01T00:00:00Z';
    const [signal] = parseAlertmanager(body, { clock: createManualClock('2026-03-04T05:06:07Z') });
    expect(signal?.startsAt).toBe('2026-03-04T05:06:07.000Z');
  });

  it('returns no signals for a group without alerts', () => {
    expect(parseAlertmanager({ version: '4', status: 'firing', alerts: [] })).toEqual([]);
  });
});

describe('parseAlertmanager options', () => {
  it('reads the severity from another label and maps it with overrides', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    alertsOf(body)[0]!.labels.priority = 'P2';
    const [signal, other] = parseAlertmanager(body, { severityLabel: 'priority', severityMap: { P2: 'SEV2' }, defaultSeverity: 'SEV5' });
    expect(signal?.severity).toBe('SEV2');
    expect(other?.severity).toBe('SEV5');
  });

  it('reads the service from the label named in options', () => {
    const [signal] = parseAlertmanager(loadFixture('alertmanager-webhook-v4.json'), { service: 'job' });
    expect(signal?.service).toBe('node');
  });

  it('refuses invalid options with a ConfigError', () => {
    expect(() => parseAlertmanager(loadFixture('alertmanager-webhook-v4.json'), { defaultSeverity: '' })).toThrow(ConfigError);
    // A blank level would make a signal without a severity (found by the parser fuzz test, CloudWatch).
    expect(() => parseAlertmanager(loadFixture('alertmanager-webhook-v4.json'), { defaultSeverity: '  \n\t ' })).toThrow(/defaultSeverity: A severity level must not be blank/);
    expect(() => parseAlertmanager(loadFixture('alertmanager-webhook-v4.json'), { severityMap: { critical: ' ' } })).toThrow(/severityMap\.critical: A severity level must not be blank/);
  });
});

describe('parseAlertmanager refuses what is not an Alertmanager webhook', () => {
  const reject = (body: unknown): ValidationError => {
    const error = thrown(() => parseAlertmanager(body));
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  };

  it('names the tool, the field and what was expected', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    alertsOf(body)[1]!.startsAt = 'yesterday';
    const error = reject(body);
    expect(error.message).toContain('Alertmanager webhook');
    expect(error.message).toContain('alerts.1.startsAt');
    expect(error.details.issues[0]?.path).toEqual(['alerts', 1, 'startsAt']);
  });

  it('refuses label values that are not strings, an unknown status and a missing alerts list', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    (alertsOf(body)[0]!.labels as Record<string, unknown>).severity = 3;
    expect(reject(body).details.issues[0]?.path).toEqual(['alerts', 0, 'labels', 'severity']);
    const status = loadFixture('alertmanager-webhook-v4.json');
    alertsOf(status)[0]!.status = 'pending';
    expect(reject(status).details.issues[0]?.path).toEqual(['alerts', 0, 'status']);
    expect(reject({ version: '4', status: 'firing' }).details.issues[0]?.path).toEqual(['alerts']);
  });

  it('refuses another payload version and points Grafana payloads to parseGrafana', () => {
    expect(reject({ ...loadFixture('alertmanager-webhook-v4.json'), version: '3' }).message).toContain("version '4'");
    expect(reject(loadFixture('grafana-webhook.json')).message).toContain('parseGrafana');
  });

  it('refuses text that is not JSON', () => {
    expect(reject('{"version": "4",').details.issues[0]?.code).toBe('invalid_json');
  });
});
