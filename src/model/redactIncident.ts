import type { StoredEvent } from './event.js';
import type { Incident } from './incident.js';
import type { JsonValue } from './primitives.js';
import { REDACTED, redactFields } from './redactFields.js';

/**
 * An incident with its sensitive custom fields (the `sensitiveFields` of its type, frozen into
 * `incident.policy`) replaced by `[REDACTED]`: what notifications, exports and review
 * documents carry.
 *
 * @remarks The stored incident keeps the values; only this copy is redacted. An incident
 * without sensitive fields is returned as it is.
 *
 * @example
 * ```ts
 * import { redactIncident, type Incident } from 'incidentkit';
 *
 * declare const incident: Incident; // policy.sensitiveFields: ['patientId']
 * redactIncident(incident).fields.patientId; // '[REDACTED]'
 * ```
 */
export function redactIncident(incident: Incident, replacement: string = REDACTED): Incident {
  const paths = incident.policy.sensitiveFields ?? [];
  if (paths.length === 0) return incident;
  return { ...incident, fields: redactFields<JsonValue>(incident.fields, paths, replacement) };
}

/**
 * A timeline event with the sensitive custom fields in its data (`DECLARED` and
 * `FIELDS_UPDATED` carry `fields`) replaced by `[REDACTED]`.
 *
 * @remarks The copy's `hash` no longer verifies against its data; use it for display and
 * delivery, never for `verifyChain`.
 *
 * @example
 * ```ts
 * import { redactEvent, type StoredEvent } from 'incidentkit';
 *
 * declare const event: StoredEvent; // a DECLARED event with fields.patientId
 * redactEvent(event, ['patientId']).data.fields; // { patientId: '[REDACTED]', … }
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when a path is malformed (see `redactFields`).
 */
export function redactEvent(event: StoredEvent, sensitiveFields: readonly string[], replacement: string = REDACTED): StoredEvent {
  const fields = event.data.fields;
  if (sensitiveFields.length === 0 || typeof fields !== 'object' || fields === null || Array.isArray(fields)) return event;
  return { ...event, data: { ...event.data, fields: redactFields<JsonValue>(fields, sensitiveFields, replacement) } };
}
