import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseConfig } from '../kernel/parse.js';

/** A `node:http` request listener, also usable as Express/Connect middleware. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What Express adds to the request: the body a parser read, the URL before mount paths were stripped. */
interface ExpressAdditions {
  readonly body?: unknown;
  readonly originalUrl?: unknown;
}

function requestUrl(req: IncomingMessage): string {
  const encrypted = (req.socket as { encrypted?: boolean } | null)?.encrypted === true;
  const host = req.headers.host;
  const base = `${encrypted ? 'https' : 'http'}://${host !== undefined && /^[\w.-]+(:\d+)?$|^\[[\d:a-fA-F.]+\](:\d+)?$/.test(host) ? host : 'localhost'}`;
  // Express strips its mount path from `req.url` and keeps the full one in `originalUrl`.
  const original = (req as IncomingMessage & ExpressAdditions).originalUrl;
  const target = typeof original === 'string' ? original : (req.url ?? '/');
  // Origin-form targets are appended (so `//x` stays a path); absolute-form ones are taken as they are.
  try {
    return target.startsWith('/') ? new URL(`${base}${target}`).href : new URL(target).href;
  } catch {
    return new URL('/', base).href;
  }
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    // HTTP/2 pseudo-headers (`:path`) are not headers of the Fetch API.
    if (name.startsWith(':')) continue;
    try {
      headers.append(name, req.rawHeaders[i + 1] ?? '');
    } catch {
      // Node accepted a header value the Fetch API refuses: drop it rather than fail the request.
    }
  }
  return headers;
}

/** A request body for the Fetch `Request`, and how to stop passing it on once the answer is out. */
interface RequestBody {
  readonly body: ReadableStream<Uint8Array> | Uint8Array;
  /** Stops handing the body to the stream; what is still to come is discarded as Node reads it. */
  readonly discard: () => void;
}

const nothingToDiscard = (): void => undefined;

/** The request body as a stream that pulls from Node with backpressure. */
function requestBody(req: IncomingMessage): RequestBody {
  if (req.readableEnded) {
    // A body parser already read the stream: use what it left (express.raw / express.text give
    // the exact bytes; a parsed object from express.json is re-serialised and cannot be verified).
    const parsed = (req as IncomingMessage & ExpressAdditions).body;
    if (typeof parsed === 'string') return { body: new TextEncoder().encode(parsed), discard: nothingToDiscard };
    if (parsed instanceof Uint8Array) return { body: new Uint8Array(parsed), discard: nothingToDiscard };
    return { body: parsed === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(parsed)), discard: nothingToDiscard };
  }
  let onData: ((chunk: Buffer | string) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let onError: ((error: Error) => void) | undefined;
  const detach = (): void => {
    if (onData !== undefined) req.off('data', onData);
    if (onEnd !== undefined) req.off('end', onEnd);
    if (onError !== undefined) req.off('error', onError);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      onData = (chunk) => {
        controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      };
      onEnd = () => {
        detach();
        controller.close();
      };
      onError = (error) => {
        detach();
        controller.error(error);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      // The handler stopped reading (e.g. the body is too large). Keep the socket open so the
      // response reaches the client; the rest of the body is discarded as it arrives (see
      // `endAfterRequest`).
      detach();
      req.resume();
    },
  }, { highWaterMark: 4 });
  return {
    body,
    discard: () => {
      // `end` and `error` stay attached, so a reader still holding the stream sees it end.
      if (onData !== undefined) req.off('data', onData);
    },
  };
}

/** Converts a Node request to a Fetch `Request`; `signal` aborts when the client goes away. */
function toRequest(req: IncomingMessage, signal: AbortSignal): { readonly request: Request; readonly discardBody: () => void } {
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers: requestHeaders(req), signal };
  let discardBody = nothingToDiscard;
  if (method !== 'GET' && method !== 'HEAD') {
    const { body, discard } = requestBody(req);
    init.body = body instanceof Uint8Array ? new Uint8Array(body) : body;
    // Node's fetch requires `duplex: 'half'` for a streaming request body.
    init.duplex = 'half';
    discardBody = discard;
  }
  return { request: new Request(requestUrl(req), init), discardBody };
}

/**
 * Ends the response once the request has been received in full, discarding whatever of its
 * body the handler did not read.
 *
 * @remarks A handler may answer without reading the body (an unknown route, a `413`). Left
 * unread, the body is never taken off the socket: the request stream is paused, and because it
 * has a `data` listener Node does not drain it itself. A kept-alive connection then stalls (the
 * next request on it is never parsed, and the idle timeout resets it), and a connection the
 * response closes (`Connection: close`) is closed with unread bytes, which the kernel answers
 * with a TCP reset: a client still sending its body gets `ECONNRESET` instead of the response.
 * Ending the response only after the body's end (a lingering close, as nginx does) avoids both;
 * the server's `requestTimeout` bounds how long a client may take.
 */
async function endAfterRequest(req: IncomingMessage, res: ServerResponse, discardBody: () => void): Promise<void> {
  if (!req.readableEnded && !req.destroyed) {
    discardBody();
    req.resume();
    await new Promise<void>((resolve) => {
      // Settles on the body's end, or when the client goes away (then `res.end` does nothing).
      const settle = (): void => {
        req.off('end', settle);
        req.off('close', settle);
        req.off('error', settle);
        resolve();
      };
      req.on('end', settle);
      req.on('close', settle);
      req.on('error', settle);
    });
  }
  res.end();
}

/** Whether the response can no longer reach the client (a function, so TypeScript does not narrow it for good). */
function gone(res: ServerResponse): boolean {
  return res.destroyed || res.socket?.destroyed === true;
}

async function writeResponse(response: Response, req: IncomingMessage, res: ServerResponse, discardBody: () => void): Promise<void> {
  if (gone(res)) {
    // The client is gone: nobody reads the answer.
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (response.body === null) {
    await endAfterRequest(req, res, discardBody);
    return;
  }
  const reader = response.body.getReader();
  const stop = (): void => {
    reader.cancel().catch(() => undefined);
  };
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const settle = (): void => {
            res.off('drain', settle);
            res.off('close', settle);
            resolve();
          };
          res.on('drain', settle);
          res.on('close', settle);
        });
        if (res.destroyed) return;
      }
    }
    await endAfterRequest(req, res, discardBody);
  } finally {
    res.off('close', stop);
  }
}

const handlerSchema = /* @__PURE__ */ z.custom<(request: Request) => Response | Promise<Response>>((value) => typeof value === 'function', {
  error: (issue) =>
    `Must be a function (request: Request) => Response | Promise<Response>, such as createIncidentHandler(engine, …) returns; got ${issue.input === null ? 'null' : typeof issue.input}`,
});

/**
 * Adapts a Fetch-style handler (such as the one `createIncidentHandler` returns) to `node:http` and
 * Express: the Node request becomes a `Request` whose body streams with backpressure, and the
 * `Response` is streamed back.
 *
 * @remarks
 * - The `Request`'s `signal` aborts when the client disconnects.
 * - With Express, mount it before any body parser (`express.json()` would consume the body
 *   and break signature checks); a raw `Buffer`/string left by `express.raw()`/`express.text()`
 *   is used as the body. The URL is Express's `originalUrl`, so with
 *   `app.use('/api/incidentkit', listener)` the handler's `basePath` is `/api/incidentkit`.
 * - A handler that throws answers `500` without details, unless the client has already
 *   disconnected: then nothing is answered (a client abort is no server fault).
 * - A response ends only once the request body has arrived; what the handler did not read is
 *   discarded. So an early answer (an unknown route, a `413`) reaches a client still sending its
 *   body instead of a connection reset, and a kept-alive connection stays usable.
 * - It bounds no time: a client may send its headers and body as slowly as the server allows.
 *   Use {@link createNodeServer}, or set `headersTimeout` and `requestTimeout` on your server.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { createIncidentHandler, toNodeListener } from 'incidentkit/http';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const handler = createIncidentHandler(engine, { authenticate: () => ({ id: 'u_demo' }) });
 * createServer(toNodeListener(handler)).listen(3000, '127.0.0.1');
 * ```
 * @throws ConfigError (`CONFIG_INVALID`, issue path `handler`) when `handler` is not a function.
 */
export function toNodeListener(handler: (request: Request) => Response | Promise<Response>): NodeListener {
  parseConfig(z.object({ handler: handlerSchema }), { handler }, 'toNodeListener');
  return (req, res) => {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    void (async () => {
      let discardBody = nothingToDiscard;
      try {
        const converted = toRequest(req, abort.signal);
        discardBody = converted.discardBody;
        const response = await handler(converted.request);
        await writeResponse(response, req, res, discardBody);
      } catch {
        // The client went away (e.g. mid-body, so reading the body failed): not a server fault, and nobody to answer.
        if (abort.signal.aborted || gone(res)) {
          res.destroy();
        } else if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.write(JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred.' } }));
          await endAfterRequest(req, res, discardBody);
        } else {
          res.destroy();
        }
      }
    })();
  };
}

/** Options of {@link createNodeServer}: how long a client may take to send a request. */
export interface NodeServerOptions {
  /**
   * Milliseconds a client has to send the request line and headers, from the connection (or
   * the previous request on a kept-alive connection). Default: `10_000` (Node's own: 60 s).
   */
  readonly headersTimeout?: number;
  /**
   * Milliseconds a client has to send the whole request, headers and body, before it is
   * answered `408` and disconnected; at least `headersTimeout`. The handler's own work is not
   * counted. Default: `30_000` (Node's own: 300 s).
   */
  readonly requestTimeout?: number;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** The largest delay Node's timers take (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const timeoutMs = (name: string) =>
  z
    .number({ error: (issue) => `${name} must be a number of milliseconds${issue.input === undefined ? '' : `, got ${typeof issue.input}`}` })
    .int(`${name} must be a whole number of milliseconds`)
    .min(1, `${name} must be at least 1 ms: a server without it lets slow clients hold connections open`)
    .max(MAX_TIMEOUT_MS, `${name} must be at most ${String(MAX_TIMEOUT_MS)} ms`);

const nodeServerSchema = /* @__PURE__ */ (() => z.object({
  handler: handlerSchema,
  options: z
    .strictObject(
      { headersTimeout: timeoutMs('headersTimeout').optional(), requestTimeout: timeoutMs('requestTimeout').optional() },
      { error: (issue) => (issue.code === 'invalid_type' ? 'Must be an options object { headersTimeout?, requestTimeout? }' : undefined) },
    )
    .refine(
      (options) => {
        const headers = options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT_MS;
        const request = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
        // Compared only once both are valid: each has its own issue otherwise.
        return !(headers >= 1 && request >= 1) || headers <= request;
      },
      {
        path: ['headersTimeout'],
        message: `headersTimeout must not exceed requestTimeout (the headers are part of the request; defaults ${String(DEFAULT_HEADERS_TIMEOUT_MS)} and ${String(DEFAULT_REQUEST_TIMEOUT_MS)} ms)`,
      },
    ),
}))();

/**
 * Creates a `node:http` server for a Fetch-style handler (via {@link toNodeListener}) with
 * bounds on slow clients: `headersTimeout` and `requestTimeout`.
 *
 * @remarks
 * A client that has not sent its headers within `headersTimeout`, or its whole request within
 * `requestTimeout`, is answered `408` and disconnected (Node checks at most a second late).
 * Together with `maxBodyBytes` this bounds what one slow connection costs: its memory and how
 * long it is held. A client that disconnects mid-body is a client abort: the handler answers
 * `400` `REQUEST_ABORTED` to nobody and `onError` is not told. The server is returned
 * unstarted: call `listen`. The number of connections is not limited: set
 * `server.maxConnections` or put a reverse proxy in front.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { createIncidentHandler, createNodeServer } from 'incidentkit/http';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const handler = createIncidentHandler(engine, { authenticate: () => ({ id: 'u_demo' }) });
 * createNodeServer(handler, { headersTimeout: 5_000, requestTimeout: 20_000 }).listen(3000, '127.0.0.1');
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when `handler` is not a function, a timeout is not a
 * whole number of milliseconds from 1 to 2^31 - 1, `headersTimeout` exceeds `requestTimeout`,
 * or an option is unknown.
 */
export function createNodeServer(handler: (request: Request) => Response | Promise<Response>, options: NodeServerOptions = {}): Server {
  const config = parseConfig(nodeServerSchema, { handler, options }, 'createNodeServer');
  const headersTimeout = config.options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = config.options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node enforces both timeouts when it checks its connections (every 30 s by default).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 2))),
    },
    toNodeListener(handler),
  );
}
