import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, sha256HexPortable, sha256HexSync } from '../../src/sources/fingerprint.js';

// sha256HexSync uses Node's crypto when present; the portable JavaScript version runs everywhere else.
describe.each([
  ['sha256HexSync', sha256HexSync],
  ['sha256HexPortable', sha256HexPortable],
] as const)('%s', (_name, sha256Hex) => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('equals Web Crypto and node:crypto on any text, including multi-byte characters and block boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ minLength: 50, maxLength: 130 })), async (text) => {
        const expected = createHash('sha256').update(text, 'utf8').digest('hex');
        expect(sha256Hex(text)).toBe(expected);
        const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
        expect(Buffer.from(digest).toString('hex')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fingerprintOf', () => {
  const labels = { alertname: 'InstanceDown', instance: 'web-1:9100', job: 'node' };

  it('gives the same alert the same fingerprint whatever the key order', () => {
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    expect(fingerprintOf(['alertmanager', reversed])).toBe(fingerprintOf(['alertmanager', labels]));
    expect(fingerprintOf(['alertmanager', labels])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives different labels, values or sources different fingerprints', () => {
    const base = fingerprintOf(['alertmanager', labels]);
    expect(fingerprintOf(['alertmanager', { ...labels, instance: 'web-2:9100' }])).not.toBe(base);
    expect(fingerprintOf(['alertmanager', { ...labels, team: 'a' }])).not.toBe(base);
    expect(fingerprintOf(['grafana', labels])).not.toBe(base);
  });

  it('is a function of the canonical JSON only', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), fc.dictionary(fc.string(), fc.string()), (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(fingerprintOf(a) === fingerprintOf(b)).toBe(same);
      }),
    );
  });
});
