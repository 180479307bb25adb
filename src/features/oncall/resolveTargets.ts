/**
 * Escalation targets resolved when the escalation happens (its timer fires, or a person
 * escalates): a user is paged as is, a schedule pages whoever is on call on it then, a role pages
 * the incident's holder of that role.
 */
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import { nextEscalation } from '../../lifecycle/timers.js';
import type { EscalationTarget, Incident, ResolvedTarget } from '../../model/incident.js';

/** Whom a schedule has on call at an instant (`[]` for a gap, an unknown schedule, or a store without records). */
export type OnCallLookup = (scheduleId: string, at: string) => Promise<readonly string[]>;

/**
 * Completes an `ESCALATE` (delivered by the escalation timer, or built by `engine.escalate`) with
 * whom its typed targets resolve to now: `paged`, `resolved`, and `nobody` (then `exhausted` when
 * no level follows). Other events, and levels of plain (host-resolved) ids only, pass unchanged.
 * The machine records a timer's escalation to nobody and refuses a person's.
 *
 * @internal
 */
export async function resolveEscalation(draft: LifecycleEventDraft, incident: Incident, at: string, onCall: OnCallLookup): Promise<LifecycleEventDraft> {
  if (draft.type !== 'ESCALATE') return draft;
  const typed = draft.targets.filter((target): target is Exclude<EscalationTarget, string> => typeof target !== 'string');
  if (typed.length === 0) return draft;
  const resolved: ResolvedTarget[] = [];
  for (const target of typed) {
    const userIds =
      target.kind === 'user'
        ? [target.id]
        : target.kind === 'role'
          ? [incident.roles[target.role]?.assignee.id].filter((id): id is string => id !== undefined)
          : [...(await onCall(target.id, at))];
    resolved.push({ target, userIds });
  }
  const paged = [...new Set(resolved.flatMap((r) => r.userIds))];
  // Plain ids are the host's to resolve: a level with one is never "nobody".
  const nobody = paged.length === 0 && typed.length === draft.targets.length;
  if (!nobody) return { ...draft, paged, resolved };
  const exhausted = nextEscalation(incident.policy.escalation, { level: draft.level, cycle: draft.cycle }) === undefined;
  return { ...draft, paged, resolved, nobody: true, ...(exhausted ? { exhausted: true as const } : {}) };
}
