import { escapeMarkdown } from '../kernel/markdown.js';
import { formatDurationCompact } from '../kernel/timeFormat.js';
import type { MetricsGroup, MetricsResult } from './types.js';
import type { Stats } from './stats.js';

/** A statistic that can be charted. */
export type ChartStatistic = 'mean' | 'median' | 'p90' | 'p95' | 'p99';

/** Options of {@link renderMetricsMarkdown}. */
export interface RenderMetricsOptions {
  /** The top heading's level (1–4). Default: 2. */
  readonly headingLevel?: number;
  /** The heading's text. Default: `Incident metrics`. */
  readonly title?: string;
  /** Chart this duration per group. Default: `mttr` when computed, else the first duration. `false` for no chart. */
  readonly chart?: false | { readonly duration?: string; readonly statistic?: ChartStatistic };
  /** At most this many groups in the chart (the largest by count). Default: 20. */
  readonly maxChartGroups?: number;
}

const dur = (value: number | null): string => (value === null ? '—' : formatDurationCompact(value));
const pct = (value: number | null): string => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/** Text for a double-quoted Mermaid xychart string: it has no escape for `"`, so quotes become `'`. */
function chartText(text: string): string {
  const cleaned = text.replace(/[\r\n]+/g, ' ').replace(/"/g, "'").trim();
  return cleaned === '' ? '-' : cleaned;
}

/** A number as xychart's grammar accepts it: decimal digits, no exponent. */
function chartNumber(value: number): string {
  let fixed = value.toFixed(2);
  // Trailing zeros of the fraction, then a bare point, go (`2.50` → `2.5`, `3.00` → `3`).
  if (!fixed.includes('e')) fixed = fixed.replace(/0{1,2}$/, '').replace(/\.$/, '');
  return fixed === '-0' ? '0' : fixed;
}

function statsRow(name: string, s: Stats): string {
  const within = s.within === undefined ? '' : ` | ${s.within.map((w) => `≤ ${formatDurationCompact(w.atMost)}: ${pct(w.fraction)}`).join(', ')}`;
  return `| ${escapeMarkdown(name)} | ${String(s.count)} | ${String(s.excluded)} | ${dur(s.mean)} | ${dur(s.median)} | ${dur(s.p90)} | ${dur(s.p95)} | ${dur(s.p99)} | ${dur(s.std)} | ${dur(s.min)} | ${dur(s.max)}${within} |`;
}

function statsTable(rows: readonly [string, Stats][], firstColumn: string): string[] {
  const withWithin = rows.some(([, s]) => s.within !== undefined);
  return [
    `| ${firstColumn} | count | excluded | mean | median | p90 | p95 | p99 | std | min | max${withWithin ? ' | within' : ''} |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---:${withWithin ? ' | ---' : ''} |`,
    ...rows.map(([name, s]) => statsRow(name, s)),
  ];
}

/**
 * The Mermaid `xychart-beta` bar chart of one duration statistic per group, in minutes, or
 * `undefined` when no group has a value.
 *
 * @example
 * ```ts
 * import { computeMetricsSync, metricsChart } from 'incidentkit';
 *
 * const result = computeMetricsSync(
 *   [{ service: 'api', detectedAt: '2026-01-01T00:00:00Z', resolvedAt: '2026-01-01T00:30:00Z' }],
 *   { groupBy: 'service' },
 * );
 * console.log(metricsChart(result)); // xychart-beta … bar [30]
 * ```
 */
export function metricsChart(
  result: MetricsResult,
  options: { readonly duration?: string; readonly statistic?: ChartStatistic; readonly maxGroups?: number } = {},
): string | undefined {
  const names = Object.keys(result.definitions);
  const duration = options.duration ?? (names.includes('mttr') ? 'mttr' : names[0]);
  if (duration === undefined) return undefined;
  const statistic = options.statistic ?? 'mean';
  const groups = Object.values(result.groups)
    .map((g): [MetricsGroup, number | null] => [g, g.durations[duration]?.[statistic] ?? null])
    .filter((entry): entry is [MetricsGroup, number] => entry[1] !== null)
    .sort((a, b) => b[0].count - a[0].count || (a[0].key < b[0].key ? -1 : 1))
    .slice(0, options.maxGroups ?? 20)
    .sort((a, b) => (a[0].key < b[0].key ? -1 : a[0].key > b[0].key ? 1 : 0));
  if (groups.length === 0) return undefined;
  const minutes = groups.map(([, v]) => v / 60_000);
  const top = Math.max(...minutes);
  return [
    'xychart-beta',
    `    title "${chartText(`${duration.toUpperCase()} ${statistic} by ${result.groupBy ?? 'group'} (minutes)`)}"`,
    `    x-axis [${groups.map(([g]) => `"${chartText(g.key)}"`).join(', ')}]`,
    `    y-axis "minutes" 0 --> ${chartNumber(top > 0 ? Math.ceil(top * 1.1) : 1)}`,
    `    bar [${minutes.map(chartNumber).join(', ')}]`,
  ].join('\n');
}

/**
 * Renders metrics as Markdown: a table of every duration overall and per group, MTBF, target
 * compliance, action items, and a Mermaid bar chart of MTTR (or another duration) per group.
 *
 * @example
 * ```ts
 * import { computeMetrics, renderMetricsMarkdown } from 'incidentkit';
 *
 * const result = await computeMetrics(
 *   [{ service: 'api', detectedAt: '2026-01-01T00:00:00Z', resolvedAt: '2026-01-01T00:30:00Z' }],
 *   { groupBy: 'service' },
 * );
 * console.log(renderMetricsMarkdown(result));
 * ```
 */
export function renderMetricsMarkdown(result: MetricsResult, options: RenderMetricsOptions = {}): string {
  const level = Math.min(4, Math.max(1, Math.trunc(options.headingLevel ?? 2)));
  const h = '#'.repeat(level);
  const hh = '#'.repeat(level + 1);
  const e = escapeMarkdown;
  const out: string[] = [];
  const groups = Object.values(result.groups);
  const by = result.groupBy === undefined ? 'group' : e(result.groupBy);

  out.push(`${h} ${e(options.title ?? 'Incident metrics')}`, '');
  const window = result.from === undefined && result.to === undefined ? '' : ` between ${result.from ?? 'the start'} and ${result.to ?? 'now'}`;
  const drills = result.skipped.drills;
  const skipped = result.skipped.canceled + result.skipped.filtered + result.skipped.outOfRange + drills;
  out.push(
    `${String(result.overall.count)} incident${result.overall.count === 1 ? '' : 's'}${window}` +
      (skipped > 0
        ? ` (left out: ${String(result.skipped.canceled)} canceled, ${String(result.skipped.filtered)} filtered, ${String(result.skipped.outOfRange)} outside the window${drills > 0 ? `, ${String(drills)} drill${drills === 1 ? '' : 's'}` : ''})`
        : '') +
      '. Durations in the tables are from the first milestone to the second; incidents missing one are counted as excluded, not as zero.',
    '',
  );
  out.push(
    '| duration | from | to |',
    '| --- | --- | --- |',
    ...Object.entries(result.definitions).map(([name, def]) => `| ${e(name)} | ${def.from.length > 1 ? `earliest of ${def.from.join(', ')}` : def.from.join('')} | ${def.to.length > 1 ? `earliest of ${def.to.join(', ')}` : def.to.join('')} |`),
    '',
  );

  out.push(`${hh} Overall`, '', ...statsTable(Object.entries(result.overall.durations), 'duration'), '');

  const chart = options.chart === false ? undefined : metricsChart(result, { ...(options.chart ?? {}), maxGroups: options.maxChartGroups ?? 20 });
  if (chart !== undefined) out.push('```mermaid', chart, '```', '');

  for (const name of Object.keys(result.definitions)) {
    if (groups.length === 0) break;
    out.push(`${hh} ${e(name)} by ${by}`, '', ...statsTable(groups.flatMap((g): [string, Stats][] => {
      const stats = g.durations[name];
      return stats === undefined ? [] : [[g.key, stats]];
    }), by), '');
  }

  if (result.overall.mtbf !== undefined) {
    const rows: [string, Stats][] = [['overall', result.overall.mtbf], ...groups.flatMap((g): [string, Stats][] => (g.mtbf === undefined ? [] : [[g.key, g.mtbf]]))];
    out.push(`${hh} Time between incidents (MTBF)`, '', 'Gaps between consecutive incident starts; the mean is the MTBF.', '', ...statsTable(rows, by), '');
  }

  const targets = result.overall.targets;
  if (targets !== undefined && Object.keys(targets).length > 0) {
    const cell = (c: { met: number; missed: number; pending: number; share: number | null; targetMs: number } | undefined): string =>
      c === undefined ? '—' : `${pct(c.share)} (${String(c.met)}/${String(c.met + c.missed)} within ${formatDurationCompact(c.targetMs)}${c.pending > 0 ? `, ${String(c.pending)} pending` : ''})`;
    out.push(
      `${hh} Target compliance`,
      '',
      '| severity | incidents | acknowledged | mitigated | resolved |',
      '| --- | ---: | --- | --- | --- |',
      ...Object.entries(targets).map(([severity, c]) => `| ${e(severity)} | ${String(c.count)} | ${cell(c.acknowledge)} | ${cell(c.mitigate)} | ${cell(c.resolve)} |`),
      '',
    );
  }

  const withOverdue = result.overall.actionItems.overdue !== undefined;
  const itemRow = (key: string, g: MetricsGroup): string => {
    const a = g.actionItems;
    return `| ${e(key)} | ${String(a.total)} | ${String(a.done)} | ${String(a.open + a.inProgress)} | ${String(a.wontDo)} | ${pct(a.completion)}${withOverdue ? ` | ${String(a.overdue ?? 0)}` : ''} |`;
  };
  out.push(
    `${hh} Action items`,
    '',
    `| ${by} | total | done | open | won't do | completion${withOverdue ? ' | overdue' : ''} |`,
    `| --- | ---: | ---: | ---: | ---: | ---:${withOverdue ? ' | ---:' : ''} |`,
    itemRow('overall', result.overall),
    ...groups.map((g) => itemRow(g.key, g)),
    '',
  );

  return `${out.join('\n').trimEnd()}\n`;
}
