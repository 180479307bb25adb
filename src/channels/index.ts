/**
 * `incidentkit/notifiers`: notifier adapters for Slack, Microsoft Teams and email.
 *
 * @remarks None of them loads a channel's client library: Slack and Teams use `fetch`, and
 * email takes a transport the host created (e.g. with nodemailer, an optional peer dependency).
 * `denyPrivateNetworks` (an `allowUrl` check that refuses private networks) resolves host names
 * with `node:dns`, so this entry is for Node.
 *
 * @packageDocumentation
 */
export {
  escapeMrkdwn,
  memoryThreadStore,
  renderSlackMessage,
  renderSlackNotice,
  slackNotifier,
  type SlackApiOptions,
  type SlackBlock,
  type SlackMessage,
  type SlackNotifierOptions,
  type SlackThreadStore,
  type SlackWebhookOptions,
} from './slack.js';
export {
  INCIDENT_ACTIONS,
  incidentChannelName,
  incidentChannelOf,
  incidentOfChannel,
  renderIncidentMessage,
  type IncidentChannelPolicy,
  type IncidentChannelState,
  type SlackIncidentChannelOptions,
} from './slackIncidentChannels.js';
export { renderTeamsMessage, teamsNotifier, type AdaptiveCard, type TeamsMessage, type TeamsNotifierOptions } from './teams.js';
export {
  emailNotifier,
  escapeHtml,
  renderEmail,
  renderNoticeEmail,
  type EmailNotifierOptions,
  type MailMessage,
  type MailTransport,
  type RenderedEmail,
} from './email.js';
export type { AllowUrl, FetchLike } from './webhook.js';
export { denyPrivateNetworks, isPublicAddress } from './denyPrivateNetworks.js';
