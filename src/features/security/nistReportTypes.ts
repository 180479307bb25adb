import type { Actor } from '../../model/actor.js';
import type { NistCsfTag } from '../../model/nistCsf.js';
import type { RedactField } from '../../lifecycle/describeEvent.js';

/**
 * The sections of a NIST report, in order: the five of an SP 800-61r3 incident report, then
 * communication (`RS.CO`) and preparation (Govern, Identify and Protect outcomes but `ID.IM`).
 */
export const NIST_REPORT_SECTIONS = ['detection', 'analysis', 'containmentEradication', 'recovery', 'lessonsLearned', 'communication', 'preparation'] as const;

/** One of {@link NIST_REPORT_SECTIONS}. */
export type NistReportSectionId = (typeof NIST_REPORT_SECTIONS)[number];

/** Where an entry's tags come from. */
export type NistTagSource =
  /** The `nist` field of the command that recorded the event, or `engine.tagEvent` afterwards. */
  | 'tagged'
  /** The default mapping of the event's type ({@link DEFAULT_NIST_TAGS}), for an untagged event. */
  | 'default';

/** One timeline event as the report lists it. */
export interface NistReportEntry {
  readonly seq?: number;
  /** The stored event type, e.g. `MITIGATED`. */
  readonly type: string;
  /** ISO-8601 UTC. */
  readonly at: string;
  /** Who recorded it (its display name). */
  readonly by: string;
  /** One sentence about it, as the postmortem's key timeline reads. */
  readonly text: string;
  /** Its NIST CSF 2.0 tags (every one, not only those of this section). */
  readonly tags: readonly NistCsfTag[];
  readonly tagSource: NistTagSource;
}

/** One section of the report: its CSF outcomes and the events filed under them, in timeline order. */
export interface NistReportSection {
  readonly id: NistReportSectionId;
  readonly title: string;
  /** The CSF 2.0 functions and categories the section covers, e.g. `['RS.MI']`. */
  readonly covers: readonly NistCsfTag[];
  readonly entries: readonly NistReportEntry[];
}

/**
 * A piece of evidence with its chain of custody: who collected it, when, its SHA-256, where it
 * is stored, and the hash-chained timeline event that recorded it.
 */
export interface NistReportEvidence {
  readonly id: string;
  /** `link`, `log` or `attachment`. */
  readonly kind: string;
  /** Where it is stored (a URI). */
  readonly storedAt: string;
  /** The SHA-256 of its bytes, when given. */
  readonly sha256?: string;
  readonly note: string;
  /** Who collected it (display name) and when (ISO-8601 UTC). */
  readonly collectedBy: string;
  readonly collectedByActor: Actor;
  readonly collectedAt: string;
  /** The `EVIDENCE_ADDED` event's `seq` and `hash` (verify them with `engine.verifyTimeline`). */
  readonly eventSeq?: number;
  readonly eventHash?: string;
}

/** The lessons-learned part: root cause, causes, action items (Identify: Improvement, `ID.IM`). */
export interface NistReportLessons {
  readonly rootCause?: string;
  readonly contributingFactors: readonly string[];
  /** The causes by category, as recorded (`recordRootCause({ causes })`). */
  readonly causes: readonly { readonly category: string; readonly description: string; readonly contributing: boolean }[];
  readonly actionItems: readonly {
    readonly id: string;
    readonly title: string;
    readonly owner?: string;
    readonly dueAt?: string;
    readonly status: string;
    readonly kind?: string;
  }[];
}

/** What {@link buildNistReport} returns: a report shaped after NIST SP 800-61 Rev. 3, as data. */
export interface NistReport {
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly severity: string;
    readonly status: string;
    readonly service?: string;
    readonly startedAt: string;
    readonly detectedAt: string;
    readonly acknowledgedAt?: string;
    readonly mitigatedAt?: string;
    readonly resolvedAt?: string;
    readonly closedAt?: string;
  };
  /** The sections in {@link NIST_REPORT_SECTIONS} order (empty ones included). */
  readonly sections: readonly NistReportSection[];
  readonly evidence: readonly NistReportEvidence[];
  readonly lessons: NistReportLessons;
  /** Events neither tagged nor mapped by default (e.g. untagged notes, task bookkeeping): nothing is dropped silently. */
  readonly unmapped: readonly NistReportEntry[];
  /** How many events carry each tag (explicit or default), in CSF order. */
  readonly tagCounts: Readonly<Partial<Record<NistCsfTag, number>>>;
}

/** Options of {@link buildNistReport}. */
export interface BuildNistReportOptions {
  /**
   * Tags for untagged events by stored type, over {@link DEFAULT_NIST_TAGS} (an empty list
   * leaves that type unmapped).
   */
  readonly defaultTags?: Readonly<Partial<Record<string, readonly NistCsfTag[]>>>;
  /** Replaces sensitive text (titles, notes, …), as in `buildPostmortem`. */
  readonly redact?: (text: string, field: RedactField) => string;
  /** The name shown for an actor; default: its `name`, else its id. */
  readonly displayName?: (actor: { readonly id: string; readonly name?: string }) => string;
}
