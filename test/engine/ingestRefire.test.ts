/**
 * Alerts that fire again after their incident resolved (issue 19, part 5): within the reopen
 * window they reopen the incident; later, or once it is in review or closed, they open a new
 * incident linked to the old one as its recurrence. Run on the memory store and on SQLite.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  createIncidentEngine,
  memoryStore,
  parseSignal,
  replayTimeline,
  type IncidentEngineOptions,
  type NotificationMessage,
  type Signal,
  type SignalInput,
  type StorageAdapter,
} from '../../src/index.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';

const MIN = 60_000;
const person = { id: 'u_ada', name: 'Ada' };

function signal(overrides: Partial<SignalInput> = {}): Signal {
  return parseSignal({
    source: 'alertmanager',
    fingerprint: 'fp-web-5xx',
    status: 'firing',
    severity: 'SEV3',
    summary: 'High 5xx rate on web',
    service: 'web',
    labels: { alertname: 'High5xx', cluster: 'eu-1' },
    startsAt: '2026-03-02T08:58:00.000Z',
    ...overrides,
  });
}

type IngestOptions = NonNullable<IncidentEngineOptions['ingest']>;

const stores: [string, () => StorageAdapter][] = [
  ['memory', () => memoryStore()],
  ['sqlite', () => sqliteStore(new Database(':memory:'))],
];

describe.each(stores)('engine.ingest: an alert that fires again after its incident resolved (%s)', (_name, makeStore) => {
  function setup(ingest: IngestOptions = {}, store: StorageAdapter = makeStore(), prefix = '') {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const engine = createIncidentEngine({ store, clock, ids: sequentialIds(prefix), ingest });
    return { clock, engine, store };
  }

  /** Opens an incident from the alert and lets the source resolve it (auto-resolve). */
  async function resolvedIncident(engine: ReturnType<typeof setup>['engine'], overrides: Partial<SignalInput> = {}): Promise<string> {
    const [created] = await engine.ingest(signal(overrides));
    const [resolved] = await engine.ingest(signal({ ...overrides, status: 'resolved' }));
    expect(resolved).toMatchObject({ outcome: 'resolved', incident: { status: 'resolved' } });
    return created?.incident?.id ?? '';
  }

  it('within the reopen window, reopens the incident as the integration, with the alert firing again', async () => {
    const { clock, engine } = setup();
    const id = await resolvedIncident(engine);
    clock.advance(30 * MIN); // the window's edge is still inside it
    const [again] = await engine.ingest(signal());
    expect(again).toMatchObject({ outcome: 'reopened', incident: { id, status: 'responding', reopenCount: 1, unresolvedAlertCount: 1 } });
    const timeline = await engine.timeline(id);
    const reopened = timeline.find((event) => event.type === 'REOPENED');
    expect(reopened?.actor).toEqual({ kind: 'integration', id: 'alertmanager' });
    expect(reopened?.data.reason).toBe('Alert fp-web-5xx fired again at the source (alertmanager) 30 min after the incident resolved.');
    expect(timeline.at(-1)).toMatchObject({ type: 'ALERT_STATUS_CHANGED', data: { fingerprint: 'fp-web-5xx', status: 'firing', previous: 'resolved' } });
    // The reopened incident is the alert's again: a repeat is counted, a resolve auto-resolves it.
    expect((await engine.ingest(signal()))[0]).toMatchObject({ outcome: 'deduplicated', incident: { id } });
    expect((await engine.ingest(signal({ status: 'resolved' })))[0]).toMatchObject({ outcome: 'resolved', incident: { id, status: 'resolved' } });
    expect((await engine.get(id)).signalCount).toBe(3);
    expect((await engine.list({ open: true })).items).toHaveLength(1);
  });

  it('a REOPENED by a signal is notified like any REOPENED', async () => {
    const sent: NotificationMessage[] = [];
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const engine = createIncidentEngine({
      store: makeStore(),
      clock,
      notifiers: { pager: { name: 'pager', send: (message) => Promise.resolve(void sent.push(message)) } },
    });
    const id = await resolvedIncident(engine);
    clock.advance(MIN);
    await engine.ingest(signal());
    await engine.dispatch();
    const reopened = sent.filter((message) => message.event.type === 'REOPENED');
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ incident: { id, status: 'responding' }, event: { actor: { kind: 'integration', id: 'alertmanager' } } });
  });

  it('after the window, opens a new incident linked to the old one as its recurrence; repeats land on the new one', async () => {
    const { clock, engine } = setup({ reopenWindowMinutes: 10 });
    const old = await resolvedIncident(engine);
    clock.advance(10 * MIN + 1);
    const [again] = await engine.ingest(signal());
    expect(again?.outcome).toBe('created');
    const recurrence = again?.incident?.id ?? '';
    expect(recurrence).not.toBe(old);
    expect(again?.incident).toMatchObject({ status: 'triage', dedupKey: 'fp-web-5xx', links: [{ kind: 'recurrenceOf', incidentId: old }] });
    const previous = await engine.get(old);
    expect(previous).toMatchObject({ status: 'resolved', reopenCount: 0, links: [{ kind: 'recurredAs', incidentId: recurrence }] });
    expect((await engine.timeline(old)).at(-1)).toMatchObject({ type: 'INCIDENT_LINKED', actor: { kind: 'integration', id: 'alertmanager' }, data: { kind: 'recurredAs', to: recurrence } });
    expect((await engine.timeline(recurrence)).map((e) => e.type)).toEqual(['DECLARED', 'INCIDENT_LINKED']);
    // The old incident gave its key up for good: repeats and status changes go to the recurrence.
    expect((await engine.ingest(signal()))[0]).toMatchObject({ outcome: 'deduplicated', incident: { id: recurrence } });
    expect((await engine.ingest(signal({ status: 'resolved' })))[0]).toMatchObject({ outcome: 'resolved', incident: { id: recurrence, status: 'resolved' } });
    // Reopened by hand, the old incident stays without the key.
    await engine.reopen(old, { reason: 'Still broken', actor: person });
    clock.advance(MIN);
    expect((await engine.ingest(signal()))[0]).toMatchObject({ outcome: 'reopened', incident: { id: recurrence } });
    // Replay rebuilds both projections, links included.
    for (const id of [old, recurrence]) {
      const { signalCount: _a, alerts: replayedAlerts, ...replayed } = replayTimeline(await engine.timeline(id));
      const { signalCount: _b, alerts: storedAlerts, ...stored } = await engine.get(id);
      expect(replayed).toEqual(stored);
      expect(replayedAlerts.map((a) => a.status)).toEqual(storedAlerts.map((a) => a.status));
    }
  });

  it('once the incident is in review, opens a linked recurrence even within the window', async () => {
    const { clock, engine } = setup();
    const old = await resolvedIncident(engine);
    await engine.startReview(old, { actor: person });
    clock.advance(MIN);
    const [again] = await engine.ingest(signal());
    expect(again).toMatchObject({ outcome: 'created', incident: { links: [{ kind: 'recurrenceOf', incidentId: old }] } });
    expect(await engine.get(old)).toMatchObject({ status: 'postIncident', links: [{ kind: 'recurredAs', incidentId: again?.incident?.id }] });
    // The review goes on: the old incident can still be closed.
    await engine.close(old, { actor: person });
    expect((await engine.ingest(signal()))[0]).toMatchObject({ outcome: 'deduplicated', incident: { id: again?.incident?.id } });
  });

  it('once the incident is closed, opens a new incident linked to it (the closed timeline is final)', async () => {
    const { clock, engine } = setup();
    const old = await resolvedIncident(engine);
    await engine.close(old, { actor: person });
    clock.advance(MIN);
    const [again] = await engine.ingest(signal());
    expect(again).toMatchObject({ outcome: 'created', incident: { links: [{ kind: 'recurrenceOf', incidentId: old }] } });
    expect((await engine.get(old)).links).toBeUndefined();
    // A canceled incident (a false positive) is not recurred: the next one opens unlinked.
    await engine.cancel(again?.incident?.id ?? '', { reason: 'false_positive', actor: person });
    const [third] = await engine.ingest(signal());
    expect(third?.outcome).toBe('created');
    expect(third?.incident?.links).toBeUndefined();
  });

  it('acknowledge and resolve signals of a resolved incident change only the alert, as before', async () => {
    const { engine } = setup();
    const id = await resolvedIncident(engine);
    expect((await engine.ingest(signal({ status: 'resolved' })))[0]).toMatchObject({ outcome: 'deduplicated', incident: { id, status: 'resolved' } });
    expect((await engine.ingest(signal({ status: 'acknowledged' })))[0]).toMatchObject({ outcome: 'acknowledged', incident: { id, status: 'resolved' } });
  });

  it('an alert a person resolved while it still fired reopens on its next repeat', async () => {
    const { clock, engine } = setup();
    const [created] = await engine.ingest(signal());
    const id = created?.incident?.id ?? '';
    await engine.resolve(id, { actor: person });
    clock.advance(5 * MIN);
    // The repeat arrives as a batch with another repeat: the first reopens, the second is counted.
    const results = await engine.ingest([signal(), signal()]);
    expect(results.map((r) => r.outcome)).toEqual(['reopened', 'deduplicated']);
    expect(await engine.get(id)).toMatchObject({ status: 'responding', signalCount: 3 });
  });

  it('a grouped alert reopens its group incident; after the window the recurrence takes the group key', async () => {
    const { clock, engine } = setup({ groupBy: ['alertname'], reopenWindowMinutes: 10 });
    const [first] = await engine.ingest(signal({ fingerprint: 'a' }));
    const [second] = await engine.ingest(signal({ fingerprint: 'b' }));
    const group = first?.incident?.id ?? '';
    expect(second).toMatchObject({ outcome: 'grouped', incident: { id: group } });
    await engine.ingest([signal({ fingerprint: 'a', status: 'resolved' }), signal({ fingerprint: 'b', status: 'resolved' })]);
    clock.advance(MIN);
    expect((await engine.ingest(signal({ fingerprint: 'b' })))[0]).toMatchObject({ outcome: 'reopened', incident: { id: group, unresolvedAlertCount: 1 } });
    await engine.ingest(signal({ fingerprint: 'b', status: 'resolved' }));
    clock.advance(11 * MIN);
    const [recurrence] = await engine.ingest(signal({ fingerprint: 'a' }));
    expect(recurrence).toMatchObject({ outcome: 'created', incident: { dedupKey: 'group:alertname=High5xx', links: [{ kind: 'recurrenceOf', incidentId: group }] } });
    // Its group attaches the other alert of the group again.
    expect((await engine.ingest(signal({ fingerprint: 'b' })))[0]).toMatchObject({ outcome: 'grouped', incident: { id: recurrence?.incident?.id } });
  });

  it('with write-behind counts (countWindowMs), a re-fire still reopens at once and no repeat is lost', async () => {
    const { clock, engine } = setup({ countWindowMs: 10_000 });
    const id = await resolvedIncident(engine);
    clock.advance(MIN);
    const [again] = await engine.ingest(signal());
    // Reopening is a state change: committed before ingest returns, not held with the counts.
    expect(again).toMatchObject({ outcome: 'reopened', incident: { status: 'responding' } });
    await engine.ingest(signal());
    await engine.flush();
    expect((await engine.get(id)).signalCount).toBe(3);
  });

  it('concurrent re-fires of one key from two engines reopen once', async () => {
    const store = makeStore();
    const a = setup({}, store, 'a-');
    const b = setup({}, store, 'b-');
    const id = await resolvedIncident(a.engine);
    a.clock.advance(MIN);
    b.clock.advance(MIN);
    const results = (await Promise.all([a.engine.ingest(signal()), b.engine.ingest(signal()), a.engine.ingest(signal()), b.engine.ingest(signal())])).flat();
    expect(results.filter((r) => r.outcome === 'reopened')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'deduplicated')).toHaveLength(3);
    expect((await a.engine.timeline(id)).filter((e) => e.type === 'REOPENED')).toHaveLength(1);
    expect((await a.engine.get(id)).signalCount).toBe(5);
  });

  it('concurrent re-fires after the window from two engines open one recurrence', async () => {
    const store = makeStore();
    const a = setup({ reopenWindowMinutes: 0 }, store, 'a-');
    const b = setup({ reopenWindowMinutes: 0 }, store, 'b-');
    const old = await resolvedIncident(a.engine);
    a.clock.advance(MIN);
    b.clock.advance(MIN);
    const results = (await Promise.all([a.engine.ingest(signal()), b.engine.ingest(signal()), a.engine.ingest(signal()), b.engine.ingest(signal())])).flat();
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    const recurrence = results.find((r) => r.outcome === 'created')?.incident?.id;
    expect(results.every((r) => r.incident?.id === recurrence)).toBe(true);
    expect((await a.engine.get(old)).links).toEqual([expect.objectContaining({ kind: 'recurredAs', incidentId: recurrence })]);
    expect((await a.engine.list({ open: true })).items.map((i) => i.id).sort()).toEqual([old, recurrence].sort());
  });

  it('a recurrence named but never opened (a writer stopped halfway) is opened by the next re-fire, under that name', async () => {
    const inner = makeStore();
    let failCreates = 1;
    // A store that refuses the next create, as a process that dies between its two writes.
    const store: StorageAdapter = {
      ...inner,
      commit: (commit) => (commit.expectedVersion === 0 && (failCreates -= 1) === 0 ? Promise.reject(new Error('connection lost')) : inner.commit(commit)),
    };
    const { clock, engine } = setup({ reopenWindowMinutes: 0 }, store);
    failCreates = 2; // the first create (the incident itself) goes through
    const old = await resolvedIncident(engine);
    clock.advance(MIN);
    await expect(engine.ingest(signal())).rejects.toThrow('connection lost');
    const named = (await engine.get(old)).links?.[0];
    expect(named?.kind).toBe('recurredAs');
    clock.advance(MIN);
    const [again] = await engine.ingest(signal());
    expect(again).toMatchObject({ outcome: 'created', incident: { id: named?.incidentId, links: [{ kind: 'recurrenceOf', incidentId: old }] } });
  });

  it('refuses a reopen window out of range', () => {
    expect(() => setup({ reopenWindowMinutes: -1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });
});
