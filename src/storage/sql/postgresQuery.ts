import { statementName } from './postgresStatements.js';

/** A statement ready for `pool.query`: its prepared-statement name, text and values. @internal */
export interface PreparedQuery {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

/**
 * A piece of a statement: `key` names its SQL, `sql` writes it given the placeholder of each of
 * its own values (`p(0)`, `p(1)`, …), and `values` are those values. `$1` and `$2` are shared by
 * every part (the tenant and, for commits, the incident).
 *
 * @internal
 */
export interface QueryPart {
  readonly key: string;
  readonly values: readonly unknown[];
  readonly sql: (p: (i: number) => string) => string;
}

/**
 * Builds statements out of parts, writing the SQL of each combination of part keys once: the
 * text (and so the prepared statement) depends only on the keys, the values are bound.
 *
 * @param render - Joins the parts' SQL into the statement (it may read the parts' keys and any
 *   other field of their type, never their values).
 * @internal
 */
export function queryAssembler<P extends QueryPart>(render: (sql: readonly string[], parts: readonly P[]) => string) {
  const statements = new Map<string, { readonly name: string; readonly text: string }>();
  return (shared: readonly unknown[], parts: readonly P[]): PreparedQuery => {
    const key = parts.map((part) => part.key).join('|');
    let statement = statements.get(key);
    if (statement === undefined) {
      let next = shared.length + 1;
      const sql = parts.map((part) => {
        const first = next;
        next += part.values.length;
        return part.sql((i) => `$${String(first + i)}`);
      });
      const text = render(sql, parts);
      statement = { name: statementName(text), text };
      statements.set(key, statement);
    }
    const values: unknown[] = [...shared];
    for (const part of parts) for (const value of part.values) values.push(value);
    return { name: statement.name, text: statement.text, values };
  };
}
