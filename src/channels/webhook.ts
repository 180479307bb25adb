import { ConfigError, NotifierError } from '../errors.js';
import { signWebhook } from './standardWebhooks.js';
import { defineNotifier, type NotificationMessage, type Notifier, type NotifierContext } from '../model/notification.js';

/** A `fetch` implementation; inject one for proxies, SSRF filtering or tests. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

const MAX_ERROR_BODY = 300;

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into milliseconds from
 * `now`; `undefined` when absent or unreadable.
 *
 * @internal
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * Reads at most a few hundred characters of a response body, for error messages.
 *
 * @internal
 */
export async function readSnippet(response: Response): Promise<string> {
  const text = await readText(response);
  return text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text;
}

/**
 * Reads a whole response body as text; an empty string when it cannot be read.
 *
 * @internal
 */
export async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
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
 * POSTs a body and returns the response, mapping transport failures to NotifierError. Redirects
 * are not followed (Standard Webhooks recommends updating the URL instead).
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
): Promise<Response> {
  if (signal.aborted) throw networkFailure(notifier, signal.reason, signal);
  try {
    return await fetchImpl(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
  } catch (error) {
    throw networkFailure(notifier, error, signal);
  }
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
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  readonly fetch?: FetchLike;
}

/**
 * A notifier that POSTs each message as JSON, signed per Standard Webhooks.
 *
 * @remarks Headers: `webhook-id` (the message's idempotency key, the same on every attempt),
 * `webhook-timestamp` (the attempt time), `webhook-signature` (with a secret) and
 * `idempotency-key`. Any 2xx is success; 408, 429, 5xx, network errors and timeouts are
 * retryable (`Retry-After` in seconds or as an HTTP date is honoured); 3xx (redirects are not
 * followed) and other 4xx are not. Receivers check requests with `verifyWebhookSignature`.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, webhookNotifier } from 'incidentkit';
 *
 * const hooks = webhookNotifier({ url: 'https://ops.example.com/hooks/incidents', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * const engine = createIncidentEngine({ store: memoryStore() });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) for a URL that is not absolute http(s) or a secret that is not base64.
 */
export function webhookNotifier(options: WebhookNotifierOptions): Notifier {
  const name = options.name ?? 'webhook';
  const url = requireHttpUrl(options.url, 'webhookNotifier', 'url');
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
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  return defineNotifier({
    name,
    async send(message: NotificationMessage, context: NotifierContext) {
      const body = JSON.stringify(webhookPayload({ ...message, idempotencyKey: context.idempotencyKey }));
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
      const response = await post(fetchImpl, name, url, headers, body, context.signal);
      if (response.status >= 200 && response.status < 300) {
        // Drain the body so the connection can be reused.
        await readSnippet(response);
        return;
      }
      throw httpFailure(name, response, await readSnippet(response), context.now);
    },
  });
}
