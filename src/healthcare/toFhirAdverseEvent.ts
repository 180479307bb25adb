/**
 * FHIR R4 export of healthcare incidents: one `AdverseEvent` per incident, and a `collection`
 * Bundle of them.
 *
 * Sources: HL7 FHIR R4 (v4.0.1) AdverseEvent, https://hl7.org/fhir/R4/adverseevent.html ; the
 * code systems http://terminology.hl7.org/CodeSystem/adverse-event-category,
 * …/adverse-event-seriousness, …/adverse-event-severity and …/adverse-event-outcome
 * (https://hl7.org/fhir/R4/terminologies-systems.html).
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseInput } from '../kernel/parse.js';
import type { Incident } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import { AHRQ_EVENT_CATEGORIES, type AhrqEventCategory } from './commonFormats.js';
import { healthcareEventTypes } from './eventTypes.js';

/** A FHIR Coding. */
export interface FhirCoding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

/** A FHIR CodeableConcept. */
export interface FhirCodeableConcept {
  readonly coding?: readonly FhirCoding[];
  readonly text?: string;
}

/** A FHIR Reference. */
export interface FhirReference {
  readonly reference?: string;
  readonly identifier?: { readonly system?: string; readonly value: string };
  readonly display?: string;
}

/** A resource contained in the AdverseEvent: the suspected drug or device. */
export type FhirContainedResource =
  | { readonly resourceType: 'Medication'; readonly id: string; readonly code: FhirCodeableConcept }
  | {
      readonly resourceType: 'Device';
      readonly id: string;
      readonly udiCarrier?: readonly { readonly carrierHRF: string }[];
      readonly manufacturer?: string;
      readonly lotNumber?: string;
      readonly serialNumber?: string;
      readonly modelNumber?: string;
      readonly deviceName: readonly { readonly name: string; readonly type: 'user-friendly-name' }[];
    };

/** A FHIR R4 AdverseEvent resource, as {@link toFhirAdverseEvent} writes it. */
export interface FhirAdverseEvent {
  readonly resourceType: 'AdverseEvent';
  readonly id: string;
  readonly contained?: readonly FhirContainedResource[];
  readonly identifier: { readonly system: string; readonly value: string };
  readonly actuality: 'actual' | 'potential';
  readonly category: readonly FhirCodeableConcept[];
  readonly event: FhirCodeableConcept;
  readonly subject: FhirReference;
  readonly date?: string;
  readonly detected?: string;
  readonly recordedDate: string;
  readonly location?: FhirReference;
  readonly seriousness?: FhirCodeableConcept;
  readonly severity?: FhirCodeableConcept;
  readonly outcome?: FhirCodeableConcept;
  readonly suspectEntity?: readonly { readonly instance: FhirReference }[];
}

/** A FHIR R4 Bundle of type `collection`, as {@link toFhirBundle} writes it. */
export interface FhirBundle {
  readonly resourceType: 'Bundle';
  readonly type: 'collection';
  readonly timestamp?: string;
  readonly entry: readonly { readonly resource: FhirAdverseEvent }[];
}

/** Options of {@link toFhirAdverseEvent} and {@link toFhirBundle}. */
export interface FhirExportOptions {
  /** The `identifier.system` the incident id is written under. Default: `urn:incidentkit:incident`. */
  readonly identifierSystem?: string;
  /** The `identifier.system` of patients known only by their medical record number. Default: none. */
  readonly mrnSystem?: string;
}

/** The code systems the export writes. */
export const FHIR_SYSTEMS = /* @__PURE__ */ Object.freeze({
  category: 'http://terminology.hl7.org/CodeSystem/adverse-event-category',
  seriousness: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness',
  severity: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity',
  outcome: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  ndc: 'http://hl7.org/fhir/sid/ndc',
});

const CATEGORY_TEXT: Readonly<Record<AhrqEventCategory, string>> = {
  medication: 'Medication or other substance',
  device: 'Device or medical/surgical supply, including health IT',
  fall: 'Fall',
  pressure_injury: 'Pressure injury',
  surgery: 'Surgery or anesthesia',
  healthcare_associated_infection: 'Healthcare-associated infection',
  blood: 'Blood or blood product',
  perinatal: 'Perinatal',
  venous_thromboembolism: 'Venous thromboembolism',
  other: 'Other',
};

const SERIOUSNESS_DISPLAY: Readonly<Record<string, string>> = {
  'Non-serious': 'Non-serious',
  Serious: 'Serious',
  SeriousResultsInDeath: 'Results in death',
  SeriousIsLifeThreatening: 'Is Life-threatening',
  SeriousResultsInHospitalization: 'Requires or prolongs inpatient hospitalization',
  SeriousResultsInDisability: 'Results in persistent or significant disability/incapacity',
};

const SEVERITY_DISPLAY = { mild: 'Mild', moderate: 'Moderate', severe: 'Severe' } as const;

const TYPE_NAMES = /* @__PURE__ */ (() => healthcareEventTypes.map((type) => type.name))();

const incidentSchema = /* @__PURE__ */ (() =>
  z.looseObject({
    id: z.string().min(1),
    type: z.enum(TYPE_NAMES, { error: `Only incidents of the healthcare types can be exported to FHIR (${TYPE_NAMES.join(', ')}).` }),
    title: z.string(),
    status: z.string(),
    detectedAt: z.string(),
    fields: z.record(z.string(), z.unknown()),
  }))();

type Fields = Readonly<Record<string, JsonValue | undefined>>;

function str(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' ? value : undefined;
}

function obj(fields: Fields, key: string): Fields | undefined {
  const value = fields[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value) : undefined;
}

/** A FHIR id (`[A-Za-z0-9\-.]{1,64}`) from an incident id, which may hold `_`. */
function fhirId(id: string): string {
  return id.replace(/[^A-Za-z0-9\-.]/g, '-').slice(0, 64);
}

function coding(system: string, code: string, display?: string): FhirCodeableConcept {
  return { coding: [{ system, code, ...(display === undefined ? {} : { display }) }] };
}

/** The adverse-event-category codes that say more than the AHRQ category's text, where one applies. */
function categoryCodes(category: AhrqEventCategory, fields: Fields): FhirCoding[] {
  const code = (c: string, display: string): FhirCoding[] => [{ system: FHIR_SYSTEMS.category, code: c, display }];
  if (category === 'medication') return code('product-use-error', 'Product Use Error');
  if (category === 'device') {
    const problem = str(fields, 'deviceProblem');
    if (problem === 'use_error') return code('medical-device-use-error', 'Medical Device Use Error');
    if (problem === 'malfunction' || problem === 'both') return code('product-problem', 'Product Problem');
    return [];
  }
  if (category === 'fall') return code('unsafe-physical-environment', 'Unsafe Physical Environment');
  return [];
}

/** Seriousness from the NCC MERP category (medication events) or the AHRQ harm. */
function seriousness(fields: Fields): string | undefined {
  const merp = str(fields, 'nccMerp');
  if (merp === 'I') return 'SeriousResultsInDeath';
  if (merp === 'H') return 'SeriousIsLifeThreatening';
  if (merp === 'G') return 'SeriousResultsInDisability';
  if (merp === 'F') return 'SeriousResultsInHospitalization';
  const harm = str(fields, 'harm');
  if (harm === 'death') return 'SeriousResultsInDeath';
  if (harm === 'severe') return 'Serious';
  if (merp !== undefined || harm === 'moderate' || harm === 'mild' || harm === 'no_harm') return 'Non-serious';
  return undefined;
}

function outcome(fields: Fields, status: string): FhirCodeableConcept | undefined {
  const harm = str(fields, 'harm');
  const code = harm === 'death' || str(fields, 'nccMerp') === 'I' ? 'fatal' : harm === 'unknown' ? 'unknown' : harm === undefined ? undefined : ['resolved', 'postIncident', 'closed'].includes(status) ? (harm === 'severe' ? 'resolvedWithSequelae' : 'resolved') : 'ongoing';
  const display: Readonly<Record<string, string>> = { fatal: 'Fatal', unknown: 'Unknown', resolved: 'Resolved', resolvedWithSequelae: 'Resolved with Sequelae', ongoing: 'Ongoing' };
  return code === undefined ? undefined : coding(FHIR_SYSTEMS.outcome, code, display[code]);
}

function subject(fields: Fields, options: FhirExportOptions): FhirReference {
  const patient = obj(fields, 'patient');
  const reference = patient === undefined ? undefined : str(patient, 'reference');
  if (reference !== undefined) return { reference };
  const mrn = patient === undefined ? undefined : str(patient, 'mrn');
  if (mrn !== undefined) return { identifier: { ...(options.mrnSystem === undefined ? {} : { system: options.mrnSystem }), value: mrn } };
  return { display: 'No patient (unsafe condition)' };
}

/** The suspected drug and device as contained resources, each referenced from `suspectEntity`. */
function suspects(fields: Fields): FhirContainedResource[] {
  const contained: FhirContainedResource[] = [];
  const medication = obj(fields, 'medication');
  if (medication !== undefined) {
    const rxnorm = str(medication, 'rxnorm');
    const ndc = str(medication, 'ndc');
    const codings = [...(rxnorm === undefined ? [] : [{ system: FHIR_SYSTEMS.rxnorm, code: rxnorm }]), ...(ndc === undefined ? [] : [{ system: FHIR_SYSTEMS.ndc, code: ndc }])];
    contained.push({ resourceType: 'Medication', id: 'medication', code: { ...(codings.length === 0 ? {} : { coding: codings }), text: str(medication, 'name') ?? 'unknown' } });
  }
  const device = obj(fields, 'device');
  if (device !== undefined) {
    const optional = (key: 'manufacturer' | 'lotNumber' | 'serialNumber', from = key): Record<string, string> => {
      const value = str(device, from);
      return value === undefined ? {} : { [key]: value };
    };
    const udi = str(device, 'udi');
    const model = str(device, 'model');
    contained.push({
      resourceType: 'Device',
      id: 'device',
      ...(udi === undefined ? {} : { udiCarrier: [{ carrierHRF: udi }] }),
      ...optional('manufacturer'),
      ...optional('lotNumber'),
      ...optional('serialNumber'),
      ...(model === undefined ? {} : { modelNumber: model }),
      deviceName: [{ name: str(device, 'name') ?? 'unknown', type: 'user-friendly-name' }],
    });
  }
  return contained;
}

/**
 * Writes a healthcare incident as a FHIR R4 `AdverseEvent`: `actuality` (`actual` for an
 * incident, `potential` for a near miss or unsafe condition), the AHRQ category (text, with an
 * adverse-event-category code where one applies), the event (the incident's title), the patient
 * as `subject`, `date` (occurred), `detected` (discovered), `recordedDate` (declared),
 * `location`, `seriousness` (from the NCC MERP category or the AHRQ harm), `severity`,
 * `outcome`, and the drug (RxNorm, NDC) or device (UDI, manufacturer, model, lot, serial) as
 * contained resources named in `suspectEntity`.
 *
 * @remarks The resource identifies the patient (it is meant for a clinical or regulatory system
 * that may hold that): send it only where the patient identifiers may go. The reporter's
 * narrative is not exported.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { deviceEventType, toFhirAdverseEvent } from 'incidentkit/healthcare';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), types: [deviceEventType] });
 * const incident = await engine.declare({
 *   type: 'device_event',
 *   title: 'Infusion pump free-flow',
 *   severity: 'SEV2',
 *   fields: {
 *     eventClass: 'incident',
 *     discoveredAt: '2026-05-21T14:05:00Z',
 *     location: 'ICU 4B',
 *     reporterRole: 'nurse',
 *     patient: { mrn: 'MRN-20417733', reference: 'Patient/20417733' },
 *     harm: 'mild',
 *     device: { name: 'Volumetric infusion pump', manufacturer: 'Acme Medical', udi: '(01)00812345678901(21)PUMP-0042' },
 *     deviceProblem: 'malfunction',
 *   },
 *   actor: { id: 'rn_lindqvist' },
 * });
 * const resource = toFhirAdverseEvent(incident);
 * resource.suspectEntity?.[0]?.instance.reference; // '#device'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the incident is not of one of the healthcare types.
 */
export function toFhirAdverseEvent(incident: Incident, options: FhirExportOptions = {}): FhirAdverseEvent {
  const parsed = parseInput(incidentSchema, incident, 'toFhirAdverseEvent');
  const fields = parsed.fields as Fields;
  const category = str(fields, 'category');
  if (category === undefined || !(AHRQ_EVENT_CATEGORIES as readonly string[]).includes(category)) {
    throw new ValidationError('toFhirAdverseEvent', [{ code: 'invalid_category', path: ['fields', 'category'], message: `Incident ${parsed.id} has no AHRQ event category; declare it with one of the healthcare types.` }]);
  }
  const ahrq = category as AhrqEventCategory;
  const contained = suspects(fields);
  const serious = seriousness(fields);
  const harm = str(fields, 'harm');
  const occurred = str(fields, 'occurredAt');
  const discovered = str(fields, 'discoveredAt');
  const location = str(fields, 'location');
  const out = outcome(fields, parsed.status);
  const codes = categoryCodes(ahrq, fields);
  return {
    resourceType: 'AdverseEvent',
    id: fhirId(parsed.id),
    ...(contained.length === 0 ? {} : { contained }),
    identifier: { system: options.identifierSystem ?? 'urn:incidentkit:incident', value: parsed.id },
    actuality: str(fields, 'eventClass') === 'incident' ? 'actual' : 'potential',
    category: [{ ...(codes.length === 0 ? {} : { coding: codes }), text: CATEGORY_TEXT[ahrq] }],
    event: { text: parsed.title },
    subject: subject(fields, options),
    ...(occurred === undefined ? {} : { date: occurred }),
    ...(discovered === undefined ? {} : { detected: discovered }),
    recordedDate: parsed.detectedAt,
    ...(location === undefined ? {} : { location: { display: location } }),
    ...(serious === undefined ? {} : { seriousness: coding(FHIR_SYSTEMS.seriousness, serious, SERIOUSNESS_DISPLAY[serious]) }),
    ...(harm === 'mild' || harm === 'moderate' || harm === 'severe' ? { severity: coding(FHIR_SYSTEMS.severity, harm, SEVERITY_DISPLAY[harm]) } : {}),
    ...(out === undefined ? {} : { outcome: out }),
    ...(contained.length === 0 ? {} : { suspectEntity: contained.map((resource) => ({ instance: { reference: `#${resource.id}` } })) }),
  };
}

/**
 * Writes healthcare incidents as a FHIR R4 Bundle of type `collection`, one `AdverseEvent` entry
 * each (see {@link toFhirAdverseEvent}).
 *
 * @example
 * ```ts
 * import type { Incident } from 'incidentkit';
 * import { toFhirBundle } from 'incidentkit/healthcare';
 *
 * declare const incidents: Incident[];
 * const bundle = toFhirBundle(incidents, { timestamp: '2026-06-01T00:00:00Z' });
 * console.log(JSON.stringify(bundle));
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when an incident is not of one of the healthcare types.
 */
export function toFhirBundle(incidents: readonly Incident[], options: FhirExportOptions & { readonly timestamp?: string } = {}): FhirBundle {
  const { timestamp, ...rest } = options;
  return {
    resourceType: 'Bundle',
    type: 'collection',
    ...(timestamp === undefined ? {} : { timestamp }),
    entry: incidents.map((incident) => ({ resource: toFhirAdverseEvent(incident, rest) })),
  };
}
