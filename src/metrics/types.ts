import type { ActionItemCounts, ActionItemLike } from '../model/actionItems.js';
import type { Stats } from './stats.js';
import type { TimeInput } from '../kernel/toEpochMs.js';

/** The milestones of an incident, in lifecycle order. */
export const MILESTONE_NAMES = [
  'startedAt',
  'detectedAt',
  'acknowledgedAt',
  'mitigatedAt',
  'diagnosedAt',
  'resolvedAt',
  'reviewStartedAt',
  'closedAt',
  'canceledAt',
] as const;

/** One of {@link MILESTONE_NAMES}. */
export type MilestoneName = (typeof MILESTONE_NAMES)[number];

/** A milestone, or a list of milestones meaning "the earliest of these that is present". */
export type MilestoneSpec = MilestoneName | readonly MilestoneName[];

/** How one duration is measured: from one point of an incident to another. */
export interface DurationDefinition {
  readonly from: MilestoneSpec;
  readonly to: MilestoneSpec;
}

/**
 * The durations computed when `options.durations` is not given.
 *
 * @remarks
 * - `mttd` (time to detect): `startedAt` → `detectedAt`, how long impact went unnoticed.
 * - `mtta` (time to acknowledge): `detectedAt` → `acknowledgedAt`.
 * - `mttm` (time to mitigate): `detectedAt` → `mitigatedAt`.
 * - `mttr` (time to resolve): `detectedAt` → `resolvedAt`.
 *
 * Vendors differ (some start MTTR at impact, some at acknowledgement); pass your own
 * `durations`, spreading these to keep them: `{ ...DEFAULT_DURATIONS, mttr: { from: 'startedAt', to: 'resolvedAt' } }`.
 */
export const DEFAULT_DURATIONS: Readonly<Record<'mttd' | 'mtta' | 'mttm' | 'mttr', DurationDefinition>> = /* @__PURE__ */ Object.freeze({
  mttd: { from: 'startedAt', to: 'detectedAt' },
  mtta: { from: 'detectedAt', to: 'acknowledgedAt' },
  mttm: { from: 'detectedAt', to: 'mitigatedAt' },
  mttr: { from: 'detectedAt', to: 'resolvedAt' },
});

/** A time as incidents carry it: an ISO-8601 string (the projection's format), a `Date` or epoch milliseconds. */
export type MilestoneValue = string | Date | number;

/**
 * The fields of an incident that metrics read. The `Incident` projection fits, and so do
 * lighter objects (imported history, rows of a host's own table).
 */
export type MetricsIncident = Readonly<Partial<Record<MilestoneName, MilestoneValue | null | undefined>>> & {
  readonly id?: string;
  readonly status?: string;
  readonly severity?: string;
  readonly service?: string;
  /** Several affected services; an incident counts once in each when grouping by service. */
  readonly services?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly actionItems?: readonly ActionItemLike[];
  /** `true` for a drill: left out unless `includeDrills`. */
  readonly drill?: boolean;
};

/** A function that puts an incident into one group, several groups (`string[]`), the missing-key group (`undefined`), or none (`[]`). */
export type GroupKeyFunction = (incident: MetricsIncident) => string | readonly string[] | null | undefined;

/**
 * What to group by: `'service'` (each of `services`, else `service`), `'severity'`,
 * `'status'`, `{ label }`, `{ field }`, any other string (a label of that name, else a custom
 * field), or a function.
 */
export type GroupBy =
  | 'service'
  | 'severity'
  | 'status'
  | { readonly label: string }
  | { readonly field: string }
  | (string & {})
  | GroupKeyFunction;

/** Response targets for one severity, in minutes from `detectedAt` (the shape of the engine's `ResponseTargets`). */
export interface SeverityTarget {
  readonly acknowledgeWithinMinutes?: number;
  readonly mitigateWithinMinutes?: number;
  readonly resolveWithinMinutes?: number;
}

/** Options of {@link computeMetrics}. */
export interface ComputeMetricsOptions {
  /** Group incidents; without it, only `overall` is computed and `groups` is empty. */
  readonly groupBy?: GroupBy;
  /** The durations to compute, by name. Default: {@link DEFAULT_DURATIONS}. Replaces the defaults when given. */
  readonly durations?: Readonly<Record<string, DurationDefinition>>;
  /** Compute the gaps between consecutive incident starts (MTBF); `at` overrides the options' `at`. */
  readonly mtbf?: boolean | { readonly at?: MilestoneSpec };
  /** When an incident happened, for `from`/`to` and MTBF. Default: the earliest of `startedAt` and `detectedAt`. */
  readonly at?: MilestoneSpec;
  /** Thresholds in milliseconds for `Stats.within`: one list for every duration, or lists by duration name. */
  readonly thresholds?: readonly number[] | Readonly<Record<string, readonly number[]>>;
  /** Only incidents that happened (per `at`) at or after this time. */
  readonly from?: TimeInput;
  /** Only incidents that happened (per `at`) before this time. */
  readonly to?: TimeInput;
  /** Response targets by severity, e.g. `{ SEV1: { acknowledgeWithinMinutes: 5, resolveWithinMinutes: 240 } }`. */
  readonly targets?: Readonly<Record<string, SeverityTarget>>;
  /** The current time: enables overdue action item counts, and counts open incidents already past a target as missed. */
  readonly now?: TimeInput;
  /** Include canceled incidents (false positives, duplicates). Default: `false`. */
  readonly includeCanceled?: boolean;
  /** Include drills (`incident.drill`: practice incidents). Default: `false`. */
  readonly includeDrills?: boolean;
  /** Keep only incidents for which this returns `true`. */
  readonly filter?: (incident: MetricsIncident) => boolean;
  /** The group of incidents without a key. Default: `'(none)'`. */
  readonly missingKey?: string;
}

/** How many incidents met one response target. */
export interface TargetCompliance {
  /** The target, in milliseconds. */
  readonly targetMs: number;
  /** Reached the milestone within the target. */
  readonly met: number;
  /** Reached it late, or (with `now`) are still open past the target. */
  readonly missed: number;
  /** Not reached yet and not yet past the target (or no `now` was given); not part of `share`. */
  readonly pending: number;
  /** `met / (met + missed)`; `null` when nothing was decided. */
  readonly share: number | null;
}

/** Target compliance of one severity. */
export interface SeverityCompliance {
  readonly count: number;
  readonly acknowledge?: TargetCompliance;
  readonly mitigate?: TargetCompliance;
  readonly resolve?: TargetCompliance;
}

/** The metrics of one group of incidents (or of all of them). */
export interface MetricsGroup {
  readonly key: string;
  /** Incidents in the group. */
  readonly count: number;
  /** One {@link Stats} per duration name, in milliseconds. */
  readonly durations: Readonly<Record<string, Stats>>;
  /** Gaps between consecutive incident starts, in milliseconds; its `mean` is the MTBF. */
  readonly mtbf?: Stats;
  /** Compliance with `options.targets`, by severity. */
  readonly targets?: Readonly<Record<string, SeverityCompliance>>;
  /** The group's action items. */
  readonly actionItems: ActionItemCounts;
  /** The earliest and latest `at` in the group (ISO-8601). */
  readonly first?: string;
  readonly last?: string;
}

/** The result of {@link computeMetrics}. */
export interface MetricsResult {
  readonly overall: MetricsGroup;
  /** By group key, sorted by key; empty without `groupBy`. */
  readonly groups: Readonly<Record<string, MetricsGroup>>;
  /** What was grouped by (a description; `'function'` for a function). */
  readonly groupBy?: string;
  /** The duration definitions used, with lists spelled out. */
  readonly definitions: Readonly<Record<string, { readonly from: readonly MilestoneName[]; readonly to: readonly MilestoneName[] }>>;
  readonly from?: string;
  readonly to?: string;
  /** Incidents left out, and why. */
  readonly skipped: {
    readonly canceled: number;
    readonly filtered: number;
    readonly outOfRange: number;
    /** Drills (`incident.drill`), left out unless `includeDrills`. */
    readonly drills: number;
  };
}
