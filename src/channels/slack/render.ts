/**
 * How chat replies and the "Add note" modal look in Slack: Block Kit, built from the
 * platform-neutral {@link ChatReply}.
 */
import { truncate } from '../../kernel/text.js';
import type { ChatReply } from '../chat/chatReply.js';
import { SLACK_NOTE_CALLBACK_ID } from './requests.js';

/** A message posted to a slash command's or a button's `response_url`. */
export interface SlackResponseMessage {
  readonly response_type: 'ephemeral' | 'in_channel';
  readonly text: string;
  readonly blocks?: readonly Readonly<Record<string, unknown>>[];
  readonly replace_original?: boolean;
}

/** A modal view for `views.open`. */
export type SlackModalView = Readonly<Record<string, unknown>> & { readonly type: 'modal'; readonly callback_id: string };

/** The `block_id` and `action_id` of the note modal's text input. */
export const SLACK_NOTE_INPUT = /* @__PURE__ */ Object.freeze({ blockId: 'note', actionId: 'text' } as const);

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Renders a chat reply as a `response_url` message: ephemeral or in the channel as the reply
 * says, its text escaped (so nothing in it pings anyone), and the incident's facts as fields.
 *
 * @example
 * ```ts
 * import { renderSlackReply } from 'incidentkit/slack';
 *
 * const message = renderSlackReply({ ok: true, visibility: 'ephemeral', text: 'Usage: /incident ack [#<incident>]' });
 * ```
 */
export function renderSlackReply(reply: ChatReply): SlackResponseMessage {
  const text = truncate(escape(reply.text), 3_000);
  const response_type = reply.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  const incident = reply.incident;
  if (incident === undefined) return { response_type, text, replace_original: false };
  const fields = [
    `*Incident*\n${escape(incident.id)}`,
    `*Status*\n${escape(incident.status)}`,
    `*Severity*\n${escape(incident.severity)}`,
    ...(incident.service === undefined ? [] : [`*Service*\n${escape(incident.service)}`]),
    ...(incident.commander === undefined ? [] : [`*Commander*\n${escape(incident.commander.name ?? incident.commander.id)}`]),
  ].map((field) => ({ type: 'mrkdwn', text: truncate(field, 2_000) }));
  return {
    response_type,
    text,
    replace_original: false,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'section', fields },
    ],
  };
}

/**
 * The "Add note" modal of an incident: one multi-line text input; the incident id rides in
 * `private_metadata`, and `callback_id` is `incidentkit.note`.
 *
 * @example
 * ```ts
 * import { slackNoteModal } from 'incidentkit/slack';
 *
 * const view = slackNoteModal('inc_0b6f', 'Checkout is down');
 * ```
 */
export function slackNoteModal(incidentId: string, title?: string): SlackModalView {
  return {
    type: 'modal',
    callback_id: SLACK_NOTE_CALLBACK_ID,
    private_metadata: incidentId,
    title: { type: 'plain_text', text: 'Add a note' },
    submit: { type: 'plain_text', text: 'Add note' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...(title === undefined ? [] : [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(escape(`${incidentId}: ${title}`), 2_000) }] }]),
      {
        type: 'input',
        block_id: SLACK_NOTE_INPUT.blockId,
        label: { type: 'plain_text', text: 'Note' },
        element: { type: 'plain_text_input', action_id: SLACK_NOTE_INPUT.actionId, multiline: true, max_length: 3_000 },
      },
    ],
  };
}
