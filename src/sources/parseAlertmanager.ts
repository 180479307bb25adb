import { z } from 'zod';
import type { Signal } from '../model/signal.js';
import { buildSignal, entriesOf } from './buildSignal.js';
import { fingerprintOf } from './fingerprint.js';
import { parserOptionsShape, runParser, type ParserOptions, type ParseContext, type ParsedOptions } from './runParser.js';

/**
 * Options of {@link parseAlertmanager} and `parseGrafana`.
 *
 * @example
 * ```ts
 * import type { AlertmanagerOptions } from 'incidentkit/ingest';
 *
 * const options: AlertmanagerOptions = { severityLabel: 'priority', severityMap: { p1: 'SEV1' }, service: 'app' };
 * ```
 */
export interface AlertmanagerOptions extends ParserOptions {
  /** The label that holds the severity word. Default: `'severity'`. */
  readonly severityLabel?: string;
}

/** The zod schema of {@link AlertmanagerOptions}. @internal */
export const alertmanagerOptionsSchema: z.ZodType<ParsedOptions<AlertmanagerOptions>> = /* @__PURE__ */ (() => z.strictObject({
  ...parserOptionsShape,
  severityLabel: z.string().min(1).max(128).optional(),
}))();

const status = /* @__PURE__ */ z.enum(['firing', 'resolved']);
// Go encodes a nil map as null, and some senders do.
const stringMap = /* @__PURE__ */ (() => z.record(z.string(), z.string()).nullish())();
const optionalText = /* @__PURE__ */ z.string().nullish();

const alertSchema = /* @__PURE__ */ (() => z.object({
  status: status.optional(),
  labels: stringMap,
  annotations: stringMap,
  startsAt: z.string().or(z.number()),
  endsAt: z.string().or(z.number()).nullish(),
  generatorURL: optionalText,
  fingerprint: optionalText,
  // Grafana's additions.
  silenceURL: optionalText,
  dashboardURL: optionalText,
  panelURL: optionalText,
  imageURL: optionalText,
  valueString: optionalText,
}))();

/** The fields Alertmanager and Grafana webhooks share. @internal */
export const alertGroupSchema = /* @__PURE__ */ (() => z.object({
  version: z.string().optional(),
  status: status.optional(),
  externalURL: optionalText,
  alerts: z.array(z.unknown()),
}))();

const own = (map: Readonly<Record<string, string>>, key: string): string | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

/**
 * Turns every alert of an Alertmanager-style group (Alertmanager, Grafana) into a signal; each
 * alert keeps its own status, so a group can mix firing and resolved alerts.
 *
 * @internal
 */
export function parseAlertGroup(
  ctx: ParseContext,
  group: z.output<typeof alertGroupSchema>,
  options: ParsedOptions<AlertmanagerOptions>,
  externalText: string,
): Signal[] {
  const severityLabel = options.severityLabel ?? 'severity';
  return group.alerts.map((rawAlert, index) => {
    const path = ['alerts', index];
    const alert = ctx.parse(alertSchema, rawAlert, path);
    const alertStatus = alert.status ?? group.status ?? ctx.fail([...path, 'status'], "Expected 'firing' or 'resolved'.", 'invalid_value');
    const labels = alert.labels ?? {};
    const annotations = alert.annotations ?? {};
    const fingerprint = alert.fingerprint !== undefined && alert.fingerprint !== null && alert.fingerprint.trim() !== '' ? alert.fingerprint : fingerprintOf([ctx.source, labels]);
    const startsAt = ctx.time(alert.startsAt, [...path, 'startsAt']) ?? ctx.now();
    // A firing alert has not ended, whatever endsAt says (Prometheus sends an expected end).
    const endsAt = alertStatus === 'resolved' ? ctx.time(alert.endsAt, [...path, 'endsAt']) : undefined;
    return buildSignal(ctx, {
      fingerprint,
      status: alertStatus,
      severityWord: own(labels, severityLabel),
      summary: [own(annotations, 'summary'), own(annotations, 'title'), own(annotations, 'description'), own(annotations, 'message'), own(labels, 'alertname')],
      labels: entriesOf(labels),
      annotations: [...entriesOf(annotations), ['valueString', alert.valueString]],
      startsAt,
      endsAt,
      links: [
        { href: alert.generatorURL, text: 'Source' },
        { href: own(annotations, 'runbook_url'), text: 'Runbook' },
        { href: alert.dashboardURL, text: 'Dashboard' },
        { href: alert.panelURL, text: 'Panel' },
        { href: alert.silenceURL, text: 'Silence' },
        { href: alert.imageURL, text: 'Image' },
        { href: group.externalURL, text: externalText },
      ],
      raw: rawAlert,
    });
  });
}

/**
 * Parses a Prometheus Alertmanager webhook (`webhook_config`, payload version 4) into one
 * signal per alert.
 *
 * @remarks
 * - `fingerprint` is Alertmanager's own (a hash of the labels), or `fingerprintOf(['alertmanager',
 *   labels])` when the sender omits it.
 * - Each alert keeps its own `status`; a group may mix firing and resolved alerts.
 * - `severity` comes from the `severity` label (see `DEFAULT_SEVERITY_MAPS.alertmanager`), the
 *   service from the `service` label; the summary from the `summary`, `description` or
 *   `message` annotation, else the `alertname`.
 * - `endsAt` is set for resolved alerts only; Go's zero time means "not ended".
 * - Links: `generatorURL`, a `runbook_url` annotation and the Alertmanager `externalURL`.
 *
 * @example
 * ```ts
 * import { parseAlertmanager } from 'incidentkit/ingest';
 *
 * const signals = parseAlertmanager({
 *   version: '4',
 *   status: 'firing',
 *   alerts: [{
 *     status: 'firing',
 *     labels: { alertname: 'HighLatency', severity: 'critical', service: 'checkout' },
 *     annotations: { summary: 'p99 latency above 2s' },
 *     startsAt: '2026-01-02T03:04:05.123456789Z',
 *     endsAt: '0001-01-01T00:00:00Z',
 *   }],
 * });
 * console.log(signals[0]?.severity, signals[0]?.service); // 'SEV1' 'checkout'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not an Alertmanager webhook,
 * naming the field (e.g. `alerts.0.startsAt`) and what was expected.
 * @throws ConfigError (`CONFIG_INVALID`) when `options` are invalid.
 */
export function parseAlertmanager(body: unknown, options?: AlertmanagerOptions): Signal[] {
  return runParser('alertmanager', 'Alertmanager webhook', body, options, alertmanagerOptionsSchema, (ctx, input, resolved) => {
    const group = ctx.parse(alertGroupSchema, input);
    if (group.version !== undefined && group.version !== '4') {
      const hint = typeof input === 'object' && input !== null && 'orgId' in input ? ' This looks like a Grafana webhook: use parseGrafana.' : '';
      ctx.fail(['version'], `Expected webhook payload version '4', got '${group.version.slice(0, 20)}'.${hint}`, 'invalid_value');
    }
    return parseAlertGroup(ctx, group, resolved, 'Alertmanager');
  });
}
