/**
 * `engine.merge` on a real PostgreSQL server, from two engines with pools of their own (as two
 * instances of a host), while both ingest repeats and new alerts of the merged incident's keys:
 * however they interleave, the merged keys never open a new incident. Afterwards the incident
 * merged into is the one open incident holding each key, and every signal's alert is on it.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine, parseSignal, type IncidentEngine, type IngestResult, type Signal } from '../../src/index.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { createManualClock } from '../../src/testing/index.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';

const postgres = inject('postgres');
const START = '2026-05-04T10:00:00.000Z';
const person = { id: 'u_ada', name: 'Ada' };

function signal(fingerprint: string, dedupKey: string, status: 'firing' | 'resolved' = 'firing'): Signal {
  return parseSignal({ source: 'alertmanager', fingerprint, dedupKey, status, severity: 'SEV3', summary: `${fingerprint} is failing`, labels: { team: 'payments' }, startsAt: START });
}

/** One signal sent during the merge: by which engine, of which of the source's keys, a repeat or a new alert. */
interface Send {
  readonly engine: 0 | 1;
  readonly key: number;
  readonly alert: number;
  readonly status: 'firing' | 'resolved';
}

describe.skipIf(postgres.url === null)(`merge under concurrent ingest on PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  const schema = `ik_merge_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const pools: pg.Pool[] = [];
  let round = 0;

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) {
      const pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 4 });
      pools.push(pool);
      await postgresStore(pool, { schema }).migrate();
    }
  });
  afterAll(async () => {
    await pools[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const pool of pools) await pool.end();
    markPostgresSuiteRan('merge.int');
  });

  /** Two engines of one tenant (new for every run), each on its own pool and store. */
  function engines(tenantId: string): [IncidentEngine, IncidentEngine] {
    const make = (pool: pg.Pool | undefined): IncidentEngine =>
      createIncidentEngine({ store: postgresStore(pool ?? expect.unreachable('pools are set up'), { schema }), clock: createManualClock(START), tenantId, ingest: { groupBy: ['team'], countWindowMs: 0 } });
    return [make(pools[0]), make(pools[1])];
  }

  it('merged keys never open new incidents under concurrent ingest', async () => {
    await fc.assert(
      fc.asyncProperty(
        // The source's keys, and how many alerts it has under each before the merge.
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        // The signals both engines send while the merge runs; `alert` beyond those it has is a new alert.
        fc.array(
          fc.record({
            engine: fc.constantFrom<0 | 1>(0, 1),
            key: fc.nat({ max: 2 }),
            alert: fc.nat({ max: 5 }),
            status: fc.constantFrom<'firing' | 'resolved'>('firing', 'firing', 'firing', 'resolved'),
          }),
          { minLength: 1, maxLength: 16 },
        ),
        // Which engine merges, and after how many of the signals were started.
        fc.constantFrom<0 | 1>(0, 1),
        fc.nat({ max: 16 }),
        async (alertsPerKey, sends: readonly Send[], merger, mergeAfter) => {
          round += 1;
          const tenantId = `merge_${String(round)}`;
          const pair = engines(tenantId);
          const [a] = pair;
          const keys = alertsPerKey.map((_, k) => `svc-${String(k)}`);
          const fingerprint = (key: number, alert: number): string => `${keys[key % keys.length] ?? ''}/fp-${String(alert)}`;
          // The source: all its alerts, under all its keys, grouped by team (its own key is the group's).
          const opened = await a.ingest(alertsPerKey.flatMap((count, key) => Array.from({ length: count }, (_, alert) => signal(fingerprint(key, alert), keys[key] ?? ''))));
          expect(new Set(opened.map((r) => r.incident?.id)).size).toBe(1);
          const source = opened[0]?.incident?.id ?? '';
          const target = (await a.declare({ title: 'Checkout outage', severity: 'SEV1', actor: person })).id;

          const send = (s: Send): Promise<IngestResult[]> => pair[s.engine].ingest(signal(fingerprint(s.key, s.alert), keys[s.key % keys.length] ?? '', s.status));
          const started: Promise<unknown>[] = [];
          let merge: Promise<unknown> | undefined;
          sends.forEach((s, i) => {
            if (i === mergeAfter) merge = pair[merger].merge(source, { into: target, actor: person });
            started.push(send(s));
          });
          merge ??= pair[merger].merge(source, { into: target, actor: person });
          const settled = await Promise.allSettled([merge, ...started]);
          const failures = settled.filter((r) => r.status === 'rejected').map((r) => (r).reason as unknown);
          expect(failures).toEqual([]);
          expect(await a.get(source)).toMatchObject({ status: 'canceled', cancellation: { mergedInto: target } });

          // Afterwards: one more repeat of every key, and a new alert of the group, land on the
          // target, and no incident but the target is open.
          for (const [k, key] of keys.entries()) {
            expect((await pair[1].ingest(signal(fingerprint(k, 0), key)))[0]).toMatchObject({ incident: { id: target } });
          }
          expect((await a.ingest(signal('svc-new/fp-0', 'svc-new')))[0]).toMatchObject({ outcome: 'grouped', incident: { id: target } });
          const open = (await a.list({ open: true })).items.map((i) => i.id);
          expect(open).toEqual([target]);
          // Every alert that was sent firing is on the target; the source has none left.
          const sent = new Set(['svc-new/fp-0', ...alertsPerKey.flatMap((count, key) => Array.from({ length: count }, (_, alert) => fingerprint(key, alert))), ...sends.filter((s) => s.status === 'firing').map((s) => fingerprint(s.key, s.alert))]);
          const onTarget = (await a.alerts(target, { limit: 1_000 })).items.map((x) => x.fingerprint);
          expect(new Set(onTarget)).toEqual(sent);
          expect((await a.alerts(source, { limit: 10 })).items).toEqual([]);
          expect(await a.verifyTimeline(target)).toEqual({ ok: true });
          expect(await a.verifyTimeline(source)).toEqual({ ok: true });
        },
      ),
      { numRuns: 20 },
    );
  });
});
