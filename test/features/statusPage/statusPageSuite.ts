/** Status pages against any store: the cases of statusPage.test.ts (memory, SQLite) and statusPage.int.test.ts (PostgreSQL). */
import { expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineStatusPage } from '../../../src/features/statusPage/defineStatusPage.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import { parseSignal } from '../../../src/model/signal.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

export const T0 = '2026-12-06T09:00:00.000Z';
export const ADA = { id: 'u_ada', name: 'Ada' };

export const page = defineStatusPage({
  id: 'public',
  name: 'Acme status',
  url: 'https://status.acme.example/',
  timeZone: 'Europe/Berlin',
  components: [
    { id: 'website', name: 'Website', services: ['web'] },
    { id: 'api', name: 'API', group: 'Platform', services: ['api', 'gateway'] },
    { id: 'email', name: 'Email', onlyShowIfDegraded: true },
  ],
});

export function engineOn(store: StorageAdapter, extra: Partial<IncidentEngineOptions> = {}, clock = createManualClock(T0)) {
  const engine = createIncidentEngine({ store, clock, statusPages: [page], ...extra });
  return { engine, clock };
}

/** The cases, over fresh stores from `makeStore`. */
export function statusPageCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('publishes an incident: a PUBLISHED event on its timeline, the public slice, and components derived from its service', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'db-3 replication broken', severity: 'SEV1', service: 'api', actor: ADA });
    await engine.addNote(incident.id, { text: 'internal: primary failed over', actor: ADA });
    clock.advance(5 * 60_000);
    const published = await engine.publish(incident.id, { name: 'API errors', impact: 'major', body: 'We are looking into errors on the API.', actor: ADA });
    expect(published.publicIncident).toMatchObject({ pageId: 'public', publicId: incident.id, name: 'API errors', impact: 'major', status: 'investigating', components: {} });
    const timeline = await engine.timeline(incident.id);
    expect(timeline.at(-1)).toMatchObject({ type: 'PUBLISHED', data: { pageId: 'public', name: 'API errors', affected: [{ id: 'api', oldStatus: 'operational', newStatus: 'partial_outage' }] } });
    expect(await engine.verifyTimeline(incident.id)).toMatchObject({ ok: true });
    expect(replayTimeline(timeline)).toEqual(published);
    const { keyTimeline } = buildPostmortem(published, timeline, { keyEventTypes: ['PUBLISHED'] });
    expect(keyTimeline.map((e) => e.text)).toEqual(['Published on status page public by Ada as "API errors" (impact major): We are looking into errors on the API.']);

    const snapshot = await engine.statusPages.snapshot('public');
    expect(snapshot.components.map((c) => [c.component.id, c.status])).toEqual([['website', 'operational'], ['api', 'partial_outage'], ['email', 'operational']]);
    expect(snapshot.incidents).toHaveLength(1);
    expect(snapshot.incidents[0]).toMatchObject({
      id: incident.id,
      name: 'API errors',
      status: 'investigating',
      impact: 'major',
      shortlink: `https://status.acme.example/incidents/${incident.id}`,
      components: [{ id: 'api', status: 'partial_outage' }],
      updates: [{ status: 'investigating', body: 'We are looking into errors on the API.', affectedComponents: [{ id: 'api', name: 'API', oldStatus: 'operational', newStatus: 'partial_outage' }] }],
    });
    expect(snapshot.maintenances).toEqual([]);
    expect(JSON.stringify(snapshot)).not.toContain('primary failed over');
    expect(JSON.stringify(snapshot)).not.toContain('db-3');
  });

  it('posts public updates: explicit components win, resolved returns them to operational, every change is in the component history', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Web down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(incident.id, { name: 'Website unavailable', impact: 'minor', components: { email: 'degraded_performance' }, body: 'Investigating.', actor: ADA });
    clock.advance(10 * 60_000);
    const updated = await engine.postPublicUpdate(incident.id, { status: 'identified', body: 'Found it.', components: { website: 'major_outage' }, impact: 'critical', actor: ADA });
    expect(updated.publicIncident).toMatchObject({ status: 'identified', impact: 'critical', components: { email: 'degraded_performance', website: 'major_outage' } });
    let snapshot = await engine.statusPages.snapshot();
    expect(Object.fromEntries(snapshot.components.map((c) => [c.component.id, c.status]))).toEqual({ website: 'major_outage', api: 'operational', email: 'degraded_performance' });
    expect(snapshot.incidents[0]?.updates.map((u) => u.status)).toEqual(['identified', 'investigating']);
    clock.advance(20 * 60_000);
    await engine.postPublicUpdate(incident.id, { status: 'resolved', body: 'Fixed.', actor: ADA });
    snapshot = await engine.statusPages.snapshot();
    expect(snapshot.components.every((c) => c.status === 'operational')).toBe(true);
    expect(snapshot.incidents[0]).toMatchObject({ status: 'resolved', resolvedAt: '2026-12-06T09:30:00.000Z' });
    const history = await engine.statusPages.componentHistory('public');
    expect(history.map((c) => [c.componentId, c.oldStatus, c.newStatus, c.at])).toEqual([
      ['website', 'operational', 'degraded_performance', T0],
      ['email', 'operational', 'degraded_performance', T0],
      ['website', 'degraded_performance', 'major_outage', '2026-12-06T09:10:00.000Z'],
      ['website', 'major_outage', 'operational', '2026-12-06T09:30:00.000Z'],
      ['email', 'degraded_performance', 'operational', '2026-12-06T09:30:00.000Z'],
    ]);
    expect(await engine.statusPages.componentHistory('public', { from: '2026-12-06T09:10:00.000Z', to: '2026-12-06T09:30:00.000Z' })).toHaveLength(1);
    expect(await engine.statusPages.componentHistory('public', { componentId: 'email' })).toHaveLength(2);
    // Resolved incidents leave the page after recentDays.
    clock.advance(16 * 24 * 60 * 60_000);
    expect((await engine.statusPages.snapshot()).incidents).toEqual([]);
    expect((await engine.statusPages.snapshot('public', { recentDays: 30 })).incidents).toHaveLength(1);
  });

  it('worst wins across incidents; the internal resolution returns components to operational', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const first = await engine.declare({ title: 'API slow', severity: 'SEV3', service: 'api', actor: ADA });
    const second = await engine.declare({ title: 'Gateway down', severity: 'SEV1', service: 'gateway', actor: ADA });
    await engine.publish(first.id, { name: 'Slow API', impact: 'minor', body: 'Slow.', actor: ADA });
    await engine.publish(second.id, { name: 'API outage', impact: 'critical', body: 'Down.', actor: ADA });
    const status = async () => (await engine.statusPages.snapshot()).components.find((c) => c.component.id === 'api')?.status;
    expect(await status()).toBe('major_outage');
    clock.advance(30 * 60_000);
    await engine.resolve(second.id, { summary: 'Gateway restarted', actor: ADA });
    expect(await status()).toBe('degraded_performance');
    await engine.cancel(first.id, { reason: 'false_positive', actor: ADA });
    expect(await status()).toBe('operational');
    const history = await engine.statusPages.componentHistory('public', { componentId: 'api' });
    expect(history.map((c) => [c.newStatus, c.at])).toEqual([
      ['degraded_performance', T0],
      ['major_outage', T0],
      ['degraded_performance', '2026-12-06T09:30:00.000Z'],
      ['operational', '2026-12-06T09:30:00.000Z'],
    ]);
    // A page stored with other links derives its components again.
    const third = await engine.declare({ title: 'Mail queue stuck', severity: 'SEV2', service: 'smtp', actor: ADA });
    await engine.publish(third.id, { name: 'Email delays', impact: 'major', body: 'Delays.', actor: ADA });
    expect((await engine.statusPages.snapshot()).components.find((c) => c.component.id === 'email')?.status).toBe('operational');
    await engine.statusPages.put({ ...page, components: page.components.map((c) => (c.id === 'email' ? { ...c, services: ['smtp'] } : c)) }, { actor: ADA });
    expect((await engine.statusPages.snapshot()).components.find((c) => c.component.id === 'email')?.status).toBe('partial_outage');
    // Today in Berlin began at 23:00Z; the API was in a major outage for 30 of those 630 minutes.
    const { uptime } = await engine.statusPages.snapshot('public', { uptime: { days: 1 } });
    expect(uptime?.find((u) => u.componentId === 'api')).toEqual({ componentId: 'api', uptime: expect.closeTo(1 - 30 / 630, 10) as number, days: [{ date: '2026-12-06', worst: 'major_outage', uptime: expect.closeTo(1 - 30 / 630, 10) as number }] });
  });

  it('holds components again when the incident reopens; takes public updates after it closed', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Web down', severity: 'SEV4', service: 'web', actor: ADA });
    await engine.publish(incident.id, { name: 'Website down', impact: 'major', body: 'Down.', actor: ADA });
    const website = async () => (await engine.statusPages.snapshot()).components[0]?.status;
    clock.advance(60_000);
    await engine.resolve(incident.id, { actor: ADA });
    expect(await website()).toBe('operational');
    clock.advance(60_000);
    await engine.reopen(incident.id, { reason: 'It broke again', actor: ADA });
    expect(await website()).toBe('partial_outage');
    await engine.resolve(incident.id, { actor: ADA });
    await engine.close(incident.id, { actor: ADA });
    const closed = await engine.postPublicUpdate(incident.id, { status: 'resolved', body: 'All good since 09:02.', actor: ADA });
    expect(closed).toMatchObject({ status: 'closed', publicIncident: { status: 'resolved', updates: [{ status: 'investigating' }, { status: 'resolved' }] } });
    expect(await website()).toBe('operational');
    await expect(engine.publish(incident.id, { name: 'n', impact: 'minor', body: 'b', actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('refuses unknown components and pages, a second publish, and an update before publish', async () => {
    const { engine } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    await expect(engine.postPublicUpdate(incident.id, { status: 'monitoring', body: 'b', actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: /not published/ });
    await expect(engine.publish(incident.id, { name: 'n', impact: 'minor', components: { ghost: 'major_outage' }, body: 'b', actor: ADA })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: /no component 'ghost'/,
    });
    await expect(engine.publish(incident.id, { pageId: 'other', name: 'n', impact: 'minor', body: 'b', actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /public/ });
    await engine.publish(incident.id, { name: 'n', impact: 'none', body: 'b', actor: ADA });
    await expect(engine.publish(incident.id, { name: 'n', impact: 'minor', body: 'b', actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: /published already/ });
    await expect(engine.postPublicUpdate(incident.id, { status: 'monitoring', body: 'b', components: { ghost: 'operational' }, actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await engine.timeline(incident.id)).filter((e) => e.type === 'PUBLISHED')).toHaveLength(1);
  });

  it('stores pages per tenant as versioned records: a stored page replaces the configured one; several pages need a pageId', async () => {
    const store = await makeStore();
    const { engine } = engineOn(store);
    expect(await engine.statusPages.get('public')).toMatchObject({ source: 'config', page: { name: 'Acme status' } });
    const renamed = await engine.statusPages.put({ ...page, name: 'Acme system status' }, { actor: ADA });
    expect(renamed).toMatchObject({ source: 'stored', version: 1, updatedBy: { id: 'u_ada' } });
    await engine.statusPages.put(defineStatusPage({ id: 'internal', name: 'Internal', url: 'https://status.internal.example', timeZone: 'UTC', components: [{ id: 'vpn', name: 'VPN' }] }), { actor: ADA });
    expect((await engine.statusPages.list()).map((p) => [p.page.id, p.source])).toEqual([['internal', 'stored'], ['public', 'stored']]);
    expect(await engine.statusPages.history('public')).toHaveLength(1);
    await expect(engine.statusPages.put({ ...page, name: 'again' }, { actor: ADA, expectedVersion: 0 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await expect(engine.statusPages.get('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    await expect(engine.publish(incident.id, { name: 'n', impact: 'minor', body: 'b', actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: /internal, public/ });
    await expect(engine.statusPages.snapshot()).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // Another tenant on the same store sees only the configured page.
    const other = createIncidentEngine({ store, tenantId: 'other', statusPages: [page] });
    expect((await other.statusPages.list()).map((p) => p.source)).toEqual(['config']);
  });

  it("dates each component from when it joined the page: the JSON's created_at of a component added later is when it was added", async () => {
    const { engine, clock } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(incident.id, { name: 'Website unreachable', impact: 'minor', body: 'Slow.', actor: ADA });
    clock.advance(60 * 60_000);
    const later = clock.now().toISOString();
    await engine.statusPages.put({ ...page, components: [...page.components, { id: 'search', name: 'Search' }] }, { actor: ADA });
    const snapshot = await engine.statusPages.snapshot();
    const createdAt = Object.fromEntries(snapshot.components.map((c) => [c.component.id, c.createdAt]));
    expect(createdAt).toEqual({ website: T0, api: T0, email: T0, search: later });
    expect(snapshot.components.find((c) => c.component.id === 'search')).toMatchObject({ status: 'operational', updatedAt: later });
  });

  it('repairs a lost index write with its feature timer: nothing published is lost', async () => {
    const inner = await makeStore();
    let failNext = false;
    const store: StorageAdapter = Object.assign(Object.create(inner) as StorageAdapter, {
      putRecord: async (write: Parameters<NonNullable<StorageAdapter['putRecord']>>[0]) => {
        if (failNext && write.kind === 'statusPage.state') {
          failNext = false;
          throw new Error('crash between the commit and the record write');
        }
        return inner.putRecord!(write);
      },
    });
    const { engine } = engineOn(store);
    await engine.statusPages.snapshot();
    const incident = await engine.declare({ title: 'x', severity: 'SEV2', service: 'web', actor: ADA });
    failNext = true;
    const published = await engine.publish(incident.id, { name: 'Website down', impact: 'critical', body: 'b', actor: ADA });
    expect(published.publicIncident?.name).toBe('Website down');
    expect(await engine.statusPages.componentHistory('public')).toEqual([]);
    await engine.tick();
    expect((await engine.statusPages.componentHistory('public')).map((c) => [c.componentId, c.newStatus])).toEqual([['website', 'major_outage']]);
    expect((await engine.statusPages.snapshot()).components[0]?.status).toBe('major_outage');
  });

  it('publishes a drill for practice only: its events and public slice are kept, the page, its component history and uptime never show it', async () => {
    const store = await makeStore();
    const { engine, clock } = engineOn(store);
    const [opened] = await engine.ingest(parseSignal({ source: 'game-day', fingerprint: 'api-down', status: 'firing', severity: 'SEV1', summary: 'API down', service: 'api', startsAt: T0 }), { drill: true });
    const drill = opened?.incident;
    expect(drill?.drill).toBe(true);
    const published = await engine.publish(drill?.id ?? '', { name: 'API errors', impact: 'critical', components: { email: 'degraded_performance' }, body: 'Practice: errors on the API.', actor: ADA });
    clock.advance(10 * 60_000);
    await engine.postPublicUpdate(drill?.id ?? '', { status: 'identified', body: 'Practice: found it.', components: { website: 'partial_outage' }, actor: ADA });
    // A drill tenant's incidents are drills too, whatever the call says.
    const drills = engineOn(store, { drill: true }, clock).engine;
    const declared = await drills.declare({ title: 'Game day: web', severity: 'SEV2', service: 'web', actor: ADA });
    await drills.publish(declared.id, { name: 'Website slow', impact: 'minor', body: 'Practice.', actor: ADA });
    await engine.tick();
    await drills.tick();

    // What the drill would have published, and what it would have changed, is on its timeline for its review.
    expect(published.publicIncident).toMatchObject({ pageId: 'public', name: 'API errors', status: 'investigating' });
    expect((await engine.timeline(drill?.id ?? '')).filter((e) => e.type === 'PUBLISHED')).toMatchObject([
      { data: { affected: [{ id: 'api', oldStatus: 'operational', newStatus: 'major_outage' }, { id: 'email', oldStatus: 'operational', newStatus: 'degraded_performance' }] } },
    ]);
    const quiet = await engine.statusPages.snapshot('public', { uptime: { days: 1 } });
    expect(quiet.incidents).toEqual([]);
    expect(quiet.components.map((c) => c.status)).toEqual(['operational', 'operational', 'operational']);
    expect(quiet.uptime?.map((u) => u.uptime)).toEqual([1, 1, 1]);
    expect(await engine.statusPages.componentHistory('public')).toEqual([]);

    // A real incident beside it shows, and changes only what it holds.
    const real = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(real.id, { name: 'Website unreachable', impact: 'major', body: 'The website does not answer.', actor: ADA });
    await engine.postPublicUpdate(drill?.id ?? '', { status: 'resolved', body: 'Practice over.', actor: ADA });
    await engine.resolve(drill?.id ?? '', { actor: ADA });
    await engine.tick();
    const shown = await engine.statusPages.snapshot('public');
    expect(shown.incidents.map((i) => [i.id, i.name])).toEqual([[real.id, 'Website unreachable']]);
    expect(shown.components.map((c) => [c.component.id, c.status])).toEqual([['website', 'partial_outage'], ['api', 'operational'], ['email', 'operational']]);
    expect((await engine.statusPages.componentHistory('public')).map((c) => [c.componentId, c.newStatus, c.incidentId])).toEqual([['website', 'partial_outage', real.id]]);
  });
}
