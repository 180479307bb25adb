import type { Signal } from '../model/signal.js';
import { alertGroupSchema, alertmanagerOptionsSchema, parseAlertGroup, type AlertmanagerOptions } from './parseAlertmanager.js';
import { runParser } from './runParser.js';

/**
 * Parses a Grafana Alerting (unified alerting, Grafana 8+) webhook contact point payload into
 * one signal per alert.
 *
 * @remarks Grafana sends Alertmanager's format plus `orgId`, `silenceURL`, `dashboardURL`,
 * `panelURL`, `imageURL` and `values`. Each alert keeps its own `status`, so one notification
 * can carry firing and resolved alerts together. `fingerprint` is Grafana's (a hash of the
 * labels); `severity` comes from the `severity` label, the service from the `service` label.
 * The legacy (pre-8) Grafana alerting payload (`ruleName`, `evalMatches`) is refused.
 *
 * @example
 * ```ts
 * import { parseGrafana } from 'incidentkit/ingest';
 *
 * const signals = parseGrafana({
 *   receiver: 'incidentkit',
 *   status: 'firing',
 *   orgId: 1,
 *   alerts: [
 *     { status: 'firing', labels: { alertname: 'High CPU', severity: 'warning' }, annotations: {},
 *       startsAt: '2026-01-02T03:04:05+01:00', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'bc97ff14869b13e3' },
 *     { status: 'resolved', labels: { alertname: 'High memory' }, annotations: {},
 *       startsAt: '2026-01-02T02:00:00Z', endsAt: '2026-01-02T03:00:00Z', fingerprint: 'c6eadffa33fcdf37' },
 *   ],
 *   version: '1',
 * });
 * console.log(signals.map((s) => s.status)); // ['firing', 'resolved']
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not a Grafana Alerting webhook,
 * naming the field and what was expected.
 * @throws ConfigError (`CONFIG_INVALID`) when `options` are invalid.
 */
export function parseGrafana(body: unknown, options?: AlertmanagerOptions): Signal[] {
  return runParser('grafana', 'Grafana Alerting webhook', body, options, alertmanagerOptionsSchema, (ctx, input, resolved) => {
    if (typeof input === 'object' && input !== null && !('alerts' in input) && ('ruleName' in input || 'evalMatches' in input)) {
      ctx.fail(
        [],
        'This is a legacy Grafana alerting payload (ruleName, evalMatches); only Grafana Alerting (unified alerting, Grafana 8+) webhooks are supported.',
        'unsupported',
      );
    }
    return parseAlertGroup(ctx, ctx.parse(alertGroupSchema, input), resolved, 'Grafana');
  });
}
