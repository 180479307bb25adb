/**
 * Write your own notifier: a channel incidentkit does not ship (here, a pager gateway that
 * takes form posts), in a few lines with `defineNotifier`. Failures are `NotifierError`s with
 * `retryable` set, so the dispatcher retries with backoff or dead-letters; every attempt
 * carries the same idempotency key, which the gateway uses to drop duplicates.
 *
 * Run it with `npx tsx examples/custom-notifier.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIncidentEngine, defineNotifier, memoryStore, NotifierError } from 'incidentkit';

// A stand-in pager gateway on 127.0.0.1 that fails its first request with 503.
const pages: string[] = [];
let requests = 0;
const gateway = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    requests += 1;
    if (requests === 1) {
      res.writeHead(503, { 'retry-after': '0' }).end('busy');
      return;
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    pages.push(`${form.get('key') ?? ''} → ${form.get('text') ?? ''}`);
    res.writeHead(200).end('queued');
  });
});
await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
const gatewayUrl = `http://127.0.0.1:${String((gateway.address() as AddressInfo).port)}/page`;

const pager = defineNotifier({
  name: 'pager',
  async send(message, context) {
    let response: Response;
    try {
      response = await fetch(gatewayUrl, {
        method: 'POST',
        body: new URLSearchParams({ key: message.idempotencyKey, text: `[${message.severity}] ${message.title}` }),
        signal: context.signal,
      });
    } catch (error) {
      throw new NotifierError({ notifier: 'pager', retryable: true }, 'the pager gateway did not answer.', error);
    }
    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new NotifierError({ notifier: 'pager', retryable, status: response.status }, `the gateway answered ${String(response.status)}.`);
    }
  },
});

const engine = createIncidentEngine({
  store: memoryStore(),
  notifiers: { pager },
  routes: [{ events: ['DECLARED', 'ESCALATED'], severities: ['SEV1', 'SEV2'], to: ['pager'] }],
  delivery: { maxAttempts: 3, backoff: { baseMs: 0, maxMs: 0 } },
});
engine.on('notification.failed', (info) => {
  console.log(`attempt ${String(info.attempt)} failed (${info.error.message}); retrying`);
});
engine.on('notification.delivered', (info) => {
  console.log(`delivered on attempt ${String(info.attempt)} with key ${info.idempotencyKey}`);
});

await engine.declare({ title: 'Payment API down', severity: 'SEV1', service: 'payments', actor: { id: 'u_sam' } });
await engine.declare({ title: 'Typo on the pricing page', severity: 'SEV4', actor: { id: 'u_sam' } }); // not routed
await engine.dispatch(); // first attempt: 503
await engine.dispatch(); // retry: delivered
console.log('pages:', pages);
gateway.close();
