/**
 * examples/hono-server.ts: its Hono app answers through app.request (as Bun, Deno and Workers
 * call it), and `npx tsx examples/hono-server.ts` really serves it over node:http.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { app } from '../../examples/hono-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALERT = JSON.stringify({
  version: '4',
  status: 'firing',
  receiver: 'incidentkit',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'InstanceDown', instance: 'web-1', service: 'checkout', severity: 'critical' },
      annotations: { summary: 'web-1 is down' },
      startsAt: '2026-01-01T00:00:00Z',
      fingerprint: 'web-1-down',
    },
  ],
});

describe('examples/hono-server.ts', () => {
  it('mounts the handler in a Hono app', async () => {
    const ingest = await app.request('/api/incidentkit/ingest/alertmanager', {
      method: 'POST',
      headers: { authorization: 'Bearer demo-alertmanager-token', 'content-type': 'application/json' },
      body: ALERT,
    });
    expect(ingest.status).toBe(200);
    const list = await app.request('/api/incidentkit/incidents?open=true', { headers: { authorization: 'Bearer demo-alice-token' } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { title: string }[] }).items.map((i) => i.title)).toEqual(['web-1 is down']);
    expect((await app.request('/api/incidentkit/incidents')).status).toBe(401);
    expect((await app.request('/')).status).toBe(200);
  });

  it('serves over node:http when run with tsx', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/hono-server.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code) => {
          reject(new Error(`the example exited with ${String(code)}: ${output}`));
        });
      });
      const response = await fetch(`${url}/api/incidentkit/incidents`, { headers: { authorization: 'Bearer demo-alice-token' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ items: [] });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
