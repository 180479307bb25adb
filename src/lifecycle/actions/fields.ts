/** The custom fields slice. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records an `UPDATE_FIELDS`: every custom field after the update. */
export function updateFields(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'UPDATE_FIELDS' ? { updatedAt: event.at, fields: { ...event.fields } } : {};
}
