/**
 * `list` and `scan` filter by `detectedAt` with `from` (inclusive) and `to` (exclusive), as the
 * metrics docs use them (issue 16: `engine.scan({ from })` was refused as an unknown key).
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/metrics/computeMetrics.js';
import type { Incident } from '../../src/model/incident.js';
import type { ListQuery, StorageAdapter } from '../../src/storage/types.js';
import { declareIncident, makeEngine, T0, thrown } from '../helpers.js';
import { memoryStore } from '../../src/storage/memory.js';

const MINUTE = 60_000;
const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * MINUTE).toISOString();

/** Five incidents detected a minute apart, at T0 + 0 … 4 minutes; the store's list queries are recorded. */
async function seeded() {
  const queries: ListQuery[] = [];
  const inner = memoryStore();
  const store: StorageAdapter = {
    ...inner,
    list: (tenantId, query) => {
      queries.push(query);
      return inner.list(tenantId, query);
    },
  };
  const { engine, clock } = makeEngine({ store });
  const ids: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    ids.push((await declareIncident(engine, { severity: i % 2 === 0 ? 'SEV1' : 'SEV3' })).id);
    clock.advance(MINUTE);
  }
  return { engine, ids, queries };
}

async function collect(source: AsyncIterable<Incident>): Promise<string[]> {
  const ids: string[] = [];
  for await (const incident of source) ids.push(incident.id);
  return ids;
}

describe('list and scan by detectedAt', () => {
  it('keep from ≤ detectedAt < to, with other filters, and pass the range to the store', async () => {
    const { engine, ids, queries } = await seeded();
    const [i0, i1, i2, i3, i4] = ids;
    const listed = async (input: Parameters<typeof engine.list>[0]) => (await engine.list(input)).items.map((i) => i.id);
    expect(await listed({ from: at(2) })).toEqual([i4, i3, i2]);
    expect(await listed({ to: at(2) })).toEqual([i1, i0]);
    expect(await listed({ from: at(1), to: at(3) })).toEqual([i2, i1]);
    expect(await listed({ from: new Date(at(1)), to: new Date(at(3)) })).toEqual([i2, i1]);
    // Any offset is accepted and normalised: 01:01+01:00 is 00:01Z.
    expect(await listed({ from: '2026-01-01T01:01:00+01:00', to: '2026-01-01T00:03:00Z' })).toEqual([i2, i1]);
    expect(queries.at(-1)).toMatchObject({ detectedFrom: at(1), detectedTo: at(3) });
    expect(await listed({ from: at(0), to: at(5), severity: 'SEV1' })).toEqual([i4, i2, i0]);
    expect(await listed({ from: at(2), to: at(2) })).toEqual([]);
    expect(await collect(engine.scan({ from: at(3) }))).toEqual([i4, i3]);
    expect(await collect(engine.scan({ from: at(1), to: at(4), severity: ['SEV3'] }))).toEqual([i3, i1]);
    expect(queries.at(-1)).toMatchObject({ detectedFrom: at(1), detectedTo: at(4), severity: ['SEV3'] });
  });

  it('page within the range with the cursor', async () => {
    const { engine, ids } = await seeded();
    const [, i1, i2, i3] = ids;
    const first = await engine.list({ from: at(1), to: at(4), limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([i3, i2]);
    const second = await engine.list({ from: at(1), to: at(4), limit: 2, cursor: first.nextCursor });
    expect(second.items.map((i) => i.id)).toEqual([i1]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('make the documented computeMetrics(engine.scan({ from })) work', async () => {
    const { engine } = await seeded();
    const metrics = await computeMetrics(engine.scan({ from: at(3) }), { now: at(10) });
    expect(metrics.overall.count).toBe(2);
  });

  it('refuse from later than to, and malformed times, naming the field', async () => {
    const { engine } = await seeded();
    const reversed = await thrown(engine.list({ from: at(3), to: at(1) }), 'VALIDATION_FAILED');
    expect(reversed.details.issues.map((i) => [i.path, i.message])).toEqual([[['from'], '`from` must not be later than `to` (from is inclusive, to exclusive).']]);
    await thrown(collect(engine.scan({ from: at(3), to: at(1) })), 'VALIDATION_FAILED');
    expect((await thrown(engine.list({ from: 'last week' }), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['from']);
    expect((await thrown(engine.list({ to: '2026-02-30T00:00:00Z' }), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['to']);
    // @ts-expect-error a number is no timestamp
    expect((await thrown(engine.list({ to: 5 }), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['to']);
  });
});
