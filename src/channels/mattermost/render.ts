/**
 * How chat replies look in Mattermost: the JSON a slash command answers with
 * (`response_type`, Markdown `text`, message `attachments`), built from the platform-neutral
 * {@link ChatReply}.
 */
import { truncate } from '../../kernel/text.js';
import type { ChatReply } from '../chat/chatReply.js';

/** A field of a message attachment: a short title and a Markdown value. */
export interface MattermostAttachmentField {
  readonly title: string;
  readonly value: string;
  /** Whether the field may stand beside another one. */
  readonly short: boolean;
}

/** A message attachment (Mattermost's Slack-compatible attachments), as incidentkit uses them. */
export interface MattermostAttachment {
  /** Plain text shown where attachments are not (notifications). */
  readonly fallback: string;
  /** The bar on the left: red while the incident is open, green once resolved. */
  readonly color: string;
  readonly title: string;
  readonly fields: readonly MattermostAttachmentField[];
}

/** A slash command's response, as Mattermost reads it. */
export interface MattermostCommandResponse {
  /** `ephemeral`: only the person who typed the command sees it; `in_channel`: posted in the channel. */
  readonly response_type: 'ephemeral' | 'in_channel';
  /** Markdown; everything in it that came from people is escaped (see {@link escapeMattermostMarkdown}). */
  readonly text: string;
  /** Always `true`: Mattermost would otherwise turn Slack markup such as `<!channel>` into a mention. */
  readonly skip_slack_parsing: true;
  /** The incident's facts, when the reply carries them. */
  readonly attachments?: readonly MattermostAttachment[];
}

/** Characters with a meaning anywhere in Mattermost Markdown. */
const INLINE_MARKUP = /[\\`*_~[\]<>|]/g;
/** Characters with a meaning at the start of a line (headings, lists, setext underlines). */
const LINE_START_MARKUP = /^([ \t]{0,3})([#+=-])/gm;

/**
 * Text that Mattermost shows as written: Markdown characters are backslash-escaped, and every
 * `@` is followed by a zero-width space, so that no text a person typed (an incident title, a
 * note) can mention anyone — `@channel`, `@all`, `@here` or a user — or format the message.
 *
 * @example
 * ```ts
 * import { escapeMattermostMarkdown } from 'incidentkit/mattermost';
 *
 * escapeMattermostMarkdown('**Down** @channel'); // '\\*\\*Down\\*\\* @\u200Bchannel'
 * ```
 */
export function escapeMattermostMarkdown(text: string): string {
  return text.replace(INLINE_MARKUP, '\\$&').replace(LINE_START_MARKUP, '$1\\$2').replaceAll('@', '@\u200B');
}

/** The longest reply text kept, before escaping (Mattermost posts hold 16 383 characters; escaping at most doubles a text). */
const MAX_TEXT = 8_000;
const MAX_FIELD = 1_000;

const CLOSED_STATES: ReadonlySet<string> = /* @__PURE__ */ new Set(['resolved', 'postIncident', 'closed', 'canceled']);

/**
 * Renders a chat reply as a slash command response: in the channel or only for the person as
 * the reply says, its text escaped, and the incident (when the reply carries one) as a message
 * attachment with its id, status, severity, service and commander as fields.
 *
 * @example
 * ```ts
 * import { renderMattermostReply } from 'incidentkit/mattermost';
 *
 * const response = renderMattermostReply({ ok: true, visibility: 'ephemeral', text: 'Usage: /incident ack [#<incident>]' });
 * // { response_type: 'ephemeral', text: 'Usage: /incident ack \\[#\\<incident\\>\\]', skip_slack_parsing: true }
 * ```
 */
export function renderMattermostReply(reply: ChatReply): MattermostCommandResponse {
  const response_type = reply.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  const text = escapeMattermostMarkdown(truncate(reply.text, MAX_TEXT));
  const incident = reply.incident;
  if (incident === undefined) return { response_type, text, skip_slack_parsing: true };
  const field = (title: string, value: string, short = true): MattermostAttachmentField => ({ title, value: escapeMattermostMarkdown(truncate(value, MAX_FIELD)), short });
  const fields = [
    field('Incident', incident.id),
    field('Status', incident.status),
    field('Severity', incident.severity),
    ...(incident.service === undefined ? [] : [field('Service', incident.service)]),
    ...(incident.commander === undefined ? [] : [field('Commander', incident.commander.name ?? incident.commander.id)]),
  ];
  // Titles and fallbacks are shown as plain text, but Mattermost still finds mentions in them.
  const defuse = (value: string): string => value.replaceAll('@', '@\u200B');
  const title = truncate(incident.title, MAX_FIELD);
  return {
    response_type,
    text,
    skip_slack_parsing: true,
    attachments: [
      {
        fallback: defuse(`${incident.id} [${incident.severity}] ${title}: ${incident.status}`),
        color: CLOSED_STATES.has(incident.status) ? '#3db887' : '#d24b4e',
        title: defuse(title),
        fields,
      },
    ],
  };
}
