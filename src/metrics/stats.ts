/**
 * Descriptive statistics the way data analysts compute them, fed one value at a time.
 *
 * @remarks
 * - `std` is the sample standard deviation (divisor n − 1), as `numpy.std(x, ddof=1)`,
 *   `pandas.Series.std()` and spreadsheets' `STDEV.S` compute it.
 * - Percentiles interpolate linearly between the closest ranks: the value at rank
 *   `h = (n − 1) · q` is `x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋ + 1] − x[⌊h⌋])` over the sorted values.
 *   This is numpy's default (`method='linear'`), pandas' `quantile()` and Excel's
 *   `PERCENTILE.INC`; e.g. the 90th percentile of `[1, 2, 3, 4]` is `3.7`.
 * - Mean and variance use the corrected two-pass algorithm over the kept values, so they stay
 *   accurate for large values (epoch milliseconds) and long streams.
 *
 * @packageDocumentation
 */

/** The fraction of values at or under one threshold. */
export interface WithinThreshold {
  /** The threshold, in the unit of the values (milliseconds for durations). */
  readonly atMost: number;
  /** How many values are `<= atMost`. */
  readonly count: number;
  /** `count / Stats.count`; `null` when there are no values. */
  readonly fraction: number | null;
}

/**
 * Summary statistics of a set of values (durations in milliseconds in incidentkit's metrics).
 *
 * @remarks Every statistic is `null` when there are no values; `std` is also `null` for a
 * single value (the sample standard deviation needs two).
 */
export interface Stats {
  /** How many values were measured. */
  readonly count: number;
  /** How many items could not be measured (e.g. an incident missing an endpoint); never counted as zero. */
  readonly excluded: number;
  readonly mean: number | null;
  readonly median: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  /** Sample standard deviation (n − 1). */
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** The share of values at or under each requested threshold, in the order given. */
  readonly within?: readonly WithinThreshold[];
}

/**
 * The `q`-quantile (0 ≤ q ≤ 1) of values sorted ascending, interpolating linearly between
 * the closest ranks (numpy's default, Excel's `PERCENTILE.INC`).
 *
 * @example
 * ```ts
 * import { quantileSorted } from 'incidentkit';
 *
 * console.log(quantileSorted([1, 2, 3, 4], 0.9)); // 3.7, like numpy.percentile([1, 2, 3, 4], 90)
 * ```
 * @throws RangeError when `sorted` is empty or `q` is outside [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('[incidentkit] quantileSorted needs at least one value.');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`[incidentkit] quantileSorted: q must be between 0 and 1, got ${String(q)}.`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const low = sorted[lo] ?? Number.NaN;
  if (lo + 1 >= n) return low;
  const high = sorted[lo + 1] ?? Number.NaN;
  const t = h - lo;
  if (t === 0 || low === high) return low;
  // numpy's lerp: interpolate from the nearer end, so the result never leaves [low, high].
  const diff = high - low;
  return t < 0.5 ? low + diff * t : high - diff * (1 - t);
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] ?? 0;
  a[i] = a[j] ?? 0;
  a[j] = t;
}

/**
 * Rearranges `a[left..right]` so that `a[k]` holds the value it would hold if sorted, with no
 * larger value before it and no smaller one after (Floyd–Rivest selection, O(n) on average).
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  let lo = left;
  let hi = right;
  while (hi > lo) {
    if (hi - lo > 600) {
      // Recurse on a sample around k first, so the pivot lands close to k.
      const n = hi - lo + 1;
      const m = k - lo + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      select(a, k, Math.max(lo, Math.floor(k - (m * s) / n + sd)), Math.min(hi, Math.floor(k + ((n - m) * s) / n + sd)));
    }
    const pivot = a[k] ?? 0;
    let i = lo;
    let j = hi;
    swap(a, lo, k);
    if ((a[hi] ?? 0) > pivot) swap(a, lo, hi);
    while (i < j) {
      swap(a, i, j);
      i += 1;
      j -= 1;
      while ((a[i] ?? 0) < pivot) i += 1;
      while ((a[j] ?? 0) > pivot) j -= 1;
    }
    if (a[lo] === pivot) swap(a, lo, j);
    else {
      j += 1;
      swap(a, j, hi);
    }
    if (j <= k) lo = j + 1;
    if (k <= j) hi = j - 1;
  }
}

/**
 * The `qs`-quantiles (ascending, each in [0, 1]) of `a`'s values, reordering `a` in place:
 * a few selections instead of a full sort, O(n) on average instead of O(n log n).
 */
function quantilesInPlace(a: Float64Array, qs: readonly number[]): number[] {
  const n = a.length;
  let from = 0;
  return qs.map((q) => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    select(a, lo, from, n - 1);
    from = lo;
    const low = a[lo] ?? Number.NaN;
    const t = h - lo;
    if (t === 0 || lo + 1 >= n) return low;
    // Everything after lo is >= low; the next order statistic is their minimum.
    let high = Number.POSITIVE_INFINITY;
    for (let i = lo + 1; i < n; i += 1) {
      const v = a[i] ?? high;
      if (v < high) high = v;
    }
    if (low === high) return low;
    const diff = high - low;
    return t < 0.5 ? low + diff * t : high - diff * (1 - t);
  });
}

/** Options of {@link StatsAccumulator.result} and {@link summarize}. */
export interface StatsOptions {
  /** Report the share of values at or under each threshold (`Stats.within`). */
  readonly thresholds?: readonly number[];
}

/**
 * Collects values one at a time and summarises them.
 *
 * @remarks Memory is one 8-byte slot per value (needed for exact percentiles); nothing else
 * grows. Percentiles are found by selection (Floyd–Rivest), O(n) on average, not by sorting.
 * `result()` may be called more than once, and `add` may continue after it.
 */
export interface StatsAccumulator {
  /** Adds one finite value; non-finite values (NaN, ±Infinity) are counted as excluded instead. */
  add(value: number): void;
  /** Counts `n` (default 1) items that could not be measured. */
  exclude(n?: number): void;
  /** Adds every value and exclusion of `other` (e.g. per-shard accumulators into one). */
  merge(other: StatsAccumulator): void;
  /** How many values were added. */
  readonly count: number;
  /** How many items were excluded. */
  readonly excluded: number;
  /** The summary of everything added so far. */
  result(options?: StatsOptions): Stats;
  /** The values added so far, sorted ascending (a copy). */
  sortedValues(): Float64Array;
}

const INITIAL_CAPACITY = 16;

class Accumulator implements StatsAccumulator {
  #values = new Float64Array(INITIAL_CAPACITY);
  #count = 0;
  #excluded = 0;
  #sorted = true;

  get count(): number {
    return this.#count;
  }

  get excluded(): number {
    return this.#excluded;
  }

  add(value: number): void {
    // Only storing here keeps `add` cheap; the moments are computed in two passes by `result`.
    if (!Number.isFinite(value)) {
      this.#excluded += 1;
      return;
    }
    const count = this.#count;
    if (count === this.#values.length) this.#grow(count + 1);
    const values = this.#values;
    if (count > 0 && value < (values[count - 1] ?? value)) this.#sorted = false;
    values[count] = value;
    this.#count = count + 1;
  }

  exclude(n = 1): void {
    this.#excluded += n;
  }

  merge(other: StatsAccumulator): void {
    const values = other instanceof Accumulator ? other.#values.subarray(0, other.#count) : other.sortedValues();
    if (values.length === 0) {
      this.#excluded += other.excluded;
      return;
    }
    const needed = this.#count + values.length;
    if (needed > this.#values.length) this.#grow(needed);
    this.#values.set(values, this.#count);
    this.#count = needed;
    this.#sorted = false;
    this.#excluded += other.excluded;
  }

  sortedValues(): Float64Array {
    const view = this.#values.subarray(0, this.#count);
    if (!this.#sorted) {
      view.sort();
      this.#sorted = true;
    }
    return view.slice();
  }

  result(options: StatsOptions = {}): Stats {
    const values = this.#values.subarray(0, this.#count);
    return describe(values, this.#sorted, { excluded: this.#excluded, ...moments(values), thresholds: options.thresholds });
  }

  #grow(atLeast: number): void {
    let capacity = this.#values.length * 2;
    while (capacity < atLeast) capacity *= 2;
    const grown = new Float64Array(capacity);
    grown.set(this.#values.subarray(0, this.#count));
    this.#values = grown;
  }
}

/**
 * Mean, sample standard deviation, min and max in two passes: the corrected two-pass
 * algorithm (Chan, Golub and LeVeque) refines the mean with the summed deviations, which keeps
 * the variance accurate for large values such as epoch milliseconds.
 */
function moments(values: Float64Array): Pick<Moments, 'mean' | 'std' | 'min' | 'max'> {
  const n = values.length;
  if (n === 0) return { mean: null, std: null, min: null, max: null };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  // Indexed loops: typed-array iterators are measurably slower over millions of values.
  for (let i = 0; i < n; i += 1) {
    const v = values[i] ?? 0;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const rough = sum / n;
  let deviations = 0;
  let squares = 0;
  for (let i = 0; i < n; i += 1) {
    const d = (values[i] ?? 0) - rough;
    deviations += d;
    squares += d * d;
  }
  const mean = Math.min(max, Math.max(min, rough + deviations / n));
  const std = n > 1 ? Math.sqrt(Math.max(0, (squares - (deviations * deviations) / n) / (n - 1))) : null;
  return { mean, std, min, max };
}

/**
 * Creates a {@link StatsAccumulator}: a streaming collector of values with exact percentiles,
 * sample standard deviation and threshold shares.
 *
 * @example
 * ```ts
 * import { createStatsAccumulator } from 'incidentkit';
 *
 * const acc = createStatsAccumulator();
 * for (const minutes of [4, 9, 12, 30]) acc.add(minutes * 60_000);
 * acc.exclude(); // one incident was never acknowledged
 * const stats = acc.result({ thresholds: [15 * 60_000] });
 * console.log(stats.count, stats.excluded, stats.within?.[0]?.fraction); // 4 1 0.75
 * ```
 */
export function createStatsAccumulator(): StatsAccumulator {
  return new Accumulator();
}

interface Moments {
  readonly excluded: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly thresholds: readonly number[] | undefined;
}

function countAtMostUnsorted(values: Float64Array, limit: number): number {
  let count = 0;
  for (const v of values) if (v <= limit) count += 1;
  return count;
}

/** Counts values `<= limit` in an ascending array (binary search for the upper bound). */
function countAtMost(sorted: ArrayLike<number>, limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Number.NaN) <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

/** Summarises `values` (reordering them unless `isSorted`). */
function describe(values: Float64Array, isSorted: boolean, moments: Moments): Stats {
  const n = values.length;
  const [median = null, p90 = null, p95 = null, p99 = null] =
    n === 0 ? [] : isSorted ? QUANTILES.map((q) => quantileSorted(values, q)) : quantilesInPlace(values, QUANTILES);
  const stats: Stats = {
    count: n,
    excluded: moments.excluded,
    mean: moments.mean,
    median,
    p90,
    p95,
    p99,
    std: moments.std,
    min: moments.min,
    max: moments.max,
  };
  if (moments.thresholds === undefined) return stats;
  return {
    ...stats,
    within: moments.thresholds.map((atMost) => {
      const at = isSorted ? countAtMost(values, atMost) : countAtMostUnsorted(values, atMost);
      return { atMost, count: at, fraction: n > 0 ? at / n : null };
    }),
  };
}

/**
 * Summarises a list of values in one call.
 *
 * @remarks Non-finite values count as excluded. For values that arrive over time, use
 * {@link createStatsAccumulator}.
 *
 * @example
 * ```ts
 * import { summarize } from 'incidentkit';
 *
 * const s = summarize([1, 2, 3, 4], { thresholds: [2] });
 * console.log(s.p90, s.std, s.within?.[0]?.fraction); // 3.7 1.2909944487358056 0.5
 * ```
 */
export function summarize(values: Iterable<number>, options: StatsOptions & { readonly excluded?: number } = {}): Stats {
  const acc = createStatsAccumulator();
  for (const value of values) acc.add(value);
  if (options.excluded !== undefined) acc.exclude(options.excluded);
  return acc.result(options.thresholds === undefined ? {} : { thresholds: options.thresholds });
}
