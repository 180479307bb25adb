/** Routing in ingest against any store: the cases of routingEngine.test.ts (memory, SQLite) and routing.int.test.ts (PostgreSQL). */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineIncidentType } from '../../../src/features/classification/defineIncidentType.js';
import { defineRoutes } from '../../../src/features/routing/defineRoutes.js';
import type { RouteRuleInput, Routes } from '../../../src/features/routing/routes.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { sevScale } from '../../../src/model/severity.js';
import type { Signal } from '../../../src/model/signal.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

export const T0 = '2026-12-06T09:00:00.000Z';
export const ADA = { id: 'u_ada', name: 'Ada' };

const outage = defineIncidentType({ name: 'outage', severityScale: sevScale, fields: z.strictObject({ region: z.string().optional() }) });
const needsRegion = defineIncidentType({ name: 'regional', severityScale: sevScale, fields: z.strictObject({ region: z.string() }) });

export const dbaPolicy = { levels: [{ afterMinutes: 5, targets: ['dba-oncall'] }] };

export function signal(overrides: Partial<Signal> & { readonly labels?: Record<string, string> } = {}): Signal {
  return {
    source: 'alertmanager',
    fingerprint: 'fp-1',
    status: 'firing',
    severity: 'SEV3',
    summary: 'Replication lag on db-3',
    labels: { team: 'db', alertname: 'ReplicationLag', instance: 'db-3' },
    annotations: {},
    startsAt: T0,
    ...overrides,
  } as Signal;
}

export const dbRules: RouteRuleInput[] = [
  { id: 'noise', when: { field: 'labels.alertname', equals: 'Watchdog' }, then: { suppress: true } },
  { id: 'tag-db', when: { field: 'labels.team', equals: 'db' }, then: { service: 'postgres' }, continue: true },
  {
    id: 'db-page',
    when: { all: [{ field: 'labels.team', equals: 'db' }, { field: 'labels.alertname', in: ['ReplicationLag', 'DiskFull'] }] },
    then: { severity: 'SEV2', policy: 'dba', type: 'outage', dedupKey: '{{labels.alertname}}:{{labels.instance}}' },
  },
];

export function engineOn(store: StorageAdapter, extra: Partial<IncidentEngineOptions> = {}, clock = createManualClock(T0)) {
  const engine = createIncidentEngine({
    store,
    clock,
    types: [outage, needsRegion],
    policies: { escalationPolicies: { dba: dbaPolicy } },
    ...extra,
  });
  return { engine, clock };
}

/** The cases, over fresh stores from `makeStore`. */
export function routingCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('applies the configured rules: service, severity, dedup key, type and escalation policy, recording the rules on the timeline', async () => {
    const { engine } = engineOn(await makeStore(), { routing: defineRoutes(dbRules) });
    const [result] = await engine.ingest(signal());
    expect(result?.outcome).toBe('created');
    expect(result?.rules).toEqual(['tag-db', 'db-page']);
    const incident = result?.incident;
    expect(incident).toMatchObject({ service: 'postgres', severity: 'SEV2', type: 'outage', dedupKey: 'ReplicationLag:db-3' });
    expect(incident?.policy.escalation).toEqual(dbaPolicy);
    const [declared] = await engine.timeline(incident?.id ?? '');
    expect(declared?.data).toMatchObject({ alert: { rules: ['tag-db', 'db-page'], dedupKey: 'ReplicationLag:db-3' } });

    // A repeat lands on the same incident through the rendered key; the result names the rules again.
    const [repeat] = await engine.ingest(signal({ fingerprint: 'fp-1' }));
    expect(repeat).toMatchObject({ outcome: 'deduplicated', rules: ['tag-db', 'db-page'] });
    expect(repeat?.incident?.id).toBe(incident?.id);
  });

  it('suppresses what a rule suppresses, saying which rule', async () => {
    const { engine } = engineOn(await makeStore(), { routing: defineRoutes(dbRules) });
    const [result] = await engine.ingest(signal({ labels: { alertname: 'Watchdog' } }));
    expect(result).toEqual({ outcome: 'suppressed', rules: ['noise'], suppressedBy: 'rule noise' });
    expect((await engine.list({ limit: 10 })).items).toEqual([]);
  });

  it("holds below a rule's threshold and groups by a rule's key, recording the rule on the attached alert", async () => {
    const { engine, clock } = engineOn(await makeStore(), {
      routing: defineRoutes([
        { id: 'flappy', when: { field: 'labels.alertname', equals: 'Flap' }, then: { threshold: { count: 2, windowMinutes: 10 } } },
        { id: 'by-cluster', when: { field: 'labels.cluster', exists: true }, then: { group: { key: 'cluster/{{labels.cluster}}', windowMinutes: 30 } } },
      ]),
    });
    const flap = signal({ fingerprint: 'flap', labels: { alertname: 'Flap' } });
    expect((await engine.ingest(flap))[0]).toMatchObject({ outcome: 'held', rules: ['flappy'] });
    expect((await engine.ingest(flap))[0]).toMatchObject({ outcome: 'created', rules: ['flappy'] });

    const [first] = await engine.ingest(signal({ fingerprint: 'a', labels: { cluster: 'eu-1', alertname: 'A' } }));
    clock.advance(60_000);
    const [second] = await engine.ingest(signal({ fingerprint: 'b', labels: { cluster: 'eu-1', alertname: 'B' } }));
    expect(first?.outcome).toBe('created');
    expect(second).toMatchObject({ outcome: 'grouped', rules: ['by-cluster'] });
    expect(second?.incident?.id).toBe(first?.incident?.id);
    const attached = (await engine.timeline(first?.incident?.id ?? '')).find((event) => event.type === 'ALERT_ATTACHED');
    expect(attached?.data).toMatchObject({ fingerprint: 'b', rules: ['by-cluster'] });
  });

  it("reopens within a rule's reopenWindowMinutes instead of the engine's", async () => {
    const { engine, clock } = engineOn(await makeStore(), {
      ingest: { reopenWindowMinutes: 30 },
      routing: defineRoutes([{ id: 'slow-burn', when: { field: 'labels.alertname', equals: 'DiskFull' }, then: { reopenWindowMinutes: 120 } }]),
    });
    const disk = signal({ fingerprint: 'disk', labels: { alertname: 'DiskFull' } });
    const cpu = signal({ fingerprint: 'cpu', labels: { alertname: 'HighCpu' } });
    for (const s of [disk, cpu]) {
      await engine.ingest(s);
      await engine.ingest({ ...s, status: 'resolved' });
    }
    clock.advance(60 * 60_000);
    const [again] = await engine.ingest(disk);
    expect(again).toMatchObject({ outcome: 'reopened', rules: ['slow-burn'] });
    const [recurrence] = await engine.ingest(cpu);
    expect(recurrence?.outcome).toBe('created');
    expect(recurrence?.incident?.links?.map((l) => l.kind)).toEqual(['recurrenceOf']);
  });

  it('hot-swaps stored rules: at once on the writing engine, within refreshMs on another engine over the same store', async () => {
    const store = await makeStore();
    const clock = createManualClock(T0);
    const a = engineOn(store, { routing: defineRoutes(dbRules) }, clock).engine;
    const b = engineOn(store, { routing: defineRoutes(dbRules), ingest: { refreshMs: 5_000 } }, clock).engine;
    expect(await a.routes.get()).toMatchObject({ source: 'config' });
    // b reads (and keeps) the configured rules.
    expect((await b.ingest(signal({ fingerprint: 'w', labels: { alertname: 'Watchdog' } })))[0]?.outcome).toBe('suppressed');

    const stored = await a.routes.put(defineRoutes([{ id: 'web', when: { field: 'labels.team', equals: 'web' }, then: { service: 'storefront' } }]), { actor: ADA });
    expect(stored).toMatchObject({ source: 'stored', version: 1, updatedBy: ADA });
    expect((await a.ingest(signal({ fingerprint: 'w', labels: { alertname: 'Watchdog' } })))[0]?.outcome).toBe('created');
    // Engine b still has its copy until refreshMs passed.
    expect((await b.ingest(signal({ fingerprint: 'w2', labels: { alertname: 'Watchdog' } })))[0]?.outcome).toBe('suppressed');
    clock.advance(5_000);
    const [web] = await b.ingest(signal({ fingerprint: 'w3', labels: { team: 'web' } }));
    expect(web).toMatchObject({ outcome: 'created', rules: ['web'] });
    expect(web?.incident?.service).toBe('storefront');

    await a.routes.put(defineRoutes([]), { actor: ADA, expectedVersion: 1 });
    await expect(a.routes.put(defineRoutes([]), { actor: ADA, expectedVersion: 1 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    const history = await a.routes.history();
    expect(history.map((h) => [h.version, h.routes.rules.map((r) => r.id)])).toEqual([
      [1, ['web']],
      [2, []],
    ]);
  });

  it('refuses rules naming what the engine lacks, and routes not made by defineRoutes', async () => {
    const { engine } = engineOn(await makeStore());
    await expect(
      engine.routes.put(defineRoutes([{ id: 'x', when: { all: [] }, then: { policy: 'nope', type: 'nosuch', severity: 'P1' } }]), { actor: ADA }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: {
        issues: [
          expect.objectContaining({ path: ['rules', 0, 'then', 'type'] }),
          expect.objectContaining({ path: ['rules', 0, 'then', 'policy'], message: "Rule x names the escalation policy 'nope', which is not in policies.escalationPolicies (dba)." }),
        ],
      },
    });
    await expect(engine.routes.put(defineRoutes([{ id: 'x', when: { all: [] }, then: { severity: 'P1' } }]), { actor: ADA })).rejects.toMatchObject({
      details: { issues: [expect.objectContaining({ path: ['rules', 0, 'then', 'severity'] })] },
    });
    await expect(engine.routes.put(defineRoutes([{ id: 'x', when: { all: [] }, then: { type: 'regional' } }]), { actor: ADA })).rejects.toMatchObject({
      details: { issues: [expect.objectContaining({ path: ['rules', 0, 'then', 'type'], code: 'type_needs_fields' })] },
    });
    await expect(engine.routes.put(JSON.parse(JSON.stringify(defineRoutes([]))) as Routes, { actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await engine.routes.history()).toEqual([]);
  });

  it('explainRoute agrees with what ingest did, for any signal (property)', async () => {
    const { engine } = engineOn(await makeStore(), { routing: defineRoutes(dbRules) });
    const team = fc.constantFrom('db', 'web', 'ops');
    const alertname = fc.constantFrom('ReplicationLag', 'DiskFull', 'Watchdog', 'HighLatency');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(team, alertname, fc.constantFrom('SEV1', 'SEV3', 'SEV5'), async (t, name, severity) => {
        n += 1;
        const s = signal({ fingerprint: `p${String(n)}`, severity, labels: { team: t, alertname: name, instance: `i${String(n)}` } });
        const why = await engine.explainRoute(s);
        const [result] = await engine.ingest(s);
        expect(result?.rules ?? []).toEqual(why.decision.matched);
        expect(result?.outcome === 'suppressed').toBe(why.decision.suppressed);
        if (result?.outcome === 'created') {
          expect(result.incident?.service).toBe(why.decision.signal.service);
          expect(result.incident?.severity).toBe(why.decision.signal.severity);
          expect(result.incident?.type).toBe(why.decision.type);
        }
      }),
      { numRuns: 40, seed: 19 },
    );
  });

  it('maintenance windows: create, suppress what they cover, list, end early', async () => {
    const { engine, clock } = engineOn(await makeStore(), { routing: defineRoutes(dbRules) });
    const window = await engine.maintenance.create(
      { id: 'pg-upgrade', start: T0, end: '2026-12-06T11:00:00.000Z', service: 'postgres', reason: 'PostgreSQL 16 upgrade' },
      { actor: ADA },
    );
    expect(window).toMatchObject({ id: 'pg-upgrade', service: 'postgres', createdBy: ADA, createdAt: T0 });
    // The service comes from the rule tag-db: maintenance applies to the routed signal.
    const [covered] = await engine.ingest(signal());
    expect(covered).toMatchObject({ outcome: 'suppressed', suppressedBy: 'maintenance pg-upgrade', rules: ['tag-db', 'db-page'] });
    expect((await engine.explainRoute(signal())).maintenance?.id).toBe('pg-upgrade');
    expect((await engine.ingest(signal({ fingerprint: 'web', labels: { team: 'web' } })))[0]?.outcome).toBe('created');
    expect((await engine.maintenance.list()).map((w) => w.id)).toEqual(['pg-upgrade']);

    clock.advance(30 * 60_000);
    const ended = await engine.maintenance.end('pg-upgrade', { actor: ADA });
    expect(ended).toMatchObject({ end: '2026-12-06T09:30:00.000Z', endedEarly: { at: '2026-12-06T09:30:00.000Z', by: ADA, plannedEnd: '2026-12-06T11:00:00.000Z' } });
    expect((await engine.ingest(signal()))[0]?.outcome).toBe('created');
    expect(await engine.maintenance.list()).toEqual([]);
    expect((await engine.maintenance.list({ ended: true })).map((w) => w.id)).toEqual(['pg-upgrade']);
    await expect(engine.maintenance.end('pg-upgrade', { actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.maintenance.end('nope', { actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('maintenance windows refuse bad input with typed errors and write nothing', async () => {
    const { engine } = engineOn(await makeStore());
    await expect(engine.maintenance.create({ start: T0, end: T0 }, { actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.maintenance.create({ start: '2026-12-01T00:00:00Z', end: '2026-12-02T00:00:00Z' }, { actor: ADA })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [expect.objectContaining({ path: ['end'], message: 'The window ends before now (2026-12-06T09:00:00.000Z); a window in the past would rewrite history.' })] },
    });
    await expect(engine.maintenance.create({ start: 'tomorrow', end: T0 }, { actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await engine.maintenance.create({ id: 'one', start: T0, end: '2026-12-07T00:00:00Z', labels: { env: 'staging' } }, { actor: ADA });
    await expect(engine.maintenance.create({ id: 'one', start: T0, end: '2026-12-07T00:00:00Z' }, { actor: ADA })).rejects.toMatchObject({
      details: { issues: [expect.objectContaining({ path: ['id'] })] },
    });
    expect((await engine.maintenance.list()).map((w) => w.id)).toEqual(['one']);
    // Labels must all match.
    expect((await engine.ingest(signal({ labels: { env: 'staging', team: 'x' } })))[0]?.outcome).toBe('suppressed');
    expect((await engine.ingest(signal({ fingerprint: 'p', labels: { env: 'prod' } })))[0]?.outcome).toBe('created');
  });
}
