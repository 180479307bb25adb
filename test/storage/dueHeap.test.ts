import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDueHeap } from '../../src/storage/dueHeap.js';

interface Item {
  due: number;
  id: number;
}

const before = (a: Item, b: Item): boolean => (a.due !== b.due ? a.due < b.due : a.id < b.id);
const order = (a: Item, b: Item): number => (before(a, b) ? -1 : before(b, a) ? 1 : 0);

describe('createDueHeap', () => {
  it('pops in order, whatever was pushed, moved and removed before', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), due: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), due: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const heap = createDueHeap(before);
        const model: Item[] = [];
        let next = 0;
        for (const op of operations) {
          if (op.kind === 'push') {
            const item = { due: op.due, id: (next += 1) };
            heap.push(item);
            model.push(item);
          } else if (op.kind === 'pop') {
            model.sort(order);
            expect(heap.pop()).toBe(model.shift());
          } else if (model.length > 0) {
            const item = model[op.pick % model.length]!;
            if (op.kind === 'move') {
              item.due = op.due;
              heap.push(item);
            } else {
              expect(heap.remove(item)).toBe(true);
              expect(heap.remove(item)).toBe(false);
              model.splice(model.indexOf(item), 1);
            }
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe([...model].sort(order)[0]);
        }
        const drained: Item[] = [];
        for (let item = heap.pop(); item !== undefined; item = heap.pop()) drained.push(item);
        expect(drained).toEqual(model.sort(order));
      }),
    );
  });
});
