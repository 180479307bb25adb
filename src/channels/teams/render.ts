/**
 * How chat replies look in Microsoft Teams: the synchronous answer to an outgoing webhook, a
 * message with an Adaptive Card, built from the platform-neutral {@link ChatReply}.
 */
import { truncate } from '../../kernel/text.js';
import type { ChatReply } from '../chat/chatReply.js';
import type { AdaptiveCard } from '../teams.js';

/** The answer to a Teams outgoing webhook: a message Teams posts in the thread of the command. */
export interface TeamsReplyMessage {
  readonly type: 'message';
  /** The reply as text (HTML-escaped, as Teams reads message text; line breaks as `<br>`), shown above the card and in notifications. */
  readonly text: string;
  readonly attachments: readonly [{ readonly contentType: 'application/vnd.microsoft.card.adaptive'; readonly content: AdaptiveCard }];
}

/** Teams refuses messages over about 28 KB; each text is cut well below that. */
const MAX_TEXT = 4_000;
const MAX_FACT = 500;

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Renders a chat reply as the answer to a Teams outgoing webhook: the text, and an Adaptive
 * Card 1.4 showing it with, when the reply carries an incident, a FactSet of its id, status,
 * severity, service and commander. A refusal (`ok: false`) is shown in the card's attention colour.
 *
 * @remarks Outgoing webhooks can only answer in the thread of the message, so `visibility`
 * does not change where the reply appears: an ephemeral reply (help, status, a refusal) is seen
 * by everyone in the thread too. Card actions other than `openUrl` do not work in outgoing
 * webhooks, so the card has no buttons.
 *
 * @example
 * ```ts
 * import { renderTeamsReply } from 'incidentkit/teams';
 *
 * const message = renderTeamsReply({ ok: true, visibility: 'channel', text: 'Alice acknowledged inc_0b6f.' });
 * ```
 */
export function renderTeamsReply(reply: ChatReply): TeamsReplyMessage {
  const text = truncate(reply.text, MAX_TEXT);
  const incident = reply.incident;
  const facts =
    incident === undefined
      ? []
      : [
          { title: 'Incident', value: incident.id },
          { title: 'Title', value: incident.title },
          { title: 'Status', value: incident.status },
          { title: 'Severity', value: incident.severity },
          ...(incident.service === undefined ? [] : [{ title: 'Service', value: incident.service }]),
          ...(incident.commander === undefined ? [] : [{ title: 'Commander', value: incident.commander.name ?? incident.commander.id }]),
        ].map((fact) => ({ title: fact.title, value: truncate(fact.value.replaceAll('\n', ' '), MAX_FACT) }));
  const card: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      // One TextBlock per line: a TextBlock's markdown would run single line breaks together.
      ...text.split('\n').map((line, index) => ({ type: 'TextBlock', text: line, wrap: true, ...(index === 0 ? {} : { spacing: 'None' }), ...(reply.ok ? {} : { color: 'attention' }) })),
      ...(facts.length === 0 ? [] : [{ type: 'FactSet', facts }]),
    ],
  };
  return {
    type: 'message',
    text: escapeHtml(text).replaceAll('\n', '<br>'),
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
  };
}
