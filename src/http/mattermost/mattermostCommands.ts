/**
 * `mattermostCommands`: a Mattermost custom slash command (`/incident …`) that runs incidents,
 * verified with the command's token and answered with Mattermost's JSON.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { parseConfig } from '../../kernel/parse.js';
import type { ActorInput } from '../../model/actor.js';
import { chatHelp, parseChatCommand, type ChatCommand } from '../../channels/chat/parseChatCommand.js';
import type { ChatReply } from '../../channels/chat/chatReply.js';
import { renderMattermostReply } from '../../channels/mattermost/render.js';
import { isMattermostForm, parseMattermostSlashCommand, type MattermostSlashCommand } from '../../channels/mattermost/requests.js';
import { mattermostAuthorizationToken, verifyMattermostToken } from '../../channels/mattermost/token.js';
import { executeChatCommand, type ChatEngine } from '../chat/executeChatCommand.js';
import { answerChatRequest, ChatAppNotConnected, plain } from '../chat/chatApp.js';
import { decodeUtf8, readBody } from '../readBody.js';

/** Maps Mattermost users to incident actors. */
export interface MattermostUsers {
  /**
   * The actor a Mattermost user acts as (`authorize` decides about it), or `null`/`undefined`
   * for someone who may not run incident commands: they get an ephemeral refusal and nothing
   * is written. `profile.userName` is the Mattermost handle (without `@`) when Mattermost sent one.
   */
  resolve(userId: string, profile: { readonly userName?: string }): ActorInput | null | undefined | Promise<ActorInput | null | undefined>;
  /**
   * The actor an `@handle` stands for in `role commander @handle` (Mattermost sends handles, not
   * user ids), or `null`/`undefined` for nobody known. Default: the handle as the actor id.
   */
  resolveUserName?(userName: string): ActorInput | null | undefined | Promise<ActorInput | null | undefined>;
}

/** Options of {@link mattermostCommands}. */
export interface MattermostCommandsOptions {
  /**
   * The slash command's token (Integrations → Slash Commands, shown once the command is saved),
   * or several: one command per team, or the old and the new token while rotating. A request
   * must carry one of them, in the form field `token` (and, when it sends one, in
   * `Authorization: Token …`, as Mattermost does).
   */
  readonly token: string | readonly string[];
  /** Who Mattermost users are. Default: the Mattermost user id as the actor id, the handle as its name. */
  readonly users?: MattermostUsers;
  /** The command's name, as help texts show it. Default: the command Mattermost sent (e.g. `/incident`). */
  readonly commandName?: string;
  /** The severity of `declare` without one. Default: the least severe ranked level of the engine's scale. */
  readonly defaultSeverity?: string;
  /** The largest request body accepted, in bytes (`413` beyond). Default: 64 KiB (a command's text is at most a few KiB). */
  readonly maxBodyBytes?: number;
  /** Told about failures Mattermost cannot be told about (a store that is down). Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
  /** The incident of a Mattermost channel (by channel id), so commands typed there need no `#<id>`. Default: none. */
  readonly incidentOfChannel?: (channelId: string) => string | undefined | Promise<string | undefined>;
}

/** What {@link mattermostCommands} returns: a chat app `createIncidentHandler` mounts at `POST /mattermost/commands`. */
export interface MattermostCommands {
  /**
   * Binds the engine commands run on. `createIncidentHandler(engine, { mattermost })` calls it;
   * call it yourself to serve {@link MattermostCommands.handleRequest} without that handler.
   *
   * @throws ConfigError (`CONFIG_INVALID`) when already bound to another engine.
   */
  connect(engine: ChatEngine): void;
  /**
   * Serves one slash command request from Mattermost and answers with the command's result.
   * A request without one of the tokens gets `401` and changes nothing.
   */
  handleRequest(request: Request): Promise<Response>;
}

const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', { message: `Must be a function (${what}).` });
const tokenSchema = /* @__PURE__ */ z.string().min(1, 'Give the slash command token from Integrations → Slash Commands.').max(1_000);

const optionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    token: z.union([tokenSchema, z.array(tokenSchema).min(1, 'Give at least one slash command token.').max(100)]),
    users: z
      .object({
        resolve: fn<MattermostUsers['resolve']>('(userId, { userName }) => actor'),
        resolveUserName: fn<NonNullable<MattermostUsers['resolveUserName']>>('(userName) => actor').optional(),
      })
      .optional(),
    commandName: z.string().min(1).max(100).optional(),
    defaultSeverity: z.string().min(1).optional(),
    maxBodyBytes: z.number().int().min(1).max(2 ** 31).optional(),
    onError: fn<NonNullable<MattermostCommandsOptions['onError']>>('(error) => void').optional(),
    incidentOfChannel: fn<NonNullable<MattermostCommandsOptions['incidentOfChannel']>>('(channelId) => incident id').optional(),
  }))();

function mattermostJson(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
}

/** Raised while no engine is bound: answered `503`. */
class NotConnected extends ChatAppNotConnected {
  constructor() {
    super('This Mattermost command is not bound to an engine yet: mount it with createIncidentHandler(engine, { mattermost }) or call connect(engine).');
  }
}

const UNKNOWN_USER: ChatReply = {
  ok: false,
  visibility: 'ephemeral',
  code: 'UNKNOWN_USER',
  text: 'Your Mattermost account is not linked to anyone incidentkit knows, so you cannot run incident commands. Nothing was changed.',
};

const FAILED: ChatReply = {
  ok: false,
  visibility: 'ephemeral',
  text: 'Something went wrong on our side; the command may not have been recorded. Check with status, then try again in a moment.',
};

/**
 * Creates the handler of a Mattermost custom slash command that runs incidents with the chat
 * grammar of `parseChatCommand` (`/incident declare …`, `ack`, `mitigate`, `resolve`, `note`,
 * `update`, `role`, `status`, `help`).
 *
 * @remarks
 * - **Verification**: the form field `token` must be one of `token` (compared in constant
 *   time); when the request also carries `Authorization: Token …`, as Mattermost sends it, that
 *   token must match too. Otherwise `401`, and nothing changes. A body that is not
 *   `application/x-www-form-urlencoded` gets `415`; a form without `command`, `user_id` or
 *   `channel_id` gets `400`.
 * - **Synchronous answers**: Mattermost waits for the response (up to its
 *   `OutgoingIntegrationRequestsTimeout`, 30 seconds by default) and posts it, so the command is
 *   run before answering — no `response_url` posts, nothing left running after the response.
 *   Changes (declared, acknowledged, resolved…) are answered `in_channel` with the incident as a
 *   message attachment; help, status, refusals and mistakes are `ephemeral`.
 * - **Who**: the Mattermost user is mapped to an actor with `users.resolve` (default: the user
 *   id as the actor id, the handle as its name), and the engine's `authorize` decides the command
 *   as for any actor; a refusal is an ephemeral reply and writes nothing.
 * - A failure of the engine itself (a store that is down) is told to `onError` and answered
 *   with an ephemeral apology, never a `500` Mattermost would show as a bare error.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { createIncidentHandler } from 'incidentkit/http';
 * import { mattermostCommands } from 'incidentkit/mattermost';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const mattermost = mattermostCommands({ token: 'from-your-vault' });
 * const handler = createIncidentHandler(engine, { mattermost }); // serves POST /mattermost/commands
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when an option is missing or invalid, e.g. no token.
 */
export function mattermostCommands(options: MattermostCommandsOptions): MattermostCommands {
  const config = parseConfig(optionsSchema, options, 'mattermostCommands');
  const tokens: readonly string[] = typeof config.token === 'string' ? [config.token] : config.token;
  const maxBodyBytes = config.maxBodyBytes ?? 64 * 1024;
  const users = options.users;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error('[incidentkit] [mattermost] command failed:', error);
    });
  let engine: ChatEngine | undefined;

  function report(error: unknown): void {
    try {
      onError(error);
    } catch {
      // A failing logger must not turn an answer into a crash.
    }
  }

  async function actorOf(slash: MattermostSlashCommand): Promise<ActorInput | undefined> {
    if (users === undefined) return slash.userName === undefined ? { id: slash.userId } : { id: slash.userId, name: slash.userName };
    const actor = await users.resolve(slash.userId, slash.userName === undefined ? {} : { userName: slash.userName });
    return actor ?? undefined;
  }

  async function run(bound: ChatEngine, parsed: ChatCommand, slash: MattermostSlashCommand, commandName: string): Promise<ChatReply> {
    const actor = await actorOf(slash);
    if (actor === undefined) return UNKNOWN_USER;
    const incidentOfChannel = options.incidentOfChannel;
    const incidentId = incidentOfChannel === undefined ? undefined : await incidentOfChannel(slash.channelId);
    // Mattermost mentions are handles (`@alice`): the host's resolveUserName stands in for the executor's user lookup.
    const resolveUserName = users?.resolveUserName === undefined ? undefined : (userName: string) => users.resolveUserName?.(userName);
    const command: ChatCommand =
      parsed.kind === 'role' && parsed.assignee.kind === 'name' && resolveUserName !== undefined
        ? { ...parsed, assignee: { kind: 'mention', userId: parsed.assignee.name } }
        : parsed;
    return executeChatCommand(bound, command, {
      actor,
      commandName,
      ...(incidentId === undefined ? {} : { incidentId }),
      ...(resolveUserName === undefined ? {} : { resolveUser: resolveUserName }),
      ...(config.defaultSeverity === undefined ? {} : { defaultSeverity: config.defaultSeverity }),
    });
  }

  async function serve(request: Request): Promise<Response> {
    if (request.method !== 'POST') return plain(405, 'Mattermost posts slash commands here; set the command’s Request Method to POST.', { allow: 'POST' });
    if (!isMattermostForm(request.headers.get('content-type'))) {
      return plain(415, 'A Mattermost slash command is sent as application/x-www-form-urlencoded; nothing was done.');
    }
    const text = decodeUtf8(await readBody(request, maxBodyBytes));
    if (text === undefined) return plain(400, 'The body is not valid UTF-8; nothing was done.');
    // The token is checked before anything else in the body is looked at; a second token field is no token.
    const given = new URLSearchParams(text).getAll('token');
    const header = mattermostAuthorizationToken(request.headers.get('authorization'));
    const genuine = given.length === 1 && verifyMattermostToken(given[0], tokens) && (header === undefined || verifyMattermostToken(header, tokens));
    if (!genuine) return plain(401, 'The request does not carry this slash command’s token; nothing was done.');
    const slash = parseMattermostSlashCommand(text);
    const commandName = config.commandName ?? slash.command;
    const parsed = parseChatCommand(slash.text, { commandName });
    if (!parsed.ok) {
      return mattermostJson(renderMattermostReply({ ok: false, visibility: 'ephemeral', code: parsed.error.code, text: `${parsed.error.message}\n${parsed.error.help}` }));
    }
    if (parsed.command.kind === 'help') return mattermostJson(renderMattermostReply({ ok: true, visibility: 'ephemeral', text: chatHelp(commandName, parsed.command.topic) }));
    const bound = engine;
    if (bound === undefined) throw new NotConnected();
    let reply: ChatReply;
    try {
      reply = await run(bound, parsed.command, slash, commandName);
    } catch (error) {
      report(error);
      reply = FAILED;
    }
    return mattermostJson(renderMattermostReply(reply));
  }

  return {
    connect(next) {
      if (engine !== undefined && engine !== next) {
        throw new ConfigError('mattermostCommands', [
          { code: 'custom', path: ['engine'], message: 'This Mattermost command is already bound to another engine; create one mattermostCommands per engine.' },
        ]);
      }
      engine = next;
    },
    handleRequest: (request) => answerChatRequest(serve, request, report),
  };
}
