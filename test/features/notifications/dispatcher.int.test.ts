/**
 * Fault tests of delivery: the dispatcher and the webhook notifier against a real HTTP
 * receiver on 127.0.0.1 that fails half the requests, and dispatchers that die mid-send.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type DispatchStats, type NotificationEvents } from '../../../src/features/notifications/dispatcher.js';
import { verifyWebhookSignature } from '../../../src/channels/standardWebhooks.js';
import { webhookNotifier, type WebhookPayload } from '../../../src/channels/webhook.js';
import type { Claimed, OutboxRecord, StorageAdapter } from '../../../src/storage/types.js';
import { startHttpReceiver, streamBody, type HttpReceiver, type ReceivedRequest, type StreamedBody } from '../../fixtures/notify/httpReceiver.js';
import { itOutage, makeFixture, medicationError, seedOutbox } from '../../fixtures/notify/seed.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A deterministic pseudo-random sequence (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Answer = 'ok' | '500' | 'hang' | '429';

interface Exchange {
  readonly request: ReceivedRequest;
  readonly answer: Answer;
}

let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('delivery under faults', () => {
  it('delivers or dead-letters every message when the receiver fails half the requests; none is lost or re-keyed', async () => {
    const decide = seeded(20260302);
    const exchanges: Exchange[] = [];
    receiver = await startHttpReceiver((request, res: ServerResponse) => {
      const roll = decide();
      const answer: Answer = roll < 0.5 ? 'ok' : roll < 0.72 ? '500' : roll < 0.92 ? '429' : 'hang';
      exchanges.push({ request, answer });
      if (answer === 'ok') res.writeHead(204).end();
      else if (answer === '500') res.writeHead(500).end('database unavailable');
      else if (answer === '429') res.writeHead(429, { 'retry-after': '30' }).end();
      // 'hang': never answer; the dispatcher's timeout aborts the attempt.
    });

    const fixture = makeFixture();
    const incidents = [];
    for (let i = 0; i < 4; i += 1) incidents.push(await itOutage(fixture), await medicationError(fixture));
    const notifiers = {
      ops: webhookNotifier({ url: `${receiver.origin}/ops`, secret: SECRET }),
      quality: webhookNotifier({ url: `${receiver.origin}/quality`, secret: SECRET }),
    };
    const records: OutboxRecord[] = [];
    for (const incident of incidents) records.push(...(await seedOutbox(fixture, incident.id, { notifiers: Object.keys(notifiers) })));
    expect(records.length).toBe(56);

    const maxAttempts = 3;
    const failures: NotificationEvents['notification.failed'][] = [];
    const deadLettered: NotificationEvents['notification.dead_lettered'][] = [];
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers,
      clock: fixture.clock,
      delivery: { maxAttempts, backoff: { baseMs: 2_000, maxMs: 20_000 }, timeoutMs: 500, concurrency: 8 },
      random: seeded(7),
      emit: (name, payload) => {
        if (name === 'notification.failed') failures.push(payload as NotificationEvents['notification.failed']);
        if (name === 'notification.dead_lettered') deadLettered.push(payload as NotificationEvents['notification.dead_lettered']);
      },
    });

    const totals: Record<keyof DispatchStats, number> = { claimed: 0, delivered: 0, retried: 0, deadLettered: 0, skipped: 0, leaseLost: 0 };
    let idle = 0;
    for (let pass = 0; pass < 100 && idle < 3; pass += 1) {
      const stats = await dispatcher.dispatchOnce();
      for (const key of Object.keys(totals) as (keyof DispatchStats)[]) totals[key] += stats[key];
      idle = stats.claimed === 0 ? idle + 1 : 0;
      fixture.clock.advance(31_000);
    }

    // The receiver really failed about half the requests, in every way.
    const answers = exchanges.map((e) => e.answer);
    for (const kind of ['ok', '500', 'hang', '429'] as const) expect(answers).toContain(kind);
    const failed = answers.filter((a) => a !== 'ok').length / answers.length;
    expect(failed).toBeGreaterThan(0.3);
    expect(failed).toBeLessThan(0.7);

    // None lost: nothing is pending, and each message ended exactly once, delivered or dead.
    const pending = await fixture.store.claimOutbox({
      tenantId: 'default',
      now: '2100-01-01T00:00:00.000Z',
      owner: 'probe',
      leaseMs: 1,
      limit: 1_000,
    });
    expect(pending).toEqual([]);
    const dead = await fixture.store.deadLetters('default');
    expect(totals.delivered + totals.deadLettered).toBe(records.length);
    expect(dead.length).toBe(totals.deadLettered);
    expect(totals.delivered).toBeGreaterThan(0);
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.every((r) => r.attempts === maxAttempts && r.lastError !== undefined)).toBe(true);
    // Every claimed attempt is accounted for: it reached the receiver, or it timed out before the
    // receiver had read it (on a busy machine the 500 ms timeout can beat the receiver, which runs
    // in this process). Each 'hang' the receiver saw ended in a timeout too.
    const timedOut = [...failures, ...deadLettered].filter((f) => f.error.message.includes('longer than 500 ms')).length;
    const hangs = exchanges.filter((e) => e.answer === 'hang').length;
    expect(timedOut).toBeGreaterThanOrEqual(hangs);
    expect(totals.claimed).toBeGreaterThanOrEqual(exchanges.length);
    expect(totals.claimed - exchanges.length).toBeLessThanOrEqual(timedOut - hangs);

    // Every message recorded as delivered really reached the receiver and was answered 2xx.
    const deadKeys = new Set(dead.map((r) => r.idempotencyKey));
    const answeredOk = new Set(exchanges.filter((e) => e.answer === 'ok').map((e) => String(e.request.headers['webhook-id'])));
    for (const record of records) if (!deadKeys.has(record.idempotencyKey)) expect(answeredOk.has(record.idempotencyKey)).toBe(true);

    // No message reached the receiver under two different keys, and every request is signed.
    const keysPerMessage = new Map<string, Set<string>>();
    for (const { request } of exchanges) {
      const payload = JSON.parse(request.body) as WebhookPayload;
      const identity = `${request.url}|${payload.data.event.id}`;
      const seen = keysPerMessage.get(identity) ?? new Set<string>();
      seen.add(String(request.headers['webhook-id']));
      keysPerMessage.set(identity, seen);
      const sentAt = new Date(Number(request.headers['webhook-timestamp']) * 1000);
      expect(await verifyWebhookSignature({ secret: SECRET, headers: request.headers, body: request.body, now: sentAt })).toBe(true);
    }
    expect(keysPerMessage.size).toBe(records.length);
    expect([...keysPerMessage.values()].every((set) => set.size === 1)).toBe(true);

    // A 429 with Retry-After: 30 was retried no earlier than 30 s later; timeouts were retried too.
    const rateLimited = failures.filter((f) => f.error.details.status === 429);
    expect(rateLimited.length).toBeGreaterThan(0);
    for (const failure of rateLimited) expect(Date.parse(failure.retryAt) - Date.parse(failure.at)).toBeGreaterThanOrEqual(30_000);
    expect(failures.some((f) => f.error.message.includes('longer than 500 ms'))).toBe(true);
  });

  it('redelivers with the same key when a dispatcher dies after sending but before recording it', async () => {
    const seen: ReceivedRequest[] = [];
    let arrived: () => void = () => undefined;
    const firstArrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    receiver = await startHttpReceiver((request, res) => {
      seen.push(request);
      arrived();
      res.writeHead(200).end();
    });
    const fixture = makeFixture();
    const incident = await medicationError(fixture);
    const [record] = await seedOutbox(fixture, incident.id, { notifiers: ['ops'] }, (e) => e.type === 'DECLARED');
    const notifiers = { ops: webhookNotifier({ url: `${receiver.origin}/ops`, secret: SECRET }) };

    // The first process freezes for good right after the receiver answered: its write never happens.
    const dying: StorageAdapter = { ...fixture.store, completeOutbox: () => new Promise<boolean>(() => undefined) };
    const first = createDispatcher({ store: dying, tenantId: 'default', notifiers, clock: fixture.clock, owner: 'worker-a', leaseMs: 60_000 });
    void first.dispatchOnce();
    await firstArrival;

    // Nobody else may take the message while the dead worker's lease lasts.
    const second = createDispatcher({ store: fixture.store, tenantId: 'default', notifiers, clock: fixture.clock, owner: 'worker-b', leaseMs: 60_000 });
    expect((await second.dispatchOnce()).claimed).toBe(0);
    fixture.clock.advance(60_000);
    expect(await second.dispatchOnce()).toMatchObject({ claimed: 1, delivered: 1 });

    expect(seen).toHaveLength(2);
    expect(seen.map((r) => r.headers['webhook-id'])).toEqual([record?.idempotencyKey, record?.idempotencyKey]);
    expect(seen[1]?.body).toBe(seen[0]?.body);
    fixture.clock.advance(24 * 3_600_000);
    expect((await second.dispatchOnce()).claimed).toBe(0);
    expect(await fixture.store.deadLetters('default')).toEqual([]);
  });

  it('lets the late result of a dispatcher whose lease expired change nothing', async () => {
    const seen: ReceivedRequest[] = [];
    let arrived: () => void = () => undefined;
    const firstArrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    receiver = await startHttpReceiver((request, res) => {
      seen.push(request);
      if (seen.length === 1) arrived(); // hangs: the first worker stalls mid-request
      else res.writeHead(204).end();
    });
    const fixture = makeFixture();
    const incident = await itOutage(fixture);
    const [record] = await seedOutbox(fixture, incident.id, { notifiers: ['ops'] }, (e) => e.type === 'RESOLVED');
    const notifiers = { ops: webhookNotifier({ url: `${receiver.origin}/ops`, secret: SECRET }) };

    const stalled = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers,
      clock: fixture.clock,
      owner: 'worker-a',
      leaseMs: 60_000,
      delivery: { timeoutMs: 300 },
    });
    const stalledPass = stalled.dispatchOnce();
    await firstArrival;
    fixture.clock.advance(60_000);
    const fresh = createDispatcher({ store: fixture.store, tenantId: 'default', notifiers, clock: fixture.clock, owner: 'worker-b', leaseMs: 60_000 });
    expect(await fresh.dispatchOnce()).toMatchObject({ claimed: 1, delivered: 1 });

    // The stalled worker times out later and tries to schedule a retry with its stale lease.
    expect(await stalledPass).toMatchObject({ claimed: 1, leaseLost: 1, retried: 0 });
    fixture.clock.advance(24 * 3_600_000);
    expect((await fresh.dispatchOnce()).claimed).toBe(0);
    expect(seen.map((r) => r.headers['webhook-id'])).toEqual([record?.idempotencyKey, record?.idempotencyKey]);
  });

  it('retries a message whose outcome could not be recorded once the lease runs out', async () => {
    receiver = await startHttpReceiver();
    const fixture = makeFixture();
    const incident = await medicationError(fixture);
    await seedOutbox(fixture, incident.id, { notifiers: ['ops'] }, (e) => e.type === 'DECLARED');
    const notifiers = { ops: webhookNotifier({ url: `${receiver.origin}/ops` }) };
    let failWrites = true;
    const flaky: StorageAdapter = {
      ...fixture.store,
      completeOutbox: (claim: Claimed<OutboxRecord>) =>
        failWrites ? Promise.reject(new Error('connection to the database lost')) : fixture.store.completeOutbox(claim),
    };
    const dispatcher = createDispatcher({ store: flaky, tenantId: 'default', notifiers, clock: fixture.clock, leaseMs: 60_000 });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, leaseLost: 1 });
    failWrites = false;
    fixture.clock.advance(60_000);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.headers['webhook-id']).toBe(receiver.requests[0]?.headers['webhook-id']);
  });
  it('clamps an absurd Retry-After from a real receiver, counts each attempt and dead-letters at maxAttempts', async () => {
    // Ten years, a number too large for a Date, and an HTTP-date in the year 9999.
    const absurd = ['315360000', '99999999999999999999', 'Fri, 31 Dec 9999 23:59:59 GMT'];
    for (const retryAfter of absurd) {
      receiver = await startHttpReceiver((_request, res) => {
        res.writeHead(429, { 'retry-after': retryAfter }).end('slow down');
      });
      const fixture = makeFixture();
      const incident = await medicationError(fixture);
      const [record] = await seedOutbox(fixture, incident.id, { notifiers: ['ops'] }, (e) => e.type === 'DECLARED');
      const retryAts: number[] = [];
      const dispatcher = createDispatcher({
        store: fixture.store,
        tenantId: 'default',
        notifiers: { ops: webhookNotifier({ url: `${receiver.origin}/ops` }) },
        clock: fixture.clock,
        leaseMs: 60_000,
        delivery: { maxAttempts: 3, maxRetryAfterMs: 600_000, timeoutMs: 5_000 },
        emit: (name, payload) => {
          if (name === 'notification.failed') retryAts.push(Date.parse((payload as NotificationEvents['notification.failed']).retryAt) - Date.parse(payload.at));
        },
      });
      // Many lease periods and clamp periods: before the fix this re-sent every lease period, forever.
      for (let pass = 0; pass < 30; pass += 1) {
        await dispatcher.dispatchOnce();
        fixture.clock.advance(300_000);
      }
      expect(receiver.requests, retryAfter).toHaveLength(3);
      expect(retryAts, retryAfter).toEqual([600_000, 600_000]);
      const dead = await fixture.store.deadLetters('default');
      expect(dead, retryAfter).toMatchObject([{ id: record?.id, attempts: 3 }]);
      expect(dead[0]?.lastError).toContain('HTTP 429 (slow down)');
      await receiver.close();
      receiver = undefined;
    }
  });

  it('delivers a 200 with an endless body once and records a 500 with an endless body as a cut error', async () => {
    const streams: StreamedBody[] = [];
    let status = 200;
    receiver = await startHttpReceiver((_request, res) => {
      streams.push(streamBody(res, status, { prefix: status === 200 ? '' : 'upstream exploded: ' }));
    });
    const fixture = makeFixture();
    const incident = await itOutage(fixture);
    const [declared, acknowledged] = await seedOutbox(fixture, incident.id, { notifiers: ['ops'] }, (e) => e.type === 'DECLARED' || e.type === 'ACKNOWLEDGED');
    const failures: NotificationEvents['notification.failed'][] = [];
    const deadLettered: NotificationEvents['notification.dead_lettered'][] = [];
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { ops: webhookNotifier({ url: `${receiver.origin}/ops` }) },
      clock: fixture.clock,
      delivery: { concurrency: 1, batchSize: 1, timeoutMs: 10_000, backoff: { baseMs: 1_000, maxMs: 1_000 } },
      random: () => 0.5,
      emit: (name, payload) => {
        if (name === 'notification.failed') failures.push(payload as NotificationEvents['notification.failed']);
        if (name === 'notification.dead_lettered') deadLettered.push(payload as NotificationEvents['notification.dead_lettered']);
      },
    });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    status = 500;
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, retried: 1 });
    // Both bodies were cut off after their first bytes: the connections closed early.
    const ends = await Promise.all(streams.map((stream) => stream.finished));
    expect(ends).toEqual(['closed', 'closed']);
    expect(streams.every((stream) => stream.sent() < 32 * 1024 * 1024)).toBe(true);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([declared?.idempotencyKey, acknowledged?.idempotencyKey]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error.message).toMatch(/HTTP 500 \(upstream exploded: x+…\)/);
    expect(failures[0]?.error.message.length).toBeLessThan(600);
    // The 500 is retried; the 200 is never sent again.
    receiver.respond((_request, res) => res.writeHead(204).end());
    fixture.clock.advance(3_600_000);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    fixture.clock.advance(24 * 3_600_000);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 0 });
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([declared?.idempotencyKey, acknowledged?.idempotencyKey, acknowledged?.idempotencyKey]);
  });
});
