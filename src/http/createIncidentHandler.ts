import { z } from 'zod';
import type { AnyIncidentType } from '../features/classification/defineIncidentType.js';
import type { IncidentEngine } from '../incidentEngine.js';
import { ConfigError, isIncidentKitError, ValidationError, type ErrorCode, type ValidationIssue } from '../errors.js';
import type { Incident } from '../model/incident.js';
import { actorSchema, type Actor, type ActorInput } from '../model/actor.js';
import { parseConfig, toIssues } from '../kernel/parse.js';
import { SIGNAL_NAME_PATTERN } from '../model/signal.js';
import { HttpError, jsonResponse, toErrorResponse, type HttpErrorCode } from './errorResponse.js';
import { decodeUtf8, readBody } from './readBody.js';
import { alertsQuery } from './alertsQuery.js';
import { isCommandName, runCommand, type CommandName } from './commandRoutes.js';
import { featureRoutesOf, matchFeatureRoute } from './featureRoutes.js';
import { ingestWebhook, type IngestParser, type IngestSource } from './ingestRoute.js';
import { createPagerDutyEvents, pagerDutyError, pagerDutyOptionsShape, type PagerDutyRateLimit, type PagerDutyRoutingKey } from './pagerDutyEvents.js';
import { timelineQuery } from './timelineQuery.js';

export type { IngestParser, IngestParserResult, IngestSource } from './ingestRoute.js';
export type { PagerDutyRateLimit, PagerDutyRoutingKey } from './pagerDutyEvents.js';
import type { Verifier } from './verifiers.js';

/** A handler on Web-standard `Request`/`Response`, as Hono, Next.js, Bun, Deno and Workers expect. */
export type IncidentHandler = (request: Request) => Promise<Response>;

/**
 * A webhook the handler refused with a `4xx`, as {@link IncidentHandlerOptions.onRefused} is told.
 *
 * @remarks Senders such as Alertmanager do not retry a `4xx`: the alerts of a refused request
 * are lost on their side, so count these and alert on them.
 *
 * @example
 * ```ts
 * import type { RefusedIngest } from 'incidentkit/http';
 *
 * const refusals = new Map<string, number>();
 * function countRefusal(refused: RefusedIngest): void {
 *   const key = `${refused.source} ${String(refused.status)} ${refused.code}`;
 *   refusals.set(key, (refusals.get(key) ?? 0) + 1);
 * }
 * ```
 */
export interface RefusedIngest {
  /**
   * The configured source the request was posted to (`/ingest/{source}`), or `pagerduty` for
   * the Events API (`/v2/enqueue`, `/v2/change/enqueue`).
   */
  readonly source: string;
  /** The `4xx` status answered, e.g. `401` for a wrong token or signature. */
  readonly status: number;
  /** The error code of the response body, e.g. `UNAUTHENTICATED`, `VALIDATION_FAILED`, `PAYLOAD_TOO_LARGE`. */
  readonly code: ErrorCode | HttpErrorCode;
  /** The refused request (its body is already read). */
  readonly request: Request;
}

/**
 * A two-way chat app the handler mounts, such as `slackApp` from `incidentkit/slack`: the
 * handler binds its engine with `connect` and passes it the requests of its routes.
 */
export interface ChatAppMount {
  /** Binds the engine the app's commands run on; called once by {@link createIncidentHandler}. */
  connect(engine: IncidentEngine<readonly AnyIncidentType[]>): void;
  /** Serves one request of the app's routes. */
  handleRequest(request: Request): Promise<Response>;
}

/** Options of {@link createIncidentHandler}. */
export interface IncidentHandlerOptions {
  /** The path the handler is mounted under, e.g. `/api/incidentkit`. Default: `''` (the root). */
  readonly basePath?: string;
  /** Monitoring tools allowed to post signals, by the name in their URL (`/ingest/{name}`). */
  readonly sources?: Readonly<Record<string, IngestSource>>;
  /**
   * Who is calling a REST route: the actor recorded on the timeline, or `null` for `401`.
   * Without it every REST route answers `401`: incident data is never served anonymously.
   */
  readonly authenticate?: (request: Request) => ActorInput | null | undefined | Promise<ActorInput | null | undefined>;
  /** The largest request body accepted, in bytes; larger ones get `413`. Default: 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Told about every `5xx` (store down, a throwing parser or `authenticate`). Default: `console.error`. */
  readonly onError?: (error: unknown, request: Request) => void;
  /**
   * Told about every `4xx` answered on `/ingest/{source}` of a configured source: a refused
   * token or signature (`401`), an unreadable payload (`400`), a body too large (`413`), a
   * client that disconnected mid-body (`400` `REQUEST_ABORTED`), a wrong method (`405`)…
   * Senders such as Alertmanager do not retry a `4xx`, so those alerts are lost: log or count
   * these per source and alert on them. Requests to unconfigured sources (`404`) are not
   * reported: their names are the caller's choice. It runs before the response is sent and
   * is not awaited; what it returns, throws or rejects with is ignored. Default: none.
   */
  readonly onRefused?: (refused: RefusedIngest) => unknown;
  /**
   * Serves PagerDuty's Events API v2 at `POST /v2/enqueue` (alert events) and `POST
   * /v2/change/enqueue` (change events) for these routing keys, each mapped to what it stands
   * for. The routing key in the body is the credential of these two routes (as at PagerDuty):
   * `authenticate` is not asked, and an unknown key is answered `400` as PagerDuty does. Without
   * it, the two routes answer `404`. See docs/ingest.md.
   */
  readonly routingKeys?: Readonly<Record<string, PagerDutyRoutingKey>>;
  /** How many events each routing key may send (`429` beyond). Default: no limit. */
  readonly routingKeyRateLimit?: PagerDutyRateLimit;
  /**
   * A Slack app (`slackApp` from `incidentkit/slack`), served at `POST /slack/commands`,
   * `/slack/interactions` and `/slack/events` and bound to this handler's engine. Slack's
   * signature is the credential of these routes: `authenticate` is not asked. See docs/chat.md.
   */
  readonly slack?: ChatAppMount;
  /**
   * A Microsoft Teams outgoing webhook (`teamsOutgoingWebhook` from `incidentkit/teams`), served
   * at `POST /teams/messages` and bound to this handler's engine. Its HMAC `Authorization`
   * header is the credential of the route: `authenticate` is not asked. See docs/chat.md.
   */
  readonly teams?: ChatAppMount;
  /**
   * A Mattermost slash command (`mattermostCommands` from `incidentkit/mattermost`), served at
   * `POST /mattermost/commands` and bound to this handler's engine. The command's token is the
   * credential of the route: `authenticate` is not asked. See docs/chat.md.
   */
  readonly mattermost?: ChatAppMount;
}

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { message: `Must be a function (${what}).` });

function chatAppSchema(what: string) {
  return z.object(
    { connect: fn<ChatAppMount['connect']>('binding the engine'), handleRequest: fn<ChatAppMount['handleRequest']>('(request) => response') },
    { message: `Must be ${what}.` },
  );
}

const optionsSchema = /* @__PURE__ */ (() => z.strictObject({
  basePath: z
    .string()
    .regex(/^(\/[^/?#\s]+)*\/?$/, 'Must be empty or a path such as /api/incidents (no query, no spaces).')
    .optional(),
  sources: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Source names hold 1 to 64 letters, digits, - or _.'),
      z.strictObject({
        parser: fn<IngestParser>('e.g. parseAlertmanager'),
        verify: fn<Verifier>(
          'bearerAuth(…), basicAuth(…), standardWebhooksAuth(…) or your own; pass () => true to accept unsigned requests on purpose',
        ),
        onConfirmation: fn<NonNullable<IngestSource['onConfirmation']>>('called with SNS confirmations').optional(),
        dedupNamespace: z
          .string()
          .regex(SIGNAL_NAME_PATTERN, "A namespace holds 1 to 64 letters, digits, . _ or -; 'shared' is the tenant-wide one.")
          .optional(),
      }),
    )
    .optional(),
  authenticate: fn<NonNullable<IncidentHandlerOptions['authenticate']>>('returning the actor or null').optional(),
  maxBodyBytes: z.number().int().min(1).max(2 ** 31).optional(),
  onError: fn<NonNullable<IncidentHandlerOptions['onError']>>('(error, request) => void').optional(),
  onRefused: fn<NonNullable<IncidentHandlerOptions['onRefused']>>('({ source, status, code, request }) => void').optional(),
  ...pagerDutyOptionsShape,
  slack: chatAppSchema('a slackApp(…) from incidentkit/slack').optional(),
  teams: chatAppSchema('a teamsOutgoingWebhook(…) from incidentkit/teams').optional(),
  mattermost: chatAppSchema('a mattermostCommands(…) from incidentkit/mattermost').optional(),
}))();

/** The routes of the mounted chat apps: `/{platform}/{route}`. */
const CHAT_ROUTES: Readonly<Record<'slack' | 'teams' | 'mattermost', readonly string[]>> = {
  slack: ['commands', 'interactions', 'events'],
  teams: ['messages'],
  mattermost: ['commands'],
};

/** Query parameters of `GET /incidents` that may repeat. */
const REPEATABLE = new Set(['status', 'severity', 'service']);
const SINGLE = new Set(['open', 'from', 'to', 'limit', 'cursor']);

function listInput(params: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const issues: ValidationIssue[] = [];
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    if (REPEATABLE.has(name)) {
      input[name] = values.length === 1 ? values[0] : values;
    } else if (!SINGLE.has(name)) {
      issues.push({ code: 'unrecognized_keys', path: [name], message: 'Unknown query parameter; use status, severity, service, open, from, to, limit or cursor' });
    } else if (values.length > 1) {
      issues.push({ code: 'custom', path: [name], message: 'Give this query parameter once' });
    } else {
      const value = values[0] ?? '';
      if (name === 'open') {
        if (value === 'true' || value === 'false') input[name] = value === 'true';
        else issues.push({ code: 'invalid_type', path: [name], message: 'Must be true or false' });
      } else if (name === 'limit') {
        if (/^\d{1,6}$/.test(value)) input[name] = Number(value);
        else issues.push({ code: 'invalid_type', path: [name], message: 'Must be a whole number' });
      } else {
        input[name] = value;
      }
    }
  }
  if (issues.length > 0) throw new ValidationError('list', issues);
  return input;
}

function notFound(path: string): HttpError {
  return new HttpError(404, 'ROUTE_NOT_FOUND', `No route for ${path}; see docs/http-integration.md for the routes.`);
}

function methodNotAllowed(method: string, allowed: readonly string[]): HttpError {
  return new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(' or ')}.`, {
    headers: { allow: allowed.join(', ') },
  });
}

/** A route: the methods it answers and what it does. */
interface Route {
  readonly allowed: readonly string[];
  run(request: Request): Promise<Response>;
}

function decodeSegments(pathname: string): string[] {
  try {
    return pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  } catch {
    throw new ValidationError('request path', [{ code: 'invalid_format', path: [], message: 'The path is not valid percent-encoding' }]);
  }
}

/**
 * Creates the HTTP handler of an engine: inbound webhooks from monitoring tools, and a REST
 * API over incidents, on Web-standard `Request`/`Response`.
 *
 * @remarks
 * Routes (under `basePath`):
 * - `POST /ingest/{name}`: a webhook of the configured source `name`; its verifier must
 *   accept it (else `401`, nothing ingested); the body is read with `maxBodyBytes` enforced
 *   while streaming (`413`), parsed with the source's parser and ingested as the integration
 *   `name` (the actor id `authorize` sees) in the dedup namespace `name` (see
 *   {@link IngestSource.dedupNamespace}). The response lists each signal's outcome:
 *   `{ source, results: [{ fingerprint, status, outcome, incidentId?, error? }] }`; a malformed
 *   signal is `rejected` (with `error`) while the others are ingested, and only when every
 *   signal is rejected does the request answer `400` `VALIDATION_FAILED`.
 * - `POST /incidents` declares (`201`, `Location`); `GET /incidents` lists, with the filters
 *   `status`, `severity`, `service` (each repeatable), `open`, `limit` and `cursor` as query
 *   parameters; `GET /incidents/:id`; `GET /incidents/:id/timeline` (one page with
 *   `?afterSeq=&limit=`, as `engine.timeline` takes them); `POST
 *   /incidents/:id/{command}` for every lifecycle command (`acknowledge`, `mitigate`,
 *   `resolve`, …, `updateFields`, `setStatusLabel`, `startClock`, `fileReport`) with the
 *   command's input as JSON, without `actor`: the actor is who `authenticate` says is calling,
 *   and reads are made as that actor too, so the engine's `authorize` decides every route. REST `POST`s need `Content-Type: application/json`, which
 *   also keeps browsers from sending them cross-site without a CORS preflight.
 * - `POST /slack/commands`, `/slack/interactions`, `/slack/events` with the `slack` option: a
 *   Slack app's inbound requests, verified with its signing secret (see `slackApp`);
 *   `POST /teams/messages` with `teams` (a Teams outgoing webhook) and `POST
 *   /mattermost/commands` with `mattermost` (a Mattermost slash command), likewise.
 * - `GET /incidents/:id/alerts`: one page of the incident's alerts, all of them (the incident
 *   carries only the newest 100), as `engine.alerts` returns it: `{ items, nextCursor? }`, with
 *   `limit` (1–1 000, default 100) and `cursor` (a previous page's `nextCursor`) as query parameters.
 *
 * Errors answer `{ error: { code, message, details? } }`: `400` validation (with the zod
 * issues) and malformed JSON, `401` unauthenticated, `403` forbidden, `404` unknown incident
 * or route, `405` wrong method (with `Allow`), `409` invalid transition, version conflict or
 * duplicate incident, `413` too large, `415` not JSON, `5xx` with no internals (see `onError`).
 * A client that disconnects while sending its body gets `400` `REQUEST_ABORTED` (if anything
 * still reaches it): a client abort, not a server fault, so `onError` is not told. Every `4xx`
 * of a configured `/ingest/{name}` route is reported to `onRefused`.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { bearerAuth, createIncidentHandler } from 'incidentkit/http';
 * import { parseAlertmanager } from 'incidentkit/ingest';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const handler = createIncidentHandler(engine, {
 *   basePath: '/api',
 *   sources: { alertmanager: { parser: parseAlertmanager, verify: bearerAuth('token-from-your-vault') } },
 *   authenticate: (request) => (request.headers.get('x-user') === 'alice' ? { id: 'u_alice', name: 'Alice' } : null),
 * });
 * const response = await handler(new Request('http://localhost/api/incidents?open=true', { headers: { 'x-user': 'alice' } }));
 * console.log(response.status); // 200
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when the options are invalid, e.g. a source without `verify`.
 */
export function createIncidentHandler(engine: IncidentEngine<readonly AnyIncidentType[]>, options: IncidentHandlerOptions = {}): IncidentHandler {
  const config = parseConfig(optionsSchema, options, 'createIncidentHandler');
  const basePath = (config.basePath ?? '').replace(/\/$/, '');
  const sources = new Map(Object.entries(options.sources ?? {}));
  const maxBodyBytes = config.maxBodyBytes ?? 1024 * 1024;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error('[incidentkit] [http] request failed:', error);
    });

  function reportRefused(refused: RefusedIngest): void {
    if (options.onRefused === undefined) return;
    try {
      const result = options.onRefused(refused);
      // An async callback's rejection must not become an unhandled rejection.
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // A failing counter must not turn a refusal into a crash.
    }
  }

  async function actorOf(request: Request): Promise<Actor> {
    if (options.authenticate === undefined) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'This handler has no authenticate option, so its REST routes refuse every request; pass authenticate to createIncidentHandler.');
    }
    const given = await options.authenticate(request);
    if (given === null || given === undefined) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'Authentication required: send the credentials this server expects.');
    }
    const actor = actorSchema.safeParse(given);
    if (!actor.success) {
      // The host's authenticate returned something that is not an actor: a server bug, not the caller's.
      throw new ConfigError('createIncidentHandler authenticate', toIssues(actor.error).map((issue) => ({ ...issue, message: `authenticate returned an invalid actor: ${issue.message}` })));
    }
    return actor.data;
  }

  async function jsonBody(request: Request): Promise<Record<string, unknown>> {
    const type = request.headers.get('content-type') ?? '';
    if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with Content-Type: application/json.');
    }
    const text = decodeUtf8(await readBody(request, maxBodyBytes));
    const issue = (message: string): ValidationError =>
      new ValidationError('request body', [{ code: 'invalid_json', path: [], message }]);
    if (text === undefined) throw issue('The body is not valid UTF-8');
    if (text.trim() === '') return {};
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      // Only the position: the runtime's message quotes the body, which may hold sensitive data.
      const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
      throw issue(position === undefined ? 'The body is not valid JSON' : `The body is not valid JSON (error at character ${position})`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw issue('The body must be a JSON object');
    if (Object.prototype.hasOwnProperty.call(body, 'actor')) {
      throw new ValidationError('request body', [
        { code: 'unrecognized_keys', path: ['actor'], message: 'Remove actor: it is who authenticate says is calling' },
      ]);
    }
    return body as Record<string, unknown>;
  }

  async function ingest(request: Request, name: string, source: IngestSource): Promise<Response> {
    const bytes = await readBody(request, maxBodyBytes);
    if (!(await source.verify(request, bytes))) {
      throw new HttpError(401, 'UNAUTHENTICATED', `The request is not signed or authorised for source '${name}'; nothing was ingested.`, {
        headers: source.verify.challenge === undefined ? {} : { 'www-authenticate': source.verify.challenge },
      });
    }
    try {
      const text = decodeUtf8(bytes);
      if (text === undefined) {
        throw new ValidationError(`${name} webhook`, [{ code: 'invalid_format', path: [], message: 'The body is not valid UTF-8' }]);
      }
      return await ingestWebhook({ engine, name, source, namespace: config.sources?.[name]?.dedupNamespace ?? name, text, request });
    } catch (error) {
      // The message was genuine but not processed: let the sender's retry through the replay guard.
      if (toErrorResponse(error).serverFault) await source.verify.release?.(request);
      throw error;
    }
  }

  /**
   * What a command's caller sees of the incident it changed: all of it when they may read it,
   * else only `{ id, status, version }` (a role allowed to add notes is not thereby a reader).
   */
  async function visible(incident: Incident, actor: Actor): Promise<Incident | Pick<Incident, 'id' | 'status' | 'version'>> {
    try {
      await engine.get(incident.id, { actor });
      return incident;
    } catch (error) {
      if (isIncidentKitError(error, 'FORBIDDEN')) return { id: incident.id, status: incident.status, version: incident.version };
      throw error;
    }
  }

  const featureRoutes = featureRoutesOf(engine);
  const chatApps = new Map<string, ChatAppMount>();
  for (const platform of ['slack', 'teams', 'mattermost'] as const) {
    const app = options[platform];
    if (app === undefined) continue;
    app.connect(engine);
    chatApps.set(platform, app);
  }
  const pagerDuty = createPagerDutyEvents(engine, options);

  /**
   * Serves an Events API route, answering every error in PagerDuty's shape; its `4xx` are told
   * to `onRefused` as source `pagerduty` (senders drop what a `4xx` other than `429` refuses).
   */
  async function servePagerDuty(request: Request, run: (text: string | undefined) => Promise<Response>): Promise<Response> {
    let response: Response;
    let code: ErrorCode | HttpErrorCode = 'VALIDATION_FAILED';
    if (request.method !== 'POST') {
      response = pagerDutyError(405, `${request.method} is not allowed here; use POST.`);
      response.headers.set('allow', 'POST');
      code = 'METHOD_NOT_ALLOWED';
    } else {
      try {
        response = await run(decodeUtf8(await readBody(request, maxBodyBytes)));
        if (response.status === 429) code = 'RATE_LIMITED';
      } catch (error) {
        const mapped = toErrorResponse(error);
        if (mapped.serverFault) {
          try {
            onError(error, request);
          } catch {
            // A failing logger must not turn an error response into a crash.
          }
          return pagerDutyError(mapped.status, 'The event could not be processed; retry later.');
        }
        code = mapped.code;
        response = pagerDutyError(mapped.status, error instanceof Error ? error.message : 'The event was refused.');
      }
    }
    if (response.status >= 400 && response.status < 500) reportRefused({ source: 'pagerduty', status: response.status, code, request });
    return response;
  }

  function route(method: string, segments: readonly string[], pathname: string): Route {
    const [head, id, action, ...rest] = segments;
    if (head === 'ingest' && id !== undefined && action === undefined) {
      const source = sources.get(id);
      if (source === undefined) throw notFound(pathname);
      return { allowed: ['POST'], run: (request) => ingest(request, id, source) };
    }
    if (head !== 'incidents' || rest.length > 0) throw notFound(pathname);
    if (id === undefined) {
      return {
        allowed: ['GET', 'POST'],
        run: async (request) => {
          const actor = await actorOf(request);
          if (method === 'GET') return jsonResponse(200, await engine.list(listInput(new URL(request.url).searchParams), { actor }));
          const incident = await engine.declare({ ...(await jsonBody(request)), actor } as Parameters<IncidentEngine<readonly AnyIncidentType[]>['declare']>[0]);
          return jsonResponse(201, await visible(incident, actor), { location: `${basePath}/incidents/${encodeURIComponent(incident.id)}` });
        },
      };
    }
    if (action === undefined) {
      return { allowed: ['GET'], run: async (request) => jsonResponse(200, await engine.get(id, { actor: await actorOf(request) })) };
    }
    if (action === 'timeline') {
      return {
        allowed: ['GET'],
        run: async (request) => {
          const actor = await actorOf(request);
          return jsonResponse(200, { items: await engine.timeline(id, { ...timelineQuery(new URL(request.url).searchParams), actor }) });
        },
      };
    }
    if (action === 'alerts') {
      return {
        allowed: ['GET'],
        run: async (request) => {
          const actor = await actorOf(request);
          return jsonResponse(200, await engine.alerts(id, { ...alertsQuery(new URL(request.url).searchParams), actor }));
        },
      };
    }
    if (!isCommandName(action)) throw notFound(pathname);
    const command: CommandName = action;
    return {
      allowed: ['POST'],
      run: async (request) => {
        const actor = await actorOf(request);
        return jsonResponse(200, await visible(await runCommand(engine, command, id, { ...(await jsonBody(request)), actor }), actor));
      },
    };
  }

  /** The handler's own route for the path, or `undefined` where a feature's route may answer. */
  function ownRoute(method: string, segments: readonly string[], pathname: string): Route | undefined {
    try {
      return route(method, segments, pathname);
    } catch (error) {
      if (error instanceof HttpError && error.code === 'ROUTE_NOT_FOUND' && featureRoutes.length > 0) return undefined;
      throw error;
    }
  }

  return async (request) => {
    /** The configured source of an `/ingest/{name}` path, whose refusals `onRefused` hears of. */
    let ingestSource: string | undefined;
    try {
      const { pathname } = new URL(request.url);
      if (pathname !== basePath && !pathname.startsWith(`${basePath}/`)) throw notFound(pathname);
      const segments = decodeSegments(pathname.slice(basePath.length));
      if (pagerDuty.configured && segments[0] === 'v2') {
        const path = segments.join('/');
        if (path === 'v2/enqueue') return await servePagerDuty(request, pagerDuty.enqueue);
        if (path === 'v2/change/enqueue') return await servePagerDuty(request, pagerDuty.changeEnqueue);
      }
      const chatApp = segments.length === 2 ? chatApps.get(segments[0] ?? '') : undefined;
      if (chatApp !== undefined && CHAT_ROUTES[segments[0] as keyof typeof CHAT_ROUTES].includes(segments[1] ?? '')) {
        return await chatApp.handleRequest(request);
      }
      if (segments.length === 2 && segments[0] === 'ingest' && segments[1] !== undefined && sources.has(segments[1])) {
        ingestSource = segments[1];
      }
      const matched = ownRoute(request.method, segments, pathname) ?? matchFeatureRoute(featureRoutes, request.method, segments, actorOf, jsonBody);
      if (matched === undefined) throw notFound(pathname);
      if (!matched.allowed.includes(request.method)) throw methodNotAllowed(request.method, matched.allowed);
      return await matched.run(request);
    } catch (error) {
      const { response, status, code, serverFault } = toErrorResponse(error);
      if (serverFault) {
        try {
          onError(error, request);
        } catch {
          // A failing logger must not turn an error response into a crash.
        }
      } else if (ingestSource !== undefined && status >= 400 && status < 500) {
        reportRefused({ source: ingestSource, status, code, request });
      }
      return response;
    }
  };
}


