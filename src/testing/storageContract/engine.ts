/**
 * Checks with the real engine on the store: a full lifecycle whose timeline verifies, a due
 * timer that fires once across competing engines, and an alert storm beyond the alerts an
 * incident carries.
 */
import { createIncidentEngine } from '../../createIncidentEngine.js';
import { replayTimeline } from '../../lifecycle/projection.js';
import type { AlertSummary } from '../../model/incident.js';
import { parseSignal, type SignalStatus } from '../../model/signal.js';
import { createManualClock } from '../manualClock.js';
import type { ContractChecks } from './context.js';
import { alice, MINUTE, t, TENANT } from './fixtures.js';

/** Engine checks (`engine: …`). */
export const engineChecks = {
  'engine: a full lifecycle runs on the store and its timeline verifies': async ({ store: s, expect }) => {
    const clock = createManualClock(t(0));
    const engine = createIncidentEngine({ store: s, clock, tenantId: TENANT });
    const other = createIncidentEngine({ store: s, clock, tenantId: TENANT });
    const lee = { id: 'u_lee', name: 'Lee' };
    const incident = await engine.declare({ title: 'Search is slow', severity: 'SEV2', service: 'search', dedupKey: 'p99/search', actor: alice });
    clock.advance(MINUTE);
    await engine.acknowledge(incident.id, { actor: alice });
    await Promise.all([
      engine.assignRole(incident.id, { role: 'commander', assignee: alice, actor: alice }),
      other.addNote(incident.id, { text: 'Index rebuild is saturating disks.', actor: lee }),
      other.postUpdate(incident.id, { audience: 'stakeholders', message: 'Search is degraded.', actor: lee }),
    ]);
    clock.advance(MINUTE);
    await engine.mitigate(incident.id, { summary: 'Paused the rebuild.', actor: alice });
    await engine.recordRootCause(incident.id, { summary: 'Rebuild ran at peak.', contributingFactors: ['no throttle'], actor: alice });
    await engine.resolve(incident.id, { actor: alice });
    await engine.startReview(incident.id, { actor: alice });
    const withItem = await engine.addActionItem(incident.id, { title: 'Throttle rebuilds', owner: 'u_lee', actor: alice });
    await engine.completeReview(incident.id, { actor: alice });
    await engine.close(incident.id, { actor: alice });
    const itemId = withItem.actionItems[0]?.id ?? '';
    const final = await engine.updateActionItem(incident.id, { actionItemId: itemId, status: 'done', actor: lee });
    expect(await engine.get(incident.id)).toEqual(final);
    expect(final.status).toBe('closed');
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
    const timeline = await engine.timeline(incident.id);
    expect(timeline).toHaveLength(final.version);
    expect(replayTimeline(timeline)).toEqual(final);
    expect((await engine.list({ open: false })).items.map((i) => i.id)).toEqual([incident.id]);
  },

  'engine: a due timer fires once across competing engines': async ({ store: s, expect }) => {
    const clock = createManualClock(t(0));
    const policies = { escalation: { levels: [{ afterMinutes: 5, targets: ['team:payments'] }] } };
    const engines = ['w1', 'w2', 'w3'].map((workerId) => createIncidentEngine({ store: s, clock, tenantId: TENANT, policies, workerId }));
    const first = engines[0];
    if (first === undefined) return;
    const incident = await first.declare({ title: 'Payments failing', severity: 'SEV2', actor: alice });
    clock.advance(6 * MINUTE);
    const fired = (await Promise.all(engines.map((engine) => engine.tick()))).flat();
    expect(fired.filter((f) => f.outcome === 'applied').map((f) => f.incidentId)).toEqual([incident.id]);
    const escalations = (await first.timeline(incident.id)).filter((e) => e.type === 'ESCALATED');
    expect(escalations).toHaveLength(1);
    expect(await first.verifyTimeline(incident.id)).toEqual({ ok: true });
    clock.advance(60 * MINUTE);
    expect((await Promise.all(engines.map((engine) => engine.tick()))).flat().filter((f) => f.outcome === 'applied')).toEqual([]);
  },

  'engine: an alert storm beyond the 100 alerts an incident carries groups, changes, pages and auto-resolves, and its timeline verifies': async ({ store: s, expect }) => {
    const clock = createManualClock(t(0));
    const engine = createIncidentEngine({ store: s, clock, tenantId: TENANT, ingest: { groupBy: ['alertname'], countWindowMs: 0 } });
    const signal = (i: number, status: SignalStatus = 'firing') =>
      parseSignal({ source: 'alertmanager', fingerprint: `fp_${String(i)}`, status, severity: 'SEV2', summary: `Replica ${String(i)} is down`, labels: { alertname: 'ReplicaDown', replica: String(i) }, startsAt: t(0) });
    const storm = 150;
    const opened = await engine.ingest(Array.from({ length: storm }, (_, i) => signal(i)));
    expect(opened.map((r) => r.outcome)).toEqual(['created', ...Array.from({ length: storm - 1 }, () => 'grouped')]);
    const id = opened[0]?.incident?.id ?? '';
    const fingerprints = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `fp_${String(from + i)}`);
    let incident = await engine.get(id);
    expect([incident.alertCount, incident.unresolvedAlertCount]).toEqual([storm, storm]);
    expect(incident.alerts.map((a) => a.fingerprint)).toEqual(fingerprints(storm - 100, storm));
    clock.advance(MINUTE);
    // The first alert is no longer among those the incident carries: a repeat is still counted, not attached again.
    expect((await engine.ingest(signal(0))).map((r) => r.outcome)).toEqual(['deduplicated']);
    expect((await engine.ingest(signal(0, 'acknowledged'))).map((r) => [r.outcome, r.incident?.status])).toEqual([['acknowledged', 'responding']]);
    const resolving = await engine.ingest(Array.from({ length: storm - 1 }, (_, i) => signal(i, 'resolved')));
    expect(new Set(resolving.map((r) => r.outcome))).toEqual(new Set(['resolved']));
    incident = await engine.get(id);
    expect([incident.status, incident.unresolvedAlertCount]).toEqual(['responding', 1]);
    const [last] = await engine.ingest(signal(storm - 1, 'resolved'));
    expect([last?.outcome, last?.incident?.status, last?.incident?.unresolvedAlertCount]).toEqual(['resolved', 'resolved', 0]);

    const paged: AlertSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.alerts(id, { limit: 60, ...(cursor === undefined ? {} : { cursor }) });
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(paged.map((a) => a.fingerprint)).toEqual(fingerprints(0, storm));
    expect(new Set(paged.map((a) => a.status))).toEqual(new Set(['resolved']));
    expect([paged[0]?.count, paged[0]?.statusChangedAt]).toEqual([2, t(MINUTE)]);
    expect((await engine.get(id)).signalCount).toBe(storm + 1);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
  },
} satisfies ContractChecks;
