/**
 * `engine.merge` and `engine.unmerge` (issue 19, part 4): a duplicate canceled into the incident
 * that continues, its alerts and dedup keys moved there, and undone while that incident is open.
 * Run on the memory store and on SQLite.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  buildPostmortem,
  createIncidentEngine,
  memoryStore,
  parseSignal,
  renderPostmortemMarkdown,
  replayTimeline,
  type AlertSummary,
  type IncidentEngineOptions,
  type Signal,
  type SignalInput,
  type StorageAdapter,
} from '../../src/index.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';

const ada = { id: 'u_ada', name: 'Ada' };

function signal(overrides: Partial<SignalInput> = {}): Signal {
  return parseSignal({
    source: 'alertmanager',
    fingerprint: 'fp-web-5xx',
    status: 'firing',
    severity: 'SEV3',
    summary: 'High 5xx rate on web',
    service: 'web',
    labels: { alertname: 'High5xx' },
    startsAt: '2026-03-02T08:58:00.000Z',
    ...overrides,
  });
}

const stores: [string, () => StorageAdapter][] = [
  ['memory', () => memoryStore()],
  ['sqlite', () => sqliteStore(new Database(':memory:'))],
];

describe.each(stores)('engine.merge and engine.unmerge (%s)', (_name, makeStore) => {
  function setup(options: Partial<IncidentEngineOptions> = {}) {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const store = makeStore();
    const engine = createIncidentEngine({ store, clock, ids: sequentialIds(), ingest: { countWindowMs: 0 }, ...options });
    return { clock, store, engine };
  }

  async function allAlerts(engine: ReturnType<typeof setup>['engine'], id: string): Promise<AlertSummary[]> {
    const rows: AlertSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.alerts(id, { limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      rows.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return rows;
  }

  it('cancels the source as merged, moves its alerts and keys, and a repeat lands on the target', async () => {
    const { clock, engine } = setup();
    const [web] = await engine.ingest(signal());
    const [db] = await engine.ingest(signal({ fingerprint: 'fp-db', summary: 'DB slow', service: 'db' }));
    await engine.ingest([signal(), signal()]);
    const source = web?.incident?.id ?? '';
    const target = db?.incident?.id ?? '';
    clock.advance(60_000);
    const merged = await engine.merge(source, { into: target, actor: ada });

    expect(merged).toMatchObject({
      status: 'canceled',
      cancellation: { reason: 'duplicate', mergedInto: target, previousStatus: 'triage' },
      canceledAt: '2026-03-02T09:01:00.000Z',
      alerts: [],
      alertCount: 0,
      links: [{ kind: 'mergedInto', incidentId: target, at: '2026-03-02T09:01:00.000Z' }],
    });
    const into = await engine.get(target);
    expect(into.links).toEqual([{ kind: 'mergedFrom', incidentId: source, at: '2026-03-02T09:01:00.000Z' }]);
    expect(into.alertCount).toBe(2);
    expect(into.unresolvedAlertCount).toBe(2);
    expect(into.alerts.map((a) => [a.fingerprint, a.mergedFrom, a.count])).toEqual([
      ['fp-db', undefined, 1],
      ['fp-web-5xx', source, 3],
    ]);
    expect(into.signalCount).toBe(4);
    expect((await allAlerts(engine, target)).map((a) => a.fingerprint)).toEqual(['fp-db', 'fp-web-5xx']);
    expect(await allAlerts(engine, source)).toEqual([]);
    expect((await engine.timeline(source)).at(-1)).toMatchObject({ type: 'MERGED_INTO', actor: { id: 'u_ada' }, data: { into: target, alertCount: 1 } });
    expect((await engine.timeline(target)).at(-1)).toMatchObject({ type: 'MERGED_FROM', data: { from: source, alertCount: 1 } });
    for (const id of [source, target]) {
      expect(replayTimeline(await engine.timeline(id))).toEqual({ ...(await engine.get(id)), ...withoutCounts(await engine.get(id)) });
      expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    }

    // A repeat of the merged alert lands on the target, never on a new incident.
    const [repeat] = await engine.ingest(signal());
    expect(repeat).toMatchObject({ outcome: 'deduplicated', incident: { id: target } });
    expect((await engine.get(target)).alerts.find((a) => a.fingerprint === 'fp-web-5xx')?.count).toBe(4);
    // So does its resolve: the target resolves once every alert resolved.
    await engine.ingest(signal({ status: 'resolved' }));
    const [resolved] = await engine.ingest(signal({ fingerprint: 'fp-db', status: 'resolved', service: 'db' }));
    expect(resolved?.incident).toMatchObject({ id: target, status: 'resolved', unresolvedAlertCount: 0 });
    expect((await engine.list({ open: true })).items.map((i) => i.id)).toEqual([target]);

    // The postmortems show both links.
    const markdown = renderPostmortemMarkdown(buildPostmortem(await engine.get(target), await engine.timeline(target)));
    expect(markdown).toMatch(/- Merged from inc\\?_\d+ /);
    const sourceMarkdown = renderPostmortemMarkdown(buildPostmortem(await engine.get(source), await engine.timeline(source)));
    expect(sourceMarkdown).toMatch(/- Merged into inc\\?_\d+ /);
  });

  it('moves the own key of a declared incident without alerts', async () => {
    const { engine } = setup();
    const declared = await engine.declare({ title: 'Checkout errors', severity: 'SEV2', dedupKey: 'checkout', actor: ada });
    const outage = await engine.declare({ title: 'Payments outage', severity: 'SEV1', actor: ada });
    await engine.merge(declared.id, { into: outage.id, actor: ada });
    const [result] = await engine.ingest(signal({ fingerprint: 'fp-checkout', dedupKey: 'checkout' }));
    expect(result).toMatchObject({ outcome: 'deduplicated', incident: { id: outage.id } });
    expect((await engine.get(outage.id)).alerts.map((a) => a.fingerprint)).toEqual(['fp-checkout']);
  });

  it('unmerge returns the source to its state with its alerts, keys and counts; later alerts stay', async () => {
    const { clock, engine } = setup();
    const [web] = await engine.ingest(signal());
    const source = web?.incident?.id ?? '';
    await engine.acknowledge(source, { actor: ada });
    await engine.ingest(signal({ fingerprint: 'fp-web-latency', dedupKey: 'fp-web-5xx' }));
    const target = (await engine.declare({ title: 'Web outage', severity: 'SEV1', actor: ada })).id;
    await engine.merge(source, { into: target, actor: ada });
    await engine.ingest(signal({ fingerprint: 'fp-web-disk', dedupKey: 'fp-web-5xx' }));
    expect((await engine.get(target)).alertCount).toBe(3);
    clock.advance(5 * 60_000);

    const back = await engine.unmerge(source, { actor: ada });
    expect(back).toMatchObject({ status: 'responding', alertCount: 2, unresolvedAlertCount: 2 });
    expect(back.cancellation).toBeUndefined();
    expect(back.canceledAt).toBeUndefined();
    expect(back.links ?? []).toEqual([]);
    expect(back.alerts.map((a) => [a.fingerprint, a.mergedFrom])).toEqual([
      ['fp-web-5xx', undefined],
      ['fp-web-latency', undefined],
    ]);
    const after = await engine.get(target);
    expect(after.links ?? []).toEqual([]);
    expect(after.alerts.map((a) => a.fingerprint)).toEqual(['fp-web-disk']);
    expect(after.alertCount).toBe(1);
    expect((await engine.timeline(source)).at(-1)).toMatchObject({ type: 'UNMERGED', data: { from: target, status: 'responding', alertCount: 2 } });
    expect((await engine.timeline(target)).at(-1)).toMatchObject({ type: 'UNMERGED_FROM', data: { from: source, alertCount: 2 } });
    for (const id of [source, target]) {
      expect(replayTimeline(await engine.timeline(id))).toEqual({ ...(await engine.get(id)), ...withoutCounts(await engine.get(id)) });
      expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    }
    // The source's keys are its own again.
    const [repeat] = await engine.ingest(signal());
    expect(repeat).toMatchObject({ outcome: 'deduplicated', incident: { id: source } });
    // And it can be merged again.
    await engine.merge(source, { into: target, actor: ada });
    expect((await engine.get(target)).alertCount).toBe(3);
  });

  it('a merged incident reports nothing; taken back out, its reporting deadlines count again', async () => {
    const { clock, engine } = setup();
    const breach = (await engine.declare({ title: 'Patient data sent to the wrong clinic', severity: 'SEV2', actor: ada })).id;
    const other = (await engine.declare({ title: 'Mail misrouted', severity: 'SEV2', actor: ada })).id;
    await engine.startClock(breach, { regime: 'gdpr', trigger: 'awareness', actor: ada });
    await engine.merge(breach, { into: other, actor: ada });
    clock.advance(60_000);
    await engine.unmerge(breach, { actor: ada });
    clock.advance(73 * 60 * 60_000);
    await engine.tick();
    expect((await engine.get(breach)).overdueReports).toEqual([expect.objectContaining({ regime: 'gdpr', phase: 'notification' })]);
    // Merged for good, it reports nothing.
    const second = (await engine.declare({ title: 'Second breach', severity: 'SEV2', actor: ada })).id;
    await engine.startClock(second, { regime: 'gdpr', trigger: 'awareness', actor: ada });
    await engine.merge(second, { into: other, actor: ada });
    clock.advance(73 * 60 * 60_000);
    await engine.tick();
    expect((await engine.get(second)).overdueReports).toBeUndefined();
  });

  it('refuses with typed errors and changes nothing then', async () => {
    const { engine } = setup();
    const a = (await engine.declare({ title: 'A', severity: 'SEV3', actor: ada })).id;
    const b = (await engine.declare({ title: 'B', severity: 'SEV3', actor: ada })).id;
    const c = (await engine.declare({ title: 'C', severity: 'SEV3', actor: ada })).id;
    const closed = (await engine.declare({ title: 'Closed', severity: 'SEV4', actor: ada })).id;
    await engine.resolve(closed, { actor: ada });
    await engine.close(closed, { actor: ada });
    const duplicate = (await engine.declare({ title: 'Dup', severity: 'SEV4', actor: ada })).id;
    await engine.cancel(duplicate, { reason: 'duplicate', mergedInto: a, actor: ada });

    await expect(engine.merge(a, { into: a, actor: ada })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.merge(a, { into: 'inc_nope', actor: ada })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.merge(a, { into: closed, actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('only an open incident') as unknown });
    await expect(engine.merge(closed, { into: a, actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(engine.unmerge(a, { actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('not merged') as unknown });
    await expect(engine.unmerge(duplicate, { actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('not merged') as unknown });

    await engine.merge(b, { into: a, actor: ada });
    // No chains: into a merged incident, or merging an incident others were merged into.
    await expect(engine.merge(c, { into: b, actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining(`merge into ${a} instead`) as unknown });
    await expect(engine.merge(a, { into: c, actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('merges do not chain') as unknown });
    await expect(engine.merge(b, { into: c, actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('already') as unknown });
    // Unmerge only while the target is open.
    await engine.resolve(a, { actor: ada });
    await engine.close(a, { actor: ada });
    await expect(engine.unmerge(b, { actor: ada })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('while it is open') as unknown });
    expect((await engine.get(b)).status).toBe('canceled');
    expect((await engine.get(c)).links).toBeUndefined();
  });

  it('keeps the merged own key taken while merged: declaring another incident with it is a duplicate of the target', async () => {
    const { engine } = setup();
    const checkout = (await engine.declare({ title: 'Checkout errors', severity: 'SEV2', dedupKey: 'checkout', actor: ada })).id;
    const outage = (await engine.declare({ title: 'Payments outage', severity: 'SEV1', actor: ada })).id;
    await engine.merge(checkout, { into: outage, actor: ada });
    await expect(engine.declare({ title: 'Checkout errors again', severity: 'SEV2', dedupKey: 'checkout', actor: ada })).rejects.toMatchObject({
      code: 'DUPLICATE_INCIDENT',
      details: { existingIncidentId: outage },
    });
    expect((await engine.unmerge(checkout, { actor: ada })).status).toBe('triage');
    await expect(engine.declare({ title: 'Checkout errors again', severity: 'SEV2', dedupKey: 'checkout', actor: ada })).rejects.toMatchObject({
      details: { existingIncidentId: checkout },
    });
  });

  it('refuses to merge two incidents that have an alert with one fingerprint', async () => {
    const { engine } = setup();
    const [one] = await engine.ingest(signal({ dedupKey: 'one' }));
    const [two] = await engine.ingest(signal({ dedupKey: 'two' }));
    await expect(engine.merge(one?.incident?.id ?? '', { into: two?.incident?.id ?? '', actor: ada })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await engine.get(one?.incident?.id ?? '')).status).toBe('triage');
  });

  it('asks authorize about merge and unmerge on both incidents', async () => {
    const asked: string[] = [];
    const { engine } = setup({
      authorize: ({ actor, action, incident }) => {
        if (action === 'merge' || action === 'unmerge') asked.push(`${action}:${incident?.id ?? ''}`);
        return actor.id !== 'u_bob' || incident?.severity !== 'SEV1';
      },
    });
    const a = (await engine.declare({ title: 'A', severity: 'SEV1', actor: ada })).id;
    const b = (await engine.declare({ title: 'B', severity: 'SEV3', actor: ada })).id;
    await expect(engine.merge(b, { into: a, actor: { id: 'u_bob' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await engine.get(b)).status).toBe('triage');
    await engine.merge(b, { into: a, actor: ada });
    await engine.unmerge(b, { actor: ada });
    expect(asked).toEqual([`merge:${b}`, `merge:${a}`, `merge:${b}`, `merge:${a}`, `unmerge:${b}`, `unmerge:${a}`]);
  });

  it('moves thousands of alerts in one write per incident, not one event per alert', async () => {
    const { engine } = setup();
    const many = Array.from({ length: 1_500 }, (_, i) => signal({ fingerprint: `fp-${String(i)}`, dedupKey: 'storm', summary: `Alert ${String(i)}` }));
    const [first] = await engine.ingest(many);
    const source = first?.incident?.id ?? '';
    const target = (await engine.declare({ title: 'Storm', severity: 'SEV2', actor: ada })).id;
    const before = (await engine.timeline(target)).length;
    await engine.merge(source, { into: target, actor: ada });
    expect((await engine.timeline(target)).length).toBe(before + 1);
    const into = await engine.get(target);
    expect(into.alertCount).toBe(1_500);
    expect(into.alerts).toHaveLength(100);
    expect(into.alerts.at(-1)?.fingerprint).toBe('fp-1499');
    expect((await allAlerts(engine, target)).map((a) => a.fingerprint)).toEqual(many.map((s) => s.fingerprint));
    const back = await engine.unmerge(source, { actor: ada });
    expect(back.alertCount).toBe(1_500);
    expect((await engine.get(target)).alertCount).toBe(0);
  });
});

/** What replay does not rebuild: repeat counters. */
function withoutCounts(incident: { readonly alerts: readonly AlertSummary[]; readonly signalCount?: number }) {
  return { alerts: incident.alerts.map(({ count: _count, lastSeenAt: _lastSeenAt, ...alert }) => alert), signalCount: undefined };
}
