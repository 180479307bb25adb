/**
 * Runs a Fetch-style handler behind a real `node:http` server on 127.0.0.1 (via
 * `toNodeListener`), as hosts do, for the HTTP integration tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener } from '../../src/http/toNodeListener.js';

/** A started server: its base URL and how to stop it. */
export interface TestServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `handler` on an ephemeral port of 127.0.0.1. */
export async function startServer(handler: (request: Request) => Promise<Response>): Promise<TestServer> {
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
      }),
  };
}
