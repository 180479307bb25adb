/** The problem slices of an incident: the known error it resembles, the problem proposed for it. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records a `MATCH_KNOWN_ERROR`: the known error's problem and workaround. */
export function matchKnownError(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'MATCH_KNOWN_ERROR') return {};
  const { problemId, title, workaround, incidentId, score, reasons } = event;
  return { updatedAt: event.at, knownError: { problemId, title, workaround, incidentId, score, reasons: [...reasons], matchedAt: event.at } };
}

/** Records a `PROPOSE_PROBLEM`: the similar earlier incidents a problem would cover. */
export function proposeProblem(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'PROPOSE_PROBLEM') return {};
  return { updatedAt: event.at, problemProposal: { similar: [...event.similar], windowDays: event.windowDays, proposedAt: event.at } };
}
