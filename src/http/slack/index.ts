/**
 * `incidentkit/slack`: run incidents from Slack. {@link slackApp} is the notifier plus the
 * handler of Slack's slash commands, buttons, modals and events; mount it with
 * `createIncidentHandler(engine, { slack: app })` from `incidentkit/http`. The chat command
 * grammar and executor shared by every chat platform are exported here too.
 *
 * @remarks Uses only Web-standard APIs (`fetch`, Web Crypto), like `incidentkit/http`.
 *
 * @packageDocumentation
 */
export { slackApp, SLACK_MITIGATE_SUMMARY, type SlackApp, type SlackAppOptions, type SlackUsers } from './slackApp.js';
export {
  chatHelp,
  CHAT_VERBS,
  MAX_CHAT_COMMAND_LENGTH,
  parseChatCommand,
  type ChatAssignee,
  type ChatCommand,
  type ChatIncidentRef,
  type ChatParseError,
  type ChatParseErrorCode,
  type ChatParseResult,
  type ChatVerb,
  type ParseChatCommandOptions,
} from '../../channels/chat/parseChatCommand.js';
export { executeChatCommand, type ChatCommandContext, type ChatEngine, type ChatIncidentSummary, type ChatReply, type ChatReplyCode } from '../chat/executeChatCommand.js';
export { SLACK_REPLAY_WINDOW_SECONDS, slackSignature, verifySlackSignature, type SlackSignedRequest } from '../../channels/slack/signature.js';
export {
  parseSlackEvent,
  parseSlackInteraction,
  parseSlackSlashCommand,
  SLACK_ACTION_IDS,
  SLACK_NOTE_CALLBACK_ID,
  type SlackBlockAction,
  type SlackEventRequest,
  type SlackInteraction,
  type SlackOtherInteraction,
  type SlackSlashCommand,
  type SlackViewSubmission,
} from '../../channels/slack/requests.js';
export { renderSlackReply, SLACK_NOTE_INPUT, slackNoteModal, type SlackModalView, type SlackResponseMessage } from '../../channels/slack/render.js';
