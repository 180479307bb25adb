/** computeProblemMetrics: incidents per problem, time to known error, action items by due date. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeProblemMetrics, type ProblemMetricsIncident, type ProblemMetricsProblem } from '../../src/metrics/computeProblemMetrics.js';

const DAY = 86_400_000;
const at = (day: number): string => new Date(Date.UTC(2026, 0, 1) + day * DAY).toISOString();

const incidents: ProblemMetricsIncident[] = [
  { id: 'inc_1', detectedAt: at(0), actionItems: [{ id: 'act_1', status: 'done', dueAt: at(10), updatedAt: at(5) }] },
  { id: 'inc_2', detectedAt: at(2), actionItems: [{ id: 'act_2', status: 'done', dueAt: at(3), completedAt: at(4), updatedAt: at(9) }, { id: 'act_3', status: 'open', dueAt: at(6) }] },
  { id: 'inc_3', detectedAt: at(4), actionItems: [{ id: 'act_4', status: 'done' }, { id: 'act_5', status: 'wont_do', dueAt: at(1) }, { id: 'act_6', status: 'in_progress', dueAt: at(30) }] },
];

const problems: ProblemMetricsProblem[] = [
  { id: 'prb_1', status: 'knownError', openedAt: at(3), knownErrorAt: at(3), incidents: [{ incidentId: 'inc_2' }, { incidentId: 'inc_1' }], actionItems: [{ incidentId: 'inc_2', actionItemId: 'act_2' }] },
  { id: 'prb_2', status: 'investigating', openedAt: at(5), incidents: [{ incidentId: 'inc_3' }], actionItems: [{ incidentId: 'inc_3', actionItemId: 'act_6' }, { incidentId: 'inc_3', actionItemId: 'act_gone' }] },
];

describe('computeProblemMetrics', () => {
  it('counts problems, incidents per problem and the time from the first incident to the known error', () => {
    const metrics = computeProblemMetrics(problems, incidents);
    expect(metrics.problems).toEqual({ total: 2, byStatus: { knownError: 1, investigating: 1 } });
    expect(metrics.incidentsPerProblem).toMatchObject({ count: 2, mean: 1.5, min: 1, max: 2 });
    // prb_1's first incident is inc_1 (day 0), its known error day 3; prb_2 never became one.
    expect(metrics.timeToKnownErrorMs).toMatchObject({ count: 1, excluded: 1, median: 3 * DAY });
  });

  it('tells action items done before their due date from those done after, with completedAt over updatedAt', () => {
    const metrics = computeProblemMetrics(problems, incidents, { now: at(7) });
    expect(metrics.actionItems).toEqual({ doneBeforeDue: 1, doneAfterDue: 1, doneWithoutDue: 1, overdue: 1, notDone: 2, onTime: 0.5 });
    expect(metrics.linkedActionItems).toEqual({ doneBeforeDue: 0, doneAfterDue: 1, doneWithoutDue: 0, overdue: 0, notDone: 1, onTime: 0 });
    expect(computeProblemMetrics([], []).actionItems).toEqual({ doneBeforeDue: 0, doneAfterDue: 0, doneWithoutDue: 0, notDone: 0, onTime: null });
  });

  it('refuses a bad now', () => {
    expect(() => computeProblemMetrics([], [], { now: 'yesterday' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('counts every done item exactly once, before or after due or without one', () => {
    const item = fc.record({ status: fc.constantFrom('open', 'in_progress', 'done', 'wont_do'), due: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }), done: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), (items) => {
        const incident: ProblemMetricsIncident = {
          id: 'inc',
          detectedAt: at(0),
          actionItems: items.map((i, n) => ({ id: `act_${String(n)}`, status: i.status, updatedAt: at(i.done), ...(i.due === undefined ? {} : { dueAt: at(i.due) }) })),
        };
        const counts = computeProblemMetrics([], [incident]).actionItems;
        expect(counts.doneBeforeDue + counts.doneAfterDue + counts.doneWithoutDue).toBe(items.filter((i) => i.status === 'done').length);
        expect(counts.notDone).toBe(items.filter((i) => i.status === 'open' || i.status === 'in_progress').length);
      }),
    );
  });
});
