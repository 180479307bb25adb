/**
 * Issue 16, items 6 and 11: the webhook, Slack and Teams notifiers against real HTTP receivers
 * on 127.0.0.1 that answer with huge, endless or stalled bodies, and with `allowUrl` checks.
 *
 * The status and headers decide an answer; at most a few KiB of a body are read. The receiver
 * streams with backpressure, so what it managed to send (`sent()`) bounds what the notifier
 * read: it must stay small while the body is 400 MB.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackNotifier } from '../../src/channels/slack.js';
import { teamsNotifier } from '../../src/channels/teams.js';
import { webhookNotifier } from '../../src/channels/webhook.js';
import type { NotificationMessage, Notifier, NotifierContext } from '../../src/model/notification.js';
import { sampleNotification } from '../../src/testing/notifierContract.js';
import { startHttpReceiver, streamBody, type HttpReceiver, type StreamedBody } from '../fixtures/notify/httpReceiver.js';
import { thrown } from '../helpers.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const BODY_BYTES = 400_000_000;
/** What may pass through socket buffers on loopback before the client's cancel closes the connection: far below the body. */
const AT_MOST_SENT = 32 * 1024 * 1024;

function context(message: NotificationMessage): NotifierContext {
  return { signal: new AbortController().signal, attempt: 1, idempotencyKey: message.idempotencyKey, now: NOW };
}

let receiver: HttpReceiver;
let streams: StreamedBody[];
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  streams = [];
});

/** Answers every request with `status` and a 400 MB body (after `prefix`), recording the stream. */
function answerStreaming(status: number, options: { readonly prefix?: string; readonly stall?: boolean; readonly headers?: Record<string, string> } = {}): void {
  receiver.respond((_request, res) => {
    streams.push(streamBody(res, status, { totalBytes: options.stall === true ? 0 : BODY_BYTES, ...options }));
  });
}

/** Waits until every answer's connection is over, and returns the bytes each one sent. */
async function sentBytes(): Promise<{ ends: ('ended' | 'closed')[]; sent: number[] }> {
  const ends = await Promise.all(streams.map((stream) => stream.finished));
  return { ends, sent: streams.map((stream) => stream.sent()) };
}

const notifiers: readonly [string, () => Notifier][] = [
  ['webhookNotifier', () => webhookNotifier({ url: `${receiver.origin}/hooks` })],
  ['slackNotifier (incoming webhook)', () => slackNotifier({ webhookUrl: `${receiver.origin}/services/T000/B000/XXXX` })],
  ['teamsNotifier', () => teamsNotifier({ webhookUrl: `${receiver.origin}/workflows/x` })],
];

describe.each(notifiers)('%s reads answers boundedly', (_name, create) => {
  it('delivers a 200 whose body is 400 MB once, without reading it', async () => {
    answerStreaming(200);
    const message = sampleNotification('DECLARED');
    await expect(create().send(message, context(message))).resolves.toBeUndefined();
    const { ends, sent } = await sentBytes();
    expect(receiver.requests).toHaveLength(1);
    expect(ends).toEqual(['closed']);
    expect(sent[0]).toBeLessThan(AT_MOST_SENT);
  });

  it('reports a 500 whose body is 400 MB with a cut error message, reading only its start', async () => {
    answerStreaming(500, { prefix: 'database unavailable: ', headers: { 'retry-after': '30' } });
    const message = sampleNotification('DECLARED');
    const error = await thrown(() => create().send(message, context(message)), 'NOTIFIER_FAILED');
    expect(error.details).toMatchObject({ retryable: true, status: 500, retryAfterMs: 30_000 });
    expect(error.message).toContain('HTTP 500 (database unavailable: xxx');
    expect(error.message).toContain('…');
    expect(error.message.length).toBeLessThan(600);
    const { ends, sent } = await sentBytes();
    expect(ends).toEqual(['closed']);
    expect(sent[0]).toBeLessThan(AT_MOST_SENT);
  });

  it('delivers a 2xx whose body never comes, as soon as its headers arrive', async () => {
    // Teams reads the start of a success's body (legacy connectors refuse in a 200): give it
    // a 202, as Workflows answer; the others get a 200.
    answerStreaming(_name === 'teamsNotifier' ? 202 : 200, { stall: true });
    const message = sampleNotification('RESOLVED');
    await expect(create().send(message, context(message))).resolves.toBeUndefined();
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('answers whose body decides', () => {
  it('webhook: a 400 whose body stalls is still a permanent failure, not a timeout', async () => {
    answerStreaming(400, { prefix: 'bad signature', stall: true });
    const message = sampleNotification('DECLARED');
    const error = await thrown(() => webhookNotifier({ url: receiver.origin }).send(message, context(message)), 'NOTIFIER_FAILED');
    expect(error.details).toMatchObject({ retryable: false, status: 400 });
    expect(error.message).toContain('HTTP 400 (bad signature…)');
    expect(await sentBytes()).toEqual({ ends: ['closed'], sent: [13] });
  });

  it('Teams: a legacy 200 whose endless body starts with a refusal is that failure', async () => {
    answerStreaming(200, { prefix: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId abc. ' });
    const message = sampleNotification('DECLARED');
    const error = await thrown(() => teamsNotifier({ webhookUrl: receiver.origin }).send(message, context(message)), 'NOTIFIER_FAILED');
    expect(error.details).toMatchObject({ retryable: true, status: 429 });
    expect(error.message.length).toBeLessThan(600);
    const { ends, sent } = await sentBytes();
    expect(ends).toEqual(['closed']);
    expect(sent[0]).toBeLessThan(AT_MOST_SENT);
  });

  it('Slack chat.postMessage: reads ok, ts and error from the start of an endless JSON answer', async () => {
    const threads = new Map<string, string>();
    const notifier = slackNotifier({
      token: 'xoxb-test',
      channel: 'C0123456789',
      apiBaseUrl: `${receiver.origin}/api`,
      threadStore: {
        get: (key) => Promise.resolve(threads.get(key)),
        set: (key, ts) => {
          threads.set(key, ts);
          return Promise.resolve();
        },
      },
    });
    answerStreaming(200, { prefix: '{"ok":true,"channel":"C0123456789","ts":"1772442000.000100","message":{"text":"' });
    const declared = sampleNotification('DECLARED');
    await expect(notifier.send(declared, context(declared))).resolves.toBeUndefined();
    expect([...threads.values()]).toEqual(['1772442000.000100']);

    answerStreaming(200, { prefix: '{"ok":false,"error":"channel_not_found","padding":"' });
    const acknowledged = sampleNotification('ACKNOWLEDGED');
    const refused = await thrown(() => notifier.send(acknowledged, context(acknowledged)), 'NOTIFIER_FAILED');
    expect(refused.details).toMatchObject({ retryable: false, status: 200 });
    expect(refused.message).toContain("'channel_not_found'");

    answerStreaming(200, { prefix: '<html>' });
    const resolved = sampleNotification('RESOLVED');
    expect((await thrown(() => notifier.send(resolved, context(resolved)), 'NOTIFIER_FAILED')).retryable).toBe(true);

    const { ends, sent } = await sentBytes();
    expect(ends).toEqual(['closed', 'closed', 'closed']);
    expect(sent.every((bytes) => bytes < AT_MOST_SENT)).toBe(true);
    expect(receiver.requests).toHaveLength(3);
  });
});

describe('allowUrl', () => {
  const all: readonly [string, (allowUrl: (url: URL) => boolean | Promise<boolean>) => Notifier, string][] = [
    ['webhookNotifier', (allowUrl) => webhookNotifier({ url: `${receiver.origin}/hooks?token=secret`, allowUrl }), '/hooks?token=secret'],
    ['slackNotifier (incoming webhook)', (allowUrl) => slackNotifier({ webhookUrl: `${receiver.origin}/services/T0/B0/secret`, allowUrl }), '/services/T0/B0/secret'],
    [
      'slackNotifier (chat.postMessage)',
      (allowUrl) => slackNotifier({ token: 'xoxb-test', channel: 'C0123456789', apiBaseUrl: `${receiver.origin}/api/`, allowUrl }),
      '/api/chat.postMessage',
    ],
    ['teamsNotifier', (allowUrl) => teamsNotifier({ webhookUrl: `${receiver.origin}/workflows/x?sig=secret`, allowUrl }), '/workflows/x?sig=secret'],
  ];

  it.each(all)('%s asks allowUrl before every send and sends nothing to a refused URL', async (_name, create, path) => {
    receiver.respond((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"ts":"1.2"}');
    });
    const asked: string[] = [];
    let allow = true;
    const notifier = create((url) => {
      asked.push(url.href);
      return Promise.resolve(allow);
    });
    const message = sampleNotification('DECLARED');
    await notifier.send(message, context(message));
    expect(asked).toEqual([`${receiver.origin}${path}`]);
    expect(receiver.requests.map((request) => request.url)).toEqual([path]);

    allow = false;
    const refused = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(refused.retryable).toBe(false);
    expect(refused.message).toContain(`allowUrl refused the host 127.0.0.1:${receiver.origin.split(':').at(-1) ?? ''}`);
    expect(refused.message).not.toContain('secret');
    expect(asked).toHaveLength(2);
    expect(receiver.requests).toHaveLength(1);
  });

  it('reports a check that throws as a retryable failure, and refuses an allowUrl that is not a function', async () => {
    const notifier = webhookNotifier({
      url: receiver.origin,
      allowUrl: () => {
        throw new Error('getaddrinfo EAI_AGAIN hooks.example.com');
      },
    });
    const message = sampleNotification('DECLARED');
    const failed = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(failed.retryable).toBe(true);
    expect(failed.message).toContain('EAI_AGAIN');
    expect(receiver.requests).toHaveLength(0);

    const notAFunction = { allowUrl: 'deny-private' } as unknown as { allowUrl: () => boolean };
    thrown(() => webhookNotifier({ url: receiver.origin, ...notAFunction }), 'CONFIG_INVALID');
    thrown(() => teamsNotifier({ webhookUrl: receiver.origin, ...notAFunction }), 'CONFIG_INVALID');
    thrown(() => slackNotifier({ webhookUrl: receiver.origin, ...notAFunction }), 'CONFIG_INVALID');
    thrown(() => slackNotifier({ token: 'xoxb-test', channel: 'C1', ...notAFunction }), 'CONFIG_INVALID');
  });
});
