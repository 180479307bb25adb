import { describe, expect, it } from 'vitest';
import { computeMetrics, computeMetricsSync } from '../../src/metrics/computeMetrics.js';
import { metricsChart, renderMetricsMarkdown } from '../../src/metrics/renderMetricsMarkdown.js';
import type { MetricsIncident } from '../../src/metrics/types.js';
import { mermaidBlocks, parseXyChart } from '../fixtures/mermaid.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const MIN = 60_000;

function incident(service: string, severity: string, ackMin: number | undefined, resolveMin: number, extra: Partial<MetricsIncident> = {}): MetricsIncident {
  return {
    service,
    severity,
    status: 'resolved',
    startedAt: new Date(T0).toISOString(),
    detectedAt: new Date(T0 + MIN).toISOString(),
    ...(ackMin === undefined ? {} : { acknowledgedAt: new Date(T0 + MIN + ackMin * MIN).toISOString() }),
    resolvedAt: new Date(T0 + MIN + resolveMin * MIN).toISOString(),
    ...extra,
  };
}

const incidents = [
  incident('api', 'SEV1', 2, 30, { actionItems: [{ status: 'done' }, { status: 'open', dueAt: '2026-01-02T00:00:00.000Z' }] }),
  incident('api', 'SEV2', 5, 90),
  incident('web "store"', 'SEV1', undefined, 45),
  incident('web "store"', 'SEV3', 12, 600),
];

describe('renderMetricsMarkdown', () => {
  it('renders definitions, overall and per-group tables with human durations', async () => {
    const result = await computeMetrics(incidents, {
      groupBy: 'service',
      mtbf: true,
      thresholds: [60 * MIN],
      targets: { SEV1: { acknowledgeWithinMinutes: 5, resolveWithinMinutes: 60 } },
      now: '2026-02-01T00:00:00Z',
    });
    const md = renderMetricsMarkdown(result);
    expect(md.split('\n')[0]).toBe('## Incident metrics');
    expect(md).toContain('4 incidents. Durations in the tables are from the first milestone to the second;');
    expect(md).toContain('| mttr | detectedAt | resolvedAt |');
    // mtta: 2, 5 and 12 minutes measured, one never acknowledged.
    expect(md).toContain('| mtta | 3 | 1 | 6m 20s | 5m | 10m 36s | 11m 18s | 11m 52s | 5m 8s | 2m | 12m | ≤ 1h: 100.0% |');
    expect(md).toContain('### mttr by service');
    expect(md).toContain('| api | 2 | 0 | 1h | 1h | 1h 24m | 1h 27m | 1h 29m | 42m 26s | 30m | 1h 30m | ≤ 1h: 50.0% |');
    expect(md).toContain('| web "store" | 2 | 0 |');
    expect(md).toContain('### Time between incidents (MTBF)');
    expect(md).toContain('| SEV1 | 2 | 50.0% (1/2 within 5m) | — | 100.0% (2/2 within 1h) |');
    expect(md).toContain("| service | total | done | open | won't do | completion | overdue |");
    expect(md).toContain('| overall | 2 | 1 | 1 | 0 | 50.0% | 1 |');
  });

  it('includes a well-formed xychart of MTTR per group', () => {
    const result = computeMetricsSync(incidents, { groupBy: 'service' });
    const blocks = mermaidBlocks(renderMetricsMarkdown(result));
    expect(blocks).toHaveLength(1);
    const chart = parseXyChart(blocks[0]!);
    // Quotes in a group key cannot be escaped in xychart strings; they become apostrophes.
    expect(chart.categories).toEqual(['api', "web 'store'"]);
    expect(chart.bars).toEqual([60, 322.5]);
    expect(chart.title).toBe('MTTR mean by service (minutes)');
    expect(chart.yMax).toBeGreaterThanOrEqual(322.5);
  });

  it('charts another duration or statistic on request, or none', () => {
    const result = computeMetricsSync(incidents, { groupBy: 'severity' });
    const chart = parseXyChart(metricsChart(result, { duration: 'mtta', statistic: 'median' })!);
    expect(chart.categories).toEqual(['SEV1', 'SEV2', 'SEV3']);
    expect(chart.bars).toEqual([2, 5, 12]);
    expect(mermaidBlocks(renderMetricsMarkdown(result, { chart: false }))).toEqual([]);
  });

  it('without groups there are only overall tables and no chart', () => {
    const md = renderMetricsMarkdown(computeMetricsSync(incidents), { title: 'Q1 | review', headingLevel: 1 });
    expect(md.split('\n')[0]).toBe('# Q1 \\| review');
    expect(mermaidBlocks(md)).toEqual([]);
    expect(md).not.toContain(' by ');
  });

  it('renders an empty result without failing', () => {
    const md = renderMetricsMarkdown(computeMetricsSync([], { groupBy: 'service' }));
    expect(md).toContain('0 incidents.');
    expect(md).toContain('| mttr | 0 | 0 | — | — | — | — | — | — | — | — |');
  });
});
