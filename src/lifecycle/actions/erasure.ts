/** The erasure slice: when the incident's data subject was erased (`engine.erase`). */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records an `ERASE`: when the subject's key was destroyed. */
export function erase(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'ERASE' ? { updatedAt: event.at, erasedAt: event.at } : {};
}
