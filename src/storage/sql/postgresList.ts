/**
 * The PostgreSQL store's list statements: one per {@link ListShape}, so each filter the query has
 * is in the SQL (a bound `$n IS NULL OR …` would hide from the planner which index applies) and
 * the open filter is a literal that the partial indexes match (see `ListShape`).
 */
import { LIST_FILTERS, type ListPlan } from './listPlan.js';
import { queryAssembler, type PreparedQuery, type QueryPart } from './postgresQuery.js';
import { countersColumn, itemsColumn } from './postgresStatements.js';

/** The conditions of a list plan on the incidents table `alias`, and their values; the seek filter is compared with `seekValue`. */
function conditionParts(alias: string, plan: ListPlan, seekValue: string): QueryPart[] {
  const { shape } = plan;
  const parts: QueryPart[] = [];
  for (const filter of LIST_FILTERS) {
    const values = plan.values[filter] ?? [];
    if (shape.seek === filter) parts.push({ key: `${filter}=seek`, values: [], sql: () => `${alias}.${filter} = ${seekValue}` });
    else if (shape[filter] === 'one') parts.push({ key: `${filter}=`, values: [values[0]], sql: (p) => `${alias}.${filter} = ${p(0)}::text` });
    else if (shape[filter] === 'many') parts.push({ key: `${filter}@`, values: [values], sql: (p) => `${alias}.${filter} = ANY(${p(0)}::text[])` });
  }
  if (shape.open !== undefined) {
    parts.push({ key: shape.open ? 'open' : 'closed', values: [], sql: () => `${shape.open === true ? '' : 'NOT '}${alias}.is_open` });
  }
  if (shape.from) parts.push({ key: 'from', values: [plan.from], sql: (p) => `${alias}.detected_at >= ${p(0)}::timestamptz` });
  if (shape.before) {
    parts.push({
      key: 'before',
      values: [plan.before?.detectedAt, plan.before?.id],
      sql: (p) => `(${alias}.detected_at, ${alias}.id) < (${p(0)}::timestamptz, ${p(1)}::text)`,
    });
  }
  return parts;
}

/**
 * The list statements of schema `s` (already quoted). `$1` is the tenant; the page size (plus
 * one) and, for a seek, the seek filter's values come last.
 *
 * @remarks A shape with a `seek` filter (several values, and no filter with one) reads each
 * value's index range on its own (`CROSS JOIN LATERAL`, ordered and limited), then keeps the first
 * rows of all of them: an `= ANY(…)` could only be read in order by filtering the whole list.
 * @internal
 */
export function postgresLists(s: string): (tenantId: string, plan: ListPlan) => PreparedQuery {
  const incidents = `${s}.incidentkit_incidents`;
  const order = (alias: string): string => `ORDER BY ${alias}.detected_at DESC, ${alias}.id DESC`;
  const where = (sql: readonly string[]): string => ['i.tenant_id = $1', ...sql].join(' AND ');
  const plain = queryAssembler((sql) => {
    const limit = sql.at(-1) ?? '';
    return `SELECT i.incident::text AS incident, ${countersColumn(s, 'i')}, ${itemsColumn(s, 'i')} AS items
      FROM ${incidents} i WHERE ${where(sql.slice(0, -1))} ${order('i')} LIMIT ${limit}`;
  });
  const sought = queryAssembler((sql) => {
    const [values = '', limit = ''] = sql.slice(-2);
    return `SELECT i.incident::text AS incident, ${countersColumn(s, 'i')}, ${itemsColumn(s, 'i')} AS items
      FROM (
        SELECT page.tenant_id, page.id, page.detected_at
        FROM unnest(${values}::text[]) AS v(value)
          CROSS JOIN LATERAL (SELECT i.tenant_id, i.id, i.detected_at FROM ${incidents} i WHERE ${where(sql.slice(0, -2))} ${order('i')} LIMIT ${limit}) page
        ${order('page')} LIMIT ${limit}
      ) top
      JOIN ${incidents} i ON i.tenant_id = top.tenant_id AND i.id = top.id
      ${order('top')}`;
  });
  return (tenantId, plan) => {
    const { shape } = plan;
    const parts = conditionParts('i', plan, 'v.value');
    const limit: QueryPart = { key: 'limit', values: [plan.limit], sql: (p) => `${p(0)}::integer` };
    if (shape.seek === undefined) return plain([tenantId], [...parts, limit]);
    const values: QueryPart = { key: 'values', values: [plan.values[shape.seek]], sql: (p) => p(0) };
    return sought([tenantId], [...parts, values, limit]);
  };
}
