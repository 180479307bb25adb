/**
 * Clients that go away or dawdle, over real sockets on 127.0.0.1: a client that disconnects
 * mid-body is a client abort (`400` `REQUEST_ABORTED`, no `onError`), and `createNodeServer`
 * answers `408` to one that sends its headers or body too slowly.
 */
import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIncidentHandler, type RefusedIngest } from '../../src/http/createIncidentHandler.js';
import type { ErrorBody } from '../../src/http/errorResponse.js';
import { createNodeServer } from '../../src/http/toNodeListener.js';
import { bearerAuth } from '../../src/http/verifiers.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { fixtureText } from '../fixtures/ingest/loadFixture.js';
import { makeEngine } from '../helpers.js';
import { startServer, type TestServer } from './server.js';

const ALERTMANAGER = fixtureText('alertmanager-webhook-v4.json');
const TOKEN = 'am-token-7f3c';

let server: TestServer | undefined;
let nodeServer: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
  if (nodeServer !== undefined) {
    const closing = nodeServer;
    nodeServer = undefined;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => {
      resolve();
    }));
  }
});

/** A promise and the function that settles it. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * The handler of an engine with one bearer-guarded Alertmanager source and REST routes, wrapped so
 * the test sees when a request reached it and what it answered, even when nobody can read it.
 */
function observedHandler() {
  const { engine } = makeEngine();
  const errors: unknown[] = [];
  const refused: RefusedIngest[] = [];
  const inner = createIncidentHandler(engine, {
    sources: { am: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } },
    authenticate: () => ({ id: 'u_alice' }),
    onError: (error) => errors.push(error),
    onRefused: (info) => refused.push(info),
  });
  const started = signal();
  const answered = signal<Response>();
  const calls = { count: 0 };
  const handler = async (request: Request): Promise<Response> => {
    calls.count += 1;
    started.resolve();
    const response = await inner(request);
    // A copy: the original's body is written to the socket, when there is still one.
    answered.resolve(response.clone());
    return response;
  };
  return { engine, errors, refused, calls, started: started.promise, answered: answered.promise, handler };
}

/** Opens a raw TCP connection and collects what the server sends until it closes. */
async function rawConnection(url: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const closed = new Promise<string>((resolve) => {
    socket.on('error', () => undefined);
    socket.once('close', () => {
      resolve(received);
    });
  });
  return { socket, closed };
}

function requestHead(path: string, headers: Record<string, string>, contentLength: number): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Length: ${String(contentLength)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as ErrorBody).error.code;
}

describe('a client that disconnects mid-body', () => {
  it('is a client abort on /ingest: 400 REQUEST_ABORTED, onRefused told, onError not, nothing ingested', async () => {
    const observed = observedHandler();
    server = await startServer(observed.handler);
    const { socket, closed } = await rawConnection(server.url);

    const half = ALERTMANAGER.slice(0, Math.floor(ALERTMANAGER.length / 2));
    socket.write(requestHead('/ingest/am', { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, Buffer.byteLength(ALERTMANAGER)) + half);
    await observed.started;
    socket.destroy();
    await closed;

    const response = await observed.answered;
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('REQUEST_ABORTED');
    expect(observed.errors).toEqual([]);
    expect(observed.refused.map(({ source, status, code }) => ({ source, status, code }))).toEqual([
      { source: 'am', status: 400, code: 'REQUEST_ABORTED' },
    ]);
    expect((await observed.engine.list()).items).toEqual([]);

    // The server keeps serving.
    const next = await fetch(`${server.url}/ingest/am`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: ALERTMANAGER,
    });
    expect(next.status).toBe(200);
  });

  it('is a client abort on a REST route too: 400 REQUEST_ABORTED, no onError, nothing declared', async () => {
    const observed = observedHandler();
    server = await startServer(observed.handler);
    const { socket, closed } = await rawConnection(server.url);

    const body = JSON.stringify({ title: 'Checkout is down', severity: 'SEV2', summary: 'x'.repeat(20_000) });
    socket.write(requestHead('/incidents', { 'content-type': 'application/json' }, Buffer.byteLength(body)) + body.slice(0, 10_000));
    await observed.started;
    socket.destroy();
    await closed;

    const response = await observed.answered;
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('REQUEST_ABORTED');
    expect(observed.errors).toEqual([]);
    expect(observed.refused).toEqual([]);
    expect((await observed.engine.list()).items).toEqual([]);
  });
});

describe('createNodeServer bounds slow clients', () => {
  async function listen(handler: (request: Request) => Promise<Response>, options: Parameters<typeof createNodeServer>[1]): Promise<string> {
    const created = createNodeServer(handler, options);
    nodeServer = created;
    await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((created.address() as AddressInfo).port)}`;
  }

  it('answers 408 and disconnects a client that stalls mid-body past requestTimeout; the handler sees a client abort', async () => {
    const observed = observedHandler();
    const url = await listen(observed.handler, { headersTimeout: 100, requestTimeout: 250 });
    const { socket, closed } = await rawConnection(url);

    socket.write(requestHead('/ingest/am', { authorization: `Bearer ${TOKEN}` }, Buffer.byteLength(ALERTMANAGER)) + ALERTMANAGER.slice(0, 100));
    await observed.started;
    // Send nothing more: the server must end it.
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);

    const response = await observed.answered;
    expect(await errorCode(response)).toBe('REQUEST_ABORTED');
    expect(observed.errors).toEqual([]);
    expect((await observed.engine.list()).items).toEqual([]);
  });

  it('answers 408 to a client that stalls in its headers past headersTimeout, before the handler runs', async () => {
    const observed = observedHandler();
    const url = await listen(observed.handler, { headersTimeout: 100, requestTimeout: 10_000 });
    const { socket, closed } = await rawConnection(url);

    socket.write('POST /ingest/am HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bear');
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    expect(observed.calls.count).toBe(0);
    expect(observed.errors).toEqual([]);
  });

  it('serves requests that arrive in time, with the default timeouts', async () => {
    const observed = observedHandler();
    const url = await listen(observed.handler, undefined);
    expect(nodeServer?.headersTimeout).toBe(10_000);
    expect(nodeServer?.requestTimeout).toBe(30_000);
    const response = await fetch(`${url}/ingest/am`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: ALERTMANAGER });
    expect(response.status).toBe(200);
  });
});
