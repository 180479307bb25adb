/**
 * Alerts beyond the newest 100 an incident carries: an alert storm grouped into one incident
 * keeps `alertCount` and the newest 100 on the incident, every alert as a store row; status
 * changes, auto-resolve and dedup work for every alert; `engine.alerts` pages through all; a
 * command's commit carries only the alerts it changed.
 */
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { defineFeature } from '../../src/engine/feature.js';
import type { IngestOptions } from '../../src/engine/ingestOptions.js';
import type { Authorize } from '../../src/engine/types.js';
import { replayTimeline } from '../../src/lifecycle/projection.js';
import { INCIDENT_ALERTS_LIMIT, type AlertSummary } from '../../src/model/incident.js';
import { parseSignal, type Signal, type SignalStatus } from '../../src/model/signal.js';
import { memoryStore } from '../../src/storage/memory.js';
import type { Commit, StorageAdapter } from '../../src/storage/types.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { ALICE, makeEngine, T0, thrown, wrapStore } from '../helpers.js';

const GROUP: IngestOptions = { groupBy: ['alertname'], countWindowMs: 0 };

function signal(i: number, status: SignalStatus = 'firing'): Signal {
  return parseSignal({
    source: 'alertmanager',
    fingerprint: `fp_${String(i)}`,
    status,
    severity: 'SEV2',
    summary: `Replica ${String(i)} is down`,
    labels: { alertname: 'ReplicaDown', replica: String(i) },
    startsAt: '2026-01-01T00:00:00.000Z',
  });
}

const fingerprints = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `fp_${String(from + i)}`);

/** An engine on a memory store that records every commit, and a storm of `size` alerts grouped into one incident. */
async function storm(size: number, options: { readonly authorize?: Authorize } = {}) {
  const commits: Commit[] = [];
  const store: StorageAdapter = wrapStore(memoryStore(), {
    commit: async (commit, inner) => {
      await inner.commit(commit);
      commits.push(commit);
    },
  });
  const { engine, clock } = makeEngine({ store, ingest: GROUP, ...(options.authorize === undefined ? {} : { authorize: options.authorize }) });
  const results = await engine.ingest(Array.from({ length: size }, (_, i) => signal(i)));
  const id = results[0]?.incident?.id ?? '';
  return { engine, clock, commits, id, results };
}

async function allAlerts(engine: IncidentEngine, id: string, limit: number): Promise<AlertSummary[]> {
  const alerts: AlertSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.alerts(id, { limit, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    alerts.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return alerts;
}

describe('alerts beyond the newest 100 an incident carries', () => {
  it('the incident carries alertCount, unresolvedAlertCount and the newest 100 alerts, oldest first', async () => {
    const { engine, id, results } = await storm(250);
    expect(results.map((r) => r.outcome)).toEqual(['created', ...Array.from({ length: 249 }, () => 'grouped')]);
    const incident = await engine.get(id);
    expect(INCIDENT_ALERTS_LIMIT).toBe(100);
    expect([incident.alertCount, incident.unresolvedAlertCount, incident.signalCount]).toEqual([250, 250, 250]);
    expect(incident.alerts.map((a) => a.fingerprint)).toEqual(fingerprints(150, 250));
    expect(incident.alerts[0]).toMatchObject({ fingerprint: 'fp_150', status: 'firing', count: 1 });
  });

  it('alerts() pages through every alert in the order attached, with counts, and a cursor stays put while alerts are added', async () => {
    const { engine, clock, id } = await storm(250);
    const all = await allAlerts(engine, id, 100);
    expect(all.map((a) => a.fingerprint)).toEqual(fingerprints(0, 250));
    expect(all[0]).toEqual({
      fingerprint: 'fp_0',
      dedupKey: 'fp_0',
      source: 'alertmanager',
      status: 'firing',
      summary: 'Replica 0 is down',
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      statusChangedAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-01T00:00:00.000Z',
      count: 1,
    });
    expect((await allAlerts(engine, id, 33)).map((a) => a.fingerprint)).toEqual(fingerprints(0, 250));
    // The newest 100 are the last page of the same sequence.
    expect(all.slice(-100)).toEqual((await engine.get(id)).alerts);

    const first = await engine.alerts(id, { limit: 200 });
    clock.advance(60_000);
    await engine.ingest([signal(250), signal(251)]);
    const rest = await engine.alerts(id, { limit: 200, ...(first.nextCursor === undefined ? {} : { cursor: first.nextCursor }) });
    expect(rest.items.map((a) => a.fingerprint)).toEqual(fingerprints(200, 252));
    expect(rest.nextCursor).toBeUndefined();
    expect((await engine.alerts(id)).items).toHaveLength(100);
  });

  it('a status change of an alert the incident no longer carries works, and the last resolved alert auto-resolves', async () => {
    const { engine, clock, id, commits } = await storm(150);
    clock.advance(60_000);
    // Alert 150 was attached first of the 150 still open; alert 1 (fp_0) is far outside the newest 100.
    const [acked] = await engine.ingest(signal(0, 'acknowledged'));
    expect(acked).toMatchObject({ outcome: 'acknowledged', incident: { status: 'responding', unresolvedAlertCount: 150 } });
    const change = commits.at(-2);
    expect(change?.events.map((e) => [e.type, e.data])).toEqual([['ALERT_STATUS_CHANGED', { fingerprint: 'fp_0', status: 'acknowledged', previous: 'firing' }]]);
    expect(change?.alerts).toEqual([expect.objectContaining({ fingerprint: 'fp_0', status: 'acknowledged', statusChangedAt: '2026-01-01T00:01:00.000Z' })]);

    // Resolve every alert but the first, newest first: the incident stays active until the last.
    const resolved = await engine.ingest(Array.from({ length: 149 }, (_, i) => signal(149 - i, 'resolved')));
    expect(resolved.map((r) => r.incident?.status)).toEqual(Array.from({ length: 149 }, () => 'responding'));
    expect((await engine.get(id)).unresolvedAlertCount).toBe(1);
    const [last] = await engine.ingest(signal(0, 'resolved'));
    expect(last).toMatchObject({ outcome: 'resolved', incident: { status: 'resolved', alertCount: 150, unresolvedAlertCount: 0, resolution: { summary: 'All 150 alert(s) resolved at the source (alertmanager).' } } });
    expect((await allAlerts(engine, id, 500)).every((a) => a.status === 'resolved')).toBe(true);

    // A repeat in the same status is deduplicated, not a change.
    expect((await engine.ingest(signal(0, 'resolved'))).map((r) => r.outcome)).toEqual(['deduplicated']);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
  });

  it("dedup of an old alert's key still works: a repeat is counted on its row, never attached again", async () => {
    const { engine, clock, id } = await storm(150);
    clock.advance(60_000);
    const repeats = await engine.ingest([signal(0), signal(0), signal(3)]);
    expect(repeats.map((r) => [r.outcome, r.incident?.id])).toEqual([
      ['deduplicated', id],
      ['deduplicated', id],
      ['deduplicated', id],
    ]);
    const incident = await engine.get(id);
    expect([incident.alertCount, incident.version, incident.signalCount]).toEqual([150, 150, 153]);
    const [fp0] = (await engine.alerts(id, { limit: 1 })).items;
    expect(fp0).toMatchObject({ fingerprint: 'fp_0', count: 3, lastSeenAt: '2026-01-01T00:01:00.000Z' });
  });

  it("a command's commit carries only the alert it changed, and none when it changes no alert", async () => {
    const { engine, commits, id } = await storm(150);
    expect(commits).toHaveLength(150);
    expect(commits[0]?.alerts?.map((a) => a.fingerprint)).toEqual(['fp_0']);
    for (const [i, commit] of commits.entries()) {
      expect(commit.alerts?.map((a) => a.fingerprint)).toEqual([`fp_${String(i)}`]);
      expect(commit.incident.alerts.length).toBe(Math.min(i + 1, 100));
      expect(commit.snapshot.context.alerts.length).toBe(Math.min(i + 1, 100));
      expect(commit.incident.alertCount).toBe(i + 1);
    }
    await engine.addNote(id, { text: 'Rolling back the release.', actor: ALICE });
    expect(commits.at(-1)?.alerts).toBeUndefined();
  });

  it('replaying the timeline rebuilds the projection, counts and newest 100 included', async () => {
    const { engine, clock, id } = await storm(130);
    clock.advance(1_000);
    await engine.ingest([signal(0, 'resolved'), signal(120, 'acknowledged'), signal(5, 'resolved')]);
    const incident = await engine.get(id);
    const replayed = replayTimeline(await engine.timeline(id));
    expect([replayed.alertCount, replayed.unresolvedAlertCount]).toEqual([130, 128]);
    const withoutCounts = (alerts: readonly AlertSummary[]) => alerts.map(({ count: _c, lastSeenAt: _l, ...alert }) => alert);
    expect(withoutCounts(replayed.alerts)).toEqual(withoutCounts(incident.alerts));
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
  });
});

describe('engine.alerts', () => {
  it('refuses a bad limit, an unknown incident, and a cursor of another incident', async () => {
    const { engine, id } = await storm(120);
    await thrown(() => engine.alerts(id, { limit: 0 }), 'VALIDATION_FAILED');
    await thrown(() => engine.alerts(id, { limit: 1_001 }), 'VALIDATION_FAILED');
    await thrown(() => engine.alerts('inc_nope'), 'NOT_FOUND');
    const [other] = await engine.ingest(parseSignal({ source: 'grafana', fingerprint: 'other', status: 'firing', severity: 'SEV3', summary: 'Other', labels: { alertname: 'Other' }, startsAt: T0 }));
    const page = await engine.alerts(id, { limit: 10 });
    const refused = await thrown(() => engine.alerts(other?.incident?.id ?? '', { cursor: page.nextCursor ?? '' }), 'VALIDATION_FAILED');
    expect(refused.message).toContain('cursor');
    await thrown(() => engine.alerts(id, { cursor: 'forged' }), 'VALIDATION_FAILED');
  });

  it('is a read: authorize is asked with action read, and a denial is ForbiddenError', async () => {
    const { engine, id } = await storm(3, { authorize: ({ actor, action }) => actor.id !== 'u_eve' || action !== 'read' });
    expect((await engine.alerts(id, { actor: ALICE })).items).toHaveLength(3);
    await thrown(() => engine.alerts(id, { actor: { id: 'u_eve' } }), 'FORBIDDEN');
  });
});

describe('alert events the machine cannot check alone', () => {
  /** A feature that sends alert events straight through the engine's one command path. */
  const raw = defineFeature({
    name: 'raw',
    setup: (context) => ({
      api: {
        attach: (id: string, fingerprint: string) =>
          context.command(id, { kind: 'integration', id: 'raw' }, () => ({ type: 'ATTACH_ALERT', fingerprint, dedupKey: fingerprint, source: 'raw', status: 'firing', summary: fingerprint }), undefined),
        change: (id: string, fingerprint: string, status: SignalStatus) =>
          context.command(id, { kind: 'integration', id: 'raw' }, () => ({ type: 'CHANGE_ALERT_STATUS', fingerprint, status, previous: 'resolved' }), undefined),
      },
    }),
  });

  it('attaching an alert the store has is refused, and so is changing one it lacks; previous comes from the store', async () => {
    const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock(T0), ids: sequentialIds(), ingest: GROUP, features: [raw()] });
    const results = await engine.ingest(Array.from({ length: 120 }, (_, i) => signal(i)));
    const id = results[0]?.incident?.id ?? '';
    const duplicate = await thrown(() => engine.features.raw.attach(id, 'fp_0'), 'INVALID_TRANSITION');
    expect(duplicate.details.reason).toBe("it already has alert 'fp_0'.");
    const missing = await thrown(() => engine.features.raw.change(id, 'fp_nope', 'resolved'), 'INVALID_TRANSITION');
    expect(missing.details.reason).toBe("it has no alert 'fp_nope'.");
    const same = await thrown(() => engine.features.raw.change(id, 'fp_0', 'firing'), 'INVALID_TRANSITION');
    expect(same.details.reason).toBe("its alert 'fp_0' is already firing.");
    // The draft said `previous: 'resolved'`; the engine recorded what the store holds.
    await engine.features.raw.change(id, 'fp_0', 'resolved');
    const [event] = (await engine.timeline(id)).slice(-1);
    expect(event?.data).toEqual({ fingerprint: 'fp_0', status: 'resolved', previous: 'firing' });
    expect((await engine.get(id)).version).toBe(121);
  });
});
