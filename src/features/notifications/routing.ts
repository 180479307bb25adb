import { z } from 'zod';
import type { IdGenerator } from '../../kernel/ids.js';
import { redactEvent, redactIncident } from '../../model/redactIncident.js';
import { EVENT_TYPES, type StoredEvent } from '../../model/event.js';
import type { Incident } from '../../model/incident.js';
import type { JsonValue } from '../../model/primitives.js';
import { parseConfig } from '../../kernel/parse.js';
import type { OutboxRecord } from '../../storage/types.js';
import { renderNotification, type NotificationTemplate, type NotificationTemplates } from './render.js';
import { NOTIFICATION_AUDIENCES, type NotificationAudience, type NotificationLink, type NotificationMessage } from '../../model/notification.js';

/**
 * The events every notifier receives when no `routes` are configured: the milestones of the
 * lifecycle (a merge into another incident and its undoing among them), escalations and posted
 * updates, and the prevention loop's findings (a known error matched, a problem proposed).
 */
export const DEFAULT_NOTIFIED_EVENTS = [
  'DECLARED',
  'ACKNOWLEDGED',
  'ESCALATED',
  'MITIGATED',
  'RESOLVED',
  'REOPENED',
  'CLOSED',
  'CANCELED',
  'MERGED_INTO',
  'UNMERGED',
  'UPDATE_POSTED',
  'REMINDER_DUE',
  'TARGET_BREACHED',
  'NOBODY_PAGED',
  'REPORT_OVERDUE',
  'KNOWN_ERROR_MATCHED',
  'PROBLEM_PROPOSED',
] as const;

/**
 * One routing rule: which events reach which notifiers. Every filter that is present must
 * match. Absent `severities`, `services` and `audiences` match everything; absent `events`
 * means {@link DEFAULT_NOTIFIED_EVENTS} (so a severity rule does not page for every note).
 *
 * @example
 * ```ts
 * import type { NotificationRoute } from 'incidentkit';
 *
 * const routes: NotificationRoute[] = [
 *   { severities: ['SEV1', 'SEV2'], to: ['slack', 'pager'] },
 *   { events: ['UPDATE_POSTED'], audiences: ['public'], to: ['statusPage'] },
 * ];
 * ```
 */
export interface NotificationRoute {
  /** Stored event types, e.g. `['DECLARED', 'ESCALATED']`. Default: {@link DEFAULT_NOTIFIED_EVENTS}. */
  readonly events?: readonly string[];
  /** Incident severities, e.g. `['SEV1', 'SEV2']`. */
  readonly severities?: readonly string[];
  /** Incident services; incidents without a service never match a route that lists services. */
  readonly services?: readonly string[];
  /** Message audiences (posted updates carry theirs; every other event is `internal`). */
  readonly audiences?: readonly NotificationAudience[];
  /** Configured notifier names that receive the matching events. */
  readonly to: readonly string[];
  /**
   * People instead of channels: each notifier in `to` gets one message per person, carrying
   * `recipient: { userId, address }` (the address from the engine's `contacts(userId)` for that
   * notifier). `'paged'` is whoever an `ESCALATED` event paged (`data.paged`); `'assignee'` is
   * whoever a `TASK_OVERDUE` task is assigned to (its user, or its role's holder); `'user:<id>'` is
   * one user. Each message's idempotency key is `${event.id}:${notifier}:user:${userId}`.
   */
  readonly recipients?: readonly string[];
  /** One template for every event of this route, or templates by event type. */
  readonly template?: NotificationTemplate | NotificationTemplates;
  /**
   * Deliver the incident's sensitive custom fields (its type's `sensitiveFields`) as they are.
   * Default: `false`, so messages, templates and webhook bodies see `[REDACTED]` instead.
   */
  readonly includeSensitiveFields?: boolean;
}

/** Options of {@link compileRoutes}. */
export interface RoutingOptions {
  /** The names under which notifiers are configured, e.g. `['slack', 'webhook']`. */
  readonly notifiers: readonly string[];
  /** Routing rules; without them every notifier receives {@link DEFAULT_NOTIFIED_EVENTS}. */
  readonly routes?: readonly NotificationRoute[];
  /** Templates by event type that replace the defaults for every route. */
  readonly templates?: NotificationTemplates;
  /** Links to attach to each message, e.g. the incident's page in the host application. */
  readonly links?: (incident: Incident, event: StoredEvent) => readonly NotificationLink[];
  /**
   * Event types that routes may name. Default: every stored event type the library records
   * ({@link EVENT_TYPES}).
   */
  readonly eventTypes?: readonly string[];
}

/** Routing rules checked once, ready for {@link routeNotifications}. */
export interface CompiledRouting {
  readonly notifiers: readonly string[];
  readonly routes: readonly CompiledRoute[];
  readonly templates: NotificationTemplates;
  readonly links?: (incident: Incident, event: StoredEvent) => readonly NotificationLink[];
}

interface CompiledRoute {
  readonly events: ReadonlySet<string>;
  readonly severities?: ReadonlySet<string>;
  readonly services?: ReadonlySet<string>;
  readonly audiences?: ReadonlySet<string>;
  readonly to: readonly string[];
  readonly recipients?: readonly string[];
  readonly template?: NotificationTemplate | NotificationTemplates;
  readonly includeSensitiveFields?: boolean;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';
const isRecordOfFunctions = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.values(value).every(isFunction);

function optionsSchema(known: ReadonlySet<string>, notifiers: ReadonlySet<string>) {
  const nonEmptyStrings = (what: string) =>
    z.array(z.string().min(1, `${what} must not be empty strings.`)).min(1, `List at least one ${what}, or leave the filter out.`);
  const eventType = z.string().refine((type) => known.has(type), {
    error: (issue) =>
      `Unknown event type '${String(issue.input)}'; use stored event types such as ${[...DEFAULT_NOTIFIED_EVENTS].slice(0, 4).join(', ')}.`,
  });
  const notifierName = z.string().refine((name) => notifiers.has(name), {
    error: (issue) =>
      notifiers.size === 0
        ? `No notifiers are configured, so '${String(issue.input)}' cannot receive anything; add it to notifiers.`
        : `Unknown notifier '${String(issue.input)}'; configured notifiers are ${[...notifiers].join(', ')}.`,
  });
  const route = z.strictObject({
    events: z.array(eventType).min(1, 'List at least one event type, or leave `events` out.').optional(),
    severities: nonEmptyStrings('severity').optional(),
    services: nonEmptyStrings('service').optional(),
    audiences: z.array(z.enum(NOTIFICATION_AUDIENCES)).min(1).optional(),
    to: z.array(notifierName).min(1, 'A route needs at least one notifier in `to`.'),
    recipients: z
      .array(z.string().regex(/^(paged|assignee|user:.+)$/, "A recipient is 'paged' (whoever an escalation paged), 'assignee' (whoever an overdue task is assigned to) or 'user:<id>'."))
      .min(1, 'List at least one recipient, or leave `recipients` out.')
      .optional(),
    includeSensitiveFields: z.boolean().optional(),
    template: z
      .custom<NotificationTemplate | NotificationTemplates>(
        (value) => isFunction(value) || isRecordOfFunctions(value),
        'template must be a function, or an object of functions by event type.',
      )
      .optional(),
  });
  return z.object({
    notifiers: z.array(z.string().min(1).max(100)),
    routes: z.array(route).optional(),
    templates: z
      .custom<NotificationTemplates>(isRecordOfFunctions, 'templates must be an object of functions by event type.')
      .optional(),
    links: z.custom<(incident: Incident, event: StoredEvent) => readonly NotificationLink[]>(isFunction, 'links must be a function.').optional(),
  });
}

/**
 * Checks routing rules once (at engine creation) and prepares them for
 * {@link routeNotifications}.
 *
 * @example
 * ```ts
 * import { compileRoutes } from 'incidentkit';
 *
 * const routing = compileRoutes({
 *   notifiers: ['slack', 'statusPage'],
 *   routes: [
 *     { severities: ['SEV1', 'SEV2'], to: ['slack'] },
 *     { events: ['UPDATE_POSTED'], audiences: ['public'], to: ['statusPage'] },
 *   ],
 * });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) for a route naming an unknown notifier or event type,
 * an empty `to`, or a template that is not a function.
 */
export function compileRoutes(options: RoutingOptions): CompiledRouting {
  const known = new Set<string>(options.eventTypes ?? EVENT_TYPES);
  const notifierNames = new Set(options.notifiers);
  const parsed = parseConfig(optionsSchema(known, notifierNames), options, 'notification routes');
  const defaults = new Set<string>(DEFAULT_NOTIFIED_EVENTS);
  const routes: CompiledRoute[] =
    parsed.routes === undefined
      ? [{ events: defaults, to: [...notifierNames] }]
      : parsed.routes.map((route) => ({
          events: route.events === undefined ? defaults : new Set(route.events),
          ...(route.severities === undefined ? {} : { severities: new Set(route.severities) }),
          ...(route.services === undefined ? {} : { services: new Set(route.services) }),
          ...(route.audiences === undefined ? {} : { audiences: new Set<string>(route.audiences) }),
          to: [...new Set(route.to)],
          ...(route.recipients === undefined ? {} : { recipients: [...new Set(route.recipients)] }),
          ...(route.template === undefined ? {} : { template: route.template }),
          ...(route.includeSensitiveFields === undefined ? {} : { includeSensitiveFields: route.includeSensitiveFields }),
        }));
  return Object.freeze({
    notifiers: [...notifierNames],
    routes,
    templates: options.templates ?? {},
    ...(options.links === undefined ? {} : { links: options.links }),
  });
}

/** The idempotency key of the message about `eventId` for the notifier named `notifier`. */
export function notificationIdempotencyKey(eventId: string, notifier: string): string {
  return `${eventId}:${notifier}`;
}

/** The users a route's `recipients` name for `event`: `paged` of an escalation, `assignee` of an overdue task, and `user:<id>`s. */
function recipientsOf(recipients: readonly string[], event: StoredEvent): string[] {
  const paged = Array.isArray(event.data.paged) ? event.data.paged.filter((id): id is string => typeof id === 'string') : [];
  const assignees = Array.isArray(event.data.assignees) ? event.data.assignees.filter((id): id is string => typeof id === 'string') : [];
  return [...new Set(recipients.flatMap((r) => (r === 'paged' ? paged : r === 'assignee' ? assignees : [r.slice('user:'.length)])))];
}

/** The audience of a message about `event`: a posted update's own audience, else `internal`. */
export function audienceOf(event: StoredEvent): NotificationAudience {
  const audience = event.data.audience;
  return event.type === 'UPDATE_POSTED' && typeof audience === 'string' && (NOTIFICATION_AUDIENCES as readonly string[]).includes(audience)
    ? (audience as NotificationAudience)
    : 'internal';
}

function matches(route: CompiledRoute, incident: Incident, event: StoredEvent, audience: NotificationAudience): boolean {
  return (
    route.events.has(event.type) &&
    (route.severities === undefined || route.severities.has(incident.severity)) &&
    (route.services === undefined || (incident.service !== undefined && route.services.has(incident.service))) &&
    (route.audiences === undefined || route.audiences.has(audience))
  );
}

function templatesFor(routing: CompiledRouting, route: CompiledRoute, eventType: string): NotificationTemplates {
  const own = route.template;
  if (own === undefined) return routing.templates;
  if (typeof own === 'function') return { ...routing.templates, [eventType]: own };
  return { ...routing.templates, ...own };
}

function safeLinks(routing: CompiledRouting, incident: Incident, event: StoredEvent): NotificationLink[] {
  if (routing.links === undefined) return [];
  return routing.links(incident, event).filter((link) => {
    if (typeof link.label !== 'string' || link.label.trim() === '' || typeof link.url !== 'string') return false;
    try {
      const protocol = new URL(link.url).protocol;
      return protocol === 'https:' || protocol === 'http:';
    } catch {
      return false;
    }
  });
}

/** The prefix of every drill notification's title. */
const DRILL_TITLE_PREFIX = '[DRILL] ';

/** The first paragraph of every drill notification's text. */
const DRILL_NOTICE = 'This is a drill: a practice incident, not a real one.';

/** A drill's message: `[DRILL] ` before the title and a first paragraph saying it is a drill. */
function markDrill(message: { readonly title: string; readonly text: string }): { title: string; text: string } {
  return {
    title: message.title.startsWith(DRILL_TITLE_PREFIX) ? message.title : `${DRILL_TITLE_PREFIX}${message.title}`,
    text: message.text === '' ? DRILL_NOTICE : `${DRILL_NOTICE}\n\n${message.text}`,
  };
}

/** What {@link routeNotifications} turns into outbox messages. */
export interface RouteInput {
  /** The events of one commit, in order. */
  readonly events: readonly StoredEvent[];
  /** The incident after those events. */
  readonly incident: Incident;
  /** Generates the outbox message ids (`ids('message')`). */
  readonly ids: IdGenerator;
  /** When the messages become due. */
  readonly now: Date;
}

/**
 * Decides which notifiers hear about the events of one commit and renders their messages:
 * the outbox records to write in that same commit. Pure apart from `ids`.
 *
 * @remarks A notifier gets at most one message per event, from the first route that matches
 * and names it (that route's template applies). Each message's idempotency key is
 * `${event.id}:${notifier}`, so it is the same on every attempt and on every replay of the
 * routing. Links that are not absolute http(s) URLs are left out. A drill's messages
 * (`incident.drill`) have titles that start with `[DRILL] ` and texts whose first paragraph
 * says it is a drill, whatever the template.
 *
 * @example
 * ```ts
 * import { compileRoutes, randomIds, routeNotifications, type Incident, type StoredEvent } from 'incidentkit';
 *
 * declare const incident: Incident;
 * declare const events: StoredEvent[];
 * const routing = compileRoutes({ notifiers: ['slack'] });
 * const outbox = routeNotifications(routing, { events, incident, ids: randomIds, now: new Date() });
 * ```
 */
export function routeNotifications(routing: CompiledRouting, input: RouteInput): OutboxRecord[] {
  const availableAt = input.now.toISOString();
  const records: OutboxRecord[] = [];
  // Sensitive custom fields never reach a message (its text, template or payload) unless a route asks.
  const sensitive = input.incident.policy.sensitiveFields ?? [];
  const redacted = redactIncident(input.incident);
  for (const rawEvent of input.events) {
    const audience = audienceOf(rawEvent);
    const redactedEvent = redactEvent(rawEvent, sensitive);
    const seen = new Set<string>();
    let links: NotificationLink[] | undefined;
    for (const route of routing.routes) {
      if (!matches(route, input.incident, rawEvent, audience)) continue;
      const raw = route.includeSensitiveFields === true;
      const incident = raw ? input.incident : redacted;
      const event = raw ? rawEvent : redactedEvent;
      // A channel route gives each notifier one message; a people route one per notifier and person.
      const people: readonly (string | undefined)[] = route.recipients === undefined ? [undefined] : recipientsOf(route.recipients, rawEvent);
      for (const notifier of route.to) for (const userId of people) {
        const key = userId === undefined ? notifier : `${notifier}\u0000${userId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        links ??= safeLinks(routing, redacted, redactedEvent);
        const rendered = renderNotification({ incident, event, audience }, { templates: templatesFor(routing, route, event.type) });
        // After the template, so no template can leave the mark out.
        const { title, text } = input.incident.drill === true ? markDrill(rendered) : rendered;
        const id = input.ids('message');
        const idempotencyKey = userId === undefined ? notificationIdempotencyKey(event.id, notifier) : `${notificationIdempotencyKey(event.id, notifier)}:user:${userId}`;
        const message: NotificationMessage = {
          id,
          idempotencyKey,
          notifier,
          incident,
          event,
          audience,
          severity: input.incident.severity,
          title,
          text,
          links,
          ...(userId === undefined ? {} : { recipient: { userId } }),
        };
        records.push({
          id,
          tenantId: input.incident.tenantId,
          incidentId: input.incident.id,
          channel: notifier,
          idempotencyKey,
          // JSON round trip: drops `undefined` members so every store holds the same value.
          payload: JSON.parse(JSON.stringify(message)) as Record<string, JsonValue>,
          availableAt,
          attempts: 0,
        });
      }
    }
  }
  return records;
}
