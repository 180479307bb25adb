/**
 * A Mattermost custom slash command as Mattermost posts it (developers.mattermost.com,
 * "Slash commands"): an `application/x-www-form-urlencoded` body with `channel_id`,
 * `channel_name`, `command`, `response_url`, `team_domain`, `team_id`, `text`, `token`,
 * `trigger_id`, `user_id` and `user_name`, and the same token in `Authorization: Token …`.
 * Only the fields incidentkit uses are checked; others are ignored, as Mattermost adds fields
 * over time.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { toIssues } from '../../kernel/parse.js';

/** A slash command as Mattermost posts it. */
export interface MattermostSlashCommand {
  /** The command with its slash, e.g. `/incident`. */
  readonly command: string;
  /** What follows the command, as typed. */
  readonly text: string;
  /** The command's token (checked by the caller before anything else). */
  readonly token: string;
  /** The Mattermost user id (26 characters). */
  readonly userId: string;
  /** The user's handle, without `@`. */
  readonly userName?: string;
  readonly channelId: string;
  readonly channelName?: string;
  readonly teamId?: string;
  readonly teamDomain?: string;
  /** Where further messages may be posted (Mattermost allows five within 30 minutes). */
  readonly responseUrl?: string;
  readonly triggerId?: string;
}

/** The media type of a slash command's body. */
export const MATTERMOST_FORM_TYPE = 'application/x-www-form-urlencoded';

const id = /* @__PURE__ */ z.string().min(1, 'Must not be empty').max(200);

const slashSchema = /* @__PURE__ */ (() =>
  z.object({
    command: z.string().min(1, 'Must not be empty').max(200),
    text: z.string().max(40_000).default(''),
    token: z.string().max(1_000).default(''),
    user_id: id,
    user_name: z.string().max(200).optional(),
    channel_id: id,
    channel_name: z.string().max(200).optional(),
    team_id: id.optional(),
    team_domain: z.string().max(200).optional(),
    response_url: z.string().max(2_000).regex(/^https?:\/\/\S+$/, 'Must be an http(s) URL').optional(),
    trigger_id: z.string().max(2_000).optional(),
  }))();

function invalid(message: string): ValidationError {
  return new ValidationError('Mattermost slash command', [{ code: 'invalid_format', path: [], message }]);
}

/**
 * The fields of a form-encoded body. A field given twice is refused: Mattermost sends each once,
 * and a second `token` or `text` could otherwise be read differently by two readers.
 */
function formFields(body: string): Readonly<Record<string, string>> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (name in fields) throw invalid(`The field ${name.slice(0, 40)} is given twice`);
    fields[name] = value;
  }
  return fields;
}

/**
 * Parses a slash command's form-encoded body.
 *
 * @remarks The token is returned, not checked: compare it with {@link verifyMattermostToken}
 * before acting on anything else in the body.
 *
 * @example
 * ```ts
 * import { parseMattermostSlashCommand } from 'incidentkit/mattermost';
 *
 * const command = parseMattermostSlashCommand('channel_id=c1&command=%2Fincident&text=ack&token=t1&user_id=u1&user_name=alice');
 * console.log(command.text, command.userName); // 'ack' 'alice'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when a field Mattermost always sends (`command`,
 * `user_id`, `channel_id`) is missing or malformed, or a field is given twice.
 */
export function parseMattermostSlashCommand(body: string): MattermostSlashCommand {
  const parsed = slashSchema.safeParse(formFields(body));
  if (!parsed.success) throw new ValidationError('Mattermost slash command', toIssues(parsed.error));
  const form = parsed.data;
  return {
    command: form.command,
    text: form.text,
    token: form.token,
    userId: form.user_id,
    ...(form.user_name === undefined || form.user_name === '' ? {} : { userName: form.user_name }),
    channelId: form.channel_id,
    ...(form.channel_name === undefined ? {} : { channelName: form.channel_name }),
    ...(form.team_id === undefined ? {} : { teamId: form.team_id }),
    ...(form.team_domain === undefined ? {} : { teamDomain: form.team_domain }),
    ...(form.response_url === undefined ? {} : { responseUrl: form.response_url }),
    ...(form.trigger_id === undefined || form.trigger_id === '' ? {} : { triggerId: form.trigger_id }),
  };
}

/**
 * Whether a `Content-Type` header names a form-encoded body (parameters such as `charset` allowed).
 *
 * @example
 * ```ts
 * import { isMattermostForm } from 'incidentkit/mattermost';
 *
 * isMattermostForm('application/x-www-form-urlencoded'); // true
 * isMattermostForm('application/json'); // false
 * ```
 */
export function isMattermostForm(contentType: string | null): boolean {
  if (contentType === null) return false;
  const [type] = contentType.split(';');
  return type?.trim().toLowerCase() === MATTERMOST_FORM_TYPE;
}
