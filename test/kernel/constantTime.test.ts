import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { constantTimeEqual, digestEqual } from '../../src/kernel/constantTime.js';

describe('constantTimeEqual and digestEqual', () => {
  it('agree with === on any two strings, including different lengths and non-ASCII text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.boolean(), async (a, b, same) => {
        const other = same ? a : b;
        expect(constantTimeEqual(a, other)).toBe(a === other);
        expect(await digestEqual(a, other)).toBe(a === other);
      }),
    );
  });

  it('compare bytes and strings by their UTF-8 bytes', async () => {
    expect(constantTimeEqual('é', new Uint8Array([0xc3, 0xa9]))).toBe(true);
    expect(constantTimeEqual('e', new Uint8Array([0xc3, 0xa9]))).toBe(false);
    expect(constantTimeEqual('', new Uint8Array())).toBe(true);
    expect(await digestEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
  });
});
