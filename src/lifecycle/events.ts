import type { ClockState } from '../model/reportingClock.js';
import type { Actor } from '../model/actor.js';
import type { ActionItemKind, ActionItemStatus, ActionItemStrength, AlertStatus, AlertSummary, CancelReason, ChangeRef, EscalationTarget, IncidentLinkKind, IncidentStatus, ResolvedTarget, SimilarIncidentRef, TargetName } from '../model/incident.js';
import type { KnownErrorMatch, ProblemProposal } from '../model/incident.js';
import type { IncidentEventType } from '../model/event.js';
import type { JsonValue } from '../model/primitives.js';
import type { PublicComponentStatus, PublicIncidentImpact, PublicIncidentState } from '../model/publicIncident.js';
import type { TaskAssignee, TaskDraft } from '../model/tasks.js';
import type { Cause, CorrectableMilestone, EvidenceKind, HypothesisStatus } from '../model/investigation.js';
import type { NistCsfTag } from '../model/nistCsf.js';

/** Fields every lifecycle event carries: when it happened and who did it. */
interface EventBase {
  readonly at: string;
  readonly actor: Actor;
  /** The NIST CSF 2.0 functions and categories the command tagged this event with (`nist`); the machine ignores them. */
  readonly nist?: readonly NistCsfTag[];
}

/** Audiences of a posted update. */
export type UpdateAudience = 'internal' | 'stakeholders' | 'public';

/**
 * The events the lifecycle machine accepts, one per command.
 *
 * @remarks Every event carries its own time and ids, so the machine stays pure.
 */
export type LifecycleEvent =
  | (EventBase & { readonly type: 'ACKNOWLEDGE' })
  | (EventBase & {
      readonly type: 'ASSIGN_ROLE';
      readonly role: string;
      readonly assignee: { readonly id: string; readonly name?: string };
    })
  | (EventBase & { readonly type: 'SET_SEVERITY'; readonly severity: string; readonly previous?: string; readonly reason?: string })
  | (EventBase & { readonly type: 'ADD_NOTE'; readonly text: string })
  | (EventBase & { readonly type: 'POST_UPDATE'; readonly audience: UpdateAudience; readonly message: string })
  | (EventBase & { readonly type: 'MITIGATE'; readonly summary: string })
  | (EventBase & {
      readonly type: 'RECORD_ROOT_CAUSE';
      readonly summary: string;
      readonly contributingFactors: readonly string[];
      /** The causes and contributing factors by category (absent on events recorded before causes existed). */
      readonly causes?: readonly Cause[];
      /** The taxonomy `causes` are drawn from (present with `causes`). */
      readonly taxonomy?: string;
    })
  | (EventBase & { readonly type: 'RESOLVE'; readonly summary?: string })
  | (EventBase & { readonly type: 'REOPEN'; readonly reason: string })
  | (EventBase & { readonly type: 'START_REVIEW'; readonly owner?: string })
  | (EventBase & { readonly type: 'COMPLETE_REVIEW'; readonly summary?: string })
  | (EventBase & {
      readonly type: 'ADD_ACTION_ITEM';
      readonly actionItemId: string;
      readonly title: string;
      readonly owner?: string;
      readonly dueAt?: string;
      readonly kind?: ActionItemKind;
      readonly strength?: ActionItemStrength;
    })
  | (EventBase & {
      readonly type: 'UPDATE_ACTION_ITEM';
      readonly actionItemId: string;
      /** The new status (absent when the update changed only other fields; always present on events recorded before edits existed). */
      readonly status?: ActionItemStatus;
      /** The fields an edit set (`null`: cleared); absent ones are unchanged. */
      readonly title?: string;
      readonly owner?: string | null;
      readonly dueAt?: string | null;
      readonly kind?: ActionItemKind | null;
      readonly strength?: ActionItemStrength | null;
      /** What each changed field was before (`null`: it had none), for the item's history on the timeline. */
      readonly previous?: ActionItemPrevious;
    })
  | (EventBase & { readonly type: 'CLOSE' })
  | (EventBase & { readonly type: 'CANCEL'; readonly reason: CancelReason; readonly mergedInto?: string })
  | (EventBase & TimerPayload & {
      readonly type: 'ESCALATE';
      /** `timer` when a policy deadline fired, `manual` when a person escalated. */
      readonly trigger: 'timer' | 'manual';
      /** The escalation this event is the `step`-th of; a duplicate delivery carries a stale step. */
      readonly step: number;
      readonly level: number;
      readonly cycle: number;
      readonly targets: readonly EscalationTarget[];
      /** The users the typed targets resolved to when the level fired (in order, each once). */
      readonly paged?: readonly string[];
      /** What each typed target resolved to. */
      readonly resolved?: readonly ResolvedTarget[];
      /** The level's targets resolved to nobody: the next level fires at once. */
      readonly nobody?: true;
      /** Nobody could be paged and no level follows: the escalation policy is exhausted. */
      readonly exhausted?: true;
    })
  | (EventBase & {
      /**
       * Recorded by the engine right after an `ESCALATE` that reached nobody with no level left
       * (`exhausted`), in the same commit: the escalation policy ran out without paging anyone.
       */
      readonly type: 'NOBODY_TO_PAGE';
      /** The step, level and cycle of that last escalation. */
      readonly step: number;
      readonly level: number;
      readonly cycle: number;
      /** That level's targets (each resolved to nobody: see that `ESCALATE`'s `resolved`). */
      readonly targets: readonly EscalationTarget[];
    })
  | (EventBase & TimerPayload & { readonly type: 'REMIND'; readonly kind: 'status_update'; readonly everyMinutes: number })
  | (EventBase & TimerPayload & { readonly type: 'TARGET_DUE'; readonly target: TargetName; readonly targetDueAt: string })
  | (EventBase & {
      readonly type: 'ATTACH_ALERT';
      readonly fingerprint: string;
      readonly dedupKey: string;
      readonly source: string;
      readonly status: AlertStatus;
      readonly summary: string;
      /** The ids of the routing rules that routed the alert here, when any matched. */
      readonly rules?: readonly string[];
    })
  | (EventBase & {
      readonly type: 'CHANGE_ALERT_STATUS';
      readonly fingerprint: string;
      readonly status: AlertStatus;
      /**
       * The alert's status before the change. The engine always sets it from the stored alert (the
       * machine sees only the newest alerts, so the event must say what it changes from); events
       * stored before it existed lack it, and replay fills it in.
       */
      readonly previous?: AlertStatus;
    })
  | (EventBase & { readonly type: 'LINK_SIMILAR'; readonly similar: readonly SimilarIncidentRef[] })
  /** The service's changes (deploys, config changes) recorded shortly before the incident opened. */
  | (EventBase & { readonly type: 'LINK_CHANGES'; readonly changes: readonly ChangeRef[] })
  | (EventBase & { readonly type: 'LINK_INCIDENT'; readonly kind: IncidentLinkKind; readonly to: string })
  | (EventBase & {
      readonly type: 'UPDATE_FIELDS';
      /** Every custom field after the update, as the type's schema returned them. */
      readonly fields: Readonly<Record<string, JsonValue>>;
      /** The field names the caller set. */
      readonly changed: readonly string[];
    })
  | (EventBase & { readonly type: 'SET_STATUS_LABEL'; readonly label: string; readonly previous?: string })
  | (EventBase & {
      readonly type: 'START_CLOCK';
      readonly regime: string;
      readonly trigger: string;
      /** When the trigger happened (e.g. when the organisation became aware). */
      readonly triggeredAt: string;
      /** The clock computed by the engine with the regime and calendar (replay takes it as is). */
      readonly clock: ClockState;
    })
  | (EventBase & {
      readonly type: 'FILE_REPORT';
      readonly regime: string;
      readonly phase: string;
      readonly filedAt: string;
      readonly reference?: string;
      readonly reasonForDelay?: string;
      readonly clock: ClockState;
    })
  | (EventBase & {
      /**
       * This incident was merged into `into` (`engine.merge`): canceled as a duplicate, its alerts
       * and dedup keys moved there in the same atomic write. It can be merged from any open state.
       */
      readonly type: 'MERGE_INTO';
      readonly into: string;
      /** The state it was merged from (`engine.unmerge` returns it there). */
      readonly previousStatus: IncidentStatus;
      /** How many alerts moved (all of them), and how many of those were not resolved. */
      readonly alertCount: number;
      readonly unresolvedAlertCount: number;
    })
  | (EventBase & {
      /** Incident `from` was merged into this one: its alerts were appended after this one's. */
      readonly type: 'MERGE_FROM';
      readonly from: string;
      /** This incident's newest alerts after the merge (at most 100; the window every projection carries). */
      readonly alerts: readonly AlertSummary[];
      /** How many alerts were added, and how many of those are not resolved. */
      readonly alertCount: number;
      readonly unresolvedAlertCount: number;
    })
  | (EventBase & {
      /** The merge into `from` was undone (`engine.unmerge`): back in `status`, with its alerts back. */
      readonly type: 'UNMERGE';
      readonly from: string;
      /** The state it returns to: the one it was merged from. */
      readonly status: IncidentStatus;
      /** Its newest alerts once they are back (at most 100). */
      readonly alerts: readonly AlertSummary[];
      readonly alertCount: number;
      readonly unresolvedAlertCount: number;
    })
  | (EventBase & {
      /** The merge of `from` into this incident was undone: the alerts that came from it went back. */
      readonly type: 'UNMERGE_FROM';
      readonly from: string;
      /** This incident's newest alerts once those went back (at most 100). */
      readonly alerts: readonly AlertSummary[];
      /** How many alerts went back, and how many of those were not resolved. */
      readonly alertCount: number;
      readonly unresolvedAlertCount: number;
    })
  | (EventBase & {
      /**
       * The incident was published on a status page (`engine.publish`): its public name, impact
       * and components, and the first public update (`body`, status `investigating`).
       */
      readonly type: 'PUBLISH';
      readonly pageId: string;
      readonly publicId: string;
      readonly name: string;
      readonly impact: PublicIncidentImpact;
      readonly updateId: string;
      readonly body: string;
      /** The components set explicitly, with their status. */
      readonly components: Readonly<Record<string, PublicComponentStatus>>;
      /** The components whose shown status this changed (before → after), as computed when it was published. */
      readonly affected: readonly { readonly id: string; readonly oldStatus: PublicComponentStatus; readonly newStatus: PublicComponentStatus }[];
    })
  | (EventBase & {
      /** A public update of a published incident (`engine.postPublicUpdate`). */
      readonly type: 'POST_PUBLIC_UPDATE';
      readonly updateId: string;
      readonly status: PublicIncidentState;
      readonly body: string;
      /** The components set explicitly by this update (absent: none). */
      readonly components?: Readonly<Record<string, PublicComponentStatus>>;
      /** The new public impact (absent: unchanged). */
      readonly impact?: PublicIncidentImpact;
      readonly affected: readonly { readonly id: string; readonly oldStatus: PublicComponentStatus; readonly newStatus: PublicComponentStatus }[];
    })
  | (EventBase & TimerPayload & {
      readonly type: 'CLOCK_DUE';
      readonly regime: string;
      readonly phase: string;
      /** The missed deadline (the phase's `dueAt`). */
      readonly phaseDueAt: string;
      /** The clock as of the deadline; the engine adds it when the timer fires. */
      readonly clock?: ClockState;
    })
  | (EventBase & {
      /**
       * The tasks of the playbooks that match the incident, attached at declaration or after a
       * severity change (only tasks it lacks: none is removed or replaced).
       */
      readonly type: 'ATTACH_TASKS';
      /** The playbooks the tasks come from. */
      readonly playbookIds: readonly string[];
      readonly tasks: readonly TaskDraft[];
    })
  /** A task added by hand (`engine.addTask`). */
  | (EventBase & { readonly type: 'ADD_TASK'; readonly task: TaskDraft })
  /** A task done (`engine.completeTask`), with the note or link its `evidence` asks for. */
  | (EventBase & { readonly type: 'COMPLETE_TASK'; readonly taskId: string; readonly evidence?: string })
  /** A task skipped with a reason (`engine.skipTask`): it no longer blocks a transition. */
  | (EventBase & { readonly type: 'SKIP_TASK'; readonly taskId: string; readonly reason: string })
  /** A task given to someone else (`engine.reassignTask`). */
  | (EventBase & { readonly type: 'REASSIGN_TASK'; readonly taskId: string; readonly assignee: TaskAssignee; readonly previous?: TaskAssignee })
  | (EventBase & TimerPayload & {
      /** An open task's due time passed (stored as `TASK_OVERDUE`). */
      readonly type: 'TASK_DUE';
      readonly taskId: string;
      /** The task's `dueAt` the timer was set for; a stale timer carries another. */
      readonly taskDueAt: string;
      /** The users its assignee resolved to when it came due (a role's holder); the engine adds them. */
      readonly assignees?: readonly string[];
    })
  /** The new incident resembles a known error (recorded when it opens): the problem and its workaround. */
  | (EventBase & { readonly type: 'MATCH_KNOWN_ERROR' } & Omit<KnownErrorMatch, 'matchedAt'>)
  /** The new incident recurs: a problem is proposed for it and its similar earlier incidents. */
  | (EventBase & { readonly type: 'PROPOSE_PROBLEM' } & Omit<ProblemProposal, 'proposedAt'>)
  | (EventBase & { readonly type: 'ADD_HYPOTHESIS'; readonly hypothesisId: string; readonly statement: string })
  | (EventBase & {
      readonly type: 'UPDATE_HYPOTHESIS';
      readonly hypothesisId: string;
      readonly status: HypothesisStatus;
      /** Its status before, as the engine found it. */
      readonly previous: HypothesisStatus;
      /** Ids of the incident's evidence in support. */
      readonly evidence?: readonly string[];
      readonly note?: string;
    })
  | (EventBase & {
      readonly type: 'ADD_EVIDENCE';
      readonly evidenceId: string;
      readonly kind: EvidenceKind;
      readonly uri: string;
      readonly sha256?: string;
      readonly note: string;
    })
  | (EventBase & {
      /** A milestone of a live incident set to another time (`engine.correctMilestone`); `at` is when it was corrected. */
      readonly type: 'CORRECT_MILESTONE';
      readonly milestone: CorrectableMilestone;
      /** The milestone's new time (ISO-8601 UTC). */
      readonly to: string;
      /** Its time before the correction. */
      readonly previous: string;
      readonly reason: string;
    })
  | (EventBase & {
      /** Event `eventSeq` of this timeline tagged after the fact (`engine.tagEvent`) with NIST CSF 2.0 `tags`. */
      readonly type: 'TAG_EVENT';
      readonly eventSeq: number;
      /** The tagged event's stored type, e.g. `NOTE_ADDED`. */
      readonly eventType: IncidentEventType;
      readonly tags: readonly NistCsfTag[];
    })
  | (EventBase & {
      /** The data subject's key was destroyed (`engine.erase`): the incident's sensitive fields read `[erased]`. Records that, not what, was erased. */
      readonly type: 'ERASE';
      readonly subjectId: string;
    });

/** What the fields an `UPDATE_ACTION_ITEM` changed were before (`null`: the item had none). */
export interface ActionItemPrevious {
  readonly status?: ActionItemStatus;
  readonly title?: string;
  readonly owner?: string | null;
  readonly dueAt?: string | null;
  readonly kind?: ActionItemKind | null;
  readonly strength?: ActionItemStrength | null;
}

/** What the engine adds to an event a durable timer delivers. */
interface TimerPayload {
  /** When the timer was due (ISO-8601 UTC); `at` is when it was processed. */
  readonly dueAt?: string;
}

/** A lifecycle event without `at` and `actor`, which the engine adds (distributes over the union). */
export type LifecycleEventDraft = LifecycleEvent extends infer E ? (E extends LifecycleEvent ? Omit<E, 'at' | 'actor'> : never) : never;

/** The `type` of a {@link LifecycleEvent}. */
export type LifecycleEventType = LifecycleEvent['type'];

/** Every lifecycle event type, in a fixed order. */
export const LIFECYCLE_EVENT_TYPES = [
  'ACKNOWLEDGE',
  'ASSIGN_ROLE',
  'SET_SEVERITY',
  'ADD_NOTE',
  'POST_UPDATE',
  'MITIGATE',
  'RECORD_ROOT_CAUSE',
  'RESOLVE',
  'REOPEN',
  'START_REVIEW',
  'COMPLETE_REVIEW',
  'ADD_ACTION_ITEM',
  'UPDATE_ACTION_ITEM',
  'CLOSE',
  'CANCEL',
  'ESCALATE',
  'NOBODY_TO_PAGE',
  'REMIND',
  'TARGET_DUE',
  'ATTACH_ALERT',
  'CHANGE_ALERT_STATUS',
  'LINK_SIMILAR',
  'LINK_INCIDENT',
  'UPDATE_FIELDS',
  'SET_STATUS_LABEL',
  'START_CLOCK',
  'FILE_REPORT',
  'CLOCK_DUE',
  'LINK_CHANGES',
  'MERGE_INTO',
  'MERGE_FROM',
  'UNMERGE',
  'UNMERGE_FROM',
  'PUBLISH',
  'POST_PUBLIC_UPDATE',
  'ATTACH_TASKS',
  'ADD_TASK',
  'COMPLETE_TASK',
  'SKIP_TASK',
  'REASSIGN_TASK',
  'TASK_DUE',
  'MATCH_KNOWN_ERROR',
  'PROPOSE_PROBLEM',
  'ADD_HYPOTHESIS',
  'UPDATE_HYPOTHESIS',
  'ADD_EVIDENCE',
  'CORRECT_MILESTONE',
  'TAG_EVENT',
  'ERASE',
] as const satisfies readonly LifecycleEventType[];

/** Which stored event type records each lifecycle event. */
export const STORED_TYPE_OF: Readonly<Record<LifecycleEventType, IncidentEventType>> = {
  ACKNOWLEDGE: 'ACKNOWLEDGED',
  ASSIGN_ROLE: 'ROLE_ASSIGNED',
  SET_SEVERITY: 'SEVERITY_CHANGED',
  ADD_NOTE: 'NOTE_ADDED',
  POST_UPDATE: 'UPDATE_POSTED',
  MITIGATE: 'MITIGATED',
  RECORD_ROOT_CAUSE: 'ROOT_CAUSE_RECORDED',
  RESOLVE: 'RESOLVED',
  REOPEN: 'REOPENED',
  START_REVIEW: 'REVIEW_STARTED',
  COMPLETE_REVIEW: 'REVIEW_COMPLETED',
  ADD_ACTION_ITEM: 'ACTION_ITEM_ADDED',
  UPDATE_ACTION_ITEM: 'ACTION_ITEM_UPDATED',
  CLOSE: 'CLOSED',
  CANCEL: 'CANCELED',
  ESCALATE: 'ESCALATED',
  NOBODY_TO_PAGE: 'NOBODY_PAGED',
  REMIND: 'REMINDER_DUE',
  TARGET_DUE: 'TARGET_BREACHED',
  ATTACH_ALERT: 'ALERT_ATTACHED',
  CHANGE_ALERT_STATUS: 'ALERT_STATUS_CHANGED',
  LINK_SIMILAR: 'SIMILAR_INCIDENTS_FOUND',
  LINK_INCIDENT: 'INCIDENT_LINKED',
  UPDATE_FIELDS: 'FIELDS_UPDATED',
  SET_STATUS_LABEL: 'STATUS_LABEL_SET',
  START_CLOCK: 'CLOCK_STARTED',
  FILE_REPORT: 'REPORT_FILED',
  CLOCK_DUE: 'REPORT_OVERDUE',
  LINK_CHANGES: 'CHANGES_LINKED',
  MERGE_INTO: 'MERGED_INTO',
  MERGE_FROM: 'MERGED_FROM',
  UNMERGE: 'UNMERGED',
  UNMERGE_FROM: 'UNMERGED_FROM',
  PUBLISH: 'PUBLISHED',
  POST_PUBLIC_UPDATE: 'PUBLIC_UPDATE_POSTED',
  ATTACH_TASKS: 'TASKS_ATTACHED',
  ADD_TASK: 'TASK_ADDED',
  COMPLETE_TASK: 'TASK_COMPLETED',
  SKIP_TASK: 'TASK_SKIPPED',
  REASSIGN_TASK: 'TASK_REASSIGNED',
  TASK_DUE: 'TASK_OVERDUE',
  MATCH_KNOWN_ERROR: 'KNOWN_ERROR_MATCHED',
  PROPOSE_PROBLEM: 'PROBLEM_PROPOSED',
  ADD_HYPOTHESIS: 'HYPOTHESIS_ADDED',
  UPDATE_HYPOTHESIS: 'HYPOTHESIS_UPDATED',
  ADD_EVIDENCE: 'EVIDENCE_ADDED',
  CORRECT_MILESTONE: 'MILESTONE_CORRECTED',
  TAG_EVENT: 'EVENT_TAGGED',
  ERASE: 'ERASED',
};

/** The inverse of {@link STORED_TYPE_OF}. */
export const LIFECYCLE_TYPE_OF: Readonly<Partial<Record<IncidentEventType, LifecycleEventType>>> = /* @__PURE__ */ (() => Object.fromEntries(
  Object.entries(STORED_TYPE_OF).map(([command, stored]) => [stored, command]),
))();

/**
 * The events the engine records right after `event`, in the same commit (each stored as its own
 * timeline event): a `NOBODY_TO_PAGE` after an `ESCALATE` that reached nobody with no level left.
 * Replay steps the stored events one by one and never calls this.
 */
export function followingEvents(event: LifecycleEvent): LifecycleEvent[] {
  if (event.type !== 'ESCALATE' || event.exhausted !== true) return [];
  const { at, actor, step, level, cycle, targets } = event;
  return [{ type: 'NOBODY_TO_PAGE', at, actor, step, level, cycle, targets }];
}

/** The payload of a lifecycle event as stored in `data`: everything but `type`, `at` and `actor`. */
export function eventData(event: LifecycleEvent): Record<string, JsonValue> {
  const { type: _type, at: _at, actor: _actor, ...rest } = event;
  return JSON.parse(JSON.stringify(rest)) as Record<string, JsonValue>;
}
