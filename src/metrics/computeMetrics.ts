import { parseInput } from '../kernel/parse.js';
import { actionItemCountsOf, tallyActionItems } from '../model/actionItems.js';
import { createStatsAccumulator } from './stats.js';
import { describeGroupBy, groupKeyReader } from './groupKeyReader.js';
import { timeValueMs, toEpochMs } from '../kernel/toEpochMs.js';
import { complianceOf, gapStats, GroupAccumulator, TARGET_MILESTONES, TARGET_MINUTES } from './groupAccumulator.js';
import { metricsOptionsSchema } from './metricsOptionsSchema.js';
import {
  DEFAULT_DURATIONS,
  type ComputeMetricsOptions,
  type MetricsGroup,
  type MetricsIncident,
  type MetricsResult,
  type MilestoneName,
  type MilestoneSpec,
} from './types.js';

/** Outcome of one target for one incident. */
const enum Outcome {
  None = -1,
  Met = 0,
  Missed = 1,
  Pending = 2,
}

/** Streaming computation of metrics: feed incidents with `add`, read with `result`. */
export interface MetricsAccumulator {
  /** Adds one incident; nothing of it is retained but the numbers metrics need. */
  add(incident: MetricsIncident): void;
  /** The metrics of everything added so far. */
  result(): MetricsResult;
}

/**
 * One reader per milestone: `incident[name]` with a changing `name` is a megamorphic keyed
 * load in V8, while each of these reads one named property and stays fast over millions of rows.
 */
const MILESTONE_GETTERS: Readonly<Record<MilestoneName, (incident: MetricsIncident) => unknown>> = {
  startedAt: (incident) => incident.startedAt,
  detectedAt: (incident) => incident.detectedAt,
  acknowledgedAt: (incident) => incident.acknowledgedAt,
  mitigatedAt: (incident) => incident.mitigatedAt,
  diagnosedAt: (incident) => incident.diagnosedAt,
  resolvedAt: (incident) => incident.resolvedAt,
  reviewStartedAt: (incident) => incident.reviewStartedAt,
  closedAt: (incident) => incident.closedAt,
  canceledAt: (incident) => incident.canceledAt,
};

function specList(spec: MilestoneSpec): readonly MilestoneName[] {
  return typeof spec === 'string' ? [spec] : spec;
}

/** Where a point of a duration is read from: one milestone slot, or the earliest of several. */
interface Point {
  readonly slot: number;
  readonly slots: readonly number[] | undefined;
}

/**
 * Creates a {@link MetricsAccumulator}: the streaming core of {@link computeMetrics}, for
 * hosts that receive incidents one at a time.
 *
 * @example
 * ```ts
 * import { createMetricsAccumulator } from 'incidentkit';
 *
 * const acc = createMetricsAccumulator({ groupBy: 'severity' });
 * acc.add({ severity: 'SEV2', detectedAt: '2026-01-01T00:00:00Z', acknowledgedAt: '2026-01-01T00:04:00Z' });
 * console.log(acc.result().groups['SEV2']?.durations['mtta']?.median); // 240000
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the options are malformed.
 */
export function createMetricsAccumulator(options: ComputeMetricsOptions = {}): MetricsAccumulator {
  const parsed = parseInput(metricsOptionsSchema, options, 'computeMetrics options');
  const definitions = Object.entries(parsed.durations ?? DEFAULT_DURATIONS).map(([name, def]) => ({
    name,
    from: specList(def.from),
    to: specList(def.to),
  }));
  const atSpec = specList(typeof options.mtbf === 'object' && options.mtbf.at !== undefined ? options.mtbf.at : (options.at ?? ['startedAt', 'detectedAt']));
  const windowAt = specList(options.at ?? ['startedAt', 'detectedAt']);
  const withMtbf = options.mtbf !== undefined && options.mtbf !== false;
  const targets = options.targets;
  const nowMs = options.now === undefined ? undefined : toEpochMs(options.now, 'computeMetrics now');
  const fromMs = options.from === undefined ? Number.NEGATIVE_INFINITY : toEpochMs(options.from, 'computeMetrics from');
  const toMs = options.to === undefined ? Number.POSITIVE_INFINITY : toEpochMs(options.to, 'computeMetrics to');
  const windowed = options.from !== undefined || options.to !== undefined;
  const missingKey = options.missingKey ?? '(none)';
  const keysOf = groupKeyReader(options.groupBy, missingKey);
  const includeCanceled = options.includeCanceled ?? false;
  const includeDrills = options.includeDrills ?? false;
  const filter = options.filter;
  const thresholdsFor = (name: string): readonly number[] | undefined => {
    const t = options.thresholds;
    if (t === undefined) return undefined;
    return Array.isArray(t) ? t : (t as Readonly<Record<string, readonly number[]>>)[name];
  };

  // Parse each milestone an incident needs once, however many definitions use it.
  const needed = new Set<MilestoneName>([...atSpec, ...windowAt]);
  for (const def of definitions) for (const m of [...def.from, ...def.to]) needed.add(m);
  if (targets !== undefined) for (const m of ['detectedAt', ...TARGET_MILESTONES] as const) needed.add(m);
  const slotNames = [...needed];
  const slotCount = slotNames.length;
  const getters = slotNames.map((name) => MILESTONE_GETTERS[name]);
  const times = new Float64Array(slotCount);
  const point = (spec: readonly MilestoneName[]): Point => {
    const slots = spec.map((name) => slotNames.indexOf(name));
    return { slot: slots[0] ?? -1, slots: slots.length > 1 ? slots : undefined };
  };
  const read = (p: Point): number => {
    if (p.slots === undefined) return times[p.slot] ?? Number.NaN;
    let best = Number.NaN;
    for (const i of p.slots) {
      const t = times[i] ?? Number.NaN;
      if (t === t && !(t >= best)) best = t; // NaN-safe minimum over the present values
    }
    return best;
  };
  const froms = definitions.map((def) => point(def.from));
  const tos = definitions.map((def) => point(def.to));
  const durationCount = definitions.length;
  const atPoint = point(atSpec);
  const windowPoint = point(windowAt);
  const detected = slotNames.indexOf('detectedAt');
  const targetSlots = TARGET_MILESTONES.map((name) => slotNames.indexOf(name));

  const overall = new GroupAccumulator(durationCount);
  const groups = new Map<string, GroupAccumulator>();
  const skipped = { canceled: 0, filtered: 0, outOfRange: 0, drills: 0 };
  // While every incident falls in exactly one group, the overall values are the union of the
  // groups' values: keep them once, in the groups, and combine them in `result`. The first
  // incident in no group or in several makes the overall group keep its own from then on.
  let overallFromGroups = keysOf !== undefined;
  const values = new Float64Array(durationCount);
  let at = Number.NaN;
  let targetSeverity: string | undefined;
  const outcomes: [Outcome, Outcome, Outcome] = [Outcome.None, Outcome.None, Outcome.None];

  const judge = (start: number, end: number, targetMinutes: number | undefined): Outcome => {
    if (targetMinutes === undefined || start !== start) return Outcome.None;
    const limit = targetMinutes * 60_000;
    if (end === end) return end - start <= limit ? Outcome.Met : Outcome.Missed;
    return nowMs !== undefined && nowMs - start > limit ? Outcome.Missed : Outcome.Pending;
  };

  const addValues = (group: GroupAccumulator): void => {
    for (let i = 0; i < durationCount; i += 1) {
      const v = values[i] ?? Number.NaN;
      const acc = group.durations[i];
      if (acc === undefined) continue;
      if (v === v) acc.add(v);
      else acc.exclude();
    }
    if (withMtbf && at === at) group.starts.push(at);
  };

  const addTallies = (group: GroupAccumulator, incident: MetricsIncident): void => {
    group.count += 1;
    if (at === at) {
      if (at < group.first) group.first = at;
      if (at > group.last) group.last = at;
    } else group.undated += 1;
    if (targetSeverity !== undefined) {
      let tally = group.targets.get(targetSeverity);
      if (tally === undefined) {
        tally = { count: 0, outcomes: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] };
        group.targets.set(targetSeverity, tally);
      }
      tally.count += 1;
      for (let t = 0; t < 3; t += 1) {
        const outcome = outcomes[t] ?? Outcome.None;
        const counts = tally.outcomes[t];
        if (outcome !== Outcome.None && counts !== undefined) counts[outcome] += 1;
      }
    }
    if (incident.actionItems !== undefined) tallyActionItems(group.actionItems, incident.actionItems, nowMs);
  };

  const groupOf = (key: string): GroupAccumulator => {
    let group = groups.get(key);
    if (group === undefined) {
      group = new GroupAccumulator(durationCount);
      groups.set(key, group);
    }
    return group;
  };

  const combinedOverall = (): GroupAccumulator => {
    if (!overallFromGroups) return overall;
    const combined = new GroupAccumulator(durationCount);
    for (const group of groups.values()) combined.mergeValues(group);
    return combined;
  };

  return {
    add(incident) {
      if (!includeCanceled && (incident.status === 'canceled' || (incident.status === undefined && incident.canceledAt !== undefined))) {
        skipped.canceled += 1;
        return;
      }
      if (!includeDrills && incident.drill === true) {
        skipped.drills += 1;
        return;
      }
      if (filter !== undefined && !filter(incident)) {
        skipped.filtered += 1;
        return;
      }
      for (let i = 0; i < slotCount; i += 1) {
        const get = getters[i];
        times[i] = get === undefined ? Number.NaN : timeValueMs(get(incident));
      }
      if (windowed) {
        const when = read(windowPoint);
        if (!(when >= fromMs && when < toMs)) {
          skipped.outOfRange += 1;
          return;
        }
      }
      for (let i = 0; i < durationCount; i += 1) {
        const from = froms[i];
        const to = tos[i];
        const v = from === undefined || to === undefined ? Number.NaN : read(to) - read(from);
        // A negative duration means milestones out of order: unmeasurable, like a missing one.
        values[i] = v >= 0 ? v : Number.NaN;
      }
      at = read(atPoint);
      const target = targets === undefined || incident.severity === undefined ? undefined : targets[incident.severity];
      targetSeverity = target === undefined ? undefined : incident.severity;
      if (target !== undefined) {
        const start = times[detected] ?? Number.NaN;
        for (let t = 0; t < 3; t += 1) {
          const minutesKey = TARGET_MINUTES[t] ?? 'acknowledgeWithinMinutes';
          outcomes[t] = judge(start, times[targetSlots[t] ?? -1] ?? Number.NaN, target[minutesKey]);
        }
      }

      addTallies(overall, incident);
      if (keysOf === undefined) {
        addValues(overall);
        return;
      }
      const keys = keysOf(incident);
      if (typeof keys === 'string') {
        const group = groupOf(keys);
        addTallies(group, incident);
        addValues(group);
        if (!overallFromGroups) addValues(overall);
        return;
      }
      if (overallFromGroups && keys.length !== 1) {
        overallFromGroups = false;
        for (const group of groups.values()) overall.mergeValues(group);
      }
      for (const key of keys) {
        const group = groupOf(key);
        addTallies(group, incident);
        addValues(group);
      }
      if (!overallFromGroups) addValues(overall);
    },
    result() {
      const finish = (key: string, group: GroupAccumulator, valuesOf: GroupAccumulator): MetricsGroup => {
        const durations = Object.fromEntries(
          definitions.map((def, i) => {
            const thresholds = thresholdsFor(def.name);
            const stats = valuesOf.durations[i] ?? createStatsAccumulator();
            return [def.name, stats.result(thresholds === undefined ? {} : { thresholds })];
          }),
        );
        const out: {
          -readonly [K in keyof MetricsGroup]: MetricsGroup[K];
        } = { key, count: group.count, durations, actionItems: actionItemCountsOf(group.actionItems, nowMs !== undefined) };
        if (withMtbf) out.mtbf = gapStats(valuesOf.starts, group.undated);
        if (targets !== undefined) out.targets = complianceOf(group.targets, targets);
        if (group.first <= group.last) {
          out.first = new Date(group.first).toISOString();
          out.last = new Date(group.last).toISOString();
        }
        return out;
      };
      const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const result: { -readonly [K in keyof MetricsResult]: MetricsResult[K] } = {
        overall: finish('overall', overall, combinedOverall()),
        groups: Object.fromEntries(
          keys.map((key) => {
            const group = groups.get(key) ?? new GroupAccumulator(durationCount);
            return [key, finish(key, group, group)];
          }),
        ),
        definitions: Object.fromEntries(definitions.map((def) => [def.name, { from: [...def.from], to: [...def.to] }])),
        skipped: { ...skipped },
      };
      if (options.groupBy !== undefined) result.groupBy = describeGroupBy(options.groupBy);
      if (fromMs !== Number.NEGATIVE_INFINITY) result.from = new Date(fromMs).toISOString();
      if (toMs !== Number.POSITIVE_INFINITY) result.to = new Date(toMs).toISOString();
      return result;
    },
  };
}

function isSyncIterable(source: unknown): source is Iterable<MetricsIncident> {
  return typeof source === 'object' && source !== null && Symbol.iterator in source;
}

/**
 * Computes response metrics over many incidents: durations (MTTD, MTTA, MTTM, MTTR or your
 * own definitions) with mean, median, p90/p95/p99, sample std, min, max and threshold shares;
 * MTBF; target compliance by severity; action item completion and overdue counts — overall and
 * per group.
 *
 * @remarks
 * `source` is an array, any iterable, or an `AsyncIterable` (e.g. `engine.scan(filter)`).
 * Incidents are read one at a time and not retained: memory grows with the number of groups
 * and the numbers kept for exact percentiles (8 bytes per measured value), not with incident
 * objects. Arrays and sync iterables are read without awaiting each item.
 *
 * An incident missing either endpoint of a duration, or whose endpoints are out of order, is
 * counted in that duration's `excluded`, never as zero. A list of milestones means "the
 * earliest present". Canceled incidents are skipped unless `includeCanceled`, and drills
 * (`incident.drill`) unless `includeDrills`.
 *
 * @example
 * ```ts
 * import { computeMetrics, createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const { items } = await engine.list({ limit: 500 });
 * const metrics = await computeMetrics(items, {
 *   groupBy: 'service',
 *   thresholds: [15 * 60_000],
 *   targets: { SEV1: { acknowledgeWithinMinutes: 5, resolveWithinMinutes: 240 } },
 * });
 * console.log(metrics.overall.durations['mttr']?.p90);
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the options are malformed.
 */
export async function computeMetrics(
  source: Iterable<MetricsIncident> | AsyncIterable<MetricsIncident>,
  options: ComputeMetricsOptions = {},
): Promise<MetricsResult> {
  if (isSyncIterable(source)) return computeMetricsSync(source, options);
  const acc = createMetricsAccumulator(options);
  for await (const incident of source) acc.add(incident);
  return acc.result();
}

/**
 * The synchronous form of {@link computeMetrics}, for arrays and other sync iterables.
 *
 * @example
 * ```ts
 * import { computeMetricsSync } from 'incidentkit';
 *
 * const result = computeMetricsSync(
 *   [{ severity: 'SEV3', detectedAt: '2026-01-01T00:00:00Z', resolvedAt: '2026-01-01T01:00:00Z' }],
 *   { durations: { mttr: { from: 'detectedAt', to: 'resolvedAt' } } },
 * );
 * console.log(result.overall.durations['mttr']?.mean); // 3600000
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the options are malformed.
 */
export function computeMetricsSync(source: Iterable<MetricsIncident>, options: ComputeMetricsOptions = {}): MetricsResult {
  const acc = createMetricsAccumulator(options);
  if (Array.isArray(source)) {
    // An indexed loop skips the iterator protocol, measurably faster over millions of items.
    const list = source as readonly MetricsIncident[];
    const n = list.length;
    for (let i = 0; i < n; i += 1) {
      const incident = list[i];
      if (incident !== undefined) acc.add(incident);
    }
  } else {
    for (const incident of source) acc.add(incident);
  }
  return acc.result();
}
