import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStatsAccumulator, quantileSorted, summarize } from '../../src/metrics/stats.js';

/** The textbook definitions, written the slow and obvious way. */
const reference = {
  percentile(values: readonly number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (sorted.length - 1) * (p / 100);
    const lower = Math.floor(rank);
    const upper = Math.ceil(rank);
    const lo = sorted[lower]!;
    const hi = sorted[upper]!;
    return lo + (rank - lower) * (hi - lo);
  },
  mean(values: readonly number[]): number {
    return values.reduce((a, b) => a + b, 0) / values.length;
  },
  std(values: readonly number[]): number {
    const m = reference.mean(values);
    return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
  },
};

/** Close enough for floating point: relative to the spread of the data. */
function expectClose(actual: number | null, expected: number, scale: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, scale));
}

// Durations in milliseconds up to a year, integers as the projection yields them, and fractional ones.
const durations = fc.array(fc.oneof(fc.integer({ min: 0, max: 365 * 86_400_000 }), fc.double({ min: 0, max: 1e9, noNaN: true })), {
  minLength: 1,
  maxLength: 200,
});

describe('statistics match a reference implementation', () => {
  it('percentiles interpolate linearly between closest ranks (numpy default)', () => {
    fc.assert(
      fc.property(durations, (values) => {
        const stats = summarize(values);
        const spread = Math.max(...values);
        expectClose(stats.median, reference.percentile(values, 50), spread);
        expectClose(stats.p90, reference.percentile(values, 90), spread);
        expectClose(stats.p95, reference.percentile(values, 95), spread);
        expectClose(stats.p99, reference.percentile(values, 99), spread);
      }),
    );
  });

  it('percentiles stay exact on large inputs with many ties (selection, not sorting)', () => {
    const large = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 601, maxLength: 4_000 }),
      fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 601, maxLength: 4_000 }),
    );
    fc.assert(
      fc.property(large, (values) => {
        const stats = summarize(values, { thresholds: [25] });
        const spread = Math.max(...values);
        expectClose(stats.median, reference.percentile(values, 50), spread);
        expectClose(stats.p90, reference.percentile(values, 90), spread);
        expectClose(stats.p95, reference.percentile(values, 95), spread);
        expectClose(stats.p99, reference.percentile(values, 99), spread);
        expect(stats.within?.[0]?.count).toBe(values.filter((v) => v <= 25).length);
      }),
      { numRuns: 40 },
    );
  });

  it('mean, sample std (n − 1), min and max', () => {
    fc.assert(
      fc.property(durations, (values) => {
        const stats = summarize(values);
        const spread = Math.max(...values);
        expect(stats.count).toBe(values.length);
        expectClose(stats.mean, reference.mean(values), spread);
        if (values.length > 1) expectClose(stats.std, reference.std(values), spread);
        else expect(stats.std).toBeNull();
        expect(stats.min).toBe(Math.min(...values));
        expect(stats.max).toBe(Math.max(...values));
      }),
    );
  });

  it('within gives the share at or under each threshold', () => {
    fc.assert(
      fc.property(durations, fc.array(fc.integer({ min: 0, max: 365 * 86_400_000 }), { maxLength: 5 }), (values, thresholds) => {
        const stats = summarize(values, { thresholds });
        expect(stats.within?.map((w) => w.atMost)).toEqual(thresholds);
        stats.within?.forEach((w, i) => {
          const expected = values.filter((v) => v <= thresholds[i]!).length;
          expect(w.count).toBe(expected);
          expect(w.fraction).toBe(expected / values.length);
        });
      }),
    );
  });

  it('percentiles are ordered and stay within [min, max]', () => {
    fc.assert(
      fc.property(durations, (values) => {
        const s = summarize(values);
        const chain = [s.min, s.median, s.p90, s.p95, s.p99, s.max] as number[];
        for (let i = 1; i < chain.length; i += 1) expect(chain[i]).toBeGreaterThanOrEqual(chain[i - 1]!);
      }),
    );
  });

  it('the streaming accumulator gives the same result in any order of arrival', () => {
    fc.assert(
      fc.property(
        durations.chain((values) => fc.tuple(fc.constant(values), fc.shuffledSubarray(values, { minLength: values.length, maxLength: values.length }))),
        ([values, shuffled]) => {
        const a = summarize(values);
        const b = summarize(shuffled);
        expect(b.median).toBe(a.median);
        expect(b.p99).toBe(a.p99);
        expectClose(b.mean, a.mean ?? Number.NaN, Math.max(...values));
      },
      ),
    );
  });
});

describe('known values', () => {
  // Computed with numpy 1.26: numpy.percentile(x, q) and numpy.std(x, ddof=1).
  it.each([
    { values: [1, 2, 3, 4], median: 2.5, p90: 3.7, p95: 3.85, p99: 3.97, std: 1.2909944487358056 },
    { values: [15, 20, 35, 40, 50], median: 35, p90: 46, p95: 48, p99: 49.6, std: 14.404860290887934 },
    { values: [3, 1, 2], median: 2, p90: 2.8, p95: 2.9, p99: 2.98, std: 1 },
    { values: [10, 10, 10, 20], median: 10, p90: 17, p95: 18.5, p99: 19.7, std: 5 },
  ])('numpy agrees on $values', ({ values, median, p90, p95, p99, std }) => {
    const s = summarize(values);
    expect(s.median).toBeCloseTo(median, 12);
    expect(s.p90).toBeCloseTo(p90, 12);
    expect(s.p95).toBeCloseTo(p95, 12);
    expect(s.p99).toBeCloseTo(p99, 12);
    expect(s.std).toBeCloseTo(std, 12);
  });

  it('quantileSorted gives numpy.percentile([1, 2, 3, 4], 90) = 3.7', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 15);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
  });

  it('quantileSorted refuses an empty list and q outside [0, 1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
    expect(() => quantileSorted([1], 1.5)).toThrow(/between 0 and 1/);
  });

  it('a single value has no sample standard deviation', () => {
    const s = summarize([7]);
    expect(s).toMatchObject({ count: 1, mean: 7, median: 7, p99: 7, min: 7, max: 7, std: null });
  });
});

describe('excluded and empty', () => {
  it('no values: every statistic is null and exclusions are kept', () => {
    const acc = createStatsAccumulator();
    acc.exclude(3);
    expect(acc.result({ thresholds: [10] })).toEqual({
      count: 0,
      excluded: 3,
      mean: null,
      median: null,
      p90: null,
      p95: null,
      p99: null,
      std: null,
      min: null,
      max: null,
      within: [{ atMost: 10, count: 0, fraction: null }],
    });
  });

  it('non-finite values are excluded, never counted as zero', () => {
    const s = summarize([Number.NaN, 10, Number.POSITIVE_INFINITY, 20]);
    expect(s.count).toBe(2);
    expect(s.excluded).toBe(2);
    expect(s.min).toBe(10);
    expect(s.mean).toBe(15);
  });

  it('result can be read, then more values added', () => {
    const acc = createStatsAccumulator();
    for (const v of [5, 1, 3]) acc.add(v);
    expect(acc.result().median).toBe(3);
    acc.add(0);
    expect(acc.result().median).toBe(2);
    expect([...acc.sortedValues()]).toEqual([0, 1, 3, 5]);
  });

  it('merging accumulators equals accumulating everything in one', () => {
    fc.assert(
      fc.property(durations, durations, fc.nat(5), (a, b, skipped) => {
        const left = createStatsAccumulator();
        const right = createStatsAccumulator();
        for (const v of a) left.add(v);
        for (const v of b) right.add(v);
        right.exclude(skipped);
        left.merge(right);
        const all = summarize([...a, ...b], { excluded: skipped });
        const merged = left.result();
        expect(merged.count).toBe(all.count);
        expect(merged.excluded).toBe(skipped);
        expect(merged.median).toBe(all.median);
        expect(merged.p99).toBe(all.p99);
        expect(merged.max).toBe(all.max);
      }),
    );
  });

  it('stays accurate for large epoch-millisecond-sized values', () => {
    const base = 1_767_225_600_000;
    const s = summarize([base + 1, base + 2, base + 3, base + 4]);
    expect(s.mean).toBe(base + 2.5);
    expect(s.std).toBeCloseTo(1.2909944487358056, 6);
  });
});
