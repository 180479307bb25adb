/**
 * Slack's request signing (docs.slack.dev, "Verifying requests from Slack"):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{X-Slack-Request-Timestamp}:{raw body}">`
 * with the app's signing secret. Web Crypto only, so it runs on every runtime.
 */
import { constantTimeEqual } from '../../kernel/constantTime.js';

/** How far a request's timestamp may be from the clock, in seconds (Slack's recommendation). */
export const SLACK_REPLAY_WINDOW_SECONDS = 300;

const encoder = /* @__PURE__ */ new TextEncoder();

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function concat(prefix: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(prefix);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/**
 * The `X-Slack-Signature` of a request body: `v0=` and the hex HMAC-SHA256 of
 * `v0:{timestamp}:{body}` with the signing secret. Useful to sign requests in tests.
 *
 * @example
 * ```ts
 * import { slackSignature } from 'incidentkit/slack';
 *
 * const body = 'command=%2Fincident&text=help';
 * const signature = await slackSignature('signing-secret', '1531420618', body);
 * ```
 */
export async function slackSignature(signingSecret: string, timestamp: string, body: string | Uint8Array): Promise<string> {
  const key = await globalThis.crypto.subtle.importKey('raw', encoder.encode(signingSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  return `v0=${toHex(await globalThis.crypto.subtle.sign('HMAC', key, concat(`v0:${timestamp}:`, bytes)))}`;
}

/** What {@link verifySlackSignature} checks. */
export interface SlackSignedRequest {
  /** The app's signing secret (Basic Information → App Credentials). */
  readonly signingSecret: string;
  /** The `X-Slack-Request-Timestamp` header (Unix seconds), or `null` when absent. */
  readonly timestamp: string | null;
  /** The `X-Slack-Signature` header, or `null` when absent. */
  readonly signature: string | null;
  /** The raw body, exactly as received. */
  readonly body: Uint8Array;
  /** Now, from the caller's clock. */
  readonly now: Date;
  /** The replay window in seconds. Default: {@link SLACK_REPLAY_WINDOW_SECONDS}. */
  readonly windowSeconds?: number;
}

/**
 * Whether a request really comes from Slack: its signature matches (compared in constant time)
 * and its timestamp is within the replay window (5 minutes) of `now`.
 *
 * @remarks A missing or malformed header, a timestamp that is not whole Unix seconds, and a
 * signature of another version than `v0` all give `false`. Never throws for request data.
 *
 * @example
 * ```ts
 * import { verifySlackSignature } from 'incidentkit/slack';
 *
 * declare const request: Request;
 * const body = new Uint8Array(await request.arrayBuffer());
 * const genuine = await verifySlackSignature({
 *   signingSecret: 'signing-secret',
 *   timestamp: request.headers.get('x-slack-request-timestamp'),
 *   signature: request.headers.get('x-slack-signature'),
 *   body,
 *   now: new Date(),
 * });
 * ```
 */
export async function verifySlackSignature(request: SlackSignedRequest): Promise<boolean> {
  const { timestamp, signature } = request;
  if (timestamp === null || signature === null || !/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) return false;
  const windowMs = (request.windowSeconds ?? SLACK_REPLAY_WINDOW_SECONDS) * 1000;
  if (Math.abs(request.now.getTime() - Number(timestamp) * 1000) > windowMs) return false;
  return constantTimeEqual(await slackSignature(request.signingSecret, timestamp, request.body), signature);
}
