/**
 * `slackApp`: a Slack incident bot in one object. Outbound it is today's `slackNotifier`;
 * inbound it serves Slack's slash commands, interactivity (the incident message's buttons and
 * the note modal) and the Events API, verified with the app's signing secret.
 */
import { z } from 'zod';
import { ConfigError, NotifierError } from '../../errors.js';
import { systemClock, type Clock } from '../../kernel/clock.js';
import { parseConfig } from '../../kernel/parse.js';
import { truncate, withoutTrailingSlashes } from '../../kernel/text.js';
import type { ActorInput } from '../../model/actor.js';
import type { Notifier } from '../../model/notification.js';
import { chatHelp, parseChatCommand, type ChatCommand, type ChatVerb } from '../../channels/chat/parseChatCommand.js';
import type { ChatReply } from '../../channels/chat/chatReply.js';
import { memoryThreadStore, slackNotifier, type SlackThreadStore } from '../../channels/slack.js';
import { incidentOfChannel, type SlackIncidentChannelOptions } from '../../channels/slackIncidentChannels.js';
import { renderSlackReply, SLACK_NOTE_INPUT, slackNoteModal, type SlackModalView, type SlackResponseMessage } from '../../channels/slack/render.js';
import {
  parseSlackEvent,
  parseSlackInteraction,
  parseSlackSlashCommand,
  SLACK_ACTION_IDS,
  SLACK_NOTE_CALLBACK_ID,
  type SlackBlockAction,
  type SlackViewSubmission,
} from '../../channels/slack/requests.js';
import { verifySlackSignature } from '../../channels/slack/signature.js';
import type { FetchLike } from '../../channels/webhook.js';
import { executeChatCommand, type ChatEngine } from '../chat/executeChatCommand.js';
import { answerChatRequest, ChatAppNotConnected, plain } from '../chat/chatApp.js';
import { decodeUtf8, readBody } from '../readBody.js';

/** Maps Slack users to incident actors. */
export interface SlackUsers {
  /**
   * The actor a Slack user acts as (`authorize` decides about it), or `null`/`undefined` for
   * someone who may not use the bot: they get an ephemeral refusal and nothing is written.
   * `profile.userName` is the Slack handle when Slack sent one.
   */
  resolve(slackUserId: string, profile: { readonly userName?: string }): ActorInput | null | undefined | Promise<ActorInput | null | undefined>;
}

/** Options of {@link slackApp}. */
export interface SlackAppOptions {
  /** The app's signing secret (Basic Information → App Credentials): every inbound request must be signed with it. */
  readonly signingSecret: string;
  /** The bot token (`xoxb-…`): posts notifications and opens the note modal (`views.open`). */
  readonly botToken: string;
  /**
   * The channel id (or name) the notifier posts to, as `slackNotifier`'s `channel`. May be left
   * out while incident channels are on: messages then go to each incident's own channel.
   */
  readonly channel?: string;
  /**
   * Incident channels (see `slackNotifier`'s `incidentChannels`): on by default (`{}`: a channel
   * for every incident, with the live incident message); `false` turns them off. Commands typed
   * in an incident channel then need no `#<id>`.
   */
  readonly channels?: SlackIncidentChannelOptions | false;
  /**
   * Where threads and incident channels are remembered. Default: in memory (a restart forgets
   * them); give `recordThreadStore(store)` to keep them in the engine's store.
   */
  readonly threadStore?: SlackThreadStore;
  /** The Web API's base URL. Default: `https://slack.com/api`. */
  readonly apiUrl?: string;
  /** Who Slack users are. Default: the Slack user id as the actor id, the Slack handle as its name. */
  readonly users?: SlackUsers;
  /** The slash command's name, as help texts show it. Default: the command Slack sent (e.g. `/incident`). */
  readonly commandName?: string;
  /** The incident of an incident channel, so commands there need no `#<id>`. Default: none (every command names its incident). */
  readonly incidentOfChannel?: (channelId: string) => string | undefined | Promise<string | undefined>;
  /** The severity of `declare` without one. Default: the least severe ranked level of the engine's scale. */
  readonly defaultSeverity?: string;
  /**
   * The emoji (its name without colons, e.g. `memo` for :memo:) that makes a message in an
   * incident channel a note on the incident's timeline: the scribe reacts with it, and the
   * message's text is added as a note by the person who reacted. Needs the `reaction_added`
   * event and the `reactions:read` and `channels:history` scopes (see docs/chat.md). Default:
   * none (reactions are ignored).
   */
  readonly noteReaction?: string;
  /** The clock of the replay window (a request's timestamp must be within 5 minutes of it). Default: the system clock. */
  readonly clock?: Clock;
  /** Used for `response_url` posts, `views.open` and the notifier. Default: `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /** The largest request body accepted, in bytes (`413` beyond). Default: 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Told about failures Slack cannot be told about (work after the acknowledgement, `views.open`). Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
  /**
   * Told about the work each request goes on with after its acknowledgement was answered
   * (Slack wants an answer within 3 seconds). Serverless hosts pass their `waitUntil` here so
   * the work is not cut off. Default: none (the work runs on in the process).
   */
  readonly waitUntil?: (work: Promise<unknown>) => void;
}

/** What {@link slackApp} returns. */
export interface SlackApp {
  /** The outbound half: `slackNotifier({ token: botToken, channel, apiBaseUrl: apiUrl })`; register it in the engine's `notifiers`. */
  readonly notifier: Notifier;
  /**
   * Binds the engine inbound commands run on. `createIncidentHandler(engine, { slack: app })`
   * calls it; call it yourself to serve {@link SlackApp.handleRequest} without that handler.
   *
   * @throws ConfigError (`CONFIG_INVALID`) when the app is already bound to another engine.
   */
  connect(engine: ChatEngine): void;
  /**
   * Serves one request from Slack: the path's last segment picks the kind (`…/commands`,
   * `…/interactions`, `…/events`). Unsigned, badly signed or stale requests get `401` and change nothing.
   */
  handleRequest(request: Request): Promise<Response>;
  /** Resolves when the work started by earlier requests (after their acknowledgement) is done. */
  settled(): Promise<void>;
}

const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', { message: `Must be a function (${what}).` });

const optionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    signingSecret: z.string().min(1, 'Give the signing secret from Basic Information → App Credentials.'),
    botToken: z.string().min(1, 'Give the bot token (xoxb-…).'),
    channel: z.string().min(1, 'Give the channel the notifier posts to.').optional(),
    channels: z.union([z.literal(false), z.object({}).loose()]).optional(),
    threadStore: z.custom<SlackThreadStore>((value) => typeof (value as { get?: unknown } | null)?.get === 'function', { message: 'Must be a thread store (memoryThreadStore() or recordThreadStore(store)).' }).optional(),
    apiUrl: z.string().regex(/^https?:\/\/\S+$/, 'Must be an absolute http(s) URL.').optional(),
    users: z.object({ resolve: fn<SlackUsers['resolve']>('(slackUserId) => actor') }).optional(),
    commandName: z.string().min(1).max(100).optional(),
    incidentOfChannel: fn<NonNullable<SlackAppOptions['incidentOfChannel']>>('(channelId) => incident id').optional(),
    defaultSeverity: z.string().min(1).optional(),
    noteReaction: z.string().regex(/^[a-z0-9_+'-]{1,100}$/, "Give the emoji's name without colons, e.g. memo.").optional(),
    clock: z.custom<Clock>((value) => typeof (value as { now?: unknown } | null)?.now === 'function', { message: 'Must be a Clock (an object with now()).' }).optional(),
    fetch: fn<FetchLike>('like globalThis.fetch').optional(),
    maxBodyBytes: z.number().int().min(1).max(2 ** 31).optional(),
    onError: fn<NonNullable<SlackAppOptions['onError']>>('(error) => void').optional(),
    waitUntil: fn<NonNullable<SlackAppOptions['waitUntil']>>('(work) => void').optional(),
  }))();

/** The summary recorded when the Mitigate button is used (the button has no text field). */
export const SLACK_MITIGATE_SUMMARY = 'Marked mitigated from Slack.';

function slackJson(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
}

/** Raised while no engine is bound: answered `503`. */
class NotConnected extends ChatAppNotConnected {
  constructor() {
    super('This Slack app is not bound to an engine yet: mount it with createIncidentHandler(engine, { slack }) or call app.connect(engine).');
  }
}

/** The verb of each command, for the acknowledgement. */
const VERB_OF: Readonly<Record<ChatCommand['kind'], ChatVerb>> = {
  declare: 'declare',
  acknowledge: 'ack',
  mitigate: 'mitigate',
  resolve: 'resolve',
  note: 'note',
  update: 'update',
  role: 'role',
  status: 'status',
  help: 'help',
};

const KINDS = ['commands', 'interactions', 'events'] as const;
type Kind = (typeof KINDS)[number];

/** A skin tone Slack appends to an emoji's name (`thumbsup::skin-tone-2`). */
const SKIN_TONE = /::skin-tone-[1-6]$/;

/** A message as `conversations.history` returns it (the fields the note reaction reads). */
interface SlackHistoryMessage {
  readonly ts?: unknown;
  readonly text?: unknown;
  readonly user?: unknown;
  readonly username?: unknown;
  readonly reactions?: unknown;
}

/** Who reacted first with `emoji` on a message, by the order of the message's `reactions[].users`. */
function firstReactor(message: SlackHistoryMessage, emoji: string): string | undefined {
  if (!Array.isArray(message.reactions)) return undefined;
  for (const reaction of message.reactions as readonly { name?: unknown; users?: unknown }[]) {
    if (typeof reaction.name !== 'string' || reaction.name.replace(SKIN_TONE, '') !== emoji || !Array.isArray(reaction.users)) continue;
    const [first] = reaction.users as readonly unknown[];
    if (typeof first === 'string') return first;
  }
  return undefined;
}

/** Slack's escaping of `&`, `<` and `>` in message text, undone. */
function unescapeSlack(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** The bot mention at the start of an `app_mention` text. */
const LEADING_MENTION = /^\s*<@[A-Z0-9]{1,40}(?:\|[^>]{0,200})?>\s*/;

/**
 * Creates a Slack app: the notifier for incidents, and the handler of Slack's inbound requests.
 *
 * @remarks
 * - **Verification**: every request must carry `X-Slack-Signature` (`v0=` + hex HMAC-SHA256 of
 *   `v0:{X-Slack-Request-Timestamp}:{raw body}` with `signingSecret`, compared in constant time)
 *   and a timestamp within 5 minutes of `clock`; otherwise `401`, and nothing changes.
 * - **Slash commands** (`…/commands`): the grammar of `parseChatCommand`. Help and mistakes are
 *   answered at once (ephemeral); a command is acknowledged at once (ephemeral), then run as the
 *   Slack user's actor, and its result is posted to `response_url` (in the channel when it
 *   changed the incident, else only to the person).
 * - **Interactivity** (`…/interactions`): the incident message's buttons
 *   (`incidentkit.acknowledge`, `incidentkit.mitigate`, `incidentkit.resolve`, each with the
 *   incident id as `value`) run the command and post the result to the button's `response_url`;
 *   `incidentkit.note` opens the note modal (`views.open`), whose submission adds the note (a
 *   refusal is shown in the modal).
 * - **Events API** (`…/events`): answers the `url_verification` challenge; an `app_mention` in
 *   an incident channel (see `incidentOfChannel`) is added to the incident's timeline as a note
 *   by the mentioning user; with `noteReaction`, a message there that gets that emoji is added as
 *   a note by the person who reacted. Slack's redeliveries (`X-Slack-Retry-Num`) are acknowledged and not
 *   processed again.
 *
 * The engine: `createIncidentHandler(engine, { slack: app })` binds it (see
 * {@link SlackApp.connect}); until an engine is bound, verified requests are answered `503`.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { createIncidentHandler } from 'incidentkit/http';
 * import { slackApp } from 'incidentkit/slack';
 *
 * const slack = slackApp({ signingSecret: 'from-your-vault', botToken: 'xoxb-your-token', channel: 'C0123456789' });
 * const engine = createIncidentEngine({ store: memoryStore(), notifiers: { slack: slack.notifier } });
 * const handler = createIncidentHandler(engine, { slack }); // serves /slack/commands, /slack/interactions, /slack/events
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when an option is missing or invalid, e.g. no signing secret.
 */
export function slackApp(options: SlackAppOptions): SlackApp {
  const config = parseConfig(optionsSchema, options, 'slackApp');
  const apiUrl = withoutTrailingSlashes(config.apiUrl ?? 'https://slack.com/api');
  const clock = config.clock ?? systemClock;
  const maxBodyBytes = config.maxBodyBytes ?? 1024 * 1024;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error('[incidentkit] [slack] request failed:', error);
    });
  const threads = options.threadStore ?? memoryThreadStore();
  const channels = options.channels === false ? undefined : (options.channels ?? {});
  const notifier = slackNotifier({
    token: config.botToken,
    ...(config.channel === undefined ? {} : { channel: config.channel }),
    ...(channels === undefined ? {} : { incidentChannels: channels }),
    threadStore: threads,
    ...(config.apiUrl === undefined ? {} : { apiBaseUrl: config.apiUrl }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  // Commands in an incident channel name their incident: the host's lookup, else the channels the notifier made.
  const incidentOfChannelId: SlackAppOptions['incidentOfChannel'] =
    options.incidentOfChannel ?? (channels === undefined ? undefined : async (channelId) => (await incidentOfChannel(threads, channelId))?.incidentId);
  let engine: ChatEngine | undefined;
  const pending = new Set<Promise<void>>();

  function report(error: unknown): void {
    try {
      onError(error);
    } catch {
      // A failing logger must not turn into an unhandled rejection.
    }
  }

  /** Runs work after the acknowledgement was answered. */
  function later(work: () => Promise<void>): void {
    const running: Promise<void> = work()
      .catch(report)
      .finally(() => pending.delete(running));
    pending.add(running);
    options.waitUntil?.(running);
  }

  async function slackPost(url: string, body: unknown, what: string, token?: string): Promise<{ readonly ok?: unknown; readonly error?: unknown }> {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status < 200 || response.status >= 300) {
      throw new NotifierError({ notifier: 'slack', retryable: response.status >= 500 || response.status === 429, status: response.status }, `Slack ${what} answered HTTP ${String(response.status)}.`);
    }
    if (token === undefined) return {};
    let answer: { ok?: unknown; error?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      // Judged below: an answer without ok: true is a failure.
    }
    if (answer.ok !== true) {
      const code = typeof answer.error === 'string' ? answer.error.slice(0, 100) : 'unknown_error';
      throw new NotifierError({ notifier: 'slack', retryable: code === 'ratelimited', status: response.status }, `Slack ${what} failed with '${code}'.`);
    }
    return answer;
  }

  /**
   * Runs a command after the acknowledgement and posts its reply to `url` (when there is one);
   * a failure is reported to `onError` and the person told that something went wrong.
   */
  function replyLater(url: string | undefined, produce: () => Promise<ChatReply>): void {
    later(async () => {
      let reply: ChatReply;
      try {
        reply = await produce();
      } catch (error) {
        report(error);
        reply = { ok: false, visibility: 'ephemeral', text: 'Something went wrong on our side; the command may not have been recorded. Try again in a moment.' };
      }
      if (url !== undefined) await respond(url, renderSlackReply(reply));
    });
  }

  /** Calls a Web API read method (Slack documents form arguments for them) and returns its answer. */
  async function slackRead(method: string, args: Readonly<Record<string, string>>): Promise<Record<string, unknown>> {
    const response = await fetchImpl(`${apiUrl}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${config.botToken}` },
      body: new URLSearchParams(args).toString(),
    });
    const text = await response.text();
    if (response.status < 200 || response.status >= 300) {
      throw new NotifierError({ notifier: 'slack', retryable: response.status >= 500 || response.status === 429, status: response.status }, `Slack ${method} answered HTTP ${String(response.status)}.`);
    }
    let answer: Record<string, unknown> = {};
    try {
      answer = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Judged below: an answer without ok: true is a failure.
    }
    if (answer.ok !== true) {
      const code = typeof answer.error === 'string' ? answer.error.slice(0, 100) : 'unknown_error';
      throw new NotifierError({ notifier: 'slack', retryable: code === 'ratelimited', status: response.status }, `Slack ${method} failed with '${code}'.`);
    }
    return answer;
  }

  /**
   * Adds the message a note reaction was put on to the incident's timeline, as the person who
   * reacted. Only the first person to react with the emoji adds it, so a message is noted once.
   */
  async function noteReacted(emoji: string, channelId: string, ts: string, userId: string): Promise<void> {
    const incidentId = await incidentOfChannelId?.(channelId);
    if (incidentId === undefined) return;
    // conversations.history finds channel messages (bot tokens may not read threads with conversations.replies).
    const answer = await slackRead('conversations.history', { channel: channelId, oldest: ts, latest: ts, inclusive: 'true', limit: '1' });
    const messages = Array.isArray(answer.messages) ? (answer.messages as readonly SlackHistoryMessage[]) : [];
    const message = messages.find((candidate) => candidate.ts === ts);
    if (message === undefined) {
      report(new Error(`[incidentkit] [slack] the message ${ts} in ${channelId} that got :${emoji}: was not found (replies in threads cannot be read with a bot token); it was not added as a note.`));
      return;
    }
    const first = firstReactor(message, emoji);
    if (first !== undefined && first !== userId) return;
    const body = typeof message.text === 'string' ? unescapeSlack(message.text).trim() : '';
    if (body === '') return;
    const author = typeof message.user === 'string' ? message.user : typeof message.username === 'string' ? message.username : undefined;
    const authorActor = author === undefined ? undefined : await actorOf(author, undefined);
    const by = authorActor === undefined ? '' : ` (a Slack message by ${authorActor.name ?? authorActor.id})`;
    const text = truncate(`${body}${by}`, 10_000);
    const reply = await run({ kind: 'note', text, incident: { kind: 'id', value: incidentId } }, { userId }, undefined, config.commandName ?? '/incident');
    if (!reply.ok) report(new Error(`[incidentkit] [slack] a :${emoji}: reaction in ${channelId} was not added as a note: ${reply.text}`));
  }

  const respond = (url: string, message: SlackResponseMessage): Promise<unknown> => slackPost(url, message, 'response_url');
  const openView = (triggerId: string, view: SlackModalView): Promise<unknown> => slackPost(`${apiUrl}/views.open`, { trigger_id: triggerId, view }, 'views.open', config.botToken);

  async function actorOf(userId: string, userName: string | undefined): Promise<ActorInput | undefined> {
    if (options.users === undefined) return userName === undefined ? { id: userId } : { id: userId, name: userName };
    const actor = await options.users.resolve(userId, userName === undefined ? {} : { userName });
    return actor ?? undefined;
  }

  const UNKNOWN_USER: ChatReply = {
    ok: false,
    visibility: 'ephemeral',
    code: 'UNKNOWN_USER',
    text: 'Your Slack account is not linked to anyone incidentkit knows, so you cannot run incident commands. Nothing was changed.',
  };

  async function run(command: ChatCommand, user: { readonly userId: string; readonly userName?: string }, channelId: string | undefined, commandName: string): Promise<ChatReply> {
    const bound = boundEngine();
    const actor = await actorOf(user.userId, user.userName);
    if (actor === undefined) return UNKNOWN_USER;
    const incidentId = channelId === undefined ? undefined : await incidentOfChannelId?.(channelId);
    const users = options.users;
    return executeChatCommand(bound, command, {
      actor,
      commandName,
      ...(incidentId === undefined ? {} : { incidentId }),
      ...(incidentOfChannelId === undefined ? {} : { incidentOfChannel: incidentOfChannelId }),
      ...(users === undefined ? {} : { resolveUser: (userId: string) => users.resolve(userId, {}) }),
      ...(config.defaultSeverity === undefined ? {} : { defaultSeverity: config.defaultSeverity }),
    });
  }

  function boundEngine(): ChatEngine {
    if (engine === undefined) {
      throw new NotConnected();
    }
    return engine;
  }

  function commands(text: string): Response {
    // Slack checks the certificate of a slash command's URL with a signed `ssl_check=1` post.
    if (new URLSearchParams(text).get('ssl_check') === '1') return new Response(null, { status: 200 });
    const slash = parseSlackSlashCommand(text);
    const commandName = config.commandName ?? slash.command;
    const parsed = parseChatCommand(slash.text, { commandName, entities: true });
    if (!parsed.ok) {
      return slackJson(renderSlackReply({ ok: false, visibility: 'ephemeral', code: parsed.error.code, text: `${parsed.error.message}\n${parsed.error.help}` }));
    }
    const { command } = parsed;
    if (command.kind === 'help') return slackJson(renderSlackReply({ ok: true, visibility: 'ephemeral', text: chatHelp(commandName, command.topic) }));
    boundEngine();
    replyLater(slash.responseUrl, () => run(command, slash, slash.channelId, commandName));
    // The person's text is not echoed: it could hold mentions that Slack would render.
    return slackJson({ response_type: 'ephemeral', text: `Working on it: ${commandName} ${VERB_OF[command.kind]}…` });
  }

  async function blockAction(action: SlackBlockAction): Promise<Response> {
    const incidentId = action.value;
    const known = Object.values(SLACK_ACTION_IDS) as readonly string[];
    // Link buttons and other apps' actions need no answer beyond 200.
    if (!known.includes(action.actionId) || incidentId === undefined || incidentId === '') return new Response(null, { status: 200 });
    boundEngine();
    if (action.actionId === SLACK_ACTION_IDS.note) {
      try {
        await openView(action.triggerId, slackNoteModal(incidentId));
      } catch (error) {
        report(error);
        if (action.responseUrl !== undefined) {
          const url = action.responseUrl;
          later(async () => {
            await respond(url, renderSlackReply({ ok: false, visibility: 'ephemeral', text: 'The note form could not be opened; try again, or use /incident note.' }));
          });
        }
      }
      return new Response(null, { status: 200 });
    }
    const incident = { kind: 'id', value: incidentId } as const;
    const command: ChatCommand =
      action.actionId === SLACK_ACTION_IDS.acknowledge
        ? { kind: 'acknowledge', incident }
        : action.actionId === SLACK_ACTION_IDS.mitigate
          ? { kind: 'mitigate', summary: SLACK_MITIGATE_SUMMARY, incident }
          : { kind: 'resolve', incident };
    replyLater(action.responseUrl, async () => ({ ...(await run(command, action, undefined, config.commandName ?? '/incident')), visibility: 'ephemeral' }));
    return new Response(null, { status: 200 });
  }

  async function viewSubmission(view: SlackViewSubmission): Promise<Response> {
    if (view.callbackId !== SLACK_NOTE_CALLBACK_ID) return new Response(null, { status: 200 });
    const text = view.values[SLACK_NOTE_INPUT.blockId]?.[SLACK_NOTE_INPUT.actionId]?.trim() ?? '';
    if (text === '') return slackJson({ response_action: 'errors', errors: { [SLACK_NOTE_INPUT.blockId]: 'Write the note first.' } });
    const reply = await run({ kind: 'note', text, incident: { kind: 'id', value: view.privateMetadata } }, view, undefined, config.commandName ?? '/incident');
    if (!reply.ok) return slackJson({ response_action: 'errors', errors: { [SLACK_NOTE_INPUT.blockId]: truncate(reply.text, 2_000) } });
    return new Response(null, { status: 200 });
  }

  async function interactions(text: string): Promise<Response> {
    const interaction = parseSlackInteraction(text);
    if (interaction.type === 'block_actions') return blockAction(interaction);
    if (interaction.type === 'view_submission') return viewSubmission(interaction);
    return new Response(null, { status: 200 });
  }

  function events(text: string, request: Request): Response {
    const event = parseSlackEvent(text);
    if (event.type === 'url_verification') return slackJson({ challenge: event.challenge });
    if (event.type !== 'event_callback' || request.headers.has('x-slack-retry-num')) return new Response(null, { status: 200 });
    const { channelId, userId } = event;
    if (event.eventType === 'app_mention' && event.botId === undefined && channelId !== undefined && userId !== undefined && incidentOfChannelId !== undefined) {
      const note = (event.text ?? '').replace(LEADING_MENTION, '').trim();
      if (note !== '') {
        boundEngine();
        later(async () => {
          const incidentId = await incidentOfChannelId(channelId);
          if (incidentId === undefined) return;
          const reply = await run({ kind: 'note', text: note, incident: { kind: 'id', value: incidentId } }, { userId }, undefined, config.commandName ?? '/incident');
          if (!reply.ok) report(new Error(`[incidentkit] [slack] a mention in ${channelId} was not added as a note: ${reply.text}`));
        });
      }
    }
    const emoji = config.noteReaction;
    const item = event.item;
    if (
      event.eventType === 'reaction_added' &&
      emoji !== undefined &&
      event.reaction?.replace(SKIN_TONE, '') === emoji &&
      item?.type === 'message' &&
      item.channelId !== undefined &&
      item.ts !== undefined &&
      userId !== undefined &&
      incidentOfChannelId !== undefined
    ) {
      const { channelId: reactedIn, ts } = item;
      boundEngine();
      later(() => noteReacted(emoji, reactedIn, ts, userId));
    }
    return new Response(null, { status: 200 });
  }

  async function serve(request: Request): Promise<Response> {
    const segments = new URL(request.url).pathname.split('/').filter((segment) => segment !== '');
    const last = segments[segments.length - 1];
    const kind = KINDS.find((candidate): candidate is Kind => candidate === last);
    if (kind === undefined) return plain(404, 'Not a Slack route: post to …/commands, …/interactions or …/events.');
    if (request.method !== 'POST') return plain(405, 'Slack posts here; use POST.', { allow: 'POST' });
    const bytes = await readBody(request, maxBodyBytes);
    const genuine = await verifySlackSignature({
      signingSecret: config.signingSecret,
      timestamp: request.headers.get('x-slack-request-timestamp'),
      signature: request.headers.get('x-slack-signature'),
      body: bytes,
      now: clock.now(),
    });
    if (!genuine) return plain(401, 'The request is not signed by Slack, or its timestamp is more than 5 minutes away; nothing was done.');
    const text = decodeUtf8(bytes);
    if (text === undefined) return plain(400, 'The body is not valid UTF-8.');
    if (kind === 'commands') return commands(text);
    if (kind === 'interactions') return interactions(text);
    return events(text, request);
  }

  return {
    notifier,
    connect(next) {
      if (engine !== undefined && engine !== next) {
        throw new ConfigError('slackApp', [{ code: 'custom', path: ['engine'], message: 'This Slack app is already bound to another engine; create one slackApp per engine.' }]);
      }
      engine = next;
    },
    handleRequest: (request) => answerChatRequest(serve, request, report),
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
