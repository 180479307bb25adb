import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** The request body as a stream that pulls from Node with backpressure. */
function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> | Uint8Array {
  if (req.readableEnded) {
    // A body parser already read the stream: use what it left (express.raw / express.text give
    // the exact bytes; a parsed object from express.json is re-serialised and cannot be verified).
    const parsed = (req as IncomingMessage & ExpressAdditions).body;
    if (typeof parsed === 'string') return new TextEncoder().encode(parsed);
    if (parsed instanceof Uint8Array) return new Uint8Array(parsed);
    return parsed === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(parsed));
  }
  let onData: ((chunk: Buffer | string) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let onError: ((error: Error) => void) | undefined;
  const detach = (): void => {
    if (onData !== undefined) req.off('data', onData);
    if (onEnd !== undefined) req.off('end', onEnd);
    if (onError !== undefined) req.off('error', onError);
  };
  return new ReadableStream<Uint8Array>({
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
      // response reaches the client; the rest of the body is discarded as it arrives, and the
      // response's `Connection: close` ends the connection afterwards.
      detach();
      req.resume();
    },
  }, { highWaterMark: 4 });
}

/** Converts a Node request to a Fetch `Request`; `signal` aborts when the client goes away. */
function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers: requestHeaders(req), signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const body = requestBody(req);
    init.body = body instanceof Uint8Array ? new Uint8Array(body) : body;
    // Node's fetch requires `duplex: 'half'` for a streaming request body.
    init.duplex = 'half';
  }
  return new Request(requestUrl(req), init);
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (response.body === null) {
    res.end();
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
    res.end();
  } finally {
    res.off('close', stop);
  }
}

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
 * - A handler that throws answers `500` without details.
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
 */
export function toNodeListener(handler: (request: Request) => Response | Promise<Response>): NodeListener {
  return (req, res) => {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    void (async () => {
      try {
        const response = await handler(toRequest(req, abort.signal));
        await writeResponse(response, res);
      } catch {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred.' } }));
        } else {
          res.destroy();
        }
      }
    })();
  };
}
