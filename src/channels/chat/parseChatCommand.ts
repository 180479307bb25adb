/**
 * The chat command grammar shared by Slack, Microsoft Teams and Mattermost: `declare`, `ack`,
 * `mitigate`, `resolve`, `note`, `update`, `role`, `status` and `help`, parsed from the text a
 * person typed after the command name. Pure: no engine, no I/O; every input gives a command or
 * a typed parse error.
 */

/** How a chat message names an incident, when the conversation does not imply it. */
export type ChatIncidentRef =
  /** `#<id>` or `#<short reference>` (the start of the id, with or without its `inc_` prefix). */
  | { readonly kind: 'id'; readonly value: string }
  /** A Slack channel link (`<#C0123|inc-…>`): the incident of that incident channel. */
  | { readonly kind: 'channel'; readonly channelId: string };

/** Who a `role` command assigns: a platform user mention (`<@U0123>`) or a plain name (`@alice`, `alice`). */
export type ChatAssignee =
  | { readonly kind: 'mention'; readonly userId: string }
  | { readonly kind: 'name'; readonly name: string };

/** A command parsed from chat; `incident` is absent when the conversation must imply it. */
export type ChatCommand =
  | { readonly kind: 'declare'; readonly title: string; readonly severity?: string; readonly service?: string }
  | { readonly kind: 'acknowledge'; readonly incident?: ChatIncidentRef }
  | { readonly kind: 'mitigate'; readonly summary: string; readonly incident?: ChatIncidentRef }
  | { readonly kind: 'resolve'; readonly summary?: string; readonly incident?: ChatIncidentRef }
  | { readonly kind: 'note'; readonly text: string; readonly incident?: ChatIncidentRef }
  | { readonly kind: 'update'; readonly text: string; readonly incident?: ChatIncidentRef }
  | { readonly kind: 'role'; readonly role: string; readonly assignee: ChatAssignee; readonly incident?: ChatIncidentRef }
  | { readonly kind: 'status'; readonly incident?: ChatIncidentRef }
  | { readonly kind: 'help'; readonly topic?: ChatVerb };

/** The verbs of the grammar, as typed (`ack` is the short form of `acknowledge`). */
export const CHAT_VERBS = /* @__PURE__ */ Object.freeze(['declare', 'ack', 'mitigate', 'resolve', 'note', 'update', 'role', 'status', 'help'] as const);

/** One of {@link CHAT_VERBS}. */
export type ChatVerb = (typeof CHAT_VERBS)[number];

/** Why a chat command could not be parsed. */
export type ChatParseErrorCode = 'UNKNOWN_COMMAND' | 'MISSING_ARGUMENT' | 'INVALID_ARGUMENT' | 'TOO_LONG';

/** A chat command that could not be parsed: what is wrong, and the help to show the person. */
export interface ChatParseError {
  readonly code: ChatParseErrorCode;
  /** One sentence saying what is wrong and what to type instead. */
  readonly message: string;
  /** The usage of the verb (or of every verb, for an unknown one), ready to show. */
  readonly help: string;
  /** The verb the error is about, when it was recognised. */
  readonly verb?: ChatVerb;
}

/** What {@link parseChatCommand} returns: the command, or the reason it could not be parsed. */
export type ChatParseResult = { readonly ok: true; readonly command: ChatCommand } | { readonly ok: false; readonly error: ChatParseError };

/** Options of {@link parseChatCommand}. */
export interface ParseChatCommandOptions {
  /** How help texts name the command, e.g. `/incident` (the default) or `@incidentbot`. */
  readonly commandName?: string;
  /**
   * Whether the text escapes `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` (Slack's slash
   * commands do); they are unescaped in titles, notes and summaries. Default: `false`.
   */
  readonly entities?: boolean;
}

/** The longest command text accepted: the engine's longest text field plus room for the verb and reference. */
export const MAX_CHAT_COMMAND_LENGTH = 10_500;

const USAGE: Readonly<Record<ChatVerb, string>> = {
  declare: 'declare <title> [sev1…sev5] [service:<name>]: declares a new incident',
  ack: 'ack [#<incident>]: acknowledges the incident (you are responding)',
  mitigate: 'mitigate [#<incident>] <summary>: records that the impact is contained',
  resolve: 'resolve [#<incident>] [summary]: resolves the incident',
  note: 'note [#<incident>] <text>: adds a note to the timeline',
  update: 'update [#<incident>] <text>: posts a stakeholder update',
  role: 'role [#<incident>] commander @user: assigns a role',
  status: 'status [#<incident>]: shows the incident',
  help: 'help [command]: shows this help',
};

const ALIASES: Readonly<Record<string, ChatVerb>> = {
  declare: 'declare',
  ack: 'ack',
  acknowledge: 'ack',
  mitigate: 'mitigate',
  resolve: 'resolve',
  note: 'note',
  update: 'update',
  role: 'role',
  status: 'status',
  help: 'help',
};

/**
 * The usage of one verb, or of every verb, as shown to a person.
 *
 * @example
 * ```ts
 * import { chatHelp } from 'incidentkit/slack';
 *
 * console.log(chatHelp('/incident', 'declare'));
 * ```
 */
export function chatHelp(commandName: string, verb?: ChatVerb): string {
  if (verb !== undefined) return `Usage: ${commandName} ${USAGE[verb]}`;
  const lines = CHAT_VERBS.map((name) => `• ${commandName} ${USAGE[name]}`);
  return [
    `${commandName} runs an incident from chat:`,
    ...lines,
    'In an incident channel the incident is implied; elsewhere name it with #<id> (the start of the id is enough).',
  ].join('\n');
}

function unescapeEntities(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** Splits off the first whitespace-separated token: `[token, rest]` (rest not trimmed at its end). */
function firstToken(text: string): readonly [string, string] {
  const trimmed = text.trimStart();
  const match = /\s/.exec(trimmed);
  if (match === null) return [trimmed, ''];
  return [trimmed.slice(0, match.index), trimmed.slice(match.index)];
}

const CHANNEL_LINK = /^<#([A-Z0-9]{1,40})(?:\|[^>]{0,200})?>$/;
const USER_MENTION = /^<@([A-Z0-9]{1,40})(?:\|[^>]{0,200})?>$/;
const ID_REF = /^#([A-Za-z0-9][A-Za-z0-9_.:-]{0,199})$/;

/** An incident reference at the start of `rest`, and what follows it. */
function leadingRef(rest: string): { readonly ref?: ChatIncidentRef; readonly rest: string } | { readonly invalid: string } {
  const [token, after] = firstToken(rest);
  const channel = CHANNEL_LINK.exec(token);
  if (channel?.[1] !== undefined) return { ref: { kind: 'channel', channelId: channel[1] }, rest: after };
  if (token.startsWith('#')) {
    const id = ID_REF.exec(token);
    if (id?.[1] === undefined) return { invalid: token };
    return { ref: { kind: 'id', value: id[1] }, rest: after };
  }
  return { rest };
}

/**
 * Parses a chat command: the text typed after the command name (`/incident ack` gives `ack`).
 *
 * @remarks
 * Grammar (the verb is case-insensitive; an incident reference, where allowed, comes right
 * after the verb):
 * - `declare <title> [sev1…sev5] [severity:<level>] [service:<name>]`: the severity and service
 *   tokens may stand anywhere; the other words are the title. `SEV2` and `sev2` both give `SEV2`.
 * - `ack [#<incident>]` (or `acknowledge`), `status [#<incident>]`
 * - `mitigate [#<incident>] <summary>`, `resolve [#<incident>] [summary]`
 * - `note [#<incident>] <text>`, `update [#<incident>] <text>`
 * - `role [#<incident>] <role> <@user>`: the user as a mention (`<@U0123>`, as Slack sends it)
 *   or a plain name (`@alice` or `alice`)
 * - `help [verb]`, and an empty text
 *
 * `#<incident>` is the incident's id or its start (a short reference); a Slack channel link
 * (`<#C0123|inc-…>`) names the incident of that channel. Without a reference the command is
 * about the incident of the conversation (an incident channel), which the executor supplies.
 * Never throws: bad input is an `{ ok: false, error }` with the verb's help.
 *
 * @example
 * ```ts
 * import { parseChatCommand } from 'incidentkit/slack';
 *
 * const parsed = parseChatCommand('declare Checkout is down sev1 service:payments');
 * if (parsed.ok) console.log(parsed.command); // { kind: 'declare', title: 'Checkout is down', severity: 'SEV1', service: 'payments' }
 * else console.log(parsed.error.message, parsed.error.help);
 * ```
 */
export function parseChatCommand(text: string, options: ParseChatCommandOptions = {}): ChatParseResult {
  const commandName = options.commandName ?? '/incident';
  const free = (value: string): string => (options.entities === true ? unescapeEntities(value) : value).trim();
  const fail = (code: ChatParseErrorCode, message: string, verb?: ChatVerb): ChatParseResult => ({
    ok: false,
    error: { code, message, help: chatHelp(commandName, verb), ...(verb === undefined ? {} : { verb }) },
  });
  if (typeof text !== 'string') return fail('INVALID_ARGUMENT', 'The command text must be a string.');
  if (text.length > MAX_CHAT_COMMAND_LENGTH) {
    return fail('TOO_LONG', `The command is longer than ${String(MAX_CHAT_COMMAND_LENGTH)} characters; shorten it.`);
  }
  const [word, afterVerb] = firstToken(text);
  if (word === '') return { ok: true, command: { kind: 'help' } };
  const verb = Object.prototype.hasOwnProperty.call(ALIASES, word.toLowerCase()) ? ALIASES[word.toLowerCase()] : undefined;
  if (verb === undefined) {
    return fail('UNKNOWN_COMMAND', `'${word.slice(0, 40)}' is not a command; try ${commandName} help.`);
  }

  if (verb === 'help') {
    const [topicWord, extra] = firstToken(afterVerb);
    if (topicWord === '') return { ok: true, command: { kind: 'help' } };
    const topic = Object.prototype.hasOwnProperty.call(ALIASES, topicWord.toLowerCase()) ? ALIASES[topicWord.toLowerCase()] : undefined;
    if (topic === undefined || extra.trim() !== '') return fail('UNKNOWN_COMMAND', `There is no help for '${topicWord.slice(0, 40)}'; try ${commandName} help.`);
    return { ok: true, command: { kind: 'help', topic } };
  }

  if (verb === 'declare') return parseDeclare(afterVerb, free, fail);

  const leading = leadingRef(afterVerb);
  if ('invalid' in leading) {
    return fail('INVALID_ARGUMENT', `'${leading.invalid.slice(0, 40)}' is not an incident reference; use #<id>, e.g. #inc_0b6f.`, verb);
  }
  const incident = leading.ref === undefined ? {} : { incident: leading.ref };
  const rest = free(leading.rest);
  switch (verb) {
    case 'ack':
    case 'status':
      if (rest !== '') return fail('INVALID_ARGUMENT', `${verb} takes no text after the incident; did you mean note?`, verb);
      return { ok: true, command: { kind: verb === 'ack' ? 'acknowledge' : 'status', ...incident } };
    case 'resolve':
      return { ok: true, command: { kind: 'resolve', ...incident, ...(rest === '' ? {} : { summary: rest }) } };
    case 'mitigate':
      if (rest === '') return fail('MISSING_ARGUMENT', 'Say how the impact was contained, e.g. mitigate rolled back to v41.', verb);
      return { ok: true, command: { kind: 'mitigate', summary: rest, ...incident } };
    case 'note':
    case 'update':
      if (rest === '') return fail('MISSING_ARGUMENT', `Give the text of the ${verb}.`, verb);
      return { ok: true, command: { kind: verb, text: rest, ...incident } };
    case 'role':
      return parseRole(leading.rest, incident, fail);
  }
}

type Fail = (code: ChatParseErrorCode, message: string, verb?: ChatVerb) => ChatParseResult;

const SEVERITY_SHORT = /^sev([0-9])$/i;
const SEVERITY_LONG = /^severity:([A-Za-z0-9][A-Za-z0-9_.-]{0,63})$/i;
const SERVICE = /^service:(.{1,200})$/i;

function parseDeclare(afterVerb: string, free: (value: string) => string, fail: Fail): ChatParseResult {
  let severity: string | undefined;
  let service: string | undefined;
  const title: string[] = [];
  for (const token of afterVerb.split(/\s+/)) {
    if (token === '') continue;
    const short = SEVERITY_SHORT.exec(token);
    const long = SEVERITY_LONG.exec(token);
    const named = SERVICE.exec(token);
    if (short !== null || long !== null || /^severity:/i.test(token)) {
      if (severity !== undefined) return fail('INVALID_ARGUMENT', 'Give the severity once.', 'declare');
      const level = short?.[1] === undefined ? long?.[1] : `SEV${short[1]}`;
      if (level === undefined) return fail('INVALID_ARGUMENT', `'${token.slice(0, 40)}' is not a severity; use e.g. sev2.`, 'declare');
      severity = level;
    } else if (named !== null || /^service:$/i.test(token)) {
      if (service !== undefined) return fail('INVALID_ARGUMENT', 'Give the service once.', 'declare');
      const name = named?.[1] === undefined ? '' : free(named[1]);
      if (name === '') return fail('MISSING_ARGUMENT', 'Name the service after service:, e.g. service:payments.', 'declare');
      service = name;
    } else {
      title.push(token);
    }
  }
  const joined = free(title.join(' '));
  if (joined === '') return fail('MISSING_ARGUMENT', 'Give the incident a title, e.g. declare Checkout is down sev2.', 'declare');
  return {
    ok: true,
    command: { kind: 'declare', title: joined, ...(severity === undefined ? {} : { severity }), ...(service === undefined ? {} : { service }) },
  };
}

const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const PLAIN_NAME = /^@?([A-Za-z0-9][A-Za-z0-9._-]{0,199})$/;

function parseRole(rest: string, incident: { readonly incident?: ChatIncidentRef }, fail: Fail): ChatParseResult {
  const tokens = rest.split(/\s+/).filter((token) => token !== '');
  const [role, who, ...extra] = tokens;
  if (role === undefined || who === undefined) return fail('MISSING_ARGUMENT', 'Name the role and the person, e.g. role commander @alice.', 'role');
  if (!ROLE_NAME.test(role)) return fail('INVALID_ARGUMENT', `'${role.slice(0, 40)}' is not a role name; use e.g. commander.`, 'role');
  if (extra.length > 0) return fail('INVALID_ARGUMENT', 'Assign one person at a time: role commander @alice.', 'role');
  const mention = USER_MENTION.exec(who);
  if (mention?.[1] !== undefined) {
    return { ok: true, command: { kind: 'role', role: role.toLowerCase(), assignee: { kind: 'mention', userId: mention[1] }, ...incident } };
  }
  const plain = PLAIN_NAME.exec(who);
  if (plain?.[1] === undefined) return fail('INVALID_ARGUMENT', `'${who.slice(0, 40)}' is not a person; mention them, e.g. @alice.`, 'role');
  return { ok: true, command: { kind: 'role', role: role.toLowerCase(), assignee: { kind: 'name', name: plain[1] }, ...incident } };
}
