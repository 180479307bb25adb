import type { Incident } from './incident.js';

/**
 * The machine's context: every fact of the projection except `status` and `version`.
 *
 * @remarks Declared with the model (not the machine) so that stores can hold it without
 * depending on the lifecycle.
 */
export type IncidentContext = Omit<Incident, 'status' | 'version'>;

/**
 * Where the lifecycle machine stands, as XState reports it (`snapshot.value`): open incidents
 * are in a substate of `open`.
 */
export type IncidentStateValue =
  | { readonly open: { readonly active: 'triage' | 'responding' | 'mitigated' } | 'resolved' | 'postIncident' }
  | 'closed'
  | 'canceled';

/** A machine snapshot as stores keep it: the state value and the context, as JSON. */
export interface PersistedIncidentSnapshot {
  readonly value: IncidentStateValue;
  readonly context: IncidentContext;
}
