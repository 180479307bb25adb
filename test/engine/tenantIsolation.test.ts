/**
 * Tenant isolation, as a property over every read API and every shipped store: whatever two
 * tenants do on one store, data written under one is never visible, countable or modifiable
 * from the other.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine, parseSignal, type IncidentEngine, type StorageAdapter } from '../../src/index.js';
import { memoryStore } from '../../src/storage/memory.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import { createManualClock } from '../../src/testing/index.js';

type Op =
  | { kind: 'declare'; tenant: 0 | 1; key: number | null; severity: 'SEV1' | 'SEV3' }
  | { kind: 'ingest'; tenant: 0 | 1; fingerprint: number; repeats: number }
  | { kind: 'note'; tenant: 0 | 1; target: number }
  | { kind: 'resolve'; tenant: 0 | 1; target: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('declare' as const), tenant: fc.constantFrom(0 as const, 1 as const), key: fc.option(fc.integer({ min: 0, max: 2 })), severity: fc.constantFrom('SEV1' as const, 'SEV3' as const) }),
  fc.record({ kind: fc.constant('ingest' as const), tenant: fc.constantFrom(0 as const, 1 as const), fingerprint: fc.integer({ min: 0, max: 2 }), repeats: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('note' as const), tenant: fc.constantFrom(0 as const, 1 as const), target: fc.nat(20) }),
  fc.record({ kind: fc.constant('resolve' as const), tenant: fc.constantFrom(0 as const, 1 as const), target: fc.nat(20) }),
);

const actor = { id: 'u_tester' };

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? 'untyped';
  }
}

async function checkIsolation(makeStore: () => Promise<StorageAdapter>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
      const store = await makeStore();
      const clock = createManualClock('2026-05-01T08:00:00.000Z');
      const engines: [IncidentEngine, IncidentEngine] = [
        createIncidentEngine({ store, clock, tenantId: 'acme' }),
        createIncidentEngine({ store, clock, tenantId: 'globex' }),
      ];
      const owned: [string[], string[]] = [[], []];
      for (const op of ops) {
        const engine = engines[op.tenant];
        const mine = owned[op.tenant];
        if (op.kind === 'declare') {
          const result = await codeOf(async () => {
            const incident = await engine.declare({
              title: `Incident ${String(op.key)}`,
              severity: op.severity,
              ...(op.key === null ? {} : { dedupKey: `key-${String(op.key)}` }),
              actor,
            });
            mine.push(incident.id);
          });
          // The same dedup key in the other tenant never counts as a duplicate here.
          if (result === 'DUPLICATE_INCIDENT') {
            const holder = await engine.list({ open: true, limit: 500 });
            expect(holder.items.some((i) => i.dedupKey === `key-${String(op.key)}`)).toBe(true);
          } else {
            expect(result).toBe('ok');
          }
        } else if (op.kind === 'ingest') {
          const signal = parseSignal({
            source: 'alertmanager',
            fingerprint: `fp-${String(op.fingerprint)}`,
            status: 'firing',
            severity: 'SEV2',
            summary: 'Shared alert name',
            startsAt: '2026-05-01T07:59:00Z',
          });
          const results = await engine.ingest(Array.from({ length: op.repeats }, () => signal));
          for (const result of results) if (result.outcome === 'created' && result.incident) mine.push(result.incident.id);
        } else {
          const other = owned[op.tenant === 0 ? 1 : 0];
          const target = other[op.target % Math.max(other.length, 1)];
          if (target === undefined) continue;
          const before = await engines[op.tenant === 0 ? 1 : 0].get(target);
          // Writing to the other tenant's incident: not found, and nothing changes there.
          const code =
            op.kind === 'note'
              ? await codeOf(() => engine.addNote(target, { text: 'cross-tenant write', actor }))
              : await codeOf(() => engine.resolve(target, { actor }));
          expect(code).toBe('NOT_FOUND');
          expect(await engines[op.tenant === 0 ? 1 : 0].get(target)).toEqual(before);
        }
      }
      for (const tenant of [0, 1] as const) {
        const engine = engines[tenant];
        const mine = new Set(owned[tenant]);
        const theirs = owned[tenant === 0 ? 1 : 0];
        const listed = (await engine.list({ limit: 500 })).items.map((i) => i.id);
        expect(new Set(listed)).toEqual(mine);
        const scanned: string[] = [];
        for await (const incident of engine.scan()) scanned.push(incident.id);
        expect(new Set(scanned)).toEqual(mine);
        for (const id of theirs) {
          expect(await codeOf(() => engine.get(id))).toBe('NOT_FOUND');
          expect(await codeOf(() => engine.timeline(id))).toBe('NOT_FOUND');
          expect(await codeOf(() => engine.verifyTimeline(id))).toBe('NOT_FOUND');
        }
        // Repeat counts stay with the tenant that received the signals.
        for (const id of mine) {
          const incident = await engine.get(id);
          expect(incident.tenantId).toBe(tenant === 0 ? 'acme' : 'globex');
          for (const event of await engine.timeline(id)) expect(event.tenantId).toBe(incident.tenantId);
        }
        expect(await engine.deadLetters()).toEqual([]);
      }
    }),
    { numRuns: 25 },
  );
}

describe('tenant isolation', () => {
  it('holds on the memory store', async () => {
    await checkIsolation(() => Promise.resolve(memoryStore()));
  }, 120_000);

  it('holds on the SQLite store', async () => {
    const dbs: Database.Database[] = [];
    try {
      await checkIsolation(() => {
        const db = new Database(':memory:');
        dbs.push(db);
        return Promise.resolve(sqliteStore(db));
      });
    } finally {
      for (const db of dbs) db.close();
    }
  }, 120_000);

  const postgres = inject('postgres');
  describe.skipIf(postgres.url === null)(`on PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
    let pool: pg.Pool;
    beforeAll(() => {
      pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 4 });
    });
    afterAll(async () => {
      await pool.end();
    });

    it('holds on the PostgreSQL store', async () => {
      const schemas: string[] = [];
      try {
        await checkIsolation(async () => {
          const schema = `ik_tenancy_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
          schemas.push(schema);
          const store = postgresStore(pool, { schema });
          await store.migrate();
          return store;
        });
      } finally {
        for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    }, 240_000);
  });
});
