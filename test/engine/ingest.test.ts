import { describe, expect, it } from 'vitest';
import {
  createIncidentEngine,
  memoryStore,
  parseSignal,
  replayTimeline,
  type IncidentEngineOptions,
  type Signal,
  type SignalInput,
  type StorageAdapter,
} from '../../src/index.js';
import { parseAlertmanager, parsePagerDutyEvent } from '../../src/sources/index.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';

const MIN = 60_000;

function signal(overrides: Partial<SignalInput> = {}): Signal {
  return parseSignal({
    source: 'alertmanager',
    fingerprint: 'fp-web-5xx',
    status: 'firing',
    severity: 'SEV2',
    summary: 'High 5xx rate on web',
    service: 'web',
    labels: { alertname: 'High5xx', cluster: 'eu-1', instance: 'web-1' },
    startsAt: '2026-03-02T08:58:00.000Z',
    ...overrides,
  });
}

function setup(ingest: IngestOptionsFor = {}, store: StorageAdapter = memoryStore(), idPrefix = '') {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const engine = createIncidentEngine({ store, clock, ids: sequentialIds(idPrefix), ingest });
  return { clock, engine, store };
}
type IngestOptionsFor = NonNullable<IncidentEngineOptions['ingest']>;

describe('engine.ingest: deduplication', () => {
  it('opens an incident for a new fingerprint and absorbs repeats without growing the timeline', async () => {
    const { clock, engine } = setup();
    const [first] = await engine.ingest(signal());
    expect(first?.outcome).toBe('created');
    const id = first?.incident?.id ?? '';
    expect(first?.incident).toMatchObject({
      title: 'High 5xx rate on web',
      severity: 'SEV2',
      service: 'web',
      status: 'triage',
      startedAt: '2026-03-02T08:58:00.000Z',
      dedupKey: 'fp-web-5xx',
      createdBy: { kind: 'integration', id: 'alertmanager' },
    });
    clock.advance(MIN);
    const repeats = await engine.ingest(Array.from({ length: 500 }, () => signal()));
    expect(new Set(repeats.map((r) => r.outcome))).toEqual(new Set(['deduplicated']));
    const incident = await engine.get(id);
    expect(incident.signalCount).toBe(501);
    expect(incident.alerts).toEqual([
      expect.objectContaining({
        fingerprint: 'fp-web-5xx',
        status: 'firing',
        firstSeenAt: '2026-03-02T09:00:00.000Z',
        lastSeenAt: '2026-03-02T09:01:00.000Z',
        count: 501,
      }),
    ]);
    // An alert storm must not bloat the timeline: one event, the declaration.
    expect((await engine.timeline(id)).map((e) => e.type)).toEqual(['DECLARED']);
    expect(incident.version).toBe(1);
  });

  it('a non-firing signal for an unknown or closed key is ignored, not an error', async () => {
    const { engine } = setup();
    expect(await engine.ingest(signal({ status: 'resolved' }))).toEqual([{ outcome: 'ignored' }]);
    const [created] = await engine.ingest(signal());
    await engine.cancel(created?.incident?.id ?? '', { reason: 'false_positive', actor: { id: 'u1' } });
    expect(await engine.ingest(signal({ status: 'acknowledged' }))).toEqual([{ outcome: 'ignored' }]);
  });

  it('a repeat after the incident closed opens a new incident', async () => {
    const { engine } = setup();
    const [first] = await engine.ingest(signal());
    await engine.cancel(first?.incident?.id ?? '', { reason: 'false_positive', actor: { id: 'u1' } });
    const [again] = await engine.ingest(signal());
    expect(again?.outcome).toBe('created');
    expect(again?.incident?.id).not.toBe(first?.incident?.id);
  });

  it('two concurrent ingests of the same new fingerprint create exactly one incident', async () => {
    const store = memoryStore();
    const a = setup({}, store, 'a-').engine;
    const b = setup({}, store, 'b-').engine;
    const results = await Promise.all([a.ingest(signal()), b.ingest(signal()), a.ingest(signal()), b.ingest(signal())]);
    const outcomes = results.flat().map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'deduplicated')).toHaveLength(3);
    const open = await a.list({ open: true });
    expect(open.items).toHaveLength(1);
    expect(open.items[0]?.signalCount).toBe(4);
  });
});

describe('engine.ingest: status changes from the source', () => {
  it('a PagerDuty acknowledge acknowledges the incident; resolve auto-resolves it as the integration', async () => {
    const { engine } = setup();
    const trigger = parsePagerDutyEvent({
      routing_key: 'R0123456789ABCDEF0123456789ABCDEF',
      event_action: 'trigger',
      dedup_key: 'disk-full-db-7',
      payload: { summary: 'Disk 95% full on db-7', source: 'db-7', severity: 'critical' },
    });
    const [opened] = await engine.ingest(trigger);
    expect(opened?.incident?.severity).toBe('SEV1');
    const ack = parsePagerDutyEvent({ routing_key: 'R0123456789ABCDEF0123456789ABCDEF', event_action: 'acknowledge', dedup_key: 'disk-full-db-7' });
    const [acked] = await engine.ingest(ack);
    expect(acked).toMatchObject({ outcome: 'acknowledged', incident: { status: 'responding' } });
    const resolve = parsePagerDutyEvent({ routing_key: 'R0123456789ABCDEF0123456789ABCDEF', event_action: 'resolve', dedup_key: 'disk-full-db-7' });
    const [resolved] = await engine.ingest(resolve);
    expect(resolved).toMatchObject({ outcome: 'resolved', incident: { status: 'resolved' } });
    const timeline = await engine.timeline(opened?.incident?.id ?? '');
    expect(timeline.map((e) => e.type)).toEqual(['DECLARED', 'ALERT_STATUS_CHANGED', 'ACKNOWLEDGED', 'ALERT_STATUS_CHANGED', 'RESOLVED']);
    expect(timeline.at(-1)?.actor).toEqual({ kind: 'integration', id: 'pagerduty' });
  });

  it('auto-resolves only when every alert of the incident is resolved, and not when disabled', async () => {
    const { engine } = setup({ groupBy: ['alertname'] });
    await engine.ingest([signal({ fingerprint: 'a' }), signal({ fingerprint: 'b', labels: { alertname: 'High5xx', instance: 'web-2' } })]);
    const [first] = await engine.ingest(signal({ fingerprint: 'a', status: 'resolved' }));
    expect(first).toMatchObject({ outcome: 'resolved', incident: { status: 'triage' } });
    const [second] = await engine.ingest(signal({ fingerprint: 'b', status: 'resolved', labels: { alertname: 'High5xx', instance: 'web-2' } }));
    expect(second).toMatchObject({ outcome: 'resolved', incident: { status: 'resolved' } });

    const manual = setup({ autoResolve: false }).engine;
    await manual.ingest(signal());
    const [off] = await manual.ingest(signal({ status: 'resolved' }));
    expect(off).toMatchObject({ outcome: 'resolved', incident: { status: 'triage' } });
  });
});

describe('engine.ingest: grouping, thresholds and maintenance', () => {
  it('groupBy attaches distinct fingerprints of one group to one open incident within the window', async () => {
    const { clock, engine } = setup({ groupBy: ['alertname', 'cluster'], groupWindowMinutes: 10 });
    const results = await engine.ingest([
      signal({ fingerprint: 'web-1' }),
      signal({ fingerprint: 'web-2', labels: { alertname: 'High5xx', cluster: 'eu-1', instance: 'web-2' } }),
      signal({ fingerprint: 'other', labels: { alertname: 'High5xx', cluster: 'us-1', instance: 'web-9' } }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'grouped', 'created']);
    const grouped = await engine.get(results[0]?.incident?.id ?? '');
    expect(grouped.alerts.map((a) => a.fingerprint)).toEqual(['web-1', 'web-2']);
    expect(grouped.dedupKey).toBe('group:alertname=High5xx,cluster=eu-1');
    // After the window a new fingerprint of the same group opens its own incident.
    clock.advance(11 * MIN);
    const [late] = await engine.ingest(signal({ fingerprint: 'web-3', labels: { alertname: 'High5xx', cluster: 'eu-1', instance: 'web-3' } }));
    expect(late?.outcome).toBe('created');
    // A repeat of a grouped alert is still deduplicated into the group's incident.
    const [repeat] = await engine.ingest(signal({ fingerprint: 'web-2', labels: { alertname: 'High5xx', cluster: 'eu-1', instance: 'web-2' } }));
    expect(repeat).toMatchObject({ outcome: 'deduplicated', incident: { id: grouped.id } });
  });

  it('without groupBy each fingerprint is its own incident', async () => {
    const { engine } = setup();
    const results = await engine.ingest([signal({ fingerprint: 'x' }), signal({ fingerprint: 'y' })]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
  });

  it('threshold holds signals until count firings arrive within the window', async () => {
    const { clock, engine } = setup({ threshold: { count: 3, windowMinutes: 5 } });
    expect((await engine.ingest(signal())).map((r) => r.outcome)).toEqual(['held']);
    clock.advance(6 * MIN); // the first firing falls out of the window
    expect((await engine.ingest(signal())).map((r) => r.outcome)).toEqual(['held']);
    clock.advance(MIN);
    expect((await engine.ingest(signal())).map((r) => r.outcome)).toEqual(['held']);
    clock.advance(MIN);
    expect((await engine.ingest(signal())).map((r) => r.outcome)).toEqual(['created']);
    expect((await engine.ingest(signal())).map((r) => r.outcome)).toEqual(['deduplicated']);
    expect((await engine.list()).items).toHaveLength(1);
  });

  it('maintenance windows suppress matching signals by service or labels, and open nothing', async () => {
    const { clock, engine } = setup({
      maintenanceWindows: [
        { start: '2026-03-02T08:00:00Z', end: '2026-03-02T10:00:00Z', service: 'web' },
        { start: '2026-03-02T08:00:00Z', end: '2026-03-02T12:00:00Z', labels: { cluster: 'staging' } },
      ],
    });
    const results = await engine.ingest([
      signal(),
      signal({ fingerprint: 's', service: 'api', labels: { alertname: 'X', cluster: 'staging' } }),
      signal({ fingerprint: 'p', service: 'api', labels: { alertname: 'X', cluster: 'prod' } }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['suppressed', 'suppressed', 'created']);
    clock.advance(61 * MIN); // 10:01: the web window is over
    expect((await engine.ingest(signal())).map((r) => r.outcome)).toEqual(['created']);
  });
});

describe('engine.ingest: input and the log', () => {
  it('ingests real parser output (an Alertmanager group with firing and resolved alerts)', async () => {
    const { engine } = setup();
    const payload = {
      version: '4',
      groupKey: '{}:{alertname="InstanceDown"}',
      status: 'firing',
      receiver: 'incidentkit',
      groupLabels: { alertname: 'InstanceDown' },
      commonLabels: { alertname: 'InstanceDown' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'InstanceDown', instance: 'web-1', severity: 'critical' },
          annotations: { summary: 'web-1 is down' },
          startsAt: '2026-03-02T08:59:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus:9090/graph',
          fingerprint: 'aaa1',
        },
        {
          status: 'resolved',
          labels: { alertname: 'InstanceDown', instance: 'web-2', severity: 'critical' },
          annotations: { summary: 'web-2 is down' },
          startsAt: '2026-03-02T08:00:00Z',
          endsAt: '2026-03-02T08:30:00Z',
          generatorURL: 'http://prometheus:9090/graph',
          fingerprint: 'aaa2',
        },
      ],
    };
    const results = await engine.ingest(parseAlertmanager(payload));
    expect(results.map((r) => r.outcome)).toEqual(['created', 'ignored']);
    expect(results[0]?.incident).toMatchObject({ title: 'web-1 is down', severity: 'SEV1' });
  });

  it('rejects a malformed signal on its own and ingests the others (issue 16)', async () => {
    const { engine } = setup();
    const bad = { ...signal(), status: 'exploded' } as unknown as Signal;
    const results = await engine.ingest([bad, signal({ fingerprint: 'ok' })]);
    expect(results.map((r) => r.outcome)).toEqual(['rejected', 'created']);
    expect(results[0]).toEqual({
      outcome: 'rejected',
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('signals[0]') as string, issues: [expect.objectContaining({ path: ['status'] })] },
    });
    expect((await engine.list()).items.map((i) => i.dedupKey)).toEqual(['ok']);
  });

  it('refuses NUL in every text of a hand-made signal, rejecting only that signal', async () => {
    const { engine } = setup();
    const base = { source: 'cron', fingerprint: 'fp', status: 'firing', severity: 'SEV2', summary: 'Backup failed', startsAt: '2026-03-02T08:58:00.000Z' };
    const bad: Record<string, unknown>[] = [
      { fingerprint: 'f\u0000p' },
      { dedupKey: 'k\u0000' },
      { summary: 'Backup\u0000failed' },
      { service: 'web\u0000' },
      { severity: 'SEV2\u0000' },
      { labels: { 'a\u0000': 'x' } },
      { labels: { a: 'x\u0000' } },
      { annotations: { description: '\u0000' } },
      { links: [{ href: 'https://example.com/\u0000' }] },
      { raw: { nested: ['\u0000'] } },
      { raw: { ['k\u0000']: 1 } },
      { summary: 'lone \ud800 surrogate' },
    ];
    const results = await engine.ingest([...bad.map((o) => ({ ...base, ...o }) as unknown as Signal), signal()]);
    expect(results.map((r) => r.outcome)).toEqual([...bad.map(() => 'rejected'), 'created']);
    expect(() => parseSignal({ ...base, summary: 'a\u0000' })).toThrow(/NUL/);
  });

  it('throws VALIDATION_FAILED only for a batch over 10 000 signals', async () => {
    const { engine } = setup();
    await expect(engine.ingest(Array.from({ length: 10_001 }, () => signal()))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await engine.list()).items).toEqual([]);
  });

  it('replaying a signal-born timeline reproduces the projection, except the repeat counters', async () => {
    const { engine } = setup({ groupBy: ['alertname'] });
    await engine.ingest([signal({ fingerprint: 'a' }), signal({ fingerprint: 'b', labels: { alertname: 'High5xx' } }), signal({ fingerprint: 'a' })]);
    const [result] = await engine.ingest(signal({ fingerprint: 'a', status: 'resolved' }));
    const id = result?.incident?.id ?? '';
    const { signalCount, alerts, ...stored } = await engine.get(id);
    expect(signalCount).toBe(3);
    const { alerts: replayedAlerts, ...replayed } = replayTimeline(await engine.timeline(id));
    expect(replayed).toEqual(stored);
    expect(replayedAlerts).toEqual(alerts.map(({ count: _c, lastSeenAt: _l, ...alert }) => alert));
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
  });
});

describe('engine.ingest: dedup namespaces (issue 16)', () => {
  it('a signal never touches an incident of another namespace', async () => {
    const { engine } = setup();
    const [prod] = await engine.ingest(signal({ namespace: 'prod', integration: 'prod' }));
    expect(prod?.incident).toMatchObject({ dedupKey: 'ns:prod:fp-web-5xx', createdBy: { kind: 'integration', id: 'prod' } });
    const lab = await engine.ingest([
      signal({ namespace: 'lab', integration: 'lab', status: 'acknowledged' }),
      signal({ namespace: 'lab', integration: 'lab', status: 'resolved' }),
    ]);
    expect(lab.map((r) => r.outcome)).toEqual(['ignored', 'ignored']);
    expect((await engine.get(prod?.incident?.id ?? '')).status).toBe('triage');
    // Without a namespace (the shared one), the prod incident is not found either.
    expect((await engine.ingest(signal({ status: 'resolved' })))[0]?.outcome).toBe('ignored');
    const [again] = await engine.ingest(signal({ namespace: 'prod', status: 'resolved' }));
    expect(again).toMatchObject({ outcome: 'resolved', incident: { status: 'resolved' } });
  });

  it("'shared' is the namespace of signals without one, where keys stored before namespaces live", async () => {
    const { engine } = setup();
    const [first] = await engine.ingest(signal());
    expect(first?.incident?.dedupKey).toBe('fp-web-5xx');
    const [resolved] = await engine.ingest(signal({ namespace: 'shared', status: 'resolved' }));
    expect(resolved?.outcome).toBe('resolved');
  });

  it('refuses a shared-namespace key that would forge a namespaced one', async () => {
    const { engine } = setup();
    await engine.ingest(signal({ namespace: 'prod' }));
    const [forged] = await engine.ingest(signal({ fingerprint: 'ns:prod:fp-web-5xx', status: 'resolved' }));
    expect(forged).toMatchObject({ outcome: 'rejected', error: { issues: [expect.objectContaining({ path: ['fingerprint'] })] } });
  });

  it('authorize is asked about the integration, not the tool', async () => {
    const asked: string[] = [];
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock('2026-03-02T09:00:00.000Z'),
      authorize: ({ actor, action }) => {
        if (action === 'ingest') asked.push(actor.id);
        return actor.id !== 'lab';
      },
    });
    await expect(engine.ingest(signal({ integration: 'lab', namespace: 'lab' }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await engine.ingest(signal({ integration: 'prod', namespace: 'prod' })))[0]?.outcome).toBe('created');
    expect(asked).toEqual(['lab', 'prod']);
  });
});
