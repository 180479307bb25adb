/**
 * The investigation record of an incident: hypotheses with their outcomes, evidence kept by
 * reference, the causes of a root cause drawn from a taxonomy, and milestone corrections.
 */

import type { Actor } from './actor.js';

/** Where a hypothesis stands: still `open`, `confirmed` by what was found, or `ruled_out`. */
export type HypothesisStatus = 'open' | 'confirmed' | 'ruled_out';

/** The statuses of a hypothesis, in order. */
export const HYPOTHESIS_STATUSES = ['open', 'confirmed', 'ruled_out'] as const satisfies readonly HypothesisStatus[];

/** A hypothesis about what is going on, and what came of it (`engine.addHypothesis`, `engine.updateHypothesis`). */
export interface Hypothesis {
  /** `hyp_…`, chosen by the engine. */
  readonly id: string;
  /** What the responders suspect, e.g. `The connection pool is exhausted`. */
  readonly statement: string;
  readonly status: HypothesisStatus;
  /** The ids of the evidence (`incident.evidence`) the last update named in support of its status. */
  readonly evidence?: readonly string[];
  /** Why the last update set its status, in words. */
  readonly note?: string;
  readonly createdAt: string;
  readonly createdBy: Actor;
  /** When its status last changed (or when it was added). */
  readonly updatedAt: string;
  readonly updatedBy: Actor;
}

/** What a piece of evidence is: a `link` (a dashboard, a ticket), a `log` excerpt, or an `attachment` (a file kept elsewhere). */
export type EvidenceKind = 'link' | 'log' | 'attachment';

/** The kinds of evidence, in order. */
export const EVIDENCE_KINDS = ['link', 'log', 'attachment'] as const satisfies readonly EvidenceKind[];

/**
 * One piece of evidence, kept by reference: the bytes stay where they are (`uri`); the timeline
 * records who added it, when, and — with `sha256` — exactly which bytes, so the hash-chained
 * timeline is a chain of custody.
 */
export interface Evidence {
  /** `evd_…`, chosen by the engine. */
  readonly id: string;
  readonly kind: EvidenceKind;
  /** Where it is, e.g. `https://grafana.example.com/d/abc`, `s3://forensics/host-7.img`. */
  readonly uri: string;
  /** The SHA-256 of the referenced bytes, 64 lowercase hex characters. */
  readonly sha256?: string;
  /** What it shows, or the log excerpt itself. */
  readonly note: string;
  readonly addedAt: string;
  readonly addedBy: Actor;
}

/** One cause of an incident, in a category of a cause taxonomy. */
export interface Cause {
  /** A category id of the root cause's taxonomy, e.g. `change`, `human_factors`. */
  readonly category: string;
  /** What happened, in words. */
  readonly description: string;
  /** A contributing factor rather than a root cause. */
  readonly contributing?: boolean;
}

/** One category of a {@link CauseTaxonomy}. */
export interface CauseCategory {
  /** Letters, digits, `_` or `-`, starting with a letter, e.g. `configuration`. */
  readonly id: string;
  /** How people read it, e.g. `Configuration`. */
  readonly title: string;
  readonly description?: string;
}

/**
 * A set of cause categories that root causes are recorded in (`causeTaxonomies` of
 * `createIncidentEngine`): `it` and `rca2` ship with the library; hosts add their own.
 */
export interface CauseTaxonomy {
  /** Letters, digits, `_` or `-`, starting with a letter, e.g. `it`. */
  readonly id: string;
  readonly title: string;
  readonly categories: readonly CauseCategory[];
}

/** The milestones `engine.correctMilestone` may correct on a live incident, in chronological order. */
export const CORRECTABLE_MILESTONES = ['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'diagnosedAt', 'resolvedAt', 'reviewStartedAt'] as const;

/** One of {@link CORRECTABLE_MILESTONES}. */
export type CorrectableMilestone = (typeof CORRECTABLE_MILESTONES)[number];
