import { z } from 'zod';
import { isIncidentKitError } from '../../errors.js';
import { sha256Hex } from '../../kernel/hash.js';
import { parseConfig } from '../../kernel/parse.js';
import type { StatusPageSnapshot } from '../../features/statusPage/snapshot.js';
import { renderHistoryAtom, renderHistoryRss } from '../../features/statusPage/render/feeds.js';
import { renderStatusPageHtml } from '../../features/statusPage/render/html.js';
import { renderStatuspageV2, STATUSPAGE_V2_PATHS } from '../../features/statusPage/render/statuspageV2.js';

/**
 * What {@link createStatusPageHandler} needs of an engine: the snapshot of a page. An engine
 * created with `createIncidentEngine({ statusPages })` has it; so can a stub in your tests.
 */
export interface StatusPageSource {
  readonly statusPages: {
    /** Everything the page shows now; rejects with `NOT_FOUND` when no page has that id. */
    snapshot(pageId: string, options?: { readonly recentDays?: number; readonly uptime?: boolean }): Promise<StatusPageSnapshot>;
  };
}

/** Options of {@link createStatusPageHandler}. */
export interface StatusPageHandlerOptions {
  /** The page to serve. */
  readonly pageId: string;
  /** The path the handler is mounted under, e.g. `/status`. Default: `''` (the root). */
  readonly basePath?: string;
  /** How long browsers and caches may keep an answer (`Cache-Control: public, max-age=…`), in seconds. Default: 30. */
  readonly cacheSeconds?: number;
  /** How many days of resolved incidents the JSON and feeds list. Default: the status page feature's. */
  readonly recentDays?: number;
  /**
   * The HTML of `/` for a snapshot (taken with 90 days of uptime). Default:
   * `renderStatusPageHtml` (banner, components, uptime bars, incidents, maintenance, history)
   * with its feed links under `basePath`, and no subscribe form until subscribers are served.
   */
  readonly html?: (snapshot: StatusPageSnapshot) => string;
  /** Told about every `500` (the store is down, `html` threw). Default: `console.error`. */
  readonly onError?: (error: unknown, request: Request) => void;
}

const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', { message: `Must be a function (${what}).` });

const optionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    pageId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'A page id holds 1 to 64 letters, digits, - or _.'),
    basePath: z
      .string()
      .regex(/^(\/[^/?#]+)*$/, "A base path starts with '/' and does not end with one, e.g. '/status'; leave it out for the root.")
      .optional(),
    cacheSeconds: z.number().int().min(0).max(31_536_000).optional(),
    recentDays: z.number().int().min(1).max(3_650).optional(),
    html: fn<NonNullable<StatusPageHandlerOptions['html']>>('(snapshot) => string').optional(),
    onError: fn<NonNullable<StatusPageHandlerOptions['onError']>>('(error, request) => void').optional(),
  }))();

const engineSchema = /* @__PURE__ */ (() =>
  z.object(
    { statusPages: z.object({ snapshot: fn<StatusPageSource['statusPages']['snapshot']>('(pageId, options) => Promise<snapshot>') }) },
    { message: 'Must be an engine with status pages, from createIncidentEngine({ statusPages }).' },
  ))();

/** How a route renders its body, and with which content type. */
interface Route {
  readonly type: string;
  render(snapshot: StatusPageSnapshot): string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function routesOf(html: (snapshot: StatusPageSnapshot) => string): ReadonlyMap<string, Route> {
  const routes = new Map<string, Route>();
  for (const path of STATUSPAGE_V2_PATHS) {
    routes.set(`/api/v2/${path}`, { type: JSON_TYPE, render: (snapshot) => JSON.stringify(renderStatuspageV2(snapshot, path)) });
  }
  routes.set('/history.atom', { type: 'application/atom+xml; charset=utf-8', render: renderHistoryAtom });
  routes.set('/history.rss', { type: 'application/rss+xml; charset=utf-8', render: renderHistoryRss });
  routes.set('/', { type: 'text/html; charset=utf-8', render: html });
  return routes;
}

/** Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for this header). */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

/**
 * The public status page over HTTP, on Web-standard `Request`/`Response`: the Statuspage v2
 * JSON under `/api/v2/*.json` (`summary`, `status`, `components`, `incidents`,
 * `incidents/unresolved`, `scheduled-maintenances`, `scheduled-maintenances/upcoming` and
 * `…/active`), the incident history as `/history.atom` and `/history.rss`, and the page itself
 * at `/`.
 *
 * @remarks It is public: no authentication, and `Access-Control-Allow-Origin: *` so widgets on
 * other sites read the JSON. It only ever renders the page's snapshot, which holds only what
 * was published on purpose: nothing internal to an incident is reachable from it. Answers carry
 * `Cache-Control: public, max-age=…` and a strong `ETag` of the body; a request whose
 * `If-None-Match` names it gets `304 Not Modified`. `GET` and `HEAD` only (`405` with `Allow`
 * otherwise); any other path is `404`, as are `/subscribe`, `/confirm` and `/unsubscribe` for
 * now. For `node:http`, wrap it with `toNodeListener` from `incidentkit/http`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { toNodeListener } from 'incidentkit/http';
 * import { createStatusPageHandler, type StatusPageSource } from 'incidentkit/status-page';
 *
 * declare const engine: StatusPageSource;
 * const statusPage = createStatusPageHandler(engine, { pageId: 'acme', basePath: '/status' });
 * createServer(toNodeListener(statusPage)).listen(8080);
 * ```
 *
 * @throws {ConfigError} `CONFIG_INVALID` when `engine` has no status pages or an option is invalid.
 */
export function createStatusPageHandler(engine: StatusPageSource, options: StatusPageHandlerOptions): (request: Request) => Promise<Response> {
  parseConfig(engineSchema, engine, 'createStatusPageHandler engine');
  const config = parseConfig(optionsSchema, options, 'createStatusPageHandler options');
  const basePath = config.basePath ?? '';
  const cacheControl = `public, max-age=${String(config.cacheSeconds ?? 30)}`;
  const onError = config.onError ?? ((error: unknown) => { console.error('[incidentkit] [status-page]', error); });
  const feeds = { atom: `${basePath}/history.atom`, rss: `${basePath}/history.rss` };
  const routes = routesOf(config.html ?? ((snapshot) => renderStatusPageHtml(snapshot, { subscribePath: false, feeds })));
  const recent = config.recentDays === undefined ? {} : { recentDays: config.recentDays };

  return async (request) => {
    const url = new URL(request.url);
    let path = url.pathname;
    if (basePath !== '') {
      if (path === basePath) path = '/';
      else if (path.startsWith(`${basePath}/`)) path = path.slice(basePath.length);
      else return plain(404, 'Not Found');
    }
    const route = routes.get(path);
    if (route === undefined) return plain(404, 'Not Found');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    }
    let body: string;
    try {
      // The page shows 90 days of uptime bars; the JSON and feeds need no uptime.
      const snapshot = await engine.statusPages.snapshot(config.pageId, path === '/' ? { ...recent, uptime: true } : recent);
      body = route.render(snapshot);
    } catch (error) {
      if (isIncidentKitError(error, 'NOT_FOUND')) return plain(404, 'Not Found');
      onError(error, request);
      return plain(500, 'Internal Server Error');
    }
    const etag = `"${await sha256Hex(body)}"`;
    const headers: Record<string, string> = {
      'cache-control': cacheControl,
      etag,
      'access-control-allow-origin': '*',
      'x-content-type-options': 'nosniff',
    };
    if (matches(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
    const bytes = new TextEncoder().encode(body);
    headers['content-type'] = route.type;
    headers['content-length'] = String(bytes.byteLength);
    return new Response(request.method === 'HEAD' ? null : bytes, { status: 200, headers });
  };
}
