/**
 * What a status page shows, as plain data: the contract between the status page feature (which
 * keeps the page, its components, public incidents and maintenance in the store) and the
 * renderers (Statuspage v2 JSON, Atom/RSS feeds, the HTML page), which are pure functions of a
 * {@link StatusPageSnapshot}. Nothing internal to an incident (notes, roles, custom fields,
 * redacted fields) is part of it: only what was written for the public, on purpose.
 *
 * @packageDocumentation
 */

/** A component's status, as Statuspage names them. */
export const COMPONENT_STATUSES = /* @__PURE__ */ Object.freeze(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const);
/** One of {@link COMPONENT_STATUSES}. */
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** The impact of a public incident (and the page's overall indicator), as Statuspage names them. */
export const PUBLIC_IMPACTS = /* @__PURE__ */ Object.freeze(['none', 'minor', 'major', 'critical'] as const);
/** One of {@link PUBLIC_IMPACTS}. */
export type PublicImpact = (typeof PUBLIC_IMPACTS)[number];

/** The status of a public incident, as its public updates set it. */
export const PUBLIC_INCIDENT_STATUSES = /* @__PURE__ */ Object.freeze(['investigating', 'identified', 'monitoring', 'resolved'] as const);
/** One of {@link PUBLIC_INCIDENT_STATUSES}. */
export type PublicIncidentStatus = (typeof PUBLIC_INCIDENT_STATUSES)[number];

/** The status of a scheduled maintenance. */
export const MAINTENANCE_STATUSES = /* @__PURE__ */ Object.freeze(['scheduled', 'in_progress', 'verifying', 'completed'] as const);
/** One of {@link MAINTENANCE_STATUSES}. */
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

/** A component of a status page: a part of the service the public cares about. */
export interface StatusPageComponent {
  /** Letters, digits, `-` or `_`; stable (it is in URLs and subscriptions). */
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** The group it is shown under (e.g. `Europe`); components without one are shown on their own. */
  readonly group?: string;
  /** The incident `service` values that affect it: an open public incident of one of them sets its status. */
  readonly services?: readonly string[];
  /** Shown only while it is not `operational`. */
  readonly onlyShowIfDegraded?: boolean;
}

/** A status page: its identity and components. */
export interface StatusPage {
  /** Letters, digits, `-` or `_`. */
  readonly id: string;
  readonly name: string;
  /** The page's public URL (links in feeds, emails and the JSON's `page.url`). */
  readonly url: string;
  /** The IANA time zone days are shown in (e.g. `Europe/Berlin`); the JSON's `page.time_zone`. */
  readonly timeZone: string;
  readonly components: readonly StatusPageComponent[];
}

/** A component and where it stands now. */
export interface ComponentState {
  readonly component: StatusPageComponent;
  readonly status: ComponentStatus;
  /** When its status last changed (ISO-8601 UTC); the page's creation time when it never did. */
  readonly updatedAt: string;
  /** When it was added to the page (ISO-8601 UTC; the JSON's `created_at`); renderers fall back to `updatedAt`. */
  readonly createdAt?: string;
}

/** A component an update changed, with its status before and after. */
export interface AffectedComponent {
  readonly id: string;
  readonly name: string;
  readonly oldStatus: ComponentStatus;
  readonly newStatus: ComponentStatus;
}

/** One public update of a public incident or a maintenance: written for the public. */
export interface PublicUpdate {
  readonly id: string;
  readonly status: PublicIncidentStatus | MaintenanceStatus;
  /** The text shown, as written (plain text; renderers escape it). */
  readonly body: string;
  readonly createdAt: string;
  /** The components the update changed (empty when it changed none). */
  readonly affectedComponents: readonly AffectedComponent[];
}

/** An incident as the public sees it: published on purpose, with its public updates. */
export interface PublicIncident {
  /** The public id (stable; in URLs and feeds). Not necessarily the internal incident id. */
  readonly id: string;
  readonly name: string;
  readonly status: PublicIncidentStatus;
  readonly impact: PublicImpact;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When its status became `resolved`, if it did. */
  readonly resolvedAt?: string;
  /** A link to the incident on the page. */
  readonly shortlink: string;
  /** The components it affects now, with their status. */
  readonly components: readonly { readonly id: string; readonly status: ComponentStatus }[];
  /** Newest first. */
  readonly updates: readonly PublicUpdate[];
}

/** A scheduled maintenance as the public sees it. */
export interface ScheduledMaintenance {
  readonly id: string;
  readonly name: string;
  readonly status: MaintenanceStatus;
  readonly scheduledFor: string;
  readonly scheduledUntil: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When it was completed, if it was. */
  readonly resolvedAt?: string;
  readonly shortlink: string;
  /** The components under maintenance. */
  readonly components: readonly string[];
  /** Newest first. */
  readonly updates: readonly PublicUpdate[];
}

/** A component's status on one day of its history (the bars of the uptime chart). */
export interface UptimeDay {
  /** The day, `YYYY-MM-DD` in the page's time zone. */
  readonly date: string;
  /** The worst status of the day. */
  readonly worst: ComponentStatus;
  /** The share of the day the component was up (0 to 1), outages weighted (see `uptime`). */
  readonly uptime: number;
}

/** A component's uptime over the shown range. */
export interface ComponentUptime {
  readonly componentId: string;
  /** The share of the range it was up (0 to 1), outages weighted. */
  readonly uptime: number;
  /** Oldest first. */
  readonly days: readonly UptimeDay[];
}

/** Everything a status page shows at one moment: what the renderers take. */
export interface StatusPageSnapshot {
  readonly page: StatusPage;
  /** When the snapshot was taken (ISO-8601 UTC). */
  readonly at: string;
  /** When anything on the page last changed (the JSON's `page.updated_at`). */
  readonly updatedAt: string;
  readonly components: readonly ComponentState[];
  /** Public incidents, newest first: the unresolved ones and those of the shown history. */
  readonly incidents: readonly PublicIncident[];
  /** Scheduled maintenances, soonest first: upcoming, active and recently completed. */
  readonly maintenances: readonly ScheduledMaintenance[];
  /** Per component, when the snapshot was asked with uptime. */
  readonly uptime?: readonly ComponentUptime[];
}
