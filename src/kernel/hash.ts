
/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` properties dropped.
 *
 * @remarks Two equal values always give the same text, whatever their key order, so the hash
 * of an event does not depend on how a store returns its JSON.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value) as string | undefined;
    return text ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

const encoder = /* @__PURE__ */ new TextEncoder();

interface NodeHash {
  update(data: string, encoding: 'utf8'): NodeHash;
  digest(encoding: 'hex'): string;
}

/**
 * Node's synchronous SHA-256, when the runtime offers it without a static import of a Node
 * built-in (`process.getBuiltinModule`, Node ≥ 20.16). Web Crypto's `digest` runs on Node's
 * thread pool, and the hop costs far more than hashing one small event.
 *
 * @internal
 */
export const nodeCreateHash = /* @__PURE__ */ (() => ((): ((algorithm: 'sha256') => NodeHash) | undefined => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = proc?.getBuiltinModule?.('node:crypto') as { createHash?: (algorithm: 'sha256') => NodeHash } | undefined;
  return crypto?.createHash;
})())();

/** SHA-256 of `text`, as lowercase hex: Node's crypto when present, else Web Crypto (browsers, Deno, Bun, edge runtimes). */
export async function sha256Hex(text: string): Promise<string> {
  if (nodeCreateHash !== undefined) return nodeCreateHash('sha256').update(text, 'utf8').digest('hex');
  const digest = await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
