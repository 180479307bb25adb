/**
 * Sensitive fields sealed with AES-256-GCM (Web Crypto) under a data subject's key: the envelope,
 * and sealing and opening every sensitive value of a fields object.
 */
import { EncryptionError, isIncidentKitError } from '../../errors.js';
import { canonicalJson } from '../../kernel/hash.js';
import { parseFieldPath } from '../../model/redactFields.js';
import type { JsonValue } from '../../model/primitives.js';
import type { Keyring } from './keyring.js';

/** What a sensitive value reads once its subject's key was destroyed (`engine.erase`). */
export const ERASED = '[erased]';

/** The envelope's format tag: AES-256-GCM, 96-bit IV, 128-bit tag, base64. */
const FORMAT = 'incidentkit.aes-256-gcm.v1';

/**
 * A sensitive value as stored: self-describing, so any reader with the subject's key opens it.
 * `ciphertext` is the canonical JSON of the value, encrypted with the tag appended; the
 * additional data binds it to its tenant, incident, subject and field path, so an envelope
 * copied elsewhere does not open.
 */
export interface SealedValue {
  readonly $sealed: typeof FORMAT;
  readonly subjectId: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly [key: string]: JsonValue;
}

/** Where a value lives: what its additional data names. */
export interface SealScope {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly subjectId: string;
}

/** Whether `value` is a {@link SealedValue}. */
export function isSealed(value: unknown): value is SealedValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.$sealed === FORMAT && typeof v.subjectId === 'string' && typeof v.iv === 'string' && typeof v.ciphertext === 'string';
}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const additionalData = (scope: SealScope, path: string): Uint8Array<ArrayBuffer> =>
  new TextEncoder().encode(`incidentkit\u0000${scope.tenantId}\u0000${scope.incidentId}\u0000${scope.subjectId}\u0000${path}`);

/** Visits the value at every concrete path `segments` reaches (as `redactFields` does) and replaces it with what `visit` returns. */
function mapAt(node: unknown, segments: readonly string[], i: number, at: string, visit: (value: unknown, path: string) => unknown): unknown {
  if (i === segments.length) return visit(node, at);
  const segment = segments[i] ?? '';
  const join = (key: string) => (at === '' ? key : `${at}.${key}`);
  if (Array.isArray(node)) {
    if (segment === '*') return node.map((item: unknown, j) => mapAt(item, segments, i + 1, join(String(j)), visit));
    if (/^(0|[1-9][0-9]*)$/.test(segment)) return node.map((item: unknown, j) => (j === Number(segment) ? mapAt(item, segments, i + 1, join(segment), visit) : item));
    return node.map((item: unknown, j) => mapAt(item, segments, i, join(String(j)), visit));
  }
  if (typeof node !== 'object' || node === null) return node;
  const record = node as Readonly<Record<string, unknown>>;
  if (segment === '*') return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, mapAt(v, segments, i + 1, join(k), visit)]));
  if (!Object.hasOwn(record, segment)) return node;
  return { ...record, [segment]: mapAt(record[segment], segments, i + 1, join(segment), visit) };
}

/** Visits every envelope anywhere in `node`. */
function mapSealed(node: unknown, at: string, visit: (value: SealedValue, path: string) => unknown): unknown {
  if (isSealed(node)) return visit(node, at);
  const join = (key: string) => (at === '' ? key : `${at}.${key}`);
  if (Array.isArray(node)) return node.map((item: unknown, j) => mapSealed(item, join(String(j)), visit));
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapSealed(v, join(k), visit)]));
}

/** Reads a key from the keyring, checked: `undefined` when it has none (destroyed). */
async function keyOf(keyring: Keyring, scope: SealScope, create: boolean): Promise<CryptoKey | undefined> {
  const { subjectId, incidentId } = scope;
  let raw: unknown;
  try {
    raw = await keyring.get(subjectId);
    if (raw === undefined && create) {
      raw = await keyring.create(subjectId);
      if (raw === undefined || raw === null) throw new EncryptionError({ subjectId, incidentId, reason: 'no_key' });
    }
  } catch (error) {
    if (isIncidentKitError(error)) throw error;
    throw new EncryptionError({ subjectId, incidentId, reason: 'keyring_failed' }, error);
  }
  if (raw === undefined || raw === null) return undefined;
  if (!(raw instanceof Uint8Array) || raw.byteLength !== 32) throw new EncryptionError({ subjectId, incidentId, reason: 'bad_key' });
  return globalThis.crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/**
 * `fields` with the value at every sensitive path sealed under the subject's key (created on
 * first use). A value equal to the one `previous` holds at the same path keeps its envelope, so
 * an update re-encrypts only what changed (and needs no key for the rest).
 *
 * @throws EncryptionError (`ENCRYPTION_FAILED`) when the keyring fails or returns a bad key.
 * @internal
 */
export async function sealFields(
  fields: Readonly<Record<string, JsonValue>>,
  paths: readonly string[],
  scope: SealScope,
  keyring: Keyring,
  previous?: { readonly sealed: Readonly<Record<string, JsonValue>>; readonly opened: Readonly<Record<string, JsonValue>> },
): Promise<Record<string, JsonValue>> {
  const keep = new Map<string, unknown>();
  if (previous !== undefined) {
    const opened = new Map<string, string>();
    for (const path of paths) mapAt(previous.opened, parseFieldPath(path) ?? [], 0, '', (value, at) => opened.set(at, canonicalJson(value)));
    for (const path of paths) mapAt(previous.sealed, parseFieldPath(path) ?? [], 0, '', (value, at) => (isSealed(value) && opened.has(at) ? keep.set(at, { value, text: opened.get(at) }) : undefined));
  }
  const plain = new Map<string, unknown>();
  for (const path of paths) mapAt(fields, parseFieldPath(path) ?? [], 0, '', (value, at) => (value === undefined || isSealed(value) ? undefined : plain.set(at, value)));
  const sealed = new Map<string, unknown>();
  let key: CryptoKey | undefined;
  for (const [at, value] of plain) {
    const kept = keep.get(at) as { value: SealedValue; text: string } | undefined;
    if (kept?.text === canonicalJson(value)) {
      sealed.set(at, kept.value);
      continue;
    }
    key ??= await keyOf(keyring, scope, true);
    if (key === undefined) throw new EncryptionError({ subjectId: scope.subjectId, incidentId: scope.incidentId, reason: 'no_key' });
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(canonicalJson(value));
    const ciphertext = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(scope, at) }, key, data));
    sealed.set(at, { $sealed: FORMAT, subjectId: scope.subjectId, iv: toBase64(iv), ciphertext: toBase64(ciphertext) } satisfies SealedValue);
  }
  if (sealed.size === 0) return { ...fields };
  let result: unknown = fields;
  for (const path of paths) result = mapAt(result, parseFieldPath(path) ?? [], 0, '', (value, at) => (sealed.has(at) ? sealed.get(at) : value));
  return result as Record<string, JsonValue>;
}

/**
 * `fields` with every envelope opened: its value when the subject's key exists, `[erased]` when
 * it was destroyed or the incident was erased (`erased`).
 *
 * @throws EncryptionError (`ENCRYPTION_FAILED`) when a key does not open its envelope, or the keyring fails.
 * @internal
 */
export async function openFields(
  fields: Readonly<Record<string, JsonValue>>,
  scope: Omit<SealScope, 'subjectId'>,
  keyring: Keyring,
  erased: boolean,
): Promise<Record<string, JsonValue>> {
  const found = new Map<string, SealedValue>();
  mapSealed(fields, '', (value, at) => found.set(at, value));
  if (found.size === 0) return fields;
  const opened = new Map<string, JsonValue>();
  const keys = new Map<string, CryptoKey | undefined>();
  for (const [at, envelope] of found) {
    const subject = { ...scope, subjectId: envelope.subjectId };
    if (erased) {
      opened.set(at, ERASED);
      continue;
    }
    if (!keys.has(envelope.subjectId)) keys.set(envelope.subjectId, await keyOf(keyring, subject, false));
    const key = keys.get(envelope.subjectId);
    if (key === undefined) {
      opened.set(at, ERASED);
      continue;
    }
    let plain: ArrayBuffer;
    try {
      plain = await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(envelope.iv), additionalData: additionalData(subject, at) }, key, fromBase64(envelope.ciphertext));
    } catch (error) {
      throw new EncryptionError({ subjectId: envelope.subjectId, incidentId: scope.incidentId, path: at, reason: error instanceof DOMException && error.name === 'OperationError' ? 'wrong_key' : 'malformed' }, error);
    }
    opened.set(at, JSON.parse(new TextDecoder().decode(plain)) as JsonValue);
  }
  return mapSealed(fields, '', (value, at) => (opened.has(at) ? opened.get(at) : value)) as Record<string, JsonValue>;
}
