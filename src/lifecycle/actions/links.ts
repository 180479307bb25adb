/** The links slice: links to other incidents. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records a `LINK_INCIDENT`: the link is appended (oldest first). */
export function linkIncident(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'LINK_INCIDENT') return {};
  return { updatedAt: event.at, links: [...(context.links ?? []), { kind: event.kind, incidentId: event.to, at: event.at }] };
}
