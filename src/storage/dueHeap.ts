/**
 * A binary min-heap whose items can also be removed from the middle: the memory store's queue of
 * pending timers and outbox messages, ordered by due time.
 *
 * @internal
 */
export interface DueHeap<T> {
  readonly size: number;
  /** Adds `item`; an item already in the heap is moved to its new place (after its key changed). */
  push(item: T): void;
  /** Removes `item` if it is in the heap; returns whether it was. */
  remove(item: T): boolean;
  /** The smallest item, left in place. */
  peek(): T | undefined;
  /** Removes and returns the smallest item. */
  pop(): T | undefined;
}

/**
 * Creates an empty {@link DueHeap} ordered by `before` (`true` when `a` comes first). Push, pop
 * and remove cost `O(log n)`; positions are kept in a map, so items must be distinct objects.
 *
 * @internal
 */
export function createDueHeap<T>(before: (a: T, b: T) => boolean): DueHeap<T> {
  const items: T[] = [];
  const positions = new Map<T, number>();

  function place(item: T, at: number): void {
    items[at] = item;
    positions.set(item, at);
  }

  /** Moves the item at `at` up while it comes before its parent; returns where it stopped. */
  function up(at: number): number {
    const item = items[at] as T;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as T;
      if (!before(item, above)) break;
      place(above, i);
      i = parent;
    }
    place(item, i);
    return i;
  }

  function down(at: number): void {
    const item = items[at] as T;
    let i = at;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right] as T, items[left] as T) ? right : left;
      const below = items[child] as T;
      if (!before(below, item)) break;
      place(below, i);
      i = child;
    }
    place(item, i);
  }

  /** Puts the item at `at` where it belongs after it changed or was moved there. */
  function fix(at: number): void {
    if (up(at) === at) down(at);
  }

  function removeAt(at: number): T {
    const item = items[at] as T;
    positions.delete(item);
    const last = items.pop() as T;
    if (at < items.length) {
      place(last, at);
      fix(at);
    }
    return item;
  }

  return {
    get size() {
      return items.length;
    },
    push(item) {
      const at = positions.get(item);
      if (at !== undefined) {
        fix(at);
        return;
      }
      items.push(item);
      up(items.length - 1);
    },
    remove(item) {
      const at = positions.get(item);
      if (at === undefined) return false;
      removeAt(at);
      return true;
    },
    peek: () => items[0],
    pop: () => (items.length === 0 ? undefined : removeAt(0)),
  };
}
