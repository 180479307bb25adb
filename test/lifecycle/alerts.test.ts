/**
 * The machine's alert window: the newest 100 alerts, oldest first, with counts of all; guards
 * that decide on what the window shows and trust `previous` beyond it; and replay of timelines
 * whose status changes were stored before they carried `previous`.
 */
import { describe, expect, it } from 'vitest';
import { alertIsNew, alertStatusChanges } from '../../src/lifecycle/guards.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import type { IncidentMachineInput } from '../../src/lifecycle/incidentMachine.js';
import { replayTimeline, startMachine, stepMachine, type IncidentSnapshot } from '../../src/lifecycle/projection.js';
import type { StoredEvent } from '../../src/model/event.js';
import { parseSignal } from '../../src/model/signal.js';
import { ALICE_STORED, makeEngine, T0 } from '../helpers.js';

const INPUT: IncidentMachineInput = {
  id: 'inc_1',
  tenantId: 'default',
  at: T0,
  actor: ALICE_STORED,
  title: 'Replicas down',
  severity: 'SEV2',
  policy: { reviewRequiredFor: [] },
  alert: { fingerprint: 'fp_0', dedupKey: 'fp_0', source: 'alertmanager', status: 'firing', summary: 'fp_0' },
};

const attach = (i: number): LifecycleEvent => ({
  type: 'ATTACH_ALERT',
  at: T0,
  actor: ALICE_STORED,
  fingerprint: `fp_${String(i)}`,
  dedupKey: `fp_${String(i)}`,
  source: 'alertmanager',
  status: 'firing',
  summary: `fp_${String(i)}`,
});

function withAlerts(count: number): IncidentSnapshot {
  let [snapshot] = startMachine(INPUT);
  for (let i = 1; i < count; i += 1) [snapshot] = stepMachine(snapshot, attach(i));
  return snapshot;
}

describe('the alert window of the machine', () => {
  it('keeps the newest 100 alerts, oldest first, and counts all of them', () => {
    const { context } = withAlerts(130);
    expect([context.alertCount, context.unresolvedAlertCount]).toEqual([130, 130]);
    expect(context.alerts.map((a) => a.fingerprint)).toEqual(Array.from({ length: 100 }, (_, i) => `fp_${String(30 + i)}`));
  });

  it('decides status changes on the window, and trusts previous only for alerts beyond it', () => {
    const full = withAlerts(130).context;
    const change = (fingerprint: string, status: 'firing' | 'resolved', previous?: 'firing' | 'resolved'): LifecycleEvent => ({
      type: 'CHANGE_ALERT_STATUS',
      at: T0,
      actor: ALICE_STORED,
      fingerprint,
      status,
      ...(previous === undefined ? {} : { previous }),
    });
    expect(alertStatusChanges(full, change('fp_99', 'resolved', 'firing'))).toBe(true);
    // In the window, previous must be what the window shows.
    expect(alertStatusChanges(full, change('fp_99', 'resolved', 'resolved'))).toBe(false);
    expect(alertStatusChanges(full, change('fp_99', 'firing', 'resolved'))).toBe(false);
    // Beyond it, the engine looked the alert up: previous is taken as given, but must differ.
    expect(alertStatusChanges(full, change('fp_3', 'resolved', 'firing'))).toBe(true);
    expect(alertStatusChanges(full, change('fp_3', 'resolved', 'resolved'))).toBe(false);
    // Without previous (an old event), only the window can tell.
    expect(alertStatusChanges(full, change('fp_99', 'resolved'))).toBe(true);
    expect(alertStatusChanges(full, change('fp_3', 'resolved'))).toBe(false);
    // When the window holds every alert, an alert not in it does not exist.
    const small = withAlerts(10).context;
    expect(alertStatusChanges(small, change('fp_nope', 'resolved', 'firing'))).toBe(false);
    expect(alertIsNew(full, attach(99))).toBe(false);
    expect(alertIsNew(full, attach(130))).toBe(true);
  });

  it('moves the unresolved count by previous → status, in the window or beyond it', () => {
    let snapshot = withAlerts(130);
    for (const [fingerprint, status, previous] of [
      ['fp_0', 'resolved', 'firing'],
      ['fp_100', 'acknowledged', 'firing'],
      ['fp_100', 'resolved', 'acknowledged'],
      ['fp_0', 'firing', 'resolved'],
      ['fp_1', 'resolved', 'firing'],
    ] as const) {
      [snapshot] = stepMachine(snapshot, { type: 'CHANGE_ALERT_STATUS', at: T0, actor: ALICE_STORED, fingerprint, status, previous });
    }
    expect([snapshot.context.alertCount, snapshot.context.unresolvedAlertCount]).toEqual([130, 128]);
    expect(snapshot.context.alerts.find((a) => a.fingerprint === 'fp_100')?.status).toBe('resolved');
  });
});

describe('replay of status changes stored without previous', () => {
  it('fills previous in from the replayed alerts, so older timelines replay to the same projection', async () => {
    const { engine, clock } = makeEngine({ ingest: { groupBy: ['alertname'], countWindowMs: 0 } });
    const signal = (i: number, status: 'firing' | 'acknowledged' | 'resolved' = 'firing') =>
      parseSignal({ source: 'alertmanager', fingerprint: `fp_${String(i)}`, status, severity: 'SEV2', summary: `Replica ${String(i)}`, labels: { alertname: 'ReplicaDown' }, startsAt: T0 });
    const [first] = await engine.ingest(Array.from({ length: 120 }, (_, i) => signal(i)));
    clock.advance(60_000);
    await engine.ingest([signal(0, 'acknowledged'), signal(0, 'resolved'), signal(5, 'resolved'), signal(110, 'resolved'), signal(0, 'firing')]);
    const timeline = await engine.timeline(first?.incident?.id ?? '');
    const older: StoredEvent[] = timeline.map((event) => {
      if (event.type !== 'ALERT_STATUS_CHANGED') return event;
      const { previous: _previous, ...data } = event.data;
      return { ...event, data };
    });
    expect(older.some((event) => event.type === 'ALERT_STATUS_CHANGED' && !('previous' in event.data))).toBe(true);
    const replayed = replayTimeline(older);
    expect(replayed).toEqual(replayTimeline(timeline));
    expect([replayed.alertCount, replayed.unresolvedAlertCount]).toEqual([120, 118]);
  });
});
