/**
 * The public incident slice: what was published on a status page (`PUBLISH`) and its public
 * updates (`POST_PUBLIC_UPDATE`). Only what those events carry goes in: nothing internal.
 */

import type { PublicIncidentSlice } from '../../model/publicIncident.js';
import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records a `PUBLISH`: the public incident with its first update (`investigating`). */
export function publish(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'PUBLISH') return {};
  const publicIncident: PublicIncidentSlice = {
    pageId: event.pageId,
    publicId: event.publicId,
    name: event.name,
    impact: event.impact,
    status: 'investigating',
    components: { ...event.components },
    publishedAt: event.at,
    updatedAt: event.at,
    updates: [{ id: event.updateId, status: 'investigating', body: event.body, at: event.at, components: { ...event.components }, affected: event.affected.map((a) => ({ ...a })) }],
  };
  return { updatedAt: event.at, publicIncident };
}

/** Records a `POST_PUBLIC_UPDATE`: appended to the public updates; sets the public status, impact and components. */
export function postPublicUpdate(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  const current = context.publicIncident;
  if (event.type !== 'POST_PUBLIC_UPDATE' || current === undefined) return {};
  const components = { ...event.components };
  const { resolvedAt: _resolvedAt, ...rest } = current;
  const publicIncident: PublicIncidentSlice = {
    ...rest,
    status: event.status,
    impact: event.impact ?? current.impact,
    components: { ...current.components, ...components },
    updatedAt: event.at,
    ...(event.status === 'resolved' ? { resolvedAt: current.status === 'resolved' && current.resolvedAt !== undefined ? current.resolvedAt : event.at } : {}),
    updates: [...current.updates, { id: event.updateId, status: event.status, body: event.body, at: event.at, components, affected: event.affected.map((a) => ({ ...a })) }],
  };
  return { updatedAt: event.at, publicIncident };
}
