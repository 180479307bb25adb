import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  createIncidentTypeRegistry,
  defineIncidentType,
  validateFields,
  type InferFields,
  type InferFieldsInput,
  type TypedDeclareFields,
} from '../../../src/features/classification/defineIncidentType.js';
import { ahrqHarmScale, nccMerpScale } from '../../../src/features/classification/scales.js';
import type { StandardSchemaV1 } from '../../../src/features/classification/standardSchema.js';
import { defineStatusLabels } from '../../../src/model/statusLabels.js';
import { isIncidentKitError, type ValidationIssue } from '../../../src/errors.js';
import { atLeast, sevScale } from '../../../src/model/severity.js';
import { thrown } from '../../helpers.js';

const medicationError = defineIncidentType({
  name: 'medication_error',
  title: 'Medication error',
  severityScale: nccMerpScale,
  fields: z.strictObject({
    patientId: z.string().trim().min(1),
    drug: z.string(),
    doseMg: z.number().positive(),
    pump: z.strictObject({ id: z.string(), firmware: z.string().optional() }).optional(),
    witnesses: z.array(z.strictObject({ name: z.string(), phone: z.string() })).default([]),
  }),
  sensitiveFields: ['patientId', 'witnesses.*.phone'],
  statuses: defineStatusLabels({ investigating: 'responding', rca: 'postIncident' }),
  policies: { review: { requiredFor: atLeast(nccMerpScale, 'E') } },
});

const outage = defineIncidentType({
  name: 'outage',
  severityScale: sevScale,
  fields: z.object({ region: z.string() }),
});

describe('defineIncidentType', () => {
  it('keeps the definition, frozen, with defaults filled in', () => {
    expect(medicationError).toMatchObject({
      name: 'medication_error',
      title: 'Medication error',
      severityScale: nccMerpScale,
      sensitiveFields: ['patientId', 'witnesses.*.phone'],
      policies: { review: { requiredFor: ['I', 'H', 'G', 'F', 'E'] } },
    });
    expect(medicationError.statuses?.labels.map((l) => l.name)).toEqual(['investigating', 'rca']);
    expect(outage.title).toBe('outage');
    expect(outage.sensitiveFields).toEqual([]);
    expect(Object.isFrozen(medicationError)).toBe(true);
  });

  it('infers the field types from the schema', () => {
    expectTypeOf<InferFields<typeof medicationError>>().toEqualTypeOf<{
      patientId: string;
      drug: string;
      doseMg: number;
      pump?: { id: string; firmware?: string | undefined } | undefined;
      witnesses: { name: string; phone: string }[];
    }>();
    expectTypeOf<InferFieldsInput<typeof medicationError>>().toHaveProperty('witnesses').toEqualTypeOf<{ name: string; phone: string }[] | undefined>();
    expectTypeOf(medicationError.name).toEqualTypeOf<'medication_error'>();
  });

  it('types sensitive field paths from the schema', () => {
    expect(() =>
      defineIncidentType({
        name: 'x',
        severityScale: sevScale,
        fields: z.object({ patient: z.object({ mrn: z.string() }) }),
        // @ts-expect-error 'patient.ssn' is not a path of the fields
        sensitiveFields: ['patient.mrn', 'patient.ssn'],
      }),
    ).not.toThrow();
  });

  it('types declare input per incident type', () => {
    type Input = TypedDeclareFields<[typeof medicationError, typeof outage]>;
    const ok: Input = { type: 'outage', severity: 'SEV2', fields: { region: 'eu' } };
    const med: Input = { type: 'medication_error', severity: 'E', fields: { patientId: 'p', drug: 'heparin', doseMg: 5 } };
    // @ts-expect-error an outage is classified on the SEV scale, not NCC MERP
    const wrongScale: Input = { type: 'outage', severity: 'E', fields: { region: 'eu' } };
    // @ts-expect-error medication errors need a drug
    const missingField: Input = { type: 'medication_error', severity: 'E', fields: { patientId: 'p', doseMg: 5 } };
    expect([ok, med, wrongScale, missingField].map((i) => i.type)).toEqual(['outage', 'medication_error', 'outage', 'medication_error']);
  });

  it.each([
    [{ name: 'bad name', severityScale: sevScale, fields: z.object({}) }, ['name']],
    [{ name: 'x', severityScale: sevScale, fields: { parse: () => ({}) } }, ['fields']],
    [{ name: 'x', severityScale: sevScale, fields: z.object({}), sensitiveFields: ['a..b'] }, ['sensitiveFields', 0]],
    [{ name: 'x', severityScale: sevScale, fields: z.object({}), policies: { review: { requiredFor: ['E'] } } }, ['policies', 'review', 'requiredFor', 0]],
    [{ name: 'x', severityScale: { name: 's', levels: [] }, fields: z.object({}) }, ['severityScale', 'levels']],
  ])('refuses a malformed definition (%#) with a ConfigError at the offending path', (definition, path) => {
    const err = thrown(() => defineIncidentType(definition as never));
    expect(isIncidentKitError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as { details: { issues: ValidationIssue[] } }).details.issues[0]?.path).toEqual(path);
  });
});

describe('validateFields', () => {
  it('returns the parsed value, with the schema’s transforms and defaults applied', async () => {
    const fields = await validateFields(medicationError, { patientId: '  MRN-7 ', drug: 'heparin', doseMg: 5000 });
    expect(fields).toEqual({ patientId: 'MRN-7', drug: 'heparin', doseMg: 5000, witnesses: [] });
    expectTypeOf(fields.doseMg).toEqualTypeOf<number>();
  });

  it('reports the schema’s issues under fields with zod’s codes', async () => {
    const err = await thrown(validateFields(medicationError, { patientId: '', drug: 'heparin', doseMg: -1, pump: { id: 7 } }), 'VALIDATION_FAILED');
    expect(err.details.subject).toBe("fields of incident type 'medication_error'");
    expect(err.details.issues.map((i) => [i.code, i.path])).toEqual([
      ['too_small', ['fields', 'patientId']],
      ['too_small', ['fields', 'doseMg']],
      ['invalid_type', ['fields', 'pump', 'id']],
    ]);
    expect(err.message).toMatch(/^Invalid input for fields of incident type 'medication_error': fields\.patientId: /);
  });

  it('refuses unknown keys with a strict schema and drops them with a stripping one', async () => {
    const strict = await thrown(validateFields(medicationError, { patientId: 'p', drug: 'd', doseMg: 1, ward: '4B' }, { subject: 'declare' }), 'VALIDATION_FAILED');
    expect(strict.details.subject).toBe('declare');
    expect(strict.details.issues[0]).toMatchObject({ code: 'unrecognized_keys', path: ['fields'] });
    expect(await validateFields(outage, { region: 'eu', ward: '4B' })).toEqual({ region: 'eu' });
  });

  it('awaits asynchronous schemas', async () => {
    const known = new Set(['MRN-1']);
    const lookup = defineIncidentType({
      name: 'fall',
      severityScale: ahrqHarmScale,
      fields: z.strictObject({
        patientId: z.string().refine(async (id) => {
          await Promise.resolve();
          return known.has(id);
        }, 'No such patient.'),
      }),
    });
    expect(await validateFields(lookup, { patientId: 'MRN-1' })).toEqual({ patientId: 'MRN-1' });
    const err = await thrown(validateFields(lookup, { patientId: 'MRN-2' }, { path: ['input', 'fields'] }), 'VALIDATION_FAILED');
    expect(err.details.issues).toEqual([{ code: 'custom', path: ['input', 'fields', 'patientId'], message: 'No such patient.' }]);
  });

  it('works with any Standard Schema, including path segment objects and no issue codes', async () => {
    const handWritten: StandardSchemaV1<{ ward: string }> = {
      '~standard': {
        version: 1,
        vendor: 'hand-written',
        validate: (value) =>
          Promise.resolve(
            typeof value === 'object' && value !== null && typeof (value as { ward?: unknown }).ward === 'string'
              ? { value: { ward: (value as { ward: string }).ward } }
              : { issues: [{ message: 'Ward is required.', path: [{ key: 'ward' }] }] },
          ),
      },
    };
    const type = defineIncidentType({ name: 'ward_event', severityScale: sevScale, fields: handWritten });
    expect(await validateFields(type, { ward: '4B' })).toEqual({ ward: '4B' });
    const err = await thrown(validateFields(type, {}), 'VALIDATION_FAILED');
    expect(err.details.issues).toEqual([{ code: 'invalid_field', path: ['fields', 'ward'], message: 'Ward is required.' }]);
  });

  it('refuses schema output that is not plain JSON, since fields are stored as is', async () => {
    const dated = defineIncidentType({ name: 'dated', severityScale: sevScale, fields: z.object({ at: z.coerce.date() }) });
    const err = await thrown(validateFields(dated, { at: '2026-01-01' }), 'VALIDATION_FAILED');
    expect(err.details.issues[0]).toMatchObject({ path: ['fields', 'at'], message: 'Must be plain JSON (string, number, boolean, null, array or object).' });
    const notObject = defineIncidentType({ name: 'scalar', severityScale: sevScale, fields: z.string() });
    expect((await thrown(validateFields(notObject, 'x'), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['fields']);
  });
});

describe('createIncidentTypeRegistry', () => {
  const registry = createIncidentTypeRegistry([medicationError, outage]);

  it('finds types by name', () => {
    expect(registry.names).toEqual(['medication_error', 'outage']);
    expect(registry.has('outage')).toBe(true);
    expect(registry.has('fall')).toBe(false);
    const found = registry.get('medication_error');
    expect(found).toBe(medicationError);
    expectTypeOf(found).toEqualTypeOf<typeof medicationError>();
  });

  it('refuses unknown type names, naming the known ones', () => {
    const err = thrown(() => registry.get('medication-error'));
    expect(isIncidentKitError(err, 'VALIDATION_FAILED')).toBe(true);
    expect((err as { details: { issues: ValidationIssue[] } }).details.issues[0]).toMatchObject({ code: 'unknown_incident_type', path: ['type'] });
    expect((err as Error).message).toBe(
      "Invalid input for declare: type: Unknown incident type 'medication-error'; use one of medication_error, outage. Fix the input and try again.",
    );
    expect((thrown(() => createIncidentTypeRegistry([]).get('outage', 'updateFields')) as Error).message).toContain(
      'updateFields: type: Unknown incident type \'outage\'; this engine has no incident types',
    );
  });

  it('refuses duplicate names and objects not made with defineIncidentType', () => {
    const dup = thrown(() => createIncidentTypeRegistry([outage, defineIncidentType({ name: 'outage', severityScale: sevScale, fields: z.object({}) })]));
    expect(isIncidentKitError(dup, 'CONFIG_INVALID')).toBe(true);
    expect((dup as Error).message).toContain("Two incident types are called 'outage'");
    const forged = thrown(() => createIncidentTypeRegistry([{ ...outage }]));
    expect((forged as Error).message).toContain('Make incident types with defineIncidentType');
  });
});
