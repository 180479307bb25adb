import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { FHIR_SYSTEMS, healthcareEventTypes, toFhirAdverseEvent, toFhirBundle } from '../../src/healthcare/index.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { thrown } from '../helpers.js';

/** The official HL7 FHIR R4 JSON schema (see test/fixtures/fhir/README.md). */
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
let validateAdverseEvent: Validate;
let validateBundle: Validate;

beforeAll(() => {
  const require = createRequire(import.meta.url);
  // The schema names itself with draft-04's `id`: `schemaId: 'auto'` reads that and draft-06's `$id`.
  const ajv = new Ajv({ logger: false, allErrors: true, schemaId: 'auto' });
  ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-06.json') as object);
  ajv.addSchema(JSON.parse(readFileSync(new URL('../fixtures/fhir/fhir.schema.json', import.meta.url), 'utf8')) as object);
  validateAdverseEvent = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/AdverseEvent` }) as Validate;
  validateBundle = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/Bundle` }) as Validate;
}, 120_000);

const actor = { id: 'rn_lindqvist' };
const generic = { discoveredAt: '2026-05-21T14:05:00Z', occurredAt: '2026-05-21T11:00:00Z', location: 'ICU 4B', reporterRole: 'nurse' } as const;

async function incidents() {
  const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock('2026-05-21T14:10:00.000Z'), ids: sequentialIds(), types: healthcareEventTypes });
  const medication = await engine.declare({
    type: 'medication_event',
    title: 'Heparin infusion at twice the ordered rate',
    severity: 'SEV2',
    fields: {
      ...generic,
      eventClass: 'incident',
      patient: { mrn: 'MRN-20417733', reference: 'Patient/20417733' },
      harm: 'mild',
      nccMerp: 'E',
      medication: { name: 'heparin', rxnorm: '5224', ndc: '0409-2720-01' },
      device: { name: 'Volumetric infusion pump', manufacturer: 'Acme Medical', model: 'VP-300', udi: '(01)00812345678901(21)PUMP-0042', lotNumber: 'L2291', serialNumber: 'SN-0042' },
      contributingFactors: ['equipment', 'communication'],
      handoff: 'yes',
    },
    actor,
  });
  const device = await engine.declare({
    type: 'device_event',
    title: 'Bed alarm failed',
    severity: 'SEV3',
    fields: { ...generic, eventClass: 'near_miss', patient: { mrn: 'MRN-1' }, device: { name: 'Bed exit alarm' }, deviceProblem: 'malfunction' },
    actor,
  });
  const fall = await engine.declare({
    type: 'fall_event',
    title: 'Unassisted fall, hip fracture',
    severity: 'SEV1',
    fields: { ...generic, eventClass: 'incident', patient: { mrn: 'MRN-2' }, harm: 'death', fall: { assisted: 'no', injury: 'yes' } },
    actor,
  });
  const unsafe = await engine.declare({
    type: 'other_event',
    title: 'Wet floor outside radiology',
    severity: 'SEV4',
    fields: { ...generic, eventClass: 'unsafe_condition' },
    actor,
  });
  return { engine, medication, device, fall, unsafe };
}

describe('toFhirAdverseEvent', () => {
  it('writes an AdverseEvent that the official FHIR R4 schema accepts, with the drug and device as suspect entities', async () => {
    const { medication } = await incidents();
    const resource = toFhirAdverseEvent(medication);
    expect(validateAdverseEvent(resource), JSON.stringify(validateAdverseEvent.errors)).toBe(true);
    expect(resource).toMatchObject({
      resourceType: 'AdverseEvent',
      identifier: { system: 'urn:incidentkit:incident', value: medication.id },
      actuality: 'actual',
      event: { text: 'Heparin infusion at twice the ordered rate' },
      subject: { reference: 'Patient/20417733' },
      date: '2026-05-21T11:00:00Z',
      detected: '2026-05-21T14:05:00Z',
      recordedDate: '2026-05-21T14:10:00.000Z',
      location: { display: 'ICU 4B' },
      seriousness: { coding: [{ system: FHIR_SYSTEMS.seriousness, code: 'Non-serious' }] },
      severity: { coding: [{ system: FHIR_SYSTEMS.severity, code: 'mild' }] },
      outcome: { coding: [{ system: FHIR_SYSTEMS.outcome, code: 'ongoing' }] },
      suspectEntity: [{ instance: { reference: '#medication' } }, { instance: { reference: '#device' } }],
    });
    expect(resource.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(resource.category).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-category', code: 'product-use-error', display: 'Product Use Error' }], text: 'Medication or other substance' }]);
    expect(resource.contained).toEqual([
      { resourceType: 'Medication', id: 'medication', code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '5224' }, { system: 'http://hl7.org/fhir/sid/ndc', code: '0409-2720-01' }], text: 'heparin' } },
      { resourceType: 'Device', id: 'device', udiCarrier: [{ carrierHRF: '(01)00812345678901(21)PUMP-0042' }], manufacturer: 'Acme Medical', lotNumber: 'L2291', serialNumber: 'SN-0042', modelNumber: 'VP-300', deviceName: [{ name: 'Volumetric infusion pump', type: 'user-friendly-name' }] },
    ]);
    // The reporter's narrative and the patient's name never leave in the export.
    expect(JSON.stringify(resource)).not.toContain('narrative');
  }, 60_000);

  it('uses the terminology.hl7.org code systems for every coding', async () => {
    const { medication, device, fall, unsafe } = await incidents();
    const systems = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null) {
        const record = value as Record<string, unknown>;
        if (typeof record.system === 'string' && typeof record.code === 'string') systems.add(record.system);
        Object.values(record).forEach(collect);
      }
    };
    collect([medication, device, fall, unsafe].map((incident) => toFhirAdverseEvent(incident)));
    expect([...systems].sort()).toEqual([
      'http://hl7.org/fhir/sid/ndc',
      'http://terminology.hl7.org/CodeSystem/adverse-event-category',
      'http://terminology.hl7.org/CodeSystem/adverse-event-outcome',
      'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness',
      'http://terminology.hl7.org/CodeSystem/adverse-event-severity',
      'http://www.nlm.nih.gov/research/umls/rxnorm',
    ]);
  }, 60_000);

  it('writes near misses and unsafe conditions as potential events, and death as fatal and serious', async () => {
    const { device, fall, unsafe } = await incidents();
    const nearMiss = toFhirAdverseEvent(device, { mrnSystem: 'urn:oid:2.16.840.1.113883.19.5' });
    expect(nearMiss).toMatchObject({ actuality: 'potential', subject: { identifier: { system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN-1' } } });
    expect(nearMiss.category[0]?.coding?.[0]?.code).toBe('product-problem');
    const fatal = toFhirAdverseEvent(fall);
    expect(fatal.seriousness?.coding?.[0]?.code).toBe('SeriousResultsInDeath');
    expect(fatal.outcome?.coding?.[0]?.code).toBe('fatal');
    const condition = toFhirAdverseEvent(unsafe);
    expect(condition).toMatchObject({ actuality: 'potential', subject: { display: 'No patient (unsafe condition)' }, category: [{ text: 'Other' }] });
    expect(condition.seriousness).toBeUndefined();
    for (const resource of [nearMiss, fatal, condition]) expect(validateAdverseEvent(resource), JSON.stringify(validateAdverseEvent.errors)).toBe(true);
  }, 60_000);

  it('refuses an incident that is not of a healthcare type', async () => {
    const engine = createIncidentEngine({ store: memoryStore() });
    const incident = await engine.declare({ title: 'API down', severity: 'SEV2', actor });
    const error = thrown(() => toFhirAdverseEvent(incident));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((error as Error).message).toContain('healthcare types');
  });
});

describe('toFhirBundle', () => {
  it('writes a collection Bundle of AdverseEvents that the official FHIR R4 schema accepts', async () => {
    const { medication, device, fall, unsafe } = await incidents();
    const bundle = toFhirBundle([medication, device, fall, unsafe], { timestamp: '2026-06-01T00:00:00Z' });
    expect(validateBundle(bundle), JSON.stringify(validateBundle.errors)).toBe(true);
    expect(bundle.type).toBe('collection');
    expect(bundle.entry.map((entry) => entry.resource.identifier.value)).toEqual([medication.id, device.id, fall.id, unsafe.id]);
    // The schema is strict: a resource with a property FHIR does not define is refused.
    const broken = { ...bundle, entry: [{ resource: { ...bundle.entry[0]?.resource, harm: 'mild' } }] };
    expect(validateBundle(broken)).toBe(false);
  }, 60_000);
});
