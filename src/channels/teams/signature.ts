/**
 * Microsoft Teams outgoing webhooks' request signing (learn.microsoft.com, "Create Outgoing
 * Webhooks"): `Authorization: HMAC <base64>`, the base64 HMAC-SHA256 of the raw request body,
 * keyed with the base64-decoded security token Teams showed when the webhook was created.
 * Web Crypto only, so it runs on every runtime.
 */
import { constantTimeEqual } from '../../kernel/constantTime.js';

const encoder = /* @__PURE__ */ new TextEncoder();

/** The standard base64 alphabet with padding; the URL-safe `-` and `_` are read as `+` and `/`. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of a base64 security token, or `undefined` when it is not base64 (or is empty).
 *
 * @example
 * ```ts
 * import { decodeTeamsSecret } from 'incidentkit/teams';
 *
 * decodeTeamsSecret('c2VjcmV0'); // Uint8Array of 'secret'
 * decodeTeamsSecret('not base64!'); // undefined
 * ```
 */
export function decodeTeamsSecret(secret: string): Uint8Array<ArrayBuffer> | undefined {
  const standard = secret.trim().replaceAll('-', '+').replaceAll('_', '/');
  if (standard.length === 0 || standard.length % 4 !== 0 || standard.length > 4_096 || !BASE64.test(standard)) return undefined;
  let binary: string;
  try {
    binary = globalThis.atob(standard);
  } catch {
    return undefined;
  }
  if (binary.length === 0) return undefined;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return globalThis.btoa(binary);
}

function importKey(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

async function sign(key: CryptoKey, body: string | Uint8Array): Promise<string> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  return `HMAC ${toBase64(await globalThis.crypto.subtle.sign('HMAC', key, bytes as Uint8Array<ArrayBuffer>))}`;
}

/**
 * The `Authorization` header Teams sends with a body: `HMAC ` and the base64 HMAC-SHA256 of the
 * body, keyed with the base64-decoded security token. Useful to sign requests in tests.
 *
 * @example
 * ```ts
 * import { teamsSignature } from 'incidentkit/teams';
 *
 * const body = JSON.stringify({ type: 'message', text: '<at>incidentkit</at> help' });
 * const authorization = await teamsSignature('c2VjdXJpdHktdG9rZW4=', body); // 'HMAC …'
 * ```
 * @throws TypeError when `secret` is not base64.
 */
export async function teamsSignature(secret: string, body: string | Uint8Array): Promise<string> {
  const key = decodeTeamsSecret(secret);
  if (key === undefined) throw new TypeError('The Teams security token must be base64, as Teams shows it.');
  return sign(await importKey(key), body);
}

/** The shape of a genuine header: `HMAC ` and the 44 base64 characters of a SHA-256 digest. */
const HEADER = /^HMAC [A-Za-z0-9+/]{43}=$/;

/**
 * A verifier of Teams' `Authorization` headers for one security token: the key is imported once.
 *
 * @remarks A missing or malformed header gives `false`; the comparison is in constant time.
 * Never throws for request data.
 *
 * @example
 * ```ts
 * import { teamsVerifier } from 'incidentkit/teams';
 *
 * declare const request: Request;
 * const verify = teamsVerifier('c2VjdXJpdHktdG9rZW4=');
 * const body = new Uint8Array(await request.arrayBuffer());
 * const genuine = await verify(request.headers.get('authorization'), body);
 * ```
 * @throws TypeError when `secret` is not base64.
 */
export function teamsVerifier(secret: string): (authorization: string | null, body: Uint8Array) => Promise<boolean> {
  const bytes = decodeTeamsSecret(secret);
  if (bytes === undefined) throw new TypeError('The Teams security token must be base64, as Teams shows it.');
  let key: Promise<CryptoKey> | undefined;
  return async (authorization, body) => {
    const header = authorization?.trim() ?? '';
    if (!HEADER.test(header)) return false;
    key ??= importKey(bytes);
    return constantTimeEqual(await sign(await key, body), header);
  };
}

/**
 * Whether a request really comes from the Teams outgoing webhook with this security token.
 *
 * @example
 * ```ts
 * import { verifyTeamsSignature } from 'incidentkit/teams';
 *
 * declare const request: Request;
 * const body = new Uint8Array(await request.arrayBuffer());
 * const genuine = await verifyTeamsSignature('c2VjdXJpdHktdG9rZW4=', request.headers.get('authorization'), body);
 * ```
 * @throws TypeError when `secret` is not base64.
 */
export function verifyTeamsSignature(secret: string, authorization: string | null, body: Uint8Array): Promise<boolean> {
  return teamsVerifier(secret)(authorization, body);
}
