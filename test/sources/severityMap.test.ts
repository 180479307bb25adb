import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { parseOpsgenieAlert } from '../../src/sources/parseOpsgenieAlert.js';
import { parsePagerDutyEvent } from '../../src/sources/parsePagerDutyEvent.js';
import { DEFAULT_SEVERITY, DEFAULT_SEVERITY_MAPS, INGEST_SOURCES, severityMap } from '../../src/sources/severityMap.js';

const alert = (severity: string) => ({
  version: '4',
  status: 'firing',
  alerts: [{ status: 'firing', labels: { alertname: 'A', severity }, annotations: {}, startsAt: '2026-01-02T03:04:05Z' }],
});

describe('severityMap', () => {
  it('has defaults for every source, onto SEV1…SEV5', () => {
    expect(Object.keys(DEFAULT_SEVERITY_MAPS).sort()).toEqual([...INGEST_SOURCES].sort());
    expect(DEFAULT_SEVERITY_MAPS.pagerduty).toEqual({ critical: 'SEV1', error: 'SEV2', warning: 'SEV3', info: 'SEV4' });
    expect(DEFAULT_SEVERITY_MAPS.opsgenie).toEqual({ p1: 'SEV1', p2: 'SEV2', p3: 'SEV3', p4: 'SEV4', p5: 'SEV5' });
    for (const map of Object.values(DEFAULT_SEVERITY_MAPS)) {
      for (const level of Object.values(map)) expect(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']).toContain(level);
    }
    expect(DEFAULT_SEVERITY).toBe('SEV3');
  });

  it('merges overrides over the defaults, case-insensitively', () => {
    const map = severityMap('alertmanager', { Warning: 'SEV4', page: 'SEV2' });
    expect(map).toMatchObject({ critical: 'SEV1', warning: 'SEV4', page: 'SEV2' });
    expect(DEFAULT_SEVERITY_MAPS.alertmanager.warning).toBe('SEV3');
  });
});

describe('severity mapping in parsers', () => {
  it('uses a custom scale when every word and the default are given', () => {
    const options = { severityMap: { critical: 'critical', warning: 'minor' }, defaultSeverity: 'major' };
    expect(parseAlertmanager(alert('critical'), options)[0]?.severity).toBe('critical');
    expect(parseAlertmanager(alert('WARNING'), options)[0]?.severity).toBe('minor');
    expect(parseAlertmanager(alert('unheard-of'), options)[0]?.severity).toBe('major');
  });

  it('never treats words like constructor or __proto__ as known', () => {
    expect(parseAlertmanager(alert('constructor'))[0]?.severity).toBe('SEV3');
    expect(parseAlertmanager(alert('__proto__'))[0]?.severity).toBe('SEV3');
    expect(parseAlertmanager(alert('toString'))[0]?.severity).toBe('SEV3');
  });

  it('maps each source with its own defaults', () => {
    const pd = { routing_key: 'k', event_action: 'trigger', payload: { summary: 's', source: 'h', severity: 'error' } };
    expect(parsePagerDutyEvent(pd)[0]?.severity).toBe('SEV2');
    expect(parseOpsgenieAlert({ message: 'm', priority: 'P4' })[0]?.severity).toBe('SEV4');
  });

  it('refuses a severity map that is not strings with a ConfigError', () => {
    expect(() => parseAlertmanager(alert('x'), { severityMap: { x: 1 } as unknown as Record<string, string> })).toThrow(ConfigError);
    expect(() => parseAlertmanager(alert('x'), { clock: {} as never })).toThrow(ConfigError);
  });
});
