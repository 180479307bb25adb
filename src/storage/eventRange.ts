import { ValidationError } from '../errors.js';
import type { EventRange } from './types.js';

/** An {@link EventRange} with its defaults filled in; `limit` is absent for "all". @internal */
export interface CheckedEventRange {
  readonly afterSeq: number;
  readonly limit?: number;
}

/**
 * Checks the range a store was asked for and fills in its defaults.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `afterSeq` is not a whole number ≥ 0 or `limit` not one ≥ 1.
 * @internal
 */
export function checkEventRange(range: EventRange | undefined): CheckedEventRange {
  const afterSeq = range?.afterSeq ?? 0;
  const limit = range?.limit;
  const issues = [
    ...(Number.isSafeInteger(afterSeq) && afterSeq >= 0 ? [] : [{ code: 'custom', path: ['afterSeq'], message: 'Must be a whole number, 0 or more' }]),
    ...(limit === undefined || (Number.isSafeInteger(limit) && limit >= 1) ? [] : [{ code: 'custom', path: ['limit'], message: 'Must be a whole number, 1 or more' }]),
  ];
  if (issues.length > 0) throw new ValidationError('events', issues);
  return limit === undefined ? { afterSeq } : { afterSeq, limit };
}
