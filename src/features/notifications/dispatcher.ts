import { z } from 'zod';
import type { Clock } from '../../kernel/clock.js';
import { NotifierError, isIncidentKitError } from '../../errors.js';
import type { Incident } from '../../model/incident.js';
import type { StoredEvent } from '../../model/event.js';
import { parseConfig } from '../../kernel/parse.js';
import type { Claimed, OutboxRecord, StorageAdapter } from '../../storage/types.js';
import { logTo, type EngineLogger, type EngineTelemetry } from '../../engine/telemetry.js';
import {
  noticeMessageSchema,
  notificationMessageSchema,
  type Contacts,
  type NoticeMessage,
  type NotificationDeliveryInfo,
  type NotificationEvents,
  type NotificationMessage,
  type Notifier,
  type NotifierContext,
} from '../../model/notification.js';

export type { NotificationDeliveryInfo, NotificationEvents } from '../../model/notification.js';

/** Retry and timeout settings of the dispatcher. */
export interface DeliveryOptions {
  /** Attempts per message, the first included, before it is dead-lettered. Default: 10. */
  readonly maxAttempts?: number;
  /** Exponential backoff with full jitter: attempt n waits random × min(maxMs, baseMs × 2^(n−1)). */
  readonly backoff?: {
    /** Default: 5 000 (5 s). */
    readonly baseMs?: number;
    /** Default: 3 600 000 (1 h); at most 2 592 000 000 (30 days). */
    readonly maxMs?: number;
  };
  /**
   * The longest a channel's `Retry-After` (a notifier's `retryAfterMs`) may defer a message, in
   * milliseconds: a longer request, or one that is not a finite number, waits this long instead.
   * Default: 3 600 000 (1 h); at most 2 592 000 000 (30 days).
   */
  readonly maxRetryAfterMs?: number;
  /** How long one attempt may take before it is aborted and counted as a retryable failure. Default: 15 000. */
  readonly timeoutMs?: number;
  /** How many messages are sent at once. Default: 8. */
  readonly concurrency?: number;
  /** How many due messages one pass claims. Default: 50. */
  readonly batchSize?: number;
}

/** Emits a {@link NotificationEvents} event; wire it to the engine's mitt emitter. */
export type NotificationEmit = <K extends keyof NotificationEvents>(name: K, payload: NotificationEvents[K]) => void;

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  readonly store: StorageAdapter;
  /** The tenant whose outbox this dispatcher drains. */
  readonly tenantId: string;
  /** Notifiers by their configured name (the outbox `channel`). */
  readonly notifiers: Readonly<Record<string, Notifier>>;
  readonly clock: Clock;
  readonly delivery?: DeliveryOptions;
  /** A number in [0, 1) for the backoff jitter. Default: `Math.random`. */
  readonly random?: () => number;
  /** This dispatcher's name in leases; unique per process. Default: a random id. */
  readonly owner?: string;
  /** How long a claim holds a batch. Default: 300 000 (5 min); must exceed `timeoutMs`. */
  readonly leaseMs?: number;
  /** Receives delivery events. A throwing `emit` never breaks a delivery. */
  readonly emit?: NotificationEmit;
  /**
   * Addresses of the people messages with a `recipient` are for, by notifier name; asked when
   * each such message is sent. A person without an address for the message's notifier (or no
   * `contacts` at all) dead-letters the message with a reason.
   */
  readonly contacts?: Contacts;
  /**
   * Deliverers of channels that are no notifier (a feature's own, `feature:<name>:…`), asked
   * by channel name when a message is sent; they get the stored message as it is.
   *
   * @internal
   */
  readonly channels?: (channel: string) => ((message: OutboxRecord, context: NotifierContext) => Promise<void>) | undefined;
  /** Measures each delivery attempt (the engine's `telemetry` option). */
  readonly telemetry?: EngineTelemetry;
  /** Told about each failed attempt (`warn`), dead letter (`error`) and delivery (`debug`). */
  readonly logger?: EngineLogger;
}

/** What one {@link Dispatcher.dispatchOnce} pass did. */
export interface DispatchStats {
  /** Messages claimed. */
  readonly claimed: number;
  /** Messages the channel accepted. */
  readonly delivered: number;
  /** Failed attempts rescheduled for a retry. */
  readonly retried: number;
  /** Messages moved to the dead letters. */
  readonly deadLettered: number;
  /** Claimed messages not attempted because the lease would expire first; they are retaken later. */
  readonly skipped: number;
  /** Results that could not be recorded because the lease had passed to another dispatcher. */
  readonly leaseLost: number;
}

/** Sends due outbox messages through their notifiers. */
export interface Dispatcher {
  /** Claims one batch of due messages, sends them and records each outcome. Never throws for a failed delivery. */
  dispatchOnce(): Promise<DispatchStats>;
}

/** The longest any delay may be (backoff and `Retry-After`): 30 days. */
const MAX_DELAY_MS = 30 * 24 * 3_600_000;

const optionsSchema = /* @__PURE__ */ (() => z
  .object({
    tenantId: z.string().min(1),
    maxAttempts: z.number().int().min(1).max(100),
    baseMs: z.number().int().min(0).max(MAX_DELAY_MS),
    maxMs: z.number().int().min(0).max(MAX_DELAY_MS),
    maxRetryAfterMs: z.number().int().min(0).max(MAX_DELAY_MS),
    timeoutMs: z.number().int().min(1),
    concurrency: z.number().int().min(1).max(1_000),
    batchSize: z.number().int().min(1).max(10_000),
    leaseMs: z.number().int().min(1),
    owner: z.string().min(1).max(200),
  })
  .refine((o) => o.maxMs >= o.baseMs, { message: 'delivery.backoff.maxMs must be at least baseMs.', path: ['maxMs'] })
  .refine((o) => o.leaseMs > o.timeoutMs, { message: 'leaseMs must be longer than delivery.timeoutMs.', path: ['leaseMs'] }))();

/**
 * The delay before retry number `attempt` (1 after the first failure): exponential backoff
 * with full jitter, `random() × min(maxMs, baseMs × 2^(attempt−1))`, rounded down.
 *
 * @example
 * ```ts
 * import { backoffDelay } from 'incidentkit';
 *
 * backoffDelay(3, { baseMs: 1_000, maxMs: 60_000 }, () => 0.5); // 2 000
 * ```
 */
export function backoffDelay(attempt: number, backoff: { readonly baseMs: number; readonly maxMs: number }, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/**
 * Normalises anything a notifier threw into a NotifierError: NotifierErrors pass through,
 * anything else is a retryable failure.
 *
 * @internal
 */
export function toNotifierError(error: unknown, notifier: string): NotifierError {
  if (error instanceof NotifierError) return error;
  if (isIncidentKitError(error, 'NOTIFIER_FAILED')) {
    const details = error.details as { retryable?: unknown; retryAfterMs?: unknown; status?: unknown };
    return new NotifierError(
      {
        notifier,
        retryable: details.retryable === true,
        ...(typeof details.status === 'number' ? { status: details.status } : {}),
        ...(typeof details.retryAfterMs === 'number' ? { retryAfterMs: details.retryAfterMs } : {}),
      },
      error.message,
      error,
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return new NotifierError({ notifier, retryable: true }, `the notifier threw: ${text}; it will be retried.`, error);
}

/**
 * The wait a channel asked for (`retryAfterMs`), made safe: not a positive number → 0 (the
 * backoff applies), anything longer than `max` (including `Infinity`) → `max`.
 *
 * @internal
 */
export function boundedRetryAfter(retryAfterMs: unknown, max: number): number {
  if (typeof retryAfterMs !== 'number' || Number.isNaN(retryAfterMs) || retryAfterMs <= 0) return 0;
  return Math.min(Math.ceil(retryAfterMs), max);
}

function randomOwner(): string {
  return `dispatcher_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Runs `send` and rejects with a retryable NotifierError when `timeoutMs` passes first. */
async function attemptWithTimeout(channel: string, send: (signal: AbortSignal) => Promise<void>, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new NotifierError(
        { notifier: channel, retryable: true },
        `the attempt took longer than ${String(timeoutMs)} ms and was aborted; it will be retried.`,
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const sending = Promise.resolve().then(() => send(controller.signal));
  // A notifier that ignores its signal may settle after the timeout: nobody awaits it then.
  sending.catch(() => undefined);
  try {
    await Promise.race([sending, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the notification dispatcher: it drains the outbox with leases, sends through the
 * configured notifiers, retries with exponential backoff and full jitter, honours
 * `Retry-After` (up to `delivery.maxRetryAfterMs`), and dead-letters what cannot be delivered.
 *
 * @remarks
 * Delivery is at least once: a message is marked delivered only after its notifier resolved,
 * so a crash in between sends it again, always with the same idempotency key. A claimed message
 * whose lease would run out before its attempt could time out is left for a later pass, so two
 * dispatchers never send one message at the same time. The per-attempt timeout uses the
 * runtime's timers (it bounds real I/O); every other time (due, retry, lease) comes from `clock`.
 * After `maxAttempts` (or a failure with `retryable: false`, or a message for a notifier that is
 * not configured) the message is dead-lettered; a redelivered dead letter gets one more attempt
 * each time it is redelivered. A `Retry-After` longer than `maxRetryAfterMs` (or not a finite
 * number) waits `maxRetryAfterMs`; every failed attempt is counted, and a message whose next
 * attempt time cannot be computed is dead-lettered rather than re-sent.
 *
 * @example
 * ```ts
 * import { consoleNotifier, createDispatcher, memoryStore, systemClock } from 'incidentkit';
 *
 * const dispatcher = createDispatcher({
 *   store: memoryStore(),
 *   tenantId: 'default',
 *   notifiers: { console: consoleNotifier() },
 *   clock: systemClock,
 *   delivery: { maxAttempts: 8, backoff: { baseMs: 1_000, maxMs: 600_000 }, maxRetryAfterMs: 900_000, timeoutMs: 10_000 },
 * });
 * const stats = await dispatcher.dispatchOnce();
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) for invalid delivery options, e.g. `leaseMs` not longer than `timeoutMs`.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const delivery = options.delivery ?? {};
  const config = parseConfig(
    optionsSchema,
    {
      tenantId: options.tenantId,
      maxAttempts: delivery.maxAttempts ?? 10,
      baseMs: delivery.backoff?.baseMs ?? 5_000,
      maxMs: delivery.backoff?.maxMs ?? 3_600_000,
      maxRetryAfterMs: delivery.maxRetryAfterMs ?? 3_600_000,
      timeoutMs: delivery.timeoutMs ?? 15_000,
      concurrency: delivery.concurrency ?? 8,
      batchSize: delivery.batchSize ?? 50,
      leaseMs: options.leaseMs ?? 300_000,
      owner: options.owner ?? randomOwner(),
    },
    'createDispatcher',
  );
  const { store, clock, notifiers } = options;

  /** A person with the address `contacts` gives for the notifier (asked now). */
  async function addressOf(userId: string, channel: string): Promise<{ readonly userId: string; readonly address: string }> {
    const address = (await options.contacts?.(userId))?.[channel];
    if (typeof address !== 'string' || address === '') {
      throw new NotifierError(
        { notifier: channel, retryable: false },
        `user '${userId}' has no address for the notifier '${channel}' in contacts; add one and redeliver the message.`,
      );
    }
    return { userId, address };
  }
  const random = options.random ?? Math.random;

  function emit<K extends keyof NotificationEvents>(name: K, payload: NotificationEvents[K]): void {
    try {
      options.emit?.(name, payload);
    } catch {
      // Observers must never break delivery.
    }
  }

  type Outcome = 'delivered' | 'retried' | 'deadLettered' | 'skipped' | 'leaseLost';

  /** When to try again after a retryable failure, or why no time could be computed. */
  function nextAttemptAt(finishedAt: Date, attempt: number, failure: NotifierError): { readonly at: string } | { readonly problem: string } {
    try {
      const waited = boundedRetryAfter(failure.details.retryAfterMs, config.maxRetryAfterMs);
      const delay = Math.max(backoffDelay(attempt, config, random), waited);
      return { at: new Date(finishedAt.getTime() + delay).toISOString() };
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  }

  async function deliver(claim: Claimed<OutboxRecord>): Promise<Outcome> {
    const record = claim.item;
    const attempt = record.attempts + 1;
    const startedAt = clock.now();
    if (startedAt.getTime() + config.timeoutMs >= Date.parse(claim.leaseUntil)) return 'skipped';


    const notifier = Object.hasOwn(notifiers, record.channel) ? notifiers[record.channel] : undefined;
    // A payload `{ notice }` is a message to a person about no incident; anything else is an incident notification.
    const isNotice = Object.hasOwn(record.payload, 'notice');
    const parsed = isNotice ? undefined : notificationMessageSchema.safeParse(record.payload);
    const parsedNotice = isNotice ? noticeMessageSchema.safeParse(record.payload.notice) : undefined;
    const eventType = parsed?.success === true ? parsed.data.event.type : undefined;
    const noticeKind = parsedNotice?.success === true ? parsedNotice.data.kind : undefined;
    const info = (): NotificationDeliveryInfo => ({
      messageId: record.id,
      notifier: record.channel,
      idempotencyKey: record.idempotencyKey,
      tenantId: record.tenantId,
      incidentId: record.incidentId,
      ...(eventType === undefined ? {} : { eventType }),
      ...(noticeKind === undefined ? {} : { notice: noticeKind }),
      attempt,
      at: clock.now().toISOString(),
    });
    const permanent = (message: string, cause?: unknown): NotifierError => new NotifierError({ notifier: record.channel, retryable: false }, message, cause);

    let failure: NotifierError | undefined;
    const channel = record.channel.startsWith('feature:') ? options.channels?.(record.channel) : undefined;
    if (channel !== undefined) {
      try {
        await attemptWithTimeout(record.channel, (signal) => channel(record, { attempt, idempotencyKey: record.idempotencyKey, now: startedAt, signal }), config.timeoutMs);
      } catch (error) {
        failure = toNotifierError(error, record.channel);
      }
    } else if (notifier === undefined) {
      failure = permanent(`no notifier named '${record.channel}' is configured; configure it and redeliver the message.`);
    } else if (parsedNotice !== undefined) {
      if (!parsedNotice.success) {
        failure = permanent(`the stored notice ${record.id} is not a valid notice (${parsedNotice.error.issues[0]?.message ?? 'invalid'}).`, parsedNotice.error);
      } else if (typeof notifier.sendNotice !== 'function') {
        failure = permanent(`the notifier '${record.channel}' cannot send notices to people (it has no sendNotice); give the user another contact and redeliver the message.`);
      } else {
        const sendNotice = notifier.sendNotice.bind(notifier);
        try {
          const stored = { ...(parsedNotice.data as NoticeMessage), idempotencyKey: record.idempotencyKey };
          const notice = { ...stored, recipient: await addressOf(stored.recipient.userId, record.channel) };
          await attemptWithTimeout(record.channel, (signal) => sendNotice(notice, { attempt, idempotencyKey: record.idempotencyKey, now: startedAt, signal }), config.timeoutMs);
        } catch (error) {
          failure = toNotifierError(error, record.channel);
        }
      }
    } else if (parsed?.success !== true) {
      failure = permanent(`the stored message ${record.id} is not a valid notification (${parsed?.error.issues[0]?.message ?? 'invalid'}).`, parsed?.error);
    } else {
      const stored = {
        ...(parsed.data as unknown as NotificationMessage),
        incident: parsed.data.incident as unknown as Incident,
        event: parsed.data.event as unknown as StoredEvent,
        idempotencyKey: record.idempotencyKey,
      };
      try {
        const message = stored.recipient === undefined ? stored : { ...stored, recipient: await addressOf(stored.recipient.userId, record.channel) };
        await attemptWithTimeout(record.channel, (signal) => notifier.send(message, { attempt, idempotencyKey: record.idempotencyKey, now: startedAt, signal }), config.timeoutMs);
      } catch (error) {
        failure = toNotifierError(error, record.channel);
      }
    }

    const about = { tenantId: record.tenantId, component: 'delivery', messageId: record.id, incidentId: record.incidentId, channel: record.channel, attempt };
    if (failure === undefined) {
      const completed = await store.completeOutbox(claim);
      emit('notification.delivered', info());
      logTo(options.logger, 'debug', about, `Delivered message ${record.id} through '${record.channel}'.`);
      return completed ? 'delivered' : 'leaseLost';
    }

    let lastError = failure.message;
    if (failure.retryable && attempt < config.maxAttempts) {
      const next = nextAttemptAt(clock.now(), attempt, failure);
      if ('at' in next) {
        const recorded = await store.failOutbox(claim, { error: failure.message, retryAt: next.at });
        if (!recorded) return 'leaseLost';
        emit('notification.failed', { ...info(), error: failure, retryAt: next.at });
        logTo(options.logger, 'warn', { ...about, err: failure, retryAt: next.at }, `Delivering message ${record.id} through '${record.channel}' failed; retrying at ${next.at}.`);
        return 'retried';
      }
      // The attempt still counts: a message whose next time cannot be computed is dead-lettered, never re-sent blindly.
      lastError = `${failure.message} No retry could be scheduled (${next.problem}); dead-lettered.`;
    }
    const recorded = await store.failOutbox(claim, { error: lastError });
    if (!recorded) return 'leaseLost';
    emit('notification.dead_lettered', { ...info(), error: failure });
    logTo(options.logger, 'error', { ...about, err: failure }, `Message ${record.id} through '${record.channel}' was dead-lettered after ${String(attempt)} attempt(s): ${lastError}`);
    return 'deadLettered';
  }

  return {
    async dispatchOnce() {
      const claims = await store.claimOutbox({
        tenantId: config.tenantId,
        now: clock.now().toISOString(),
        owner: config.owner,
        leaseMs: config.leaseMs,
        limit: config.batchSize,
      });
      const counts: Record<Outcome, number> = { delivered: 0, retried: 0, deadLettered: 0, skipped: 0, leaseLost: 0 };
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < claims.length) {
          const claim = claims[next];
          next += 1;
          if (claim === undefined) continue;
          let outcome: Outcome;
          try {
            const { telemetry } = options;
            outcome =
              telemetry === undefined
                ? await deliver(claim)
                : await telemetry.delivery(
                    { tenantId: claim.item.tenantId, incidentId: claim.item.incidentId, channel: claim.item.channel, messageId: claim.item.id, attempt: claim.item.attempts + 1 },
                    () => deliver(claim),
                  );
          } catch {
            // The store failed to record the outcome: the lease expires and the message comes back.
            outcome = 'leaseLost';
          }
          counts[outcome] += 1;
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.concurrency, claims.length) }, worker));
      return { claimed: claims.length, ...counts };
    },
  };
}
