/**
 * The ready delivery of status page subscribers: email through the host's mail transport, with
 * a one-click unsubscribe (RFC 8058), and webhooks signed with Standard Webhooks. Kept apart from
 * the engine's subscriber records so that an engine without subscribers does not carry the
 * email and webhook code: the host imports it from `incidentkit/status-page` and passes it in.
 */
import { z } from 'zod';
import { ConfigError, NotifierError } from '../../errors.js';
import { escapeHtml, mailFailure, type MailTransport } from '../../channels/email.js';
import { signWebhook } from '../../channels/standardWebhooks.js';
import { fetchOf, postForSuccess, webhookIdFor, type AllowUrl, type FetchLike } from '../../channels/webhook.js';
import type { NotifierContext } from '../../model/notification.js';
import type { SubscriberDelivery, SubscriberMessage } from './subscribers.js';

/** Options of {@link statusPageSubscriberDelivery}. */
export interface StatusPageSubscriberDeliveryOptions {
  /** Email subscribers: a mail transport (e.g. nodemailer's `createTransport(…)`) and the sender. Without it, only webhooks can subscribe. */
  readonly email?: { readonly transport: MailTransport; readonly from: string };
  /**
   * Webhook subscribers: the `fetch` to use, and which URLs may be called
   * (`denyPrivateNetworks` from `incidentkit/notifiers` is a ready one; subscribers choose
   * their own URLs, so a public page should refuse private networks). `false`: no webhook
   * subscribers. Default: webhooks with the global `fetch`, every URL allowed.
   */
  readonly webhook?: false | { readonly fetch?: FetchLike; readonly allowUrl?: AllowUrl };
}

const NOTIFIER = 'statusPage subscribers';

const optionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    email: z
      .strictObject({
        transport: z.custom<MailTransport>((t) => typeof (t as MailTransport | undefined)?.sendMail === 'function', 'Must have sendMail(mail), e.g. nodemailer.createTransport(…).'),
        from: z.string().min(3).max(320).refine((from) => !/[\r\n]/.test(from), 'A sender is one line.'),
      })
      .optional(),
    webhook: z
      .union([
        z.literal(false),
        z.strictObject({
          fetch: z.custom<FetchLike>((f) => typeof f === 'function', 'Must be a function.').optional(),
          allowUrl: z.custom<AllowUrl>((f) => typeof f === 'function', 'Must be a function (url) => boolean.').optional(),
        }),
      ])
      .optional(),
  }))();

/**
 * The delivery of status page subscribers that the engine's `statusPageSubscribers` option
 * takes: confirmations and updates by email (`email`) and by signed webhook (unless `webhook:
 * false`).
 *
 * - **Email** goes through `email.transport` with a text and an HTML part, a Message-ID made from
 *   the message's idempotency key (a retry is recognisably the same mail), and
 *   `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
 * - **Webhooks** are `POST`s of JSON `{ type, timestamp, data }` (`data`: the page, the message's
 *   data and `unsubscribe_url`), signed with the subscriber's own secret by Standard Webhooks
 *   (`webhook-id`, `webhook-timestamp`, `webhook-signature`); a 2xx is success, 429 and 5xx are
 *   retried, other answers are not.
 *
 * @throws ConfigError (`CONFIG_INVALID`) for options of the wrong shape.
 *
 * @example
 * ```ts
 * import nodemailer from 'nodemailer';
 * import { denyPrivateNetworks } from 'incidentkit/notifiers';
 * import { statusPageSubscriberDelivery } from 'incidentkit/status-page';
 *
 * const delivery = statusPageSubscriberDelivery({
 *   email: { transport: nodemailer.createTransport({ host: 'smtp.example.com', port: 587 }), from: 'Acme status <status@acme.example>' },
 *   webhook: { allowUrl: denyPrivateNetworks },
 * });
 * ```
 */
export function statusPageSubscriberDelivery(options: StatusPageSubscriberDeliveryOptions = {}): SubscriberDelivery {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      'statusPageSubscriberDelivery',
      parsed.error.issues.map((i) => ({ code: i.code, path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })),
    );
  }
  const { email, webhook } = options;

  async function sendWebhook(message: SubscriberMessage, context: NotifierContext): Promise<void> {
    if (webhook === false) throw new NotifierError({ notifier: NOTIFIER, retryable: false }, 'this delivery sends no webhooks (webhook: false).');
    if (message.secret === undefined) throw new NotifierError({ notifier: NOTIFIER, retryable: false }, `webhook subscriber ${message.subscriberId} has no signing secret.`);
    const body = JSON.stringify({ type: message.type, timestamp: context.now.toISOString(), data: { page: message.page, ...message.data, unsubscribe_url: message.unsubscribeUrl } });
    const headers = await signWebhook({ secret: message.secret, id: webhookIdFor(message.idempotencyKey), timestamp: context.now, body });
    await postForSuccess(fetchOf(webhook ?? {}), NOTIFIER, message.address, { ...headers, 'content-type': 'application/json' }, body, context, 'the subscriber', {
      allowUrl: webhook?.allowUrl,
    });
  }

  async function sendEmail(message: SubscriberMessage, context: NotifierContext): Promise<void> {
    if (email === undefined) throw new NotifierError({ notifier: NOTIFIER, retryable: false }, 'email subscribers need statusPageSubscriberDelivery({ email: { transport, from } }); configure it and redeliver the message.');
    const unsubscribe = message.unsubscribeUrl;
    const text = `${message.text}\n\n--\nUnsubscribe: ${unsubscribe}\n`;
    const html = `<p>${escapeHtml(message.text).replaceAll('\n', '<br>')}</p><hr><p><a href="${escapeHtml(unsubscribe)}">Unsubscribe</a></p>`;
    const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(email.from.trim())?.[1] ?? 'incidentkit.invalid';
    try {
      await email.transport.sendMail({
        from: email.from,
        to: message.address,
        subject: message.subject.replace(/[\r\n]+/g, ' '),
        text,
        html,
        messageId: `<${webhookIdFor(message.idempotencyKey).replace(/[^A-Za-z0-9_.=-]/g, '=')}@${domain}>`,
        headers: {
          // RFC 8058: one-click unsubscribe by a POST to the link.
          'List-Unsubscribe': `<${unsubscribe}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Incidentkit-Idempotency-Key': message.idempotencyKey,
        },
        signal: context.signal,
      });
    } catch (error) {
      throw mailFailure(NOTIFIER, error);
    }
  }

  return {
    channels: { email: email !== undefined, webhook: webhook !== false },
    send: (message, context) => (message.channel === 'webhook' ? sendWebhook(message, context) : sendEmail(message, context)),
  };
}
