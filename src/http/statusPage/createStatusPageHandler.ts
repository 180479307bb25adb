import { z } from 'zod';
import { isIncidentKitError } from '../../errors.js';
import { sha256Hex } from '../../kernel/hash.js';
import { parseConfig } from '../../kernel/parse.js';
import type { StatusPageSnapshot } from '../../features/statusPage/snapshot.js';
import { renderHistoryAtom, renderHistoryRss } from '../../features/statusPage/render/feeds.js';
import { renderStatusPageHtml } from '../../features/statusPage/render/html.js';
import { renderStatuspageV2, STATUSPAGE_V2_PATHS } from '../../features/statusPage/render/statuspageV2.js';
import { escapeXml } from '../../features/statusPage/render/text.js';

/**
 * What {@link createStatusPageHandler} needs of an engine: the snapshot of a page. An engine
 * created with `createIncidentEngine({ statusPages })` has it; so can a stub in your tests.
 */
export interface StatusPageSource {
  readonly statusPages: {
    /** Everything the page shows now; rejects with `NOT_FOUND` when no page has that id. */
    snapshot(pageId: string, options?: { readonly recentDays?: number; readonly uptime?: boolean }): Promise<StatusPageSnapshot>;
    /** Subscribes an email address (a pending subscription, sent a confirmation): served at `POST /subscribe`. */
    subscribe?(pageId: string, input: { readonly email: string }): Promise<unknown>;
    /** Confirms a subscription: served at `POST /confirm?token=…` (a `GET` asks first); rejects with `NOT_FOUND` for a bad token. */
    confirm?(token: string): Promise<unknown>;
    /** Ends a subscription: served at `POST /unsubscribe?token=…`; rejects with `NOT_FOUND` for a bad token. */
    unsubscribe?(token: string): Promise<unknown>;
    /** Whether email subscribers can be reached; the subscribe form and routes are served only when `email` is `true`. */
    readonly subscriptions?: { readonly email: boolean };
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
  /**
   * Serve `/subscribe`, `/confirm` and `/unsubscribe`, and show the subscribe form. Default: when
   * the engine can reach email subscribers (`statusPageSubscriberDelivery({ email })` as its
   * `statusPageSubscribers.delivery`).
   */
  readonly subscriptions?: boolean;
  /**
   * How many `POST /subscribe` requests this handler takes per `seconds`, from everyone together
   * (a handler cannot tell clients apart behind proxies; put a per-client limit in front of it
   * too); more get `429` with `Retry-After`. The engine already sends an address at most one
   * confirmation per 10 minutes. Default: `{ requests: 60, seconds: 60 }`.
   */
  readonly subscribeLimit?: { readonly requests: number; readonly seconds: number };
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
    subscriptions: z.boolean().optional(),
    subscribeLimit: z.strictObject({ requests: z.int().min(1).max(1_000_000), seconds: z.int().min(1).max(86_400) }).optional(),
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

/** The longest form body `/subscribe` reads. */
const MAX_FORM_BYTES = 4_096;

/** A small page answering a subscription request: never cached, never sending its URL (it may hold a token) as a referrer. */
function notice(status: number, title: string, paragraphs: readonly string[], home: string, form?: { readonly action: string; readonly button: string }): Response {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'">
<title>${escapeXml(title)}</title>
<style>:root{color-scheme:light dark}body{font:1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1.25rem;min-height:2.75rem}</style></head>
<body><main><h1>${escapeXml(title)}</h1>${paragraphs.map((p) => `<p>${escapeXml(p)}</p>`).join('')}${form === undefined ? '' : `<form method="post" action="${escapeXml(form.action)}"><button type="submit">${escapeXml(form.button)}</button></form>`}<p><a href="${escapeXml(home)}">Back to the status page</a></p></main></body></html>
`;
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' } });
}

/** The request body as text, at most `MAX_FORM_BYTES` (`undefined` when longer). */
async function formText(request: Request): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_FORM_BYTES) return undefined;
  const bytes = new Uint8Array(await request.arrayBuffer());
  return bytes.byteLength > MAX_FORM_BYTES ? undefined : new TextDecoder().decode(bytes);
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
 * otherwise); any other path is `404`. With subscriptions (on when the engine can reach email
 * subscribers), `POST /subscribe` takes the page's form (`email`, at most
 * `subscribeLimit` requests a minute), `POST /confirm?token=…` confirms, and `POST
 * /unsubscribe?token=…` unsubscribes in one click (RFC 8058); a `GET` of either link shows a
 * button that posts (mail link scanners open links), each answering a small page that never tells whether an address was subscribed. For `node:http`, wrap it with `toNodeListener` from `incidentkit/http`.
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
  const pages = engine.statusPages;
  const subscriptions = config.subscriptions ?? (pages.subscriptions?.email === true && typeof pages.subscribe === 'function');
  const routes = routesOf(config.html ?? ((snapshot) => renderStatusPageHtml(snapshot, { subscribePath: subscriptions ? `${basePath}/subscribe` : false, feeds })));
  const recent = config.recentDays === undefined ? {} : { recentDays: config.recentDays };
  const home = basePath === '' ? '/' : basePath;
  const limit = config.subscribeLimit ?? { requests: 60, seconds: 60 };
  /** The fixed window of `POST /subscribe` requests: when it started and how many it took. */
  const window = { start: 0, taken: 0 };

  /** Whether one more `POST /subscribe` fits this window; otherwise the seconds until the next. */
  function admit(): { readonly ok: true } | { readonly ok: false; readonly retryAfter: number } {
    const now = Date.now();
    if (now - window.start >= limit.seconds * 1_000) {
      window.start = now;
      window.taken = 0;
    }
    if (window.taken >= limit.requests) return { ok: false, retryAfter: Math.max(1, Math.ceil((window.start + limit.seconds * 1_000 - now) / 1_000)) };
    window.taken += 1;
    return { ok: true };
  }

  /** `/subscribe`, `/confirm` and `/unsubscribe`: small HTML pages that never tell whether an address is subscribed. */
  async function subscription(path: string, request: Request, url: URL): Promise<Response> {
    const token = url.searchParams.get('token') ?? '';
    const invalid = () => notice(404, 'This link is not valid', ['It may have expired or been replaced by a newer one. Subscribe again from the status page.'], home);
    try {
      if (path === '/subscribe') {
        if (request.method !== 'POST') return plain(405, 'Method Not Allowed', { allow: 'POST' });
        const admitted = admit();
        if (!admitted.ok) {
          const busy = notice(429, 'Please try again later', ['Too many subscriptions were asked for just now.'], home);
          busy.headers.set('retry-after', String(admitted.retryAfter));
          return busy;
        }
        const text = await formText(request);
        const email = text === undefined ? undefined : new URLSearchParams(text).get('email')?.trim();
        if (email === undefined || email === '' || pages.subscribe === undefined) return notice(400, 'Please check the address', ['Enter an email address to receive updates.'], home);
        try {
          await pages.subscribe(config.pageId, { email });
        } catch (error) {
          if (isIncidentKitError(error, 'VALIDATION_FAILED')) return notice(400, 'Please check the address', [`“${email}” does not look like an email address.`], home);
          throw error;
        }
        // The same answer whether or not the address was subscribed already.
        return notice(200, 'Check your inbox', ['If this address is not subscribed yet, we sent it a link to confirm the subscription. Nothing is sent until it is confirmed.'], home);
      }
      // A GET, which mail link scanners make too, only asks; the POST of its button confirms.
      if (request.method === 'GET' || request.method === 'HEAD') {
        const [title, paragraph, button] =
          path === '/confirm'
            ? ['Confirm your subscription', 'Receive updates from this status page at the address that asked for them.', 'Confirm']
            : ['Unsubscribe?', 'You will receive no more updates from this status page.', 'Unsubscribe'];
        return notice(200, title, [paragraph], home, { action: `${basePath}${path}?token=${encodeURIComponent(token)}`, button });
      }
      if (request.method !== 'POST') return plain(405, 'Method Not Allowed', { allow: 'GET, POST' });
      if (path === '/confirm') {
        if (pages.confirm === undefined) return invalid();
        await pages.confirm(token);
        return notice(200, 'Subscription confirmed', ['You will receive updates from this status page. Every message has a link to unsubscribe.'], home);
      }
      // RFC 8058: the POST unsubscribes (one click from a mail client's List-Unsubscribe-Post).
      if (pages.unsubscribe === undefined) return invalid();
      await pages.unsubscribe(token);
      return notice(200, 'Unsubscribed', ['You will receive no more updates from this status page.'], home);
    } catch (error) {
      if (isIncidentKitError(error, 'NOT_FOUND')) return invalid();
      onError(error, request);
      return plain(500, 'Internal Server Error');
    }
  }

  return async (request) => {
    const url = new URL(request.url);
    let path = url.pathname;
    if (basePath !== '') {
      if (path === basePath) path = '/';
      else if (path.startsWith(`${basePath}/`)) path = path.slice(basePath.length);
      else return plain(404, 'Not Found');
    }
    if (path === '/subscribe' || path === '/confirm' || path === '/unsubscribe') {
      return subscriptions ? subscription(path, request, url) : plain(404, 'Not Found');
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
