/**
 * `teamsOutgoingWebhook`: run incidents from Microsoft Teams. A Teams outgoing webhook posts
 * every message that mentions it to one URL, signed with its security token, and shows the
 * synchronous answer in the message's thread.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { parseConfig } from '../../kernel/parse.js';
import type { ActorInput } from '../../model/actor.js';
import { parseChatCommand } from '../../channels/chat/parseChatCommand.js';
import type { ChatReply } from '../../channels/chat/chatReply.js';
import { parseTeamsActivity, type TeamsAccount, type TeamsActivity } from '../../channels/teams/activity.js';
import { renderTeamsReply } from '../../channels/teams/render.js';
import { decodeTeamsSecret, teamsVerifier } from '../../channels/teams/signature.js';
import { cleanTeamsText } from '../../channels/teams/text.js';
import { executeChatCommand, type ChatEngine } from '../chat/executeChatCommand.js';
import { answerChatRequest, ChatAppNotConnected, plain } from '../chat/chatApp.js';
import { decodeUtf8, readBody } from '../readBody.js';

/** Maps Teams users to incident actors. */
export interface TeamsUsers {
  /**
   * The actor a Teams user acts as (`authorize` decides about it), or `null`/`undefined` for
   * someone who may not use the bot: they get a refusal and nothing is written. `teamsUserId`
   * is the user's Microsoft Entra ID object id when Teams sent one, else the Teams user id
   * (`29:…`); `profile.name` is the display name.
   */
  resolve(teamsUserId: string, profile: { readonly name?: string }): ActorInput | null | undefined | Promise<ActorInput | null | undefined>;
}

/** Where a Teams message was posted, for {@link TeamsOutgoingWebhookOptions.incidentOfConversation}. */
export interface TeamsConversationRef {
  /** The conversation id: for a channel message the channel and the thread (`19:…@thread.tacv2;messageid=…`). */
  readonly conversationId: string;
  /** The channel id (`channelData.teamsChannelId`), when Teams sent it. */
  readonly channelId?: string;
  /** The team id (`channelData.teamsTeamId`), when Teams sent it. */
  readonly teamId?: string;
  /** The tenant id, when Teams sent it. */
  readonly tenantId?: string;
}

/** Options of {@link teamsOutgoingWebhook}. */
export interface TeamsOutgoingWebhookOptions {
  /** The security token Teams showed when the outgoing webhook was created (base64): every request must be signed with it. */
  readonly secret: string;
  /**
   * Who Teams users are. Default: the user's Microsoft Entra ID object id (else the Teams user
   * id) as the actor id, the display name as its name.
   */
  readonly users?: TeamsUsers;
  /** How help texts name the command, e.g. `@incidentkit`. Default: `@` and the name the message mentioned the webhook by. */
  readonly commandName?: string;
  /** The severity of `declare` without one. Default: the least severe ranked level of the engine's scale. */
  readonly defaultSeverity?: string;
  /** The largest request body accepted, in bytes (`413` beyond). Default: 256 KiB (Teams messages are at most about 28 KB). */
  readonly maxBodyBytes?: number;
  /** Told about failures Teams is only told of in a general way (a store that is down). Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
  /** The incident of a conversation (a channel or a thread), so commands there need no `#<id>`. Default: none. */
  readonly incidentOfConversation?: (conversation: TeamsConversationRef) => string | undefined | Promise<string | undefined>;
}

/** What {@link teamsOutgoingWebhook} returns: a chat app `createIncidentHandler` mounts at `POST /teams/messages`. */
export interface TeamsOutgoingWebhook {
  /**
   * Binds the engine commands run on. `createIncidentHandler(engine, { teams })` calls it; call
   * it yourself to serve {@link TeamsOutgoingWebhook.handleRequest} without that handler.
   *
   * @throws ConfigError (`CONFIG_INVALID`) when the webhook is already bound to another engine.
   */
  connect(engine: ChatEngine): void;
  /**
   * Serves one request from Teams (any path: the host routes it). Unsigned or badly signed
   * requests get `401` and change nothing; a verified message gets `200` and the reply as a
   * Teams message with an Adaptive Card.
   */
  handleRequest(request: Request): Promise<Response>;
}

const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', { message: `Must be a function (${what}).` });

const optionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    secret: z
      .string()
      .min(1, 'Give the security token Teams showed when the outgoing webhook was created.')
      .refine((value) => decodeTeamsSecret(value) !== undefined, 'Must be the base64 security token Teams showed when the outgoing webhook was created.'),
    users: z.object({ resolve: fn<TeamsUsers['resolve']>('(teamsUserId, profile) => actor') }).optional(),
    commandName: z.string().min(1).max(100).optional(),
    defaultSeverity: z.string().min(1).optional(),
    maxBodyBytes: z.number().int().min(1).max(2 ** 31).optional(),
    onError: fn<NonNullable<TeamsOutgoingWebhookOptions['onError']>>('(error) => void').optional(),
    incidentOfConversation: fn<NonNullable<TeamsOutgoingWebhookOptions['incidentOfConversation']>>('(conversation) => incident id').optional(),
  }))();

function teamsJson(reply: ChatReply): Response {
  return new Response(JSON.stringify(renderTeamsReply(reply)), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
}

/** Raised while no engine is bound: answered `503`. */
class NotConnected extends ChatAppNotConnected {
  constructor() {
    super('This Teams outgoing webhook is not bound to an engine yet: mount it with createIncidentHandler(engine, { teams }) or call webhook.connect(engine).');
  }
}

/** The token `cleanTeamsText` writes for the n-th mention other than the webhook's: `<@M0>` → 0. */
const MENTION_TOKEN = /^M([0-9]{1,3})$/;

const UNKNOWN_USER: ChatReply = {
  ok: false,
  visibility: 'ephemeral',
  code: 'UNKNOWN_USER',
  text: 'Your Teams account is not linked to anyone incidentkit knows, so you cannot run incident commands. Nothing was changed.',
};

const FAILED: ChatReply = {
  ok: false,
  visibility: 'ephemeral',
  text: 'Something went wrong on our side; the command may not have been recorded. Check with status before trying again.',
};

/**
 * Creates the handler of a Microsoft Teams outgoing webhook: people mention it (`@incidentkit`) in a channel
 * (`@incidentkit declare Checkout down sev2`) and it answers in the thread.
 *
 * @remarks
 * - **Verification**: every request must carry `Authorization: HMAC <base64>`, the base64
 *   HMAC-SHA256 of the raw body keyed with the base64-decoded `secret`, compared in constant
 *   time; otherwise `401`, and nothing changes. The body must be a message activity (`400`
 *   otherwise).
 * - **Commands**: the text after the webhook's mention, cleaned of Teams' HTML (see
 *   `cleanTeamsText`), in the grammar of `parseChatCommand`. A mention of someone else in
 *   `role commander @Alice` is resolved with `users` like the sender.
 * - **Synchronous**: Teams waits at most 5 seconds for the answer and an outgoing webhook
 *   cannot post later, so the command runs before the answer. A store slower than that makes
 *   Teams show a timeout although the command may have been recorded: `status` tells.
 * - **Replies**: always in the thread of the message, seen by everyone there, even those the
 *   grammar calls ephemeral (help, status, refusals). A refusal (unknown user, denied by
 *   `authorize`, wrong state) writes nothing. A failure of the store is told to `onError` and
 *   answered with a general apology.
 *
 * Until an engine is bound (see {@link TeamsOutgoingWebhook.connect}), verified requests are answered `503`.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { createIncidentHandler } from 'incidentkit/http';
 * import { teamsOutgoingWebhook } from 'incidentkit/teams';
 *
 * const teams = teamsOutgoingWebhook({ secret: 'c2VjdXJpdHktdG9rZW4tZnJvbS10ZWFtcw==' });
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const handler = createIncidentHandler(engine, { teams }); // serves POST /teams/messages
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when an option is missing or invalid, e.g. a secret that is not base64.
 */
export function teamsOutgoingWebhook(options: TeamsOutgoingWebhookOptions): TeamsOutgoingWebhook {
  const config = parseConfig(optionsSchema, options, 'teamsOutgoingWebhook');
  const verify = teamsVerifier(config.secret);
  const maxBodyBytes = config.maxBodyBytes ?? 256 * 1024;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error('[incidentkit] [teams] request failed:', error);
    });
  let engine: ChatEngine | undefined;

  function report(error: unknown): void {
    try {
      onError(error);
    } catch {
      // A failing logger must not turn a reply into a crash.
    }
  }

  async function actorOf(account: TeamsAccount): Promise<ActorInput | undefined> {
    const userId = account.aadObjectId ?? account.id;
    if (options.users === undefined) return account.name === undefined ? { id: userId } : { id: userId, name: account.name };
    const actor = await options.users.resolve(userId, account.name === undefined ? {} : { name: account.name });
    return actor ?? undefined;
  }

  /** The account of each mention other than the webhook's, matched in order with the `<at>` names of the text. */
  function mentionedAccounts(activity: TeamsActivity, names: readonly string[], botName: string | undefined): readonly (TeamsAccount | undefined)[] {
    const pool = activity.mentions.map((mention) => ({ mention, used: false }));
    // The webhook's own mention is the first whose name is the leading one.
    const own = botName === undefined ? -1 : pool.findIndex((entry) => nameOf(entry.mention) === botName);
    if (own !== -1 && pool[own] !== undefined) pool[own].used = true;
    return names.map((name) => {
      const entry = pool.find((candidate) => !candidate.used && nameOf(candidate.mention) === name);
      if (entry === undefined) return undefined;
      entry.used = true;
      return entry.mention.mentioned;
    });
  }

  async function answer(activity: TeamsActivity): Promise<ChatReply> {
    const bound = engine;
    if (bound === undefined) throw new NotConnected();
    const cleaned = cleanTeamsText(activity.text, { mentions: 'token' });
    const commandName = config.commandName ?? (cleaned.botName === undefined || cleaned.botName === '' ? '@incidentkit' : `@${cleaned.botName}`);
    const parsed = parseChatCommand(cleaned.text, { commandName });
    if (!parsed.ok) return { ok: false, visibility: 'ephemeral', code: parsed.error.code, text: `${parsed.error.message}\n${parsed.error.help}` };
    const actor = await actorOf(activity.from);
    if (actor === undefined) return UNKNOWN_USER;
    const { conversation, channelData } = activity;
    const channelId = channelData.teamsChannelId ?? channelData.channel?.id;
    const teamId = channelData.teamsTeamId ?? channelData.team?.id;
    const tenantId = channelData.tenant?.id ?? conversation.tenantId;
    const ref: TeamsConversationRef = {
      conversationId: conversation.id,
      ...(channelId === undefined ? {} : { channelId }),
      ...(teamId === undefined ? {} : { teamId }),
      ...(tenantId === undefined ? {} : { tenantId }),
    };
    const incidentId = await options.incidentOfConversation?.(ref);
    const accounts = mentionedAccounts(activity, cleaned.mentions, cleaned.botName);
    return executeChatCommand(bound, parsed.command, {
      actor,
      commandName,
      ...(incidentId === undefined ? {} : { incidentId }),
      resolveUser: async (token) => {
        const index = MENTION_TOKEN.exec(token)?.[1];
        const account = index === undefined ? undefined : accounts[Number(index)];
        return account === undefined ? undefined : actorOf(account);
      },
      ...(config.defaultSeverity === undefined ? {} : { defaultSeverity: config.defaultSeverity }),
    });
  }

  async function serve(request: Request): Promise<Response> {
    if (request.method !== 'POST') return plain(405, 'Teams posts here; use POST.', { allow: 'POST' });
    const bytes = await readBody(request, maxBodyBytes);
    if (!(await verify(request.headers.get('authorization'), bytes))) {
      return plain(401, "The request is not signed with the outgoing webhook's security token; nothing was done.");
    }
    const text = decodeUtf8(bytes);
    if (text === undefined) return plain(400, 'The body is not valid UTF-8.');
    const activity = parseTeamsActivity(text);
    if (engine === undefined) throw new NotConnected();
    let reply: ChatReply;
    try {
      reply = await answer(activity);
    } catch (error) {
      if (error instanceof NotConnected) throw error;
      report(error);
      reply = FAILED;
    }
    return teamsJson(reply);
  }

  return {
    connect(next) {
      if (engine !== undefined && engine !== next) {
        throw new ConfigError('teamsOutgoingWebhook', [{ code: 'custom', path: ['engine'], message: 'This Teams outgoing webhook is already bound to another engine; create one per engine.' }]);
      }
      engine = next;
    },
    handleRequest: (request) => answerChatRequest(serve, request, report),
  };
}

/** How a mention is written in the text (`<at>Alice</at>` may be shorter than the display name), else the display name. */
function nameOf(mention: { readonly mentioned: TeamsAccount; readonly text?: string }): string {
  const written = mention.text === undefined ? undefined : cleanTeamsText(mention.text).botName;
  return written !== undefined && written !== '' ? written : cleanTeamsText(`<at>${mention.mentioned.name ?? ''}</at>`).botName ?? '';
}
