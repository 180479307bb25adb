/**
 * Metrics over many incidents: durations (MTTD, MTTA, MTTM, MTTR or your own), MTBF, target
 * compliance and action item completion, with analyst-grade statistics.
 *
 * @packageDocumentation
 */
export { computeMetrics, computeMetricsSync, createMetricsAccumulator, type MetricsAccumulator } from './computeMetrics.js';
export {
  DEFAULT_DURATIONS,
  MILESTONE_NAMES,
  type ComputeMetricsOptions,
  type DurationDefinition,
  type GroupBy,
  type GroupKeyFunction,
  type MetricsGroup,
  type MetricsIncident,
  type MetricsResult,
  type MilestoneName,
  type MilestoneSpec,
  type MilestoneValue,
  type SeverityCompliance,
  type SeverityTarget,
  type TargetCompliance,
} from './types.js';
export { metricsChart, renderMetricsMarkdown, type ChartStatistic, type RenderMetricsOptions } from './renderMetricsMarkdown.js';
export {
  createStatsAccumulator,
  quantileSorted,
  summarize,
  type Stats,
  type StatsAccumulator,
  type StatsOptions,
  type WithinThreshold,
} from './stats.js';
export { toEpochMs, type TimeInput } from './toEpochMs.js';
