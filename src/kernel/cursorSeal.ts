/**
 * Opaque list cursors: a store's cursor (which names an incident's id and time) is sealed with
 * AES-GCM before it leaves the engine, so a page's `nextCursor` tells a reader nothing about
 * the incidents it may not read, and a cursor of another tenant or engine secret is refused.
 *
 * @module
 */

/** Seals and opens cursors with one key. */
export interface CursorSeal {
  /** Encrypts `cursor`, bound to `context` (e.g. the tenant): URL-safe base64. */
  seal(cursor: string, context: string): Promise<string>;
  /** The cursor sealed in `token` for `context`, or `undefined` when it was not sealed with this key and context. */
  open(token: string, context: string): Promise<string | undefined>;
}

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder();

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  // Base64 pads with at most two `=`; a bounded pattern stays linear on any input.
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/={1,2}$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * A cursor seal keyed by `secret` (SHA-256 of it is the AES-256 key), or by a random key of
 * this process when there is none — cursors then work only with the engine that made them.
 */
export function createCursorSeal(secret?: string): CursorSeal {
  const subtle = globalThis.crypto.subtle;
  const key: Promise<CryptoKey> =
    secret === undefined
      ? subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
      : subtle.digest('SHA-256', encoder.encode(secret)).then((raw) => subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
  return {
    async seal(cursor, context) {
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(context) }, await key, encoder.encode(cursor)));
      const token = new Uint8Array(iv.length + sealed.length);
      token.set(iv);
      token.set(sealed, iv.length);
      return toBase64Url(token);
    },
    async open(token, context) {
      const bytes = fromBase64Url(token);
      // 12 bytes of IV and 16 of tag at least.
      if (bytes === undefined || bytes.length < 28) return undefined;
      try {
        const plain = await subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: encoder.encode(context) }, await key, bytes.slice(12));
        return decoder.decode(plain);
      } catch {
        return undefined;
      }
    },
  };
}
