import { z } from 'zod';
import type { Signal, SignalStatus } from '../model/signal.js';
import { buildSignal } from './buildSignal.js';
import { fingerprintOf } from './fingerprint.js';
import { parserOptionsSchema, runParser, type ParserOptions, type ParseContext } from './runParser.js';

const optionalText = /* @__PURE__ */ z.string().nullish();
const id = /* @__PURE__ */ (() => z.string().or(z.number()))();

const eventAlertSchema = /* @__PURE__ */ (() => z.object({
  action: z.literal('triggered'),
  data: z.object({
    triggered_rule: optionalText,
    event: z.object({
      event_id: optionalText,
      issue_id: id.nullish(),
      title: optionalText,
      message: optionalText,
      culprit: optionalText,
      location: optionalText,
      level: optionalText,
      platform: optionalText,
      environment: optionalText,
      release: optionalText,
      project: id.nullish(),
      datetime: optionalText,
      timestamp: z.number().nullish(),
      url: optionalText,
      web_url: optionalText,
      tags: z.array(z.unknown()).nullish(),
      metadata: z.object({ type: optionalText, value: optionalText }).nullish(),
    }),
  }),
}))();

const metricAlertSchema = /* @__PURE__ */ (() => z.object({
  action: z.enum(['critical', 'warning', 'resolved']),
  data: z.object({
    description_title: optionalText,
    description_text: optionalText,
    web_url: optionalText,
    metric_alert: z.object({
      id,
      title: optionalText,
      date_started: optionalText,
      date_detected: optionalText,
      date_closed: optionalText,
      alert_rule: z
        .object({
          name: optionalText,
          aggregate: optionalText,
          query: optionalText,
          dataset: optionalText,
          environment: optionalText,
          projects: z.array(z.string()).nullish(),
        })
        .nullish(),
    }),
  }),
}))();

const ISSUE_STATUS: Readonly<Record<string, SignalStatus>> = {
  created: 'firing',
  unresolved: 'firing',
  triggered: 'firing',
  assigned: 'acknowledged',
  resolved: 'resolved',
  ignored: 'resolved',
  archived: 'resolved',
};

const issueSchema = /* @__PURE__ */ (() => z.object({
  action: z.string(),
  data: z.object({
    issue: z.object({
      id,
      title: optionalText,
      culprit: optionalText,
      level: optionalText,
      platform: optionalText,
      status: optionalText,
      substatus: optionalText,
      shortId: optionalText,
      firstSeen: optionalText,
      web_url: optionalText,
      permalink: optionalText,
      project: z.object({ slug: optionalText, name: optionalText }).nullish(),
    }),
  }),
}))();

/** Sentry sends tags as `[key, value]` pairs (older payloads: `{ key, value }` objects). */
function tagEntries(tags: readonly unknown[] | null | undefined): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const tag of tags ?? []) {
    if (Array.isArray(tag) && typeof tag[0] === 'string') entries.push([tag[0], tag[1]]);
    else if (typeof tag === 'object' && tag !== null && 'key' in tag && typeof tag.key === 'string') entries.push([tag.key, 'value' in tag ? tag.value : undefined]);
  }
  return entries;
}

function issueAlert(ctx: ParseContext, input: unknown): Signal {
  const { data } = ctx.parse(eventAlertSchema, input);
  const { event } = data;
  // The API URL names the project slug; the event itself only has the numeric id.
  const slug = /\/projects\/[^/]+\/([^/]+)\//.exec(event.url ?? '')?.[1];
  const issueId = event.issue_id ?? undefined;
  return buildSignal(ctx, {
    fingerprint:
      issueId === undefined
        ? fingerprintOf(['sentry', 'event', { title: event.title, culprit: event.culprit, project: event.project }])
        : fingerprintOf(['sentry', 'issue', String(issueId)]),
    status: 'firing',
    severityWord: event.level ?? undefined,
    summary: [event.title, event.message, event.metadata?.value],
    labels: [
      ...tagEntries(event.tags),
      ['project', slug ?? (event.project === undefined || event.project === null ? undefined : String(event.project))],
      ['level', event.level],
      ['platform', event.platform],
      ['environment', event.environment],
      ['release', event.release],
    ],
    annotations: [
      ['culprit', event.culprit],
      ['location', event.location],
      ['triggered_rule', data.triggered_rule],
      ['error_type', event.metadata?.type],
      ['error_value', event.metadata?.value],
      ['event_id', event.event_id],
      ['issue_id', issueId === undefined ? undefined : String(issueId)],
    ],
    startsAt: ctx.time(event.datetime, ['data', 'event', 'datetime']) ?? ctx.time(event.timestamp, ['data', 'event', 'timestamp'], 's') ?? ctx.now(),
    links: [{ href: event.web_url, text: 'Sentry event' }],
    raw: input,
  });
}

function metricAlert(ctx: ParseContext, input: unknown): Signal {
  const { action, data } = ctx.parse(metricAlertSchema, input);
  const incident = data.metric_alert;
  const rule = incident.alert_rule;
  const status: SignalStatus = action === 'resolved' ? 'resolved' : 'firing';
  const path = ['data', 'metric_alert'];
  return buildSignal(ctx, {
    // One Sentry metric alert incident, from critical through warning to resolved.
    fingerprint: fingerprintOf(['sentry', 'metric_alert', String(incident.id)]),
    status,
    severityWord: action === 'resolved' ? undefined : action,
    summary: [data.description_title, rule?.name, incident.title],
    labels: [
      ['alert_rule', rule?.name],
      ['project', rule?.projects?.[0]],
      ['dataset', rule?.dataset],
      ['environment', rule?.environment],
      ['aggregate', rule?.aggregate],
    ],
    annotations: [
      ['description', data.description_text],
      ['query', rule?.query],
      ['title', incident.title],
    ],
    startsAt: ctx.time(incident.date_started, [...path, 'date_started']) ?? ctx.time(incident.date_detected, [...path, 'date_detected']) ?? ctx.now(),
    endsAt: status === 'resolved' ? ctx.time(incident.date_closed, [...path, 'date_closed']) : undefined,
    links: [{ href: data.web_url, text: 'Sentry alert' }],
    raw: input,
  });
}

function issueChange(ctx: ParseContext, input: unknown): Signal {
  const { action, data } = ctx.parse(issueSchema, input);
  const status = Object.hasOwn(ISSUE_STATUS, action) ? ISSUE_STATUS[action] : undefined;
  if (status === undefined) {
    return ctx.fail(['action'], `Expected an issue action (${Object.keys(ISSUE_STATUS).join(', ')}), got '${action.slice(0, 40)}'.`, 'invalid_value');
  }
  const { issue } = data;
  return buildSignal(ctx, {
    // Same identity as the issue alerts of this issue, so a resolved issue resolves them.
    fingerprint: fingerprintOf(['sentry', 'issue', String(issue.id)]),
    status,
    severityWord: issue.level ?? undefined,
    summary: [issue.title, issue.shortId],
    labels: [
      ['project', issue.project?.slug ?? issue.project?.name],
      ['level', issue.level],
      ['platform', issue.platform],
    ],
    annotations: [
      ['culprit', issue.culprit],
      ['short_id', issue.shortId],
      ['issue_status', issue.status],
      ['substatus', issue.substatus],
    ],
    startsAt: ctx.time(issue.firstSeen, ['data', 'issue', 'firstSeen']) ?? ctx.now(),
    links: [{ href: issue.web_url ?? issue.permalink, text: 'Sentry issue' }],
    raw: input,
  });
}

/**
 * Parses a Sentry integration webhook: an issue alert (`Sentry-Hook-Resource: event_alert`), a
 * metric alert (`metric_alert`), or an issue change (`issue`: created, resolved, assigned, …).
 *
 * @remarks
 * - Issue alerts and issue webhooks of one Sentry issue share a fingerprint
 *   (`fingerprintOf(['sentry', 'issue', id])`), so resolving the issue in Sentry resolves the
 *   signal; `assigned` acknowledges it, `ignored`/`archived` resolve it.
 * - A metric alert is fingerprinted by its Sentry incident id: `critical` and `warning` fire,
 *   `resolved` resolves.
 * - `severity` maps the event or issue `level` (`fatal`, `error`, `warning`, `info`, `debug`) or
 *   the metric alert's `critical`/`warning`. The service is the `project` label (its slug).
 * - Event tags become labels; `culprit`, `triggered_rule`, the error type and value become
 *   annotations.
 *
 * @example
 * ```ts
 * import { parseSentry } from 'incidentkit/ingest';
 *
 * const [signal] = parseSentry({
 *   action: 'critical',
 *   data: {
 *     description_title: 'Critical: Too many errors',
 *     metric_alert: { id: '4', date_started: '2020-09-13T12:26:40.000000Z', alert_rule: { name: 'Too many errors', projects: ['web'] } },
 *     web_url: 'https://sentry.io/organizations/acme/alerts/1/',
 *   },
 * });
 * console.log(signal?.status, signal?.severity, signal?.service); // 'firing' 'SEV1' 'web'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is none of these webhooks, naming
 * the field and what was expected.
 * @throws ConfigError (`CONFIG_INVALID`) when `options` are invalid.
 */
export function parseSentry(body: unknown, options?: ParserOptions): Signal[] {
  return runParser('sentry', 'Sentry webhook', body, options, parserOptionsSchema, (ctx, input) => {
    const data: unknown = typeof input === 'object' && input !== null && 'data' in input ? input.data : undefined;
    if (typeof data === 'object' && data !== null) {
      if ('event' in data) return [issueAlert(ctx, input)];
      if ('metric_alert' in data) return [metricAlert(ctx, input)];
      if ('issue' in data) return [issueChange(ctx, input)];
    }
    return ctx.fail(['data'], 'Expected a Sentry issue alert (data.event), metric alert (data.metric_alert) or issue webhook (data.issue).', 'invalid_type');
  });
}
