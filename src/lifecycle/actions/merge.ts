/**
 * The merge slice: an incident merged into another (`MERGE_INTO`, on the merged one) and the one
 * it was merged into (`MERGE_FROM`), and both undone (`UNMERGE`, `UNMERGE_FROM`).
 *
 * @remarks The events carry the alert window and counts they lead to: the alert rows move in the
 * store, in the same atomic write as both incidents' events, and the machine sees only the newest
 * alerts, so the engine computes the window from the rows and the event records it (replay takes it
 * as is, however many alerts moved).
 */

import type { IncidentLink, IncidentLinkKind } from '../../model/incident.js';
import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';
import { alertCountsOf } from './alerts.js';

/** The context's links without the `kind` link to `to`. */
function withoutLink(context: IncidentContext, kind: IncidentLinkKind, to: string): readonly IncidentLink[] {
  return (context.links ?? []).filter((link) => !(link.kind === kind && link.incidentId === to));
}

/** Records a `MERGE_INTO`: canceled as a duplicate of the other incident, linked to it, without alerts (they moved). */
export function mergeInto(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'MERGE_INTO') return {};
  return {
    canceledAt: event.at,
    cancellation: { reason: 'duplicate', mergedInto: event.into, previousStatus: event.previousStatus },
    links: [...(context.links ?? []), { kind: 'mergedInto', incidentId: event.into, at: event.at }],
    alerts: [],
    alertCount: 0,
    unresolvedAlertCount: 0,
    updatedAt: event.at,
  };
}

/** Records a `MERGE_FROM`: linked to the merged incident, its alerts counted and the window as the event says. */
export function mergeFrom(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'MERGE_FROM') return {};
  const counts = alertCountsOf(context);
  return {
    links: [...(context.links ?? []), { kind: 'mergedFrom', incidentId: event.from, at: event.at }],
    alerts: event.alerts,
    alertCount: counts.alertCount + event.alertCount,
    unresolvedAlertCount: counts.unresolvedAlertCount + event.unresolvedAlertCount,
    updatedAt: event.at,
  };
}

/**
 * Records an `UNMERGE`: no longer canceled (the machine returns it to the state it was merged
 * from), unlinked, with its alerts back. `assign` merges, so cleared keys are set to `undefined`.
 */
export function unmerge(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'UNMERGE') return {};
  return {
    ...({ canceledAt: undefined, cancellation: undefined } as unknown as Partial<IncidentContext>),
    links: withoutLink(context, 'mergedInto', event.from),
    alerts: event.alerts,
    alertCount: event.alertCount,
    unresolvedAlertCount: event.unresolvedAlertCount,
    updatedAt: event.at,
  };
}

/** Records an `UNMERGE_FROM`: unlinked from the incident that left, without the alerts that went back with it. */
export function unmergeFrom(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'UNMERGE_FROM') return {};
  const counts = alertCountsOf(context);
  return {
    links: withoutLink(context, 'mergedFrom', event.from),
    alerts: event.alerts,
    alertCount: counts.alertCount - event.alertCount,
    unresolvedAlertCount: counts.unresolvedAlertCount - event.unresolvedAlertCount,
    updatedAt: event.at,
  };
}
