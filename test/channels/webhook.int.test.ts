import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { consoleNotifier } from '../../src/channels/console.js';
import { generateWebhookSecret, verifyWebhookSignature } from '../../src/channels/standardWebhooks.js';
import type { NotificationMessage, NotifierContext } from '../../src/model/notification.js';
import { parseRetryAfter, webhookIdFor, webhookNotifier, type WebhookPayload } from '../../src/channels/webhook.js';
import { sampleNotification } from '../../src/testing/notifierContract.js';
import { answerOk, closedPort, startHttpReceiver, type HttpReceiver } from '../fixtures/notify/httpReceiver.js';
import { thrown } from '../helpers.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');

function context(message: NotificationMessage, signal: AbortSignal = new AbortController().signal): NotifierContext {
  return { signal, attempt: 1, idempotencyKey: message.idempotencyKey, now: NOW };
}

let receiver: HttpReceiver;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.respond(answerOk);
});

describe('webhookNotifier', () => {
  it('POSTs the message as a Standard Webhooks payload that verifies with the secret', async () => {
    const secret = generateWebhookSecret();
    const notifier = webhookNotifier({ url: `${receiver.origin}/hooks/incidents`, secret, headers: { Authorization: 'Bearer abc' } });
    const message = sampleNotification('DECLARED', { notifier: 'ops' });
    await notifier.send(message, context(message));

    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/incidents');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer abc');
    expect(request?.headers['webhook-id']).toBe(message.idempotencyKey);
    expect(request?.headers['idempotency-key']).toBe(message.idempotencyKey);
    expect(request?.headers['webhook-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(await verifyWebhookSignature({ secret, headers: request?.headers ?? {}, body: request?.body ?? '', now: NOW })).toBe(true);
    expect(await verifyWebhookSignature({ secret: generateWebhookSecret(), headers: request?.headers ?? {}, body: request?.body ?? '', now: NOW })).toBe(false);

    const payload = JSON.parse(request?.body ?? '{}') as WebhookPayload;
    expect(payload.type).toBe('incident.declared');
    expect(payload.timestamp).toBe(message.event.at);
    expect(payload.data).toEqual(JSON.parse(JSON.stringify(message)));
  });

  it('sends unsigned requests without a secret, and never lets extra headers replace the webhook headers', async () => {
    const notifier = webhookNotifier({ url: receiver.origin, headers: { 'Webhook-Id': 'forged', 'webhook-signature': 'v1,forged' } });
    const message = sampleNotification('RESOLVED');
    await notifier.send(message, context(message));
    const [request] = receiver.requests;
    expect(request?.headers['webhook-id']).toBe(message.idempotencyKey);
    expect(request?.headers['webhook-signature']).toBeUndefined();
    expect(request?.headers['webhook-timestamp']).toBe(String(NOW.getTime() / 1000));
  });

  it('uses a reversible webhook-id without dots when the idempotency key has one', async () => {
    const notifier = webhookNotifier({ url: receiver.origin, secret: generateWebhookSecret() });
    const message = sampleNotification('DECLARED', { eventId: 'evt.2026.1' });
    await notifier.send(message, context(message));
    const id = receiver.requests[0]?.headers['webhook-id'];
    expect(id).toBe(webhookIdFor(message.idempotencyKey));
    expect(id).not.toContain('.');
    expect(decodeURIComponent(String(id))).toBe(message.idempotencyKey);
    expect(receiver.requests[0]?.headers['idempotency-key']).toBe(message.idempotencyKey);
  });

  it('accepts any 2xx answer', async () => {
    const notifier = webhookNotifier({ url: receiver.origin });
    for (const status of [200, 202, 204]) {
      receiver.respond((_req, res) => res.writeHead(status).end());
      const message = sampleNotification('ACKNOWLEDGED');
      await expect(notifier.send(message, context(message))).resolves.toBeUndefined();
    }
  });

  it('maps 5xx, 408 and 429 to retryable failures and honours Retry-After in seconds or as a date', async () => {
    const notifier = webhookNotifier({ url: receiver.origin });
    const message = sampleNotification('DECLARED');

    receiver.respond((_req, res) => res.writeHead(503, { 'retry-after': '120' }).end('maintenance'));
    const unavailable = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(unavailable.details).toMatchObject({ retryable: true, status: 503, retryAfterMs: 120_000 });
    expect(unavailable.message).toContain('HTTP 503 (maintenance)');

    receiver.respond((_req, res) => res.writeHead(429, { 'retry-after': new Date(NOW.getTime() + 90_000).toUTCString() }).end());
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).details).toMatchObject({ retryable: true, status: 429, retryAfterMs: 90_000 });

    receiver.respond((_req, res) => res.writeHead(500).end());
    const plain = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(plain.details.retryable).toBe(true);
    expect(plain.details.retryAfterMs).toBeUndefined();

    receiver.respond((_req, res) => res.writeHead(408).end());
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).retryable).toBe(true);
  });

  it('maps other 4xx and redirects to failures that are not retried, and does not follow redirects', async () => {
    const notifier = webhookNotifier({ url: receiver.origin });
    const message = sampleNotification('DECLARED');
    for (const status of [400, 401, 404, 410, 422]) {
      receiver.respond((_req, res) => res.writeHead(status).end());
      const error = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
      expect(error.details).toMatchObject({ retryable: false, status });
    }
    receiver.requests.length = 0;
    receiver.respond((_req, res) => res.writeHead(301, { location: `${receiver.origin}/elsewhere` }).end());
    const redirected = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(redirected.details).toMatchObject({ retryable: false, status: 301 });
    expect(redirected.message).toContain('redirects are not followed');
    expect(receiver.requests.map((r) => r.url)).toEqual(['/']);
  });

  it('maps a refused connection and an aborted attempt to retryable failures', async () => {
    const port = await closedPort();
    const down = webhookNotifier({ url: `http://127.0.0.1:${String(port)}/hooks` });
    const message = sampleNotification('DECLARED');
    const refused = await thrown(() => down.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(refused.retryable).toBe(true);
    expect(refused.message).toContain('the request failed');

    receiver.respond(() => undefined); // hangs
    const notifier = webhookNotifier({ url: receiver.origin });
    const controller = new AbortController();
    const sending = notifier.send(message, context(message, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const aborted = await thrown(() => sending, 'NOTIFIER_FAILED');
    expect(aborted.retryable).toBe(true);
    expect(aborted.message).toContain('timed out or was aborted');
  });

  it('refuses a relative URL or a secret that is not base64', () => {
    expect(isIncidentKitError(thrown(() => webhookNotifier({ url: '/hooks' })), 'CONFIG_INVALID')).toBe(true);
    expect(isIncidentKitError(thrown(() => webhookNotifier({ url: 'ftp://example.com/x' })), 'CONFIG_INVALID')).toBe(true);
    expect(isIncidentKitError(thrown(() => webhookNotifier({ url: receiver.origin, secret: 'whsec_??' })), 'CONFIG_INVALID')).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30_000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1_500);
    expect(parseRetryAfter('Mon, 02 Mar 2026 09:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Mon, 02 Mar 2026 08:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it('reads all three HTTP-date forms strictly, and never returns a number a Date cannot hold', () => {
    // RFC 9110 §5.6.7: IMF-fixdate, the obsolete RFC 850 form, and asctime().
    expect(parseRetryAfter('Mon, 02 Mar 2026 09:02:00 GMT', NOW)).toBe(120_000);
    expect(parseRetryAfter('Monday, 02-Mar-26 09:02:00 GMT', NOW)).toBe(120_000);
    expect(parseRetryAfter('Mon Mar  2 09:02:00 2026', NOW)).toBe(120_000);
    expect(parseRetryAfter('  120  ', NOW)).toBe(120_000);
    expect(parseRetryAfter('120, 120', NOW)).toBe(120_000); // the header sent twice
    // Absurd values stay finite (the dispatcher cuts them to delivery.maxRetryAfterMs).
    expect(parseRetryAfter('315360000', NOW)).toBe(315_360_000_000);
    expect(parseRetryAfter('99999999999999999999', NOW)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(Date.UTC(9999, 11, 31, 23, 59, 59) - NOW.getTime());
    // Garbage is unreadable: the backoff applies. Date.parse would have read most of these.
    for (const garbage of ['-5', '1e9', '0x10', 'Infinity', 'NaN', '', 'tomorrow', '2026-03-02', 'Mon, 30 Feb 2026 09:00:00 GMT', 'Mon, 02 Mar 2026 25:00:00 GMT']) {
      expect(parseRetryAfter(garbage, NOW), JSON.stringify(garbage)).toBeUndefined();
    }
  });
});

describe('consoleNotifier', () => {
  it('prints severity, title, body, links and the idempotency key', async () => {
    const lines: string[] = [];
    const notifier = consoleNotifier({ log: (line) => lines.push(line) });
    const message = sampleNotification('MITIGATED');
    await notifier.send(message, context(message));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[SEV1] Mitigated: Checkout API returns errors');
    expect(lines[0]).toContain('Impact is contained: Traffic failed over to the secondary region.');
    expect(lines[0]).toContain('Open incident: https://incidents.example.com/inc_contract_1');
    expect(lines[0]).toContain(message.idempotencyKey);
  });
});
