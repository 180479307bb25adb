/**
 * The three kinds of request Slack sends an app, parsed from their raw bodies: slash commands
 * (form-encoded), interactivity (`payload=` JSON in a form) and the Events API (JSON). Only the
 * fields incidentkit uses are read; everything else is ignored, as Slack adds fields over time.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { toIssues } from '../../kernel/parse.js';

/** The action ids of the incident message's buttons; each button's `value` is the incident id. */
export const SLACK_ACTION_IDS = /* @__PURE__ */ Object.freeze({
  acknowledge: 'incidentkit.acknowledge',
  mitigate: 'incidentkit.mitigate',
  resolve: 'incidentkit.resolve',
  note: 'incidentkit.note',
} as const);

/** The `callback_id` of the "Add note" modal. */
export const SLACK_NOTE_CALLBACK_ID = 'incidentkit.note';

/** A slash command as Slack posts it. */
export interface SlackSlashCommand {
  /** The command, e.g. `/incident`. */
  readonly command: string;
  /** What follows the command, as typed (with Slack's escaping). */
  readonly text: string;
  readonly userId: string;
  readonly userName?: string;
  readonly channelId: string;
  readonly teamId?: string;
  /** Where to post the result (valid for 30 minutes, 5 posts). */
  readonly responseUrl: string;
  readonly triggerId?: string;
}

/** A click on one of the incident message's buttons (`block_actions`). */
export interface SlackBlockAction {
  readonly type: 'block_actions';
  readonly userId: string;
  readonly userName?: string;
  readonly actionId: string;
  /** The button's `value`: the incident id. */
  readonly value?: string;
  readonly triggerId: string;
  readonly responseUrl?: string;
  readonly channelId?: string;
}

/** A submitted modal (`view_submission`). */
export interface SlackViewSubmission {
  readonly type: 'view_submission';
  readonly userId: string;
  readonly userName?: string;
  readonly callbackId: string;
  /** The view's `private_metadata`: the incident id, for the note modal. */
  readonly privateMetadata: string;
  /** Input values by `block_id` then `action_id`. */
  readonly values: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>;
}

/** Any other interaction (shortcuts, closed modals…): acknowledged and ignored. */
export interface SlackOtherInteraction {
  readonly type: 'other';
  readonly slackType: string;
}

/** An interactivity payload. */
export type SlackInteraction = SlackBlockAction | SlackViewSubmission | SlackOtherInteraction;

/** An Events API request. */
export type SlackEventRequest =
  | { readonly type: 'url_verification'; readonly challenge: string }
  | {
      readonly type: 'event_callback';
      readonly eventType: string;
      readonly userId?: string;
      readonly channelId?: string;
      readonly text?: string;
      readonly botId?: string;
      /** The emoji of a `reaction_added` / `reaction_removed`, e.g. `memo` (without colons). */
      readonly reaction?: string;
      /** What a reaction was added to: a message (`type: 'message'`, its `channelId` and `ts`). */
      readonly item?: { readonly type: string; readonly channelId?: string; readonly ts?: string };
    }
  | { readonly type: 'other'; readonly slackType: string };

const id = /* @__PURE__ */ z.string().min(1).max(200);
const httpUrl = /* @__PURE__ */ z.string().max(2_000).regex(/^https?:\/\/[^\s]+$/, 'Must be an http(s) URL');

const slashSchema = /* @__PURE__ */ (() =>
  z.object({
    command: z.string().min(1).max(100),
    text: z.string().max(40_000).default(''),
    user_id: id,
    user_name: z.string().max(200).optional(),
    channel_id: id,
    team_id: id.optional(),
    response_url: httpUrl,
    trigger_id: id.optional(),
  }))();

const userSchema = /* @__PURE__ */ (() => z.object({ id, username: z.string().max(200).optional(), name: z.string().max(200).optional() }))();

const interactionSchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('block_actions'),
      user: userSchema,
      trigger_id: id,
      response_url: httpUrl.optional(),
      channel: z.object({ id }).optional(),
      actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(2_000).optional() })).min(1).max(25),
    }),
    z.object({
      type: z.literal('view_submission'),
      user: userSchema,
      view: z.object({
        callback_id: z.string().max(255).default(''),
        private_metadata: z.string().max(3_000).default(''),
        state: z
          .object({
            values: z.record(
              z.string().max(255),
              z.record(z.string().max(255), z.object({ value: z.string().max(20_000).nullish() })),
            ),
          })
          .default({ values: {} }),
      }),
    }),
  ]))();

const eventSchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(500) }),
    z.object({
      type: z.literal('event_callback'),
      event: z.object({
        type: z.string().max(100),
        user: z.string().max(200).optional(),
        channel: z.string().max(200).optional(),
        text: z.string().max(40_000).optional(),
        bot_id: z.string().max(200).optional(),
        reaction: z.string().max(200).optional(),
        item: z.object({ type: z.string().max(100), channel: z.string().max(200).optional(), ts: z.string().max(100).optional() }).optional(),
      }),
    }),
  ]))();

function invalid(what: string, message: string): ValidationError {
  return new ValidationError(what, [{ code: 'invalid_format', path: [], message }]);
}

/** The fields of a form-encoded body; a field given twice is refused (Slack sends each once). */
function formFields(body: string, what: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (name in fields) throw invalid(what, `The field ${name.slice(0, 40)} is given twice`);
    fields[name] = value;
  }
  return fields;
}

/**
 * Parses a slash command's form-encoded body.
 *
 * @example
 * ```ts
 * import { parseSlackSlashCommand } from 'incidentkit/slack';
 *
 * const command = parseSlackSlashCommand('command=%2Fincident&text=ack&user_id=U1&channel_id=C1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1');
 * console.log(command.text); // 'ack'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when a field Slack always sends is missing or malformed.
 */
export function parseSlackSlashCommand(body: string): SlackSlashCommand {
  const parsed = slashSchema.safeParse(formFields(body, 'Slack slash command'));
  if (!parsed.success) throw new ValidationError('Slack slash command', toIssues(parsed.error));
  const form = parsed.data;
  return {
    command: form.command,
    text: form.text,
    userId: form.user_id,
    ...(form.user_name === undefined ? {} : { userName: form.user_name }),
    channelId: form.channel_id,
    ...(form.team_id === undefined ? {} : { teamId: form.team_id }),
    responseUrl: form.response_url,
    ...(form.trigger_id === undefined ? {} : { triggerId: form.trigger_id }),
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid(what, 'The body is not valid JSON');
  }
}

function slackTypeOf(value: unknown): string {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type.slice(0, 100) : 'unknown';
}

/**
 * Parses an interactivity request: the form field `payload` holding JSON.
 *
 * @example
 * ```ts
 * import { parseSlackInteraction } from 'incidentkit/slack';
 *
 * declare const body: string;
 * const interaction = parseSlackInteraction(body);
 * if (interaction.type === 'block_actions') console.log(interaction.actionId, interaction.value);
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when there is no `payload`, it is not JSON, or a
 * `block_actions` / `view_submission` lacks a field Slack always sends.
 */
export function parseSlackInteraction(body: string): SlackInteraction {
  const payload = formFields(body, 'Slack interaction').payload;
  if (payload === undefined) throw invalid('Slack interaction', 'The form has no payload field');
  const json = parseJson(payload, 'Slack interaction');
  const slackType = slackTypeOf(json);
  if (slackType !== 'block_actions' && slackType !== 'view_submission') return { type: 'other', slackType };
  const parsed = interactionSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError('Slack interaction', toIssues(parsed.error));
  const data = parsed.data;
  const userName = data.user.username ?? data.user.name;
  const user = { userId: data.user.id, ...(userName === undefined ? {} : { userName }) };
  if (data.type === 'view_submission') {
    const values: Record<string, Record<string, string | undefined>> = {};
    for (const [blockId, actions] of Object.entries(data.view.state.values)) {
      const block: Record<string, string | undefined> = {};
      for (const [actionId, action] of Object.entries(actions)) block[actionId] = action.value ?? undefined;
      values[blockId] = block;
    }
    return { type: 'view_submission', ...user, callbackId: data.view.callback_id, privateMetadata: data.view.private_metadata, values };
  }
  // Buttons send one action per request; the first is the one clicked.
  const [action] = data.actions;
  return {
    type: 'block_actions',
    ...user,
    actionId: action?.action_id ?? '',
    ...(action?.value === undefined ? {} : { value: action.value }),
    triggerId: data.trigger_id,
    ...(data.response_url === undefined ? {} : { responseUrl: data.response_url }),
    ...(data.channel === undefined ? {} : { channelId: data.channel.id }),
  };
}

/**
 * Parses an Events API request (JSON).
 *
 * @example
 * ```ts
 * import { parseSlackEvent } from 'incidentkit/slack';
 *
 * const event = parseSlackEvent('{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}');
 * if (event.type === 'url_verification') console.log(event.challenge);
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not JSON or a known type lacks a field.
 */
export function parseSlackEvent(body: string): SlackEventRequest {
  const json = parseJson(body, 'Slack event');
  const slackType = slackTypeOf(json);
  if (slackType !== 'url_verification' && slackType !== 'event_callback') return { type: 'other', slackType };
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError('Slack event', toIssues(parsed.error));
  const data = parsed.data;
  if (data.type === 'url_verification') return { type: 'url_verification', challenge: data.challenge };
  const { event } = data;
  return {
    type: 'event_callback',
    eventType: event.type,
    ...(event.user === undefined ? {} : { userId: event.user }),
    ...(event.channel === undefined ? {} : { channelId: event.channel }),
    ...(event.text === undefined ? {} : { text: event.text }),
    ...(event.bot_id === undefined ? {} : { botId: event.bot_id }),
    ...(event.reaction === undefined ? {} : { reaction: event.reaction }),
    ...(event.item === undefined
      ? {}
      : {
          item: {
            type: event.item.type,
            ...(event.item.channel === undefined ? {} : { channelId: event.item.channel }),
            ...(event.item.ts === undefined ? {} : { ts: event.item.ts }),
          },
        }),
  };
}
