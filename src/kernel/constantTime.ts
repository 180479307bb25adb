/**
 * Comparisons of secrets (tokens, signatures, digests) that do not leak, through their timing,
 * where two values differ: one loop over every position, no early exit.
 * @module
 */

const encoder = /* @__PURE__ */ new TextEncoder();

function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/**
 * Whether two secrets are equal, in time that depends on neither their contents nor (beyond
 * their lengths) where they differ. Strings are compared as their UTF-8 bytes.
 *
 * @example
 * ```ts
 * constantTimeEqual('v0=abc', 'v0=abd'); // false
 * ```
 * @internal
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = bytesOf(a);
  const y = bytesOf(b);
  let difference = x.length ^ y.length;
  const length = Math.max(x.length, y.length);
  for (let i = 0; i < length; i += 1) difference |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return difference === 0;
}

async function sha256(value: string | Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(bytesOf(value))));
}

/**
 * Whether two secrets are equal, in time that depends on neither their contents nor their
 * lengths: both are hashed with SHA-256 first and the digests compared with
 * {@link constantTimeEqual}. For secrets whose length itself is worth hiding (bearer tokens).
 *
 * @internal
 */
export async function digestEqual(a: string | Uint8Array, b: string | Uint8Array): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  return constantTimeEqual(x, y);
}
