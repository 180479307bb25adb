import { emptyActionItemTally, type ActionItemTally } from '../model/actionItems.js';
import { createStatsAccumulator, summarize, type Stats, type StatsAccumulator } from './stats.js';
import type { SeverityCompliance, SeverityTarget, TargetCompliance } from './types.js';

/** A growable list of numbers. */
export class NumberList {
  values = new Float64Array(16);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) this.#grow(this.length + 1);
    this.values[this.length] = value;
    this.length += 1;
  }
  append(other: NumberList): void {
    if (this.length + other.length > this.values.length) this.#grow(this.length + other.length);
    this.values.set(other.values.subarray(0, other.length), this.length);
    this.length += other.length;
  }
  #grow(atLeast: number): void {
    let capacity = this.values.length * 2;
    while (capacity < atLeast) capacity *= 2;
    const grown = new Float64Array(capacity);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }
}

/** Met, missed and pending counts of one target. */
export type OutcomeCounts = [met: number, missed: number, pending: number];

/** How the incidents of one severity did against its targets. */
export interface TargetTally {
  count: number;
  /** acknowledge, mitigate, resolve. */
  readonly outcomes: [OutcomeCounts, OutcomeCounts, OutcomeCounts];
}

/** The response targets in tally order, with the milestone each is measured to and its option. */
export const TARGET_KEYS = ['acknowledge', 'mitigate', 'resolve'] as const;
export const TARGET_MILESTONES = ['acknowledgedAt', 'mitigatedAt', 'resolvedAt'] as const;
export const TARGET_MINUTES = ['acknowledgeWithinMinutes', 'mitigateWithinMinutes', 'resolveWithinMinutes'] as const;

/** What one group (or the overall group) has collected: duration values, start times and tallies. */
export class GroupAccumulator {
  count = 0;
  readonly durations: StatsAccumulator[];
  readonly starts = new NumberList();
  undated = 0;
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  readonly targets = new Map<string, TargetTally>();
  readonly actionItems: ActionItemTally = emptyActionItemTally();

  constructor(durationCount: number) {
    this.durations = Array.from({ length: durationCount }, () => createStatsAccumulator());
  }

  /** Takes over another group's values (durations and starts); tallies are not touched. */
  mergeValues(other: GroupAccumulator): void {
    this.durations.forEach((acc, i) => {
      const theirs = other.durations[i];
      if (theirs !== undefined) acc.merge(theirs);
    });
    this.starts.append(other.starts);
  }
}

/** MTBF: statistics of the gaps between consecutive start times. */
export function gapStats(starts: NumberList, undated: number): Stats {
  const sorted = starts.values.slice(0, starts.length).sort();
  const gaps = new Float64Array(Math.max(0, sorted.length - 1));
  let previous = Number.NaN;
  sorted.forEach((start, i) => {
    if (i > 0) gaps[i - 1] = start - previous;
    previous = start;
  });
  return summarize(gaps, { excluded: undated });
}

/** Target compliance per severity, from the met/missed/pending tallies. */
export function complianceOf(
  tallies: ReadonlyMap<string, TargetTally>,
  targets: Readonly<Record<string, SeverityTarget>>,
): Record<string, SeverityCompliance> {
  const one = (counts: readonly [number, number, number], minutes: number): TargetCompliance => {
    const [met, missed, pending] = counts;
    return { targetMs: minutes * 60_000, met, missed, pending, share: met + missed > 0 ? met / (met + missed) : null };
  };
  const entries: [string, SeverityCompliance][] = [];
  for (const severity of Object.keys(targets).sort()) {
    const target = targets[severity];
    const tally = tallies.get(severity);
    if (target === undefined || tally === undefined) continue;
    const compliance: { -readonly [K in keyof SeverityCompliance]: SeverityCompliance[K] } = { count: tally.count };
    TARGET_KEYS.forEach((key, t) => {
      const minutes = target[TARGET_MINUTES[t] ?? 'acknowledgeWithinMinutes'];
      const counts = tally.outcomes[t];
      if (minutes !== undefined && counts !== undefined) compliance[key] = one(counts, minutes);
    });
    entries.push([severity, compliance]);
  }
  // fromEntries defines own properties, so a key such as `__proto__` stays data.
  return Object.fromEntries(entries);
}
