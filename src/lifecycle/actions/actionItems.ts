/** Context updates for the incident's action items. */

import type { ActionItem } from '../../model/incident.js';
import type { LifecycleEvent } from '../events.js';
import { withoutUndefined, type IncidentContext } from '../incidentContext.js';

/** Records an `ADD_ACTION_ITEM`: appends a new, open action item. */
export function addActionItem(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'ADD_ACTION_ITEM') return {};
  const item: ActionItem = withoutUndefined({
    id: event.actionItemId,
    title: event.title,
    owner: event.owner,
    dueAt: event.dueAt,
    kind: event.kind,
    strength: event.strength,
    status: 'open' as const,
    createdAt: event.at,
    updatedAt: event.at,
  });
  return { updatedAt: event.at, actionItems: [...context.actionItems, item] };
}

/**
 * Records an `UPDATE_ACTION_ITEM`: the item's new status and the fields an edit set (`null`
 * clears an optional one).
 */
export function updateActionItem(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'UPDATE_ACTION_ITEM') return {};
  return {
    updatedAt: event.at,
    actionItems: context.actionItems.map((item) => (item.id === event.actionItemId ? editedItem(item, event) : item)),
  };
}

/** The fields an edit may set to `null` (cleared). */
const CLEARABLE = ['owner', 'dueAt', 'kind', 'strength'] as const;

function editedItem(item: ActionItem, event: Extract<LifecycleEvent, { type: 'UPDATE_ACTION_ITEM' }>): ActionItem {
  const next: Record<string, unknown> = { ...item, updatedAt: event.at };
  if (event.status !== undefined) next.status = event.status;
  if (event.title !== undefined) next.title = event.title;
  for (const key of CLEARABLE) {
    const value = event[key];
    if (value !== undefined) next[key] = value ?? undefined;
  }
  // A cleared field is absent, as on an item that never had it.
  return withoutUndefined(next) as unknown as ActionItem;
}
