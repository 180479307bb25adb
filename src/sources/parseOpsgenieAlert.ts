import { z } from 'zod';
import type { Signal, SignalStatus } from '../model/signal.js';
import { buildSignal, entriesOf, jsonText } from './buildSignal.js';
import { fingerprintOf } from './fingerprint.js';
import { parserOptionsShape, runParser, type ParserOptions, type ParseContext, type ParsedOptions } from './runParser.js';

/**
 * Options of {@link parseOpsgenieAlert}.
 *
 * @example
 * ```ts
 * import type { OpsgenieOptions } from 'incidentkit/ingest';
 *
 * // POST /v2/alerts/{identifier}/close?identifierType=alias
 * const options: OpsgenieOptions = { action: 'close', alias: 'db1-disk-full' };
 * ```
 */
export interface OpsgenieOptions extends ParserOptions {
  /**
   * Which Alert API call the body was sent to: `create` (`POST /v2/alerts`), `acknowledge` or
   * `close` (`POST /v2/alerts/{identifier}/acknowledge|close`), whose bodies look alike.
   * Default: `'create'`. Ignored for Opsgenie webhook bodies, which carry their own `action`.
   */
  readonly action?: 'create' | 'acknowledge' | 'close';
  /** The alert's alias: the `{identifier}` of an acknowledge or close call with `identifierType=alias`. */
  readonly alias?: string;
}

const opsgenieOptionsSchema: z.ZodType<ParsedOptions<OpsgenieOptions>> = /* @__PURE__ */ (() => z.strictObject({
  ...parserOptionsShape,
  action: z.enum(['create', 'acknowledge', 'close']).optional(),
  alias: z.string().min(1).max(512).optional(),
}))();

const optionalText = /* @__PURE__ */ z.string().nullish();
const priority = /* @__PURE__ */ z.enum(['P1', 'P2', 'P3', 'P4', 'P5']).nullish();

const createSchema = /* @__PURE__ */ (() => z.object({
  message: z.string(),
  alias: optionalText,
  description: optionalText,
  entity: optionalText,
  source: optionalText,
  user: optionalText,
  note: optionalText,
  priority,
  tags: z.array(z.string()).nullish(),
  actions: z.array(z.string()).nullish(),
  details: z.record(z.string(), z.string()).nullish(),
}))();

const actionSchema = /* @__PURE__ */ z.object({ user: optionalText, note: optionalText, source: optionalText }).nullish();

const WEBHOOK_STATUS: Readonly<Record<string, SignalStatus>> = {
  Create: 'firing',
  UnAcknowledge: 'firing',
  Acknowledge: 'acknowledged',
  Close: 'resolved',
  Delete: 'resolved',
};

const webhookSchema = /* @__PURE__ */ (() => z.object({
  action: z.string(),
  alert: z.object({
    alertId: optionalText,
    alias: optionalText,
    tinyId: optionalText,
    message: optionalText,
    description: optionalText,
    entity: optionalText,
    source: optionalText,
    username: optionalText,
    priority,
    tags: z.array(z.string()).nullish(),
    details: z.record(z.string(), z.unknown()).nullish(),
    createdAt: z.number().or(z.string()).nullish(),
    updatedAt: z.number().or(z.string()).nullish(),
  }),
  integrationName: optionalText,
}))();

const present = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value.trim() === '' ? undefined : value);

function parseWebhook(ctx: ParseContext, input: unknown): Signal {
  const hook = ctx.parse(webhookSchema, input);
  const status = Object.hasOwn(WEBHOOK_STATUS, hook.action) ? WEBHOOK_STATUS[hook.action] : undefined;
  if (status === undefined) {
    return ctx.fail(['action'], `Expected a status-changing Opsgenie action (${Object.keys(WEBHOOK_STATUS).join(', ')}), got '${hook.action.slice(0, 40)}'.`, 'invalid_value');
  }
  const { alert } = hook;
  const alias = present(alert.alias);
  const alertId = present(alert.alertId);
  if (alias === undefined && alertId === undefined) ctx.fail(['alert', 'alias'], 'Expected the alert alias or alertId that identifies the alert.', 'invalid_type');
  const updatedAt = ctx.time(alert.updatedAt, ['alert', 'updatedAt']);
  return buildSignal(ctx, {
    fingerprint: alias === undefined ? fingerprintOf(['opsgenie', 'alertId', alertId]) : fingerprintOf(['opsgenie', 'alias', alias]),
    dedupKey: alias,
    status,
    severityWord: alert.priority ?? 'P3',
    summary: [alert.message, alias, alertId],
    labels: [...entriesOf(alert.details).map(([key, value]): [string, unknown] => [key, jsonText(value)]), ['entity', alert.entity], ['priority', alert.priority ?? 'P3']],
    annotations: [
      ['description', alert.description],
      ['tags', alert.tags?.join(', ')],
      ['user', alert.username],
      ['tinyId', alert.tinyId],
      ['integration', hook.integrationName],
    ],
    startsAt: ctx.time(alert.createdAt, ['alert', 'createdAt']) ?? ctx.now(),
    endsAt: status === 'resolved' ? (updatedAt ?? ctx.now()) : undefined,
    raw: input,
  });
}

/**
 * Parses an Opsgenie alert: an Alert API body (create, acknowledge, close), so tools configured
 * for Opsgenie can alert incidentkit instead, or an Opsgenie webhook integration body (its
 * `action` and `alert`).
 *
 * @remarks
 * - `dedupKey` is the alert's `alias`, Opsgenie's deduplication key; `fingerprint` is
 *   `fingerprintOf(['opsgenie', 'alias', alias])`, so a create and its close match. A create
 *   without alias is identified by `message`, `entity` and `source`.
 * - Acknowledge and close bodies hold only `user`, `note` and `source`: pass the call in
 *   `options.action` and the `{identifier}` in `options.alias`.
 * - `severity` maps `priority` (`P1`…`P5` → `SEV1`…`SEV5`; Opsgenie's default `P3`).
 * - Labels: `details`, `entity`, `priority`; annotations: `description`, `tags`, `note`, `user`.
 * - Webhook actions Create and UnAcknowledge are firing, Acknowledge acknowledged, Close and
 *   Delete resolved; other actions (AddNote, …) are refused.
 *
 * @example
 * ```ts
 * import { parseOpsgenieAlert } from 'incidentkit/ingest';
 *
 * const [created] = parseOpsgenieAlert({ message: 'Disk full on db1', alias: 'db1-disk', priority: 'P1' });
 * const [closed] = parseOpsgenieAlert({ user: 'Monitoring Script', note: 'Disk cleaned' }, { action: 'close', alias: 'db1-disk' });
 * console.log(created?.severity, closed?.status, created?.fingerprint === closed?.fingerprint); // 'SEV1' 'resolved' true
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not an Opsgenie alert, or an
 * acknowledge/close comes without `options.alias`.
 * @throws ConfigError (`CONFIG_INVALID`) when `options` are invalid.
 */
export function parseOpsgenieAlert(body: unknown, options?: OpsgenieOptions): Signal[] {
  return runParser('opsgenie', 'Opsgenie alert', body, options, opsgenieOptionsSchema, (ctx, input, resolved) => {
    if (typeof input === 'object' && input !== null && 'alert' in input && 'action' in input) return [parseWebhook(ctx, input)];

    const action = resolved.action ?? 'create';
    if (action !== 'create') {
      const call = ctx.parse(actionSchema, input);
      const alias = resolved.alias;
      if (alias === undefined) {
        return ctx.fail([], `An Opsgenie ${action} body does not name its alert: pass the alias from the URL as options.alias.`, 'invalid_type');
      }
      const now = ctx.now();
      const status: SignalStatus = action === 'close' ? 'resolved' : 'acknowledged';
      return [
        buildSignal(ctx, {
          fingerprint: fingerprintOf(['opsgenie', 'alias', alias]),
          dedupKey: alias,
          status,
          summary: [`Opsgenie ${action} for ${alias}`],
          labels: [],
          annotations: [
            ['note', call?.note],
            ['user', call?.user],
          ],
          startsAt: now,
          endsAt: status === 'resolved' ? now : undefined,
          raw: input ?? null,
        }),
      ];
    }

    const alert = ctx.parse(createSchema, input);
    const alias = present(alert.alias);
    const identity = { message: alert.message, entity: alert.entity, source: alert.source };
    return [
      buildSignal(ctx, {
        fingerprint: alias === undefined ? fingerprintOf(['opsgenie', 'message', identity]) : fingerprintOf(['opsgenie', 'alias', alias]),
        dedupKey: alias,
        status: 'firing',
        severityWord: alert.priority ?? 'P3',
        summary: [alert.message],
        labels: [...entriesOf(alert.details), ['entity', alert.entity], ['source', alert.source], ['priority', alert.priority ?? 'P3']],
        annotations: [
          ['description', alert.description],
          ['tags', alert.tags?.join(', ')],
          ['actions', alert.actions?.join(', ')],
          ['note', alert.note],
          ['user', alert.user],
        ],
        startsAt: ctx.now(),
        raw: input,
      }),
    ];
  });
}
