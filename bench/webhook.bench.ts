/**
 * Webhook dispatch throughput: the dispatcher draining a memory-store outbox through
 * `webhookNotifier` (Standard Webhooks signing, per-attempt timeout, lease bookkeeping) to a
 * local receiver, next to raw `fetch` POSTs of the same bodies at the same concurrency, in the
 * same run. The receiver runs in a worker thread so it does not share the sender's event loop.
 *
 * Run: `npx tsx bench/webhook.bench.ts` (or `npm run bench -- webhook`). Goal: ≥ 1 000 deliveries/s.
 */
import { Worker } from 'node:worker_threads';
import { createIncidentEngine } from '../src/createIncidentEngine.js';
import { systemClock } from '../src/kernel/clock.js';
import { createDispatcher } from '../src/features/notifications/dispatcher.js';
import { compileRoutes, routeNotifications } from '../src/features/notifications/routing.js';
import { generateWebhookSecret } from '../src/channels/standardWebhooks.js';
import { webhookNotifier, webhookPayload } from '../src/channels/webhook.js';
import { defineNotifier, type NotificationMessage } from '../src/model/notification.js';
import { memoryStore } from '../src/storage/memory.js';
import type { StorageAdapter } from '../src/storage/types.js';
import { sequentialIds } from '../src/testing/sequentialIds.js';
import { printEnvironment, printTable, type Row } from './report.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2_000);
const ROUNDS = 3;

/** Starts an HTTP receiver answering 204 in a worker thread; resolves with its origin. */
async function startReceiver(): Promise<{ origin: string; stop: () => Promise<number> }> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const { createServer } = require('node:http');
    let count = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => { count += 1; res.writeHead(204).end(); });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
    parentPort.on('message', () => { server.closeAllConnections(); server.close(() => parentPort.postMessage(count)); });
  `;
  const worker = new Worker(source, { eval: true });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  return {
    origin: `http://127.0.0.1:${String(port)}`,
    stop: async () => {
      const received = new Promise<number>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const count = await received;
      await worker.terminate();
      return count;
    },
  };
}

/** A store holding `count` due webhook messages about one real incident. */
async function seededStore(count: number): Promise<{ store: StorageAdapter; bodies: string[] }> {
  const store = memoryStore();
  const engine = createIncidentEngine({ store, ids: sequentialIds(), onHandlerError: () => undefined });
  const incident = await engine.declare({
    title: 'Checkout API returns 502 errors',
    severity: 'SEV1',
    service: 'checkout-api',
    summary: 'About 30 % of card payments fail.',
    actor: { id: 'u_bench', name: 'Bench' },
  });
  const [declared] = await engine.timeline(incident.id);
  if (declared === undefined) throw new Error('no DECLARED event');
  const events = Array.from({ length: count }, (_, i) => ({ ...declared, id: `evt_bench_${String(i)}` }));
  const outbox = routeNotifications(compileRoutes({ notifiers: ['hook'] }), {
    events,
    incident,
    ids: sequentialIds('bench_'),
    now: new Date(Date.now() - 1_000),
  });
  const stored = await store.load(incident.tenantId, incident.id);
  if (stored === undefined) throw new Error('incident not stored');
  await store.commit({
    tenantId: incident.tenantId,
    incidentId: incident.id,
    expectedVersion: stored.incident.version,
    events: [],
    incident: stored.incident,
    snapshot: stored.snapshot,
    outbox,
  });
  const bodies = outbox.map((record) => JSON.stringify(webhookPayload(record.payload as unknown as NotificationMessage)));
  return { store, bodies };
}

/** One timed run: deliveries per second, and process CPU µs per delivery (sender and receiver thread). */
interface Sample {
  readonly perSecond: number;
  readonly cpuMicros: number;
}

function sample(count: number, started: number, cpu: NodeJS.CpuUsage): Sample {
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { perSecond: (count / elapsed) * 1000, cpuMicros: (used.user + used.system) / count };
}

/** Raw fetch POSTs of `bodies` with `concurrency` in flight: the baseline. */
async function rawFetch(url: string, bodies: readonly string[], concurrency: number): Promise<Sample> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next] ?? '';
        next += 1;
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`receiver answered ${String(response.status)}`);
      }
    }),
  );
  return sample(bodies.length, started, cpu);
}

/** The dispatcher draining the outbox through webhookNotifier. */
async function dispatch(url: string | undefined, count: number, concurrency: number, secret: string | undefined): Promise<Sample> {
  const { store } = await seededStore(count);
  // Without a URL: a notifier that accepts at once, to show the dispatcher's own cost.
  const hook =
    url === undefined
      ? defineNotifier({ name: 'noop', send: () => Promise.resolve() })
      : webhookNotifier(secret === undefined ? { url } : { url, secret });
  const dispatcher = createDispatcher({
    store,
    tenantId: 'default',
    notifiers: { hook },
    clock: systemClock,
    delivery: { concurrency, batchSize: 200, timeoutMs: 10_000 },
  });
  let delivered = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (;;) {
    const stats = await dispatcher.dispatchOnce();
    if (stats.claimed === 0) break;
    if (stats.delivered !== stats.claimed) throw new Error(`only ${String(stats.delivered)} of ${String(stats.claimed)} delivered`);
    delivered += stats.delivered;
  }
  const result = sample(delivered, started, cpu);
  if (delivered !== count) throw new Error(`delivered ${String(delivered)} of ${String(count)}`);
  return result;
}

/** The median of `ROUNDS` runs of `run` (by throughput), as a table row. */
async function measure(name: string, run: () => Promise<Sample>, note = ''): Promise<Row> {
  const samples: Sample[] = [];
  for (let i = 0; i < ROUNDS; i += 1) samples.push(await run());
  samples.sort((a, b) => a.perSecond - b.perSecond);
  const mid = samples[Math.floor(samples.length / 2)];
  return {
    name,
    opsPerSecond: mid?.perSecond ?? Number.NaN,
    note: `${(mid?.cpuMicros ?? Number.NaN).toFixed(0)} µs CPU/delivery${note === '' ? '' : `; ${note}`}`,
  };
}

const receiver = await startReceiver();
const url = `${receiver.origin}/hooks`;
const secret = generateWebhookSecret();
const { bodies } = await seededStore(MESSAGES);

// Warm up the HTTP client, the JIT and Web Crypto.
await rawFetch(url, bodies.slice(0, 500), 8);
await dispatch(url, 500, 8, secret);

const rows: Row[] = [];
for (const concurrency of [8, 32]) {
  rows.push(await measure(`raw fetch, concurrency ${String(concurrency)} (baseline)`, () => rawFetch(url, bodies, concurrency)));
  rows.push(
    await measure(
      `dispatcher + webhookNotifier signed, concurrency ${String(concurrency)}`,
      () => dispatch(url, MESSAGES, concurrency, secret),
      'memory store, Standard Webhooks HMAC',
    ),
  );
  rows.push(
    await measure(
      `dispatcher + webhookNotifier unsigned, concurrency ${String(concurrency)}`,
      () => dispatch(url, MESSAGES, concurrency, undefined),
      'memory store',
    ),
  );
}
rows.push(
  await measure('dispatcher + no-op notifier, concurrency 8', () => dispatch(undefined, MESSAGES, 8, undefined), 'no network: claim, parse, complete'),
);
const received = await receiver.stop();

printEnvironment();
console.log(`${String(MESSAGES)} deliveries per run, median of ${String(ROUNDS)} runs; the receiver got ${String(received)} requests in all.\n`);
printTable(rows, 'raw fetch, concurrency 8 (baseline)');
const signed8 = rows.find((row) => row.name.startsWith('dispatcher + webhookNotifier signed, concurrency 8'))?.opsPerSecond ?? 0;
console.log(`\nGoal ≥ 1 000 deliveries/s (signed, concurrency 8): ${signed8 >= 1_000 ? 'met' : 'NOT met'} (${Math.round(signed8).toLocaleString('en-US')}/s).`);
