/**
 * The fields of the AHRQ Common Formats for Event Reporting – Hospital (CFER-H) v2.0 that the
 * healthcare incident types share (the generic event form), and the pieces of the event-specific
 * forms they add (drug and device identifiers, fall, pressure injury, surgery, infection, blood,
 * perinatal and venous thromboembolism details).
 *
 * @remarks
 * The answer values are lower-case identifiers for the answers of the forms' questions, not the
 * forms' numeric codes: when you submit to a Patient Safety Organization, map them to the codes of
 * the PSO Privacy Protection Center's technical specification. Free text that may name a patient
 * (the patient block and the reporter's narrative) is listed in each type's `sensitiveFields`, so it
 * is redacted in notifications, exports and review documents (and encrypted at rest where the
 * engine has a keyring).
 *
 * Sources: AHRQ, "Common Formats for Event Reporting – Hospital Version 2.0" (generic and
 * event-specific forms), https://www.psoppc.org/psoppc_web/publicpages/commonFormatsHV2.0 ;
 * AHRQ PSO, "Generic & Event-Specific Formats", https://www.pso.ahrq.gov/common/generic (event
 * class, category, discovery date and time, location, contributing factors, association with a
 * handover, preventability, narratives).
 */
import { z } from 'zod';
import type { AhrqEventClass, AhrqHarm, NccMerpCategory } from '../features/classification/scales.js';

/** The event categories of CFER-H v2.0: one event-specific form each, and `other`. */
export const AHRQ_EVENT_CATEGORIES = [
  'medication',
  'device',
  'fall',
  'pressure_injury',
  'surgery',
  'healthcare_associated_infection',
  'blood',
  'perinatal',
  'venous_thromboembolism',
  'other',
] as const;

/** An event category of CFER-H v2.0 (see {@link AHRQ_EVENT_CATEGORIES}). */
export type AhrqEventCategory = (typeof AHRQ_EVENT_CATEGORIES)[number];

/** The event classes: the levels of `ahrqEventClasses`. */
export const AHRQ_EVENT_CLASS_VALUES = ['incident', 'near_miss', 'unsafe_condition'] as const satisfies readonly AhrqEventClass[];

/** The levels of the AHRQ Harm Scale (`ahrqHarmScale`), worst first. */
export const AHRQ_HARM_VALUES = ['death', 'severe', 'moderate', 'mild', 'no_harm', 'unknown'] as const satisfies readonly AhrqHarm[];

/** The NCC MERP categories (`nccMerpScale`), worst first. */
export const NCC_MERP_VALUES = ['I', 'H', 'G', 'F', 'E', 'D', 'C', 'B', 'A'] as const satisfies readonly NccMerpCategory[];

/**
 * How preventable the event was, as noted at the time of the initial report (the generic form's
 * preventability question).
 */
export const PREVENTABILITY_VALUES = [
  'almost_certainly_preventable',
  'likely_preventable',
  'likely_not_preventable',
  'almost_certainly_not_preventable',
  'unknown',
] as const;

/** An answer to the preventability question (see {@link PREVENTABILITY_VALUES}). */
export type Preventability = (typeof PREVENTABILITY_VALUES)[number];

/** The kinds of factor that contributed to the event, known at the time of the initial report. */
export const CONTRIBUTING_FACTOR_VALUES = [
  'communication',
  'environment',
  'equipment',
  'human_factors',
  'leadership',
  'policies_and_procedures',
  'patient_factors',
  'staff_qualifications',
  'supervision',
  'other',
] as const;

/** A contributing factor (see {@link CONTRIBUTING_FACTOR_VALUES}). */
export type ContributingFactor = (typeof CONTRIBUTING_FACTOR_VALUES)[number];

/** Who reported the event: a healthcare worker by profession, the patient, family, or someone else. */
export const REPORTER_ROLE_VALUES = ['physician', 'nurse', 'pharmacist', 'technologist', 'other_staff', 'patient', 'family_or_caregiver', 'other'] as const;

/** A reporter's role (see {@link REPORTER_ROLE_VALUES}). */
export type ReporterRole = (typeof REPORTER_ROLE_VALUES)[number];

/** `yes`, `no` or `unknown`: the answer to "was the event associated with a handover (hand-off)?" and similar questions. */
export const YES_NO_UNKNOWN = ['yes', 'no', 'unknown'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const time = /* @__PURE__ */ (() => z.iso.datetime({ offset: true, message: 'Must be an ISO-8601 date and time, e.g. 2026-05-21T14:05:00Z.' }))();

/**
 * The patient the event concerns. Every property identifies the patient: all are in each type's
 * `sensitiveFields`.
 */
export const patientSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The medical record number. */
    mrn: text(100),
    name: text(200).optional(),
    /** `YYYY-MM-DD`. */
    birthDate: z.iso.date().optional(),
    /** A FHIR reference to the patient, e.g. `Patient/123`, used as the AdverseEvent's subject. */
    reference: z.string().regex(/^Patient\/[A-Za-z0-9\-.]{1,64}$/, 'A FHIR Patient reference looks like Patient/123.').optional(),
  }))();

/** A drug or other substance, with the identifiers the medication form asks for. */
export const medicationSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Brand or generic name. */
    name: text(200),
    /** The RxNorm concept (RXCUI), digits only. */
    rxnorm: z.string().regex(/^[0-9]{1,10}$/, 'An RxNorm RXCUI is digits only.').optional(),
    /** The National Drug Code, e.g. `0409-2720-01`. */
    ndc: z.string().regex(/^[0-9]{4,5}-?[0-9]{3,4}-?[0-9]{1,2}$/, 'An NDC is 10 or 11 digits, e.g. 0409-2720-01.').optional(),
    dose: text(100).optional(),
    route: text(100).optional(),
  }))();

/** A device or medical/surgical supply, with the identifiers the device form asks for. */
export const deviceSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Brand or generic name of the device, product, software or supply. */
    name: text(200),
    manufacturer: text(200).optional(),
    model: text(100).optional(),
    /** The Unique Device Identifier (UDI) as printed or scanned. */
    udi: text(300).optional(),
    lotNumber: text(100).optional(),
    serialNumber: text(100).optional(),
  }))();

/** The questions of the generic event form, as a zod shape (every type has them). @internal */
export function genericShape<C extends AhrqEventCategory>(category: C) {
  return {
    /** The event-specific form: fixed by the type. */
    category: z.literal(category).default(category),
    /** Incident (reached the patient), near miss, or unsafe condition. */
    eventClass: z.enum(AHRQ_EVENT_CLASS_VALUES),
    /** When the event was discovered. */
    discoveredAt: time,
    /** When the event occurred, when known. */
    occurredAt: time.optional(),
    /** Where the event occurred or the unsafe condition exists, e.g. `ICU 4B`. */
    location: text(200),
    /** Who reported it. */
    reporterRole: z.enum(REPORTER_ROLE_VALUES),
    /** The patient (absent for an unsafe condition). */
    patient: patientSchema.optional(),
    /** Harm on the AHRQ Harm Scale, for an incident; not the incident's severity. */
    harm: z.enum(AHRQ_HARM_VALUES).optional(),
    preventability: z.enum(PREVENTABILITY_VALUES).optional(),
    contributingFactors: z.array(z.enum(CONTRIBUTING_FACTOR_VALUES)).max(CONTRIBUTING_FACTOR_VALUES.length).default([]),
    /** Whether the event was associated with a handover (hand-off). */
    handoff: z.enum(YES_NO_UNKNOWN).default('unknown'),
    /** The initial reporter's narrative; may name the patient, so it is a sensitive field. */
    narrative: text(10_000).optional(),
  };
}

/** The sensitive field paths every healthcare type shares. @internal */
export const PATIENT_IDENTIFIERS = ['patient.mrn', 'patient.name', 'patient.birthDate', 'patient.reference', 'narrative'] as const;
