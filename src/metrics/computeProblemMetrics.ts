import { z } from 'zod';
import { parseInput } from '../kernel/parse.js';
import { timeValueMs, type TimeInput } from '../kernel/toEpochMs.js';
import { summarize, type Stats } from './stats.js';

/** The fields of a problem {@link computeProblemMetrics} reads; `engine.problems` returns them (`stored.problem`). */
export interface ProblemMetricsProblem {
  readonly id: string;
  readonly status: string;
  /** ISO-8601 UTC. */
  readonly openedAt: string;
  readonly knownErrorAt?: string;
  readonly incidents: readonly { readonly incidentId: string }[];
  readonly actionItems: readonly { readonly incidentId: string; readonly actionItemId: string }[];
}

/** The fields of an incident {@link computeProblemMetrics} reads; an `Incident` fits. */
export interface ProblemMetricsIncident {
  readonly id: string;
  /** ISO-8601 UTC. */
  readonly detectedAt: string;
  readonly actionItems?: readonly {
    readonly id: string;
    readonly status: string;
    readonly dueAt?: string;
    /** When it was done; absent, a done item's `updatedAt` stands in (its last change). */
    readonly completedAt?: string;
    readonly updatedAt?: string;
  }[];
  /** `true` for a drill: left out unless `includeDrills`. */
  readonly drill?: boolean;
}

/** Action items by whether they were done by their due date. */
export interface DueDateCounts {
  /** Done at or before the due date. */
  readonly doneBeforeDue: number;
  /** Done after the due date. */
  readonly doneAfterDue: number;
  /** Done, with no due date. */
  readonly doneWithoutDue: number;
  /** Not done yet and past due at `now` (only counted when `now` was given). */
  readonly overdue?: number;
  /** Not done yet (open or in progress; `wont_do` items are left out). */
  readonly notDone: number;
  /** `doneBeforeDue / (doneBeforeDue + doneAfterDue)`; `null` when no item with a due date was done. */
  readonly onTime: number | null;
}

/** What {@link computeProblemMetrics} returns. */
export interface ProblemMetrics {
  /** How many problems, and how many in each state. */
  readonly problems: { readonly total: number; readonly byStatus: Readonly<Record<string, number>> };
  /** Linked incidents per problem. */
  readonly incidentsPerProblem: Stats;
  /**
   * Milliseconds from a problem's first incident (the earliest `detectedAt` of its linked
   * incidents among those given) to its known error. Problems that never became a known error,
   * or whose incidents were not given, are `excluded`.
   */
  readonly timeToKnownErrorMs: Stats;
  /** Every action item of the given incidents, by due date. */
  readonly actionItems: DueDateCounts;
  /** Only the action items linked to a problem (its prevention work), by due date. */
  readonly linkedActionItems: DueDateCounts;
}

const optionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    now: z
      .union([z.date(), z.number(), z.string()])
      .refine((v) => Number.isFinite(timeValueMs(v)), { message: 'Must be a valid date.' })
      .optional(),
    includeDrills: z.boolean().optional(),
  }))();

type Item = NonNullable<ProblemMetricsIncident['actionItems']>[number];

function dueDateCounts(items: Iterable<Item>, nowMs: number | undefined): DueDateCounts {
  let doneBeforeDue = 0;
  let doneAfterDue = 0;
  let doneWithoutDue = 0;
  let notDone = 0;
  let overdue = 0;
  for (const item of items) {
    if (item.status === 'wont_do') continue;
    const dueMs = item.dueAt === undefined ? undefined : Date.parse(item.dueAt);
    if (item.status === 'done') {
      const doneAt = item.completedAt ?? item.updatedAt;
      if (dueMs === undefined) doneWithoutDue += 1;
      else if (doneAt !== undefined && Date.parse(doneAt) <= dueMs) doneBeforeDue += 1;
      else doneAfterDue += 1;
      continue;
    }
    notDone += 1;
    if (nowMs !== undefined && dueMs !== undefined && dueMs < nowMs) overdue += 1;
  }
  const withDue = doneBeforeDue + doneAfterDue;
  return { doneBeforeDue, doneAfterDue, doneWithoutDue, ...(nowMs === undefined ? {} : { overdue }), notDone, onTime: withDue === 0 ? null : doneBeforeDue / withDue };
}

/**
 * Problem management metrics: how many incidents each problem covers, how long it took from a
 * problem's first incident to its known error (a documented workaround), and whether action
 * items were done before or after their due date.
 *
 * @remarks Pure: pass the problems (`(await engine.problems.list()).map((s) => s.problem)`) and
 * the incidents they link (and any others whose action items should count). A done item's
 * `completedAt` is its completion time when present, else its `updatedAt`.
 *
 * @example
 * ```ts
 * import { computeProblemMetrics } from 'incidentkit';
 *
 * const metrics = computeProblemMetrics(
 *   [{ id: 'prb_1', status: 'knownError', openedAt: '2026-01-03T00:00:00.000Z', knownErrorAt: '2026-01-04T00:00:00.000Z', incidents: [{ incidentId: 'inc_1' }, { incidentId: 'inc_2' }], actionItems: [] }],
 *   [
 *     { id: 'inc_1', detectedAt: '2026-01-01T00:00:00.000Z' },
 *     { id: 'inc_2', detectedAt: '2026-01-02T00:00:00.000Z', actionItems: [{ id: 'act_1', status: 'done', dueAt: '2026-01-10T00:00:00.000Z', updatedAt: '2026-01-05T00:00:00.000Z' }] },
 *   ],
 * );
 * console.log(metrics.incidentsPerProblem.mean, metrics.timeToKnownErrorMs.median, metrics.actionItems.doneBeforeDue); // 2 259200000 1
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when `options.now` is not a valid date.
 */
export function computeProblemMetrics(
  problems: Iterable<ProblemMetricsProblem>,
  incidents: Iterable<ProblemMetricsIncident>,
  options: {
    readonly now?: TimeInput;
    /** Count drills' (`incident.drill`) action items and milestones too. Default: `false`. */
    readonly includeDrills?: boolean;
  } = {},
): ProblemMetrics {
  const parsed = parseInput(optionsSchema, options, 'computeProblemMetrics options');
  const nowMs = parsed.now === undefined ? undefined : timeValueMs(parsed.now);
  const byId = new Map<string, ProblemMetricsIncident>();
  for (const incident of incidents) if (parsed.includeDrills === true || incident.drill !== true) byId.set(incident.id, incident);
  const byStatus: Record<string, number> = {};
  const perProblem: number[] = [];
  const toKnownError: number[] = [];
  let unmeasured = 0;
  const linked: Item[] = [];
  for (const problem of problems) {
    byStatus[problem.status] = (byStatus[problem.status] ?? 0) + 1;
    perProblem.push(problem.incidents.length);
    const detected = problem.incidents.map((link) => byId.get(link.incidentId)?.detectedAt).filter((at): at is string => at !== undefined);
    const first = detected.length === 0 ? undefined : Math.min(...detected.map((at) => Date.parse(at)));
    if (problem.knownErrorAt !== undefined && first !== undefined) toKnownError.push(Date.parse(problem.knownErrorAt) - first);
    else unmeasured += 1;
    for (const link of problem.actionItems) {
      const item = byId.get(link.incidentId)?.actionItems?.find((candidate) => candidate.id === link.actionItemId);
      if (item !== undefined) linked.push(item);
    }
  }
  return {
    problems: { total: perProblem.length, byStatus },
    incidentsPerProblem: summarize(perProblem),
    timeToKnownErrorMs: summarize(toKnownError, { excluded: unmeasured }),
    actionItems: dueDateCounts([...byId.values()].flatMap((incident) => incident.actionItems ?? []), nowMs),
    linkedActionItems: dueDateCounts(linked, nowMs),
  };
}
