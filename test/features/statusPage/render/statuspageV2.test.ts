import { describe, expect, it } from 'vitest';
import {
  renderStatuspageV2,
  STATUSPAGE_V2_LIST_LIMIT,
  STATUSPAGE_V2_PATHS,
  statuspageGroupId,
  statuspageStatus,
} from '../../../../src/features/statusPage/render/statuspageV2.js';
import type { ComponentStatus, PublicIncident, StatusPage, StatusPageSnapshot } from '../../../../src/features/statusPage/snapshot.js';
import { bodyOf, documentedExamples, statusBody } from '../../../fixtures/statusPage/statuspageV2.js';
import {
  acmePage,
  allSnapshots,
  componentStates,
  ftpDegraded,
  maintenanceUnderWay,
  noComponents,
  outageDuring,
  outageRestored,
  quietPage,
} from '../../../fixtures/statusPage/snapshots.js';

describe('the Statuspage v2 schema of the tests', () => {
  it('accepts the documented example bodies', () => {
    for (const [path, body] of Object.entries(documentedExamples)) {
      const result = bodyOf[path as keyof typeof bodyOf].safeParse(body);
      expect(result.error, path).toBeUndefined();
    }
  });

  it('refuses bodies that break the documented shapes', () => {
    const example = documentedExamples['status.json'];
    expect(statusBody.safeParse({ ...example, status: { indicator: 'green', description: 'OK' } }).success).toBe(false);
    expect(statusBody.safeParse({ ...example, page: { ...example.page, updated_at: 'yesterday' } }).success).toBe(false);
    expect(statusBody.safeParse({ page: example.page }).success).toBe(false);
  });
});

describe('renderStatuspageV2', () => {
  it('renders every endpoint of every snapshot in the documented shape', () => {
    for (const [name, snapshot] of Object.entries(allSnapshots)) {
      for (const path of STATUSPAGE_V2_PATHS) {
        const body: unknown = JSON.parse(JSON.stringify(renderStatuspageV2(snapshot, path)));
        const result = bodyOf[path].safeParse(body);
        expect(result.error, `${name} ${path}`).toBeUndefined();
      }
    }
  });

  it('writes the page, with times in its zone and offset as Statuspage does', () => {
    expect(renderStatuspageV2(outageDuring, 'status.json').page).toEqual({
      id: 'acme',
      name: 'Acme',
      url: 'https://status.acme.test/',
      time_zone: 'Europe/Berlin',
      updated_at: '2026-12-06T11:20:00.000+01:00',
    });
    const summer = { ...quietPage, updatedAt: '2026-07-01T12:00:00.000Z' };
    expect(renderStatuspageV2(summer, 'status.json').page.updated_at).toBe('2026-07-01T14:00:00.000+02:00');
    expect(renderStatuspageV2(noComponents, 'status.json').page.updated_at).toBe('2026-12-06T11:00:00.000Z');
  });

  it('tells the story of the IT outage: investigating, failing over, restored', () => {
    const during = renderStatuspageV2(outageDuring, 'incidents/unresolved.json').incidents;
    expect(during).toHaveLength(1);
    expect(during[0]).toMatchObject({
      id: 'inc-website-down',
      name: 'Website unavailable',
      status: 'identified',
      impact: 'critical',
      created_at: '2026-12-06T11:00:00.000+01:00',
      started_at: '2026-12-06T11:00:00.000+01:00',
      monitoring_at: null,
      resolved_at: null,
      page_id: 'acme',
      shortlink: 'https://status.acme.test/incidents/inc-website-down',
    });
    expect(during[0]?.incident_updates.map((update) => update.status)).toEqual(['identified', 'investigating']);
    expect(during[0]?.incident_updates[0]).toEqual({
      id: 'u2',
      status: 'identified',
      body: 'The primary data centre lost power.\nWe are failing over to the second data centre.',
      incident_id: 'inc-website-down',
      created_at: '2026-12-06T11:20:00.000+01:00',
      updated_at: '2026-12-06T11:20:00.000+01:00',
      display_at: '2026-12-06T11:20:00.000+01:00',
      affected_components: [{ code: 'website', name: 'Website', old_status: 'major_outage', new_status: 'partial_outage' }],
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    });
    expect(during[0]?.components.map((c) => [c.id, c.status])).toEqual([['website', 'partial_outage']]);
    expect(renderStatuspageV2(outageDuring, 'status.json').status).toEqual({ indicator: 'critical', description: 'Major System Outage' });

    const after = renderStatuspageV2(outageRestored, 'incidents.json').incidents;
    expect(after.map((incident) => incident.id)).toEqual(['inc-website-down', 'inc-slow-api']);
    expect(after[0]).toMatchObject({ status: 'resolved', monitoring_at: '2026-12-06T11:45:00.000+01:00', resolved_at: '2026-12-06T12:30:00.000+01:00' });
    expect(after[0]?.incident_updates.map((update) => update.status)).toEqual(['resolved', 'monitoring', 'identified', 'investigating']);
    expect(after[0]?.incident_updates[0]?.affected_components).toBeNull();
    expect(renderStatuspageV2(outageRestored, 'incidents/unresolved.json').incidents).toEqual([]);
    expect(renderStatuspageV2(outageRestored, 'status.json').status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
  });

  it('lists groups as components with their members, under a stable id per group name', () => {
    const components = renderStatuspageV2(quietPage, 'components.json').components;
    const groupId = statuspageGroupId('Databases');
    expect(components.map((c) => [c.id, c.position, c.group, c.group_id])).toEqual([
      ['website', 1, false, null],
      ['api', 2, false, null],
      [groupId, 3, true, null],
      ['db-eu', 1, false, groupId],
      ['db-us', 2, false, groupId],
      ['ftp', 4, false, null],
    ]);
    const group = components.find((c) => c.group);
    expect(group).toMatchObject({ name: 'Databases', components: ['db-eu', 'db-us'], status: 'operational', description: null, showcase: false });
    expect(components.find((c) => c.id === 'website')).toMatchObject({
      description: 'www.acme.test',
      created_at: '2026-11-01T01:00:00.000+01:00',
      showcase: true,
      only_show_if_degraded: false,
      page_id: 'acme',
    });
    expect(components.find((c) => c.id === 'ftp')?.only_show_if_degraded).toBe(true);
    expect(statuspageGroupId('Databases')).toBe(groupId);
    expect(statuspageGroupId('Databases ')).not.toBe(groupId);
    expect(groupId).toMatch(/^group-[0-9a-f]{12}$/);
  });

  it('keeps a component shown only when degraded in the JSON, with its status', () => {
    const ftp = renderStatuspageV2(ftpDegraded, 'components.json').components.find((c) => c.id === 'ftp');
    expect(ftp).toMatchObject({ status: 'degraded_performance', only_show_if_degraded: true, updated_at: '2026-12-06T10:00:00.000+01:00' });
    expect(renderStatuspageV2(ftpDegraded, 'status.json').status).toEqual({ indicator: 'minor', description: 'Partially Degraded Service' });
  });

  it('serves scheduled maintenance: all, upcoming, active, and the summary holds the upcoming and active ones', () => {
    const ids = (path: 'scheduled-maintenances.json' | 'scheduled-maintenances/upcoming.json' | 'scheduled-maintenances/active.json') =>
      renderStatuspageV2(maintenanceUnderWay, path).scheduled_maintenances.map((m) => m.id);
    expect(ids('scheduled-maintenances.json')).toEqual(['mnt-next', 'mnt-now', 'mnt-done']);
    expect(ids('scheduled-maintenances/upcoming.json')).toEqual(['mnt-next']);
    expect(ids('scheduled-maintenances/active.json')).toEqual(['mnt-now']);
    const summary = renderStatuspageV2(maintenanceUnderWay, 'summary.json');
    expect(summary.scheduled_maintenances.map((m) => m.id)).toEqual(['mnt-now', 'mnt-next']);
    expect(summary.scheduled_maintenances[0]).toMatchObject({
      impact: 'maintenance',
      status: 'in_progress',
      scheduled_for: '2026-12-06T23:00:00.000+01:00',
      scheduled_until: '2026-12-07T00:00:00.000+01:00',
      resolved_at: null,
    });
    expect(summary.scheduled_maintenances[0]?.components.map((c) => [c.id, c.status])).toEqual([['db-eu', 'under_maintenance']]);
    expect(summary.components.find((c) => c.group)?.status).toBe('under_maintenance');
    expect(summary.status).toEqual({ indicator: 'none', description: 'Service Under Maintenance' });
  });

  it('lists at most 50 incidents, newest first', () => {
    const many: PublicIncident[] = Array.from({ length: 60 }, (_, i) => ({
      ...(outageRestored.incidents[1]!),
      id: `inc-${String(60 - i)}`,
    }));
    const body = renderStatuspageV2({ ...outageRestored, incidents: many }, 'incidents.json');
    expect(body.incidents).toHaveLength(STATUSPAGE_V2_LIST_LIMIT);
    expect(body.incidents[0]?.id).toBe('inc-60');
  });
});

describe('statuspageStatus', () => {
  const pageOf = (count: number): StatusPage => ({
    ...acmePage,
    components: Array.from({ length: count }, (_, i) => ({ id: `c${String(i)}`, name: `C${String(i)}` })),
  });
  const statusOf = (statuses: readonly ComponentStatus[], incidents: StatusPageSnapshot['incidents'] = []) => {
    const page = pageOf(statuses.length);
    const byId = Object.fromEntries(statuses.map((status, i) => [`c${String(i)}`, status]));
    return statuspageStatus({ ...quietPage, page, components: componentStates(page, byId), incidents });
  };

  it.each([
    [['operational'], 'none', 'All Systems Operational'],
    [['degraded_performance'], 'minor', 'Degraded System Service'],
    [['partial_outage'], 'major', 'Partial System Outage'],
    [['major_outage'], 'critical', 'Major System Outage'],
    [['under_maintenance'], 'none', 'Service Under Maintenance'],
    [['operational', 'degraded_performance'], 'minor', 'Partially Degraded Service'],
    [['degraded_performance', 'degraded_performance'], 'minor', 'Degraded System Service'],
    [['operational', 'partial_outage'], 'minor', 'Minor Service Outage'],
    [['partial_outage', 'partial_outage'], 'major', 'Partial System Outage'],
    [['operational', 'major_outage'], 'major', 'Partial System Outage'],
    [['partial_outage', 'major_outage'], 'major', 'Partial System Outage'],
    [['major_outage', 'major_outage'], 'critical', 'Major System Outage'],
    [['under_maintenance', 'degraded_performance'], 'minor', 'Partially Degraded Service'],
    [[], 'none', 'All Systems Operational'],
  ] as const)('components %j → %s, %s', (statuses, indicator, description) => {
    expect(statusOf(statuses)).toEqual({ indicator, description });
  });

  it('takes an unresolved incident’s impact when it is worse than the components’ status', () => {
    expect(statuspageStatus(noComponents)).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    const major = [{ ...(noComponents.incidents[0]!), impact: 'major' as const }];
    expect(statusOf(['operational', 'degraded_performance'], major)).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(statusOf(['major_outage'], major)).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    const resolved = [{ ...(noComponents.incidents[0]!), impact: 'critical' as const, status: 'resolved' as const }];
    expect(statusOf(['operational'], resolved)).toEqual({ indicator: 'none', description: 'All Systems Operational' });
  });
});
