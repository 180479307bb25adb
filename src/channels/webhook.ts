import { ConfigError, NotifierError } from '../errors.js';
import { signWebhook } from './standardWebhooks.js';
import { defineNotifier, type NoticeMessage, type NotificationMessage, type Notifier, type NotifierContext } from '../model/notification.js';
import { discardBody, readBodyPrefix } from './responseBody.js';

/** A `fetch` implementation; inject one for proxies, SSRF filtering or tests. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Decides whether a notifier may send to a URL; checked before every send. Resolve `false` to
 * refuse (a permanent failure: nothing is sent and the message is dead-lettered); a rejection is
 * a retryable failure. `denyPrivateNetworks` from `incidentkit/notifiers` is a ready one.
 */
export type AllowUrl = (url: URL) => boolean | Promise<boolean>;

const MAX_ERROR_BODY = 300;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** IMF-fixdate, the form senders must use: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = /^[a-z]{3}, (\d{1,2}) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:gmt|utc)$/i;
/** The obsolete RFC 850 form: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = /^[a-z]{6,9}, (\d{2})-(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
/** ANSI C's asctime() form: `Sun Nov  6 08:49:37 1994` (whitespace runs are collapsed first). */
const ASCTIME_DATE = /^[a-z]{3} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/** Milliseconds since the epoch of a UTC date, or `undefined` when a field is out of range. */
function utc(year: number, month: string, day: number, hour: number, minute: number, second: number): number | undefined {
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  if (monthIndex < 0 || hour > 23 || minute > 59 || second > 60) return undefined;
  const at = Date.UTC(year, monthIndex, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 31 Feb over into March: refuse such dates.
  return new Date(at).getUTCDate() === day ? at : undefined;
}

/** An HTTP-date (RFC 9110 §5.6.7, all three forms) as milliseconds since the epoch, or `undefined`. */
function parseHttpDate(text: string): number | undefined {
  const spaced = text.trim().replace(/\s+/g, ' ');
  let match = IMF_FIXDATE.exec(spaced);
  if (match !== null) return utc(Number(match[3]), match[2] ?? '', Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  match = RFC850_DATE.exec(spaced);
  if (match !== null) {
    const yy = Number(match[3]);
    return utc(yy < 70 ? 2000 + yy : 1900 + yy, match[2] ?? '', Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  }
  match = ASCTIME_DATE.exec(spaced);
  if (match !== null) return utc(Number(match[6]), match[1] ?? '', Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]));
  return undefined;
}

/**
 * Parses a `Retry-After` header into milliseconds from `now`: delay-seconds (`120`, also with a
 * fraction), or an HTTP-date in any of the three forms of RFC 9110. A date in the past is 0;
 * a delay too large for a number is `Number.MAX_SAFE_INTEGER` (the dispatcher cuts every wait
 * to `delivery.maxRetryAfterMs`). `undefined` when absent or unreadable (`soon`, `-5`, `1e9`).
 *
 * @internal
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  // A header sent twice arrives joined with ", ": the first value counts.
  const seconds = /^(\d+(?:\.\d+)?)(?:\s*,\s*\d+(?:\.\d+)?)*$/.exec(trimmed)?.[1];
  if (seconds !== undefined) {
    const ms = Math.round(Number(seconds) * 1000);
    return Number.isFinite(ms) ? Math.min(ms, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
  }
  const at = parseHttpDate(trimmed);
  if (at === undefined) return undefined;
  return Math.min(Math.max(0, at - now.getTime()), Number.MAX_SAFE_INTEGER);
}

/**
 * Reads at most 4 KiB of a response body (for at most 2 s) and returns its first few hundred
 * characters, for error messages; the rest of the body is cancelled, never read.
 *
 * @internal
 */
export async function readSnippet(response: Response): Promise<string> {
  const { text, truncated } = await readBodyPrefix(response);
  return text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : truncated && text !== '' ? `${text}…` : text;
}

/**
 * Checks a URL with the notifier's `allowUrl` before a send: `false` throws a permanent
 * NotifierError, a rejection a retryable one. The message names the host only (webhook URLs
 * often carry secrets in their path).
 *
 * @internal
 */
export async function checkUrl(allowUrl: AllowUrl | undefined, notifier: string, url: string): Promise<void> {
  if (allowUrl === undefined) return;
  const parsed = new URL(url);
  let allowed: unknown;
  try {
    allowed = await allowUrl(parsed);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NotifierError({ notifier, retryable: true }, `allowUrl could not check the host ${parsed.host}: ${reason}; it will be retried.`, error);
  }
  if (allowed !== true) {
    throw new NotifierError(
      { notifier, retryable: false },
      `allowUrl refused the host ${parsed.host}; nothing was sent and it will not be retried.`,
    );
  }
}

/**
 * The NotifierError for an HTTP answer that is not a success: 408, 429 and 5xx are retryable
 * (with `Retry-After` honoured); 3xx and other 4xx are not.
 *
 * @internal
 */
export function httpFailure(notifier: string, response: Response, body: string, now: Date, what = 'the endpoint'): NotifierError {
  const status = response.status;
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
  const hint =
    status >= 300 && status < 400
      ? 'redirects are not followed; configure the final URL.'
      : retryable
        ? 'it will be retried.'
        : 'check the URL, credentials and payload; it will not be retried.';
  const detail = body === '' ? '' : ` (${body.replace(/\s+/g, ' ').trim()})`;
  return new NotifierError(
    { notifier, retryable, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    `${what} answered HTTP ${String(status)}${detail}; ${hint}`,
  );
}

/**
 * The NotifierError for a request that never got an answer (network error, timeout, abort):
 * always retryable.
 *
 * @internal
 */
export function networkFailure(notifier: string, error: unknown, signal: AbortSignal): NotifierError {
  if (error instanceof NotifierError) return error;
  const reason = signal.aborted
    ? 'the attempt timed out or was aborted'
    : `the request failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
  return new NotifierError({ notifier, retryable: true }, `${reason}; it will be retried.`, error);
}

/**
 * POSTs a body and returns the response, mapping transport failures to NotifierError. Checks
 * the URL with `allowUrl` first. Redirects are not followed (Standard Webhooks recommends
 * updating the URL instead). The caller reads or discards the body.
 *
 * @internal
 */
export async function post(
  fetchImpl: FetchLike,
  notifier: string,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal,
  allowUrl?: AllowUrl,
): Promise<Response> {
  if (signal.aborted) throw networkFailure(notifier, signal.reason, signal);
  await checkUrl(allowUrl, notifier, url);
  try {
    return await fetchImpl(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
  } catch (error) {
    throw networkFailure(notifier, error, signal);
  }
}

/**
 * The `fetch` to use: the injected one, else `globalThis.fetch` (looked up on each call, so a
 * fetch installed later, e.g. by a test, is used).
 *
 * @internal
 */
export function fetchOf(options: { readonly fetch?: FetchLike }): FetchLike {
  return options.fetch ?? ((input, init) => globalThis.fetch(input, init));
}

/** How {@link postForSuccess} checks the URL and treats a success's body. */
export interface PostForSuccessOptions {
  /** Checked before the request; see {@link AllowUrl}. */
  readonly allowUrl?: AllowUrl | undefined;
  /**
   * Which 2xx answers' bodies to read (their first 4 KiB, returned); Teams' legacy connectors
   * refuse in the body of a 200. Default: none, a success's body is cancelled unread.
   */
  readonly readSuccessBody?: (status: number) => boolean;
}

/**
 * POSTs a body to an endpoint that answers 2xx on success. The status decides: a 2xx resolves
 * as soon as the headers arrive (its body is cancelled unread, or, where `readSuccessBody` says
 * so, its first 4 KiB are returned); any other status throws {@link httpFailure}, with at most 4 KiB
 * of its body read for the message.
 *
 * @internal
 */
export async function postForSuccess(
  fetchImpl: FetchLike,
  notifier: string,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  context: Pick<NotifierContext, 'signal' | 'now'>,
  what?: string,
  options: PostForSuccessOptions = {},
): Promise<string> {
  const response = await post(fetchImpl, notifier, url, headers, body, context.signal, options.allowUrl);
  if (response.status < 200 || response.status >= 300) throw httpFailure(notifier, response, await readSnippet(response), context.now, what);
  if (options.readSuccessBody?.(response.status) === true) return readSnippet(response);
  discardBody(response);
  return '';
}

/**
 * Checks that `allowUrl` is absent or a function, or throws a ConfigError.
 *
 * @internal
 */
export function requireAllowUrl(allowUrl: unknown, subject: string): AllowUrl | undefined {
  if (allowUrl === undefined || typeof allowUrl === 'function') return allowUrl as AllowUrl | undefined;
  throw new ConfigError(subject, [
    { code: 'custom', path: ['allowUrl'], message: 'Must be a function (url: URL) => boolean | Promise<boolean>, e.g. denyPrivateNetworks.' },
  ]);
}

/**
 * Checks that `url` is an absolute http(s) URL, or throws a ConfigError.
 *
 * @internal
 */
export function requireHttpUrl(url: unknown, subject: string, path: string): string {
  let ok = false;
  if (typeof url === 'string') {
    try {
      const protocol = new URL(url).protocol;
      ok = protocol === 'https:' || protocol === 'http:';
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new ConfigError(subject, [{ code: 'custom', path: [path], message: 'Must be an absolute http(s) URL.' }]);
  }
  return url as string;
}

/**
 * The `webhook-id` for an idempotency key: the key itself when it has no `.`, else a reversible
 * percent-encoding (the spec forbids `.` in ids because it delimits the signed content).
 *
 * @internal
 */
export function webhookIdFor(idempotencyKey: string): string {
  return idempotencyKey.includes('.') || idempotencyKey.includes('%')
    ? encodeURIComponent(idempotencyKey).replaceAll('.', '%2E')
    : idempotencyKey;
}

/** The JSON body of incidentkit's webhooks, in the Standard Webhooks payload shape. */
export interface WebhookPayload {
  /** `incident.<event type in lower case>`, e.g. `incident.declared`. */
  readonly type: string;
  /** When the event happened (ISO-8601 UTC); the attempt time is in `webhook-timestamp`. */
  readonly timestamp: string;
  /** The message: incident snapshot, event, title, text, severity, audience, links, key. */
  readonly data: NotificationMessage;
}

/**
 * The webhook body of a message.
 *
 * @example
 * ```ts
 * import { webhookPayload, type NotificationMessage } from 'incidentkit';
 *
 * declare const message: NotificationMessage;
 * console.log(webhookPayload(message).type); // e.g. 'incident.declared'
 * ```
 */
export function webhookPayload(message: NotificationMessage): WebhookPayload {
  return { type: `incident.${message.event.type.toLowerCase()}`, timestamp: message.event.at, data: message };
}

/** The JSON body of a notice to a person ({@link NoticeMessage}), in the Standard Webhooks payload shape. */
export interface WebhookNoticePayload {
  /** `notice.<kind>`, e.g. `notice.handoff`. */
  readonly type: string;
  /** When the notice was sent (ISO-8601 UTC). */
  readonly timestamp: string;
  /** The notice: kind, recipient (user id and address), title, text, links, data, key. */
  readonly data: NoticeMessage;
}

/** Options of {@link webhookNotifier}. */
export interface WebhookNotifierOptions {
  /** Where to POST, an absolute http(s) URL. */
  readonly url: string;
  /**
   * A `whsec_…` secret (or several while rotating): adds a Standard Webhooks signature.
   * Without it the request is unsigned; use that only behind other authentication.
   */
  readonly secret?: string | readonly string[];
  /** Extra headers, e.g. an `authorization` the receiver wants. They never replace the signature headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The notifier's name in errors. Default: `webhook`. */
  readonly name?: string;
  /**
   * Let drills (`incident.drill`) reach this channel. Default: `false` (a drill's messages for it
   * are only recorded as "would have sent"). See docs/drills.md.
   */
  readonly drillSafe?: boolean;
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /**
   * Checked before every send; a URL it refuses fails permanently and nothing is sent. Default:
   * every URL is allowed. Where tenants configure URLs, pass `denyPrivateNetworks` from
   * `incidentkit/notifiers` (Node), or your own check.
   */
  readonly allowUrl?: AllowUrl;
}

/**
 * A notifier that POSTs each message as JSON, signed per Standard Webhooks.
 *
 * @remarks Headers: `webhook-id` (the message's idempotency key, the same on every attempt),
 * `webhook-timestamp` (the attempt time), `webhook-signature` (with a secret) and
 * `idempotency-key`. Any 2xx is success as soon as its headers arrive (the body is not read);
 * 408, 429, 5xx, network errors and timeouts are retryable (`Retry-After` in seconds or as an
 * HTTP date is honoured, up to the dispatcher's `delivery.maxRetryAfterMs`); 3xx (redirects are
 * not followed) and other 4xx are not. Of an error's body at most 4 KiB are read, for the
 * message. `allowUrl` is asked before every send. Receivers check requests with
 * `verifyWebhookSignature`.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, webhookNotifier } from 'incidentkit';
 *
 * const hooks = webhookNotifier({ url: 'https://ops.example.com/hooks/incidents', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * const engine = createIncidentEngine({ store: memoryStore() });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) for a URL that is not absolute http(s), a secret that is
 * not base64, or an `allowUrl` that is not a function.
 */
export function webhookNotifier(options: WebhookNotifierOptions): Notifier {
  const name = options.name ?? 'webhook';
  const url = requireHttpUrl(options.url, 'webhookNotifier', 'url');
  const allowUrl = requireAllowUrl(options.allowUrl, 'webhookNotifier');
  const secret = options.secret;
  if (secret !== undefined) {
    for (const one of typeof secret === 'string' ? [secret] : secret) {
      const encoded = one.startsWith('whsec_') ? one.slice('whsec_'.length) : one;
      let valid = encoded !== '';
      try {
        atob(encoded);
      } catch {
        valid = false;
      }
      if (!valid) {
        throw new ConfigError('webhookNotifier', [
          { code: 'custom', path: ['secret'], message: 'The secret must be base64, usually prefixed with whsec_.' },
        ]);
      }
    }
  }
  const reserved = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'idempotency-key', 'content-type']);
  const extraHeaders = Object.fromEntries(
    Object.entries(options.headers ?? {})
      .map(([key, value]) => [key.toLowerCase(), value] as const)
      .filter(([key]) => !reserved.has(key)),
  );
  const fetchImpl = fetchOf(options);

  async function postSigned(body: string, context: NotifierContext): Promise<void> {
    const id = webhookIdFor(context.idempotencyKey);
    const signed =
      secret === undefined
        ? { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(context.now.getTime() / 1000)) }
        : await signWebhook({ secret, id, timestamp: context.now, body });
    const headers = {
      ...extraHeaders,
      'content-type': 'application/json',
      'idempotency-key': context.idempotencyKey,
      ...signed,
    };
    await postForSuccess(fetchImpl, name, url, headers, body, context, undefined, { allowUrl });
  }

  return defineNotifier({
    ...(options.drillSafe === true ? { drillSafe: true } : {}),
    name,
    send(message: NotificationMessage, context: NotifierContext) {
      return postSigned(JSON.stringify(webhookPayload({ ...message, idempotencyKey: context.idempotencyKey })), context);
    },
    // A notice goes to the same URL; the receiver reaches the person (`data.recipient`).
    sendNotice(notice: NoticeMessage, context: NotifierContext) {
      const payload: WebhookNoticePayload = { type: `notice.${notice.kind}`, timestamp: context.now.toISOString(), data: { ...notice, idempotencyKey: context.idempotencyKey } };
      return postSigned(JSON.stringify(payload), context);
    },
  });
}
