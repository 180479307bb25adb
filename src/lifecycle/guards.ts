/**
 * The guards of the incident lifecycle machine as pure predicates: whether an event may be
 * taken in the given context. `incidentMachine` wires each one under the same name.
 */

import { actionItemPolicyViolation } from '../model/actionItems.js';
import type { IncidentStatus } from '../model/incident.js';
import { TASK_GATES, type TaskGate } from '../model/tasks.js';
import { targetName } from './describeEvent.js';
import { hasAlertsBeyondWindow } from './actions/alerts.js';
import type { LifecycleEvent } from './events.js';
import type { IncidentContext } from './incidentContext.js';
import { activeReminders, pendingTargets } from './timers.js';
import { milestoneCorrectionProblem } from './milestoneOrder.js';

/**
 * Why `CLOSE` is refused for an incident in a state that otherwise accepts it, or `undefined`.
 *
 * @remarks Shared by the machine's guard and the engine's error message, so both say the same.
 */
export function closeBlockedReason(context: IncidentContext): string | undefined {
  if (context.policy.reviewRequiredFor.includes(context.severity) && context.review?.completedAt === undefined) {
    return `${context.severity} incidents need a completed post-incident review before they can close; run startReview and completeReview first.`;
  }
  return (context.policy.actionItems === undefined ? undefined : actionItemPolicyViolation(context, context.policy.actionItems)) ?? tasksBlockedReason(context, 'close');
}

/** Why an `UPDATE_ACTION_ITEM` is refused, or `undefined`. */
export function actionItemMissingReason(context: IncidentContext, actionItemId: string): string | undefined {
  return context.actionItems.some((item) => item.id === actionItemId)
    ? undefined
    : `it has no action item '${actionItemId}'.`;
}

/** Whether the incident may close: nothing in {@link closeBlockedReason} blocks it. */
export function canClose(context: IncidentContext, _event: LifecycleEvent): boolean {
  return closeBlockedReason(context) === undefined;
}

/** Whether an `UPDATE_ACTION_ITEM` names an action item the incident has. */
export function actionItemExists(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'UPDATE_ACTION_ITEM' && actionItemMissingReason(context, event.actionItemId) === undefined;
}

/**
 * Whether an `ESCALATE` is the next step. A duplicate delivery of an escalation timer carries a
 * stale step and is ignored; a person's escalation that would page nobody is refused (see
 * {@link escalationBlockedReason}).
 */
export function escalationIsNext(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'ESCALATE' && event.step === (context.escalation?.count ?? 0) + 1 && escalationBlockedReason(event) === undefined;
}

/** Whether an `ESCALATE` is a person's (not a timer's), the next step, and pages someone. */
export function manualEscalationIsNext(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'ESCALATE' && event.trigger === 'manual' && escalationIsNext(context, event);
}

/**
 * Why a person's `ESCALATE` is refused: its level's typed targets reach nobody now (a schedule
 * gap, an unknown schedule, an unfilled role). A timer's escalation to nobody is recorded and
 * skipped to the next level instead; a person gets the refusal, and chooses.
 */
export function escalationBlockedReason(event: LifecycleEvent): string | undefined {
  if (event.type !== 'ESCALATE' || event.trigger !== 'manual' || event.nobody !== true) return undefined;
  return `level ${String(event.level)} (${event.targets.map(targetName).join(', ')}) reaches nobody now; escalate to another level, or add an override or assign the role first.`;
}

/** Whether a `NOBODY_TO_PAGE` follows the escalation it names, and that escalation paged nobody. */
export function escalationPagedNobody(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'NOBODY_TO_PAGE' && context.escalation?.count === event.step && context.escalation.paged?.length === 0;
}

/** Whether a `REMIND` is of a reminder kind that applies to the current severity. */
export function reminderApplies(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'REMIND' && activeReminders(context)[event.kind] !== undefined;
}

/** Whether a `TARGET_DUE` is for a response target still pending (unmet and unbreached). */
export function targetPending(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'TARGET_DUE' && pendingTargets(context)[event.target] !== undefined;
}

/**
 * Whether an `ATTACH_ALERT` is for an alert not attached yet, as far as the context shows: not
 * among the newest alerts it keeps. The engine checks older alerts against the store first.
 */
export function alertIsNew(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'ATTACH_ALERT' && !context.alerts.some((alert) => alert.fingerprint === event.fingerprint);
}

/** Whether a `LINK_CHANGES` applies: changes are linked once, so a timer delivered twice adds nothing. */
export function changesUnlinked(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'LINK_CHANGES' && context.recentChanges === undefined && event.changes.length > 0;
}

/** Whether a `CLOCK_DUE` applies: its phase is unfiled, still due then, and not yet recorded as missed. */
export function clockPhaseDue(context: IncidentContext, event: LifecycleEvent): boolean {
  if (event.type !== 'CLOCK_DUE') return false;
  const phase = context.clocks?.find((c) => c.regime === event.regime)?.phases.find((p) => p.phase === event.phase);
  return (
    phase !== undefined &&
    phase.filedAt === undefined &&
    phase.dueAt === event.phaseDueAt &&
    !(context.overdueReports ?? []).some((r) => r.regime === event.regime && r.phase === event.phase && r.dueAt === event.phaseDueAt)
  );
}

/**
 * Whether a `CHANGE_ALERT_STATUS` changes the status of an attached alert: from `previous` to
 * another status. An alert among the newest the context keeps must be in `previous`; one beyond
 * them must exist beyond them (the engine found it in the store and took `previous` from it).
 */
export function alertStatusChanges(context: IncidentContext, event: LifecycleEvent): boolean {
  if (event.type !== 'CHANGE_ALERT_STATUS') return false;
  const shown = context.alerts.find((alert) => alert.fingerprint === event.fingerprint);
  if (event.previous === undefined) return shown !== undefined && shown.status !== event.status;
  if (event.previous === event.status) return false;
  return shown === undefined ? hasAlertsBeyondWindow(context) : shown.status === event.previous;
}

/**
 * Whether a `LINK_INCIDENT` adds a link: not to the incident itself, not one it has already, and
 * at most one `recurredAs` (an incident recurs as one incident; later re-fires land there).
 */
export function linkIsNew(context: IncidentContext, event: LifecycleEvent): boolean {
  if (event.type !== 'LINK_INCIDENT' || event.to === context.id) return false;
  const links = context.links ?? [];
  if (event.kind === 'recurredAs' && links.some((link) => link.kind === 'recurredAs')) return false;
  return !links.some((link) => link.kind === event.kind && link.incidentId === event.to);
}

/** Whether the incident has a `kind` link to `to`. */
function linked(context: IncidentContext, kind: 'mergedInto' | 'mergedFrom', to: string): boolean {
  return (context.links ?? []).some((link) => link.kind === kind && link.incidentId === to);
}

/**
 * Why this incident cannot be merged into another, or `undefined`: an incident others were
 * merged into cannot be merged itself (merges do not chain), so unmerge them first.
 */
export function mergeBlockedReason(context: IncidentContext): string | undefined {
  const absorbed = (context.links ?? []).filter((link) => link.kind === 'mergedFrom').map((link) => link.incidentId);
  return absorbed.length === 0
    ? undefined
    : `${absorbed.join(', ')} ${absorbed.length === 1 ? 'was' : 'were'} merged into it, and merges do not chain; unmerge ${absorbed.length === 1 ? 'it' : 'them'} first, or merge into this incident instead.`;
}

/** Whether a `MERGE_INTO` applies: into another incident, and nothing was merged into this one. */
export function mergesInto(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'MERGE_INTO' && event.into !== context.id && mergeBlockedReason(context) === undefined;
}

/** Whether a `MERGE_FROM` applies: from another incident, not merged into this one already. */
export function mergeIsNew(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'MERGE_FROM' && event.from !== context.id && !linked(context, 'mergedFrom', event.from);
}

/** Whether an `UNMERGE_FROM` names an incident that was merged into this one. */
export function wasMergedFrom(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'UNMERGE_FROM' && linked(context, 'mergedFrom', event.from);
}

/** Whether an `UNMERGE` undoes this incident's merge into `from` and returns it to `status`, the state it was merged from. */
export function unmergesTo(context: IncidentContext, event: LifecycleEvent, params: { readonly status: IncidentStatus }): boolean {
  return (
    event.type === 'UNMERGE' &&
    event.status === params.status &&
    context.cancellation?.mergedInto === event.from &&
    context.cancellation.previousStatus === params.status &&
    linked(context, 'mergedInto', event.from)
  );
}

/** Whether a `PUBLISH` applies: an incident is published once. */
export function notPublished(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'PUBLISH' && context.publicIncident === undefined;
}

/** Whether a `POST_PUBLIC_UPDATE` applies: only to a published incident. */
export function isPublished(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'POST_PUBLIC_UPDATE' && context.publicIncident !== undefined;
}

/**
 * Why `gate` (mitigate, resolve, close) is refused because of the incident's tasks, or
 * `undefined`: tasks required for it, or for an earlier gate, are still open. A skipped task
 * is settled like a done one (skipping takes a reason, recorded on the timeline).
 */
export function tasksBlockedReason(context: IncidentContext, gate: TaskGate): string | undefined {
  const rank = TASK_GATES.indexOf(gate);
  const open = (context.tasks ?? []).filter((task) => task.status === 'open' && task.requiredFor !== undefined && TASK_GATES.indexOf(task.requiredFor) <= rank);
  if (open.length === 0) return undefined;
  const list = open.map((task) => `"${task.title}" (${task.id})`).join(', ');
  return `${open.length === 1 ? 'a task required before it can' : `${String(open.length)} tasks required before it can`} ${gate} ${open.length === 1 ? 'is' : 'are'} still open: ${list}; complete ${open.length === 1 ? 'it' : 'them'} with completeTask, or skip ${open.length === 1 ? 'it' : 'them'} with skipTask and a reason.`;
}

/** The gate a lifecycle event passes, when it is one: `MITIGATE`, `RESOLVE` or `CLOSE`. */
function gateOf(event: LifecycleEvent): TaskGate | undefined {
  return event.type === 'MITIGATE' ? 'mitigate' : event.type === 'RESOLVE' ? 'resolve' : event.type === 'CLOSE' ? 'close' : undefined;
}

/** Whether the tasks let a `MITIGATE`, `RESOLVE` or `CLOSE` through: none required for it (or before it) is open. */
export function tasksSettled(context: IncidentContext, event: LifecycleEvent): boolean {
  const gate = gateOf(event);
  return gate === undefined || tasksBlockedReason(context, gate) === undefined;
}

/** Why a task event (complete, skip, reassign) is refused: no such task, or it is no longer open. */
export function taskBlockedReason(context: IncidentContext, taskId: string): string | undefined {
  const task = (context.tasks ?? []).find((t) => t.id === taskId);
  if (task === undefined) return `it has no task '${taskId}'.`;
  return task.status === 'open' ? undefined : `its task '${taskId}' is ${task.status} already.`;
}

/** Whether a `COMPLETE_TASK`, `SKIP_TASK` or `REASSIGN_TASK` names an open task of the incident. */
export function taskIsOpen(context: IncidentContext, event: LifecycleEvent): boolean {
  return (event.type === 'COMPLETE_TASK' || event.type === 'SKIP_TASK' || event.type === 'REASSIGN_TASK') && taskBlockedReason(context, event.taskId) === undefined;
}

/** Whether an `ATTACH_TASKS` or `ADD_TASK` brings only tasks the incident lacks (and at least one). */
export function tasksAreNew(context: IncidentContext, event: LifecycleEvent): boolean {
  const drafts = event.type === 'ATTACH_TASKS' ? event.tasks : event.type === 'ADD_TASK' ? [event.task] : [];
  const ids = new Set(drafts.map((d) => d.id));
  return drafts.length > 0 && ids.size === drafts.length && !(context.tasks ?? []).some((task) => ids.has(task.id));
}

/** Whether a `TASK_DUE` is for an open task still due then and not recorded overdue yet. */
export function taskDue(context: IncidentContext, event: LifecycleEvent): boolean {
  if (event.type !== 'TASK_DUE') return false;
  const task = (context.tasks ?? []).find((t) => t.id === event.taskId);
  return task?.status === 'open' && task.dueAt === event.taskDueAt && task.overdueAt === undefined;
}

/** Whether an `UPDATE_HYPOTHESIS` names a hypothesis the incident has, and names evidence it has. */
export function hypothesisExists(context: IncidentContext, event: LifecycleEvent): boolean {
  if (event.type !== 'UPDATE_HYPOTHESIS' || !(context.hypotheses ?? []).some((h) => h.id === event.hypothesisId)) return false;
  const evidence = new Set((context.evidence ?? []).map((e) => e.id));
  return (event.evidence ?? []).every((id) => evidence.has(id));
}

/** Whether a `CORRECT_MILESTONE` keeps the milestones chronological (see `milestoneCorrectionProblem`). */
export function milestoneCorrectionFits(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'CORRECT_MILESTONE' && milestoneCorrectionProblem(context, event.milestone, event.to, event.at) === undefined;
}

/** Whether an `ERASE` finds the incident's personal data not yet erased (an erasure is recorded once). */
export function notErased(context: IncidentContext, event: LifecycleEvent): boolean {
  return event.type === 'ERASE' && context.erasedAt === undefined;
}
