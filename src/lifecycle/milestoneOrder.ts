/** The order milestones keep, and why a correction would break it (shared by the machine's guard and the engine's errors). */

import type { CorrectableMilestone } from '../model/investigation.js';
import type { IncidentContext } from './incidentContext.js';

/** The milestones in the order they must keep (each present one no earlier than the one before). */
const CHAIN = ['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'resolvedAt', 'reviewStartedAt'] as const satisfies readonly CorrectableMilestone[];

/** How the order reads in an error message. */
const ORDER_TEXT = 'startedAt ≤ detectedAt ≤ acknowledgedAt ≤ mitigatedAt ≤ resolvedAt ≤ reviewStartedAt, and diagnosedAt no earlier than detectedAt';

/**
 * Why setting `milestone` to `to` at time `at` would be refused, or `undefined` when it keeps the
 * milestones chronological: the milestone must have happened, differ from `to`, not lie after
 * `at` (the correction's own time), and stay between its present neighbours.
 *
 * @internal
 */
export function milestoneCorrectionProblem(
  context: Pick<IncidentContext, CorrectableMilestone>,
  milestone: CorrectableMilestone,
  to: string,
  at: string,
): string | undefined {
  const current = context[milestone];
  if (current === undefined) return `it has no ${milestone} to correct yet; it is set when that milestone happens.`;
  const toMs = Date.parse(to);
  if (toMs === Date.parse(current)) return `its ${milestone} is ${current} already.`;
  if (toMs > Date.parse(at)) return `${milestone} ${to} would lie in the future (it is ${at} now).`;
  const check = (other: CorrectableMilestone, before: boolean): string | undefined => {
    const value = context[other];
    if (value === undefined) return undefined;
    const broken = before ? toMs < Date.parse(value) : toMs > Date.parse(value);
    return broken ? `${milestone} ${to} would come ${before ? 'before' : 'after'} ${other} ${value}; milestones stay in order (${ORDER_TEXT}).` : undefined;
  };
  if (milestone === 'diagnosedAt') return check('detectedAt', true);
  const index = CHAIN.indexOf(milestone);
  // The nearest milestone before and after that has happened.
  const before = CHAIN.slice(0, index).reverse().find((other) => context[other] !== undefined);
  const after = CHAIN.slice(index + 1).find((other) => context[other] !== undefined);
  return (
    (before === undefined ? undefined : check(before, true)) ??
    (after === undefined ? undefined : check(after, false)) ??
    // A diagnosis must not come before detection.
    (milestone === 'detectedAt' ? check('diagnosedAt', false) : undefined)
  );
}
