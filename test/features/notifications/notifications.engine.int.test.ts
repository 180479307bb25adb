/**
 * The engine's side of notifications: outbox messages written in the same commit as their
 * events, delivered by `engine.dispatch()` / `runWorkers` to a real HTTP receiver on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIncidentEngine,
  generateWebhookSecret,
  memoryStore,
  verifyWebhookSignature,
  webhookNotifier,
  type IncidentEngineOptions,
  type StorageAdapter,
} from '../../../src/index.js';
import { createManualClock, sequentialIds } from '../../../src/testing/index.js';
import { startHttpReceiver, type HttpReceiver } from '../../fixtures/notify/httpReceiver.js';

const actor = { id: 'u_alice', name: 'Alice' };
let receiver: HttpReceiver;

beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function setup(extra: Partial<IncidentEngineOptions> = {}, store: StorageAdapter = memoryStore()) {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const secret = generateWebhookSecret();
  const engine = createIncidentEngine({
    store,
    clock,
    ids: sequentialIds(),
    random: () => 0.5,
    notifiers: { hooks: webhookNotifier({ url: `${receiver.origin}/incidents`, secret }) },
    delivery: { maxAttempts: 2, backoff: { baseMs: 1_000, maxMs: 10_000 }, timeoutMs: 2_000 },
    ...extra,
  });
  return { clock, secret, engine, store };
}

interface Body {
  type: string;
  data: { event: { type: string }; incident: { id: string } };
}

function bodies(): Body[] {
  return receiver.requests.map((request) => JSON.parse(request.body) as Body);
}

describe('engine notifications', () => {
  it('writes outbox messages in the commit and delivers them signed on dispatch', async () => {
    const { engine, secret, clock } = setup();
    const delivered: string[] = [];
    engine.on('notification.delivered', (info) => delivered.push(`${info.notifier}:${String(info.eventType)}`));
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    await engine.addNote(incident.id, { text: 'Looking at the load balancer.', actor });
    await engine.acknowledge(incident.id, { actor });
    expect(receiver.requests).toHaveLength(0); // nothing is sent inside a command

    const stats = await engine.dispatch();
    expect(stats).toMatchObject({ claimed: 2, delivered: 2, deadLettered: 0 });
    // Messages are sent concurrently: the receiver may see them in any order.
    expect(bodies().map((body) => body.data.event.type).sort()).toEqual(['ACKNOWLEDGED', 'DECLARED']);
    expect(delivered.sort()).toEqual(['hooks:ACKNOWLEDGED', 'hooks:DECLARED']);
    for (const request of receiver.requests) {
      // The signature timestamp comes from the engine's (manual) clock, so verify at that time.
      const ok = await verifyWebhookSignature({ secret, headers: request.headers, body: request.body, now: clock.now() });
      expect(ok).toBe(true);
    }
    expect(await engine.dispatch()).toMatchObject({ claimed: 0 }); // delivered messages never come back
  });

  it('queues a notification for each escalation and each due reminder', async () => {
    const { clock, engine } = setup({
      policies: {
        escalation: { levels: [{ afterMinutes: 5, targets: ['oncall'] }] },
        reminders: [{ kind: 'status_update', everyMinutes: 30, severities: ['SEV1'] }],
      },
    });
    await engine.declare({ title: 'Database down', severity: 'SEV1', actor });
    clock.advance(30 * 60_000);
    await engine.tick();
    await engine.dispatch();
    expect(bodies().map((body) => body.data.event.type).sort()).toEqual(['DECLARED', 'ESCALATED', 'REMINDER_DUE']);
  });

  it('dead-letters after maxAttempts and redelivers with the same idempotency key', async () => {
    const { clock, engine } = setup();
    receiver.respond((_request, res) => {
      res.writeHead(503).end('maintenance');
    });
    const failed: number[] = [];
    const dead: string[] = [];
    engine.on('notification.failed', (info) => failed.push(info.attempt));
    engine.on('notification.dead_lettered', (info) => dead.push(info.idempotencyKey));
    await engine.declare({ title: 'Pager gateway flaky', severity: 'SEV3', actor });
    await engine.dispatch();
    clock.advance(60_000);
    await engine.dispatch();
    expect(failed).toEqual([1]);
    expect(dead).toHaveLength(1);
    const letters = await engine.deadLetters();
    expect(letters.map((letter) => [letter.channel, letter.attempts])).toEqual([['hooks', 2]]);

    receiver.respond((_request, res) => {
      res.writeHead(204).end();
    });
    const letter = letters[0]!;
    await engine.redeliver(letter.id);
    expect(await engine.deadLetters()).toEqual([]);
    expect(await engine.dispatch()).toMatchObject({ delivered: 1 });
    const keys = new Set(receiver.requests.map((request) => request.headers['webhook-id']));
    expect(receiver.requests).toHaveLength(3);
    expect(keys.size).toBe(1);
    await expect(engine.redeliver(letter.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an engine without notifiers writes no outbox messages', async () => {
    const store = memoryStore();
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const engine = createIncidentEngine({ store, clock });
    await engine.declare({ title: 'Quiet', severity: 'SEV4', actor });
    const claimed = await store.claimOutbox({ tenantId: 'default', now: clock.now().toISOString(), owner: 'x', leaseMs: 1_000, limit: 10 });
    expect(claimed).toEqual([]);
  });

  it('unknown notifier names in routes are a configuration error', () => {
    expect(() =>
      createIncidentEngine({
        store: memoryStore(),
        notifiers: { hooks: webhookNotifier({ url: 'http://127.0.0.1:1/x' }) },
        routes: [{ to: ['slack'] }],
      }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });
});
