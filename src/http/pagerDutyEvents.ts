/**
 * PagerDuty's Events API v2 served by `createIncidentHandler`: `POST /v2/enqueue` (alert events:
 * trigger, acknowledge, resolve) and `POST /v2/change/enqueue` (change events), with PagerDuty's
 * request checks and response shapes, so any tool that can page PagerDuty can page incidentkit.
 */
import { z } from 'zod';
import type { AnyIncidentType } from '../features/classification/defineIncidentType.js';
import type { IncidentEngine } from '../incidentEngine.js';
import type { IngestCallOptions } from '../engine/ingestOptions.js';
import { isIncidentKitError } from '../errors.js';
import { systemClock, type Clock } from '../kernel/clock.js';
import { parsePagerDutyEvent } from '../sources/parsePagerDutyEvent.js';
import { SIGNAL_NAME_PATTERN, sealSignal, type Signal } from '../model/signal.js';
import type { JsonValue } from '../model/primitives.js';
import { createRateLimiter, type RateVerdict } from './rateLimiter.js';

/**
 * What a routing key (PagerDuty's "integration key") stands for: the service its events are for,
 * and the integration they act as.
 *
 * @example
 * ```ts
 * import type { PagerDutyRoutingKey } from 'incidentkit/http';
 *
 * const checkout: PagerDutyRoutingKey = { service: 'checkout', integration: 'alertmanager-prod' };
 * ```
 */
export interface PagerDutyRoutingKey {
  /**
   * The service of the incidents its alert events open, and of its change events (which need
   * one: a change event to a key without a service is refused with `400`).
   */
  readonly service?: string;
  /**
   * The integration its events act as (the actor `{ kind: 'integration', id }` that `authorize`
   * is asked about and the timeline shows); never the key itself, which is a secret. Default:
   * `'pagerduty'`.
   */
  readonly integration?: string;
  /**
   * The dedup namespace of its alert events, as a source's (see `IngestSource.dedupNamespace`).
   * Default: the integration's name, so keys of one integration share incidents and another
   * integration posting the same `dedup_key` opens its own.
   */
  readonly dedupNamespace?: string;
  /**
   * The incident type (a `defineIncidentType` name) its alert events open, unless a routing rule
   * sets another (see `engine.ingest`'s options). An engine without that type answers its
   * events `500` (a server misconfiguration, not the sender's).
   */
  readonly type?: string;
  /**
   * The escalation policy (a name in `policies.escalationPolicies`) its alert events' incidents
   * get, unless a routing rule sets another. An engine without it answers `500` as for `type`.
   */
  readonly policy?: string;
}

/**
 * How many events a routing key may send: `eventsPerMinute` sustained, and up to `burst`
 * (default: `eventsPerMinute`) at once after a quiet spell. Beyond it, `429` with `Retry-After`
 * (senders such as Alertmanager retry a `429`).
 */
export interface PagerDutyRateLimit {
  readonly eventsPerMinute: number;
  readonly burst?: number;
  /** Where time comes from. Default: the system clock. */
  readonly clock?: Clock;
}

/** The handler options of the Events API (see `IncidentHandlerOptions`). @internal */
export interface PagerDutyOptions {
  readonly routingKeys?: Readonly<Record<string, PagerDutyRoutingKey>>;
  readonly routingKeyRateLimit?: PagerDutyRateLimit;
}

const name = /* @__PURE__ */ z.string().regex(SIGNAL_NAME_PATTERN, 'Holds 1 to 64 letters, digits, . _ or -.');

/** The zod shape of the Events API options, for `createIncidentHandler`'s schema. @internal */
export const pagerDutyOptionsShape = /* @__PURE__ */ (() => ({
  routingKeys: z
    .record(
      z.string().regex(/^[\x21-\x7e]{16,128}$/, 'A routing key is a secret of 16 to 128 printable ASCII characters (PagerDuty keys are 32), without spaces.'),
      z.strictObject(
        {
          service: z.string().min(1).max(200).optional(),
          integration: name.optional(),
          dedupNamespace: name.optional(),
          type: z.string().min(1).max(200).optional(),
          policy: z.string().min(1).max(64).optional(),
        },
        { error: (issue) => (issue.code === 'unrecognized_keys' ? 'A routing key takes service, integration, dedupNamespace, type and policy.' : undefined) },
      ),
    )
    .optional(),
  routingKeyRateLimit: z
    .strictObject({
      eventsPerMinute: z.number().positive().max(1_000_000),
      burst: z.int().min(1).max(1_000_000).optional(),
      clock: z.custom<Clock>((value) => typeof value === 'object' && value !== null && typeof (value as Clock).now === 'function', 'Must be a clock: { now(): Date }.').optional(),
    })
    .optional(),
}))();

/** PagerDuty's limits (developer docs; the OpenAPI document states none). */
const MAX_SUMMARY = 1_024;
const MAX_DEDUP_KEY = 255;
const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

/** A response in PagerDuty's shapes (`Success` and `Error` of its OpenAPI document). */
function respond(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
  });
}

const invalid = (errors: readonly string[]): Response => respond(400, { status: 'invalid event', message: 'Event object is invalid', errors });

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const blank = (value: unknown): boolean => typeof value !== 'string' || value.trim() === '';

/** The problems of optional string fields of `object`, named `prefix` + field. */
function optionalStrings(object: Json, fields: readonly string[], prefix: string): string[] {
  return fields.filter((field) => object[field] !== undefined && object[field] !== null && typeof object[field] !== 'string').map((field) => `'${prefix}${field}' must be a string`);
}

/** A date-time PagerDuty accepts: ISO 8601 with a time (and `+0000` offsets). */
function badTimestamp(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')));
}

/** The problems of `links` and `images`, as PagerDuty's schemas `Links` and `Images` have them. */
function contextIssues(body: Json): string[] {
  const errors: string[] = [];
  const list = (field: string, required: string, strings: readonly string[]): void => {
    const value = body[field];
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) {
      errors.push(`'${field}' must be an array`);
      return;
    }
    value.forEach((item: unknown, i) => {
      if (!isObject(item) || blank(item[required])) errors.push(`'${field}[${String(i)}].${required}' is missing or blank`);
      else errors.push(...optionalStrings(item, strings, `${field}[${String(i)}].`));
    });
  };
  list('links', 'href', ['text']);
  list('images', 'src', ['href', 'alt']);
  return errors;
}

/** Every problem of an alert event, as PagerDuty names them (empty when valid). */
export function alertEventIssues(body: Json): string[] {
  const errors: string[] = [];
  const action = body.event_action;
  if (blank(action)) errors.push("'event_action' is missing or blank");
  else if (!ACTIONS.includes(action as string)) errors.push("'event_action' is invalid: use trigger, acknowledge or resolve");
  const key = body.dedup_key;
  if (key !== undefined && key !== null && typeof key !== 'string') errors.push("'dedup_key' must be a string");
  else if (typeof key === 'string' && key.length > MAX_DEDUP_KEY) errors.push(`'dedup_key' is too long: at most ${String(MAX_DEDUP_KEY)} characters`);
  else if ((action === 'acknowledge' || action === 'resolve') && blank(key)) errors.push(`'dedup_key' is missing or blank: ${action} events name the alert they ${action}`);
  errors.push(...optionalStrings(body, ['client', 'client_url'], ''), ...contextIssues(body));
  if (action !== 'trigger') return errors;
  const payload = body.payload;
  if (!isObject(payload)) return [...errors, "'payload' is missing or not an object"];
  if (blank(payload.summary)) errors.push("'payload.summary' is missing or blank");
  else if ((payload.summary as string).length > MAX_SUMMARY) errors.push(`'payload.summary' is too long: at most ${String(MAX_SUMMARY)} characters`);
  if (blank(payload.source)) errors.push("'payload.source' is missing or blank");
  if (blank(payload.severity)) errors.push("'payload.severity' is missing or blank");
  else if (!SEVERITIES.includes(payload.severity as string)) errors.push("'payload.severity' is invalid: use critical, error, warning or info");
  if (badTimestamp(payload.timestamp)) errors.push("'payload.timestamp' is invalid: use an ISO 8601 date-time");
  errors.push(...optionalStrings(payload, ['component', 'group', 'class'], 'payload.'));
  return errors;
}

/** Every problem of a change event, as PagerDuty names them (empty when valid). */
export function changeEventIssues(body: Json): string[] {
  const errors = contextIssues(body);
  const payload = body.payload;
  if (!isObject(payload)) return [...errors, "'payload' is missing or not an object"];
  if (blank(payload.summary)) errors.push("'payload.summary' is missing or blank");
  else if ((payload.summary as string).length > MAX_SUMMARY) errors.push(`'payload.summary' is too long: at most ${String(MAX_SUMMARY)} characters`);
  if (badTimestamp(payload.timestamp)) errors.push("'payload.timestamp' is invalid: use an ISO 8601 date-time");
  errors.push(...optionalStrings(payload, ['source'], 'payload.'));
  return errors;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** What a request's routing key was found to be. */
interface Route {
  readonly key: number;
  readonly route: PagerDutyRoutingKey;
}

/**
 * The Events API of one handler: finds a routing key in constant time, limits its rate, checks
 * the event as PagerDuty does and answers in PagerDuty's shapes.
 *
 * @internal
 */
export function createPagerDutyEvents(engine: IncidentEngine<readonly AnyIncidentType[]>, options: PagerDutyOptions) {
  const entries = Object.entries(options.routingKeys ?? {});
  /** What a key's events open unless a routing rule says otherwise. */
  const defaultsOf = (route: PagerDutyRoutingKey): IngestCallOptions | undefined =>
    route.type === undefined && route.policy === undefined
      ? undefined
      : { ...(route.type === undefined ? {} : { type: route.type }), ...(route.policy === undefined ? {} : { policy: route.policy }) };
  // Each key's type and policy, checked against the engine once (an empty ingest checks only its options).
  const checked = entries.map(([, route]) => {
    const defaults = defaultsOf(route);
    const check = defaults === undefined ? Promise.resolve() : engine.ingest([], defaults).then(() => undefined);
    // Reported on the key's requests; not an unhandled rejection meanwhile.
    check.catch(() => undefined);
    return check;
  });
  const digests = Promise.all(entries.map(([key]) => sha256(key)));
  const limit = options.routingKeyRateLimit;
  const limiter: ((key: string) => RateVerdict) | undefined =
    limit === undefined ? undefined : createRateLimiter({ perMinute: limit.eventsPerMinute, burst: limit.burst ?? Math.max(1, Math.floor(limit.eventsPerMinute)), clock: limit.clock ?? systemClock });

  /**
   * The configured key equal to `given`: compared with every key, digest against digest with no
   * early exit, so the time taken tells nothing about how much of a key was right.
   */
  async function find(given: string): Promise<Route | undefined> {
    const candidate = await sha256(given);
    let found = -1;
    for (const [index, digest] of (await digests).entries()) {
      let difference = 0;
      for (let i = 0; i < digest.length; i += 1) difference |= (digest[i] ?? 0) ^ (candidate[i] ?? 0);
      if (difference === 0) found = index;
    }
    const entry = entries[found];
    return entry === undefined ? undefined : { key: found, route: entry[1] };
  }

  /** The routing key of `body`, or PagerDuty's answer when it is missing, unknown or over its rate. */
  async function routeOf(body: Json): Promise<Route | Response> {
    if (blank(body.routing_key)) return invalid(["'routing_key' is missing or blank"]);
    const found = await find(body.routing_key as string);
    if (found === undefined) return invalid(['Invalid routing key']);
    const verdict = limiter?.(String(found.key));
    if (verdict !== undefined && !verdict.allowed) {
      return respond(
        429,
        { status: 'throttle event', message: 'Requests for this routing key are arriving too quickly; retry later.', errors: ['Too many events for this routing key'] },
        { 'retry-after': String(verdict.retryAfterSeconds) },
      );
    }
    return found;
  }

  /** The JSON object of a body, or PagerDuty's answer to one it cannot read. */
  function objectOf(text: string | undefined): Json | Response {
    let body: unknown;
    try {
      body = text === undefined ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!isObject(body)) return respond(400, { status: 'Unrecognized object', message: 'Event object format is unrecognized', errors: ['JSON parse error'] });
    return body;
  }

  const integrationOf = (route: PagerDutyRoutingKey): string => route.integration ?? 'pagerduty';

  /** `POST /v2/enqueue`: an alert event, ingested as the routing key's integration. */
  async function enqueue(text: string | undefined): Promise<Response> {
    const body = objectOf(text);
    if (body instanceof Response) return body;
    const found = await routeOf(body);
    if (found instanceof Response) return found;
    const errors = alertEventIssues(body);
    if (errors.length > 0) return invalid(errors);
    const { route } = found;
    let event = body;
    let [signal] = parsePagerDutyEvent(event);
    // A trigger without a key gets one, returned to the sender to acknowledge or resolve it with:
    // the fingerprint of its payload, so identical triggers deduplicate (as parsePagerDutyEvent does).
    if (blank(event.dedup_key) && signal !== undefined) {
      event = { ...event, dedup_key: signal.fingerprint };
      [signal] = parsePagerDutyEvent(event);
    }
    if (signal === undefined) return invalid(['The event holds no alert']);
    const integration = integrationOf(route);
    const namespace = route.dedupNamespace ?? integration;
    const { namespace: _namespace, integration: _integration, service: _service, ...rest } = signal;
    const tagged: Signal = sealSignal({
      ...rest,
      integration,
      ...(namespace === 'shared' ? {} : { namespace }),
      ...(route.service === undefined ? {} : { service: route.service }),
    });
    try {
      await checked[found.key];
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return pagerDutyError(500, `This routing key's type or policy is not configured on the server: ${detail}`);
    }
    const defaults = defaultsOf(route);
    const [result] = await (defaults === undefined ? engine.ingest([tagged]) : engine.ingest([tagged], defaults));
    if (result?.outcome === 'rejected') return invalid((result.error?.issues ?? []).map((issue) => `'${issue.path.join('.')}' ${issue.message}`));
    return respond(202, { status: 'success', message: 'Event processed', dedup_key: event.dedup_key });
  }

  /** `POST /v2/change/enqueue`: a change event, recorded for the routing key's service. */
  async function changeEnqueue(text: string | undefined): Promise<Response> {
    const body = objectOf(text);
    if (body instanceof Response) return body;
    const found = await routeOf(body);
    if (found instanceof Response) return found;
    const errors = changeEventIssues(body);
    const { route } = found;
    if (route.service === undefined) errors.push('This routing key names no service to record changes for; give it a service in routingKeys');
    if (errors.length > 0 || route.service === undefined) return invalid(errors);
    const payload = body.payload as Json;
    const links = [
      ...((body.links as Json[] | undefined) ?? []).map((l) => ({ href: l.href as string, ...(typeof l.text === 'string' ? { text: l.text } : {}) })),
      ...((body.images as Json[] | undefined) ?? []).map((i) => ({ href: (i.href ?? i.src) as string, ...(typeof i.alt === 'string' ? { text: i.alt } : {}) })),
    ];
    const timestamp = typeof payload.timestamp === 'string' ? payload.timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : undefined;
    try {
      await engine.changes.record({
        service: route.service,
        summary: payload.summary as string,
        ...(timestamp === undefined ? {} : { at: timestamp }),
        ...(typeof payload.source === 'string' && payload.source !== '' ? { source: payload.source.slice(0, 255) } : {}),
        ...(links.length === 0 ? {} : { links: links.slice(0, 20) }),
        ...(isObject(payload.custom_details) ? { details: payload.custom_details as Record<string, JsonValue> } : {}),
        actor: { kind: 'integration', id: integrationOf(route) },
      });
    } catch (error) {
      if (!isIncidentKitError(error, 'VALIDATION_FAILED')) throw error;
      const issues = (error.details as { issues?: readonly { path: readonly PropertyKey[]; message: string }[] }).issues ?? [];
      return invalid(issues.map((issue) => `'payload.${issue.path.map(String).join('.')}' ${issue.message}`));
    }
    return respond(202, { status: 'success', message: 'Change event processed' });
  }

  return { enqueue, changeEnqueue, configured: entries.length > 0 };
}

/**
 * An error on an Events API route in PagerDuty's `Error` shape (`{ status, message, errors }`),
 * with the status the handler chose (`413`, `403`, `5xx`, …).
 *
 * @internal
 */
export function pagerDutyError(status: number, message: string): Response {
  if (status === 400) return invalid([message]);
  const short = status === 413 ? 'payload too large' : status === 403 ? 'forbidden' : status >= 500 ? 'server error' : 'invalid request';
  return respond(status, { status: short, message, errors: [message] });
}
