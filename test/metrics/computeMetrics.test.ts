import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { computeMetrics, computeMetricsSync, createMetricsAccumulator } from '../../src/metrics/computeMetrics.js';
import { DEFAULT_DURATIONS, type MetricsIncident } from '../../src/metrics/types.js';
import { thrown } from '../helpers.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const MIN = 60_000;
const at = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

/** An incident whose milestones are given in minutes after T0. */
function incident(
  minutes: Partial<Record<'startedAt' | 'detectedAt' | 'acknowledgedAt' | 'mitigatedAt' | 'diagnosedAt' | 'resolvedAt' | 'closedAt', number>>,
  rest: Omit<MetricsIncident, 'startedAt' | 'detectedAt'> = {},
): MetricsIncident {
  const milestones = Object.fromEntries(Object.entries(minutes).map(([k, v]) => [k, at(v)]));
  return { severity: 'SEV3', status: 'resolved', ...rest, ...milestones };
}

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

describe('durations', () => {
  it('computes the default MTTD, MTTA, MTTM and MTTR from their milestones', () => {
    const result = computeMetricsSync([
      incident({ startedAt: 0, detectedAt: 5, acknowledgedAt: 7, mitigatedAt: 20, resolvedAt: 65 }),
      incident({ startedAt: 0, detectedAt: 1, acknowledgedAt: 2, mitigatedAt: 11, resolvedAt: 31 }),
    ]);
    const d = result.overall.durations;
    expect(Object.keys(d)).toEqual(['mttd', 'mtta', 'mttm', 'mttr']);
    expect(d.mttd?.mean).toBe(3 * MIN);
    expect(d.mtta?.mean).toBe(1.5 * MIN);
    expect(d.mttm?.median).toBe(12.5 * MIN);
    expect(d.mttr).toMatchObject({ count: 2, excluded: 0, min: 30 * MIN, max: 60 * MIN, mean: 45 * MIN });
    expect(result.definitions.mttr).toEqual({ from: ['detectedAt'], to: ['resolvedAt'] });
  });

  it('counts an incident missing an endpoint as excluded, never as zero', () => {
    const result = computeMetricsSync([
      incident({ startedAt: 0, detectedAt: 0, acknowledgedAt: 10, resolvedAt: 60 }),
      incident({ startedAt: 0, detectedAt: 0, resolvedAt: 30 }), // never acknowledged
      incident({ startedAt: 0, detectedAt: 0 }), // still open
    ]);
    expect(result.overall.durations.mtta).toMatchObject({ count: 1, excluded: 2, min: 10 * MIN, mean: 10 * MIN });
    expect(result.overall.durations.mttr).toMatchObject({ count: 2, excluded: 1, min: 30 * MIN });
  });

  it('treats milestones out of order as unmeasurable', () => {
    const result = computeMetricsSync([incident({ startedAt: 0, detectedAt: 10, acknowledgedAt: 5 })]);
    expect(result.overall.durations.mtta).toMatchObject({ count: 0, excluded: 1, mean: null });
  });

  it('a list of milestones means the earliest present', () => {
    const durations = { mttr: { from: ['acknowledgedAt', 'diagnosedAt', 'mitigatedAt'], to: 'resolvedAt' } } as const;
    const result = computeMetricsSync(
      [
        incident({ detectedAt: 0, acknowledgedAt: 10, mitigatedAt: 5, resolvedAt: 60 }), // mitigated before acknowledged: from 5
        incident({ detectedAt: 0, diagnosedAt: 20, resolvedAt: 50 }), // only diagnosed: from 20
        incident({ detectedAt: 0, resolvedAt: 50 }), // none present: excluded
      ],
      { durations },
    );
    expect(Object.keys(result.overall.durations)).toEqual(['mttr']);
    expect(result.overall.durations.mttr).toMatchObject({ count: 2, excluded: 1, min: 30 * MIN, max: 55 * MIN });
    expect(result.definitions.mttr?.from).toEqual(['acknowledgedAt', 'diagnosedAt', 'mitigatedAt']);
  });

  it('custom definitions can extend the defaults', () => {
    const result = computeMetricsSync([incident({ startedAt: 0, detectedAt: 4, resolvedAt: 44 })], {
      durations: { ...DEFAULT_DURATIONS, impact: { from: 'startedAt', to: ['mitigatedAt', 'resolvedAt'] } },
    });
    expect(result.overall.durations.impact?.mean).toBe(44 * MIN);
    expect(result.overall.durations.mttr?.mean).toBe(40 * MIN);
  });

  it('reports threshold shares per duration', () => {
    const result = computeMetricsSync(
      [incident({ detectedAt: 0, acknowledgedAt: 3 }), incident({ detectedAt: 0, acknowledgedAt: 8 }), incident({ detectedAt: 0, acknowledgedAt: 30 })],
      { thresholds: { mtta: [5 * MIN, 15 * MIN] } },
    );
    expect(result.overall.durations.mtta?.within).toEqual([
      { atMost: 5 * MIN, count: 1, fraction: 1 / 3 },
      { atMost: 15 * MIN, count: 2, fraction: 2 / 3 },
    ]);
    expect(result.overall.durations.mttr?.within).toBeUndefined();
  });

  it('accepts Date objects and epoch milliseconds as milestones', () => {
    const result = computeMetricsSync([{ detectedAt: new Date(T0), resolvedAt: T0 + 90 * MIN }]);
    expect(result.overall.durations.mttr?.mean).toBe(90 * MIN);
  });

  it('matches a naive sort-based computation on random incidents', () => {
    const minute = fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined });
    const arb = fc.array(fc.record({ detected: fc.integer({ min: 0, max: 10_000 }), ack: minute, resolved: minute }), { maxLength: 60 });
    fc.assert(
      fc.property(arb, (rows) => {
        const incidents = rows.map((r) =>
          incident({
            detectedAt: r.detected,
            ...(r.ack === undefined ? {} : { acknowledgedAt: r.ack }),
            ...(r.resolved === undefined ? {} : { resolvedAt: r.resolved }),
          }),
        );
        const result = computeMetricsSync(incidents);
        for (const [name, key] of [['mtta', 'ack'], ['mttr', 'resolved']] as const) {
          const values = rows.flatMap((r) => (r[key] !== undefined && r[key] >= r.detected ? [(r[key] - r.detected) * MIN] : [])).sort((a, b) => a - b);
          const stats = result.overall.durations[name]!;
          expect(stats.count).toBe(values.length);
          expect(stats.excluded).toBe(rows.length - values.length);
          if (values.length > 0) {
            const rank = (values.length - 1) * 0.9;
            const lo = values[Math.floor(rank)]!;
            const hi = values[Math.ceil(rank)]!;
            expect(stats.p90).toBeCloseTo(lo + (rank - Math.floor(rank)) * (hi - lo), 3);
            expect(stats.min).toBe(values[0]);
          }
        }
      }),
    );
  });
});

describe('groupBy', () => {
  const incidents = [
    incident({ detectedAt: 0, resolvedAt: 10 }, { service: 'api', severity: 'SEV1', labels: { team: 'core' }, fields: { region: 'eu' } }),
    incident({ detectedAt: 0, resolvedAt: 20 }, { service: 'api', severity: 'SEV2', labels: { team: 'core' }, fields: { region: ['eu', 'us'] } }),
    incident({ detectedAt: 0, resolvedAt: 40 }, { service: 'web', severity: 'SEV2', labels: { team: 'edge' } }),
    incident({ detectedAt: 0, resolvedAt: 80 }, { severity: 'SEV3' }),
  ];

  it('by service, with a group for incidents without one', () => {
    const { groups, groupBy } = computeMetricsSync(incidents, { groupBy: 'service' });
    expect(groupBy).toBe('service');
    expect(Object.keys(groups)).toEqual(['(none)', 'api', 'web']);
    expect(groups.api?.count).toBe(2);
    expect(groups.api?.durations.mttr?.mean).toBe(15 * MIN);
    expect(groups['(none)']?.durations.mttr?.mean).toBe(80 * MIN);
  });

  it('by severity', () => {
    const { groups } = computeMetricsSync(incidents, { groupBy: 'severity' });
    expect(Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, g.count]))).toEqual({ SEV1: 1, SEV2: 2, SEV3: 1 });
  });

  it('by a label name, or explicitly by label or field', () => {
    expect(Object.keys(computeMetricsSync(incidents, { groupBy: 'team' }).groups)).toEqual(['(none)', 'core', 'edge']);
    expect(computeMetricsSync(incidents, { groupBy: { label: 'team' }, missingKey: 'unowned' }).groups.unowned?.count).toBe(1);
    const byRegion = computeMetricsSync(incidents, { groupBy: { field: 'region' } });
    // A field holding a list puts the incident in each group.
    expect(byRegion.groups.eu?.count).toBe(2);
    expect(byRegion.groups.us?.count).toBe(1);
    expect(byRegion.groupBy).toBe('field region');
  });

  it('an incident in several services counts once in each, and once overall', () => {
    const multi = [
      incident({ detectedAt: 0, resolvedAt: 30 }, { service: 'api', services: ['api', 'db'] }),
      incident({ detectedAt: 0, resolvedAt: 60 }, { services: ['db'] }),
    ];
    const result = computeMetricsSync(multi, { groupBy: 'service' });
    expect(result.overall.count).toBe(2);
    expect(result.groups.api?.count).toBe(1);
    expect(result.groups.db?.count).toBe(2);
    expect(result.groups.db?.durations.mttr?.mean).toBe(45 * MIN);
  });

  it('by a function returning one key, several keys (deduplicated), none, or nothing', () => {
    const result = computeMetricsSync(incidents, {
      groupBy: (i) => (i.severity === 'SEV1' ? ['urgent', 'urgent', 'paged'] : i.severity === 'SEV3' ? [] : i.service === 'web' ? undefined : 'normal'),
    });
    expect(result.groupBy).toBe('function');
    expect(Object.fromEntries(Object.entries(result.groups).map(([k, g]) => [k, g.count]))).toEqual({ '(none)': 1, normal: 1, paged: 1, urgent: 1 });
    expect(result.overall.count).toBe(4);
  });

  it('overall does not depend on how incidents are grouped, even when grouping changes mid-stream', () => {
    const row = fc.record({
      detected: fc.integer({ min: 0, max: 1_000 }),
      resolved: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }),
      keys: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        const incidents = rows.map((r) => ({
          ...incident({ detectedAt: r.detected, ...(r.resolved === undefined ? {} : { resolvedAt: r.resolved }) }),
          fields: { keys: r.keys },
        }));
        const ungrouped = computeMetricsSync(incidents, { mtbf: true });
        const keysOf = (i: MetricsIncident): string[] => i.fields?.keys as string[];
        // One key as a string, several (or none) as a list: both paths of the accumulator.
        const grouped = computeMetricsSync(incidents, { mtbf: true, groupBy: (i) => (keysOf(i).length === 1 ? keysOf(i)[0] : keysOf(i)) });
        expect(grouped.overall).toEqual(ungrouped.overall);
        for (const [key, group] of Object.entries(grouped.groups)) {
          expect(group.count).toBe(rows.filter((r) => (r.keys as string[]).includes(key)).length);
        }
      }),
    );
  });

  it('keeps a group named __proto__ as data', () => {
    const result = computeMetricsSync([incident({ detectedAt: 0 }, { service: '__proto__' })], { groupBy: 'service' });
    expect(Object.keys(result.groups)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(result.groups)).toBe(Object.prototype);
  });
});

describe('sources, windows and MTBF', () => {
  const incidents = [
    incident({ startedAt: 0, detectedAt: 2, resolvedAt: 10 }, { service: 'api' }),
    incident({ startedAt: 60, detectedAt: 61, resolvedAt: 70 }, { service: 'api' }),
    incident({ detectedAt: 240, resolvedAt: 250 }, { service: 'api' }),
    incident({ startedAt: 100, detectedAt: 105, resolvedAt: 200 }, { service: 'web' }),
  ];

  it('an AsyncIterable gives the same result as an array', async () => {
    const fromArray = await computeMetrics(incidents, { groupBy: 'service', mtbf: true });
    const fromAsync = await computeMetrics(asAsync(incidents), { groupBy: 'service', mtbf: true });
    expect(fromAsync).toEqual(fromArray);
    const fromGenerator = await computeMetrics((function* () { yield* incidents; })(), { groupBy: 'service', mtbf: true });
    expect(fromGenerator).toEqual(fromArray);
  });

  it('MTBF is the mean gap between consecutive starts per group', () => {
    const result = computeMetricsSync(incidents, { groupBy: 'service', mtbf: true });
    // api starts at 0, 60 and 240 (no startedAt: detectedAt): gaps 60 and 180.
    expect(result.groups.api?.mtbf).toMatchObject({ count: 2, mean: 120 * MIN, min: 60 * MIN, max: 180 * MIN });
    expect(result.groups.web?.mtbf).toMatchObject({ count: 0, mean: null });
    // Overall starts 0, 60, 100, 240.
    expect(result.overall.mtbf).toMatchObject({ count: 3, mean: 80 * MIN });
    expect(result.overall.first).toBe(at(0));
    expect(result.overall.last).toBe(at(240));
  });

  it('MTBF can be measured from another milestone', () => {
    const result = computeMetricsSync(incidents, { groupBy: 'service', mtbf: { at: 'resolvedAt' } });
    expect(result.groups.api?.mtbf?.mean).toBe(120 * MIN); // 10, 70, 250
  });

  it('without mtbf there is no mtbf field', () => {
    expect(computeMetricsSync(incidents).overall.mtbf).toBeUndefined();
  });

  it('from/to keep incidents that began in [from, to)', () => {
    const result = computeMetricsSync(incidents, { from: at(60), to: at(240) });
    expect(result.overall.count).toBe(2);
    expect(result.skipped.outOfRange).toBe(2);
    expect(result.from).toBe(at(60));
    expect(result.to).toBe(at(240));
  });

  it('skips canceled incidents unless asked, and applies filter', () => {
    const list = [...incidents, incident({ detectedAt: 0 }, { status: 'canceled' })];
    expect(computeMetricsSync(list).skipped.canceled).toBe(1);
    expect(computeMetricsSync(list, { includeCanceled: true }).overall.count).toBe(5);
    const filtered = computeMetricsSync(list, { filter: (i) => i.service === 'web' });
    expect(filtered.overall.count).toBe(1);
    expect(filtered.skipped).toEqual({ canceled: 1, filtered: 3, outOfRange: 0, drills: 0 });
  });

  it('does not hold on to incidents: a streamed source can be consumed once', async () => {
    let yielded = 0;
    async function* source(): AsyncGenerator<MetricsIncident> {
      for (let i = 0; i < 1_000; i += 1) {
        await Promise.resolve();
        yielded += 1;
        yield { detectedAt: T0 + i * MIN, resolvedAt: T0 + i * MIN + 5 * MIN, service: `s${String(i % 3)}` };
      }
    }
    const result = await computeMetrics(source(), { groupBy: 'service' });
    expect(yielded).toBe(1_000);
    expect(result.overall.durations.mttr?.count).toBe(1_000);
    expect(Object.keys(result.groups)).toEqual(['s0', 's1', 's2']);
  });
});

describe('targets and action items', () => {
  it('shares acknowledged and resolved within target per severity; open incidents past target count as missed with now', () => {
    const result = computeMetricsSync(
      [
        incident({ detectedAt: 0, acknowledgedAt: 3, resolvedAt: 50 }, { severity: 'SEV1' }),
        incident({ detectedAt: 0, acknowledgedAt: 9, resolvedAt: 70 }, { severity: 'SEV1' }),
        incident({ detectedAt: 100 }, { severity: 'SEV1', status: 'triage' }), // open, 20 min later: ack missed, resolve pending
        incident({ detectedAt: 0, acknowledgedAt: 30 }, { severity: 'SEV4' }), // no target
      ],
      { targets: { SEV1: { acknowledgeWithinMinutes: 5, resolveWithinMinutes: 60 } }, now: at(120) },
    );
    expect(result.overall.targets).toEqual({
      SEV1: {
        count: 3,
        acknowledge: { targetMs: 5 * MIN, met: 1, missed: 2, pending: 0, share: 1 / 3 },
        resolve: { targetMs: 60 * MIN, met: 1, missed: 1, pending: 1, share: 0.5 },
      },
    });
  });

  it('without now, an open incident is pending', () => {
    const result = computeMetricsSync([incident({ detectedAt: 0 }, { severity: 'SEV2' })], { targets: { SEV2: { acknowledgeWithinMinutes: 15 } } });
    expect(result.overall.targets?.SEV2?.acknowledge).toMatchObject({ met: 0, missed: 0, pending: 1, share: null });
  });

  it('counts action item completion and overdue items per group', () => {
    const result = computeMetricsSync(
      [
        incident({ detectedAt: 0 }, { service: 'api', actionItems: [{ status: 'done' }, { status: 'open', dueAt: at(10) }, { status: 'wont_do' }] }),
        incident({ detectedAt: 0 }, { service: 'web', actionItems: [{ status: 'in_progress', dueAt: at(1_000) }] }),
      ],
      { groupBy: 'service', now: at(100) },
    );
    expect(result.overall.actionItems).toEqual({ total: 4, open: 1, inProgress: 1, done: 1, wontDo: 1, completion: 1 / 3, overdue: 1 });
    expect(result.groups.api?.actionItems).toMatchObject({ completion: 0.5, overdue: 1 });
    expect(result.groups.web?.actionItems).toMatchObject({ completion: 0, overdue: 0 });
    expect(computeMetricsSync([incident({ detectedAt: 0 }, { actionItems: [{ status: 'open' }] })]).overall.actionItems.overdue).toBeUndefined();
  });
});

describe('options are validated', () => {
  it.each([
    [{ durations: { mttr: { from: 'openedAt', to: 'resolvedAt' } } }, 'durations'],
    [{ thresholds: [-1] }, 'thresholds'],
    [{ from: 'yesterday' }, 'from'],
    [{ targets: { SEV1: { acknowledgeWithinMinutes: 0 } } }, 'targets'],
    [{ groupBy: 42 }, 'groupBy'],
    [{ unknown: true }, ''],
  ])('%j is refused with a ValidationError', (options, path) => {
    const caught = thrown(() => createMetricsAccumulator(options as never));
    expect(isIncidentKitError(caught, 'VALIDATION_FAILED')).toBe(true);
    expect((caught as Error).message).toContain('computeMetrics options');
    if (path !== '') expect((caught as Error).message).toContain(path);
  });
});
