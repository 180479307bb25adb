import { z } from 'zod';
import type { Signal, SignalStatus } from '../model/signal.js';
import { buildSignal, jsonText } from './buildSignal.js';
import { fingerprintOf } from './fingerprint.js';
import { parserOptionsSchema, runParser, type ParserOptions } from './runParser.js';

const optionalText = /* @__PURE__ */ z.string().nullish();

const payloadSchema = /* @__PURE__ */ (() => z.object({
  summary: z.string(),
  source: z.string(),
  severity: z.enum(['critical', 'error', 'warning', 'info']),
  timestamp: optionalText,
  component: optionalText,
  group: optionalText,
  class: optionalText,
  custom_details: z.unknown().optional(),
}))();

const eventSchema = /* @__PURE__ */ (() => z.object({
  routing_key: optionalText,
  event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
  dedup_key: optionalText,
  payload: z.unknown().optional(),
  client: optionalText,
  client_url: optionalText,
  links: z.array(z.object({ href: z.string(), text: optionalText })).nullish(),
  images: z.array(z.object({ src: z.string(), href: optionalText, alt: optionalText })).nullish(),
}))();

const STATUS: Readonly<Record<z.output<typeof eventSchema>['event_action'], SignalStatus>> = {
  trigger: 'firing',
  acknowledge: 'acknowledged',
  resolve: 'resolved',
};

function detailEntries(details: unknown): [string, unknown][] {
  if (details === undefined || details === null) return [];
  if (typeof details === 'string') return [['details', details]];
  if (typeof details !== 'object' || Array.isArray(details)) return [['details', jsonText(details)]];
  return Object.entries(details).map(([key, value]) => [key, jsonText(value)]);
}

/**
 * Parses a PagerDuty Events API v2 event (`POST /v2/enqueue`: `trigger`, `acknowledge`,
 * `resolve`) into one signal, so monitoring tools configured for PagerDuty can page
 * incidentkit instead.
 *
 * @remarks
 * - `dedupKey` is the event's `dedup_key`; `acknowledge` and `resolve` require one. `fingerprint`
 *   is `fingerprintOf(['pagerduty', 'dedup_key', key])`, or for a trigger without a key, of its
 *   `source`, `component`, `group`, `class` and `summary` (so identical triggers deduplicate).
 * - `severity` maps `payload.severity` (`critical`, `error`, `warning`, `info` → `SEV1`…`SEV4`).
 * - Labels: `source`, `component`, `group`, `class`, `severity`; annotations: `custom_details`
 *   (non-string values as JSON) and `client`. Links: `links`, `client_url`, image links.
 * - `startsAt` is `payload.timestamp` (`+0000` offsets accepted), else the clock's now.
 * - Change events (`/v2/change/enqueue`) and Events API v1 bodies are refused: they are not alerts.
 *
 * @example
 * ```ts
 * import { parsePagerDutyEvent } from 'incidentkit/ingest';
 *
 * const [signal] = parsePagerDutyEvent({
 *   routing_key: 'e93facc04764012d7bfb002500d5d1a6',
 *   event_action: 'trigger',
 *   dedup_key: 'srv01/mysql',
 *   payload: { summary: 'DISK at 99% on srv01', source: 'srv01', severity: 'critical', timestamp: '2015-07-17T08:42:58.315+0000' },
 * });
 * console.log(signal?.dedupKey, signal?.severity, signal?.startsAt); // 'srv01/mysql' 'SEV1' '2015-07-17T08:42:58.315Z'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not a v2 alert event, naming the
 * field and what was expected (e.g. `dedup_key` on a `resolve`).
 * @throws ConfigError (`CONFIG_INVALID`) when `options` are invalid.
 */
export function parsePagerDutyEvent(body: unknown, options?: ParserOptions): Signal[] {
  return runParser('pagerduty', 'PagerDuty Events API v2 event', body, options, parserOptionsSchema, (ctx, input) => {
    if (typeof input === 'object' && input !== null && !('event_action' in input)) {
      if ('service_key' in input || 'event_type' in input) {
        ctx.fail([], 'This is an Events API v1 body (service_key, event_type); send Events API v2 events (routing_key, event_action).', 'unsupported');
      }
      if ('payload' in input) {
        ctx.fail(
          ['event_action'],
          'This looks like a PagerDuty change event (/v2/change/enqueue): change events record deploys and config changes, not alerts, and cannot be ingested as signals. Alert events need event_action trigger, acknowledge or resolve.',
          'unsupported',
        );
      }
    }
    const event = ctx.parse(eventSchema, input);
    const dedupKey = event.dedup_key !== undefined && event.dedup_key !== null && event.dedup_key !== '' ? event.dedup_key : undefined;
    const status = STATUS[event.event_action];

    if (event.event_action !== 'trigger') {
      if (dedupKey === undefined) ctx.fail(['dedup_key'], `Required for ${event.event_action} events: it names the alert to ${event.event_action}.`, 'invalid_type');
      const now = ctx.now();
      return [
        buildSignal(ctx, {
          fingerprint: fingerprintOf(['pagerduty', 'dedup_key', dedupKey]),
          dedupKey,
          status,
          summary: [`PagerDuty ${event.event_action} for ${dedupKey}`],
          labels: [],
          startsAt: now,
          endsAt: status === 'resolved' ? now : undefined,
          raw: input,
        }),
      ];
    }

    if (event.payload === undefined) ctx.fail(['payload'], 'Required for trigger events: summary, source and severity.', 'invalid_type');
    const payload = ctx.parse(payloadSchema, event.payload, ['payload']);
    const identity = { source: payload.source, component: payload.component, group: payload.group, class: payload.class, summary: payload.summary };
    return [
      buildSignal(ctx, {
        fingerprint: dedupKey === undefined ? fingerprintOf(['pagerduty', 'payload', identity]) : fingerprintOf(['pagerduty', 'dedup_key', dedupKey]),
        dedupKey,
        status,
        severityWord: payload.severity,
        summary: [payload.summary],
        labels: [
          ['source', payload.source],
          ['component', payload.component],
          ['group', payload.group],
          ['class', payload.class],
          ['severity', payload.severity],
        ],
        annotations: [...detailEntries(payload.custom_details), ['client', event.client]],
        startsAt: ctx.time(payload.timestamp, ['payload', 'timestamp']) ?? ctx.now(),
        links: [
          ...(event.links ?? []),
          { href: event.client_url, text: event.client ?? 'Monitoring client' },
          ...(event.images ?? []).map((image) => ({ href: image.href ?? image.src, text: image.alt })),
        ],
        raw: input,
      }),
    ];
  });
}
