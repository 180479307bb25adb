/** toNodeListener: Node requests become Fetch Requests and Fetch Responses go back, over real sockets. */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeServer, toNodeListener } from '../../src/http/toNodeListener.js';
import { thrown } from '../helpers.js';
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
