/** The tools incidentkit ships parsers for; `Signal.source` of their signals. */
export const INGEST_SOURCES = ['alertmanager', 'grafana', 'pagerduty', 'opsgenie', 'cloudwatch', 'sentry', 'datadog'] as const;

/** One of {@link INGEST_SOURCES}. */
export type IngestSource = (typeof INGEST_SOURCES)[number];

/** Maps a tool's severity word (matched case-insensitively) to a level of the engine's scale. */
export type SeverityMap = Readonly<Record<string, string>>;

/** The severity every parser uses when the tool's word is missing or not in the map. */
export const DEFAULT_SEVERITY = 'SEV3';

/** Alertmanager-style `severity` labels, as Prometheus and Grafana rules write them. */
const LABEL_SEVERITIES: SeverityMap = {
  critical: 'SEV1',
  crit: 'SEV1',
  fatal: 'SEV1',
  emergency: 'SEV1',
  page: 'SEV1',
  high: 'SEV2',
  major: 'SEV2',
  error: 'SEV2',
  warning: 'SEV3',
  warn: 'SEV3',
  medium: 'SEV3',
  low: 'SEV4',
  minor: 'SEV4',
  info: 'SEV5',
  informational: 'SEV5',
  none: 'SEV5',
};

const PRIORITIES: SeverityMap = { p1: 'SEV1', p2: 'SEV2', p3: 'SEV3', p4: 'SEV4', p5: 'SEV5' };

/**
 * The default severity maps per source, onto the default scale `SEV1` (worst) … `SEV5`.
 *
 * @remarks What each parser looks up:
 * - `alertmanager`, `grafana`: the `severity` label (or `options.severityLabel`).
 * - `pagerduty`: `payload.severity` (`critical`, `error`, `warning`, `info`).
 * - `opsgenie`: `priority` (`P1`…`P5`; Opsgenie's default is `P3`).
 * - `cloudwatch`: the alarm state (`alarm`, `insufficient_data`); unmapped by default.
 * - `sentry`: the event or issue `level` (`fatal` … `debug`), or a metric alert's `critical`/`warning`.
 * - `datadog`: the monitor priority (`P1`…`P5`), else the alert type (`error`, `warning`, `info`).
 */
export const DEFAULT_SEVERITY_MAPS: Readonly<Record<IngestSource, SeverityMap>> = /* @__PURE__ */ (() => Object.freeze({
  alertmanager: LABEL_SEVERITIES,
  grafana: LABEL_SEVERITIES,
  pagerduty: { critical: 'SEV1', error: 'SEV2', warning: 'SEV3', info: 'SEV4' },
  opsgenie: PRIORITIES,
  cloudwatch: {},
  sentry: { fatal: 'SEV1', critical: 'SEV1', error: 'SEV2', warning: 'SEV3', info: 'SEV4', debug: 'SEV5' },
  datadog: { ...PRIORITIES, error: 'SEV2', warning: 'SEV3', info: 'SEV4' },
}))();

/**
 * The severity map a parser of `source` uses: the defaults with `overrides` on top (keys are
 * matched case-insensitively).
 *
 * @remarks With a custom severity scale, give every word your tools send and a
 * `defaultSeverity`, since unlisted words fall back to the defaults' `SEV` levels.
 *
 * @example
 * ```ts
 * import { parseAlertmanager, severityMap } from 'incidentkit/ingest';
 *
 * const map = severityMap('alertmanager', { warning: 'SEV4' });
 * console.log(map.critical, map.warning); // 'SEV1' 'SEV4'
 * const signals = parseAlertmanager('{"version":"4","status":"firing","alerts":[]}', { severityMap: { warning: 'SEV4' } });
 * console.log(signals.length); // 0
 * ```
 */
export function severityMap(source: IngestSource, overrides: SeverityMap = {}): SeverityMap {
  const merged: [string, string][] = Object.entries(DEFAULT_SEVERITY_MAPS[source]);
  for (const [key, value] of Object.entries(overrides)) merged.push([key.toLowerCase(), value]);
  return Object.freeze(Object.fromEntries(merged));
}

/**
 * Looks `word` up in `map` (case-insensitively, own keys only), falling back to `fallback`.
 *
 * @internal
 */
export function lookUpSeverity(map: SeverityMap, word: string | undefined, fallback: string): string {
  if (word === undefined) return fallback;
  const key = word.trim().toLowerCase();
  return Object.hasOwn(map, key) ? (map[key] ?? fallback) : fallback;
}
