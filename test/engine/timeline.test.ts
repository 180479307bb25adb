/**
 * `engine.timeline(id, { afterSeq, limit })`: one page of a timeline through the store's range,
 * also on a store written before ranges existed; without options, the whole timeline as before.
 */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/model/event.js';
import { memoryStore } from '../../src/storage/memory.js';
import type { EventRange, StorageAdapter } from '../../src/storage/types.js';
import { ALICE, declareIncident, makeEngine, thrown } from '../helpers.js';

/** An incident with `notes` notes after its DECLARED event, on `store`; the ranges the store was asked for are recorded. */
async function seeded(notes: number, store: StorageAdapter = memoryStore()) {
  const ranges: (EventRange | undefined)[] = [];
  const recording: StorageAdapter = {
    ...store,
    events: (tenantId, incidentId, range) => {
      ranges.push(range);
      return store.events(tenantId, incidentId, range);
    },
  };
  const { engine } = makeEngine({ store: recording });
  const { id } = await declareIncident(engine);
  for (let i = 1; i <= notes; i += 1) await engine.addNote(id, { text: `note ${String(i)}`, actor: ALICE });
  ranges.length = 0;
  return { engine, id, ranges };
}

const seqs = (events: readonly StoredEvent[]): number[] => events.map((event) => event.seq);

describe('engine.timeline', () => {
  it('without options returns the whole timeline, as before', async () => {
    const { engine, id, ranges } = await seeded(4);
    const all = await engine.timeline(id);
    expect(seqs(all)).toEqual([1, 2, 3, 4, 5]);
    expect(all.map((event) => event.type)).toEqual(['DECLARED', 'NOTE_ADDED', 'NOTE_ADDED', 'NOTE_ADDED', 'NOTE_ADDED']);
    expect(await engine.timeline(id, {})).toEqual(all);
    expect(await engine.timeline(id, { actor: ALICE })).toEqual(all);
    expect(ranges).toEqual([undefined, undefined, undefined]);
  });

  it('returns the events after afterSeq, at most limit, and asks the store for just that page', async () => {
    const { engine, id, ranges } = await seeded(9);
    const all = await engine.timeline(id);
    expect(await engine.timeline(id, { afterSeq: 3, limit: 4 })).toEqual(all.slice(3, 7));
    expect(seqs(await engine.timeline(id, { afterSeq: 8 }))).toEqual([9, 10]);
    expect(seqs(await engine.timeline(id, { limit: 2, actor: ALICE }))).toEqual([1, 2]);
    expect(await engine.timeline(id, { afterSeq: 10 })).toEqual([]);
    expect(await engine.timeline(id, { afterSeq: 500, limit: 10 })).toEqual([]);
    expect(ranges.slice(1)).toEqual([{ afterSeq: 3, limit: 4 }, { afterSeq: 8 }, { limit: 2 }, { afterSeq: 10 }, { afterSeq: 500, limit: 10 }]);
  });

  it('pages through a whole timeline by passing the last seq as afterSeq', async () => {
    const { engine, id } = await seeded(11);
    const paged: StoredEvent[] = [];
    let page: readonly StoredEvent[];
    do {
      page = await engine.timeline(id, { afterSeq: paged.at(-1)?.seq ?? 0, limit: 5 });
      paged.push(...page);
    } while (page.length === 5);
    expect(paged).toEqual(await engine.timeline(id));
  });

  it('pages the same on a store that ignores the range (written before ranges existed)', async () => {
    const inner = memoryStore();
    const old: StorageAdapter = { ...inner, events: (tenantId, incidentId) => inner.events(tenantId, incidentId) };
    const { engine, id } = await seeded(9, old);
    const all = await engine.timeline(id);
    expect(seqs(all)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await engine.timeline(id, { afterSeq: 3, limit: 4 })).toEqual(all.slice(3, 7));
    expect(seqs(await engine.timeline(id, { afterSeq: 8 }))).toEqual([9, 10]);
    expect(seqs(await engine.timeline(id, { limit: 3 }))).toEqual([1, 2, 3]);
    expect(await engine.timeline(id, { afterSeq: 10, limit: 3 })).toEqual([]);
  });

  it.each([
    [{ afterSeq: -1 }, 'afterSeq'],
    [{ afterSeq: 1.5 }, 'afterSeq'],
    [{ afterSeq: '3' }, 'afterSeq'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 10_001 }, 'limit'],
    [{ limit: Number.NaN }, 'limit'],
    [{ page: 2 }, ''],
  ])('refuses %o with VALIDATION_FAILED, naming %s', async (options, field) => {
    const { engine, id } = await seeded(1);
    const error = await thrown(() => engine.timeline(id, options as never), 'VALIDATION_FAILED');
    expect(error.details.issues.map((issue) => issue.path.join('.'))).toEqual([field]);
  });
});
