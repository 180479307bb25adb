/**
 * The collections of an incident that SQL stores keep as rows of `<prefix>incident_items`
 * instead of inside the projection and snapshot JSON: what a commit writes of them, and how a read
 * puts them back.
 */
import { AdapterError } from '../../errors.js';
import type { Incident } from '../../model/incident.js';
import type { PersistedIncidentSnapshot } from '../../model/snapshot.js';

/**
 * The collections stored as rows, each with the property that keys its items. A collection
 * that grows during an incident (tasks, hypotheses, …) is one more entry here; nothing else in
 * the stores names them.
 *
 * @internal
 */
export const ROW_COLLECTIONS = [{ name: 'actionItems', key: 'id' }, { name: 'tasks', key: 'id' }] as const satisfies readonly { readonly name: keyof Incident; readonly key: string }[];

/** The name of a row collection: a property of the projection (and of the snapshot's context). @internal */
export type RowCollection = (typeof ROW_COLLECTIONS)[number]['name'];

type Item = Readonly<Record<string, unknown>>;

/** One item row to write: its key and its JSON. @internal */
export interface ItemRow {
  readonly key: string;
  readonly body: string;
}

/**
 * What a commit writes of one collection.
 *
 * - `patch`: the stored rows are the collection as it was at the commit's expected version;
 *   `added` go after its last item (in order), `changed` replace their row in place, `removed`
 *   are deleted. Only those rows are written.
 * - `rewrite`: the stored rows are unknown (or the order changed); `items` is the whole collection
 *   in order (each row moves after every stored one, in this order) and every other row of the
 *   collection is deleted.
 *
 * @internal
 */
export type CollectionWrite =
  | { readonly kind: 'patch'; readonly collection: RowCollection; readonly added: readonly ItemRow[]; readonly changed: readonly ItemRow[]; readonly removed: readonly string[] }
  | { readonly kind: 'rewrite'; readonly collection: RowCollection; readonly items: readonly ItemRow[] };

type CollectionPatch = Extract<CollectionWrite, { readonly kind: 'patch' }>;

function refuse(adapter: string, message: string): never {
  throw new AdapterError({ adapter, operation: 'commit' }, message);
}

/** The key of `item` in `collection`, refused unless it is a non-empty string. */
function keyOf(adapter: string, collection: (typeof ROW_COLLECTIONS)[number], item: unknown, index: number): string {
  const key = typeof item === 'object' && item !== null ? (item as Item)[collection.key] : undefined;
  if (typeof key !== 'string' || key === '') refuse(adapter, `incident.${collection.name}[${String(index)}].${collection.key} must be a non-empty string.`);
  return key;
}

const rowOf = (key: string, item: unknown): ItemRow => ({ key, body: JSON.stringify(item) });

function itemsOf(incident: Incident, name: RowCollection): readonly Item[] {
  const items = (incident as unknown as Record<string, unknown>)[name];
  return Array.isArray(items) ? (items as Item[]) : [];
}

/** Every item as a row, in order; refuses an item whose key another one already has. */
function rewriteOf(adapter: string, collection: (typeof ROW_COLLECTIONS)[number], items: readonly Item[]): CollectionWrite {
  const seen = new Set<string>();
  const rows = items.map((item, i) => {
    const key = keyOf(adapter, collection, item, i);
    if (seen.has(key)) refuse(adapter, `incident.${collection.name}[${String(i)}].${collection.key} '${key}' appears twice; keys must be unique.`);
    seen.add(key);
    return rowOf(key, item);
  });
  return { kind: 'rewrite', collection: collection.name, items: rows };
}

/**
 * The item rows a commit writes: for each row collection, nothing when the projection holds the
 * very array `previous` held (the engine shares unchanged values between projections), a
 * {@link CollectionWrite} `patch` of the items added, changed (by reference) or removed when the
 * surviving items kept their order and new ones came last, else a `rewrite`. Without `previous`
 * (the store does not know what is stored) every collection is rewritten.
 *
 * @param previous - The projection stored at the commit's expected version, when the store knows it.
 * @throws AdapterError (`ADAPTER_FAILED`) when an item has no string key, or a key appears twice
 *   among the items a commit adds (the database refuses a repeat of a stored key).
 * @internal
 */
export function itemWrites(adapter: string, previous: Incident | undefined, next: Incident): CollectionWrite[] {
  const writes: CollectionWrite[] = [];
  for (const collection of ROW_COLLECTIONS) {
    const after = itemsOf(next, collection.name);
    if (previous === undefined) {
      writes.push(rewriteOf(adapter, collection, after));
      continue;
    }
    const before = itemsOf(previous, collection.name);
    if (before === after) continue;
    const patch = patchOf(adapter, collection, before, after);
    if (patch === undefined) writes.push(rewriteOf(adapter, collection, after));
    else if (patch.added.length + patch.changed.length + patch.removed.length > 0) writes.push(patch);
  }
  return writes;
}

/**
 * The patch from `before` to `after`, or `undefined` when the surviving items changed order or an
 * item was inserted before a surviving one (then positions must be rewritten).
 */
function patchOf(adapter: string, collection: (typeof ROW_COLLECTIONS)[number], before: readonly Item[], after: readonly Item[]): CollectionPatch | undefined {
  const changed: ItemRow[] = [];
  // The common cases in one pass of reference checks: items updated in place, new ones appended.
  let i = 0;
  for (const end = Math.min(before.length, after.length); i < end; i += 1) {
    const old = before[i];
    const item = after[i];
    if (old === item) continue;
    const key = keyOf(adapter, collection, item, i);
    if (keyOf(adapter, collection, old, i) !== key) break;
    changed.push(rowOf(key, item));
  }
  if (i === before.length) {
    // New keys are inserted without ON CONFLICT, so a repeat of a stored key fails the commit.
    const added = after.slice(i).map((item, j) => rowOf(keyOf(adapter, collection, item, i + j), item));
    return { kind: 'patch', collection: collection.name, added, changed, removed: [] };
  }
  // Something was removed (or moved): match the rest by key.
  const rest = new Map<string, { item: Item; index: number }>();
  before.slice(i).forEach((item, j) => rest.set(keyOf(adapter, collection, item, i + j), { item, index: i + j }));
  const added: ItemRow[] = [];
  let lastKept = -1;
  for (const [j, item] of after.slice(i).entries()) {
    const key = keyOf(adapter, collection, item, i + j);
    const old = rest.get(key);
    if (old === undefined) {
      added.push(rowOf(key, item));
      continue;
    }
    // A surviving item after a new one, or out of its old order: positions must change.
    if (added.length > 0 || old.index < lastKept) return undefined;
    lastKept = old.index;
    rest.delete(key);
    if (old.item !== item) changed.push(rowOf(key, item));
  }
  return { kind: 'patch', collection: collection.name, added, changed, removed: [...rest.keys()] };
}

/** `value` without the row collections (a shallow copy; the same object when it has none). */
function withoutCollections<T extends object>(value: T): T {
  if (!ROW_COLLECTIONS.some((c) => c.name in value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!ROW_COLLECTIONS.some((c) => c.name === key)) copy[key] = (value as Record<string, unknown>)[key];
  }
  return copy as T;
}

/**
 * The projection and snapshot of a commit as a SQL store writes them, as JSON text: without the
 * row collections, which are rows of their own. The snapshot's context keeps its own copy of a
 * collection only when it differs from the projection's (never, from the engine: the projection
 * is built from the context and shares its arrays), so a read restores it exactly.
 *
 * @internal
 */
export function storedJson(incident: Incident, snapshot: PersistedIncidentSnapshot): { readonly incident: string; readonly snapshot: string } {
  const context = snapshot.context as unknown as Record<string, unknown>;
  const differs = ROW_COLLECTIONS.filter(({ name }) => {
    const own = context[name];
    const projected = (incident as unknown as Record<string, unknown>)[name];
    return own !== projected && JSON.stringify(own) !== JSON.stringify(projected);
  });
  let storedContext = withoutCollections(context);
  if (differs.length > 0) {
    storedContext = { ...storedContext };
    for (const { name } of differs) storedContext[name] = context[name];
  }
  return {
    incident: JSON.stringify(withoutCollections(incident)),
    snapshot: JSON.stringify(storedContext === context ? snapshot : { ...snapshot, context: storedContext }),
  };
}

/** A stored item as read: its collection and the item, in position order within the collection. @internal */
export type StoredItem = readonly [collection: string, item: unknown];

/** The row collections of an incident from its item rows, each in position order. */
function collectionsOf(items: Iterable<StoredItem>): Map<string, unknown[]> {
  const collections = new Map<string, unknown[]>(ROW_COLLECTIONS.map(({ name }) => [name, []]));
  for (const [collection, item] of items) collections.get(collection)?.push(item);
  return collections;
}

/**
 * Puts the row collections back into a projection parsed from its stored JSON: `items` are the
 * incident's item rows, ordered by position within each collection.
 *
 * @internal
 */
export function incidentWithItems(incident: Incident, items: Iterable<StoredItem>): Incident {
  const restored: Record<string, unknown> = { ...incident };
  for (const [name, list] of collectionsOf(items)) restored[name] = list;
  return restored as unknown as Incident;
}

/**
 * Puts the row collections back into a projection and snapshot parsed from their stored JSON
 * (see {@link incidentWithItems}). The projection and the snapshot's context share each
 * collection's array, as the engine's do, unless the stored context kept its own copy.
 *
 * @internal
 */
export function storedWithItems(
  incident: Incident,
  snapshot: PersistedIncidentSnapshot,
  items: Iterable<StoredItem>,
): { incident: Incident; snapshot: PersistedIncidentSnapshot } {
  const restored: Record<string, unknown> = { ...incident };
  const context: Record<string, unknown> = { ...snapshot.context };
  for (const [name, list] of collectionsOf(items)) {
    restored[name] = list;
    if (!(name in context)) context[name] = list;
  }
  return { incident: restored as unknown as Incident, snapshot: { ...snapshot, context: context as unknown as PersistedIncidentSnapshot['context'] } };
}
