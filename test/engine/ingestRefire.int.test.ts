/**
 * Re-fires after resolution on a real PostgreSQL server, from several engines with pools of their
 * own (as several instances of a host): however the re-fires of one key interleave, the incident
 * is reopened once or one recurrence opens, and every signal lands on that one incident.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine, parseSignal, type IncidentEngine, type Signal } from '../../src/index.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { createManualClock, type ManualClock } from '../../src/testing/index.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';

const postgres = inject('postgres');
const MIN = 60_000;
const START = '2026-05-04T10:00:00.000Z';
const ENGINES = 3;
const person = { id: 'u_ada', name: 'Ada' };

function signal(fingerprint: string, status: 'firing' | 'resolved' = 'firing'): Signal {
  return parseSignal({ source: 'alertmanager', fingerprint, status, severity: 'SEV3', summary: `${fingerprint} is failing`, startsAt: START });
}

/** Where the incident is when its alert fires again. */
type Stage = 'inWindow' | 'pastWindow' | 'inReview' | 'closed';

describe.skipIf(postgres.url === null)(`re-fires after resolution on PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  const schema = `ik_refire_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const pools: pg.Pool[] = [];
  const engines: { engine: IncidentEngine; clock: ManualClock }[] = [];

  beforeAll(async () => {
    for (let i = 0; i < ENGINES; i += 1) {
      const pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 3 });
      pools.push(pool);
      const store = postgresStore(pool, { schema });
      await store.migrate();
      const clock = createManualClock(START);
      engines.push({ engine: createIncidentEngine({ store, clock, ingest: { reopenWindowMinutes: 30 } }), clock });
    }
  });
  afterAll(async () => {
    await pools[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const pool of pools) await pool.end();
    markPostgresSuiteRan('ingestRefire.int');
  });

  const first = (): IncidentEngine => engines[0]?.engine ?? expect.unreachable('engines are set up');
  let round = 0;

  it('concurrent re-fires of one key reopen the incident once, or open one recurrence', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Stage>('inWindow', 'pastWindow', 'inReview', 'closed'),
        // Which engine sends each re-fire, in the order they are started.
        fc.array(fc.integer({ min: 0, max: ENGINES - 1 }), { minLength: 2, maxLength: 8 }),
        async (stage, senders) => {
          round += 1;
          const fingerprint = `refire-${String(round)}`;
          const engine = first();
          const [created] = await engine.ingest(signal(fingerprint));
          const old = created?.incident?.id ?? '';
          await engine.ingest(signal(fingerprint, 'resolved'));
          if (stage === 'inReview') await engine.startReview(old, { actor: person });
          if (stage === 'closed') await engine.close(old, { actor: person });
          for (const { clock } of engines) clock.advance(stage === 'pastWindow' ? 31 * MIN : MIN);

          const sending = senders.map((i) => (engines[i]?.engine ?? engine).ingest(signal(fingerprint)));
          const results = (await Promise.all(sending)).flat();
          const outcomes = results.map((r) => r.outcome);
          const landed = new Set(results.map((r) => r.incident?.id));
          expect(landed.size).toBe(1);
          const target = [...landed][0] ?? '';
          if (stage === 'inWindow') {
            expect(outcomes.filter((o) => o === 'reopened')).toHaveLength(1);
            expect(target).toBe(old);
            expect((await engine.timeline(old)).filter((e) => e.type === 'REOPENED')).toHaveLength(1);
            expect(await engine.get(old)).toMatchObject({ status: 'responding', unresolvedAlertCount: 1 });
          } else {
            expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
            expect(target).not.toBe(old);
            expect((await engine.get(target)).links).toEqual([expect.objectContaining({ kind: 'recurrenceOf', incidentId: old })]);
            const back = stage === 'closed' ? undefined : [expect.objectContaining({ kind: 'recurredAs', incidentId: target })];
            expect((await engine.get(old)).links).toEqual(back);
          }
          expect(outcomes.filter((o) => o !== 'reopened' && o !== 'created').every((o) => o === 'deduplicated')).toBe(true);
          // Every firing counted on the one incident (the creating one included).
          const before = stage === 'inWindow' ? 1 : 0;
          expect((await engine.get(target)).signalCount).toBe(senders.length + before);
          // The key is held by that incident alone, and stays there for the next repeat.
          expect((await engine.ingest(signal(fingerprint)))[0]).toMatchObject({ outcome: 'deduplicated', incident: { id: target } });
          for (const { clock } of engines) clock.advance(60 * MIN);
        },
      ),
      { numRuns: 16 },
    );
  });
});
