/**
 * Verifiers that guard inbound webhooks: a shared bearer token, HTTP Basic credentials, or a
 * Standard Webhooks signature. Web Crypto only, so they run wherever the handler runs.
 */
import { z } from 'zod';
import type { Clock } from '../kernel/clock.js';
import { systemClock } from '../kernel/clock.js';
import { digestEqual } from '../kernel/constantTime.js';
import { ConfigError, type ValidationIssue } from '../errors.js';
import { parseConfig, toIssues } from '../kernel/parse.js';
import { verifyWebhookSignature } from '../channels/standardWebhooks.js';

/**
 * Decides whether an inbound webhook may be ingested.
 *
 * @remarks `body` holds the exact bytes received (the request's own body is already read), so
 * signature schemes can hash them. Return (or resolve) `true` to accept; anything else answers
 * `401` and ingests nothing. A verifier may carry:
 * - `challenge`: the `WWW-Authenticate` value sent with its `401`;
 * - `release(request)`: called when a verified request still failed on the server's side
 *   (a `5xx`), so a replay guard lets the sender's retry of the same message through.
 *
 * @example
 * ```ts
 * import type { Verifier } from 'incidentkit/http';
 *
 * // Accept only requests from one network appliance that adds a fixed header.
 * const fromAppliance: Verifier = (request) => request.headers.get('x-appliance-key') === 'k-123';
 * ```
 */
export interface Verifier {
  (request: Request, body: Uint8Array): boolean | Promise<boolean>;
  /** The `WWW-Authenticate` challenge of a `401`, e.g. `Bearer`. */
  readonly challenge?: string;
  /** Forgets a verified request's message id after a server-side failure, so a retry is accepted. */
  readonly release?: (request: Request) => void | Promise<void>;
}

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * zod's message for an option of the wrong type (other issues keep their own). `undefined`
 * gets a hint: it is what `process.env.TOKEN!` gives when the variable is not set.
 */
function expected(what: string): (issue: { readonly code?: string; readonly input?: unknown }) => string | undefined {
  return (issue) => {
    if (issue.code !== 'invalid_type' && issue.code !== 'invalid_union' && issue.code !== 'custom') return undefined;
    return issue.input === undefined
      ? `Missing: got undefined where ${what} was expected (is the environment variable or secret that should hold it set?)`
      : `Must be ${what}`;
  };
}

/**
 * A string given directly or as a non-empty list of them (several while rotating). A bad item
 * of a list is named by its index (`token.1`).
 */
function oneOrMore(rules: z.ZodType<string, string>, one: string, atLeastOne: string) {
  const describe = expected(one);
  // Items are checked in a refinement, whose issues do not abort parsing: so the union
  // reports a list's own issues (`token.1: …`) instead of a bare "invalid input".
  const item = z.custom<string>(() => true).superRefine((value: unknown, ctx) => {
    if (typeof value !== 'string') {
      ctx.addIssue({ code: 'custom', input: value, message: describe({ code: 'custom', input: value }) ?? `Must be ${one}` });
      return;
    }
    for (const issue of rules.safeParse(value).error?.issues ?? []) ctx.addIssue({ code: 'custom', input: value, message: issue.message });
  });
  return z.union([z.string({ error: describe }).pipe(rules), z.array(item).min(1, atLeastOne)], {
    error: expected(`${one} or a non-empty array of them`),
  });
}

const bearerAuthSchema = /* @__PURE__ */ (() => z.object({
  token: oneOrMore(
    z.string().min(1, 'A bearer token must be non-empty').regex(/^\S*$/, 'A bearer token must hold no whitespace'),
    'a token string',
    'Give at least one token',
  ),
}))();

/** The credentials of an `Authorization: <scheme> <credentials>` header, or `undefined`. */
function credentials(request: Request, scheme: string): string | undefined {
  const header = request.headers.get('authorization');
  if (header === null) return undefined;
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
  if (match?.[1]?.toLowerCase() !== scheme.toLowerCase()) return undefined;
  return match[2];
}

async function matchesAny(candidate: Uint8Array, accepted: readonly Uint8Array[]): Promise<boolean> {
  // Compare against every accepted value (no early exit), so timing does not tell which matched.
  const results = await Promise.all(accepted.map((value) => digestEqual(candidate, value)));
  return results.includes(true);
}

/**
 * Accepts requests carrying `Authorization: Bearer <token>` with one of the given tokens.
 *
 * @remarks Give several tokens while rotating. The comparison is timing-safe. Alertmanager
 * (`http_config.authorization`), Grafana and most tools can send a bearer token.
 *
 * @example
 * ```ts
 * import { bearerAuth, createIncidentHandler } from 'incidentkit/http';
 * import { parseAlertmanager } from 'incidentkit/ingest';
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const handler = createIncidentHandler(engine, {
 *   sources: { alertmanager: { parser: parseAlertmanager, verify: bearerAuth('s3cret-token-from-your-vault') } },
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`, issue path `token`) when no token is given (e.g. `undefined`
 * from an unset environment variable), a token is not a string, or a token is empty or holds whitespace.
 */
export function bearerAuth(token: string | readonly string[]): Verifier {
  const config = parseConfig(bearerAuthSchema, { token }, 'bearerAuth');
  const tokens: readonly string[] = typeof config.token === 'string' ? [config.token] : config.token;
  const accepted = tokens.map((t) => encoder.encode(t));
  const verify = async (request: Request): Promise<boolean> => {
    const given = credentials(request, 'Bearer');
    return given !== undefined && (await matchesAny(encoder.encode(given), accepted));
  };
  return Object.assign(verify, { challenge: 'Bearer' });
}

function base64Bytes(value: string): Uint8Array | undefined {
  try {
    const binary = atob(value);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

const basicAuthSchema = /* @__PURE__ */ (() => z.object({
  // RFC 7617: the user-id cannot contain a colon, since the first colon separates the password.
  user: z
    .string({ error: expected('a string') })
    .min(1, 'The user must be non-empty')
    .refine((user) => !user.includes(':'), 'The user must not contain ":"'),
  password: z.string({ error: expected('a string') }).min(1, 'The password must be non-empty'),
}))();

/**
 * Accepts requests carrying HTTP Basic credentials (`Authorization: Basic base64(user:password)`)
 * that match `user` and `password`.
 *
 * @remarks The comparison is timing-safe and covers user and password together. Use it only
 * over HTTPS: Basic credentials are not encrypted.
 *
 * @example
 * ```ts
 * import { basicAuth, createIncidentHandler } from 'incidentkit/http';
 * import { parseGrafana } from 'incidentkit/ingest';
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const handler = createIncidentHandler(engine, {
 *   sources: { grafana: { parser: parseGrafana, verify: basicAuth('grafana', 'a-long-random-password') } },
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`, issue path `user` or `password`) when either is not a
 * string (e.g. `undefined` from an unset environment variable), `user` is empty or holds a `:`,
 * or `password` is empty.
 */
export function basicAuth(user: string, password: string): Verifier {
  const config = parseConfig(basicAuthSchema, { user, password }, 'basicAuth');
  const wanted = encoder.encode(`${config.user}:${config.password}`);
  const verify = async (request: Request): Promise<boolean> => {
    const given = credentials(request, 'Basic');
    const decoded = given === undefined ? undefined : base64Bytes(given);
    return decoded !== undefined && (await digestEqual(decoded, wanted));
  };
  return Object.assign(verify, { challenge: 'Basic realm="incidentkit", charset="UTF-8"' });
}

/**
 * Remembers the message ids a {@link standardWebhooksAuth} verifier has accepted, so a
 * captured request cannot be replayed.
 *
 * @remarks Implement it over a shared store (e.g. Redis `SET key 1 NX PX ttl`) when several
 * instances receive webhooks; the default {@link memoryReplayStore} protects one process.
 *
 * @example
 * ```ts
 * import type { ReplayStore } from 'incidentkit/http';
 *
 * const seen = new Set<string>();
 * const store: ReplayStore = {
 *   claim: (key) => (seen.has(key) ? false : (seen.add(key), true)),
 *   release: (key) => void seen.delete(key),
 * };
 * ```
 */
export interface ReplayStore {
  /** Records `key` for at least `ttlMs`; `true` if it was not recorded already (atomically). */
  claim(key: string, ttlMs: number): boolean | Promise<boolean>;
  /** Forgets `key`, so the same message may be accepted again. */
  release(key: string): void | Promise<void>;
}

const clockSchema = /* @__PURE__ */ (() => z.custom<Clock>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function',
  { error: expected('a Clock: an object with a now() method returning a Date') },
))();

/** Options of {@link memoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** How many ids are kept at most; the least recently claimed are dropped first. Default: 10 000. */
  readonly maxEntries?: number;
  /** Where expiry times come from. Default: the system clock. */
  readonly clock?: Clock;
}

const memoryReplayStoreSchema = /* @__PURE__ */ (() => z.strictObject(
  {
    maxEntries: z
      .number({ error: expected('a number') })
      .int('maxEntries must be a positive integer')
      .min(1, 'maxEntries must be a positive integer')
      .max(Number.MAX_SAFE_INTEGER, 'maxEntries must be a safe integer')
      .optional(),
    clock: clockSchema.optional(),
  },
  { error: expected('an options object') },
))();

/**
 * An in-memory {@link ReplayStore}: a bounded LRU of message ids with expiry.
 *
 * @remarks Keeps `maxEntries` ids at most. Under a flood of more distinct signed messages than
 * that within the replay window, the oldest ids are forgotten early; size it above your
 * peak webhook rate × (twice the tolerance + one minute).
 *
 * @example
 * ```ts
 * import { memoryReplayStore, standardWebhooksAuth } from 'incidentkit/http';
 *
 * const verify = standardWebhooksAuth('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
 *   replayStore: memoryReplayStore({ maxEntries: 50_000 }),
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when the options are not an object, `maxEntries` is not a
 * positive integer, `clock` has no `now()`, or an option is unknown.
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const config = parseConfig(memoryReplayStoreSchema, options, 'memoryReplayStore');
  const maxEntries = config.maxEntries ?? 10_000;
  const clock = config.clock ?? systemClock;
  // A Map iterates in insertion order: the first entries are the least recently claimed.
  const expiries = new Map<string, number>();
  return {
    claim(key, ttlMs) {
      const now = clock.now().getTime();
      const expiry = expiries.get(key);
      if (expiry !== undefined && expiry > now) return false;
      expiries.delete(key);
      expiries.set(key, now + ttlMs);
      for (const [oldest, oldestExpiry] of expiries) {
        if (expiries.size <= maxEntries && oldestExpiry > now) break;
        expiries.delete(oldest);
      }
      return true;
    },
    release(key) {
      expiries.delete(key);
    },
  };
}

/** Options of {@link standardWebhooksAuth}. */
export interface StandardWebhooksAuthOptions {
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default: 300. */
  readonly toleranceSeconds?: number;
  /** The receiver's time. Default: the system clock. */
  readonly clock?: Clock;
  /** Where accepted message ids are remembered. Default: a {@link memoryReplayStore} of this verifier. */
  readonly replayStore?: ReplayStore;
}

/**
 * How much longer than twice the tolerance an accepted id is remembered: a message is accepted
 * from `timestamp - tolerance` to `timestamp + tolerance` inclusive, so an id claimed at the
 * first instant must still be held at the last. The margin also covers clock skew between
 * instances sharing a {@link ReplayStore}.
 */
const REPLAY_MARGIN_MS = 60_000;

function isSecret(secret: string): boolean {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const bytes = base64Bytes(encoded);
  return bytes !== undefined && bytes.length > 0;
}

const webhookSecretSchema = /* @__PURE__ */ z.string().refine(isSecret, 'The secret must be base64, usually prefixed with whsec_');

const standardWebhooksSecretSchema = /* @__PURE__ */ (() => z.object({
  secret: oneOrMore(webhookSecretSchema, 'a whsec_ secret string', 'Give at least one secret'),
}))();

const replayStoreSchema = /* @__PURE__ */ (() => z.custom<ReplayStore>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ReplayStore>).claim === 'function' &&
    typeof (value as Partial<ReplayStore>).release === 'function',
  { error: expected('a ReplayStore: an object with claim(key, ttlMs) and release(key) methods') },
))();

const standardWebhooksOptionsSchema = /* @__PURE__ */ (() => z.strictObject(
  {
    toleranceSeconds: z
      .number({ error: expected('a number of seconds') })
      .positive('toleranceSeconds must be a positive number')
      .max(86_400 * 365, 'toleranceSeconds must be at most a year')
      .optional(),
    clock: clockSchema.optional(),
    replayStore: replayStoreSchema.optional(),
  },
  { error: expected('an options object') },
))();

/**
 * Accepts requests signed per Standard Webhooks (standardwebhooks.com): `webhook-id`,
 * `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 *
 * @remarks
 * A request is accepted when a `v1` signature matches one of the secrets (several while
 * rotating) in a constant-time comparison, its timestamp is within `toleranceSeconds` of now,
 * and its `webhook-id` was not accepted before. The window is compared to the millisecond
 * (`|now - timestamp| <= toleranceSeconds`, no rounding of seconds), and an accepted id is
 * remembered for twice the tolerance plus one minute: longer than any timestamp stays
 * acceptable, so even a message signed `toleranceSeconds` in the future cannot be replayed
 * once its id is forgotten. The id is remembered only after the signature checks
 * out, so unsigned requests cannot block real ones; it is forgotten again when the server
 * fails to process the message (`5xx`), so the sender's retry gets through.
 *
 * @example
 * ```ts
 * import { createIncidentHandler, standardWebhooksAuth } from 'incidentkit/http';
 * import { parseAlertmanager } from 'incidentkit/ingest';
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const handler = createIncidentHandler(engine, {
 *   sources: {
 *     relay: { parser: parseAlertmanager, verify: standardWebhooksAuth('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') },
 *   },
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`, naming `secret` or the option) when no secret is given
 * (e.g. `undefined` from an unset environment variable), a secret is not base64,
 * `toleranceSeconds` is not a positive number, `clock` or `replayStore` lacks its methods, or
 * an option is unknown.
 */
export function standardWebhooksAuth(secret: string | readonly string[], options: StandardWebhooksAuthOptions = {}): Verifier {
  const secretResult = standardWebhooksSecretSchema.safeParse({ secret });
  const optionsResult = standardWebhooksOptionsSchema.safeParse(options);
  if (!secretResult.success || !optionsResult.success) {
    const issues: ValidationIssue[] = [
      ...(secretResult.success ? [] : toIssues(secretResult.error)),
      ...(optionsResult.success ? [] : toIssues(optionsResult.error)),
    ];
    throw new ConfigError('standardWebhooksAuth', issues);
  }
  const config = { ...secretResult.data, ...optionsResult.data };
  const secrets: readonly string[] = typeof config.secret === 'string' ? [config.secret] : config.secret;
  const toleranceSeconds = config.toleranceSeconds ?? 300;
  const clock = config.clock ?? systemClock;
  const replays = config.replayStore ?? memoryReplayStore({ clock });
  const ttlMs = 2 * toleranceSeconds * 1000 + REPLAY_MARGIN_MS;

  const verify = async (request: Request, body: Uint8Array): Promise<boolean> => {
    const valid = await verifyWebhookSignature({ secret: secrets, headers: request.headers, body, toleranceSeconds, now: clock.now() });
    const id = request.headers.get('webhook-id');
    if (!valid || id === null) return false;
    return replays.claim(id, ttlMs);
  };
  const release = async (request: Request): Promise<void> => {
    const id = request.headers.get('webhook-id');
    if (id !== null) await replays.release(id);
  };
  return Object.assign(verify, { release });
}
