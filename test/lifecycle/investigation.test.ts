/** The investigation's lifecycle events on the pure machine: hypotheses, evidence, causes, milestone corrections and action item edits. */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { incidentMachine, type IncidentMachineInput } from '../../src/lifecycle/incidentMachine.js';
import { milestoneCorrectionProblem } from '../../src/lifecycle/milestoneOrder.js';
import { statusOf, type IncidentSnapshot } from '../../src/lifecycle/projection.js';
import type { Actor } from '../../src/model/actor.js';

const ADA: Actor = { kind: 'user', id: 'u_ada', name: 'Ada' };
const at = (minutes: number): string => new Date(Date.parse('2026-03-01T09:00:00.000Z') + minutes * 60_000).toISOString();
type Draft = LifecycleEvent extends infer E ? (E extends LifecycleEvent ? Omit<E, 'at' | 'actor'> : never) : never;

function declared(): IncidentSnapshot {
  const input: IncidentMachineInput = { id: 'inc_1', tenantId: 't', at: at(0), actor: ADA, title: 'Checkout slow', severity: 'SEV2', policy: { reviewRequiredFor: [] } };
  return initialTransition(incidentMachine, input)[0];
}

/** Steps `events` one minute apart, starting at minute `from`. */
function step(snapshot: IncidentSnapshot, events: readonly Draft[], from = 1): IncidentSnapshot {
  return events.reduce((s, e, i) => transition(incidentMachine, s, { ...e, at: at(from + i), actor: ADA })[0], snapshot);
}

const PATHS: Readonly<Record<string, readonly Draft[]>> = {
  triage: [],
  responding: [{ type: 'ACKNOWLEDGE' }],
  mitigated: [{ type: 'ACKNOWLEDGE' }, { type: 'MITIGATE', summary: 'failover' }],
  resolved: [{ type: 'ACKNOWLEDGE' }, { type: 'RESOLVE' }],
  postIncident: [{ type: 'ACKNOWLEDGE' }, { type: 'RESOLVE' }, { type: 'START_REVIEW' }],
  closed: [{ type: 'ACKNOWLEDGE' }, { type: 'RESOLVE' }, { type: 'CLOSE' }],
  canceled: [{ type: 'CANCEL', reason: 'false_positive' }],
};

describe('investigation events in every state', () => {
  const live = ['triage', 'responding', 'mitigated', 'resolved', 'postIncident'];
  for (const [state, path] of Object.entries(PATHS)) {
    it(`${state}: ${live.includes(state) ? 'takes' : 'refuses'} ADD_HYPOTHESIS, UPDATE_HYPOTHESIS, ADD_EVIDENCE and CORRECT_MILESTONE`, () => {
      const start = step(declared(), path);
      expect(statusOf(start)).toBe(state);
      const events: Draft[] = [
        { type: 'ADD_HYPOTHESIS', hypothesisId: 'hyp_1', statement: 'Pool exhausted' },
        { type: 'ADD_EVIDENCE', evidenceId: 'evd_1', kind: 'link', uri: 'https://grafana.example.com/d/db', note: 'pool 100%' },
        { type: 'UPDATE_HYPOTHESIS', hypothesisId: 'hyp_1', status: 'confirmed', previous: 'open', evidence: ['evd_1'] },
        { type: 'CORRECT_MILESTONE', milestone: 'startedAt', to: at(-30), previous: at(0), reason: 'logs' },
      ];
      const end = step(start, events, 10);
      if (live.includes(state)) {
        expect(statusOf(end)).toBe(state);
        expect(end.context.hypotheses).toEqual([
          { id: 'hyp_1', statement: 'Pool exhausted', status: 'confirmed', evidence: ['evd_1'], createdAt: at(10), createdBy: ADA, updatedAt: at(12), updatedBy: ADA },
        ]);
        expect(end.context.evidence).toEqual([{ id: 'evd_1', kind: 'link', uri: 'https://grafana.example.com/d/db', note: 'pool 100%', addedAt: at(11), addedBy: ADA }]);
        expect(end.context.startedAt).toBe(at(-30));
      } else {
        expect(end).toBe(start);
      }
    });
  }
});

describe('guards', () => {
  it('refuses an update of an unknown hypothesis, or one naming unknown evidence', () => {
    const s = step(declared(), [{ type: 'ADD_HYPOTHESIS', hypothesisId: 'hyp_1', statement: 'DNS' }]);
    expect(step(s, [{ type: 'UPDATE_HYPOTHESIS', hypothesisId: 'hyp_2', status: 'ruled_out', previous: 'open' }], 5)).toBe(s);
    expect(step(s, [{ type: 'UPDATE_HYPOTHESIS', hypothesisId: 'hyp_1', status: 'ruled_out', previous: 'open', evidence: ['evd_9'] }], 5)).toBe(s);
    const ruledOut = step(s, [{ type: 'UPDATE_HYPOTHESIS', hypothesisId: 'hyp_1', status: 'ruled_out', previous: 'open', note: 'resolves fine' }], 5);
    expect(ruledOut.context.hypotheses?.[0]).toMatchObject({ status: 'ruled_out', note: 'resolves fine' });
    // A later update replaces the last one's evidence and note.
    const reopened = step(ruledOut, [{ type: 'UPDATE_HYPOTHESIS', hypothesisId: 'hyp_1', status: 'open', previous: 'ruled_out' }], 6);
    expect(reopened.context.hypotheses?.[0]).not.toHaveProperty('note');
  });

  it('keeps milestones chronological: a correction past a neighbour, into the future, or of a milestone not reached is refused', () => {
    const s = step(declared(), [{ type: 'ACKNOWLEDGE' }, { type: 'MITIGATE', summary: 'failover' }]); // acknowledged at 1, mitigated at 2
    const correct = (milestone: 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt' | 'detectedAt' | 'diagnosedAt', to: string) =>
      step(s, [{ type: 'CORRECT_MILESTONE', milestone, to, previous: at(0), reason: 'r' }], 10);
    expect(correct('mitigatedAt', at(0))).toBe(s); // before acknowledgedAt
    expect(correct('acknowledgedAt', at(-1))).toBe(s); // before detectedAt
    expect(correct('acknowledgedAt', at(3))).toBe(s); // after mitigatedAt
    expect(correct('mitigatedAt', at(11))).toBe(s); // after the correction itself
    expect(correct('resolvedAt', at(3))).toBe(s); // not resolved
    expect(correct('diagnosedAt', at(3))).toBe(s); // not diagnosed
    expect(correct('mitigatedAt', at(1)).context.mitigatedAt).toBe(at(1));
    expect(correct('detectedAt', at(-5))).toBe(s); // before startedAt
    expect(correct('detectedAt', at(1)).context.detectedAt).toBe(at(1));
  });

  it('says why a correction is refused, naming the neighbour and the order', () => {
    const context = { startedAt: at(0), detectedAt: at(0), acknowledgedAt: at(5), mitigatedAt: at(9) };
    expect(milestoneCorrectionProblem(context, 'mitigatedAt', at(4), at(20))).toBe(
      `mitigatedAt ${at(4)} would come before acknowledgedAt ${at(5)}; milestones stay in order (startedAt ≤ detectedAt ≤ acknowledgedAt ≤ mitigatedAt ≤ resolvedAt ≤ reviewStartedAt, and diagnosedAt no earlier than detectedAt).`,
    );
    expect(milestoneCorrectionProblem(context, 'startedAt', at(1), at(20))).toMatch(/startedAt .* would come after detectedAt/);
    expect(milestoneCorrectionProblem(context, 'resolvedAt', at(10), at(20))).toBe('it has no resolvedAt to correct yet; it is set when that milestone happens.');
    expect(milestoneCorrectionProblem(context, 'mitigatedAt', at(21), at(20))).toMatch(/would lie in the future/);
    expect(milestoneCorrectionProblem({ ...context, diagnosedAt: at(3) }, 'detectedAt', at(4), at(20))).toMatch(/would come after diagnosedAt/);
  });
});

describe('root causes and action items', () => {
  it('records causes and a taxonomy with a root cause, and a root cause without them as before', () => {
    const plain = step(declared(), [{ type: 'RECORD_ROOT_CAUSE', summary: 'Bad deploy', contributingFactors: ['no canary'] }]);
    expect(plain.context.rootCause).toEqual({ summary: 'Bad deploy', contributingFactors: ['no canary'], recordedAt: at(1), recordedBy: ADA });
    const withCauses = step(declared(), [
      { type: 'RECORD_ROOT_CAUSE', summary: 'Bad deploy', contributingFactors: [], taxonomy: 'it', causes: [{ category: 'change', description: 'v2 deploy' }, { category: 'process', description: 'no canary', contributing: true }] },
    ]);
    expect(withCauses.context.rootCause).toMatchObject({ taxonomy: 'it', causes: [{ category: 'change' }, { category: 'process', contributing: true }] });
    expect(withCauses.context.diagnosedAt).toBe(at(1));
  });

  it('edits an action item: a status-only update as before, fields set, null clears', () => {
    const s = step(declared(), [{ type: 'ADD_ACTION_ITEM', actionItemId: 'act_1', title: 'Add canary', owner: 'u_lee', dueAt: at(100), strength: 'weaker' }]);
    const done = step(s, [{ type: 'UPDATE_ACTION_ITEM', actionItemId: 'act_1', status: 'done' }], 5);
    expect(done.context.actionItems[0]).toMatchObject({ status: 'done', title: 'Add canary', owner: 'u_lee' });
    const edited = step(s, [{ type: 'UPDATE_ACTION_ITEM', actionItemId: 'act_1', title: 'Canary every deploy', owner: null, strength: 'stronger', previous: { title: 'Add canary', owner: 'u_lee', strength: 'weaker' } }], 5);
    expect(edited.context.actionItems[0]).toEqual({ id: 'act_1', title: 'Canary every deploy', dueAt: at(100), strength: 'stronger', status: 'open', createdAt: at(1), updatedAt: at(5) });
  });
});
