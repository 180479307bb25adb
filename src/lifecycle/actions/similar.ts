/** The linked context slices: similar past incidents, recent changes of the service. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records a `LINK_SIMILAR`: the similar past incidents found, and why each is similar. */
export function linkSimilar(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'LINK_SIMILAR' ? { updatedAt: event.at, similarIncidents: event.similar.map((ref) => ({ ...ref, reasons: [...ref.reasons] })) } : {};
}

/** Records a `LINK_CHANGES`: the service's changes shortly before the incident opened. */
export function linkChanges(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'LINK_CHANGES' ? { updatedAt: event.at, recentChanges: event.changes.map((change) => ({ ...change, ...(change.links === undefined ? {} : { links: change.links.map((link) => ({ ...link })) }) })) } : {};
}
