/** The custom status label slice: sets the label and keeps it valid in the state entered. */

import type { IncidentStatus } from '../../model/incident.js';
import { reconcileStatusLabel } from '../../model/statusLabels.js';
import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records a `SET_STATUS_LABEL`: the new custom status label. */
export function setStatusLabel(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'SET_STATUS_LABEL' ? { updatedAt: event.at, statusLabel: event.label } : {};
}

/** Keeps the custom status label valid in the state entered: the current one if it applies, else the state's default, else none. */
export function reconcileLabel(context: IncidentContext, params: { readonly status: IncidentStatus }): Partial<IncidentContext> {
  const labels = context.policy.statusLabels;
  if (labels === undefined) return {};
  const label = reconcileStatusLabel(labels, context.statusLabel, params.status);
  // An `undefined` label clears it (projections drop `undefined` keys).
  return label === context.statusLabel ? {} : ({ statusLabel: label } as Partial<IncidentContext>);
}
