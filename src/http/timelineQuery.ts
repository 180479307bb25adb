import { ValidationError, type ValidationIssue } from '../errors.js';

const PARAMETERS = new Set(['afterSeq', 'limit']);

/**
 * The query of `GET /incidents/:id/timeline?afterSeq=&limit=` as `engine.timeline` options; the
 * engine checks their ranges.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for an unknown or repeated parameter, or one that is not a whole number.
 * @internal
 */
export function timelineQuery(params: URLSearchParams): { afterSeq?: number; limit?: number } {
  const query: { afterSeq?: number; limit?: number } = {};
  const issues: ValidationIssue[] = [];
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    const value = values[0] ?? '';
    if (!PARAMETERS.has(name)) {
      issues.push({ code: 'unrecognized_keys', path: [name], message: 'Unknown query parameter; use afterSeq or limit' });
    } else if (values.length > 1) {
      issues.push({ code: 'custom', path: [name], message: 'Give this query parameter once' });
    } else if (!/^\d{1,16}$/.test(value)) {
      issues.push({ code: 'invalid_type', path: [name], message: 'Must be a whole number' });
    } else {
      query[name as 'afterSeq' | 'limit'] = Number(value);
    }
  }
  if (issues.length > 0) throw new ValidationError('timeline', issues);
  return query;
}
