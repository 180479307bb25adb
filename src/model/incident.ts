import type { StatusLabels } from './statusLabels.js';
import type { ClockState } from './reportingClock.js';
import type { Actor } from './actor.js';
import type { JsonValue } from './primitives.js';

export { INCIDENT_STATUSES, OPEN_STATUSES, type IncidentStatus } from './status.js';
import { OPEN_STATUSES, type IncidentStatus } from './status.js';
import type { PublicIncidentSlice } from './publicIncident.js';
import type { IncidentTask } from './tasks.js';
import type { Cause, Evidence, Hypothesis } from './investigation.js';

/** The built-in response roles; hosts may add their own names. */
export const BUILT_IN_ROLES = ['commander', 'communications', 'operations', 'scribe'] as const;

/** Who holds a response role. */
export interface RoleAssignment {
  readonly assignee: { readonly id: string; readonly name?: string };
  readonly assignedAt: string;
  readonly assignedBy: Actor;
}

/** Status of an action item. */
export type ActionItemStatus = 'open' | 'in_progress' | 'done' | 'wont_do';

/** What an action item does about the incident (after the common postmortem taxonomies). */
export type ActionItemKind = 'prevent' | 'mitigate' | 'detect' | 'process';

/** How strong an action is, after the RCA² action hierarchy: `stronger` ones change systems, `weaker` ones rely on people. */
export type ActionItemStrength = 'stronger' | 'intermediate' | 'weaker';

/** A follow-up task that comes out of an incident. */
export interface ActionItem {
  readonly id: string;
  readonly title: string;
  readonly owner?: string;
  readonly dueAt?: string;
  readonly kind?: ActionItemKind;
  readonly strength?: ActionItemStrength;
  readonly status: ActionItemStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The recorded diagnosis. */
export interface RootCause {
  readonly summary: string;
  readonly contributingFactors: readonly string[];
  readonly recordedAt: string;
  readonly recordedBy: Actor;
  /** The causes and contributing factors by category (absent on root causes recorded without them). */
  readonly causes?: readonly Cause[];
  /** The id of the taxonomy `causes` are drawn from, e.g. `it` or `rca2`. */
  readonly taxonomy?: string;
}

/** The post-incident review's progress. */
export interface ReviewState {
  readonly owner?: string;
  readonly startedAt: string;
  readonly completedAt?: string;
  readonly summary?: string;
}

/** Why an incident was canceled. */
export type CancelReason = 'false_positive' | 'duplicate' | 'declined';

/**
 * Whom an escalation level pages: a plain id the host resolves (a person, a team, …, unchanged
 * from before typed targets), or a typed target the engine resolves when the level fires — a
 * user, whoever is on call on a stored schedule (`engine.schedules`), or the incident's holder
 * of a response role.
 */
export type EscalationTarget =
  | string
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'schedule'; readonly id: string }
  | { readonly kind: 'role'; readonly role: string };

/** What one typed target of a fired escalation level resolved to. */
export interface ResolvedTarget {
  readonly target: Exclude<EscalationTarget, string>;
  /** Empty when it resolved to nobody (a schedule gap, an unknown schedule, an unfilled role). */
  readonly userIds: readonly string[];
}

/** One level of an escalation policy. */
export interface EscalationLevel {
  /** Minutes after the previous level (after `declare` for the first); 0 means at once. */
  readonly afterMinutes: number;
  /** Whom the level pages; typed targets are resolved when the level fires. */
  readonly targets: readonly EscalationTarget[];
  /** Skip this level when it has no targets. */
  readonly skipIfEmpty?: boolean;
}

/** An escalation policy: levels fired in turn while the incident is unacknowledged. */
export interface EscalationPolicy {
  readonly levels: readonly EscalationLevel[];
  /** How many times to restart the levels after the last one (0–9, as PagerDuty). */
  readonly repeat?: number;
}

/** A recurring reminder while an incident of the given severities is active (triage, responding, mitigated). */
export interface ReminderPolicy {
  readonly kind: 'status_update';
  readonly everyMinutes: number;
  readonly severities: readonly string[];
}

/** Response targets of one severity, in minutes from detection. */
export interface ResponseTargets {
  readonly acknowledgeWithinMinutes?: number;
  readonly mitigateWithinMinutes?: number;
  readonly resolveWithinMinutes?: number;
}

/** The response targets an incident can breach. */
export type TargetName = 'acknowledge' | 'mitigate' | 'resolve';

/** A missed response target. */
export interface TargetBreach {
  readonly target: TargetName;
  /** When the target was due (ISO-8601 UTC). */
  readonly dueAt: string;
  /** When the breach was recorded. */
  readonly at: string;
}

/** The status of an alert at its source. */
export type AlertStatus = 'firing' | 'acknowledged' | 'resolved';

/**
 * How many alerts an incident carries in `incident.alerts`: the newest 100, in the order they
 * were attached. `incident.alertCount` counts all of them; `engine.alerts(id)` pages through all.
 */
export const INCIDENT_ALERTS_LIMIT = 100;

/**
 * One alert (a monitoring tool's fingerprint) attached to an incident.
 *
 * @remarks Stores keep each alert as its own row; the incident carries the newest
 * {@link INCIDENT_ALERTS_LIMIT} of them.
 */
export interface AlertSummary {
  readonly fingerprint: string;
  /** The key it was deduplicated by (`dedupKey ?? fingerprint` of its signals). */
  readonly dedupKey: string;
  readonly source: string;
  readonly status: AlertStatus;
  readonly summary: string;
  /** When the first signal of this alert arrived (ISO-8601 UTC). */
  readonly firstSeenAt: string;
  /** When the alert last changed status. */
  readonly statusChangedAt: string;
  /**
   * When the last signal of this alert arrived. Repeats are counted, not logged, so this (like
   * `count` and the incident's `signalCount`) is not rebuilt by replaying the timeline.
   */
  readonly lastSeenAt?: string;
  /** Signals received for this alert (repeats included); not rebuilt by replay. */
  readonly count?: number;
  /**
   * The incident this alert came from when that incident was merged into this one
   * (`engine.merge`); absent for alerts attached here. `engine.unmerge` moves exactly these back.
   */
  readonly mergedFrom?: string;
}

/** Where an incident's escalation stands. */
export interface EscalationState {
  /** The last level reached (1-based). */
  readonly level: number;
  /** How many times the levels restarted. */
  readonly cycle: number;
  /** How many escalations happened in all. */
  readonly count: number;
  readonly targets: readonly EscalationTarget[];
  /** The users the last level's typed targets resolved to when it fired (absent before typed targets). */
  readonly paged?: readonly string[];
  readonly lastEscalatedAt: string;
}

/** Policies frozen into an incident when it is declared. */
export interface IncidentPolicySnapshot {
  /** Severities that need a completed review before `close`. */
  readonly reviewRequiredFor: readonly string[];
  readonly escalation?: EscalationPolicy;
  readonly reminders?: readonly ReminderPolicy[];
  readonly targets?: Readonly<Record<string, ResponseTargets>>;
  /** When present, severities that need a qualifying action item before `close` (see `actionItemPolicyViolation`). */
  readonly actionItems?: {
    readonly requiredFor: readonly string[];
    readonly minimumStrength: ActionItemStrength;
    readonly unratedQualifies: boolean;
    readonly kinds?: readonly ActionItemKind[];
  };
  /** The custom status labels of the incident's type (or the engine's), when it has any. */
  readonly statusLabels?: StatusLabels;
  /**
   * Dot paths of custom fields that are stored but redacted in notifications, webhook bodies,
   * exports and review documents (from the incident type's `sensitiveFields`).
   */
  readonly sensitiveFields?: readonly string[];
}

/** A reporting deadline that passed without a filing, recorded once per phase and due time. */
export interface OverdueReport {
  /** The regime id, e.g. `gdpr`. */
  readonly regime: string;
  /** The phase id, e.g. `notification`. */
  readonly phase: string;
  /** The last on-time instant that was missed (ISO-8601 UTC). */
  readonly dueAt: string;
  /** When the miss was recorded. */
  readonly at: string;
}

/**
 * How one incident is linked to another. Each link is recorded on both incidents, the second
 * with the inverse kind:
 *
 * - `relatesTo` ↔ `relatesTo`: related, no more said (`engine.link`);
 * - `causedBy` ↔ `causes`: this incident was caused by the other (`engine.link`);
 * - `parentOf` ↔ `childOf`: the other incident is part of this one (`engine.link`);
 * - `recurrenceOf` ↔ `recurredAs`: an alert opened this incident again after the other one
 *   resolved past its reopen window, was in review or closed (ingest). An incident linked
 *   `recurredAs` holds no dedup key, so the alert's repeats land on the recurrence; a closed
 *   incident does not record the link;
 * - `mergedInto` ↔ `mergedFrom`: this incident was merged into the other one (`engine.merge`):
 *   its alerts and dedup keys moved there. `engine.unmerge` removes both links again.
 */
export const INCIDENT_LINK_KINDS = ['relatesTo', 'causedBy', 'causes', 'parentOf', 'childOf', 'recurrenceOf', 'recurredAs', 'mergedInto', 'mergedFrom'] as const;

/** The kinds `engine.link` records (the others are their inverses, or ingest's). */
export const USER_LINK_KINDS = ['relatesTo', 'causedBy', 'parentOf'] as const;

/** The kind each link is recorded with on the other incident. */
export const INVERSE_LINK_KIND: Readonly<Record<IncidentLinkKind, IncidentLinkKind>> = {
  relatesTo: 'relatesTo',
  causedBy: 'causes',
  causes: 'causedBy',
  parentOf: 'childOf',
  childOf: 'parentOf',
  recurrenceOf: 'recurredAs',
  recurredAs: 'recurrenceOf',
  mergedInto: 'mergedFrom',
  mergedFrom: 'mergedInto',
};

/** One of {@link INCIDENT_LINK_KINDS}. */
export type IncidentLinkKind = (typeof INCIDENT_LINK_KINDS)[number];

/** A link from one incident to another, as recorded on its timeline (`INCIDENT_LINKED`). */
export interface IncidentLink {
  readonly kind: IncidentLinkKind;
  /** The other incident. */
  readonly incidentId: string;
  /** When the link was recorded. */
  readonly at: string;
}

/**
 * Whether an incident holds its dedup keys (its own `dedupKey` and its alerts' keys): while it is
 * open (`OPEN_STATUSES`) and no recurrence took them over (a `recurredAs` link). The stores keep
 * at most one such incident per own key; ingest finds it by any of them.
 */
export function holdsDedupKeys(incident: Pick<Incident, 'status' | 'links'>): boolean {
  return OPEN_STATUS_SET.has(incident.status) && !(incident.links ?? []).some((link) => link.kind === 'recurredAs');
}

const OPEN_STATUS_SET: ReadonlySet<IncidentStatus> = /* @__PURE__ */ new Set(OPEN_STATUSES);

/** A past incident found similar when this one was declared. */
export interface SimilarIncidentRef {
  readonly id: string;
  /**
   * The linked incident's title: not stored, but filled in by `engine.get` and `engine.list`
   * for a reader who may `read` that incident (absent otherwise).
   */
  readonly title?: string;
  /** Similarity in [0, 1]. */
  readonly score: number;
  /** Why it is similar, in words. */
  readonly reasons: readonly string[];
}

/**
 * A change (a deploy, a config change) to the incident's service recorded shortly before the
 * incident opened, as `engine.changes.record` or `POST /v2/change/enqueue` stored it.
 */
export interface ChangeRef {
  /** The change's id (`chg_…`), as `engine.changes.recent` lists it. */
  readonly id: string;
  /** When the change happened (its `timestamp`, else when it was received); ISO-8601 UTC. */
  readonly at: string;
  /** What changed, e.g. `Deployed api v2.31.0`. */
  readonly summary: string;
  /** Where it happened or what made it, e.g. a build agent or `git`. */
  readonly source?: string;
  /** Links sent with the change (a build, a pull request). */
  readonly links?: readonly { readonly href: string; readonly text?: string }[];
}

/**
 * The current state of one incident: the projection of its timeline.
 *
 * @remarks Milestones that have not happened are absent (`undefined`). Every time is an
 * ISO-8601 string in UTC. `version` is the `seq` of the last event applied.
 */
export interface Incident {
  readonly id: string;
  readonly tenantId: string;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly severity: string;
  readonly service?: string;
  readonly summary?: string;
  readonly dedupKey?: string;
  readonly version: number;
  /** When impact began; may precede detection. */
  readonly startedAt: string;
  /** When the incident was declared or detected. */
  readonly detectedAt: string;
  readonly acknowledgedAt?: string;
  readonly mitigatedAt?: string;
  readonly diagnosedAt?: string;
  readonly resolvedAt?: string;
  readonly reviewStartedAt?: string;
  readonly closedAt?: string;
  readonly canceledAt?: string;
  /** Time of the last event. */
  readonly updatedAt: string;
  readonly createdBy: Actor;
  readonly roles: Readonly<Record<string, RoleAssignment>>;
  readonly rootCause?: RootCause;
  readonly actionItems: readonly ActionItem[];
  readonly labels: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, JsonValue>>;
  readonly mitigation?: { readonly summary: string };
  readonly resolution?: { readonly summary?: string };
  readonly review?: ReviewState;
  /**
   * Why the incident was canceled. An incident merged into another (`engine.merge`) has reason
   * `duplicate`, `mergedInto`, and `previousStatus`: the state it was merged from, which
   * `engine.unmerge` returns it to.
   */
  readonly cancellation?: { readonly reason: CancelReason; readonly mergedInto?: string; readonly previousStatus?: IncidentStatus };
  /** How many times the incident was reopened. */
  readonly reopenCount: number;
  /** Escalation progress, once the incident escalated. */
  readonly escalation?: EscalationState;
  /** Response targets missed, each recorded once. */
  readonly breaches: readonly TargetBreach[];
  /**
   * The newest alerts from monitoring tools attached to the incident (signal-born or grouped):
   * at most {@link INCIDENT_ALERTS_LIMIT} (100), in the order they were attached (oldest first,
   * newest last). `alertCount` counts all of them; `engine.alerts(id)` pages through all.
   */
  readonly alerts: readonly AlertSummary[];
  /** How many alerts are attached, all of them (`alerts` holds only the newest 100). */
  readonly alertCount: number;
  /** How many attached alerts are not resolved at their source (`firing` or `acknowledged`). */
  readonly unresolvedAlertCount: number;
  /** All services affected, when more than one (imported history often has several). */
  readonly services?: readonly string[];
  /** Set on incidents recorded after the fact with `engine.importIncident`. */
  readonly imported?: boolean;
  /** Similar past incidents recorded at declaration (policy `similar`). */
  readonly similarIncidents?: readonly SimilarIncidentRef[];
  /** Links to other incidents (a recurrence and the incident it recurs), oldest first. */
  readonly links?: readonly IncidentLink[];
  /**
   * Changes to the incident's service (deploys, config changes) recorded within the changes
   * window before it opened, newest first (the `changes` option of `createIncidentEngine`).
   */
  readonly recentChanges?: readonly ChangeRef[];
  /**
   * Firing signals received, repeats included. Counted without a timeline entry per repeat (an
   * alert storm must not bloat the timeline), so it is not rebuilt by replay.
   */
  readonly signalCount?: number;
  /** The incident type's name, for incidents declared with `declare({ type })`. */
  readonly type?: string;
  /**
   * The custom status label (e.g. `investigating`), when the incident's type defines labels.
   * Set with `engine.setStatusLabel`; reconciled on every state change (a label that does not
   * apply in the new state gives way to that state's default label, or none).
   */
  readonly statusLabel?: string;
  /** Regulatory reporting clocks started with `engine.startClock`, one per regime. */
  readonly clocks?: readonly ClockState[];
  /** Reporting deadlines that passed without a filing (`REPORT_OVERDUE`). */
  readonly overdueReports?: readonly OverdueReport[];
  /**
   * What was published on a status page (`engine.publish`, `engine.postPublicUpdate`): the
   * public name, impact, status, components and updates, written for the public. Absent until
   * the incident is published.
   */
  readonly publicIncident?: PublicIncidentSlice;
  /** The known error (a problem with a workaround) this incident resembles, found when it opened (`KNOWN_ERROR_MATCHED`). */
  readonly knownError?: KnownErrorMatch;
  /** The problem proposed when this incident opened as a recurrence (`PROBLEM_PROPOSED`). */
  readonly problemProposal?: ProblemProposal;
  readonly policy: IncidentPolicySnapshot;
  /**
   * The incident's tasks: attached by matching playbooks (`createIncidentEngine({ playbooks })`)
   * at declaration and when the severity changes, or added with `engine.addTask`; in the order
   * they were attached. Every incident has the list (empty without tasks); only incidents built
   * by hand may lack it.
   */
  readonly tasks?: readonly IncidentTask[];
  /** Hypotheses of the investigation and their outcomes (`engine.addHypothesis`), oldest first. Absent until the first. */
  readonly hypotheses?: readonly Hypothesis[];
  /** Evidence kept by reference (`engine.addEvidence`), oldest first. Absent until the first. */
  readonly evidence?: readonly Evidence[];
  /**
   * `true` for a drill (a practice incident: `declare({ drill: true })`, or an engine made with
   * `drill: true`); absent for real incidents. A drill runs the real lifecycle, timers, routing
   * and escalation, but its notifications reach only `drillSafe` notifiers, and metrics, similar
   * incidents and problem proposals leave it out (see docs/drills.md).
   */
  readonly drill?: boolean;
  /**
   * The data subject whose personal data the incident's sensitive fields hold
   * (`declare({ subjectId })`): with a `keyring`, they are stored encrypted with this subject's
   * key. An opaque id (a pseudonym), never the identifier itself.
   */
  readonly subjectId?: string;
  /** When the subject's personal data was erased (`engine.erase`, the `ERASED` event). */
  readonly erasedAt?: string;
}

/**
 * A known error a new incident resembles (`incident.knownError`): the problem and its
 * workaround as they were when the incident opened, so responders see the workaround at once.
 */
export interface KnownErrorMatch {
  /** The problem's id (`engine.problems.get`). */
  readonly problemId: string;
  readonly title: string;
  readonly workaround: string;
  /** The problem's linked incident this one resembles most. */
  readonly incidentId: string;
  /** Similarity in [0, 1] (see `findSimilarIncidents`). */
  readonly score: number;
  /** Why it is similar, in words. */
  readonly reasons: readonly string[];
  /** ISO-8601 UTC. */
  readonly matchedAt: string;
}

/**
 * A problem proposed for a recurring incident (`incident.problemProposal`): this incident and
 * `similar` make at least the configured number of similar incidents within the window, and
 * none of them belongs to a problem yet. Open one with `engine.problems.open`.
 */
export interface ProblemProposal {
  /** The similar earlier incidents, most similar first. */
  readonly similar: readonly string[];
  /** The window they fall in, in days. */
  readonly windowDays: number;
  /** ISO-8601 UTC. */
  readonly proposedAt: string;
}
