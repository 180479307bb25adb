/**
 * The handler is a plain `(Request) => Promise<Response>`: these tests call it directly, with no
 * server, as Hono, Next.js, Bun, Deno and Workers do, and check that its module graph uses no
 * Node built-in.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createIncidentHandler } from '../../src/http/createIncidentHandler.js';
import { standardWebhooksAuth } from '../../src/http/verifiers.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import type { Incident } from '../../src/model/incident.js';
import { signWebhook } from '../../src/channels/standardWebhooks.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { fixtureText } from '../fixtures/ingest/loadFixture.js';
import { makeEngine } from '../helpers.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The relative modules `file` imports at run time (type-only imports are erased). */
function runtimeImports(file: URL): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
    if (match[1] !== undefined) specifiers.push(match[1]);
  }
  return specifiers;
}

describe('runtime neutrality', () => {
  it('pulls in no Node built-in through createIncidentHandler or the verifiers', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: URL): void => {
      if (seen.has(file.href)) return;
      seen.add(file.href);
      for (const specifier of runtimeImports(file)) {
        if (specifier.startsWith('.')) visit(new URL(specifier.replace(/\.js$/, '.ts'), file));
        else external.add(specifier);
      }
    };
    visit(new URL('../../src/http/createIncidentHandler.ts', import.meta.url));
    visit(new URL('../../src/http/verifiers.ts', import.meta.url));

    expect(seen.size).toBeGreaterThan(5);
    const node = [...external].filter((s) => s.startsWith('node:') || builtinModules.includes(s));
    expect(node).toEqual([]);
    expect([...external].sort()).toEqual(['zod']);
  });

  it('serves REST calls from Request objects, with no server', async () => {
    const { engine } = makeEngine();
    const handler = createIncidentHandler(engine, { authenticate: () => ({ id: 'u_alice', name: 'Alice' }) });

    const created = await handler(
      new Request('https://incidents.example.com/incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Checkout is down', severity: 'SEV2' }),
      }),
    );
    expect(created.status).toBe(201);
    const incident = (await created.json()) as Incident;

    const acked = await handler(
      new Request(`https://incidents.example.com/incidents/${incident.id}/acknowledge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(acked.status).toBe(200);
    expect(((await acked.json()) as Incident).status).toBe('responding');
  });

  it('verifies and ingests a signed webhook from a Request object', async () => {
    const { engine } = makeEngine();
    const clock = createManualClock('2026-03-01T12:00:00Z');
    const handler = createIncidentHandler(engine, {
      sources: { relay: { parser: parseAlertmanager, verify: standardWebhooksAuth(SECRET, { clock }) } },
    });
    const body = fixtureText('alertmanager-webhook-v4.json');
    const headers = await signWebhook({ secret: SECRET, id: 'msg_1', timestamp: clock.now(), body });
    const response = await handler(new Request('https://incidents.example.com/ingest/relay', { method: 'POST', headers: { ...headers }, body }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { results: { outcome: string }[] }).results.map((r) => r.outcome)).toEqual(['created', 'ignored']);
  });

  it('stops reading a streamed body at maxBodyBytes even when Content-Length claims it is small', async () => {
    const { engine } = makeEngine();
    const handler = createIncidentHandler(engine, {
      sources: { am: { parser: parseAlertmanager, verify: () => true } },
      maxBodyBytes: 100_000,
    });
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let pulled = 0;
    let canceled = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += 1;
          if (pulled > 1_000) controller.close();
          else controller.enqueue(chunk);
        },
        cancel() {
          canceled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request('https://incidents.example.com/ingest/am', {
      method: 'POST',
      headers: { 'content-length': '10' },
      body,
      duplex: 'half',
    } as RequestInit);

    const response = await handler(request);
    expect(response.status).toBe(413);
    expect(canceled).toBe(true);
    // 100 000 bytes need two 64 KiB chunks: the handler never read the other 998.
    expect(pulled).toBeLessThanOrEqual(3);
    expect((await engine.list()).items).toEqual([]);
  });
});
