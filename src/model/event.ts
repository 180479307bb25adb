import type { Actor } from './actor.js';
import type { JsonValue } from './primitives.js';

/** The types of stored timeline events: facts in past tense. */
export const EVENT_TYPES = [
  'DECLARED',
  'ACKNOWLEDGED',
  'ROLE_ASSIGNED',
  'SEVERITY_CHANGED',
  'NOTE_ADDED',
  'UPDATE_POSTED',
  'MITIGATED',
  'ROOT_CAUSE_RECORDED',
  'RESOLVED',
  'REOPENED',
  'REVIEW_STARTED',
  'REVIEW_COMPLETED',
  'ACTION_ITEM_ADDED',
  'ACTION_ITEM_UPDATED',
  'CLOSED',
  'CANCELED',
  'ESCALATED',
  'REMINDER_DUE',
  'TARGET_BREACHED',
  'NOBODY_PAGED',
  'ALERT_ATTACHED',
  'ALERT_STATUS_CHANGED',
  'SIMILAR_INCIDENTS_FOUND',
  'INCIDENT_LINKED',
  'FIELDS_UPDATED',
  'STATUS_LABEL_SET',
  'CLOCK_STARTED',
  'REPORT_FILED',
  'REPORT_OVERDUE',
  'CHANGES_LINKED',
  'MERGED_INTO',
  'MERGED_FROM',
  'UNMERGED',
  'UNMERGED_FROM',
  'PUBLISHED',
  'PUBLIC_UPDATE_POSTED',
  'TASKS_ATTACHED',
  'TASK_ADDED',
  'TASK_COMPLETED',
  'TASK_SKIPPED',
  'TASK_REASSIGNED',
  'TASK_OVERDUE',
  'KNOWN_ERROR_MATCHED',
  'PROBLEM_PROPOSED',
  'HYPOTHESIS_ADDED',
  'HYPOTHESIS_UPDATED',
  'EVIDENCE_ADDED',
  'MILESTONE_CORRECTED',
  'EVENT_TAGGED',
  'ERASED',
] as const;

/** One of {@link EVENT_TYPES}. */
export type IncidentEventType = (typeof EVENT_TYPES)[number];

/**
 * One entry of an incident's append-only timeline.
 *
 * @remarks `seq` starts at 1 with no gaps. `hash` is the SHA-256 (hex) of the previous
 * event's hash followed by this event's canonical JSON (every field but `hash`), so any
 * later edit is detectable with `engine.verifyTimeline`.
 */
export interface StoredEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly incidentId: string;
  readonly seq: number;
  readonly type: IncidentEventType;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly actor: Actor;
  readonly data: Readonly<Record<string, JsonValue>>;
  readonly hash: string;
}
