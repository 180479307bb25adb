/** The query parameters of `GET /incidents/:id/alerts`. */
import { ValidationError, type ValidationIssue } from '../errors.js';

/**
 * `engine.alerts` options from the query of `GET /incidents/:id/alerts`: `limit` (a whole
 * number) and `cursor`, each at most once; the engine validates their values.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for an unknown or repeated parameter, or a `limit` that is not a whole number.
 * @internal
 */
export function alertsQuery(params: URLSearchParams): { limit?: number; cursor?: string } {
  const query: { limit?: number; cursor?: string } = {};
  const issues: ValidationIssue[] = [];
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    const value = values[0] ?? '';
    if (name !== 'limit' && name !== 'cursor') {
      issues.push({ code: 'unrecognized_keys', path: [name], message: 'Unknown query parameter; use limit or cursor' });
    } else if (values.length > 1) {
      issues.push({ code: 'custom', path: [name], message: 'Give this query parameter once' });
    } else if (name === 'cursor') {
      query.cursor = value;
    } else if (/^\d{1,6}$/.test(value)) {
      query.limit = Number(value);
    } else {
      issues.push({ code: 'invalid_type', path: [name], message: 'Must be a whole number' });
    }
  }
  if (issues.length > 0) throw new ValidationError('alerts', issues);
  return query;
}
