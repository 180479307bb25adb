/**
 * Context updates for the lifecycle milestones: acknowledge, mitigate, resolve, reopen, review,
 * close and cancel.
 */

import type { LifecycleEvent } from '../events.js';
import { withoutUndefined, type IncidentContext } from '../incidentContext.js';

/**
 * What a reopen clears: the milestones and records of the mitigation, resolution and review
 * that no longer hold. `assign` merges, so the keys are set to `undefined`; projections and
 * persisted snapshots drop `undefined` keys.
 */
const CLEARED_ON_REOPEN = {
  mitigatedAt: undefined,
  resolvedAt: undefined,
  reviewStartedAt: undefined,
  mitigation: undefined,
  resolution: undefined,
  review: undefined,
} as const;

/** Records when the incident was acknowledged. */
export function acknowledge(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return { acknowledgedAt: event.at, updatedAt: event.at };
}

/** Records a `MITIGATE`: when, and the mitigation's summary. */
export function mitigate(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'MITIGATE' ? { mitigatedAt: event.at, mitigation: { summary: event.summary }, updatedAt: event.at } : {};
}

/** Records a `RESOLVE`: when, and the resolution's summary if given. */
export function resolve(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'RESOLVE'
    ? { resolvedAt: event.at, resolution: withoutUndefined({ summary: event.summary }), updatedAt: event.at }
    : {};
}

/** Clears what a reopen undoes (see `CLEARED_ON_REOPEN`) and counts the reopen. */
export function reopen(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return {
    ...(CLEARED_ON_REOPEN as unknown as Partial<IncidentContext>),
    reopenCount: context.reopenCount + 1,
    updatedAt: event.at,
  };
}

/** Records a `START_REVIEW`: when the post-incident review started, and its owner if given. */
export function startReview(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'START_REVIEW'
    ? { reviewStartedAt: event.at, review: withoutUndefined({ owner: event.owner, startedAt: event.at }), updatedAt: event.at }
    : {};
}

/** Records a `COMPLETE_REVIEW`: keeps the first completion time, and takes the new summary if given. */
export function completeReview(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'COMPLETE_REVIEW' && context.review !== undefined
    ? {
        review: withoutUndefined({
          ...context.review,
          completedAt: context.review.completedAt ?? event.at,
          summary: event.summary ?? context.review.summary,
        }),
        updatedAt: event.at,
      }
    : {};
}

/** Records when the incident was closed. */
export function close(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return { closedAt: event.at, updatedAt: event.at };
}

/** Records a `CANCEL`: when, why, and the incident it was merged into if any. */
export function cancel(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'CANCEL'
    ? {
        canceledAt: event.at,
        cancellation: withoutUndefined({ reason: event.reason, mergedInto: event.mergedInto }),
        updatedAt: event.at,
      }
    : {};
}
