/**
 * Context updates for the facts recorded in any open state: activity, roles, severity and the
 * root cause.
 */

import type { LifecycleEvent } from '../events.js';
import { withoutUndefined, type IncidentContext } from '../incidentContext.js';

/** Records activity (a note, an update, a reminder): moves `updatedAt` to the event's time. */
export function touch(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return { updatedAt: event.at };
}

/** Records an `ASSIGN_ROLE`: who holds the role now, since when, and who assigned it. */
export function assignRole(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'ASSIGN_ROLE') return {};
  return {
    updatedAt: event.at,
    roles: {
      ...context.roles,
      [event.role]: { assignee: withoutUndefined({ ...event.assignee }), assignedAt: event.at, assignedBy: event.actor },
    },
  };
}

/** Records a `SET_SEVERITY`: the new severity. */
export function setSeverity(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'SET_SEVERITY' ? { severity: event.severity, updatedAt: event.at } : {};
}

/** Records a `RECORD_ROOT_CAUSE`: the root cause, and when the incident was first diagnosed. */
export function recordRootCause(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'RECORD_ROOT_CAUSE') return {};
  return {
    updatedAt: event.at,
    diagnosedAt: context.diagnosedAt ?? event.at,
    rootCause: {
      summary: event.summary,
      contributingFactors: [...event.contributingFactors],
      recordedAt: event.at,
      recordedBy: event.actor,
      ...(event.causes === undefined ? {} : { causes: event.causes.map((cause) => ({ ...cause })) }),
      ...(event.taxonomy === undefined ? {} : { taxonomy: event.taxonomy }),
    },
  };
}
