/**
 * Runs a parsed chat command against the engine, as an actor, and says what happened in a
 * platform-neutral reply: Slack, Microsoft Teams and Mattermost only translate the reply.
 */
import type { AnyIncidentType } from '../../features/classification/defineIncidentType.js';
import type { IncidentEngine } from '../../incidentEngine.js';
import { isIncidentKitError } from '../../errors.js';
import type { ActorInput } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { chatHelp, type ChatCommand, type ChatIncidentRef } from '../../channels/chat/parseChatCommand.js';
import type { ChatIncidentSummary, ChatReply, ChatReplyCode } from '../../channels/chat/chatReply.js';

export type { ChatIncidentSummary, ChatReply, ChatReplyCode } from '../../channels/chat/chatReply.js';

/** The engine a chat executor drives (any incident types). */
export type ChatEngine = IncidentEngine<readonly AnyIncidentType[]>;

/** Who runs a chat command, and what the conversation implies. */
export interface ChatCommandContext {
  /** The actor the command is recorded as; the engine's `authorize` decides about it. */
  readonly actor: ActorInput;
  /** The incident of the conversation (e.g. an incident channel), used when the command names none. */
  readonly incidentId?: string;
  /** The incident of a platform channel, for references such as Slack's `<#C0123|inc-…>`. */
  readonly incidentOfChannel?: (channelId: string) => string | undefined | Promise<string | undefined>;
  /** The actor a platform user mention stands for (e.g. `<@U0123>` in `role commander`). Default: the user id. */
  readonly resolveUser?: (userId: string) => ActorInput | null | undefined | Promise<ActorInput | null | undefined>;
  /** The severity of `declare` without one. Default: the least severe ranked level of the engine's scale. */
  readonly defaultSeverity?: string;
  /** How help texts name the command. Default: `/incident`. */
  readonly commandName?: string;
}

/** Error codes a chat reply explains to the person instead of treating as a server fault. */
const EXPLAINED: ReadonlySet<string> = /* @__PURE__ */ new Set<ChatReplyCode>([
  'VALIDATION_FAILED',
  'INVALID_TRANSITION',
  'NOT_FOUND',
  'FORBIDDEN',
  'DUPLICATE_INCIDENT',
  'VERSION_CONFLICT',
]);

/** A reply that refuses: ephemeral, nothing written. */
function refusal(code: ChatReplyCode, text: string): ChatReply {
  return { ok: false, visibility: 'ephemeral', code, text };
}

/** Thrown inside the executor to answer with a refusal. */
class Refusal extends Error {
  constructor(readonly reply: ChatReply) {
    super(reply.text);
  }
}

function summaryOf(incident: Incident): ChatIncidentSummary {
  const commander = incident.roles.commander?.assignee;
  return {
    id: incident.id,
    title: incident.title,
    status: incident.status,
    severity: incident.severity,
    ...(incident.service === undefined ? {} : { service: incident.service }),
    ...(commander === undefined ? {} : { commander: commander.name === undefined ? { id: commander.id } : { id: commander.id, name: commander.name } }),
  };
}

/** How many open incidents a short reference is looked up among, at most. */
const SHORT_REF_SCAN = 2_000;

/**
 * Runs a chat command as `context.actor` and returns the reply to show.
 *
 * @remarks
 * Maps each command onto the engine: `declare` → `engine.declare`, `acknowledge` →
 * `acknowledge`, `mitigate` → `mitigate`, `resolve` → `resolve`, `note` → `addNote`, `update`
 * → `postUpdate` (audience `stakeholders`), `role` → `assignRole`, `status` → `get`; `help`
 * reads nothing. The engine's `authorize` decides each call exactly as for any other actor.
 *
 * The incident is the command's reference (`#<id>`, or the start of an id among open
 * incidents: a short reference; or a channel reference through `incidentOfChannel`), else
 * `context.incidentId`. A refusal — no incident named, an unknown or ambiguous reference, a
 * denied (`FORBIDDEN`), invalid (`VALIDATION_FAILED`) or out-of-state (`INVALID_TRANSITION`)
 * command — is an ephemeral reply with `ok: false` and wrote nothing. Other failures (a store
 * that is down) are thrown for the caller to report.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { executeChatCommand, parseChatCommand } from 'incidentkit/slack';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const parsed = parseChatCommand('declare Checkout is down sev2');
 * if (parsed.ok) {
 *   const reply = await executeChatCommand(engine, parsed.command, { actor: { id: 'u_alice' } });
 *   console.log(reply.text);
 * }
 * ```
 * @throws IncidentKitError (e.g. `ADAPTER_FAILED`) when the store fails; refusals are replies, not errors.
 */
export async function executeChatCommand(engine: ChatEngine, command: ChatCommand, context: ChatCommandContext): Promise<ChatReply> {
  const commandName = context.commandName ?? '/incident';
  const actor = context.actor;
  try {
    switch (command.kind) {
      case 'help':
        return { ok: true, visibility: 'ephemeral', text: chatHelp(commandName, command.topic) };
      case 'declare': {
        const severity = severityOf(engine, command.severity, context.defaultSeverity);
        const incident = await engine.declare({
          title: command.title,
          severity,
          ...(command.service === undefined ? {} : { service: command.service }),
          actor,
        });
        return await changed(engine, incident, context, `declared ${incident.id} (${incident.severity}): ${incident.title}`);
      }
      case 'status': {
        const id = await incidentOf(engine, command.incident, context);
        const incident = await engine.get(id, { actor });
        const summary = summaryOf(incident);
        return { ok: true, visibility: 'ephemeral', text: statusText(summary), incident: summary };
      }
      case 'acknowledge': {
        const id = await incidentOf(engine, command.incident, context);
        return await changed(engine, await engine.acknowledge(id, { actor }), context, `acknowledged ${id}`);
      }
      case 'mitigate': {
        const id = await incidentOf(engine, command.incident, context);
        return await changed(engine, await engine.mitigate(id, { summary: command.summary, actor }), context, `marked ${id} mitigated: ${command.summary}`);
      }
      case 'resolve': {
        const id = await incidentOf(engine, command.incident, context);
        const incident = await engine.resolve(id, { ...(command.summary === undefined ? {} : { summary: command.summary }), actor });
        return await changed(engine, incident, context, `resolved ${id}${command.summary === undefined ? '' : `: ${command.summary}`}`);
      }
      case 'note': {
        const id = await incidentOf(engine, command.incident, context);
        return await changed(engine, await engine.addNote(id, { text: command.text, actor }), context, `added a note to ${id}`);
      }
      case 'update': {
        const id = await incidentOf(engine, command.incident, context);
        const incident = await engine.postUpdate(id, { audience: 'stakeholders', message: command.text, actor });
        return await changed(engine, incident, context, `posted an update on ${id}: ${command.text}`);
      }
      case 'role': {
        const id = await incidentOf(engine, command.incident, context);
        const assignee = await assigneeOf(command.assignee, context);
        const incident = await engine.assignRole(id, { role: command.role, assignee, actor });
        return await changed(engine, incident, context, `made ${assignee.name ?? assignee.id} ${command.role} of ${id}`);
      }
    }
  } catch (error) {
    if (error instanceof Refusal) return error.reply;
    if (isIncidentKitError(error) && EXPLAINED.has(error.code)) return refusal(error.code as ChatReplyCode, explain(error.code, error.message, commandName));
    throw error;
  }
}

/** The reply of a command that changed the incident: seen by the channel. */
async function changed(engine: ChatEngine, incident: Incident, context: ChatCommandContext, what: string): Promise<ChatReply> {
  const who = context.actor.name ?? context.actor.id;
  const text = `${who} ${what}.`;
  // A role allowed to change an incident is not thereby a reader: show the incident only to readers.
  try {
    await engine.get(incident.id, { actor: context.actor });
  } catch (error) {
    if (isIncidentKitError(error, 'FORBIDDEN')) return { ok: true, visibility: 'channel', text };
    throw error;
  }
  return { ok: true, visibility: 'channel', text, incident: summaryOf(incident) };
}

function statusText(summary: ChatIncidentSummary): string {
  const parts = [`${summary.id} [${summary.severity}] ${summary.title}: ${summary.status}`];
  if (summary.service !== undefined) parts.push(`service ${summary.service}`);
  if (summary.commander !== undefined) parts.push(`commander ${summary.commander.name ?? summary.commander.id}`);
  return `${parts.join(', ')}.`;
}

function explain(code: string, message: string, commandName: string): string {
  switch (code) {
    case 'FORBIDDEN':
      return `You are not allowed to do that; nothing was changed. (${message})`;
    case 'NOT_FOUND':
      return `${message} Check the reference, or run ${commandName} status in the incident's channel.`;
    default:
      return `${message} Nothing was changed.`;
  }
}

function severityOf(engine: ChatEngine, given: string | undefined, fallback: string | undefined): string {
  const scale = engine.severityScale;
  if (given === undefined) {
    if (fallback !== undefined) return fallback;
    const unranked = new Set<string>(scale.unranked ?? []);
    const ranked = scale.levels.filter((level) => !unranked.has(level));
    return ranked[ranked.length - 1] ?? scale.levels[0];
  }
  const level = scale.levels.find((candidate) => candidate.toLowerCase() === given.toLowerCase());
  if (level === undefined) {
    throw new Refusal(refusal('UNKNOWN_SEVERITY', `'${given}' is not a severity here; use one of ${scale.levels.join(', ')}. Nothing was changed.`));
  }
  return level;
}

async function assigneeOf(assignee: Extract<ChatCommand, { kind: 'role' }>['assignee'], context: ChatCommandContext): Promise<{ id: string; name?: string }> {
  if (assignee.kind === 'name') return { id: assignee.name };
  if (context.resolveUser === undefined) return { id: assignee.userId };
  const actor = await context.resolveUser(assignee.userId);
  if (actor === null || actor === undefined) {
    throw new Refusal(refusal('UNKNOWN_USER', `That person is not known to incidentkit, so they cannot take a role. Nothing was changed.`));
  }
  return actor.name === undefined ? { id: actor.id } : { id: actor.id, name: actor.name };
}

/** The id of the incident a command is about. */
async function incidentOf(engine: ChatEngine, ref: ChatIncidentRef | undefined, context: ChatCommandContext): Promise<string> {
  const commandName = context.commandName ?? '/incident';
  if (ref === undefined) {
    if (context.incidentId !== undefined) return context.incidentId;
    throw new Refusal(
      refusal('NO_INCIDENT', `Which incident? Name it, e.g. ${commandName} ack #inc_0b6f, or run the command in the incident's channel.`),
    );
  }
  if (ref.kind === 'channel') {
    const id = await context.incidentOfChannel?.(ref.channelId);
    if (id === undefined) throw new Refusal(refusal('NO_INCIDENT', 'That channel is not an incident channel; name the incident with #<id>.'));
    return id;
  }
  return byReference(engine, ref.value, context);
}

async function byReference(engine: ChatEngine, value: string, context: ChatCommandContext): Promise<string> {
  try {
    await engine.get(value, { actor: context.actor });
    return value;
  } catch (error) {
    // A forbidden read still names an existing incident: the command itself is authorised on its own.
    if (isIncidentKitError(error, 'FORBIDDEN')) return value;
    if (!isIncidentKitError(error, 'NOT_FOUND') && !isIncidentKitError(error, 'VALIDATION_FAILED')) throw error;
  }
  // A short reference: the start of an open incident's id, with or without its `inc_` prefix.
  const wanted = value.toLowerCase();
  const matches: string[] = [];
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await engine.list({ open: true, limit: 500, ...(cursor === undefined ? {} : { cursor }) }, { actor: context.actor });
    for (const incident of page.items) {
      const id = incident.id.toLowerCase();
      const bare = id.startsWith('inc_') ? id.slice(4) : id;
      if (id.startsWith(wanted) || bare.startsWith(wanted)) matches.push(incident.id);
    }
    seen += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined && seen < SHORT_REF_SCAN && matches.length < 2);
  const [only, second] = matches;
  if (only === undefined) throw new Refusal(refusal('NOT_FOUND', `No open incident matches #${value}; check the reference. Nothing was changed.`));
  if (second !== undefined) {
    throw new Refusal(refusal('AMBIGUOUS_INCIDENT', `#${value} matches several open incidents (${only}, ${second}, …); give more of the id.`));
  }
  return only;
}
