import { compareListOrder, type CursorPosition } from '../cursor.js';
import type { ListQuery } from '../types.js';
import { checkListRange, decodeListCursor } from './listCursor.js';

/** The columns `list` filters on by value. @internal */
export const LIST_FILTERS = ['status', 'severity', 'service'] as const;

/** One of {@link LIST_FILTERS}. @internal */
export type ListFilter = (typeof LIST_FILTERS)[number];

/** How a filter appears in a list statement: absent, one value (`=`), or several (`IN`). @internal */
export type FilterArity = 'none' | 'one' | 'many';

/**
 * What a list statement's SQL depends on; two queries with the same shape run the same prepared
 * statement with different values.
 *
 * @remarks Every filter column has an index `(tenant_id, column, detected_at DESC, id DESC)`, and
 * open / closed incidents have partial indexes on `(tenant_id, detected_at DESC, id DESC)`, so a
 * statement with one value per filter is an ordered index seek that stops after `limit` rows.
 * An `IN` list cannot be read in `detected_at` order from one index range, so when no filter has
 * a single value, the first filter with several (`seek`) is sought once per value, each seek
 * ordered and limited, and the results merged.
 * @internal
 */
export interface ListShape {
  readonly status: FilterArity;
  readonly severity: FilterArity;
  readonly service: FilterArity;
  /** `true`: only open incidents (`is_open`), `false`: only closed ones, `undefined`: both. */
  readonly open: boolean | undefined;
  /** Whether `detectedFrom` is given. */
  readonly from: boolean;
  /** Whether the rows end before a position: a cursor (a next page), `detectedTo`, or both. */
  readonly before: boolean;
  /** The many-valued filter sought one value at a time, when no filter has a single value. */
  readonly seek: ListFilter | undefined;
  /**
   * The index that serves the shape: a filter's (one value, or the seek's value), else the open
   * or closed incidents' partial index, else the whole list's. Each holds exactly the rows its
   * condition selects, in list order, so reading it is never worse than reading a wider one.
   */
  readonly index: ListFilter | 'open' | 'closed' | 'list';
}

/** A list query as a SQL store runs it: its shape and the values to bind. @internal */
export interface ListPlan {
  readonly shape: ListShape;
  /** The filters' values, without repeats. */
  readonly values: Readonly<Record<ListFilter, readonly string[] | undefined>>;
  readonly from: string | undefined;
  /**
   * Where the rows end (exclusive), in list order: the cursor's position or `(detectedTo, '')`,
   * whichever comes first. One row-value bound instead of two keeps it a single range on the index.
   */
  readonly before: CursorPosition | undefined;
  /** Rows to read: the page size plus one, to learn whether another page follows. */
  readonly limit: number;
}

/** Filters in the order an index is chosen from them: the most selective first, as incident data usually goes. */
const SEEK_ORDER: readonly ListFilter[] = ['service', 'severity', 'status'];

function arityOf(values: readonly string[] | undefined): FilterArity {
  if (values === undefined) return 'none';
  return values.length === 1 ? 'one' : 'many';
}

/** The shape of a query with these filters, choosing the seek filter and the index. */
function shapeOf(arity: Readonly<Record<ListFilter, FilterArity>>, rest: Omit<ListShape, ListFilter | 'seek' | 'index'>): ListShape {
  const single = SEEK_ORDER.find((filter) => arity[filter] === 'one');
  const seek = single === undefined ? SEEK_ORDER.find((filter) => arity[filter] === 'many') : undefined;
  const index = single ?? seek ?? (rest.open === undefined ? 'list' : rest.open ? 'open' : 'closed');
  return { status: arity.status, severity: arity.severity, service: arity.service, ...rest, seek, index };
}

/**
 * Plans a list query for a SQL store, or returns `undefined` when it cannot match anything (a
 * filter with no values).
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for a bad cursor or a non-canonical `detectedFrom` / `detectedTo`.
 * @internal
 */
export function planList(query: ListQuery): ListPlan | undefined {
  checkListRange(query);
  const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor);
  const unique = (values: readonly string[] | undefined): readonly string[] | undefined => (values === undefined ? undefined : [...new Set(values)]);
  const values = { status: unique(query.status), severity: unique(query.severity), service: unique(query.service) };
  if (LIST_FILTERS.some((filter) => values[filter]?.length === 0)) return undefined;
  const arity = { status: arityOf(values.status), severity: arityOf(values.severity), service: arityOf(values.service) };
  // detected_at < to  is  (detected_at, id) < (to, ''), as no id sorts before ''.
  const to = query.detectedTo === undefined ? undefined : { detectedAt: query.detectedTo, id: '' };
  // Of two ends, the one later in list order (the smaller position) is the tighter.
  const before = after === undefined || to === undefined ? (after ?? to) : compareListOrder(after, to) < 0 ? to : after;
  return {
    shape: shapeOf(arity, { open: query.open, from: query.detectedFrom !== undefined, before: before !== undefined }),
    values,
    from: query.detectedFrom,
    before,
    limit: query.limit + 1,
  };
}

/** A short string naming a {@link ListShape}, for caching its statement. @internal */
export function listShapeKey(shape: ListShape): string {
  const open = shape.open === undefined ? '-' : shape.open ? 'o' : 'c';
  const flags = `${shape.from ? 'f' : '-'}${shape.before ? 'b' : '-'}`;
  return `${shape.status}.${shape.severity}.${shape.service}.${open}.${flags}.${shape.seek ?? '-'}`;
}

/**
 * Every list shape there is, for tests that check each statement's query plan.
 *
 * @internal
 */
export function allListShapes(): ListShape[] {
  const arities: readonly FilterArity[] = ['none', 'one', 'many'];
  const shapes: ListShape[] = [];
  for (const status of arities) {
    for (const severity of arities) {
      for (const service of arities) {
        for (const open of [undefined, true, false]) {
          for (const from of [false, true]) {
            for (const before of [false, true]) shapes.push(shapeOf({ status, severity, service }, { open, from, before }));
          }
        }
      }
    }
  }
  return shapes;
}
