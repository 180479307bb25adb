/** Routing rules applied by `engine.ingest`: `engine.routes`, `engine.explainRoute`, `engine.maintenance`. */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineIncidentType } from '../../../src/features/classification/defineIncidentType.js';
import { defineRoutes } from '../../../src/features/routing/defineRoutes.js';
import type { RouteRuleInput, Routes } from '../../../src/features/routing/routes.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { sevScale } from '../../../src/model/severity.js';
import type { Signal } from '../../../src/model/signal.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { RECORD_METHODS } from '../../../src/storage/records.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

const T0 = '2026-12-06T09:00:00.000Z';
const ADA = { id: 'u_ada', name: 'Ada' };

const outage = defineIncidentType({ name: 'outage', severityScale: sevScale, fields: z.strictObject({ region: z.string().optional() }) });
const needsRegion = defineIncidentType({ name: 'regional', severityScale: sevScale, fields: z.strictObject({ region: z.string() }) });

const dbaPolicy = { levels: [{ afterMinutes: 5, targets: ['dba-oncall'] }] };

function signal(overrides: Partial<Signal> & { readonly labels?: Record<string, string> } = {}): Signal {
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

const dbRules: RouteRuleInput[] = [
  { id: 'noise', when: { field: 'labels.alertname', equals: 'Watchdog' }, then: { suppress: true } },
  { id: 'tag-db', when: { field: 'labels.team', equals: 'db' }, then: { service: 'postgres' }, continue: true },
  {
    id: 'db-page',
    when: { all: [{ field: 'labels.team', equals: 'db' }, { field: 'labels.alertname', in: ['ReplicationLag', 'DiskFull'] }] },
    then: { severity: 'SEV2', policy: 'dba', type: 'outage', dedupKey: '{{labels.alertname}}:{{labels.instance}}' },
  },
];

function engineOn(store: StorageAdapter, extra: Partial<IncidentEngineOptions> = {}, clock = createManualClock(T0)) {
  const engine = createIncidentEngine({
    store,
    clock,
    types: [outage, needsRegion],
    policies: { escalationPolicies: { dba: dbaPolicy } },
    ...extra,
  });
  return { engine, clock };
}

describe.each([
  ['memoryStore', () => memoryStore()],
  ['sqliteStore', () => sqliteStore(new Database(':memory:'))],
] as const)('routing in ingest on %s', (_name, makeStore) => {
  it('applies the configured rules: service, severity, dedup key, type and escalation policy, recording the rules on the timeline', async () => {
    const { engine } = engineOn(makeStore(), { routing: defineRoutes(dbRules) });
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
    const { engine } = engineOn(makeStore(), { routing: defineRoutes(dbRules) });
    const [result] = await engine.ingest(signal({ labels: { alertname: 'Watchdog' } }));
    expect(result).toEqual({ outcome: 'suppressed', rules: ['noise'], suppressedBy: 'rule noise' });
    expect((await engine.list({ limit: 10 })).items).toEqual([]);
  });

  it("holds below a rule's threshold and groups by a rule's key, recording the rule on the attached alert", async () => {
    const { engine, clock } = engineOn(makeStore(), {
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

  it('hot-swaps stored rules: at once on the writing engine, within refreshMs on another engine over the same store', async () => {
    const store = makeStore();
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
    const { engine } = engineOn(makeStore());
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
    const { engine } = engineOn(makeStore(), { routing: defineRoutes(dbRules) });
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
    const { engine, clock } = engineOn(makeStore(), { routing: defineRoutes(dbRules) });
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
    const { engine } = engineOn(makeStore());
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
});

describe('routing configuration and call options', () => {
  it('refuses configured rules naming an unknown policy or type at createIncidentEngine', () => {
    expect(() =>
      createIncidentEngine({ store: memoryStore(), routing: defineRoutes([{ id: 'x', when: { all: [] }, then: { policy: 'ghost' } }]) }),
    ).toThrow(/routing\.rules\.0\.then\.policy/);
    expect(() => createIncidentEngine({ store: memoryStore(), routing: { rules: [] } })).toThrow(/must come from defineRoutes/);
  });

  it("gives a call's new incidents its type and policy unless a rule sets them; refuses unknown ones", async () => {
    const { engine } = engineOn(memoryStore(), { routing: defineRoutes([{ id: 'sev', when: { field: 'labels.team', equals: 'web' }, then: { type: 'outage' } }]) });
    const [plain] = await engine.ingest(signal({ fingerprint: 'x', labels: {} }), { policy: 'dba', type: 'outage' });
    expect(plain?.incident).toMatchObject({ type: 'outage' });
    expect(plain?.incident?.policy.escalation).toEqual(dbaPolicy);
    const [untyped] = await engine.ingest(signal({ fingerprint: 'y', labels: {} }));
    expect(untyped?.incident?.type).toBeUndefined();
    await expect(engine.ingest(signal(), { policy: 'ghost' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [expect.objectContaining({ path: ['policy'] })] } });
    await expect(engine.ingest(signal(), { type: 'ghost' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.ingest(signal(), { extra: 1 } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('asks authorize about routes.write, routes.read, maintenance.write and maintenance.read', async () => {
    const asked: string[] = [];
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock(T0),
      authorize: ({ actor, action }) => {
        asked.push(`${actor.id}:${action}`);
        return actor.id !== 'u_eve';
      },
    });
    await engine.routes.put(defineRoutes([]), { actor: ADA });
    await engine.routes.get({ actor: ADA });
    await engine.explainRoute(signal(), { actor: ADA });
    await engine.maintenance.create({ id: 'm', start: T0, end: '2026-12-07T00:00:00Z' }, { actor: ADA });
    await engine.maintenance.list({ actor: ADA });
    expect(asked).toEqual(['u_ada:routes.write', 'u_ada:routes.read', 'u_ada:routes.read', 'u_ada:maintenance.write', 'u_ada:maintenance.read']);
    const eve = { id: 'u_eve' };
    await expect(engine.routes.put(defineRoutes([]), { actor: eve })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(engine.maintenance.end('m', { actor: eve })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await engine.maintenance.list()).toHaveLength(1);
  });

  it('an engine over a store without the record methods routes with its configured rules, and refuses stored ones', async () => {
    const withoutRecords = Object.fromEntries(Object.entries(memoryStore()).filter(([name]) => !(RECORD_METHODS as readonly string[]).includes(name))) as unknown as StorageAdapter;
    const { engine } = engineOn(withoutRecords, { routing: defineRoutes(dbRules) });
    expect((await engine.ingest(signal()))[0]?.rules).toEqual(['tag-db', 'db-page']);
    await expect(engine.routes.put(defineRoutes([]), { actor: ADA })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
