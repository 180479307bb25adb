/** Context updates for the investigation: hypotheses, evidence and milestone corrections. */

import type { Hypothesis } from '../../model/investigation.js';
import type { LifecycleEvent } from '../events.js';
import { withoutUndefined, type IncidentContext } from '../incidentContext.js';

/** Records an `ADD_HYPOTHESIS`: a new, open hypothesis. */
export function addHypothesis(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'ADD_HYPOTHESIS') return {};
  const hypothesis: Hypothesis = {
    id: event.hypothesisId,
    statement: event.statement,
    status: 'open',
    createdAt: event.at,
    createdBy: event.actor,
    updatedAt: event.at,
    updatedBy: event.actor,
  };
  return { updatedAt: event.at, hypotheses: [...(context.hypotheses ?? []), hypothesis] };
}

/** Records an `UPDATE_HYPOTHESIS`: its new status, and the evidence and note of this update (replacing the last update's). */
export function updateHypothesis(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'UPDATE_HYPOTHESIS') return {};
  return {
    updatedAt: event.at,
    hypotheses: (context.hypotheses ?? []).map((h) => {
      if (h.id !== event.hypothesisId) return h;
      const { evidence: _evidence, note: _note, ...rest } = h;
      return withoutUndefined({
        ...rest,
        status: event.status,
        evidence: event.evidence === undefined ? undefined : [...event.evidence],
        note: event.note,
        updatedAt: event.at,
        updatedBy: event.actor,
      });
    }),
  };
}

/** Records an `ADD_EVIDENCE`: appended to the incident's evidence. */
export function addEvidence(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'ADD_EVIDENCE') return {};
  const evidence = withoutUndefined({
    id: event.evidenceId,
    kind: event.kind,
    uri: event.uri,
    sha256: event.sha256,
    note: event.note,
    addedAt: event.at,
    addedBy: event.actor,
  });
  return { updatedAt: event.at, evidence: [...(context.evidence ?? []), evidence] };
}

/** Records a `CORRECT_MILESTONE`: the milestone's new time. */
export function correctMilestone(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'CORRECT_MILESTONE') return {};
  return { updatedAt: event.at, [event.milestone]: event.to };
}
