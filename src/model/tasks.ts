/**
 * The tasks of an incident: checklist items attached by playbooks (`definePlaybook`) or added by
 * hand (`engine.addTask`), each on the timeline from the moment it is attached to the moment it
 * is done or skipped.
 */

/** The response phases a task belongs to, in the order a response usually goes through them. */
export const TASK_PHASES = ['response', 'containment', 'investigation', 'recovery', 'communication', 'review'] as const;

/** One of {@link TASK_PHASES}. */
export type TaskPhase = (typeof TASK_PHASES)[number];

/** Where a task stands: `open` until it is `done` or `skipped` (with a reason). */
export const TASK_STATUSES = ['open', 'done', 'skipped'] as const;

/** One of {@link TASK_STATUSES}. */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The transitions a task may be required for, in lifecycle order. A task required for one of
 * them is required for every later one too: a task required for `mitigate` must be settled
 * before the incident is mitigated, resolved or closed.
 */
export const TASK_GATES = ['mitigate', 'resolve', 'close'] as const;

/** One of {@link TASK_GATES}. */
export type TaskGate = (typeof TASK_GATES)[number];

/** What completing a task needs: nothing, a note, or a link (an `http(s)` URL). */
export const TASK_EVIDENCE_KINDS = ['none', 'note', 'link'] as const;

/** One of {@link TASK_EVIDENCE_KINDS}. */
export type TaskEvidenceKind = (typeof TASK_EVIDENCE_KINDS)[number];

/** The milestones a task's due time may count from (`declared` is `detectedAt`). */
export const TASK_DUE_FROM = ['declared', 'acknowledged', 'mitigated', 'resolved'] as const;

/** One of {@link TASK_DUE_FROM}. */
export type TaskDueFrom = (typeof TASK_DUE_FROM)[number];

/** The units of a task's due time. */
export const TASK_DUE_UNITS = ['minutes', 'hours', 'days'] as const;

/** One of {@link TASK_DUE_UNITS}. */
export type TaskDueUnit = (typeof TASK_DUE_UNITS)[number];

/** When a task is due: `amount` `unit`s after the milestone `from` (default `declared`). */
export interface TaskDue {
  readonly amount: number;
  readonly unit: TaskDueUnit;
  readonly from: TaskDueFrom;
}

/**
 * Who a task is for: a response role of the incident (whoever holds it when the task comes due)
 * or one user.
 */
export type TaskAssignee = { readonly kind: 'role'; readonly role: string } | { readonly kind: 'user'; readonly id: string };

/** An incident's task, as `incident.tasks` holds it. */
export interface IncidentTask {
  /** `<playbook id>:<task id>` for a playbook's task; a generated id for one added by hand. */
  readonly id: string;
  readonly title: string;
  readonly phase: TaskPhase;
  readonly status: TaskStatus;
  /** The playbook that attached it (absent for a task added with `engine.addTask`). */
  readonly playbookId?: string;
  readonly assignee?: TaskAssignee;
  /** When it is due, as the playbook or `addTask` said. */
  readonly due?: TaskDue;
  /** When it is due (absent until its `due.from` milestone is reached). */
  readonly dueAt?: string;
  /** When it was recorded as overdue (`TASK_OVERDUE`): still open at `dueAt`. */
  readonly overdueAt?: string;
  /** The first transition that needs it settled (done or skipped). */
  readonly requiredFor?: TaskGate;
  /** What completing it needs (absent: nothing). */
  readonly evidence?: TaskEvidenceKind;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When it was done, by whom, and the note or link given. */
  readonly completedAt?: string;
  readonly completedBy?: string;
  readonly completionEvidence?: string;
  /** When it was skipped, by whom, and why. */
  readonly skippedAt?: string;
  readonly skippedBy?: string;
  readonly skipReason?: string;
}

/**
 * A task as a lifecycle event attaches or adds it: everything the machine needs to put it on
 * the incident (its due time is computed there, from the incident's milestones).
 */
export interface TaskDraft {
  readonly id: string;
  readonly title: string;
  readonly phase: TaskPhase;
  readonly playbookId?: string;
  readonly assignee?: TaskAssignee;
  readonly due?: TaskDue;
  readonly requiredFor?: TaskGate;
  readonly evidence?: TaskEvidenceKind;
}

/** The milliseconds of one {@link TaskDueUnit}. */
export const TASK_DUE_UNIT_MS: Readonly<Record<TaskDueUnit, number>> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };
