/**
 * incidentkit/healthcare: patient-safety incidents in the AHRQ Common Formats, their FHIR R4
 * export, and the healthcare playbooks.
 *
 * @remarks
 * - Incident types for the ten event categories of the AHRQ Common Formats for Event Reporting –
 *   Hospital v2.0 ({@link medicationEventType}, {@link deviceEventType}, …, all in
 *   {@link healthcareEventTypes}), with the generic form's fields, the AHRQ harm and (for
 *   medication events) the NCC MERP category as fields beside the severity, patient identifiers
 *   marked sensitive, and the Joint Commission sentinel-event test that starts the
 *   `jointCommission` clock.
 * - {@link toFhirAdverseEvent} and {@link toFhirBundle}: FHIR R4 `AdverseEvent` resources.
 * - {@link medicationErrorPlaybook} and {@link deviceMalfunctionPlaybook}.
 *
 * The just-culture assessment is part of every engine: `engine.justCulture`.
 *
 * @packageDocumentation
 */
export {
  AHRQ_EVENT_CATEGORIES,
  AHRQ_EVENT_CLASS_VALUES,
  AHRQ_HARM_VALUES,
  CONTRIBUTING_FACTOR_VALUES,
  deviceSchema,
  medicationSchema,
  NCC_MERP_VALUES,
  patientSchema,
  PREVENTABILITY_VALUES,
  REPORTER_ROLE_VALUES,
  YES_NO_UNKNOWN,
  type AhrqEventCategory,
  type ContributingFactor,
  type Preventability,
  type ReporterRole,
} from './commonFormats.js';
export {
  bloodEventType,
  DEVICE_PROBLEMS,
  deviceEventType,
  fallEventType,
  healthcareAssociatedInfectionEventType,
  healthcareEventTypes,
  MEDICATION_PROCESS_STAGES,
  medicationEventType,
  otherEventType,
  perinatalEventType,
  pressureInjuryEventType,
  SURGERY_SENTINEL_ISSUES,
  surgeryEventType,
  venousThromboembolismEventType,
} from './eventTypes.js';
export {
  FHIR_SYSTEMS,
  toFhirAdverseEvent,
  toFhirBundle,
  type FhirAdverseEvent,
  type FhirBundle,
  type FhirCodeableConcept,
  type FhirCoding,
  type FhirContainedResource,
  type FhirExportOptions,
  type FhirReference,
} from './toFhirAdverseEvent.js';
export { deviceMalfunctionPlaybook, medicationErrorPlaybook } from './playbooks.js';
