/**
 * Standard Webhooks signing and verification (https://www.standardwebhooks.com, spec v1.0.0):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "${id}.${timestamp}.${body}">`, with a `whsec_`-prefixed base64 secret. Web Crypto only, so
 * it runs in Node, browsers, Deno, Bun and edge runtimes.
 */
import { ConfigError } from '../errors.js';

const SECRET_PREFIX = 'whsec_';
const encoder = /* @__PURE__ */ new TextEncoder();

/** The three headers of a signed webhook. */
export interface StandardWebhookHeaders {
  readonly 'webhook-id': string;
  /** Unix seconds of the attempt. */
  readonly 'webhook-timestamp': string;
  /** Space-separated `v1,<base64>` signatures (several while secrets rotate). */
  readonly 'webhook-signature': string;
}

/** Request headers as `fetch` (`Headers`) or Node (`IncomingHttpHeaders`) give them. */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function base64ToBytes(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Decodes a `whsec_…` (or bare base64) secret, or throws a ConfigError. */
function secretBytes(secret: string, subject: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  let bytes: Uint8Array | undefined;
  try {
    bytes = base64ToBytes(encoded);
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes.length === 0) {
    throw new ConfigError(subject, [
      {
        code: 'custom',
        path: ['secret'],
        message: 'The secret must be base64, usually prefixed with whsec_ (e.g. from generateWebhookSecret()).',
      },
    ]);
  }
  return new Uint8Array(bytes);
}

const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string, subject: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = globalThis.crypto.subtle.importKey('raw', secretBytes(secret, subject), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    if (keyCache.size > 64) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

function signedContent(id: string, timestamp: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const payload = typeof body === 'string' ? encoder.encode(body) : body;
  const content = new Uint8Array(prefix.length + payload.length);
  content.set(prefix, 0);
  content.set(payload, prefix.length);
  return content;
}

function unixSeconds(timestamp: number | Date): string {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : Math.floor(timestamp);
  return String(seconds);
}

/** What {@link signWebhook} signs. */
export interface SignWebhookInput {
  /** One `whsec_…` secret, or several while rotating (each adds a signature). */
  readonly secret: string | readonly string[];
  /** The message id (`webhook-id`); it must not contain `.`. */
  readonly id: string;
  /** The attempt time: a Date, or Unix seconds. */
  readonly timestamp: Date | number;
  /** The exact body bytes that are sent. */
  readonly body: string | Uint8Array;
}

/**
 * Signs a webhook and returns its three Standard Webhooks headers.
 *
 * @example
 * ```ts
 * import { signWebhook } from 'incidentkit';
 *
 * const body = JSON.stringify({ type: 'incident.declared' });
 * const headers = await signWebhook({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_1', timestamp: new Date(), body });
 * await fetch('https://receiver.example.com/hooks', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when a secret is not base64, or `id` contains a `.`.
 */
export async function signWebhook(input: SignWebhookInput): Promise<StandardWebhookHeaders> {
  if (input.id === '' || input.id.includes('.')) {
    throw new ConfigError('signWebhook', [
      { code: 'custom', path: ['id'], message: 'The webhook id must be non-empty and must not contain "." (it delimits the signed content).' },
    ]);
  }
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const timestamp = unixSeconds(input.timestamp);
  const content = signedContent(input.id, timestamp, input.body);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const key = await hmacKey(secret, 'signWebhook');
      const mac = await globalThis.crypto.subtle.sign('HMAC', key, content);
      return `v1,${bytesToBase64(new Uint8Array(mac))}`;
    }),
  );
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return (value as readonly string[]).join(' ');
  }
  return undefined;
}

/** What {@link verifyWebhookSignature} checks. */
export interface VerifyWebhookInput {
  /** The endpoint's `whsec_…` secret, or several accepted while rotating. */
  readonly secret: string | readonly string[];
  /** The request headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), any case. */
  readonly headers: HeadersLike;
  /** The raw body exactly as received: do not parse and re-serialise it first. */
  readonly body: string | Uint8Array;
  /** How far the timestamp may be from `now`, either way. Default: 300 (five minutes). */
  readonly toleranceSeconds?: number;
  /** The receiver's current time. Default: the system clock. */
  readonly now?: Date;
}

/**
 * Verifies a Standard Webhooks signature: for receivers of incidentkit's webhooks (or any
 * Standard Webhooks sender).
 *
 * @remarks Resolves `true` only when a `v1` signature in `webhook-signature` matches one of
 * the secrets and `webhook-timestamp` is within `toleranceSeconds` of `now`, to the
 * millisecond (which defeats replays of old requests). The comparison is Web Crypto's HMAC
 * `verify`, which runs in constant time. Within the window a captured request can still be replayed: also drop
 * duplicate `webhook-id`s (the id is the message's idempotency key). Asynchronous because Web
 * Crypto is.
 *
 * @example
 * ```ts
 * import { verifyWebhookSignature } from 'incidentkit';
 *
 * export async function handle(request: Request): Promise<Response> {
 *   const body = await request.text();
 *   const ok = await verifyWebhookSignature({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers: request.headers, body });
 *   if (!ok) return new Response('invalid signature', { status: 401 });
 *   return new Response(null, { status: 204 });
 * }
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when a secret is not base64: that is the receiver's
 * configuration, not the request's fault.
 */
export async function verifyWebhookSignature(input: VerifyWebhookInput): Promise<boolean> {
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  if (secrets.length === 0) {
    throw new ConfigError('verifyWebhookSignature', [{ code: 'custom', path: ['secret'], message: 'Give at least one secret.' }]);
  }
  const keys = await Promise.all(secrets.map((secret) => hmacKey(secret, 'verifyWebhookSignature')));
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signatureHeader = header(input.headers, 'webhook-signature');
  if (id === undefined || id === '' || timestamp === undefined || signatureHeader === undefined) return false;
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const tolerance = input.toleranceSeconds ?? 300;
  // Compared to the millisecond: rounding `now` down to whole seconds would stretch the window
  // by up to a second past `timestamp + tolerance`, beyond what a replay guard remembers.
  const nowMs = (input.now ?? new Date()).getTime();
  if (Math.abs(nowMs - Number(timestamp) * 1000) > tolerance * 1000) return false;

  const content = signedContent(id, timestamp, input.body);
  for (const versioned of signatureHeader.split(' ')) {
    const comma = versioned.indexOf(',');
    if (comma < 0 || versioned.slice(0, comma) !== 'v1') continue;
    let signature: Uint8Array<ArrayBuffer>;
    try {
      signature = new Uint8Array(base64ToBytes(versioned.slice(comma + 1)));
    } catch {
      continue;
    }
    if (signature.length !== 32) continue;
    for (const key of keys) {
      if (await globalThis.crypto.subtle.verify('HMAC', key, signature, content)) return true;
    }
  }
  return false;
}

/**
 * Generates a new random `whsec_` secret (32 bytes, base64) for a webhook endpoint.
 *
 * @example
 * ```ts
 * import { generateWebhookSecret } from 'incidentkit';
 *
 * const secret = generateWebhookSecret(); // give it to the receiver, keep it out of logs
 * ```
 */
export function generateWebhookSecret(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return `${SECRET_PREFIX}${bytesToBase64(bytes)}`;
}
