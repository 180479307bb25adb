/**
 * Playbooks that ship with incidentkit: a medication error (healthcare) and a website outage
 * (IT). Use them as they are, or copy one into your own `definePlaybook` and adapt it.
 */
import { definePlaybook, type Playbook } from './definePlaybook.js';

/**
 * The immediate intervention and informing of relevant parties after a medication error, as a
 * checklist whose completion times are the evidence a patient-safety reviewer asks for (who was
 * informed, and when).
 *
 * @remarks
 * Applies to incidents of type `medication_error` and `medication_event` (the
 * `medicationEventType` of `incidentkit/healthcare`); for other incidents, copy it with your own
 * `appliesTo`: `definePlaybook({ ...medicationErrorPlaybook, appliesTo: { types: ['med_event'] } })`. Tasks (ids on the incident are
 * `medication-error:<id>`):
 *
 * - `patient-assessed` (response, the commander, due 15 minutes after declaration, required to mitigate, a note);
 * - `prescriber-informed` (communication, due 1 hour, required to resolve);
 * - `pharmacy-informed` (communication, due 4 hours, required to resolve);
 * - `disclosure` — patient/family disclosure (communication, due 24 hours, required to close, a note);
 * - `device-sequestered` — the device sequestered, for equipment malfunctions (containment, due 1
 *   hour, required to mitigate; skip it with a reason when no device was involved).
 *
 * @example
 * ```ts
 * import { createIncidentEngine, medicationErrorPlaybook, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), playbooks: [medicationErrorPlaybook] });
 * ```
 */
export const medicationErrorPlaybook: Playbook = /* @__PURE__ */ definePlaybook({
  id: 'medication-error',
  title: 'Medication error: immediate intervention and informing relevant parties',
  appliesTo: { types: ['medication_error', 'medication_event'] },
  tasks: [
    { id: 'patient-assessed', title: 'Patient assessed and stabilised', phase: 'response', assignTo: { kind: 'role', role: 'commander' }, due: { amount: 15, unit: 'minutes' }, requiredFor: 'mitigate', evidence: 'note' },
    { id: 'prescriber-informed', title: 'Prescriber informed', phase: 'communication', due: { amount: 1, unit: 'hours' }, requiredFor: 'resolve' },
    { id: 'pharmacy-informed', title: 'Pharmacy informed', phase: 'communication', due: { amount: 4, unit: 'hours' }, requiredFor: 'resolve' },
    { id: 'disclosure', title: 'Patient/family disclosure', phase: 'communication', due: { amount: 24, unit: 'hours' }, requiredFor: 'close', evidence: 'note' },
    { id: 'device-sequestered', title: 'Device sequestered (equipment malfunctions)', phase: 'containment', due: { amount: 1, unit: 'hours' }, requiredFor: 'mitigate' },
  ],
});

/**
 * The response to a website outage: declare, page on-call, update the status page, fail over,
 * verify, and tell customers.
 *
 * @remarks
 * Applies to incidents of type `website_outage`; for untyped incidents, copy it with your own
 * `appliesTo`, e.g. `definePlaybook({ ...websiteOutagePlaybook, appliesTo: { services: ['web'], severities: ['SEV1', 'SEV2'] } })`. Tasks (ids on the incident are
 * `website-outage:<id>`):
 *
 * - `declare` — incident declared and commander assigned (response, due 5 minutes);
 * - `page-oncall` — on-call paged (response, due 5 minutes);
 * - `status-page` — status page updated (communication, the communications lead, due 15 minutes, required to mitigate, a link);
 * - `failover` — failed over, or the bad change rolled back (containment, operations, required to mitigate);
 * - `verify` — recovery verified from outside (recovery, required to resolve, a note);
 * - `customer-update` — customers told it is resolved (communication, due 1 hour after resolution, required to close).
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, websiteOutagePlaybook } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), playbooks: [websiteOutagePlaybook] });
 * ```
 */
export const websiteOutagePlaybook: Playbook = /* @__PURE__ */ definePlaybook({
  id: 'website-outage',
  title: 'Website outage',
  appliesTo: { types: ['website_outage'] },
  tasks: [
    { id: 'declare', title: 'Incident declared and commander assigned', phase: 'response', due: { amount: 5, unit: 'minutes' } },
    { id: 'page-oncall', title: 'On-call paged', phase: 'response', due: { amount: 5, unit: 'minutes' } },
    { id: 'status-page', title: 'Status page updated', phase: 'communication', assignTo: { kind: 'role', role: 'communications' }, due: { amount: 15, unit: 'minutes' }, requiredFor: 'mitigate', evidence: 'link' },
    { id: 'failover', title: 'Failed over (or the bad change rolled back)', phase: 'containment', assignTo: { kind: 'role', role: 'operations' }, requiredFor: 'mitigate' },
    { id: 'verify', title: 'Recovery verified from outside', phase: 'recovery', requiredFor: 'resolve', evidence: 'note' },
    { id: 'customer-update', title: 'Customers told it is resolved', phase: 'communication', assignTo: { kind: 'role', role: 'communications' }, due: { amount: 1, unit: 'hours', from: 'resolved' }, requiredFor: 'close' },
  ],
});
