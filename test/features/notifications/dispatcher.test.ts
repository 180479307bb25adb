import { describe, expect, it } from 'vitest';
import { NotifierError, isIncidentKitError } from '../../../src/errors.js';
import { backoffDelay, createDispatcher, type DispatcherOptions, type NotificationEvents } from '../../../src/features/notifications/dispatcher.js';
import { defineNotifier, type NotificationMessage, type NotifierContext } from '../../../src/model/notification.js';
import { itOutage, makeFixture, medicationError, seedOutbox, type Fixture } from '../../fixtures/notify/seed.js';

interface Call {
  readonly message: NotificationMessage;
  readonly context: NotifierContext;
}

/** A notifier that records calls and answers with the next scripted outcome (default: success). */
function scripted(outcomes: ((call: Call) => Promise<void>)[] = []) {
  const calls: Call[] = [];
  const notifier = defineNotifier({
    name: 'scripted',
    send(message, context) {
      const call = { message, context };
      calls.push(call);
      const next = outcomes.shift();
      return next === undefined ? Promise.resolve() : next(call);
    },
  });
  return { notifier, calls };
}

const fail = (retryable: boolean, retryAfterMs?: number) => () =>
  Promise.reject(
    new NotifierError(
      { notifier: 'scripted', retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      retryable ? 'the channel is busy' : 'the channel refused the message',
    ),
  );

function thrownSync(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function recorder() {
  const events: { name: keyof NotificationEvents; payload: NotificationEvents[keyof NotificationEvents] }[] = [];
  const emit: DispatcherOptions['emit'] = (name, payload) => {
    events.push({ name, payload });
  };
  return { events, emit };
}

async function oneMessage(fixture: Fixture, notifiers: readonly string[] = ['chat']) {
  const incident = await medicationError(fixture);
  return seedOutbox(fixture, incident.id, { notifiers }, (event) => event.type === 'DECLARED');
}

describe('createDispatcher', () => {
  it('delivers due messages, marks them delivered and reports what it did', async () => {
    const fixture = makeFixture();
    const incident = await itOutage(fixture);
    const records = await seedOutbox(fixture, incident.id, { notifiers: ['chat'] });
    const { notifier, calls } = scripted();
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({ store: fixture.store, tenantId: 'default', notifiers: { chat: notifier }, clock: fixture.clock, emit });

    expect(await dispatcher.dispatchOnce()).toEqual({ claimed: 5, delivered: 5, retried: 0, deadLettered: 0, skipped: 0, leaseLost: 0 });
    expect(calls.map((c) => c.message.event.type)).toEqual(['DECLARED', 'ACKNOWLEDGED', 'UPDATE_POSTED', 'MITIGATED', 'RESOLVED']);
    expect(calls.map((c) => c.context.idempotencyKey)).toEqual(records.map((r) => r.idempotencyKey));
    expect(calls.every((c) => c.message.idempotencyKey === c.context.idempotencyKey && c.context.attempt === 1)).toBe(true);
    expect(calls[0]?.message.title).toBe('Incident declared: Checkout API returns 502 errors');
    expect(events.map((e) => e.name)).toEqual(Array(5).fill('notification.delivered'));
    expect(events[0]?.payload).toMatchObject({ messageId: records[0]?.id, notifier: 'chat', incidentId: incident.id, eventType: 'DECLARED', attempt: 1 });

    fixture.clock.advance(24 * 3_600_000);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    expect(await fixture.store.deadLetters('default')).toEqual([]);
  });

  it('retries with exponential backoff and full jitter, keeping the idempotency key', async () => {
    const fixture = makeFixture();
    const [record] = await oneMessage(fixture);
    const { notifier, calls } = scripted([fail(true), fail(true)]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      delivery: { backoff: { baseMs: 1_000, maxMs: 60_000 } },
      random: () => 0.5,
      emit,
    });
    const start = fixture.clock.now().getTime();

    expect((await dispatcher.dispatchOnce()).retried).toBe(1);
    const first = events[0]?.payload as NotificationEvents['notification.failed'];
    expect(first.retryAt).toBe(new Date(start + 500).toISOString());
    expect(first.error.retryable).toBe(true);

    fixture.clock.advance(499);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    fixture.clock.advance(1);
    expect((await dispatcher.dispatchOnce()).retried).toBe(1);
    expect((events[1]?.payload as NotificationEvents['notification.failed']).retryAt).toBe(new Date(start + 500 + 1_000).toISOString());

    fixture.clock.advance(1_000);
    expect((await dispatcher.dispatchOnce()).delivered).toBe(1);
    expect(calls.map((c) => c.context.attempt)).toEqual([1, 2, 3]);
    expect(new Set(calls.map((c) => c.context.idempotencyKey))).toEqual(new Set([record?.idempotencyKey]));
  });

  it('computes full-jitter delays capped by maxMs', () => {
    const backoff = { baseMs: 1_000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, backoff, () => 0.999_999))).toEqual([999, 1_999, 3_999, 7_999, 9_999, 9_999]);
    expect(backoffDelay(7, backoff, () => 0)).toBe(0);
    expect(backoffDelay(3, backoff, () => 0.25)).toBe(1_000);
  });

  it("honours the channel's Retry-After when it is longer than the backoff", async () => {
    const fixture = makeFixture();
    await oneMessage(fixture);
    const { notifier } = scripted([fail(true, 30_000)]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      delivery: { backoff: { baseMs: 1_000, maxMs: 5_000 } },
      random: () => 0.99,
      emit,
    });
    const start = fixture.clock.now().getTime();
    await dispatcher.dispatchOnce();
    expect((events[0]?.payload as NotificationEvents['notification.failed']).retryAt).toBe(new Date(start + 30_000).toISOString());
    fixture.clock.advance(29_999);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    fixture.clock.advance(1);
    expect((await dispatcher.dispatchOnce()).delivered).toBe(1);
  });

  it('clamps Retry-After to maxRetryAfterMs: absurd, infinite and unreadable waits never park a message', async () => {
    const HOUR = 3_600_000;
    // [what the channel asked for, how long the message waits]; backoff is 0 here.
    const cases: [number, number][] = [
      [315_360_000_000, HOUR], // Retry-After: 315360000 (ten years)
      [1e23, HOUR], // Retry-After: 99999999999999999999 s (new Date(…).toISOString() throws)
      [Number.POSITIVE_INFINITY, HOUR],
      [Number.MAX_VALUE, HOUR],
      [Number.NaN, 0],
      [-5_000, 0],
      [1_234.4, 1_235],
      [HOUR, HOUR],
    ];
    for (const [retryAfterMs, waits] of cases) {
      const fixture = makeFixture();
      await oneMessage(fixture);
      const { notifier } = scripted([fail(true, retryAfterMs)]);
      const { events, emit } = recorder();
      const dispatcher = createDispatcher({
        store: fixture.store,
        tenantId: 'default',
        notifiers: { chat: notifier },
        clock: fixture.clock,
        delivery: { backoff: { baseMs: 0, maxMs: 0 } },
        emit,
      });
      const start = fixture.clock.now().getTime();
      expect(await dispatcher.dispatchOnce(), String(retryAfterMs)).toMatchObject({ retried: 1, leaseLost: 0 });
      expect((events[0]?.payload as NotificationEvents['notification.failed']).retryAt, String(retryAfterMs)).toBe(new Date(start + waits).toISOString());
      const [pending] = await fixture.store.claimOutbox({ tenantId: 'default', now: new Date(start + waits).toISOString(), owner: 'probe', leaseMs: 1, limit: 1 });
      expect(pending?.item.attempts, String(retryAfterMs)).toBe(1);
    }
  });

  it('honours a configured maxRetryAfterMs and validates it', async () => {
    const fixture = makeFixture();
    await oneMessage(fixture);
    const { notifier } = scripted([fail(true, 86_400_000)]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      delivery: { maxRetryAfterMs: 120_000, backoff: { baseMs: 0, maxMs: 0 } },
      emit,
    });
    const start = fixture.clock.now().getTime();
    await dispatcher.dispatchOnce();
    expect((events[0]?.payload as NotificationEvents['notification.failed']).retryAt).toBe(new Date(start + 120_000).toISOString());
    fixture.clock.advance(119_999);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    fixture.clock.advance(1);
    expect((await dispatcher.dispatchOnce()).delivered).toBe(1);

    const base = { store: fixture.store, tenantId: 'default', notifiers: {}, clock: fixture.clock };
    for (const maxRetryAfterMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 31 * 86_400_000]) {
      expect(isIncidentKitError(thrownSync(() => createDispatcher({ ...base, delivery: { maxRetryAfterMs } })), 'CONFIG_INVALID'), String(maxRetryAfterMs)).toBe(true);
    }
    expect(isIncidentKitError(thrownSync(() => createDispatcher({ ...base, delivery: { backoff: { baseMs: 0, maxMs: 1e20 } } })), 'CONFIG_INVALID')).toBe(true);
    expect(() => createDispatcher({ ...base, delivery: { maxRetryAfterMs: 0 } })).not.toThrow();
    expect(() => createDispatcher({ ...base, delivery: { maxRetryAfterMs: 30 * 86_400_000 } })).not.toThrow();
  });

  it('counts every attempt and dead-letters at maxAttempts even when each one asks to wait forever', async () => {
    const fixture = makeFixture();
    const [record] = await oneMessage(fixture);
    const forever = fail(true, 1e23);
    const { notifier, calls } = scripted([forever, forever, forever, forever, forever, forever, forever, forever, forever, forever]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      leaseMs: 60_000,
      delivery: { maxAttempts: 3, maxRetryAfterMs: 10_000, timeoutMs: 1_000 },
      random: () => 0,
      emit,
    });
    // Far longer than three retries and many lease periods.
    for (let pass = 0; pass < 40; pass += 1) {
      await dispatcher.dispatchOnce();
      fixture.clock.advance(10_000);
    }
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.context.attempt)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.name)).toEqual(['notification.failed', 'notification.failed', 'notification.dead_lettered']);
    expect(await fixture.store.deadLetters('default')).toMatchObject([{ id: record?.id, attempts: 3 }]);
  });

  it('dead-letters, counting the attempt, when the next attempt time cannot be computed', async () => {
    const fixture = makeFixture();
    const [record] = await oneMessage(fixture);
    const { notifier, calls } = scripted([fail(true)]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      leaseMs: 60_000,
      delivery: { timeoutMs: 1_000 },
      random: () => Number.NaN, // a broken jitter source: the backoff is NaN ms
      emit,
    });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, deadLettered: 1, retried: 0, leaseLost: 0 });
    fixture.clock.advance(3_600_000);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    expect(calls).toHaveLength(1);
    expect(events.map((e) => e.name)).toEqual(['notification.dead_lettered']);
    const [dead] = await fixture.store.deadLetters('default');
    expect(dead).toMatchObject({ id: record?.id, attempts: 1 });
    expect(dead?.lastError).toContain('the channel is busy');
    expect(dead?.lastError).toContain('No retry could be scheduled');
  });

  it('dead-letters after maxAttempts, and delivers once redelivered', async () => {
    const fixture = makeFixture();
    const [record] = await oneMessage(fixture);
    const { notifier, calls } = scripted([fail(true), fail(true), fail(true)]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      delivery: { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 100 } },
      random: () => 1,
      emit,
    });
    for (let pass = 0; pass < 3; pass += 1) {
      await dispatcher.dispatchOnce();
      fixture.clock.advance(100);
    }
    expect(calls).toHaveLength(3);
    expect(events.map((e) => e.name)).toEqual(['notification.failed', 'notification.failed', 'notification.dead_lettered']);
    const [dead] = await fixture.store.deadLetters('default');
    expect(dead).toMatchObject({ id: record?.id, attempts: 3, idempotencyKey: record?.idempotencyKey });
    expect(dead?.lastError).toContain('the channel is busy');

    fixture.clock.advance(3_600_000);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    expect(await fixture.store.redeliver('default', record?.id ?? '', fixture.clock.now().toISOString())).toBe(true);
    expect((await dispatcher.dispatchOnce()).delivered).toBe(1);
    expect(calls.at(-1)?.context.idempotencyKey).toBe(record?.idempotencyKey);
    expect(await fixture.store.deadLetters('default')).toEqual([]);
  });

  it('dead-letters a permanent failure at once', async () => {
    const fixture = makeFixture();
    await oneMessage(fixture);
    const { notifier, calls } = scripted([fail(false)]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({ store: fixture.store, tenantId: 'default', notifiers: { chat: notifier }, clock: fixture.clock, emit });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, deadLettered: 1, retried: 0 });
    expect(calls).toHaveLength(1);
    const payload = events[0]?.payload as NotificationEvents['notification.dead_lettered'];
    expect(events[0]?.name).toBe('notification.dead_lettered');
    expect(payload.error.retryable).toBe(false);
    expect((await fixture.store.deadLetters('default'))[0]?.lastError).toContain('the channel refused the message');
  });

  it('treats anything else a notifier throws as a retryable failure', async () => {
    const fixture = makeFixture();
    await oneMessage(fixture);
    const { notifier } = scripted([() => Promise.reject(new TypeError('cannot read properties of undefined'))]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({ store: fixture.store, tenantId: 'default', notifiers: { chat: notifier }, clock: fixture.clock, emit });
    expect((await dispatcher.dispatchOnce()).retried).toBe(1);
    const error = (events[0]?.payload as NotificationEvents['notification.failed']).error;
    expect(isIncidentKitError(error, 'NOTIFIER_FAILED')).toBe(true);
    expect(error.message).toContain('cannot read properties of undefined');
  });

  it('aborts an attempt that outlives timeoutMs, even when the notifier ignores its signal', async () => {
    const fixture = makeFixture();
    await oneMessage(fixture);
    let signal: AbortSignal | undefined;
    const { notifier, calls } = scripted([
      (call) => {
        signal = call.context.signal;
        return new Promise<void>(() => undefined);
      },
    ]);
    const { events, emit } = recorder();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      delivery: { timeoutMs: 25, backoff: { baseMs: 0, maxMs: 0 } },
      emit,
    });
    expect((await dispatcher.dispatchOnce()).retried).toBe(1);
    expect(signal?.aborted).toBe(true);
    expect((events[0]?.payload as NotificationEvents['notification.failed']).error.message).toContain('longer than 25 ms');
    expect((await dispatcher.dispatchOnce()).delivered).toBe(1);
    expect(calls.map((c) => c.context.attempt)).toEqual([1, 2]);
  });

  it('sends with bounded concurrency', async () => {
    const fixture = makeFixture();
    const incident = await itOutage(fixture);
    await seedOutbox(fixture, incident.id, { notifiers: ['a', 'b'] });
    let inFlight = 0;
    let peak = 0;
    const slow = defineNotifier({
      name: 'slow',
      async send() {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
      },
    });
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { a: slow, b: slow },
      clock: fixture.clock,
      delivery: { concurrency: 3 },
    });
    expect((await dispatcher.dispatchOnce()).delivered).toBe(10);
    expect(peak).toBe(3);
  });

  it('claims at most batchSize messages per pass', async () => {
    const fixture = makeFixture();
    const incident = await itOutage(fixture);
    await seedOutbox(fixture, incident.id, { notifiers: ['chat'] });
    const { notifier } = scripted();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      delivery: { batchSize: 2 },
    });
    expect((await dispatcher.dispatchOnce()).delivered).toBe(2);
    expect((await dispatcher.dispatchOnce()).delivered).toBe(2);
    expect((await dispatcher.dispatchOnce()).delivered).toBe(1);
  });

  it('dead-letters messages for a notifier that is not configured, naming it', async () => {
    const fixture = makeFixture();
    await oneMessage(fixture, ['pager']);
    const { notifier } = scripted();
    const dispatcher = createDispatcher({ store: fixture.store, tenantId: 'default', notifiers: { chat: notifier }, clock: fixture.clock });
    expect((await dispatcher.dispatchOnce()).deadLettered).toBe(1);
    expect((await fixture.store.deadLetters('default'))[0]?.lastError).toContain("no notifier named 'pager' is configured");
  });

  it('leaves a message for later when its lease would end before the attempt could time out', async () => {
    const fixture = makeFixture();
    const incident = await itOutage(fixture);
    await seedOutbox(fixture, incident.id, { notifiers: ['chat'] }, (e) => e.type === 'DECLARED' || e.type === 'ACKNOWLEDGED');
    // The first send takes 900 ms of (manual) time; the lease is 1 s and an attempt may take 200 ms.
    const { notifier, calls } = scripted([
      () => {
        fixture.clock.advance(900);
        return Promise.resolve();
      },
    ]);
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      leaseMs: 1_000,
      delivery: { concurrency: 1, timeoutMs: 200 },
    });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 2, delivered: 1, skipped: 1 });
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0);
    fixture.clock.advance(100);
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(calls.map((c) => c.message.event.type)).toEqual(['DECLARED', 'ACKNOWLEDGED']);
  });

  it('keeps delivering when an event handler throws', async () => {
    const fixture = makeFixture();
    await oneMessage(fixture);
    const { notifier } = scripted();
    const dispatcher = createDispatcher({
      store: fixture.store,
      tenantId: 'default',
      notifiers: { chat: notifier },
      clock: fixture.clock,
      emit: () => {
        throw new Error('observer bug');
      },
    });
    expect((await dispatcher.dispatchOnce()).delivered).toBe(1);
  });

  it("only drains its own tenant's outbox", async () => {
    const fixture = makeFixture();
    await oneMessage(fixture);
    const { notifier, calls } = scripted();
    const other = createDispatcher({ store: fixture.store, tenantId: 'other', notifiers: { chat: notifier }, clock: fixture.clock });
    expect((await other.dispatchOnce()).claimed).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it('refuses invalid delivery options with a ConfigError', () => {
    const fixture = makeFixture();
    const base = { store: fixture.store, tenantId: 'default', notifiers: {}, clock: fixture.clock };
    const refused = (options: Partial<DispatcherOptions>): boolean => {
      try {
        createDispatcher({ ...base, ...options });
        return false;
      } catch (error) {
        return isIncidentKitError(error, 'CONFIG_INVALID');
      }
    };
    expect(refused({ leaseMs: 1_000, delivery: { timeoutMs: 1_000 } })).toBe(true);
    expect(refused({ delivery: { maxAttempts: 0 } })).toBe(true);
    expect(refused({ delivery: { backoff: { baseMs: 10_000, maxMs: 1_000 } } })).toBe(true);
    expect(refused({ delivery: { concurrency: 0 } })).toBe(true);
    expect(refused({})).toBe(false);
  });
});
