import { z } from 'zod';
import { ConfigError, type NotifierError } from '../errors.js';
import type { StoredEvent } from './event.js';
import type { Incident } from './incident.js';

/**
 * Who a notification is meant for. Posted updates carry the audience they were posted to;
 * every other event is `internal` (for responders).
 */
export type NotificationAudience = 'internal' | 'stakeholders' | 'public';

/** Every {@link NotificationAudience}, in a fixed order. */
export const NOTIFICATION_AUDIENCES = ['internal', 'stakeholders', 'public'] as const satisfies readonly NotificationAudience[];

/** A link shown with a notification, e.g. to the incident page of the host application. */
export interface NotificationLink {
  /** What the link opens, e.g. `Open incident`. */
  readonly label: string;
  /** An absolute `http:` or `https:` URL. */
  readonly url: string;
}

/**
 * The person a message is for, when a route addresses people (`recipients`) rather than a
 * channel: the user id, and the address the host's `contacts(userId)` gave for the message's
 * notifier (an email address, a Slack user id, a webhook URL …), filled in when it is sent.
 */
export interface NotificationRecipient {
  readonly userId: string;
  /** Present in what a notifier receives; absent in the stored outbox message. */
  readonly address?: string;
}

/**
 * The host's directory: a user's addresses by notifier name, e.g.
 * `{ email: 'ana@example.com', slack: 'U0123ABC' }`; `undefined` (or no entry for a notifier)
 * when the user cannot be reached there. Asked when each message is sent, so changes apply at once.
 */
export type Contacts = (userId: string) => Readonly<Record<string, string>> | undefined | Promise<Readonly<Record<string, string>> | undefined>;

/**
 * A channel-neutral notification: what happened to which incident, rendered as a title and a
 * plain-text body. Each notifier renders it in its channel's own format.
 *
 * @remarks Stored as JSON in the outbox, so it carries snapshots, not references: the incident
 * as it was right after the event, and the event itself.
 */
export interface NotificationMessage {
  /** The outbox message id. */
  readonly id: string;
  /**
   * Stable across every attempt to deliver this message (by default `${event.id}:${notifier}`),
   * so receivers can drop duplicates.
   */
  readonly idempotencyKey: string;
  /** The configured name of the notifier this message is for (the outbox `channel`). */
  readonly notifier: string;
  /** The incident right after the event(s) of the commit that queued this message. */
  readonly incident: Incident;
  /** The stored event this message is about. */
  readonly event: StoredEvent;
  /** Who the message is for. */
  readonly audience: NotificationAudience;
  /** The incident's severity when the message was queued, e.g. `SEV1`. */
  readonly severity: string;
  /** A one-line title, e.g. `Incident declared: Checkout API returns errors`. */
  readonly title: string;
  /** The plain-text body: short paragraphs separated by blank lines. */
  readonly text: string;
  /** Links to show with the message (absolute http(s) URLs). */
  readonly links: readonly NotificationLink[];
  /**
   * The person the message is for, when a route addresses people (`recipients`): the email
   * notifier sends to `address`, the Slack notifier posts to it (a user id: a direct message).
   */
  readonly recipient?: NotificationRecipient;
}

/**
 * A message to one person that is about no incident, e.g. the hand-off notice of an on-call
 * schedule ("You are on call from 09:00"). Notifiers that can reach a person implement
 * {@link Notifier.sendNotice}; the built-in email, Slack, webhook and console notifiers do.
 *
 * @remarks Stored as JSON in the outbox (with `incidentId: ''`) and delivered with the same
 * retries, backoff and dead letters as incident notifications. `recipient.address` is filled in
 * from the host's `contacts(userId)` when the notice is sent.
 */
export interface NoticeMessage {
  /** What the notice is about: `handoff` (an on-call shift is about to start). */
  readonly kind: 'handoff';
  /** The outbox message id. */
  readonly id: string;
  /** Stable across every attempt to deliver this notice. */
  readonly idempotencyKey: string;
  /** The configured name of the notifier this notice is for (the outbox `channel`). */
  readonly notifier: string;
  /** The person the notice is for, with the address `contacts` gave for this notifier. */
  readonly recipient: NotificationRecipient;
  /** A one-line title, e.g. `On call from Mon 9 Mar 09:00 (Europe/Berlin): SRE primary`. */
  readonly title: string;
  /** The plain-text body: short paragraphs separated by blank lines. */
  readonly text: string;
  readonly links: readonly NotificationLink[];
  /**
   * The facts behind the text, by kind. `handoff`: `{ scheduleId, scheduleName, timeZone, start,
   * end, incoming, outgoing }` (`start`/`end` ISO-8601 UTC; `end` is `null` when the shift has no
   * end within a year; `incoming`/`outgoing` user ids).
   */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What a notifier receives with each message besides the message itself. */
export interface NotifierContext {
  /**
   * Aborted when the attempt times out (the dispatcher's `delivery.timeoutMs`). Pass it to
   * `fetch` or your client; once it aborts the attempt counts as failed and retryable.
   */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** The same for every attempt of this message; equal to `message.idempotencyKey`. */
  readonly idempotencyKey: string;
  /** When this attempt started, from the dispatcher's clock. */
  readonly now: Date;
}

/**
 * Delivers notifications to one channel (a chat, a webhook receiver, a mailbox, …).
 *
 * @remarks `send` resolves once the channel accepted the message. It rejects with a
 * `NotifierError` whose `retryable` says whether a later attempt may succeed (and
 * `details.retryAfterMs` how long the channel asked to wait). Any other rejection counts as a
 * retryable failure. A notifier must be safe to call concurrently.
 */
export interface Notifier {
  /** Names the adapter in errors and logs, e.g. `webhook` or `slack`. */
  readonly name: string;
  /** Sends one message; see {@link NotifierContext} for the attempt's signal and key. */
  send(message: NotificationMessage, context: NotifierContext): Promise<void>;
  /**
   * Sends a {@link NoticeMessage} (a message to one person about no incident) to
   * `notice.recipient.address`. Optional: a notice for a notifier without it is dead-lettered
   * with a reason, and features only queue notices for notifiers that have it.
   */
  sendNotice?(notice: NoticeMessage, context: NotifierContext): Promise<void>;
  /**
   * Whether drills (`incident.drill`) may reach this channel (default `false`): a drill's
   * messages for a notifier that is not drill-safe are never sent, only recorded as "would have
   * sent" (`engine.wouldHaveSent(id)`). Mark a practice channel or a test pager drill-safe.
   */
  readonly drillSafe?: boolean;
}

const notifierSchema = /* @__PURE__ */ (() => z.object({
  name: z
    .string()
    .min(1, 'A notifier needs a name, e.g. "pager".')
    .max(100, 'Notifier names must be at most 100 characters.'),
  send: z.custom<Notifier['send']>((value) => typeof value === 'function', 'send must be a function (message, context) => Promise<void>.'),
  sendNotice: z.custom<NonNullable<Notifier['sendNotice']>>((value) => typeof value === 'function', 'sendNotice must be a function (notice, context) => Promise<void>.').optional(),
  drillSafe: z.boolean('drillSafe must be true or false.').optional(),
}))();

/**
 * Defines a custom notifier: checks its shape once and returns it frozen.
 *
 * @example
 * ```ts
 * import { defineNotifier, NotifierError } from 'incidentkit';
 *
 * const pager = defineNotifier({
 *   name: 'pager',
 *   async send(message, { signal, idempotencyKey }) {
 *     const response = await fetch('https://pager.example.com/api/pages', {
 *       method: 'POST',
 *       headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
 *       body: JSON.stringify({ summary: message.title, details: message.text }),
 *       signal,
 *     });
 *     if (!response.ok) {
 *       throw new NotifierError(
 *         { notifier: 'pager', retryable: response.status >= 500, status: response.status },
 *         `the pager API answered ${String(response.status)}.`,
 *       );
 *     }
 *   },
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when `name` is empty or `send` is not a function.
 */
export function defineNotifier(notifier: Notifier): Notifier {
  const result = notifierSchema.safeParse(notifier);
  if (!result.success) {
    throw new ConfigError(
      'defineNotifier',
      result.error.issues.map((issue) => ({ code: issue.code, path: issue.path, message: issue.message })),
      result.error,
    );
  }
  const send = notifier.send.bind(notifier);
  const sendNotice = notifier.sendNotice?.bind(notifier);
  return Object.freeze({
    name: notifier.name,
    send: (message: NotificationMessage, context: NotifierContext) => send(message, context),
    ...(sendNotice === undefined ? {} : { sendNotice: (notice: NoticeMessage, context: NotifierContext) => sendNotice(notice, context) }),
    ...(notifier.drillSafe === true ? { drillSafe: true } : {}),
  });
}

const linkSchema = /* @__PURE__ */ (() => z.object({ label: z.string(), url: z.string() }))();

/**
 * The schema of a {@link NotificationMessage} as the outbox stores it. The incident and the
 * event are checked for the fields notifiers rely on and kept whole.
 *
 * @internal
 */
export const notificationMessageSchema = /* @__PURE__ */ (() => z.object({
  id: z.string().min(1),
  idempotencyKey: z.string().min(1),
  notifier: z.string().min(1),
  incident: z.looseObject({
    id: z.string(),
    tenantId: z.string(),
    title: z.string(),
    status: z.string(),
    severity: z.string(),
  }),
  event: z.looseObject({
    id: z.string(),
    incidentId: z.string(),
    type: z.string(),
    at: z.string(),
    actor: z.looseObject({ id: z.string() }),
    data: z.record(z.string(), z.unknown()),
  }),
  audience: z.enum(NOTIFICATION_AUDIENCES),
  severity: z.string(),
  title: z.string(),
  text: z.string(),
  links: z.array(linkSchema),
  recipient: z.object({ userId: z.string().min(1), address: z.string().min(1).optional() }).optional(),
}))();

/**
 * The schema of a {@link NoticeMessage} as the outbox stores it: the payload is `{ notice }`.
 *
 * @internal
 */
export const noticeMessageSchema = /* @__PURE__ */ (() => z.object({
  kind: z.literal('handoff'),
  id: z.string().min(1),
  idempotencyKey: z.string().min(1),
  notifier: z.string().min(1),
  recipient: z.object({ userId: z.string().min(1), address: z.string().min(1).optional() }),
  title: z.string(),
  text: z.string(),
  links: z.array(linkSchema),
  data: z.record(z.string(), z.unknown()),
}))();

/** What every delivery event carries. */
export interface NotificationDeliveryInfo {
  readonly messageId: string;
  /** The configured notifier name (the outbox `channel`). */
  readonly notifier: string;
  readonly idempotencyKey: string;
  readonly tenantId: string;
  readonly incidentId: string;
  /** The stored event type the message is about, when the payload could be read. */
  readonly eventType?: string;
  /** For a {@link NoticeMessage} (then `incidentId` is `''`): its kind, e.g. `handoff`. */
  readonly notice?: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** When the attempt finished (ISO-8601 UTC, from the clock). */
  readonly at: string;
}

/** The events a dispatcher emits, with their payloads. */
export interface NotificationEvents {
  /** The channel accepted the message. */
  'notification.delivered': NotificationDeliveryInfo;
  /** An attempt failed; the message is retried at `retryAt`. */
  'notification.failed': NotificationDeliveryInfo & { readonly error: NotifierError; readonly retryAt: string };
  /** The message will not be retried: a permanent failure, or `maxAttempts` ran out. */
  'notification.dead_lettered': NotificationDeliveryInfo & { readonly error: NotifierError };
}
