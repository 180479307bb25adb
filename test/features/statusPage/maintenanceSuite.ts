/** Scheduled maintenance against any store: the cases of maintenance.test.ts (memory, SQLite) and maintenance.int.test.ts (PostgreSQL). */
import { expect, it } from 'vitest';
import { isIncidentKitError } from '../../../src/errors.js';
import { renderStatuspageV2 } from '../../../src/features/statusPage/render/statuspageV2.js';
import { renderStatusPageHtml } from '../../../src/features/statusPage/render/html.js';
import type { Signal } from '../../../src/model/signal.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { ADA, engineOn, T0 } from './statusPageSuite.js';

const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function signal(service: string, fingerprint = `fp-${service}`): Signal {
  return { source: 'alertmanager', fingerprint, status: 'firing', severity: 'SEV3', summary: `${service} is slow`, service, labels: { alertname: 'Slow' }, annotations: {}, links: [], raw: {}, startsAt: T0 } as unknown as Signal;
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The cases, over fresh stores from `makeStore`. */
export function maintenanceCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('runs on its timers: scheduled, in progress (under_maintenance, signals suppressed), completed (operational, signals page again)', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const scheduled = await engine.scheduleMaintenance({
      name: 'Database upgrade',
      components: ['api'],
      scheduledFor: at(60),
      scheduledUntil: at(120),
      body: 'We will upgrade the database; the API may be slow.',
      actor: ADA,
    });
    expect(scheduled).toMatchObject({ pageId: 'public', status: 'scheduled', autoTransition: true, components: ['api'], scheduledFor: at(60), scheduledUntil: at(120), shortlink: `https://status.acme.example/maintenances/${scheduled.id}` });
    let snapshot = await engine.statusPages.snapshot();
    expect(snapshot.maintenances.map((m) => [m.id, m.status])).toEqual([[scheduled.id, 'scheduled']]);
    expect(renderStatuspageV2(snapshot, 'scheduled-maintenances/upcoming.json').scheduled_maintenances.map((m) => [m.id, m.status])).toEqual([[scheduled.id, 'scheduled']]);
    expect(renderStatuspageV2(snapshot, 'scheduled-maintenances/active.json').scheduled_maintenances).toEqual([]);
    expect(renderStatusPageHtml(snapshot)).toContain('Database upgrade');
    // Before it starts nothing is suppressed.
    expect((await engine.ingest(signal('api', 'early')))[0]?.outcome).toBe('created');

    clock.set(at(60));
    expect((await engine.tick()).length).toBeGreaterThan(0);
    snapshot = await engine.statusPages.snapshot();
    expect(snapshot.components.find((c) => c.component.id === 'api')).toMatchObject({ status: 'under_maintenance', updatedAt: at(60) });
    expect(snapshot.components.find((c) => c.component.id === 'website')?.status).toBe('operational');
    expect(snapshot.maintenances[0]).toMatchObject({ status: 'in_progress', updates: [{ status: 'in_progress', affectedComponents: [{ id: 'api', name: 'API', oldStatus: 'operational', newStatus: 'under_maintenance' }] }, { status: 'scheduled' }] });
    expect(renderStatuspageV2(snapshot, 'scheduled-maintenances/active.json').scheduled_maintenances.map((m) => [m.id, m.status])).toEqual([[scheduled.id, 'in_progress']]);
    expect(renderStatuspageV2(snapshot, 'scheduled-maintenances/upcoming.json').scheduled_maintenances).toEqual([]);
    expect(renderStatusPageHtml(snapshot)).toContain('Under maintenance');
    // The existing maintenance-window rule suppresses the linked services' signals: api and gateway.
    const windows = await engine.maintenance.list();
    expect(windows.map((w) => [w.id, w.service, w.start, w.end])).toEqual([
      [`${scheduled.id}.1`, 'api', at(60), at(120)],
      [`${scheduled.id}.2`, 'gateway', at(60), at(120)],
    ]);
    clock.advance(60_000);
    expect(await engine.ingest(signal('gateway'))).toMatchObject([{ outcome: 'suppressed', suppressedBy: `maintenance ${scheduled.id}.2` }]);
    expect((await engine.ingest(signal('web')))[0]?.outcome).toBe('created');

    clock.set(at(120));
    await engine.tick();
    snapshot = await engine.statusPages.snapshot();
    expect(snapshot.components.find((c) => c.component.id === 'api')).toMatchObject({ status: 'operational', updatedAt: at(120) });
    expect(snapshot.maintenances[0]).toMatchObject({ status: 'completed', resolvedAt: at(120) });
    expect(renderStatuspageV2(snapshot, 'scheduled-maintenances.json').scheduled_maintenances.map((m) => m.status)).toEqual(['completed']);
    expect((await engine.ingest(signal('gateway', 'after')))[0]?.outcome).toBe('created');

    // The history holds it, and uptime counts maintenance as up.
    expect((await engine.statusPages.componentHistory('public', { componentId: 'api' })).map((c) => [c.newStatus, c.at, c.maintenanceId])).toEqual([
      ['under_maintenance', at(60), scheduled.id],
      ['operational', at(120), scheduled.id],
    ]);
    const withUptime = await engine.statusPages.snapshot('public', { uptime: { days: 1 } });
    expect(withUptime.uptime?.find((u) => u.componentId === 'api')?.uptime).toBe(1);
    // Timers fired again change nothing.
    expect(await engine.tick()).toEqual([]);
  });

  it('moves by hand: started early, verifying, completed early (windows end); updates posted; no going back', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const m = await engine.scheduleMaintenance({ pageId: 'public', name: 'Web server patching', components: ['website'], scheduledFor: at(60), scheduledUntil: at(180), body: 'Patching.', autoTransition: false, actor: ADA });
    // Without autoTransition no timer moves it.
    clock.set(at(20));
    expect(await engine.tick()).toEqual([]);
    clock.set(at(30));
    const started = await engine.updateMaintenance(m.id, { status: 'in_progress', body: 'We started early.', actor: ADA });
    expect(started).toMatchObject({ status: 'in_progress', updates: [{ status: 'in_progress', body: 'We started early.' }, { status: 'scheduled' }] });
    expect((await engine.statusPages.snapshot()).components[0]).toMatchObject({ status: 'under_maintenance', updatedAt: at(30) });
    expect(await engine.ingest(signal('web'))).toMatchObject([{ outcome: 'suppressed', suppressedBy: `maintenance ${m.id}.1` }]);

    clock.set(at(90));
    await engine.updateMaintenance(m.id, { status: 'verifying', body: 'Checking everything works.', actor: ADA });
    await engine.updateMaintenance(m.id, { body: 'Still checking.', actor: ADA });
    expect((await engine.statusPages.snapshot()).components[0]?.status).toBe('under_maintenance');
    const back = await thrown(engine.updateMaintenance(m.id, { status: 'in_progress', body: 'Oops.', actor: ADA }));
    expect(isIncidentKitError(back, 'VALIDATION_FAILED')).toBe(true);

    clock.set(at(100));
    const done = await engine.updateMaintenance(m.id, { status: 'completed', body: 'All done.', actor: ADA });
    expect(done).toMatchObject({ status: 'completed', resolvedAt: at(100) });
    expect(done.updates.map((u) => u.status)).toEqual(['completed', 'verifying', 'verifying', 'in_progress', 'scheduled']);
    expect((await engine.statusPages.snapshot()).components[0]?.status).toBe('operational');
    expect(await engine.maintenance.list()).toEqual([]);
    expect((await engine.maintenance.list({ ended: true }))[0]).toMatchObject({ id: `${m.id}.1`, end: at(100), endedEarly: { plannedEnd: at(180) } });
    expect((await engine.ingest(signal('web', 'after')))[0]?.outcome).toBe('created');
    expect(isIncidentKitError(await thrown(engine.updateMaintenance(m.id, { body: 'Late note.', actor: ADA })), 'VALIDATION_FAILED')).toBe(true);
    // Repeating what followed its writes (the timers that repair a lost write) changes nothing.
    await engine.tick();
    expect((await engine.statusPages.snapshot()).components[0]?.status).toBe('operational');
    expect((await engine.statusPages.componentHistory('public', { componentId: 'website' })).map((c) => [c.newStatus, c.at])).toEqual([
      ['under_maintenance', at(30)],
      ['operational', at(100)],
    ]);
  });

  it('an outage during maintenance shows (worst wins); soonest first; bad input refused', async () => {
    const { engine } = engineOn(await makeStore());
    const later = await engine.scheduleMaintenance({ name: 'Later', components: ['email'], scheduledFor: at(600), scheduledUntil: at(660), body: 'Later.', actor: ADA });
    const now = await engine.scheduleMaintenance({ name: 'Now', components: ['api'], scheduledFor: T0, scheduledUntil: at(60), body: 'Now.', actor: ADA });
    await engine.tick();
    const incident = await engine.declare({ title: 'API down', severity: 'SEV1', service: 'api', actor: ADA });
    await engine.publish(incident.id, { name: 'API outage', impact: 'critical', body: 'The API is down.', actor: ADA });
    let snapshot = await engine.statusPages.snapshot();
    expect(snapshot.maintenances.map((m) => m.id)).toEqual([now.id, later.id]);
    expect(snapshot.components.find((c) => c.component.id === 'api')?.status).toBe('major_outage');
    await engine.postPublicUpdate(incident.id, { status: 'resolved', body: 'Fixed.', actor: ADA });
    snapshot = await engine.statusPages.snapshot();
    expect(snapshot.components.find((c) => c.component.id === 'api')?.status).toBe('under_maintenance');

    const base = { name: 'X', components: ['api'], scheduledFor: at(10), scheduledUntil: at(20), body: 'X.', actor: ADA };
    for (const [change, path] of [
      [{ components: ['nope'] }, ['components', 0]],
      [{ scheduledUntil: at(5) }, ['scheduledUntil']],
      [{ scheduledFor: at(-20), scheduledUntil: at(-10) }, ['scheduledUntil']],
      [{ pageId: 'other' }, ['pageId']],
      [{ components: [] }, ['components']],
    ] as const) {
      const error = await thrown(engine.scheduleMaintenance({ ...base, ...change }));
      expect(isIncidentKitError(error, 'VALIDATION_FAILED')).toBe(true);
      expect((error as { details: { issues: { path: unknown[] }[] } }).details.issues[0]?.path).toEqual(path);
    }
    expect(isIncidentKitError(await thrown(engine.updateMaintenance('sm_unknown', { body: 'x', actor: ADA })), 'NOT_FOUND')).toBe(true);
  });
}
