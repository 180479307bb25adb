/**
 * The healthcare playbooks: the medication-error one that ships with the core, and the response
 * to a medical device malfunction.
 */
import { definePlaybook, type Playbook } from '../features/playbooks/definePlaybook.js';

export { medicationErrorPlaybook } from '../features/playbooks/shippedPlaybooks.js';

/**
 * The response to a medical device that malfunctioned or was used wrongly: the patient first,
 * then the device taken out of service with everything that came with it, and the reports the
 * FDA's Medical Device Reporting rule asks of a user facility.
 *
 * @remarks
 * Applies to incidents of type `device_event` ({@link deviceEventType}); copy it with your own
 * `appliesTo` for other types. Tasks (ids on the incident are `device-malfunction:<id>`):
 *
 * - `patient-assessed` — patient assessed, and a replacement device in use (response, the commander, due 15 minutes, required to mitigate, a note);
 * - `device-sequestered` — the device taken out of service and sequestered with its tubing,
 *   disposables, packaging and settings, unaltered, for the investigation (containment, due 1 hour,
 *   required to mitigate, a note of where it is kept);
 * - `device-logs-preserved` — the device's event logs and configuration (drug library version)
 *   exported before it is powered off or serviced (containment, biomedical engineering, due 4 hours, required to resolve);
 * - `identifiers-recorded` — manufacturer, model, UDI, lot and serial numbers recorded on the
 *   incident (investigation, due 4 hours, required to resolve);
 * - `same-model-check` — other devices of the same model and lot checked, or withdrawn (containment, due 24 hours);
 * - `manufacturer-informed` — the manufacturer told (communication, due 2 work days' worth: 48 hours, required to close);
 * - `mdr-decision` — risk management decides whether the event is reportable under 21 CFR 803
 *   (a death: to the FDA and the manufacturer; a serious injury: to the manufacturer, or the FDA
 *   when it is unknown; within 10 work days on Form FDA 3500A) and starts the `fdaMdr` clock when
 *   it is (investigation, due 24 hours, required to close, a note);
 * - `disclosure` — patient/family disclosure (communication, due 24 hours, required to close, a note).
 *
 * Sources: 21 CFR 803.30 (user facility reports, 10 work days), https://www.ecfr.gov/current/title-21/chapter-I/subchapter-H/part-803 ;
 * FDA MedWatch Form 3500A, https://www.fda.gov/safety/medical-product-safety-information/medwatch-forms-fda-safety-reporting ;
 * ECRI, "Accident investigation: sequestering the device" (keep the device and its disposables
 * unaltered, with their settings, for the investigation).
 *
 * Not legal advice: whether an event is reportable, and to whom, is for your risk manager.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { deviceEventType, deviceMalfunctionPlaybook } from 'incidentkit/healthcare';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), types: [deviceEventType], playbooks: [deviceMalfunctionPlaybook] });
 * ```
 */
export const deviceMalfunctionPlaybook: Playbook = /* @__PURE__ */ definePlaybook({
  id: 'device-malfunction',
  title: 'Medical device malfunction: patient, sequestration, manufacturer and FDA reporting',
  appliesTo: { types: ['device_event'] },
  tasks: [
    { id: 'patient-assessed', title: 'Patient assessed and a replacement device in use', phase: 'response', assignTo: { kind: 'role', role: 'commander' }, due: { amount: 15, unit: 'minutes' }, requiredFor: 'mitigate', evidence: 'note' },
    { id: 'device-sequestered', title: 'Device sequestered with its disposables and settings, unaltered', phase: 'containment', due: { amount: 1, unit: 'hours' }, requiredFor: 'mitigate', evidence: 'note' },
    { id: 'device-logs-preserved', title: 'Device logs and configuration exported before servicing', phase: 'containment', assignTo: { kind: 'role', role: 'biomedical_engineering' }, due: { amount: 4, unit: 'hours' }, requiredFor: 'resolve' },
    { id: 'identifiers-recorded', title: 'Manufacturer, model, UDI, lot and serial recorded', phase: 'investigation', due: { amount: 4, unit: 'hours' }, requiredFor: 'resolve' },
    { id: 'same-model-check', title: 'Other devices of the same model and lot checked or withdrawn', phase: 'containment', due: { amount: 24, unit: 'hours' } },
    { id: 'manufacturer-informed', title: 'Manufacturer informed', phase: 'communication', due: { amount: 48, unit: 'hours' }, requiredFor: 'close' },
    { id: 'mdr-decision', title: 'MDR reportability decided (21 CFR 803); FDA MDR clock started if reportable', phase: 'investigation', due: { amount: 24, unit: 'hours' }, requiredFor: 'close', evidence: 'note' },
    { id: 'disclosure', title: 'Patient/family disclosure', phase: 'communication', due: { amount: 24, unit: 'hours' }, requiredFor: 'close', evidence: 'note' },
  ],
});
