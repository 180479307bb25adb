import type { Actor, ActorKind } from '../model/actor.js';
import type { TimeInput } from '../metrics/toEpochMs.js';

/** A timeline event as {@link buildPostmortem} reads it; `StoredEvent` fits, and so do event types added later. */
export interface TimelineEventLike {
  readonly seq?: number;
  readonly incidentId?: string;
  readonly type: string;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly actor: Actor;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The phases drawn on a post-incident review's timeline. */
export type PhaseName = 'impact' | 'triage' | 'responding' | 'mitigated';

/** One stretch of time an incident spent in a phase. A reopened incident has several per phase. */
export interface PhaseSegment {
  readonly phase: PhaseName;
  readonly start: string;
  readonly end: string;
  readonly durationMs: number;
  /** The phase had not ended when the review was built; `end` is the review's `now` (or the last event). */
  readonly ongoing: boolean;
}

/** A point in the incident's life, e.g. `resolved`. */
export interface PostmortemMilestone {
  readonly name: 'started' | 'detected' | 'acknowledged' | 'mitigated' | 'diagnosed' | 'resolved' | 'reopened' | 'closed' | 'canceled';
  readonly at: string;
}

/** One line of the review's key timeline. */
export interface PostmortemTimelineEntry {
  readonly seq?: number;
  readonly at: string;
  /** Milliseconds since impact began. */
  readonly offsetMs: number;
  readonly type: string;
  /** Who did it, as a display name. */
  readonly actor: string;
  readonly actorKind: ActorKind;
  /** What happened, in a sentence. */
  readonly text: string;
}

/** An action item as the review lists it. */
export interface PostmortemActionItem {
  readonly id: string;
  readonly title: string;
  readonly owner?: string;
  readonly dueAt?: string;
  readonly kind?: string;
  readonly strength?: string;
  readonly status: string;
  /** Open or in progress and past due at the review's `now`. */
  readonly overdue: boolean;
}

/**
 * A structured post-incident review: plain JSON data, rendered by
 * {@link renderPostmortemMarkdown} or exported with {@link postmortemToJson}.
 */
export interface Postmortem {
  readonly format: 'incidentkit.postmortem';
  readonly version: 1;
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly severity: string;
    readonly status: string;
    readonly service?: string;
    readonly dedupKey?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  /** When the review was built (the `now` option), if given. */
  readonly generatedAt?: string;
  readonly summary: string;
  readonly impact: {
    readonly startedAt: string;
    /** When impact was contained (first mitigation or resolution of the last cycle), or canceled. */
    readonly endedAt?: string;
    readonly endedBy?: 'mitigated' | 'resolved' | 'canceled';
    /** From `startedAt` to `endedAt` (or to `now` while ongoing). */
    readonly durationMs?: number;
    readonly ongoing: boolean;
    readonly services: readonly string[];
    readonly severity: string;
    readonly severityChanges: readonly { readonly at: string; readonly from?: string; readonly to: string; readonly reason?: string }[];
  };
  readonly detection: {
    /** `person` when a user declared it, `integration` when a monitoring signal raised it, `system` for automation. */
    readonly method: 'person' | 'integration' | 'system';
    readonly by: string;
    readonly startedAt: string;
    readonly detectedAt: string;
    /** `detectedAt − startedAt`. */
    readonly timeToDetectMs: number;
  };
  readonly response: {
    readonly roles: readonly { readonly role: string; readonly assignee: string; readonly assignedAt: string }[];
    /** `ESCALATED` events on the timeline. */
    readonly escalations: number;
    /** `TARGET_BREACHED` events on the timeline. */
    readonly targetBreaches: readonly { readonly target: string; readonly at: string }[];
    readonly reopened: number;
    /** Updates posted, by audience. */
    readonly updatesPosted: Readonly<Record<string, number>>;
    /** From `detectedAt`. */
    readonly timeToAcknowledgeMs?: number;
    readonly timeToMitigateMs?: number;
    readonly timeToResolveMs?: number;
  };
  readonly phases: readonly PhaseSegment[];
  readonly milestones: readonly PostmortemMilestone[];
  readonly keyTimeline: readonly PostmortemTimelineEntry[];
  readonly rootCause?: { readonly summary: string; readonly recordedAt: string; readonly recordedBy: string };
  readonly contributingFactors: readonly string[];
  /** Left empty for the authors unless given in the options. */
  readonly wentWell: readonly string[];
  readonly wentPoorly: readonly string[];
  readonly gotLucky: readonly string[];
  readonly actionItems: readonly PostmortemActionItem[];
  readonly openQuestions: readonly string[];
  readonly review?: { readonly owner?: string; readonly startedAt: string; readonly completedAt?: string; readonly summary?: string };
}

/** Where a redacted text comes from, e.g. `title`, `note`, `rootCause`. */
export type RedactField =
  | 'title'
  | 'summary'
  | 'note'
  | 'update'
  | 'mitigation'
  | 'resolution'
  | 'rootCause'
  | 'contributingFactor'
  | 'actionItem'
  | 'reason'
  | 'event';

/** Options of {@link buildPostmortem}. */
export interface BuildPostmortemOptions {
  /** The time the review is built at: ends ongoing phases and decides which action items are overdue. */
  readonly now?: TimeInput;
  /** Rewrites every free text taken from the incident (titles, notes, summaries) — e.g. to strip patient data. */
  readonly redact?: (text: string, field: RedactField) => string;
  /** How actors are named. Default: `name`, else `id`. */
  readonly displayName?: (actor: { readonly kind?: ActorKind; readonly id: string; readonly name?: string }) => string;
  /** Overrides the summary (default: the review's summary, else the incident's, else a generated one). */
  readonly summary?: string;
  readonly wentWell?: readonly string[];
  readonly wentPoorly?: readonly string[];
  readonly gotLucky?: readonly string[];
  /** Questions for the review; listed before the suggested ones. */
  readonly openQuestions?: readonly string[];
  /** Add questions suggested by gaps (no root cause, no action items, late detection …). Default: `true`. */
  readonly suggestQuestions?: boolean;
  /** Event types shown in the key timeline. Default: {@link KEY_EVENT_TYPES}. */
  readonly keyEventTypes?: readonly string[];
  /** Keep at most this many key timeline entries (the earliest). Default: all. */
  readonly maxTimelineEntries?: number;
}
