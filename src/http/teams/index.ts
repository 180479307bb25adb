/**
 * `incidentkit/teams`: run incidents from Microsoft Teams. {@link teamsOutgoingWebhook} is the
 * handler of a Teams outgoing webhook; mount it with `createIncidentHandler(engine, { teams })`
 * from `incidentkit/http` (it serves `POST /teams/messages`). The chat command grammar and
 * executor shared by every chat platform are exported here too.
 *
 * @remarks Uses only Web-standard APIs (Web Crypto), like `incidentkit/http`.
 *
 * @packageDocumentation
 */
export {
  teamsOutgoingWebhook,
  type TeamsConversationRef,
  type TeamsOutgoingWebhook,
  type TeamsOutgoingWebhookOptions,
  type TeamsUsers,
} from './teamsOutgoingWebhook.js';
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
export { decodeTeamsSecret, teamsSignature, teamsVerifier, verifyTeamsSignature } from '../../channels/teams/signature.js';
export {
  parseTeamsActivity,
  type TeamsAccount,
  type TeamsActivity,
  type TeamsChannelData,
  type TeamsConversation,
  type TeamsMention,
} from '../../channels/teams/activity.js';
export { cleanTeamsText, type CleanTeamsTextOptions, type TeamsCleanText } from '../../channels/teams/text.js';
export { renderTeamsReply, type TeamsReplyMessage } from '../../channels/teams/render.js';
export type { AdaptiveCard } from '../../channels/teams.js';
