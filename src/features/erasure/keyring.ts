/**
 * Where the per-subject keys of sensitive fields live: the host's keyring, and one in memory.
 */

/** A raw key, or a promise of one: what a {@link Keyring} may answer. */
type MaybePromise<T> = T | Promise<T>;

/**
 * The keys that seal sensitive fields, one per data subject (a patient, a person), held by the
 * host: `createIncidentEngine({ keyring })`.
 *
 * @remarks
 * Keys are raw 32-byte AES-256 keys (`Uint8Array`). The engine asks `get` before it encrypts or
 * decrypts, `create` when a subject has no key yet, and `destroy` on `engine.erase`. Each method
 * may be asynchronous.
 *
 * - `create` must return the existing key when one was created meanwhile (two engines declaring
 *   for the same subject at once must end up with one key), and a fresh random key otherwise.
 * - `destroy` must remove the key for good, backups included: that is what makes the subject's
 *   data unreadable. After it, `get` returns `undefined`.
 *
 * In production keep the keys in a KMS- or HSM-backed store (e.g. wrapped with a KMS key and kept
 * in a table of their own, outside the incident store and its backups); {@link memoryKeyring}
 * is for tests and development.
 */
export interface Keyring {
  /** The subject's key, or `undefined` when it has none (never created, or destroyed). */
  get(subjectId: string): MaybePromise<Uint8Array | undefined>;
  /** Creates the subject's key (or returns the one it has) and returns it. */
  create(subjectId: string): MaybePromise<Uint8Array>;
  /** Destroys the subject's key for good. */
  destroy(subjectId: string): MaybePromise<void>;
}

/**
 * A {@link Keyring} in memory, for tests and development: keys are lost when the process ends.
 *
 * @remarks Production keys belong in a KMS- or HSM-backed store that survives restarts and can
 * destroy a key for good; see "Personal data and erasure" in docs/security.md.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryKeyring, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), keyring: memoryKeyring() });
 * ```
 */
export function memoryKeyring(): Keyring {
  const keys = new Map<string, Uint8Array>();
  return {
    get: (subjectId) => keys.get(subjectId)?.slice(),
    create(subjectId) {
      let key = keys.get(subjectId);
      if (key === undefined) {
        key = globalThis.crypto.getRandomValues(new Uint8Array(32));
        keys.set(subjectId, key);
      }
      return key.slice();
    },
    destroy(subjectId) {
      keys.get(subjectId)?.fill(0);
      keys.delete(subjectId);
    },
  };
}
