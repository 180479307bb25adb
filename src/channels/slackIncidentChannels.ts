/**
 * Incident channels of the Slack notifier: a channel per incident (created, given a topic,
 * responders invited, archived after close) and the live incident message in it, whose buttons
 * the inbound half of the Slack app handles and which is updated in place on every change.
 *
 * Every step is a Slack Web API call made while the notifier sends an outbox message, so a
 * failure is retried by the dispatcher; the progress is kept in the thread store after each
 * step, so a retry continues where the last attempt stopped instead of starting over.
 */
import { ConfigError, NotifierError } from '../errors.js';
import { formatTime } from '../kernel/timeFormat.js';
import { truncate } from '../kernel/text.js';
import type { Incident } from '../model/incident.js';
import type { Contacts, NotificationMessage, NotifierContext } from '../model/notification.js';

/** A Block Kit block as the incident message uses it. */
type Block = Readonly<Record<string, unknown>> & { readonly type: string };

/** The `action_id`s of the incident message's buttons; each button's `value` is the incident id. */
export const INCIDENT_ACTIONS = {
  acknowledge: 'incidentkit.acknowledge',
  mitigate: 'incidentkit.mitigate',
  resolve: 'incidentkit.resolve',
  note: 'incidentkit.note',
} as const;

/**
 * Which incidents get a channel: all, those matching every list given (severities, services,
 * incident types), or a predicate.
 */
export type IncidentChannelPolicy =
  | 'all'
  | { readonly severities?: readonly string[]; readonly services?: readonly string[]; readonly types?: readonly string[] }
  | ((incident: Incident) => boolean);

/** Options of incident channels (`slackNotifier({ …, incidentChannels })`). */
export interface SlackIncidentChannelOptions {
  /**
   * Which incidents get a channel. Default: `'all'`. `{ severities, services, types }` takes
   * incidents matching every list given (`types` are the names of incident types, as
   * `declare({ type })` takes them); a predicate decides on anything else, e.g. custom fields.
   */
  readonly when?: IncidentChannelPolicy;
  /**
   * The channel name: `{yyyymmdd}` (the day the incident was detected, UTC), `{slug}` (from the
   * title), `{id}`, `{severity}` and `{service}` are replaced, then the result is made a valid
   * Slack name (lowercase letters, digits, `-` and `_`, at most 80 characters). Default:
   * `inc-{yyyymmdd}-{slug}`. A name already taken gets `-2`, `-3`, … appended.
   */
  readonly name?: string;
  /**
   * The channel topic (at most 250 characters), set when the channel is made and again whenever
   * it changes (e.g. a new severity) at a later notification. Default: `[SEV1] <title> · incident <id>`.
   */
  readonly topic?: (incident: Incident) => string;
  /**
   * The host's directory, the same function as `createIncidentEngine({ contacts })`: the
   * commander and whoever an escalation paged are invited with their address under this
   * notifier's name (e.g. `{ slack: 'U0123ABC' }`). People without one are not invited.
   */
  readonly contacts?: Contacts;
  /** Slack user ids invited to every incident channel, e.g. an incident manager. */
  readonly alwaysInvite?: readonly string[];
  /** Archive the channel when the incident is closed or canceled. Default: `false`. */
  readonly archiveOnClose?: boolean;
}

/** What the notifier gives incident channels to reach Slack. @internal */
export interface SlackApiCaller {
  /**
   * Calls a Web API method with a JSON body. Resolves with Slack's answer when `ok` is true or
   * its error is one of `accept`; otherwise rejects with a NotifierError (retryable for
   * `ratelimited` and Slack-side errors, with `Retry-After`).
   */
  call(method: string, body: Readonly<Record<string, unknown>>, context: NotifierContext, accept?: readonly string[]): Promise<Readonly<Record<string, unknown>>>;
}

/** The key-value store the progress is kept in (the notifier's thread store). @internal */
export interface ProgressStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Where an incident channel stands, as kept in the thread store. */
export interface IncidentChannelState {
  /** The channel id, once Slack created it. */
  readonly channel?: string;
  /** The channel's name. */
  readonly name?: string;
  /** A create that was sent but whose answer never came: its name and when it was sent (ISO-8601). */
  readonly pending?: { readonly name: string; readonly at: string };
  /** How many names were taken before this one (the next suffix). */
  readonly taken?: number;
  readonly topicSet?: boolean;
  /** The topic last set, so a changed title or severity updates it. */
  readonly topic?: string;
  /** Slack user ids already invited (or that cannot be invited). */
  readonly invited?: readonly string[];
  /** The `ts` of the incident message. */
  readonly ts?: string;
  /** The incident version the incident message shows. */
  readonly shownVersion?: number;
  /** Archived after close, or deleted or archived by hand (`gone`): left alone from then on. */
  readonly archived?: boolean;
  /** Slack said the channel no longer exists or was archived by someone (`channel_not_found`, `is_archived`). */
  readonly gone?: boolean;
}

const STATE_PREFIX = 'incidentChannel:';
const BY_CHANNEL_PREFIX = 'incidentChannelId:';

/** Slack's channel name limit. */
const MAX_NAME = 80;
const MAX_TOPIC = 250;
/** How many suffixes are tried before giving up on a taken name. */
const MAX_SUFFIX = 50;

/** Statuses in which an incident gets no new channel: it is over. */
const FINAL = new Set(['closed', 'canceled']);

/** Invite errors about one person: that person is skipped, the others are still invited. */
const PERSON_ERRORS = new Set([
  'already_in_channel',
  'cant_invite_self',
  'cant_invite',
  'user_not_found',
  'user_is_restricted',
  'user_is_ultra_restricted',
  'ura_max_channels',
  'invitee_cant_see_channel',
  'no_external_invite_permission',
]);

/** Errors that say the channel is no more (deleted or archived by hand): the incident carries on without it. */
const GONE_ERRORS = ['channel_not_found', 'is_archived'];

/** Thrown inside a step when Slack says the channel is gone. */
class ChannelGone extends Error {}

/** Rejects with {@link ChannelGone} when `answer` says the channel is gone. */
function present(answer: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (answer.ok !== true && typeof answer.error === 'string' && GONE_ERRORS.includes(answer.error)) throw new ChannelGone(answer.error);
  return answer;
}

function stateKey(tenantId: string, incidentId: string): string {
  return `${STATE_PREFIX}${tenantId}:${incidentId}`;
}

/**
 * Reads the incident channel of an incident from the notifier's thread store: its channel id,
 * name and incident message `ts`, or `undefined` when it has none (yet).
 *
 * @example
 * ```ts
 * import { incidentChannelOf, memoryThreadStore } from 'incidentkit/notifiers';
 *
 * const threads = memoryThreadStore();
 * const channel = await incidentChannelOf(threads, 'default', 'inc_123');
 * console.log(channel?.channel, channel?.ts);
 * ```
 */
export async function incidentChannelOf(store: ProgressStore, tenantId: string, incidentId: string): Promise<IncidentChannelState | undefined> {
  return parseState(await store.get(stateKey(tenantId, incidentId)));
}

/**
 * The incident a Slack channel belongs to, for commands typed in an incident channel: its
 * tenant and id, or `undefined` for any other channel.
 *
 * @example
 * ```ts
 * import { incidentOfChannel, memoryThreadStore } from 'incidentkit/notifiers';
 *
 * const threads = memoryThreadStore();
 * const incident = await incidentOfChannel(threads, 'C0123456789');
 * ```
 */
export async function incidentOfChannel(store: ProgressStore, channelId: string): Promise<{ readonly tenantId: string; readonly incidentId: string } | undefined> {
  const raw = await store.get(`${BY_CHANNEL_PREFIX}${channelId}`);
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as { tenantId?: unknown; incidentId?: unknown };
    return typeof value.tenantId === 'string' && typeof value.incidentId === 'string' ? { tenantId: value.tenantId, incidentId: value.incidentId } : undefined;
  } catch {
    return undefined;
  }
}

function parseState(raw: string | undefined): IncidentChannelState | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `text` without hyphens at either end (by hand: `/^-+|-+$/` backtracks quadratically on a run of them). */
function trimHyphens(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === '-') start += 1;
  while (end > start && text[end - 1] === '-') end -= 1;
  return text.slice(start, end);
}

/** A title as a channel-name slug: lowercase ASCII letters and digits joined by hyphens. */
function slugOf(text: string): string {
  return trimHyphens(
    text
      .normalize('NFKD')
      // Accents come apart from their letters: `Ä` becomes `A` and a combining mark, which goes.
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
  );
}

/** `name` made a valid Slack channel name of at most `max` characters (no leading or trailing hyphen). */
function sanitize(name: string, max: number): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-');
  return trimHyphens(cleaned.slice(0, max));
}

/**
 * The channel name of an incident from a template (see {@link SlackIncidentChannelOptions.name}),
 * valid for Slack: lowercase letters, digits, hyphens and underscores, at most 80 characters;
 * `taken` > 0 appends `-<taken + 1>` within the limit.
 *
 * @example
 * ```ts
 * import { incidentChannelName } from 'incidentkit/notifiers';
 * import type { Incident } from 'incidentkit';
 *
 * declare const incident: Incident;
 * incidentChannelName('inc-{yyyymmdd}-{slug}', incident); // 'inc-20260302-checkout-api-returns-502'
 * ```
 */
export function incidentChannelName(template: string, incident: Incident, taken = 0): string {
  const day = incident.detectedAt.slice(0, 10).replaceAll('-', '');
  const filled = template.replace(/\{(yyyymmdd|slug|id|severity|service)\}/g, (_, key: string) => {
    switch (key) {
      case 'yyyymmdd':
        return day;
      case 'slug':
        return slugOf(incident.title);
      case 'id':
        return incident.id;
      case 'severity':
        return incident.severity;
      default:
        return incident.service ?? '';
    }
  });
  const suffix = taken > 0 ? `-${String(taken + 1)}` : '';
  const base = sanitize(filled, MAX_NAME - suffix.length) || sanitize(`inc-${incident.id}`, MAX_NAME - suffix.length);
  return `${base}${suffix}`;
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  triage: 'Triage: nobody has acknowledged it yet',
  responding: 'Responding',
  mitigated: 'Mitigated: impact contained',
  resolved: 'Resolved',
  postIncident: 'Resolved, under review',
  closed: 'Closed',
  canceled: 'Canceled',
};

/** The buttons each status offers: only what the incident can still do. */
const BUTTONS_BY_STATUS: Readonly<Record<string, readonly (keyof typeof INCIDENT_ACTIONS)[]>> = {
  triage: ['acknowledge', 'mitigate', 'resolve', 'note'],
  responding: ['mitigate', 'resolve', 'note'],
  mitigated: ['resolve', 'note'],
  resolved: ['note'],
  postIncident: ['note'],
};

const BUTTON_TEXT: Readonly<Record<keyof typeof INCIDENT_ACTIONS, string>> = {
  acknowledge: 'Acknowledge',
  mitigate: 'Mitigate',
  resolve: 'Resolve',
  note: 'Add note',
};

/**
 * Renders the live incident message of an incident channel: a header with severity and title,
 * the status, severity, commander and service, the mitigation and resolution summaries, the
 * buttons the incident's status allows (action ids {@link INCIDENT_ACTIONS}, `value` = the
 * incident id) and when it was last updated; plus the `text` fallback.
 *
 * @param commander - The commander's Slack user id, mentioned instead of their actor id.
 * @example
 * ```ts
 * import { renderIncidentMessage } from 'incidentkit/notifiers';
 * import type { Incident } from 'incidentkit';
 *
 * declare const incident: Incident;
 * const { text, blocks } = renderIncidentMessage(incident);
 * ```
 */
export function renderIncidentMessage(incident: Incident, commander?: string): { readonly text: string; readonly blocks: readonly Block[] } {
  const status = STATUS_TEXT[incident.status] ?? incident.status;
  const assignee = incident.roles.commander?.assignee;
  const commanderText =
    commander !== undefined && /^[A-Z0-9]{1,30}$/.test(commander) ? `<@${commander}>` : assignee === undefined ? 'nobody yet' : escape(assignee.name ?? assignee.id);
  const fields = [
    `*Status*\n${escape(status)}`,
    `*Severity*\n${escape(incident.severity)}`,
    `*Commander*\n${commanderText}`,
    ...(incident.service === undefined ? [] : [`*Service*\n${escape(incident.service)}`]),
  ].map((text) => ({ type: 'mrkdwn', text: truncate(text, 2000) }));
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`[${incident.severity}] ${incident.title}`, 150), emoji: true } },
    { type: 'section', fields },
  ];
  const facts = [
    ...(incident.summary === undefined ? [] : [incident.summary]),
    ...(incident.mitigation === undefined ? [] : [`Mitigation: ${incident.mitigation.summary}`]),
    ...(incident.resolution?.summary === undefined ? [] : [`Resolution: ${incident.resolution.summary}`]),
  ];
  if (facts.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escape(facts.join('\n')), 3000) } });
  const buttons = BUTTONS_BY_STATUS[incident.status] ?? [];
  if (buttons.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'incidentkit_incident_actions',
      elements: buttons.map((action) => ({
        type: 'button',
        action_id: INCIDENT_ACTIONS[action],
        text: { type: 'plain_text', text: BUTTON_TEXT[action] },
        value: incident.id,
        ...(action === 'acknowledge' || action === 'resolve' ? { style: 'primary' } : {}),
      })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: escape(`Incident ${incident.id} · updated ${formatTime(incident.updatedAt)}`) }],
  });
  const text = truncate(escape(`[${incident.severity}] ${incident.title}: ${status}`), 4000);
  return { text, blocks };
}

function matches(policy: IncidentChannelPolicy, incident: Incident): boolean {
  if (policy === 'all') return true;
  if (typeof policy === 'function') return policy(incident);
  if (policy.severities !== undefined && !policy.severities.includes(incident.severity)) return false;
  if (policy.services !== undefined && (incident.service === undefined || !policy.services.includes(incident.service))) return false;
  if (policy.types !== undefined && (incident.type === undefined || !policy.types.includes(incident.type))) return false;
  return true;
}

/** One page of `conversations.list`, read for the channel a lost create answer made. */
interface ListedChannel {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly created?: unknown;
}

/** How far Slack's clock may be behind ours when telling our lost channel from an older one: 5 min. */
const CLOCK_SKEW_S = 300;

/** How many pages of `conversations.list` are read when looking for a channel by name. */
const MAX_LIST_PAGES = 10;

/** The problems of incident channel options, as ConfigError issues (empty when they are fine). */
function optionIssues(options: SlackIncidentChannelOptions): { code: string; path: (string | number)[]; message: string }[] {
  const issues: { code: string; path: (string | number)[]; message: string }[] = [];
  const path = (...rest: (string | number)[]) => ['incidentChannels', ...rest];
  // Options may come from untyped configuration: every check looks at the runtime value.
  const raw = options as Readonly<Record<string, unknown>>;
  const when = raw.when;
  if (when !== undefined && when !== 'all' && typeof when !== 'function') {
    const policy = typeof when === 'object' && when !== null ? (when as Readonly<Record<string, unknown>>) : undefined;
    if (policy === undefined) issues.push({ code: 'custom', path: path('when'), message: "when must be 'all', { severities?, services?, types? } or a function (incident) => boolean" });
    for (const key of ['severities', 'services', 'types']) {
      const list = policy?.[key];
      if (list !== undefined && (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))) issues.push({ code: 'custom', path: path('when', key), message: `when.${key} must be a list of strings` });
    }
  }
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.trim() === '')) {
    issues.push({ code: 'custom', path: path('name'), message: "name must be a template such as 'inc-{yyyymmdd}-{slug}'" });
  }
  for (const key of ['topic', 'contacts']) {
    if (raw[key] !== undefined && typeof raw[key] !== 'function') issues.push({ code: 'custom', path: path(key), message: `${key} must be a function` });
  }
  const always = raw.alwaysInvite;
  if (always !== undefined && (!Array.isArray(always) || !always.every((id) => typeof id === 'string' && /^[A-Z0-9]{1,30}$/.test(id)))) {
    issues.push({ code: 'custom', path: path('alwaysInvite'), message: 'alwaysInvite must be a list of Slack user ids such as U0123ABC' });
  }
  if (raw.archiveOnClose !== undefined && typeof raw.archiveOnClose !== 'boolean') issues.push({ code: 'custom', path: path('archiveOnClose'), message: 'archiveOnClose must be true or false' });
  return issues;
}

/**
 * Creates the incident-channel step of the Slack notifier: `handle` brings an incident's
 * channel up to date with the incident in a message (creating it first when the policy wants
 * one). Safe to call again after any failure: the progress is kept in `store`.
 *
 * @internal
 */
export function createIncidentChannels(options: SlackIncidentChannelOptions, api: SlackApiCaller, store: ProgressStore) {
  const issues = typeof options === 'object' && (options as unknown) !== null ? optionIssues(options) : [{ code: 'custom', path: ['incidentChannels'], message: 'incidentChannels must be an object, e.g. {}' }];
  if (issues.length > 0) throw new ConfigError('slackNotifier', issues);
  const policy = options.when ?? 'all';
  const template = options.name ?? 'inc-{yyyymmdd}-{slug}';

  async function save(key: string, state: IncidentChannelState): Promise<IncidentChannelState> {
    await store.set(key, JSON.stringify(state));
    return state;
  }

  async function slackIdOf(userId: string, notifier: string): Promise<string | undefined> {
    const address = (await options.contacts?.(userId))?.[notifier];
    return typeof address === 'string' && /^[A-Z0-9]{1,30}$/.test(address) ? address : undefined;
  }

  /** The channel a create with a lost answer made: one named `name`, created no earlier than `since`. */
  async function findCreated(name: string, since: string, context: NotifierContext): Promise<string | undefined> {
    const sinceSeconds = Math.floor(Date.parse(since) / 1000);
    let cursor = '';
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const answer = await api.call(
        'conversations.list',
        { exclude_archived: true, types: 'public_channel', limit: 200, ...(cursor === '' ? {} : { cursor }) },
        context,
      );
      const channels = Array.isArray(answer.channels) ? (answer.channels as ListedChannel[]) : [];
      const found = channels.find((c) => c.name === name && typeof c.id === 'string' && typeof c.created === 'number' && c.created >= sinceSeconds - CLOCK_SKEW_S);
      if (found !== undefined) return found.id as string;
      const next = (answer.response_metadata as { next_cursor?: unknown } | undefined)?.next_cursor;
      if (typeof next !== 'string' || next === '') return undefined;
      cursor = next;
    }
    return undefined;
  }

  async function create(key: string, state: IncidentChannelState, message: NotificationMessage, context: NotifierContext): Promise<IncidentChannelState & { readonly channel: string }> {
    let current = state;
    for (;;) {
      const taken = current.taken ?? 0;
      if (taken > MAX_SUFFIX) {
        throw new NotifierError(
          { notifier: message.notifier, retryable: false },
          `Slack conversations.create: ${String(MAX_SUFFIX)} names like '${incidentChannelName(template, message.incident)}' are taken; change the incident channel name template.`,
        );
      }
      const name = incidentChannelName(template, message.incident, taken);
      const retrying = current.pending?.name === name ? current.pending : undefined;
      // Written before the call: if its answer is lost, the next attempt knows to look for the channel.
      if (retrying === undefined) current = await save(key, { ...current, pending: { name, at: context.now.toISOString() } });
      const answer = await api.call('conversations.create', { name, is_private: false }, context, ['name_taken']);
      let id: string | undefined;
      if (answer.ok === true) {
        const channel = answer.channel as { id?: unknown } | undefined;
        id = typeof channel?.id === 'string' ? channel.id : undefined;
        if (id === undefined) throw new NotifierError({ notifier: message.notifier, retryable: true }, 'Slack conversations.create answered without a channel id; it will be retried.');
      } else if (retrying !== undefined) {
        // Taken: perhaps by the create whose answer was lost. Then it is ours.
        id = await findCreated(name, retrying.at, context);
      }
      if (id === undefined) {
        const { pending: _dropped, ...rest } = current;
        current = await save(key, { ...rest, taken: taken + 1 });
        continue;
      }
      const { pending: _done, ...rest } = current;
      await store.set(`${BY_CHANNEL_PREFIX}${id}`, JSON.stringify({ tenantId: message.incident.tenantId, incidentId: message.incident.id }));
      const created = { ...rest, channel: id, name };
      await save(key, created);
      return created;
    }
  }

  async function invite(key: string, state: IncidentChannelState, channel: string, message: NotificationMessage, context: NotifierContext): Promise<IncidentChannelState> {
    const { incident } = message;
    const people = [incident.roles.commander?.assignee.id, ...(incident.escalation?.paged ?? [])].filter((id): id is string => id !== undefined);
    const wanted = new Set(options.alwaysInvite ?? []);
    for (const person of people) {
      const slackId = await slackIdOf(person, message.notifier);
      if (slackId !== undefined) wanted.add(slackId);
    }
    let current = state;
    for (const user of wanted) {
      if (current.invited?.includes(user) === true) continue;
      // One person per call: a person who cannot be invited does not keep the others out.
      present(await api.call('conversations.invite', { channel, users: user }, context, [...PERSON_ERRORS, ...GONE_ERRORS]));
      current = await save(key, { ...current, invited: [...(current.invited ?? []), user] });
    }
    return current;
  }

  /** Topic, invites, the incident message and archiving, for a channel that exists. */
  async function bringUpToDate(key: string, from: IncidentChannelState, channel: string, message: NotificationMessage, context: NotifierContext): Promise<void> {
    const { incident } = message;
    let state = from;
    const topic = truncate(options.topic?.(incident) ?? `[${incident.severity}] ${incident.title} · incident ${incident.id}`, MAX_TOPIC);
    // Set once, then again whenever it changes (a new severity or title); an older snapshot never replaces a newer topic.
    if (state.topicSet !== true || (state.topic !== topic && incident.version > (state.shownVersion ?? 0))) {
      present(await api.call('conversations.setTopic', { channel, topic }, context, GONE_ERRORS));
      state = await save(key, { ...state, topicSet: true, topic });
    }
    state = await invite(key, state, channel, message, context);
    const commanderId = incident.roles.commander?.assignee.id;
    const rendered = renderIncidentMessage(incident, commanderId === undefined ? undefined : await slackIdOf(commanderId, message.notifier));
    if (state.ts !== undefined && incident.version > (state.shownVersion ?? 0)) {
      // Retries reorder messages: an older snapshot never replaces a newer one.
      const answer = present(await api.call('chat.update', { channel, ts: state.ts, text: rendered.text, blocks: rendered.blocks }, context, [...GONE_ERRORS, 'message_not_found']));
      if (answer.ok === true) {
        state = await save(key, { ...state, shownVersion: incident.version });
      } else {
        // Someone deleted the incident message: post it again.
        const { ts: _deleted, ...rest } = state;
        state = await save(key, rest);
      }
    }
    if (state.ts === undefined) {
      const answer = present(await api.call('chat.postMessage', { channel, text: rendered.text, blocks: rendered.blocks, unfurl_links: false, unfurl_media: false }, context, GONE_ERRORS));
      const ts = typeof answer.ts === 'string' ? answer.ts : undefined;
      if (ts === undefined) throw new NotifierError({ notifier: message.notifier, retryable: true }, 'Slack chat.postMessage answered without a ts; it will be retried.');
      state = await save(key, { ...state, ts, shownVersion: incident.version });
    }
    if (options.archiveOnClose === true && FINAL.has(incident.status)) {
      await api.call('conversations.archive', { channel }, context, ['already_archived', ...GONE_ERRORS]);
      await save(key, { ...state, archived: true });
    }
  }

  return {
    /** Brings the incident channel of `message.incident` up to date. */
    async handle(message: NotificationMessage, context: NotifierContext): Promise<void> {
      const { incident } = message;
      const key = stateKey(incident.tenantId, incident.id);
      let state = parseState(await store.get(key)) ?? {};
      if (state.archived === true) return;
      let channel = state.channel;
      if (channel === undefined) {
        if (FINAL.has(incident.status) || !matches(policy, incident)) return;
        const created = await create(key, state, message, context);
        state = created;
        channel = created.channel;
      }
      try {
        await bringUpToDate(key, state, channel, message, context);
      } catch (error) {
        if (!(error instanceof ChannelGone)) throw error;
        // Someone deleted or archived the channel: the incident goes on without it.
        await save(key, { ...(parseState(await store.get(key)) ?? state), archived: true, gone: true });
      }
    },
  };
}
