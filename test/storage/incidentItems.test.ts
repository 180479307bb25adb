/**
 * The item rows both SQL stores write and read (`src/storage/sql/incidentItems.ts`): which rows a
 * commit writes given the projection the store remembers, and how the stored JSON leaves the row
 * collections out and a read puts them back.
 */
import { describe, expect, it } from 'vitest';
import type { ActionItem, Incident } from '../../src/model/incident.js';
import type { PersistedIncidentSnapshot } from '../../src/model/snapshot.js';
import { itemWrites, storedJson, storedWithItems, type StoredItem } from '../../src/storage/sql/incidentItems.js';
import { isIncidentKitError } from '../../src/errors.js';
import { thrown } from '../helpers.js';

const item = (id: string, status: ActionItem['status'] = 'open'): ActionItem => ({
  id,
  title: `Follow-up ${id}`,
  status,
  createdAt: '2026-05-01T09:00:00.000Z',
  updatedAt: '2026-05-01T09:00:00.000Z',
});
const incidentWith = (actionItems: readonly ActionItem[]): Incident => ({ id: 'inc_1', title: 'Outage', actionItems, tasks: [] }) as unknown as Incident;
const NO_TASKS = { kind: 'rewrite', collection: 'tasks', items: [] } as const;
const row = (value: ActionItem) => ({ key: value.id, body: JSON.stringify(value) });

describe('itemWrites', () => {
  const [a, b, c, d] = [item('a'), item('b'), item('c'), item('d')];
  const before = incidentWith([a, b, c]);

  it('writes nothing when the projection holds the very array it held', () => {
    expect(itemWrites('test', before, incidentWith(before.actionItems))).toEqual([]);
    expect(itemWrites('test', before, incidentWith([a, b, c]))).toEqual([]);
  });

  it('patches the items changed in place, appended or removed, by reference', () => {
    const doneB = item('b', 'done');
    expect(itemWrites('test', before, incidentWith([a, doneB, c, d]))).toEqual([
      { kind: 'patch', collection: 'actionItems', added: [row(d)], changed: [row(doneB)], removed: [] },
    ]);
    expect(itemWrites('test', before, incidentWith([a, c]))).toEqual([{ kind: 'patch', collection: 'actionItems', added: [], changed: [], removed: ['b'] }]);
    expect(itemWrites('test', before, incidentWith([b, c, d]))).toEqual([{ kind: 'patch', collection: 'actionItems', added: [row(d)], changed: [], removed: ['a'] }]);
  });

  it('rewrites the collection when items move, or one is inserted before an item that stays, or the store knows nothing', () => {
    const rewrite = (items: readonly ActionItem[]) => [{ kind: 'rewrite', collection: 'actionItems', items: items.map(row) }];
    expect(itemWrites('test', before, incidentWith([c, b, a]))).toEqual(rewrite([c, b, a]));
    expect(itemWrites('test', before, incidentWith([a, d, c]))).toEqual(rewrite([a, d, c]));
    expect(itemWrites('test', undefined, before)).toEqual([...rewrite([a, b, c]), NO_TASKS]);
    expect(itemWrites('test', undefined, incidentWith([]))).toEqual([...rewrite([]), NO_TASKS]);
  });

  it('refuses an item without a string key, and a repeated key among the items it rewrites', () => {
    const keyless = { ...a, id: 7 } as unknown as ActionItem;
    for (const run of [() => itemWrites('test', before, incidentWith([a, b, c, keyless])), () => itemWrites('test', undefined, incidentWith([keyless]))]) {
      const error = thrown(run);
      expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.message).toMatch(/incident\.actionItems\[\d\]\.id must be a non-empty string/);
    }
    const error = thrown(() => itemWrites('test', undefined, incidentWith([a, b, { ...a, title: 'again' }])));
    expect(isIncidentKitError(error, 'ADAPTER_FAILED') && error.message).toMatch(/incident\.actionItems\[2\]\.id 'a' appears twice/);
  });
});

describe('storedJson and storedWithItems', () => {
  const items = [item('a'), item('b', 'done')];
  const rows: StoredItem[] = items.map((value) => ['actionItems', value]);
  const incident = incidentWith(items);
  const snapshot = { value: 'closed', context: { title: 'Outage', actionItems: items, tasks: incident.tasks } } as unknown as PersistedIncidentSnapshot;

  it('leaves the row collections out of the projection and the context, and a read puts one array back into both', () => {
    const json = storedJson(incident, snapshot);
    expect(JSON.parse(json.incident)).toEqual({ id: 'inc_1', title: 'Outage' });
    expect(JSON.parse(json.snapshot)).toEqual({ value: 'closed', context: { title: 'Outage' } });
    const read = storedWithItems(JSON.parse(json.incident) as Incident, JSON.parse(json.snapshot) as PersistedIncidentSnapshot, rows);
    expect(read).toEqual({ incident, snapshot });
    expect(read.snapshot.context.actionItems).toBe(read.incident.actionItems);
    // Equal copies count as the same collection.
    expect(storedJson(incident, { ...snapshot, context: { ...snapshot.context, actionItems: structuredClone(items) } })).toEqual(json);
  });

  it('keeps the context\'s own copy when it differs from the projection\'s', () => {
    const differing = { ...snapshot, context: { ...snapshot.context, actionItems: [items[0]] } } as unknown as PersistedIncidentSnapshot;
    const json = storedJson(incident, differing);
    // Only the differing collection is kept in the stored context; tasks come back from the rows.
    const { tasks: _tasks, ...storedContext } = differing.context;
    expect(JSON.parse(json.snapshot)).toEqual({ ...differing, context: storedContext });
    const read = storedWithItems(JSON.parse(json.incident) as Incident, JSON.parse(json.snapshot) as PersistedIncidentSnapshot, rows);
    expect(read).toEqual({ incident, snapshot: differing });
  });
});
