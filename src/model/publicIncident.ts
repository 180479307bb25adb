/**
 * The public side of an incident (`incident.publicIncident`): what was published on a status
 * page on purpose, kept apart from everything internal (notes, internal updates, roles, custom
 * fields). Declared with the model so the lifecycle can project it; the status page feature
 * (`src/features/statusPage/`) owns its meaning.
 *
 * @packageDocumentation
 */

/** A component's status on a status page (the status page's `ComponentStatus`). */
export type PublicComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

/** The public impact of a published incident (the status page's `PublicImpact`). */
export type PublicIncidentImpact = 'none' | 'minor' | 'major' | 'critical';

/** The public status of a published incident (the status page's `PublicIncidentStatus`). */
export type PublicIncidentState = 'investigating' | 'identified' | 'monitoring' | 'resolved';

/** One public update as the incident's projection keeps it. */
export interface PublicUpdateRecord {
  /** The update's id (stable; in feeds and the Statuspage JSON). */
  readonly id: string;
  readonly status: PublicIncidentState;
  /** The text written for the public. */
  readonly body: string;
  /** When it was posted (ISO-8601 UTC). */
  readonly at: string;
  /** The components this update set explicitly, with the status it set. */
  readonly components: Readonly<Record<string, PublicComponentStatus>>;
  /** The components whose shown status the update changed (before → after), as computed when it was posted. */
  readonly affected: readonly { readonly id: string; readonly oldStatus: PublicComponentStatus; readonly newStatus: PublicComponentStatus }[];
}

/**
 * An incident as published on a status page (`engine.publish`), with its public updates
 * (`engine.postPublicUpdate`), oldest first.
 */
export interface PublicIncidentSlice {
  /** The status page it is published on. */
  readonly pageId: string;
  /** The public id (shown in URLs and feeds instead of anything internal). */
  readonly publicId: string;
  /** The public name (not the internal title). */
  readonly name: string;
  readonly impact: PublicIncidentImpact;
  readonly status: PublicIncidentState;
  /** Every component set explicitly so far, with the status last set. */
  readonly components: Readonly<Record<string, PublicComponentStatus>>;
  /** When it was published (ISO-8601 UTC). */
  readonly publishedAt: string;
  /** When the last public update was posted. */
  readonly updatedAt: string;
  /** When its public status became `resolved` (absent while it is not). */
  readonly resolvedAt?: string;
  /** The public updates, oldest first (the first is the one `publish` posted). */
  readonly updates: readonly PublicUpdateRecord[];
}
