/** The kinds of ids the engine generates. */
export type IdKind = 'incident' | 'event' | 'actionItem' | 'message' | 'change' | 'problem';

/**
 * Generates ids. Inject one for deterministic ids in tests or to match the host's id format.
 *
 * @example
 * ```ts
 * import type { IdGenerator } from 'incidentkit';
 *
 * let n = 0;
 * const ids: IdGenerator = (kind) => `${kind}-${String(++n)}`;
 * ```
 */
export type IdGenerator = (kind: IdKind) => string;

const PREFIX: Readonly<Record<IdKind, string>> = { incident: 'inc', event: 'evt', actionItem: 'act', message: 'msg', change: 'chg', problem: 'prb' };

/** The default generator: a kind prefix and a random UUID (Web Crypto), e.g. `inc_0b6f…`. */
export const randomIds: IdGenerator = (kind) => `${PREFIX[kind]}_${globalThis.crypto.randomUUID().replaceAll('-', '')}`;
