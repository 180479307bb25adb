import { computeClock } from '../features/compliance/computeClock.js';
import { gdpr } from '../features/compliance/regimes.js';
import { DEFAULT_NOTIFIED_EVENTS } from '../features/notifications/routing.js';
import { isIncidentKitError } from '../errors.js';
import type { IncidentEventType, StoredEvent } from '../model/event.js';
import type { Incident } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import { renderNotification } from '../features/notifications/render.js';
import { audienceOf, notificationIdempotencyKey } from '../features/notifications/routing.js';
import type { NotificationMessage, Notifier, NotifierContext } from '../model/notification.js';

/** The assertions the contract suites use; vitest's and jest's `expect` fit. */
export interface NotifierContractAssertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toContain(expected: unknown): void;
  toBeGreaterThan(expected: number): void;
}

/**
 * The test framework a contract suite registers its tests with: pass vitest's (or jest's)
 * functions, so the suite has no runtime dependency on either.
 */
export interface NotifierContractFramework {
  readonly describe: (name: string, fn: () => void) => void;
  readonly it: (name: string, fn: () => Promise<void>) => void;
  readonly expect: (actual: unknown) => NotifierContractAssertion;
  readonly beforeEach?: (fn: () => unknown) => void;
  readonly afterEach?: (fn: () => unknown) => void;
}

/** One delivery as the test's receiver saw it. */
export interface ReceivedNotification {
  /** The visible text of the delivery (title, body, fields), decoded from the channel's format. */
  readonly text: string;
  /** The idempotency key the delivery carried (a header, a block id, a Message-ID, …). */
  readonly idempotencyKey?: string;
}

/** Options of {@link runNotifierContract}. */
export interface NotifierContractOptions {
  /** The suite's name. Default: `notifier contract`. */
  readonly name?: string;
  /** A fresh notifier that delivers to the test's receiver; called before every test. */
  create(): Notifier | Promise<Notifier>;
  /** Every delivery the receiver got since the last `create()`, oldest first. */
  receive(): Promise<readonly ReceivedNotification[]>;
  /**
   * Notifiers whose channel fails, to check how failures are reported. Without them the two
   * failure-mapping tests are not registered.
   */
  readonly failing?: {
    /** The channel fails in a way a later attempt may get past (e.g. it answers 503). */
    retryable(): Notifier | Promise<Notifier>;
    /** The channel refuses the message for good (e.g. it answers 400). */
    permanent(): Notifier | Promise<Notifier>;
  };
}

/** The event types every notifier must render and deliver: those the engine notifies by default. */
export const CONTRACT_EVENT_TYPES = DEFAULT_NOTIFIED_EVENTS;

const SAMPLE_DATA: Readonly<Record<string, Readonly<Record<string, JsonValue>>>> = /* @__PURE__ */ (() => ({
  DECLARED: { title: 'Checkout API returns errors', severity: 'SEV1', service: 'checkout-api' },
  ACKNOWLEDGED: {},
  ESCALATED: { trigger: 'timer', step: 2, level: 2, cycle: 0, targets: ['team-payments', 'duty-manager'] },
  MITIGATED: { summary: 'Traffic failed over to the secondary region' },
  RESOLVED: { summary: 'Connection pool limits restored' },
  REOPENED: { reason: 'Errors came back after the failover was reverted' },
  CLOSED: {},
  CANCELED: { reason: 'duplicate', mergedInto: 'inc_contract_0' },
  MERGED_INTO: { into: 'inc_contract_0', previousStatus: 'responding', alertCount: 3, unresolvedAlertCount: 2 },
  UNMERGED: { from: 'inc_contract_0', status: 'responding', alerts: [], alertCount: 3, unresolvedAlertCount: 2 },
  UPDATE_POSTED: { audience: 'stakeholders', message: 'Payments are slow for some customers; next update in 30 minutes.' },
  REMINDER_DUE: { kind: 'status_update', everyMinutes: 30 },
  TARGET_BREACHED: { target: 'acknowledge', targetDueAt: '2026-01-01T10:05:00.000Z', dueAt: '2026-01-01T10:05:00.000Z' },
  NOBODY_PAGED: {
    step: 3,
    level: 2,
    cycle: 0,
    targets: [{ kind: 'schedule', id: 'payments-primary' }, { kind: 'role', role: 'commander' }],
  },
  REPORT_OVERDUE: {
    regime: 'gdpr',
    phase: 'notification',
    phaseDueAt: '2026-01-01T10:05:00.000Z',
    dueAt: '2026-01-01T10:05:00.001Z',
    clock: JSON.parse(
      JSON.stringify(computeClock(gdpr, { triggers: { awareness: '2025-12-29T10:05:00.000Z' }, now: '2026-01-01T10:05:00.001Z' })),
    ) as JsonValue,
  },
}))();

/**
 * A complete, rendered {@link NotificationMessage} about an event of `type` on a sample
 * incident: for notifier authors' own tests.
 *
 * @example
 * ```ts
 * import { sampleNotification } from 'incidentkit/testing';
 *
 * const message = sampleNotification('DECLARED');
 * console.log(message.title); // 'Incident declared: Checkout API returns errors'
 * ```
 */
export function sampleNotification(type: string, options: { readonly notifier?: string; readonly eventId?: string } = {}): NotificationMessage {
  const notifier = options.notifier ?? 'contract';
  const eventId = options.eventId ?? `evt_contract_${type.toLowerCase()}`;
  const incident: Incident = {
    id: 'inc_contract_1',
    tenantId: 'default',
    title: 'Checkout API returns errors',
    status: type === 'RESOLVED' ? 'resolved' : type === 'CLOSED' ? 'closed' : type === 'CANCELED' || type === 'MERGED_INTO' ? 'canceled' : 'responding',
    severity: 'SEV1',
    service: 'checkout-api',
    summary: 'Card payments fail for about 30 % of customers.',
    version: 2,
    startedAt: '2026-01-01T09:55:00.000Z',
    detectedAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:20:00.000Z',
    createdBy: { kind: 'user', id: 'u_alice', name: 'Alice' },
    roles: {},
    actionItems: [],
    labels: {},
    fields: {},
    reopenCount: 0,
    breaches: [],
    alerts: [],
    alertCount: 0,
    unresolvedAlertCount: 0,
    policy: { reviewRequiredFor: ['SEV1', 'SEV2'], targets: { SEV1: { acknowledgeWithinMinutes: 5, resolveWithinMinutes: 240 } } },
  };
  const systemEvent = type === 'ESCALATED' || type === 'REMINDER_DUE' || type === 'TARGET_BREACHED' || type === 'NOBODY_PAGED';
  const event: StoredEvent = {
    id: eventId,
    tenantId: incident.tenantId,
    incidentId: incident.id,
    seq: 2,
    type: type as IncidentEventType,
    at: '2026-01-01T10:20:00.000Z',
    actor: systemEvent ? { kind: 'system', id: 'incidentkit' } : { kind: 'user', id: 'u_bob', name: 'Bob' },
    data: SAMPLE_DATA[type] ?? {},
    hash: '0'.repeat(64),
  };
  const audience = audienceOf(event);
  const { title, text } = renderNotification({ incident, event, audience });
  return {
    id: `msg_contract_${type.toLowerCase()}`,
    idempotencyKey: notificationIdempotencyKey(event.id, notifier),
    notifier,
    incident,
    event,
    audience,
    severity: incident.severity,
    title,
    text,
    links: [{ label: 'Open incident', url: 'https://incidents.example.com/inc_contract_1' }],
  };
}

function contextFor(message: NotificationMessage, attempt = 1, signal: AbortSignal = new AbortController().signal): NotifierContext {
  return { signal, attempt, idempotencyKey: message.idempotencyKey, now: new Date('2026-01-01T10:20:01.000Z') };
}

async function failureOf(run: () => Promise<void>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * The notifier contract suite: proves that a notifier delivers a rendered message for every
 * event type, carries the idempotency key (the same on every attempt), and reports failures
 * as `NotifierError` with the right `retryable`.
 *
 * @remarks Run it with your test framework against a real receiver (an HTTP server on
 * 127.0.0.1, an SMTP server on loopback, …): `create` builds a notifier pointed at it and
 * `receive` returns what arrived, decoded to text.
 *
 * @example
 * ```ts
 * import { describe, it, expect } from 'vitest';
 * import { runNotifierContract } from 'incidentkit/testing';
 * import { consoleNotifier } from 'incidentkit';
 *
 * let lines: string[] = [];
 * runNotifierContract({ describe, it, expect }, {
 *   name: 'consoleNotifier',
 *   create: () => {
 *     lines = [];
 *     return consoleNotifier({ log: (line) => lines.push(line) });
 *   },
 *   receive: () => Promise.resolve(lines.map((text) => ({ text, idempotencyKey: /· (\S+)\)$/.exec(text)?.[1] }))),
 * });
 * ```
 */
export function runNotifierContract(framework: NotifierContractFramework, options: NotifierContractOptions): void {
  const { describe, it, expect } = framework;

  describe(options.name ?? 'notifier contract', () => {
    for (const type of CONTRACT_EVENT_TYPES) {
      it(`delivers a rendered ${type} message with its idempotency key`, async () => {
        const notifier = await options.create();
        const message = sampleNotification(type, { notifier: notifier.name });
        await notifier.send(message, contextFor(message));
        const received = await options.receive();
        expect(received.length).toBe(1);
        const delivery = received[0];
        expect(delivery?.text).toContain(message.title);
        expect(delivery?.text).toContain(message.incident.id);
        expect(delivery?.idempotencyKey).toBe(message.idempotencyKey);
      });
    }

    it('carries the same idempotency key on every attempt', async () => {
      const notifier = await options.create();
      const message = sampleNotification('DECLARED', { notifier: notifier.name });
      await notifier.send(message, contextFor(message, 1));
      await notifier.send(message, contextFor(message, 2));
      const received = await options.receive();
      expect(received.length).toBe(2);
      expect(received.map((delivery) => delivery.idempotencyKey)).toEqual([message.idempotencyKey, message.idempotencyKey]);
    });

    it('rejects with a retryable NotifierError and sends nothing when the attempt is already aborted', async () => {
      const notifier = await options.create();
      const message = sampleNotification('DECLARED', { notifier: notifier.name });
      const controller = new AbortController();
      controller.abort();
      const error = await failureOf(() => notifier.send(message, contextFor(message, 1, controller.signal)));
      expect(isIncidentKitError(error, 'NOTIFIER_FAILED')).toBe(true);
      expect((error as { retryable?: unknown }).retryable).toBe(true);
      expect((await options.receive()).length).toBe(0);
    });

    const failing = options.failing;
    if (failing !== undefined) {
      it('reports a transient channel failure as a retryable NotifierError', async () => {
        const notifier = await failing.retryable();
        const message = sampleNotification('DECLARED', { notifier: notifier.name });
        const error = await failureOf(() => notifier.send(message, contextFor(message)));
        expect(isIncidentKitError(error, 'NOTIFIER_FAILED')).toBe(true);
        expect((error as { retryable?: unknown }).retryable).toBe(true);
      });

      it('reports a permanent channel failure as a NotifierError that is not retryable', async () => {
        const notifier = await failing.permanent();
        const message = sampleNotification('DECLARED', { notifier: notifier.name });
        const error = await failureOf(() => notifier.send(message, contextFor(message)));
        expect(isIncidentKitError(error, 'NOTIFIER_FAILED')).toBe(true);
        expect((error as { retryable?: unknown }).retryable).toBe(false);
      });
    }
  });
}
