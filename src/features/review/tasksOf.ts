/** The incident's tasks as a review lists them: who did (or skipped) each, and when. */
import type { ActorKind } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import type { TaskAssignee } from '../../model/tasks.js';
import { timeValueMs } from '../../kernel/toEpochMs.js';
import type { PostmortemTask, RedactField, TimelineEventLike } from './types.js';

/** `role commander`, `user u_bo`. */
function assigneeName(assignee: TaskAssignee): string {
  return assignee.kind === 'role' ? `role ${assignee.role}` : `user ${assignee.id}`;
}

/**
 * The tasks of `incident` for a review, in the order they were attached. Who settled a task is
 * named from its `TASK_COMPLETED` or `TASK_SKIPPED` event (the stored task keeps only the id);
 * evidence notes and skip reasons go through `redact`.
 *
 * @internal
 */
export function tasksOf(
  incident: Incident,
  events: readonly TimelineEventLike[],
  redact: (text: string, field: RedactField) => string,
  nameOf: (actor: { readonly kind?: ActorKind; readonly id: string; readonly name?: string }) => string,
): PostmortemTask[] {
  const detectedMs = timeValueMs(incident.detectedAt);
  const settledBy = new Map<string, TimelineEventLike>();
  for (const event of events) {
    if ((event.type === 'TASK_COMPLETED' || event.type === 'TASK_SKIPPED') && typeof event.data.taskId === 'string') settledBy.set(event.data.taskId, event);
  }
  return (incident.tasks ?? []).map((task): PostmortemTask => {
    const settledAt = task.completedAt ?? task.skippedAt;
    const actorId = task.completedBy ?? task.skippedBy;
    const event = settledBy.get(task.id);
    const by = event !== undefined ? nameOf(event.actor) : actorId === undefined ? undefined : nameOf({ id: actorId });
    return {
      id: task.id,
      title: task.title,
      phase: task.phase,
      status: task.status,
      ...(task.assignee === undefined ? {} : { assignee: assigneeName(task.assignee) }),
      ...(task.requiredFor === undefined ? {} : { requiredFor: task.requiredFor }),
      ...(task.dueAt === undefined ? {} : { dueAt: task.dueAt }),
      ...(task.overdueAt === undefined ? {} : { overdueAt: task.overdueAt }),
      ...(task.completedAt === undefined ? {} : { completedAt: task.completedAt }),
      ...(task.skippedAt === undefined ? {} : { skippedAt: task.skippedAt }),
      ...(settledAt === undefined ? {} : { settledAfterMs: timeValueMs(settledAt) - detectedMs }),
      ...(by === undefined ? {} : task.status === 'done' ? { completedBy: by } : { skippedBy: by }),
      ...(task.completionEvidence === undefined ? {} : { evidence: redact(task.completionEvidence, 'note') }),
      ...(task.skipReason === undefined ? {} : { skipReason: redact(task.skipReason, 'reason') }),
    };
  });
}
