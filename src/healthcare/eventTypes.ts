/**
 * Incident types for the ten event categories of the AHRQ Common Formats for Event Reporting –
 * Hospital v2.0, ready for `createIncidentEngine({ types })`.
 */
import { z } from 'zod';
import { defineIncidentType } from '../features/classification/defineIncidentType.js';
import { sevScale } from '../model/severity.js';
import { deviceSchema, genericShape, medicationSchema, NCC_MERP_VALUES, PATIENT_IDENTIFIERS, YES_NO_UNKNOWN } from './commonFormats.js';

/**
 * Whether the generic answers make an incident a Joint Commission sentinel event: a patient
 * safety event that reached the patient and resulted in death or severe harm (the AHRQ Harm
 * Scale's `death` and `severe`, which cover the Sentinel Event Policy's "death, permanent harm,
 * or severe temporary harm").
 *
 * @see https://www.jointcommission.org/resources/sentinel-event/
 */
function severeHarm(fields: { readonly eventClass: string; readonly harm?: string | undefined }): boolean {
  return fields.eventClass === 'incident' && (fields.harm === 'death' || fields.harm === 'severe');
}

/** The stages of the medication-use process the medication form asks about. */
export const MEDICATION_PROCESS_STAGES = ['prescribing', 'transcribing', 'dispensing', 'administering', 'monitoring', 'other'] as const;

/** What went wrong with a device: it failed, it was used wrongly, both, or not yet known. */
export const DEVICE_PROBLEMS = ['malfunction', 'use_error', 'both', 'unknown'] as const;

/** The surgery events that are sentinel events whatever the harm (Joint Commission Sentinel Event Policy). */
export const SURGERY_SENTINEL_ISSUES = ['wrong_site', 'wrong_side', 'wrong_patient', 'wrong_procedure', 'wrong_implant', 'retained_object'] as const;

const shared = { severityScale: sevScale, sensitiveFields: PATIENT_IDENTIFIERS } as const;

/**
 * Medication or other substance events (AHRQ CFER-H v2.0 generic form plus the medication form):
 * the drug with its RxNorm and NDC identifiers, the NCC MERP category (required, and a field
 * beside the AHRQ harm, not the severity), the stage of the medication-use process, and the
 * device, such as an infusion pump, when one was involved.
 *
 * @remarks A sentinel event (the Joint Commission clock starts) when it reached the patient with
 * harm `death` or `severe`, or NCC MERP category G, H or I. The shipped
 * `medicationErrorPlaybook` applies to its incidents (type `medication_event`).
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { medicationEventType } from 'incidentkit/healthcare';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), types: [medicationEventType] });
 * await engine.declare({
 *   type: 'medication_event',
 *   title: 'Heparin infusion at twice the ordered rate',
 *   severity: 'SEV2',
 *   fields: {
 *     eventClass: 'incident',
 *     discoveredAt: '2026-05-21T14:05:00Z',
 *     location: 'ICU 4B',
 *     reporterRole: 'nurse',
 *     patient: { mrn: 'MRN-20417733' },
 *     harm: 'mild',
 *     nccMerp: 'E',
 *     medication: { name: 'heparin', rxnorm: '5224' },
 *   },
 *   actor: { id: 'rn_lindqvist' },
 * });
 * ```
 * @see https://www.psoppc.org/psoppc_web/publicpages/commonFormatsHV2.0
 * @see https://www.nccmerp.org/types-medication-errors
 */
export const medicationEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'medication_event',
  title: 'Medication or other substance',
  description: 'AHRQ Common Formats (Hospital v2.0): medication or other substance event.',
  fields: z.strictObject({
    ...genericShape('medication'),
    medication: medicationSchema,
    nccMerp: z.enum(NCC_MERP_VALUES),
    processStage: z.enum(MEDICATION_PROCESS_STAGES).optional(),
    device: deviceSchema.optional(),
  }),
  sentinelEvent: (fields) => severeHarm(fields) || fields.nccMerp === 'G' || fields.nccMerp === 'H' || fields.nccMerp === 'I',
  }))();

/**
 * Device or medical/surgical supply events, including health information technology (AHRQ CFER-H
 * v2.0 device form): the device with its manufacturer, model, UDI, lot and serial numbers, and
 * whether it malfunctioned or was used wrongly.
 *
 * @remarks A sentinel event when it reached the patient with harm `death` or `severe`. The
 * `deviceMalfunctionPlaybook` applies to its incidents (type `device_event`).
 *
 * @see https://www.psoppc.org/psoppc_web/publicpages/commonFormatsHV2.0
 */
export const deviceEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'device_event',
  title: 'Device or medical/surgical supply',
  description: 'AHRQ Common Formats (Hospital v2.0): device or medical/surgical supply event, including health IT.',
  fields: z.strictObject({ ...genericShape('device'), device: deviceSchema, deviceProblem: z.enum(DEVICE_PROBLEMS).default('unknown') }),
  sentinelEvent: severeHarm,
  }))();

/**
 * Falls (AHRQ CFER-H v2.0 fall form): whether the fall was assisted, caused an injury, and whether
 * the patient's fall risk had been assessed.
 *
 * @remarks A sentinel event when harm is `death` or `severe`.
 */
export const fallEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'fall_event',
  title: 'Fall',
  description: 'AHRQ Common Formats (Hospital v2.0): fall.',
  fields: z.strictObject({
    ...genericShape('fall'),
    fall: z.strictObject({ assisted: z.enum(YES_NO_UNKNOWN).default('unknown'), injury: z.enum(YES_NO_UNKNOWN).default('unknown'), riskAssessed: z.enum(YES_NO_UNKNOWN).default('unknown') }).optional(),
  }),
  sentinelEvent: severeHarm,
  }))();

/**
 * Pressure injuries (AHRQ CFER-H v2.0 pressure injury form): the stage and whether it was present
 * on admission.
 *
 * @remarks A sentinel event when harm is `death` or `severe` (the Joint Commission lists stage 3
 * and 4 and unstageable injuries acquired after admission: record such harm as `severe`).
 */
export const pressureInjuryEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'pressure_injury_event',
  title: 'Pressure injury',
  description: 'AHRQ Common Formats (Hospital v2.0): pressure injury.',
  fields: z.strictObject({
    ...genericShape('pressure_injury'),
    pressureInjury: z
      .strictObject({ stage: z.enum(['stage_1', 'stage_2', 'stage_3', 'stage_4', 'unstageable', 'deep_tissue']), presentOnAdmission: z.enum(YES_NO_UNKNOWN).default('unknown') })
      .optional(),
  }),
  sentinelEvent: severeHarm,
  }))();

/**
 * Surgery or anesthesia events (AHRQ CFER-H v2.0 surgery or anesthesia form): the procedure and,
 * for the events the Joint Commission names, what went wrong.
 *
 * @remarks A sentinel event when harm is `death` or `severe`, and whatever the harm for surgery on
 * the wrong site, side or patient, the wrong procedure or implant, or an unintended retained
 * foreign object ({@link SURGERY_SENTINEL_ISSUES}).
 */
export const surgeryEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'surgery_event',
  title: 'Surgery or anesthesia',
  description: 'AHRQ Common Formats (Hospital v2.0): surgery or anesthesia event.',
  fields: z.strictObject({
    ...genericShape('surgery'),
    surgery: z.strictObject({ procedure: z.string().trim().min(1).max(300).optional(), issue: z.enum([...SURGERY_SENTINEL_ISSUES, 'anesthesia', 'other']).optional() }).optional(),
  }),
  sentinelEvent: (fields) => severeHarm(fields) || (SURGERY_SENTINEL_ISSUES as readonly string[]).includes(fields.surgery?.issue ?? ''),
  }))();

/**
 * Healthcare-associated infections (AHRQ CFER-H v2.0 HAI form): which infection.
 *
 * @remarks A sentinel event when harm is `death` or `severe`.
 */
export const healthcareAssociatedInfectionEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'hai_event',
  title: 'Healthcare-associated infection',
  description: 'AHRQ Common Formats (Hospital v2.0): healthcare-associated infection.',
  fields: z.strictObject({
    ...genericShape('healthcare_associated_infection'),
    infection: z.strictObject({ kind: z.enum(['cauti', 'clabsi', 'ssi', 'vap', 'c_difficile', 'other']) }).optional(),
  }),
  sentinelEvent: severeHarm,
  }))();

/**
 * Blood or blood product events (AHRQ CFER-H v2.0 blood form): the product and its ISBT 128
 * donation identification number.
 *
 * @remarks A sentinel event when harm is `death` or `severe`.
 */
export const bloodEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'blood_event',
  title: 'Blood or blood product',
  description: 'AHRQ Common Formats (Hospital v2.0): blood or blood product event.',
  fields: z.strictObject({
    ...genericShape('blood'),
    bloodProduct: z.strictObject({ product: z.enum(['red_cells', 'platelets', 'plasma', 'cryoprecipitate', 'whole_blood', 'other']), unitNumber: z.string().trim().min(1).max(50).optional() }).optional(),
  }),
  sentinelEvent: severeHarm,
  }))();

/**
 * Perinatal events (AHRQ CFER-H v2.0 perinatal form): who was affected, mother, neonate or both.
 *
 * @remarks A sentinel event when harm is `death` or `severe` (severe maternal morbidity included).
 */
export const perinatalEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'perinatal_event',
  title: 'Perinatal',
  description: 'AHRQ Common Formats (Hospital v2.0): perinatal event.',
  fields: z.strictObject({ ...genericShape('perinatal'), perinatal: z.strictObject({ affected: z.enum(['mother', 'neonate', 'both']) }).optional() }),
  sentinelEvent: severeHarm,
  }))();

/**
 * Venous thromboembolism events (AHRQ CFER-H v2.0 VTE form): deep vein thrombosis, pulmonary
 * embolism or both, and whether prophylaxis was given.
 *
 * @remarks A sentinel event when harm is `death` or `severe`.
 */
export const venousThromboembolismEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'vte_event',
  title: 'Venous thromboembolism',
  description: 'AHRQ Common Formats (Hospital v2.0): venous thromboembolism.',
  fields: z.strictObject({
    ...genericShape('venous_thromboembolism'),
    vte: z.strictObject({ kind: z.enum(['dvt', 'pe', 'both']), prophylaxis: z.enum(YES_NO_UNKNOWN).default('unknown') }).optional(),
  }),
  sentinelEvent: severeHarm,
  }))();

/**
 * Any other patient safety event (the generic form alone).
 *
 * @remarks A sentinel event when harm is `death` or `severe`.
 */
export const otherEventType = /* @__PURE__ */ (() =>
  defineIncidentType({
  ...shared,
  name: 'other_event',
  title: 'Other patient safety event',
  description: 'AHRQ Common Formats (Hospital v2.0): other patient safety event (generic form).',
  fields: z.strictObject(genericShape('other')),
  sentinelEvent: severeHarm,
  }))();

/** The ten healthcare incident types, for `createIncidentEngine({ types: healthcareEventTypes })`. */
export const healthcareEventTypes = /* @__PURE__ */ (() =>
  Object.freeze([
    medicationEventType,
    deviceEventType,
    fallEventType,
    pressureInjuryEventType,
    surgeryEventType,
    healthcareAssociatedInfectionEventType,
    bloodEventType,
    perinatalEventType,
    venousThromboembolismEventType,
    otherEventType,
  ] as const))();
