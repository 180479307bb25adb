/**
 * A Hono app that mounts incidentkit's HTTP handler: a REST API for people and a webhook that
 * Alertmanager posts to.
 *
 * - Node: `npx tsx examples/hono-server.ts` serves it on http://127.0.0.1:3000 (`PORT` to change)
 *   through `toNodeListener`, with nothing but `node:http`.
 * - Bun (`bun run examples/hono-server.ts`), Deno (`deno serve examples/hono-server.ts`) and
 *   Cloudflare Workers serve the default export (`app`, which has `fetch`).
 *
 * Then try:
 *
 *   curl -s -X POST http://127.0.0.1:3000/api/incidentkit/ingest/alertmanager \
 *     -H 'authorization: Bearer demo-alertmanager-token' -H 'content-type: application/json' \
 *     -d '{"version":"4","status":"firing","receiver":"incidentkit","alerts":[{"status":"firing",
 *          "labels":{"alertname":"InstanceDown","instance":"web-1","service":"checkout","severity":"critical"},
 *          "annotations":{"summary":"web-1 is down"},"startsAt":"2026-01-01T00:00:00Z","fingerprint":"web-1-down"}]}'
 *   curl -s http://127.0.0.1:3000/api/incidentkit/incidents?open=true -H 'authorization: Bearer demo-alice-token'
 */
import { Hono } from 'hono';
import { createIncidentEngine, memoryStore } from 'incidentkit';
import { bearerAuth, createIncidentHandler, toNodeListener } from 'incidentkit/http';
import { parseAlertmanager } from 'incidentkit/ingest';

/** Reads an environment variable where the runtime has `process` (Node, Bun, Deno), else the fallback. */
function env(name: string, fallback: string): string {
  return (typeof process === 'undefined' ? undefined : process.env[name]) ?? fallback;
}

export const engine = createIncidentEngine({ store: memoryStore() });

// Stand-in for your session store or identity provider: bearer token → the person calling.
const PEOPLE: Readonly<Record<string, { readonly id: string; readonly name: string }>> = {
  'demo-alice-token': { id: 'u_alice', name: 'Alice' },
};

const incidents = createIncidentHandler(engine, {
  basePath: '/api/incidentkit',
  sources: {
    // Alertmanager: `http_config: { authorization: { credentials: <token> } }` in its webhook_config.
    alertmanager: { parser: parseAlertmanager, verify: bearerAuth(env('ALERTMANAGER_TOKEN', 'demo-alertmanager-token')) },
  },
  authenticate: (request) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
    return token === undefined ? null : (PEOPLE[token] ?? null);
  },
});

export const app = new Hono();
app.get('/', (c) => c.text('incidentkit on Hono: see /api/incidentkit/incidents'));
// Hono hands over the Web-standard Request untouched; the handler routes under its basePath.
app.all('/api/incidentkit/*', (c) => incidents(c.req.raw));

export default app;

// Started directly with Node (`npx tsx examples/hono-server.ts`)? Serve the app with node:http.
const startedByNode =
  typeof process !== 'undefined' &&
  process.release.name === 'node' &&
  !('Bun' in globalThis) &&
  !('Deno' in globalThis) &&
  process.argv[1] !== undefined &&
  (await import('node:url')).fileURLToPath(import.meta.url) === (await import('node:path')).resolve(process.argv[1]);

if (startedByNode) {
  const { createServer } = await import('node:http');
  const server = createServer(toNodeListener(app.fetch));
  server.listen(Number(env('PORT', '3000')), '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    console.log(`incidentkit listening on http://127.0.0.1:${String(port)}`);
  });
}
