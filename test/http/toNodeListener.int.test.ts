/** toNodeListener: Node requests become Fetch Requests and Fetch Responses go back, over real sockets. */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIncidentHandler } from '../../src/http/createIncidentHandler.js';
import { createNodeServer, toNodeListener } from '../../src/http/toNodeListener.js';
import { makeEngine, thrown } from '../helpers.js';
import { startServer, type TestServer } from './server.js';

let server: TestServer | undefined;
let raw: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  raw?.closeAllConnections();
  await new Promise<void>((resolve) => {
    if (raw === undefined) resolve();
    else raw.close(() => {
      resolve();
    });
  });
  raw = undefined;
});

describe('toNodeListener', () => {
  it('passes method, URL, headers and a streamed body, and returns status, headers and body', async () => {
    let seen: { method: string; url: string; header: string | null; body: string } | undefined;
    server = await startServer(async (request) => {
      seen = { method: request.method, url: request.url, header: request.headers.get('x-trace'), body: await request.text() };
      const headers = new Headers({ 'content-type': 'text/plain', 'x-answer': '42' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response('created', { status: 201, statusText: 'Created', headers });
    });

    const response = await fetch(`${server.url}//double/slash?q=1&q=2`, { method: 'PUT', headers: { 'x-trace': 't-1' }, body: 'é'.repeat(100_000) });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-answer')).toBe('42');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('created');
    expect(seen).toEqual({
      method: 'PUT',
      url: `${server.url}//double/slash?q=1&q=2`,
      header: 't-1',
      body: 'é'.repeat(100_000),
    });
  });

  it('streams a response body as the handler produces it', async () => {
    server = await startServer(() => {
      let n = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          n += 1;
          if (n > 50) controller.close();
          else controller.enqueue(new TextEncoder().encode(`${'x'.repeat(1023)}\n`));
        },
      });
      return Promise.resolve(new Response(body, { headers: { 'content-type': 'text/plain' } }));
    });
    const response = await fetch(server.url);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect((await response.text()).length).toBe(50 * 1024);
  });

  it('answers 500 without details when the handler throws', async () => {
    server = await startServer(() => Promise.reject(new Error('boom at /srv/secret.ts')));
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
  });

  it('aborts the request signal when the client goes away', async () => {
    let aborted: () => void = () => undefined;
    const sawAbort = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    server = await startServer(
      (request) =>
        new Promise<Response>((resolve) => {
          request.signal.addEventListener('abort', () => {
            aborted();
            resolve(new Response(null, { status: 499 }));
          });
          started();
        }),
    );
    const controller = new AbortController();
    const pending = fetch(server.url, { signal: controller.signal }).catch((error: unknown) => error);
    await handlerStarted;
    controller.abort();
    await sawAbort;
    expect(await pending).toBeInstanceOf(Error);
  });

  it('uses the body and the full URL Express leaves (express.raw(), app.use mount paths)', async () => {
    let body = '';
    let path = '';
    const listener = toNodeListener(async (request) => {
      body = await request.text();
      path = new URL(request.url).pathname;
      return new Response(null, { status: 204 });
    });
    // What Express does before calling a middleware mounted with app.use('/api', …) after express.raw().
    raw = createServer((req: IncomingMessage & { body?: Buffer; originalUrl?: string }, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        req.body = Buffer.concat(chunks);
        req.originalUrl = req.url ?? '/';
        req.url = (req.url ?? '').slice('/api'.length);
        listener(req, res);
      });
    });
    await new Promise<void>((resolve) => raw?.listen(0, '127.0.0.1', resolve));
    const { port } = raw.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${String(port)}/api/hooks`, { method: 'POST', body: '{"signed":true}' });
    expect(response.status).toBe(204);
    expect(body).toBe('{"signed":true}');
    expect(path).toBe('/api/hooks');
  });

  it('sends no body for HEAD', async () => {
    server = await startServer(() => Promise.resolve(new Response('hello', { headers: { 'content-type': 'text/plain' } })));
    const { hostname, port } = new URL(server.url);
    const result = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, method: 'HEAD', path: '/' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode, body: text });
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(result).toEqual({ status: 200, body: '' });
  });
});

/** A raw HTTP/1.1 client connection: what it wrote, what it received, and how it ended. */
interface RawClient {
  readonly socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves once the received text satisfies `done`; rejects when the connection ends first. */
  until(done: (text: string) => boolean): Promise<string>;
  /** Writes `data` in `parts` pieces, each after the previous one was handed to the kernel; resolves to the first write error. */
  writeInParts(data: string, parts: number): Promise<Error | undefined>;
  /** Resolves when the connection has closed, with the socket error if there was one. */
  readonly closed: Promise<Error | undefined>;
}

/** Opens a connection that keeps sending after the server half-closes, as an HTTP client still uploading a body does. */
async function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  let error: Error | undefined;
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const wake of waiters) wake();
  });
  socket.on('error', (e) => (error ??= e));
  const closed = new Promise<Error | undefined>((resolve) =>
    socket.once('close', () => {
      for (const wake of waiters) wake();
      resolve(error);
    }),
  );
  return {
    socket,
    received: () => text,
    until: (done) =>
      new Promise<string>((resolve, reject) => {
        const check = (): void => {
          if (done(text)) {
            waiters.delete(check);
            resolve(text);
          } else if (socket.closed) {
            waiters.delete(check);
            reject(new Error(`The connection ended (${error?.message ?? 'no error'}) after receiving: ${JSON.stringify(text.slice(0, 400))}`));
          }
        };
        waiters.add(check);
        check();
      }),
    async writeInParts(data, parts) {
      const size = Math.ceil(data.length / parts);
      for (let at = 0; at < data.length; at += size) {
        const failed = await new Promise<Error | undefined>((resolve) => {
          socket.write(data.slice(at, at + size), (e) => {
            resolve(e ?? undefined);
          });
        });
        if (failed !== undefined) return failed;
      }
      return undefined;
    },
    closed,
  };
}

/** Whether `text` holds `count` complete responses with chunked or empty bodies. */
const responsesIn = (text: string): number => text.split(/\r\n0\r\n\r\n|content-length: 0\r\n(?:[^\r]*\r\n)*\r\n/i).length - 1;

describe('toNodeListener answering before the request body is read', () => {
  const MAX_BODY = 64 * 1024;
  /** Far more than Node and the request stream buffer, so the rest of it waits in the socket. */
  const LARGE = 1024 * 1024;
  const handlerOf = () =>
    createIncidentHandler(makeEngine().engine, { basePath: '/api', maxBodyBytes: MAX_BODY, authenticate: () => ({ id: 'u_alice' }) });

  it('reads the rest of an unread body, so the kept-alive connection answers the next request', async () => {
    server = await startServer(handlerOf());
    const client = await rawClient(server.url);
    // A malformed path is answered 400 before the handler looks at the body.
    client.socket.write(`POST /api/%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${String(LARGE)}\r\n\r\n`);
    expect(await client.writeInParts('x'.repeat(LARGE), 16)).toBeUndefined();
    client.socket.write('GET /api/no-such-route HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const text = await client.until((received) => responsesIn(received) === 2);
    expect(text.match(/^HTTP\/1\.1 \d{3}/gm)).toEqual(['HTTP/1.1 400', 'HTTP/1.1 404']);
    expect(text).toContain('"code":"VALIDATION_FAILED"');
    expect(text).toContain('"code":"ROUTE_NOT_FOUND"');
    client.socket.destroy();
  });

  it('answers 413 to a body declared too large, and closes the connection only after the client sent it, without a reset', async () => {
    server = await startServer(handlerOf());
    const client = await rawClient(server.url);
    const body = `{"text":"${'x'.repeat(LARGE)}"}`;
    client.socket.write(`POST /api/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${String(body.length)}\r\n\r\n`);
    // The status line arrives while the client is still sending its body, which it goes on sending.
    await client.until((received) => received.startsWith('HTTP/1.1 413'));
    expect(await client.writeInParts(body, 16)).toBeUndefined();
    await client.until((received) => responsesIn(received) === 1);
    client.socket.end();
    expect(await client.closed).toBeUndefined();
    expect(responsesIn(client.received())).toBe(1);
    expect(client.received()).toMatch(/^connection: close\r$/im);
    expect(client.received()).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });

  it('answers 413 to an undeclared (chunked) body once it passes the limit, without a reset', async () => {
    server = await startServer(handlerOf());
    const client = await rawClient(server.url);
    client.socket.write('POST /api/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = `${(16 * 1024).toString(16)}\r\n${'x'.repeat(16 * 1024)}\r\n`;
    // Past the limit: the handler stops reading and answers.
    expect(await client.writeInParts(chunk.repeat(8), 8)).toBeUndefined();
    await client.until((received) => received.startsWith('HTTP/1.1 413'));
    expect(await client.writeInParts(chunk.repeat(48), 16)).toBeUndefined();
    expect(await client.writeInParts('0\r\n\r\n', 1)).toBeUndefined();
    await client.until((received) => responsesIn(received) === 1);
    client.socket.end();
    expect(await client.closed).toBeUndefined();
    expect(responsesIn(client.received())).toBe(1);
    expect(client.received()).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });
});

describe('configuration of toNodeListener and createNodeServer', () => {
  const handler = (): Promise<Response> => Promise.resolve(new Response(null, { status: 204 }));
  /** Calls a factory with a value of the wrong type, as plain JavaScript callers can. */
  const loose = (value: unknown): never => value as never;
  const issuesOf = (make: () => unknown): { paths: string[]; message: string } => {
    const error = thrown(make, 'CONFIG_INVALID');
    return { paths: error.details.issues.map((issue) => issue.path.map(String).join('.')), message: error.message };
  };

  it('toNodeListener names handler in a ConfigError when it is not a function', () => {
    const missing = issuesOf(() => toNodeListener(loose(undefined)));
    expect(missing.paths).toEqual(['handler']);
    expect(missing.message).toMatch(/^Invalid configuration for toNodeListener: handler: Must be a function/);
    expect(issuesOf(() => toNodeListener(loose({ fetch: handler }))).paths).toEqual(['handler']);
  });

  it('createNodeServer validates the handler and each timeout, naming the option', () => {
    expect(issuesOf(() => createNodeServer(loose(null))).paths).toEqual(['handler']);
    for (const [options, path] of [
      [{ headersTimeout: 0 }, 'options.headersTimeout'],
      [{ requestTimeout: -1 }, 'options.requestTimeout'],
      [{ requestTimeout: 1.5 }, 'options.requestTimeout'],
      [{ headersTimeout: '10s' }, 'options.headersTimeout'],
      [{ headersTimeout: Number.POSITIVE_INFINITY }, 'options.headersTimeout'],
      [{ requestTimeout: 2 ** 31 }, 'options.requestTimeout'],
      // Node refuses a headersTimeout above requestTimeout; so do the defaults' bounds.
      [{ headersTimeout: 5_000, requestTimeout: 1_000 }, 'options.headersTimeout'],
      [{ headersTimeout: 60_000 }, 'options.headersTimeout'],
      [{ requestTimeout: 5_000 }, 'options.headersTimeout'],
    ] as const) {
      expect(issuesOf(() => createNodeServer(handler, loose(options))).paths, JSON.stringify(options)).toEqual([path]);
    }
    expect(issuesOf(() => createNodeServer(handler, loose({ timeout: 1_000 }))).message).toContain('timeout');
    expect(issuesOf(() => createNodeServer(handler, loose(null))).paths).toEqual(['options']);
  });

  it('createNodeServer sets the timeouts it is given', () => {
    const created = createNodeServer(handler, { headersTimeout: 5_000, requestTimeout: 20_000 });
    expect([created.headersTimeout, created.requestTimeout]).toEqual([5_000, 20_000]);
    expect(created.listening).toBe(false);
  });
});
