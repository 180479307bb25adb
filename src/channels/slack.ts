import { createKeyedQueue } from '../kernel/keyedQueue.js';
import { ConfigError, NotifierError } from '../errors.js';
import { formatTime } from '../kernel/timeFormat.js';
import { defineNotifier, type NoticeMessage, type NotificationMessage, type Notifier, type NotifierContext } from '../model/notification.js';
import { truncate } from '../kernel/text.js';
import { readBodyPrefix, type BodyPrefix } from './responseBody.js';
import { createIncidentChannels, type SlackIncidentChannelOptions } from './slackIncidentChannels.js';
import {
  fetchOf,
  httpFailure,
  parseRetryAfter,
  post,
  postForSuccess,
  requireAllowUrl,
  requireHttpUrl,
  type AllowUrl,
  type FetchLike,
} from './webhook.js';

/** A Block Kit block as this notifier produces it. */
export type SlackBlock = Readonly<Record<string, unknown>> & { readonly type: string };

/** A Slack message: Block Kit blocks and the plain `text` fallback (notifications, screen readers). */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** Slack's limits (docs.slack.dev Block Kit reference). */
const LIMITS = { header: 150, sectionText: 3000, field: 2000, buttonText: 75, blockId: 255, fallback: 4000, buttons: 25 } as const;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A `block_id` from the idempotency key: unique per message, within Slack's 255 characters. */
function blockId(key: string): string {
  return truncate(`incidentkit:${key}`, LIMITS.blockId);
}

/**
 * Renders a message as Slack Block Kit: a header with severity and title, the body, the
 * incident's facts as fields, link buttons, and a context line; plus the `text` fallback.
 *
 * @remarks The context block's `block_id` is `incidentkit:<idempotency key>`, so receivers (and
 * tests) can tell deliveries of the same message apart from new ones.
 *
 * @example
 * ```ts
 * import { renderSlackMessage } from 'incidentkit/notifiers';
 * import type { NotificationMessage } from 'incidentkit';
 *
 * declare const message: NotificationMessage;
 * const { text, blocks } = renderSlackMessage(message);
 * ```
 */
export function renderSlackMessage(message: NotificationMessage): SlackMessage {
  const { incident } = message;
  const fields = [
    `*Severity*\n${escapeMrkdwn(message.severity)}`,
    `*Status*\n${escapeMrkdwn(incident.status)}`,
    ...(incident.service === undefined ? [] : [`*Service*\n${escapeMrkdwn(incident.service)}`]),
    `*Incident*\n${escapeMrkdwn(incident.id)}`,
  ].map((text) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.field) }));
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`[${message.severity}] ${message.title}`, LIMITS.header), emoji: true } },
  ];
  if (message.text !== '') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(message.text), LIMITS.sectionText) } });
  }
  blocks.push({ type: 'section', fields });
  if (message.links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: message.links.slice(0, LIMITS.buttons).map((link, index) => ({
        type: 'button',
        action_id: `incidentkit_link_${String(index)}`,
        text: { type: 'plain_text', text: truncate(link.label, LIMITS.buttonText) },
        url: link.url,
      })),
    });
  }
  blocks.push({
    type: 'context',
    block_id: blockId(message.idempotencyKey),
    elements: [
      {
        type: 'mrkdwn',
        text: escapeMrkdwn(`${message.event.type} · ${formatTime(message.event.at)} · ${message.audience}`),
      },
    ],
  });
  // The fallback is mrkdwn too: escaped so that text like `<!channel>` never pings anyone.
  const text = truncate(escapeMrkdwn(`[${message.severity}] ${message.title}${message.text === '' ? '' : `\n${message.text}`}`), LIMITS.fallback);
  return { text, blocks };
}

/**
 * Renders a notice to a person (e.g. an on-call hand-off) as Slack Block Kit: a header, the
 * body, link buttons and a context line; plus the `text` fallback. `mention` (a Slack user id)
 * starts the body with `<@id>`, for a channel that an incoming webhook posts to.
 *
 * @example
 * ```ts
 * import { renderSlackNotice } from 'incidentkit/notifiers';
 * import type { NoticeMessage } from 'incidentkit';
 *
 * declare const notice: NoticeMessage;
 * const { text, blocks } = renderSlackNotice(notice);
 * ```
 */
export function renderSlackNotice(notice: NoticeMessage, mention?: string): SlackMessage {
  // A Slack user id is letters and digits; anything else is not mentioned (it could ping a channel).
  const ping = mention !== undefined && /^[A-Z0-9]{1,30}$/.test(mention) ? `<@${mention}> ` : '';
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(notice.title, LIMITS.header), emoji: true } }];
  const body = `${ping}${escapeMrkdwn(notice.text)}`;
  if (body !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(body, LIMITS.sectionText) } });
  if (notice.links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: notice.links.slice(0, LIMITS.buttons).map((link, index) => ({
        type: 'button',
        action_id: `incidentkit_link_${String(index)}`,
        text: { type: 'plain_text', text: truncate(link.label, LIMITS.buttonText) },
        url: link.url,
      })),
    });
  }
  blocks.push({ type: 'context', block_id: blockId(notice.idempotencyKey), elements: [{ type: 'mrkdwn', text: escapeMrkdwn(`${notice.kind} notice`) }] });
  const text = truncate(`${ping}${escapeMrkdwn(notice.title)}${notice.text === '' ? '' : `\n${escapeMrkdwn(notice.text)}`}`, LIMITS.fallback);
  return { text, blocks };
}

/**
 * Where the Slack notifier keeps the thread of each incident (the `ts` of its first message).
 *
 * @remarks The default, {@link memoryThreadStore}, forgets threads on restart: later messages
 * then start a new thread. Give a durable one (a table, Redis, the host's key-value store) to
 * keep threads across restarts and across several instances.
 */
export interface SlackThreadStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, ts: string): Promise<void>;
}

/**
 * An in-memory {@link SlackThreadStore}: threads live as long as the process.
 *
 * @example
 * ```ts
 * import { memoryThreadStore } from 'incidentkit/notifiers';
 *
 * const threads = memoryThreadStore();
 * ```
 */
export function memoryThreadStore(): SlackThreadStore {
  const threads = new Map<string, string>();
  return {
    get: (key) => Promise.resolve(threads.get(key)),
    set: (key, ts) => {
      threads.set(key, ts);
      return Promise.resolve();
    },
  };
}

/** Options of {@link slackNotifier} with an incoming webhook. */
export interface SlackWebhookOptions {
  /** The incoming webhook URL (`https://hooks.slack.com/services/…`). */
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

/** Options of {@link slackNotifier} with a bot token and `chat.postMessage`. */
export interface SlackApiOptions {
  /** A bot token (`xoxb-…`) with the `chat:write` scope. */
  readonly token: string;
  /**
   * The team channel id (e.g. `C0123456789`) or name, where each incident gets a thread. May be
   * left out only with `incidentChannels`: messages then go to the incident channels (and people's
   * direct messages) alone.
   */
  readonly channel?: string;
  /** Default: `https://slack.com/api`. */
  readonly apiBaseUrl?: string;
  /** Where the thread of each incident is kept. Default: {@link memoryThreadStore}. */
  readonly threadStore?: SlackThreadStore;
  /** Replies of these event types are also shown in the channel. Default: `RESOLVED`, `REOPENED`. */
  readonly broadcast?: readonly string[];
  readonly name?: string;
  /**
   * Let drills (`incident.drill`) reach this channel. Default: `false` (a drill's messages for it
   * are only recorded as "would have sent"). See docs/drills.md.
   */
  readonly drillSafe?: boolean;
  readonly fetch?: FetchLike;
  /** Checked with the Web API method's URL before every call; a URL it refuses fails permanently. Default: every URL is allowed. */
  readonly allowUrl?: AllowUrl;
  /**
   * A channel per incident with a live incident message (see {@link SlackIncidentChannelOptions}).
   * Off by default; `{}` turns it on for every incident. The token then needs `channels:manage`
   * and `channels:read` too. Keep `threadStore` durable: the channels are remembered there.
   */
  readonly incidentChannels?: SlackIncidentChannelOptions;
}

/** Options of {@link slackNotifier}: an incoming webhook, or a bot token and channel. */
export type SlackNotifierOptions = SlackWebhookOptions | SlackApiOptions;

/** `ok: false` errors of the Web API that a later attempt may get past. */
const RETRYABLE_API_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'fatal_error',
  'internal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

function webhookNotifierFor(options: SlackWebhookOptions): Notifier {
  const name = options.name ?? 'slack';
  const url = requireHttpUrl(options.webhookUrl, 'slackNotifier', 'webhookUrl');
  const allowUrl = requireAllowUrl(options.allowUrl, 'slackNotifier');
  const fetchImpl = fetchOf(options);
  return defineNotifier({
    ...(options.drillSafe === true ? { drillSafe: true } : {}),
    name,
    async send(message: NotificationMessage, context: NotifierContext) {
      const body = JSON.stringify(renderSlackMessage({ ...message, idempotencyKey: context.idempotencyKey }));
      await postForSuccess(fetchImpl, name, url, { 'content-type': 'application/json; charset=utf-8' }, body, context, 'the Slack incoming webhook', {
        allowUrl,
      });
    },
    // An incoming webhook posts to its own channel: the notice mentions the person there.
    async sendNotice(notice: NoticeMessage, context: NotifierContext) {
      const body = JSON.stringify(renderSlackNotice({ ...notice, idempotencyKey: context.idempotencyKey }, notice.recipient.address));
      await postForSuccess(fetchImpl, name, url, { 'content-type': 'application/json; charset=utf-8' }, body, context, 'the Slack incoming webhook', {
        allowUrl,
      });
    },
  });
}

type PostMessageAnswer = Readonly<Record<string, unknown>> & {
  readonly ok?: unknown;
  readonly error?: unknown;
  readonly ts?: unknown;
};

/**
 * How much of a `chat.postMessage` answer is read: 64 KiB holds the answer to any message this
 * notifier sends (Slack echoes the message back); the rest of a longer body is cancelled.
 */
const MAX_API_ANSWER_BYTES = 64 * 1024;

/** How much of a `conversations.list` answer is read: a page of 200 channels. */
const MAX_LIST_ANSWER_BYTES = 1024 * 1024;

/** Web API methods that read: Slack documents JSON bodies for write methods only. */
const READ_METHODS = new Set(['conversations.list']);

/** What to check when a Web API method fails permanently, by method. */
const HINTS: Readonly<Record<string, string>> = {
  'chat.postMessage': 'check the token, its chat:write scope and that the bot is in the channel.',
  'chat.update': 'check the token and its chat:write scope; the incident message may have been deleted.',
  'conversations.create': 'check the token, its channels:manage scope and the channel name template.',
  'conversations.setTopic': 'check the token and its channels:manage scope.',
  'conversations.invite': 'check the token and its channels:manage scope; the channel may have been archived or deleted.',
  'conversations.archive': 'check the token and its channels:manage scope.',
  'conversations.list': 'check the token and its channels:read scope.',
};

/** A top-level `"key": value` near the start of a cut-off JSON object (Slack sends `ok` first). */
const TOP_LEVEL_OK = /^\{\s*"ok"\s*:\s*(true|false)/;
const TOP_LEVEL_ERROR = /[{,]\s*"error"\s*:\s*"([a-z0-9_]{1,100})"/;
const TOP_LEVEL_TS = /[{,]\s*"ts"\s*:\s*"(\d{1,20}\.\d{1,20})"/;

/** The answer of `chat.postMessage`: parsed JSON, or what the start of a cut-off answer shows. */
function postMessageAnswer(prefix: BodyPrefix): PostMessageAnswer | undefined {
  try {
    return JSON.parse(prefix.text) as PostMessageAnswer;
  } catch {
    if (!prefix.truncated) return undefined;
  }
  const ok = TOP_LEVEL_OK.exec(prefix.text)?.[1];
  if (ok === undefined) return undefined;
  const error = TOP_LEVEL_ERROR.exec(prefix.text)?.[1];
  const ts = TOP_LEVEL_TS.exec(prefix.text)?.[1];
  return { ok: ok === 'true', ...(error === undefined ? {} : { error }), ...(ts === undefined ? {} : { ts }) };
}

function apiNotifierFor(options: SlackApiOptions): Notifier {
  const name = options.name ?? 'slack';
  const channelGiven = typeof options.channel === 'string' && options.channel.trim() !== '';
  if (typeof options.token !== 'string' || options.token.trim() === '' || (!channelGiven && (options.channel !== undefined || options.incidentChannels === undefined))) {
    throw new ConfigError('slackNotifier', [
      { code: 'custom', path: ['token'], message: 'Give a bot token (xoxb-…) and a channel (or incidentChannels), or an incoming webhookUrl.' },
    ]);
  }
  const teamChannel = channelGiven ? options.channel : undefined;
  const apiUrl = requireHttpUrl(options.apiBaseUrl ?? 'https://slack.com/api', 'slackNotifier', 'apiBaseUrl');
  // Trailing slashes trimmed by hand: /\/+$/ backtracks quadratically on a run of slashes.
  let end = apiUrl.length;
  while (end > 0 && apiUrl[end - 1] === '/') end -= 1;
  const base = apiUrl.slice(0, end);
  const allowUrl = requireAllowUrl(options.allowUrl, 'slackNotifier');
  const threads = options.threadStore ?? memoryThreadStore();
  const broadcast = new Set(options.broadcast ?? ['RESOLVED', 'REOPENED']);
  const fetchImpl = fetchOf(options);
  // Messages about one incident are sent one after the other, so the first one's thread exists
  // before the next is sent (within this process).
  const serially = createKeyedQueue();

  /**
   * Calls a Web API method. Resolves with Slack's answer when it is `ok` or its error is one of
   * `accept`; otherwise rejects with a NotifierError.
   */
  async function call(method: string, body: Readonly<Record<string, unknown>>, context: NotifierContext, accept: readonly string[] = []): Promise<Readonly<Record<string, unknown>>> {
    // Slack takes JSON for write methods only: read methods (conversations.list) get a form.
    const form = READ_METHODS.has(method);
    const headers = { authorization: `Bearer ${options.token}`, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8' };
    const encoded = form ? new URLSearchParams(Object.entries(body).map(([key, value]) => [key, String(value)])).toString() : JSON.stringify(body);
    const response = await post(fetchImpl, name, `${base}/${method}`, headers, encoded, context.signal, allowUrl);
    if (response.status < 200 || response.status >= 300) {
      const { text, truncated } = await readBodyPrefix(response);
      throw httpFailure(name, response, text.length > 300 || truncated ? `${text.slice(0, 300)}…` : text, context.now, `Slack ${method}`);
    }
    // Slack answers HTTP 200 with `ok: false` on errors: the (bounded) body decides.
    const answer = postMessageAnswer(await readBodyPrefix(response, method === 'conversations.list' ? MAX_LIST_ANSWER_BYTES : MAX_API_ANSWER_BYTES));
    if (answer === undefined) {
      throw new NotifierError({ notifier: name, retryable: true, status: response.status }, `Slack ${method} answered with something that is not JSON; it will be retried.`);
    }
    if (answer.ok !== true) {
      const code = typeof answer.error === 'string' ? answer.error : 'unknown_error';
      if (accept.includes(code)) return answer;
      const retryable = RETRYABLE_API_ERRORS.has(code);
      const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after'), context.now) : undefined;
      throw new NotifierError(
        { notifier: name, retryable, status: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
        `Slack ${method} failed with '${code}'; ` + (retryable ? 'it will be retried.' : (HINTS[method] ?? HINTS['chat.postMessage'] ?? '')),
      );
    }
    return answer;
  }

  /** Posts with `chat.postMessage` and returns the message's `ts` (when Slack gave one). */
  async function postMessage(message: Readonly<Record<string, unknown>>, context: NotifierContext): Promise<string | undefined> {
    const answer = await call('chat.postMessage', message, context);
    return typeof answer.ts === 'string' ? answer.ts : undefined;
  }

  async function postOnce(message: NotificationMessage, context: NotifierContext, threadKey: string): Promise<void> {
    const threadTs = await threads.get(threadKey);
    const rendered = renderSlackMessage({ ...message, idempotencyKey: context.idempotencyKey });
    const ts = await postMessage(
      {
        // A message for one person is a direct message: posted to their Slack user id.
        channel: message.recipient?.address ?? teamChannel,
        text: rendered.text,
        blocks: rendered.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs, reply_broadcast: broadcast.has(message.event.type) }),
      },
      context,
    );
    if (threadTs === undefined && ts !== undefined) await threads.set(threadKey, ts);
  }

  const incidentChannels = options.incidentChannels === undefined ? undefined : createIncidentChannels(options.incidentChannels, { call }, threads);

  return defineNotifier({
    ...(options.drillSafe === true ? { drillSafe: true } : {}),
    name,
    send(message: NotificationMessage, context: NotifierContext) {
      const threadKey = `${message.incident.tenantId}:${message.incident.id}:${message.recipient?.address ?? teamChannel ?? ''}`;
      return serially(threadKey, async () => {
        // The incident channel first: it keeps its progress, so a retry caused by the thread
        // post below redoes nothing there. Messages for one person are direct messages only.
        if (incidentChannels !== undefined && message.recipient === undefined) await incidentChannels.handle(message, context);
        // Without a team channel, only people's direct messages are posted besides.
        if (message.recipient !== undefined || teamChannel !== undefined) await postOnce(message, context, threadKey);
      });
    },
    // A notice is a direct message to the person's Slack user id.
    async sendNotice(notice: NoticeMessage, context: NotifierContext) {
      const rendered = renderSlackNotice({ ...notice, idempotencyKey: context.idempotencyKey });
      await postMessage({ channel: notice.recipient.address ?? '', text: rendered.text, blocks: rendered.blocks, unfurl_links: false, unfurl_media: false }, context);
    },
  });
}

/**
 * A Slack notifier: through an incoming webhook, or through `chat.postMessage` with a bot
 * token, where later messages about an incident are replies in its thread.
 *
 * @remarks Messages are Block Kit with a `text` fallback. Incoming webhooks: 2xx is success as
 * soon as its headers arrive; 429 and 5xx are retryable. Web API: Slack answers HTTP 200 with
 * `ok: false` on errors, so at most 64 KiB of that JSON answer are read;
 * `ratelimited` and server-side errors are retryable (with `Retry-After`), others (e.g.
 * `channel_not_found`, `invalid_auth`, `not_in_channel`) are not. Of an error's body at most
 * 4 KiB are read. `allowUrl` is asked before every send. Threads are kept in
 * `threadStore` (in memory by default, so a restart starts a new thread); Slack has no
 * idempotency key, so a retry after a lost answer may post twice.
 *
 * With `incidentChannels` (bot token only), incidents also get their own channel with a live
 * incident message whose buttons the Slack app handles; see {@link SlackIncidentChannelOptions}
 * and docs/notifications.md "Incident channels". Those calls are made while a message is
 * delivered, so they are retried like it, and their progress is kept in `threadStore`.
 *
 * @example
 * ```ts
 * import { slackNotifier } from 'incidentkit/notifiers';
 *
 * const viaWebhook = slackNotifier({ webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' });
 * const viaApi = slackNotifier({ token: 'xoxb-your-token', channel: 'C0123456789' });
 * const withChannels = slackNotifier({
 *   token: 'xoxb-your-token',
 *   channel: 'C0123456789',
 *   incidentChannels: { when: { severities: ['SEV1', 'SEV2'] }, archiveOnClose: true },
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when neither a webhook URL nor a token and channel are
 * given, a URL is not absolute http(s), `allowUrl` is not a function, or `incidentChannels` is
 * malformed (e.g. `alwaysInvite` holds something that is not a Slack user id).
 */
export function slackNotifier(options: SlackNotifierOptions): Notifier {
  if ('webhookUrl' in options) return webhookNotifierFor(options);
  return apiNotifierFor(options);
}
