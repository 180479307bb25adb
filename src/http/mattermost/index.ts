/**
 * `incidentkit/mattermost`: run incidents from Mattermost. {@link mattermostCommands} is the
 * handler of a custom slash command (`/incident …`); mount it with
 * `createIncidentHandler(engine, { mattermost })` from `incidentkit/http`. The chat command
 * grammar and executor shared by every chat platform are exported here too.
 *
 * @remarks Uses only Web-standard APIs, like `incidentkit/http`.
 *
 * @packageDocumentation
 */
export { mattermostCommands, type MattermostCommands, type MattermostCommandsOptions, type MattermostUsers } from './mattermostCommands.js';
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
export { isMattermostForm, MATTERMOST_FORM_TYPE, parseMattermostSlashCommand, type MattermostSlashCommand } from '../../channels/mattermost/requests.js';
export { mattermostAuthorizationToken, verifyMattermostToken } from '../../channels/mattermost/token.js';
export {
  escapeMattermostMarkdown,
  renderMattermostReply,
  type MattermostAttachment,
  type MattermostAttachmentField,
  type MattermostCommandResponse,
} from '../../channels/mattermost/render.js';
