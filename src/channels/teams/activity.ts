/**
 * The Bot Framework Activity a Microsoft Teams outgoing webhook posts when someone mentions it
 * in a channel, parsed from its JSON body. Only the fields incidentkit uses are read; everything
 * else is ignored, as Teams adds fields over time.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { toIssues } from '../../kernel/parse.js';

/** A person (or bot) in a Teams activity. */
export interface TeamsAccount {
  /** The Teams user id (`29:…`), or the bot's (`28:…`). */
  readonly id: string;
  /** The display name. */
  readonly name?: string;
  /** The user's Microsoft Entra ID (Azure AD) object id, stable across teams. */
  readonly aadObjectId?: string;
}

/** A mention in a Teams message (`entities` of type `mention`). */
export interface TeamsMention {
  readonly mentioned: TeamsAccount;
  /** How the mention appears in the text, e.g. `<at>Alice Smith</at>`. */
  readonly text?: string;
}

/** The conversation a Teams message was posted in. */
export interface TeamsConversation {
  /** For a channel message: the channel id and the thread (`19:…@thread.tacv2;messageid=…`). */
  readonly id: string;
  readonly name?: string;
  /** `channel` for outgoing webhooks; `groupChat` or `personal` for bots. */
  readonly conversationType?: string;
  readonly tenantId?: string;
}

/** Teams-specific data of a message: the channel, team and tenant it was posted in. */
export interface TeamsChannelData {
  readonly teamsChannelId?: string;
  readonly teamsTeamId?: string;
  readonly channel?: { readonly id: string; readonly name?: string };
  readonly team?: { readonly id: string; readonly name?: string };
  readonly tenant?: { readonly id: string };
}

/** A Teams message activity, as an outgoing webhook receives it. */
export interface TeamsActivity {
  readonly type: 'message';
  readonly id: string;
  /** When Teams received the message (ISO 8601, UTC). */
  readonly timestamp?: string;
  readonly from: TeamsAccount;
  readonly recipient?: TeamsAccount;
  readonly conversation: TeamsConversation;
  readonly channelData: TeamsChannelData;
  /** The message as HTML-ish text, starting with the webhook's mention: `<at>incidentbot</at>&nbsp;declare …`. */
  readonly text: string;
  /** The mentions in the message (the webhook's own among them), in order. */
  readonly mentions: readonly TeamsMention[];
}

const id = /* @__PURE__ */ z.string().min(1).max(500);
const name = /* @__PURE__ */ z.string().max(500);

const accountSchema = /* @__PURE__ */ (() => z.object({ id, name: name.nullish(), aadObjectId: z.string().max(200).nullish() }))();
const namedSchema = /* @__PURE__ */ (() => z.object({ id, name: name.nullish() }))();

const activitySchema = /* @__PURE__ */ (() =>
  z.object({
    type: z.literal('message'),
    id,
    timestamp: z.string().max(100).nullish(),
    from: accountSchema,
    recipient: accountSchema.nullish(),
    conversation: z.object({
      id,
      name: name.nullish(),
      conversationType: z.string().max(100).nullish(),
      tenantId: z.string().max(200).nullish(),
    }),
    channelData: z
      .object({
        teamsChannelId: id.nullish(),
        teamsTeamId: id.nullish(),
        channel: namedSchema.nullish(),
        team: namedSchema.nullish(),
        tenant: z.object({ id }).nullish(),
      })
      .nullish(),
    text: z.string().max(40_000).nullish(),
    entities: z.array(z.unknown()).max(200).nullish(),
  }))();

const mentionSchema = /* @__PURE__ */ (() => z.object({ type: z.literal('mention'), mentioned: accountSchema, text: z.string().max(2_000).nullish() }))();

/** Only the keys with a value: Teams sends `null` for some absent fields; here they stay absent. */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined | null> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined && field !== null)) as { [K in keyof T]: Exclude<T[K], undefined | null> };
}

function invalid(message: string): ValidationError {
  return new ValidationError('Teams activity', [{ code: 'invalid_format', path: [], message }]);
}

/**
 * Parses the JSON body a Teams outgoing webhook posts: a Bot Framework message activity.
 *
 * @remarks Mention entities are kept (others, such as `clientInfo`, are ignored); a malformed
 * entity is skipped rather than refusing the message.
 *
 * @example
 * ```ts
 * import { parseTeamsActivity } from 'incidentkit/teams';
 *
 * const activity = parseTeamsActivity(JSON.stringify({
 *   type: 'message',
 *   id: '1485983408511',
 *   from: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ', name: 'Megan Bowen' },
 *   conversation: { id: '19:253b1f341670408fb6fcb8d0fb9e1e13@thread.tacv2;messageid=1485983408511', conversationType: 'channel' },
 *   text: '<at>incidentbot</at>&nbsp;ack #inc_0b6f',
 * }));
 * console.log(activity.from.name); // 'Megan Bowen'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not JSON or is not a message activity with the fields Teams always sends.
 */
export function parseTeamsActivity(body: string): TeamsActivity {
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    throw invalid('The body is not valid JSON');
  }
  const parsed = activitySchema.safeParse(json);
  if (!parsed.success) throw new ValidationError('Teams activity', toIssues(parsed.error));
  const data = parsed.data;
  const mentions: TeamsMention[] = [];
  for (const entity of data.entities ?? []) {
    const mention = mentionSchema.safeParse(entity);
    if (mention.success) mentions.push(defined({ mentioned: defined(mention.data.mentioned), text: mention.data.text }));
  }
  const channelData = data.channelData ?? {};
  return defined({
    type: data.type,
    id: data.id,
    timestamp: data.timestamp,
    from: defined(data.from),
    recipient: data.recipient == null ? undefined : defined(data.recipient),
    conversation: defined(data.conversation),
    channelData: defined({
      teamsChannelId: channelData.teamsChannelId,
      teamsTeamId: channelData.teamsTeamId,
      channel: channelData.channel == null ? undefined : defined(channelData.channel),
      team: channelData.team == null ? undefined : defined(channelData.team),
      tenant: channelData.tenant,
    }),
    text: data.text ?? '',
    mentions,
  });
}
