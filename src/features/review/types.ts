import type { IncidentLinkKind } from '../../model/incident.js';
import type { CauseTaxonomy } from '../../model/investigation.js';
import type { ActorKind } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import type { TimeInput } from '../../kernel/toEpochMs.js';
import type { RedactField } from '../../lifecycle/describeEvent.js';

export type { RedactField, TimelineEventLike } from '../../lifecycle/describeEvent.js';

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

/** Where one reporting phase stands in a review (see `ClockPhaseStatus`). */
export type PostmortemReportStatus = 'waiting' | 'pending' | 'overdue' | 'filed' | 'filedLate';

/** One report a regime asks for (a phase of a regulatory clock), as the review lists it. Times are ISO-8601 UTC. */
export interface PostmortemReportPhase {
  /** The phase id, e.g. `notification`. */
  readonly phase: string;
  /** E.g. `Notification to the supervisory authority`. */
  readonly title: string;
  /** The legal reference of this report, e.g. `GDPR Art. 33(1)`. */
  readonly reference: string;
  /** The last on-time instant; absent while the phase waits for what starts it. */
  readonly dueAt?: string;
  /** When it was first filed. */
  readonly filedAt?: string;
  /** At the review's `now` when given (a pending report past due is `overdue`), else as the incident recorded it. */
  readonly status: PostmortemReportStatus;
  /** The filing reference, e.g. the authority's case number. */
  readonly filingReference?: string;
  /** True when the report is late and the regime asks for the reasons (GDPR Art. 33(1)). */
  readonly reasonForDelayRequired: boolean;
  /** The recorded reasons for the delay, when present. */
  readonly reasonForDelay?: string;
}

/** One regulatory reporting clock of the incident, as the review lists it. */
export interface PostmortemReportingClock {
  /** The regime id, e.g. `gdpr`. */
  readonly regime: string;
  /** E.g. `GDPR personal data breach notification`. */
  readonly title: string;
  /** The legal instrument, e.g. `Regulation (EU) 2016/679 (GDPR), Art. 33`. */
  readonly reference: string;
  /** `overdue` if any report is, `complete` when every report is filed, else `open`. */
  readonly status: 'open' | 'overdue' | 'complete';
  readonly phases: readonly PostmortemReportPhase[];
}

/** A reporting deadline that passed without a filing, as recorded on the incident. */
export interface PostmortemOverdueReport {
  readonly regime: string;
  readonly phase: string;
  /** The missed deadline. */
  readonly dueAt: string;
  /** When the miss was recorded. */
  readonly at: string;
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
    /** The incident type's name, when the incident was declared with a type. */
    readonly type?: string;
    /** The custom status label, e.g. `monitoring`. */
    readonly statusLabel?: string;
    /** The label's display title from the incident's status labels, when it has one. */
    readonly statusLabelTitle?: string;
    /**
     * The custom fields. Values at the incident's `policy.sensitiveFields` are replaced with
     * `[REDACTED]` unless the review was built with `includeSensitiveFields: true`.
     */
    readonly fields: Readonly<Record<string, JsonValue>>;
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
    /**
     * `NOBODY_PAGED` events on the timeline: when the escalation policy ran out without paging
     * anyone, its last level and that level's targets (as the timeline names them, e.g.
     * `schedule sre-primary`, `role commander`). Empty without a timeline.
     */
    readonly nobodyPaged: readonly { readonly level?: number; readonly targets: readonly string[]; readonly at: string }[];
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
  /** Links to other incidents (`engine.link`, recurrences), oldest first. Empty when there are none. */
  readonly links: readonly { readonly kind: IncidentLinkKind; readonly incidentId: string; readonly at: string }[];
  readonly openQuestions: readonly string[];
  readonly review?: { readonly owner?: string; readonly startedAt: string; readonly completedAt?: string; readonly summary?: string };
  /** Regulatory reporting: each clock started on the incident, and the deadlines that were missed. Empty lists when there were none. */
  readonly reporting: {
    readonly clocks: readonly PostmortemReportingClock[];
    readonly overdue: readonly PostmortemOverdueReport[];
  };
  /** The incident's tasks (playbooks, `engine.addTask`) with who settled each and when; absent when it has none. */
  readonly tasks?: readonly PostmortemTask[];
  /**
   * Problems behind the incident: those given in the `problems` option (linked), then the known
   * error the incident matched when it opened (`incident.knownError`) unless it is among them.
   * Empty when there are none.
   */
  readonly problems: readonly PostmortemProblem[];
  /** The investigation's hypotheses with their outcomes, oldest first; absent when there were none. */
  readonly hypotheses?: readonly PostmortemHypothesis[];
  /** The evidence recorded by reference, oldest first; absent when there was none. */
  readonly evidence?: readonly PostmortemEvidence[];
  /** The root cause's causes and contributing factors by category; absent when none were recorded. */
  readonly causes?: PostmortemCauses;
  /** Milestones corrected on the timeline (`MILESTONE_CORRECTED`), oldest first; absent when there were none. */
  readonly milestoneCorrections?: readonly PostmortemMilestoneCorrection[];
  /** `true` when the incident was a drill (a practice incident, `incident.drill`); absent otherwise. */
  readonly drill?: true;
}

/** A task as the review lists it: when it was due, and when and by whom it was done or skipped. Times are ISO-8601 UTC. */
export interface PostmortemTask {
  readonly id: string;
  readonly title: string;
  readonly phase: string;
  readonly status: 'open' | 'done' | 'skipped';
  /** `role commander` or `user u_bo`. */
  readonly assignee?: string;
  readonly requiredFor?: string;
  readonly dueAt?: string;
  /** When it was recorded overdue (still open at `dueAt`). */
  readonly overdueAt?: string;
  readonly completedAt?: string;
  readonly completedBy?: string;
  /** The note or link given when it was done. */
  readonly evidence?: string;
  readonly skippedAt?: string;
  readonly skippedBy?: string;
  readonly skipReason?: string;
  /** How long after detection it was done or skipped. */
  readonly settledAfterMs?: number;
}

/** A problem as a review shows it (see {@link Postmortem.problems}). */
export interface PostmortemProblem {
  readonly id: string;
  readonly title: string;
  /** The problem's state when the review was built; absent for a matched known error not given in `problems`. */
  readonly status?: string;
  readonly workaround?: string;
  readonly rootCause?: string;
  /** `linked`: the problem links the incident; `knownErrorMatch`: the incident resembled this known error when it opened. */
  readonly relation: 'linked' | 'knownErrorMatch';
}

/** A problem as {@link BuildPostmortemOptions.problems} takes it; `engine.problems` returns them (`stored.problem`). */
export interface PostmortemProblemInput {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly workaround?: string;
  readonly rootCause?: string;
}

/** A hypothesis as the review lists it. */
export interface PostmortemHypothesis {
  readonly id: string;
  readonly statement: string;
  /** `open`, `confirmed` or `ruled_out`. */
  readonly status: string;
  /** The ids of the evidence named in support (see {@link Postmortem.evidence}). */
  readonly evidence: readonly string[];
  readonly note?: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

/** A piece of evidence as the review lists it. */
export interface PostmortemEvidence {
  readonly id: string;
  readonly kind: string;
  readonly uri: string;
  readonly sha256?: string;
  readonly note: string;
  readonly addedAt: string;
  readonly addedBy: string;
}

/** The causes of the root cause, grouped by category in the taxonomy's order. */
export interface PostmortemCauses {
  /** The taxonomy's id, e.g. `it`. */
  readonly taxonomy: string;
  readonly categories: readonly {
    readonly category: string;
    /** The category's title when the taxonomy is known (built-in, or given in the options), else its id. */
    readonly title: string;
    readonly causes: readonly string[];
    readonly contributing: readonly string[];
  }[];
}

/** One milestone correction. */
export interface PostmortemMilestoneCorrection {
  readonly milestone: string;
  readonly from?: string;
  readonly to: string;
  readonly reason: string;
  readonly at: string;
  readonly by: string;
}

/** Options of {@link buildPostmortem}. */
export interface BuildPostmortemOptions {
  /** The time the review is built at: ends ongoing phases and decides which action items are overdue. */
  readonly now?: TimeInput;
  /**
   * Rewrites every free text taken from the incident (titles, notes, summaries, string values of
   * custom fields as `field`, reasons for a late report as `reason`) — e.g. to strip patient data.
   */
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
  /**
   * Show the values of the incident's sensitive custom fields (`policy.sensitiveFields`, e.g. a
   * patient identifier) instead of `[REDACTED]`. Default: `false`. Only for documents that stay
   * where those values may be read.
   */
  readonly includeSensitiveFields?: boolean;
  /**
   * The problems that link the incident, e.g.
   * `(await engine.problems.list({ incidentId })).map((s) => s.problem)`; shown in `problems`.
   */
  readonly problems?: readonly PostmortemProblemInput[];
  /** Cause taxonomies of the host, for the titles of their categories (the built-in `it` and `rca2` are known). */
  readonly causeTaxonomies?: readonly CauseTaxonomy[];
}
