/**
 * The tasks slice: tasks attached by playbooks or added by hand, done, skipped, reassigned and
 * recorded overdue; and the durable timers of their due times.
 */

import type { IncidentTask, TaskDraft } from '../../model/tasks.js';
import { TASK_DUE_UNIT_MS } from '../../model/tasks.js';
import type { LifecycleEvent } from '../events.js';
import { withoutUndefined, type IncidentContext } from '../incidentContext.js';
import type { TimerInstruction } from './timerInstructions.js';

/** The id of the durable timer of task `taskId`'s due time. */
export function taskTimerId(taskId: string): string {
  return `task:${taskId}`;
}

/** When the milestone a task's due time counts from was reached, if it was. */
function milestoneAt(context: IncidentContext, task: Pick<IncidentTask, 'due'>): string | undefined {
  switch (task.due?.from) {
    case undefined:
      return undefined;
    case 'declared':
      return context.detectedAt;
    case 'acknowledged':
      return context.acknowledgedAt;
    case 'mitigated':
      return context.mitigatedAt;
    case 'resolved':
      return context.resolvedAt;
  }
}

/** When a task is due, once its milestone was reached. */
function dueAtOf(context: IncidentContext, task: Pick<IncidentTask, 'due'>): string | undefined {
  const from = milestoneAt(context, task);
  if (from === undefined || task.due === undefined) return undefined;
  return new Date(Date.parse(from) + task.due.amount * TASK_DUE_UNIT_MS[task.due.unit]).toISOString();
}

/** A new open task from its draft, due from its milestone when that was reached. */
function newTask(context: IncidentContext, draft: TaskDraft, at: string): IncidentTask {
  return withoutUndefined({
    id: draft.id,
    title: draft.title,
    phase: draft.phase,
    status: 'open' as const,
    playbookId: draft.playbookId,
    assignee: draft.assignee,
    due: draft.due,
    dueAt: dueAtOf(context, draft),
    requiredFor: draft.requiredFor,
    evidence: draft.evidence,
    createdAt: at,
    updatedAt: at,
  });
}

/** Records an `ATTACH_TASKS` or an `ADD_TASK`: appends the tasks the incident lacks, open. */
export function attachTasks(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  const drafts = event.type === 'ATTACH_TASKS' ? event.tasks : event.type === 'ADD_TASK' ? [event.task] : [];
  const current = context.tasks ?? [];
  const added = drafts.filter((draft) => !current.some((task) => task.id === draft.id)).map((draft) => newTask(context, draft, event.at));
  return { updatedAt: event.at, tasks: [...current, ...added] };
}

/** The incident's tasks with `taskId` replaced by `change(task)`. */
function changeTask(context: IncidentContext, taskId: string, change: (task: IncidentTask) => IncidentTask): readonly IncidentTask[] {
  return (context.tasks ?? []).map((task) => (task.id === taskId ? change(task) : task));
}

/** Records a `COMPLETE_TASK`: the task is done, with when, by whom and its evidence. */
export function completeTask(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'COMPLETE_TASK') return {};
  const tasks = changeTask(context, event.taskId, (task) =>
    withoutUndefined({ ...task, status: 'done' as const, updatedAt: event.at, completedAt: event.at, completedBy: event.actor.id, completionEvidence: event.evidence }),
  );
  return { updatedAt: event.at, tasks };
}

/** Records a `SKIP_TASK`: the task is skipped, with when, by whom and why. */
export function skipTask(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'SKIP_TASK') return {};
  const tasks = changeTask(context, event.taskId, (task) => ({ ...task, status: 'skipped' as const, updatedAt: event.at, skippedAt: event.at, skippedBy: event.actor.id, skipReason: event.reason }));
  return { updatedAt: event.at, tasks };
}

/** Records a `REASSIGN_TASK`: the task's new assignee. */
export function reassignTask(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'REASSIGN_TASK') return {};
  return { updatedAt: event.at, tasks: changeTask(context, event.taskId, (task) => ({ ...task, assignee: event.assignee, updatedAt: event.at })) };
}

/** Records a `TASK_DUE`: the task was still open at its due time. */
export function recordTaskOverdue(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'TASK_DUE') return {};
  return { updatedAt: event.at, tasks: changeTask(context, event.taskId, (task) => ({ ...task, overdueAt: event.at, updatedAt: event.at })) };
}

/**
 * The tasks with the due times whose milestone has now been reached filled in, or `undefined`
 * when none changed. A due time, once set, stays (a reopen does not move it).
 */
export function withDueTimes(context: IncidentContext): readonly IncidentTask[] | undefined {
  const tasks = context.tasks ?? [];
  const next: IncidentTask[] = [];
  let changed = false;
  for (const task of tasks) {
    const dueAt = task.dueAt !== undefined || task.due === undefined || task.status !== 'open' ? undefined : dueAtOf(context, task);
    changed ||= dueAt !== undefined;
    next.push(dueAt === undefined ? task : { ...task, dueAt });
  }
  return changed ? next : undefined;
}

/** Whether a task waits for its due time: open, due, and not recorded overdue yet. */
function pendingDue(task: IncidentTask): task is IncidentTask & { readonly dueAt: string } {
  return task.status === 'open' && task.dueAt !== undefined && task.overdueAt === undefined;
}

/**
 * Sets the due-time timer of every open task that is due and not overdue yet; a task that was
 * just done or skipped (`event`) has its timer canceled.
 */
export function scheduleTasks(context: IncidentContext, event: LifecycleEvent): TimerInstruction[] {
  const settled = event.type === 'COMPLETE_TASK' || event.type === 'SKIP_TASK' ? event.taskId : undefined;
  const instructions: TimerInstruction[] = settled === undefined ? [] : [{ kind: 'cancel', id: taskTimerId(settled) }];
  for (const task of (context.tasks ?? []).filter(pendingDue)) {
    instructions.push({
      kind: 'raise',
      event: { type: 'TASK_DUE', taskId: task.id, taskDueAt: task.dueAt, at: '', actor: { kind: 'system', id: 'incidentkit' } },
      id: taskTimerId(task.id),
      delay: Math.max(0, Date.parse(task.dueAt) - Date.parse(context.updatedAt)),
    });
  }
  return instructions;
}

/** Cancels the due-time timer of every task that waits for one (the incident left its open states). */
export function cancelTaskTimers(context: IncidentContext): TimerInstruction[] {
  return (context.tasks ?? []).filter(pendingDue).map((task): TimerInstruction => ({ kind: 'cancel', id: taskTimerId(task.id) }));
}
