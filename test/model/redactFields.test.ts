import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactFields } from '../../src/model/redactFields.js';
import { isIncidentKitError } from '../../src/errors.js';
import type { JsonValue } from '../../src/model/primitives.js';
import { thrown } from '../helpers.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const fields: Record<string, JsonValue> = deepFreeze({
  patientId: 'MRN-1',
  ward: '4B',
  patient: { mrn: 'MRN-1', dob: '1950-01-01', name: { first: 'Ada', last: 'L' } },
  witnesses: [
    { name: 'Nurse A', phone: '555-1' },
    { name: 'Nurse B', phone: '555-2' },
  ],
  notes: null,
});

describe('redactFields', () => {
  it('replaces top-level and nested values and leaves the rest alone', () => {
    expect(redactFields(fields, ['patientId', 'patient.dob', 'patient.name'])).toEqual({
      patientId: REDACTED,
      ward: '4B',
      patient: { mrn: 'MRN-1', dob: '[REDACTED]', name: '[REDACTED]' },
      witnesses: fields.witnesses,
      notes: null,
    });
  });

  it('reaches into arrays with *, an index, or a named segment', () => {
    expect(redactFields(fields, ['witnesses.*.phone']).witnesses).toEqual([
      { name: 'Nurse A', phone: REDACTED },
      { name: 'Nurse B', phone: REDACTED },
    ]);
    expect(redactFields(fields, ['witnesses.1.phone']).witnesses).toEqual([
      { name: 'Nurse A', phone: '555-1' },
      { name: 'Nurse B', phone: REDACTED },
    ]);
    expect(redactFields(fields, ['witnesses.name']).witnesses).toEqual([
      { name: REDACTED, phone: '555-1' },
      { name: REDACTED, phone: '555-2' },
    ]);
    expect(redactFields(fields, ['patient.*'], '***').patient).toEqual({ mrn: '***', dob: '***', name: '***' });
  });

  it('skips paths that do not exist and never modifies its input', () => {
    const result = redactFields(fields, ['missing', 'ward.length', 'witnesses.9.phone', 'notes.x']);
    expect(result).toEqual(fields);
    expect(result).not.toBe(fields);
    expect(fields.patientId).toBe('MRN-1');
  });

  it('refuses malformed paths', () => {
    for (const path of ['', 'a..b', '__proto__', 'patient.constructor']) {
      const err = thrown(() => redactFields(fields, [path]));
      expect(isIncidentKitError(err, 'CONFIG_INVALID')).toBe(true);
    }
  });

  it('redacts exactly the named top-level keys (property)', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.includes('.') && k !== '*' && !['__proto__', 'constructor', 'prototype'].includes(k));
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue() as fc.Arbitrary<JsonValue>), fc.array(key, { maxLength: 5 }), (input, paths) => {
        const out = redactFields(input, paths);
        expect(Object.keys(out).sort()).toEqual(Object.keys(input).sort());
        for (const k of Object.keys(input)) {
          expect(out[k]).toEqual(paths.includes(k) ? REDACTED : input[k]);
        }
      }),
    );
  });
});
