/**
 * The lifecycle states of an incident, on their own so that every slice of the model can name
 * them without importing the whole incident.
 *
 * @module
 */

/** The lifecycle states of an incident (DESIGN §3); the names are public. */
export const INCIDENT_STATUSES = ['triage', 'responding', 'mitigated', 'resolved', 'postIncident', 'closed', 'canceled'] as const;

/** One of {@link INCIDENT_STATUSES}. */
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which an incident is still open (not `closed` or `canceled`). */
export const OPEN_STATUSES: readonly IncidentStatus[] = ['triage', 'responding', 'mitigated', 'resolved', 'postIncident'];
