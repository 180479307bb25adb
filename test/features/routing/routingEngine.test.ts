/** Routing rules applied by `engine.ingest` on the memory and SQLite stores, its configuration and authorization. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineRoutes } from '../../../src/features/routing/defineRoutes.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { RECORD_METHODS } from '../../../src/storage/records.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { ADA, dbaPolicy, dbRules, engineOn, routingCases, signal, T0 } from './routingSuite.js';

describe('routing in ingest on memoryStore', () => {
  routingCases(() => memoryStore());
});

describe('routing in ingest on sqliteStore', () => {
  routingCases(() => sqliteStore(new Database(':memory:')));
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
