/** The similar incidents slice. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records a `LINK_SIMILAR`: the similar past incidents found, and why each is similar. */
export function linkSimilar(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'LINK_SIMILAR' ? { updatedAt: event.at, similarIncidents: event.similar.map((ref) => ({ ...ref, reasons: [...ref.reasons] })) } : {};
}
