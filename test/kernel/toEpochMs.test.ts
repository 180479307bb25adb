import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { parseIsoMs, toEpochMs } from '../../src/kernel/toEpochMs.js';
import { thrown } from '../helpers.js';

describe('parseIsoMs (the fast path for projection timestamps)', () => {
  it('agrees with Date.parse on every toISOString output', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        expect(parseIsoMs(iso)).toBe(Date.parse(iso));
        expect(parseIsoMs(iso)).toBe(date.getTime());
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with Date.parse on malformed strings of the same length', () => {
    const chars = fc.constantFrom(...'0123456789-:.TZ a/+'.split(''));
    const template = '2026-02-28T23:59:59.999Z';
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(23), chars), { minLength: 1, maxLength: 3 }), (edits) => {
        const s = Array.from(template);
        for (const [i, c] of edits) s[i] = c;
        const text = s.join('');
        expect(Object.is(parseIsoMs(text), Date.parse(text))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each(['2026-02-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-01-01T00:00:00+02:00', '2026-01-01', 'soon'])(
    '%s parses like Date.parse',
    (text) => {
      expect(Object.is(parseIsoMs(text), Date.parse(text))).toBe(true);
    },
  );
});

describe('toEpochMs', () => {
  it('accepts a Date, epoch milliseconds and ISO strings', () => {
    expect(toEpochMs(new Date('2026-01-01T00:00:00Z'), 'now')).toBe(1_767_225_600_000);
    expect(toEpochMs(1_767_225_600_000, 'now')).toBe(1_767_225_600_000);
    expect(toEpochMs('2026-01-01T01:00:00+01:00', 'now')).toBe(1_767_225_600_000);
  });

  it('refuses anything else with a ValidationError naming the subject', () => {
    for (const bad of ['tomorrow', Number.NaN, new Date('invalid')]) {
      const caught = thrown(() => toEpochMs(bad, 'report window'));
      expect(isIncidentKitError(caught, 'VALIDATION_FAILED')).toBe(true);
      expect((caught as Error).message).toContain('report window');
    }
  });
});
