import { NotifierError } from '../errors.js';
import { formatTime } from '../kernel/timeFormat.js';
import { defineNotifier, type NotificationMessage, type Notifier, type NotifierContext } from '../model/notification.js';
import { truncate } from '../kernel/text.js';
import { fetchOf, postForSuccess, requireAllowUrl, requireHttpUrl, type AllowUrl, type FetchLike } from './webhook.js';

/** An Adaptive Card as this notifier produces it (schema 1.4, which Teams renders everywhere). */
export interface AdaptiveCard {
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly type: 'AdaptiveCard';
  readonly version: '1.4';
  readonly body: readonly Readonly<Record<string, unknown>>[];
  readonly actions?: readonly Readonly<Record<string, unknown>>[];
  readonly msteams?: Readonly<Record<string, unknown>>;
}

/** The message envelope Teams incoming webhooks and Workflows ("When a Teams webhook request is received") accept. */
export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [
    { readonly contentType: 'application/vnd.microsoft.card.adaptive'; readonly contentUrl: null; readonly content: AdaptiveCard },
  ];
}

/** Teams refuses messages over about 28 KB; bodies are cut well below that. */
const MAX_TEXT = 12_000;

/** Severities rendered in the card's attention colour; the rest are `warning`. */
const URGENT = /^(sev ?[12]|p[12]|critical|high|major)$/i;

/**
 * Renders a message as an Adaptive Card inside the Teams message envelope.
 *
 * @remarks The card's context line has the element id `incidentkit:<idempotency key>`.
 *
 * @example
 * ```ts
 * import { renderTeamsMessage } from 'incidentkit/notifiers';
 * import type { NotificationMessage } from 'incidentkit';
 *
 * declare const message: NotificationMessage;
 * const envelope = renderTeamsMessage(message);
 * ```
 */
export function renderTeamsMessage(message: NotificationMessage): TeamsMessage {
  const { incident } = message;
  const facts = [
    { title: 'Severity', value: message.severity },
    { title: 'Status', value: incident.status },
    ...(incident.service === undefined ? [] : [{ title: 'Service', value: incident.service }]),
    { title: 'Incident', value: incident.id },
  ];
  const card: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body: [
      {
        type: 'TextBlock',
        text: `[${message.severity}] ${message.title}`,
        size: 'Large',
        weight: 'Bolder',
        wrap: true,
        style: 'heading',
        color: URGENT.test(message.severity) ? 'Attention' : 'Warning',
      },
      ...(message.text === '' ? [] : [{ type: 'TextBlock', text: truncate(message.text, MAX_TEXT), wrap: true }]),
      { type: 'FactSet', facts },
      {
        type: 'TextBlock',
        id: `incidentkit:${message.idempotencyKey}`,
        text: `${message.event.type} · ${formatTime(message.event.at)} · ${message.audience}`,
        isSubtle: true,
        size: 'Small',
        wrap: true,
      },
    ],
    ...(message.links.length > 0
      ? { actions: message.links.slice(0, 6).map((link) => ({ type: 'Action.OpenUrl', title: link.label, url: link.url })) }
      : {}),
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

/** Options of {@link teamsNotifier}. */
export interface TeamsNotifierOptions {
  /** The Workflows (or legacy incoming-webhook) URL that posts to the channel. */
  readonly webhookUrl: string;
  readonly name?: string;
  /**
   * Let drills (`incident.drill`) reach this channel. Default: `false` (a drill's messages for it
   * are only recorded as "would have sent"). See docs/drills.md.
   */
  readonly drillSafe?: boolean;
  readonly fetch?: FetchLike;
  /** Checked before every send; a URL it refuses fails permanently. Default: every URL is allowed. See `denyPrivateNetworks`. */
  readonly allowUrl?: AllowUrl;
}

/**
 * A Microsoft Teams notifier: posts an Adaptive Card to a Workflows webhook ("When a Teams
 * webhook request is received") or a legacy incoming webhook.
 *
 * @remarks Workflows answer 202; legacy connectors answer 200 even when Teams refused the
 * message, with a body like `Webhook message delivery failed with error: Microsoft Teams
 * endpoint returned HTTP error 429 …`. Such bodies are failures: the embedded 429 and 5xx are
 * retryable, other codes (e.g. 400, 413 too large) are not. Other 2xx answers are success as
 * soon as their headers arrive. Of a 200's or an error's body at most 4 KiB are read (for at
 * most 2 s); the rest is cancelled. `allowUrl` is asked before every send.
 *
 * @example
 * ```ts
 * import { teamsNotifier } from 'incidentkit/notifiers';
 *
 * const teams = teamsNotifier({ webhookUrl: 'https://prod-00.westeurope.logic.azure.com/workflows/…' });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when `webhookUrl` is not an absolute http(s) URL or
 * `allowUrl` is not a function.
 */
export function teamsNotifier(options: TeamsNotifierOptions): Notifier {
  const name = options.name ?? 'teams';
  const url = requireHttpUrl(options.webhookUrl, 'teamsNotifier', 'webhookUrl');
  const allowUrl = requireAllowUrl(options.allowUrl, 'teamsNotifier');
  const fetchImpl = fetchOf(options);
  return defineNotifier({
    ...(options.drillSafe === true ? { drillSafe: true } : {}),
    name,
    async send(message: NotificationMessage, context: NotifierContext) {
      const body = JSON.stringify(renderTeamsMessage({ ...message, idempotencyKey: context.idempotencyKey }));
      // Legacy connectors refuse in the body of a 200, so the start of a 200's body is read too
      // (Workflows answer 202, which is success as soon as its headers arrive).
      const text = await postForSuccess(fetchImpl, name, url, { 'content-type': 'application/json' }, body, context, 'the Teams webhook', {
        allowUrl,
        readSuccessBody: (status) => status === 200,
      });
      const refused = /delivery failed with error/i.exec(text);
      if (refused !== null) {
        const status = Number(/HTTP error (\d{3})/i.exec(text)?.[1] ?? 0);
        const retryable = status === 0 || status === 429 || status >= 500;
        throw new NotifierError(
          { notifier: name, retryable, ...(status === 0 ? {} : { status }) },
          `Teams refused the message: ${text.trim()}; ${retryable ? 'it will be retried.' : 'it will not be retried.'}`,
        );
      }
    },
  });
}
