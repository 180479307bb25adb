/**
 * What a chat command's execution answers, platform-neutral: each chat platform (Slack, Teams,
 * Mattermost) renders it in its own format.
 */
import type { ErrorCode } from '../../errors.js';
import type { ChatParseErrorCode } from './parseChatCommand.js';

/** What a chat reply shows of an incident. */
export interface ChatIncidentSummary {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly severity: string;
  readonly service?: string;
  /** The commander's id (and name), when one is assigned. */
  readonly commander?: { readonly id: string; readonly name?: string };
}

/**
 * The outcome of a chat command, ready for any chat platform to render.
 *
 * @remarks `visibility: 'channel'` is for changes everyone in the conversation should see
 * (declared, acknowledged, resolved…); `'ephemeral'` is for the person alone: help, status,
 * refusals and mistakes. A reply with `ok: false` wrote nothing.
 */
export interface ChatReply {
  readonly ok: boolean;
  readonly visibility: 'ephemeral' | 'channel';
  /** One or a few sentences of plain text (no markup): what happened, or what to do instead. */
  readonly text: string;
  /** The incident the command was about, when the person may read it. */
  readonly incident?: ChatIncidentSummary;
  /** Why nothing was written: an incidentkit error code, or a parse error code of the grammar. */
  readonly code?: ChatReplyCode;
}

/**
 * Why a chat command wrote nothing: an incidentkit error code the person can act on, or one of
 * the executor's own (`NO_INCIDENT`, `AMBIGUOUS_INCIDENT`, `UNKNOWN_USER`, `UNKNOWN_SEVERITY`), or
 * a parse error of the grammar (`UNKNOWN_COMMAND`, `MISSING_ARGUMENT`, …).
 */
export type ChatReplyCode = Extract<ErrorCode, 'VALIDATION_FAILED' | 'INVALID_TRANSITION' | 'NOT_FOUND' | 'FORBIDDEN' | 'DUPLICATE_INCIDENT' | 'VERSION_CONFLICT'> | 'NO_INCIDENT' | 'AMBIGUOUS_INCIDENT' | 'UNKNOWN_USER' | 'UNKNOWN_SEVERITY'
  | ChatParseErrorCode;
