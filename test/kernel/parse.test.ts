/** The validation boundary never lets an exception of zod's own escape untyped. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig, parseInput } from '../../src/kernel/parse.js';
import { thrown } from '../helpers.js';

// zod's string checks throw a TypeError on an object whose `length` is a Symbol (found by the command fuzz).
const hostile = { length: Symbol('length') };

describe('parseInput and parseConfig', () => {
  it('turn an exception thrown inside zod into VALIDATION_FAILED / CONFIG_INVALID', () => {
    expect(() => z.string().min(1).safeParse(hostile)).toThrow(TypeError);
    const input = thrown(() => parseInput(z.string().min(1), hostile, 'verifyTimeline'), 'VALIDATION_FAILED');
    expect(input.message).toBe('Invalid input for verifyTimeline: Not a value this input accepts. Fix the input and try again.');
    expect(thrown(() => parseConfig(z.string().min(1), hostile, 'createIncidentEngine'), 'CONFIG_INVALID').details.issues).toEqual([
      { code: 'custom', path: [], message: 'Not a value this input accepts.' },
    ]);
  });
});
