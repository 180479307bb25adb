/** The problem machine: every state × every event, the guards, and the refusals' messages. */
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../../src/errors.js';
import {
  PROBLEM_EVENT_TYPES,
  PROBLEM_STATUSES,
  acceptedProblemEvents,
  stepProblem,
  type Problem,
  type ProblemEvent,
  type ProblemEventType,
  type ProblemStatus,
} from '../../../src/features/problems/problemMachine.js';

const ADA = { kind: 'user' as const, id: 'u_ada', name: 'Ada' };
const AT = '2026-12-07T10:00:00.000Z';

function problemIn(status: ProblemStatus, extra: Partial<Problem> = {}): Problem {
  return {
    id: 'prb_1',
    tenantId: 'default',
    title: 'Connection pool exhaustion',
    status,
    workaround: 'Restart the pool',
    incidents: [{ incidentId: 'inc_1', linkedAt: '2026-12-07T09:00:00.000Z', linkedBy: ADA }],
    actionItems: [],
    openedAt: '2026-12-07T09:00:00.000Z',
    openedBy: ADA,
    updatedAt: '2026-12-07T09:00:00.000Z',
    ...extra,
  };
}

function eventOf(type: ProblemEventType): ProblemEvent {
  const base = { at: AT, actor: ADA };
  switch (type) {
    case 'LINK_INCIDENT':
      return { ...base, type, incidentId: 'inc_2' };
    case 'LINK_ACTION_ITEM':
      return { ...base, type, incidentId: 'inc_1', actionItemId: 'act_1' };
    case 'RECORD_WORKAROUND':
      return { ...base, type, workaround: 'Fail over to the replica' };
    case 'RECORD_ROOT_CAUSE':
      return { ...base, type, rootCause: 'Leaked connections on timeout' };
    default:
      return { ...base, type };
  }
}

/** The state each state × event leads to; absent: refused with INVALID_TRANSITION. */
const EXPECTED: Readonly<Record<ProblemStatus, Partial<Record<ProblemEventType, ProblemStatus>>>> = {
  investigating: {
    LINK_INCIDENT: 'investigating',
    LINK_ACTION_ITEM: 'investigating',
    RECORD_WORKAROUND: 'investigating',
    RECORD_ROOT_CAUSE: 'investigating',
    MARK_KNOWN_ERROR: 'knownError',
    RESOLVE: 'resolved',
  },
  knownError: {
    LINK_INCIDENT: 'knownError',
    LINK_ACTION_ITEM: 'knownError',
    RECORD_WORKAROUND: 'knownError',
    RECORD_ROOT_CAUSE: 'knownError',
    RESOLVE: 'resolved',
  },
  resolved: {
    LINK_INCIDENT: 'resolved',
    LINK_ACTION_ITEM: 'resolved',
    RECORD_ROOT_CAUSE: 'resolved',
    CLOSE: 'closed',
  },
  closed: {},
};

describe('problemMachine: every state × every event', () => {
  for (const status of PROBLEM_STATUSES) {
    for (const type of PROBLEM_EVENT_TYPES) {
      const target = EXPECTED[status][type];
      it(`${status} × ${type} → ${target ?? 'INVALID_TRANSITION'}`, () => {
        const before = problemIn(status);
        if (target === undefined) {
          let caught: unknown;
          try {
            stepProblem(before, eventOf(type));
          } catch (error) {
            caught = error;
          }
          expect(isIncidentKitError(caught, 'INVALID_TRANSITION')).toBe(true);
          expect((caught as Error).message).toMatch(new RegExp(`^Problem prb_1 is in state '${status}'`));
          expect((caught as { details: { entity?: string } }).details.entity).toBe('problem');
          return;
        }
        const after = stepProblem(before, eventOf(type));
        expect(after.status).toBe(target);
        expect(after.updatedAt).toBe(AT);
        expect(before.status).toBe(status); // the input is not changed
      });
    }
  }

  it('lists what each state accepts', () => {
    for (const status of PROBLEM_STATUSES) expect(acceptedProblemEvents(status)).toEqual(PROBLEM_EVENT_TYPES.filter((type) => type in EXPECTED[status]));
  });
});

describe('problemMachine: what each event records', () => {
  it('records links, workaround, root cause and milestones', () => {
    const { workaround: _none, ...bare } = problemIn('investigating');
    let problem: Problem = bare;
    problem = stepProblem(problem, eventOf('LINK_INCIDENT'));
    problem = stepProblem(problem, eventOf('LINK_ACTION_ITEM'));
    problem = stepProblem(problem, eventOf('RECORD_ROOT_CAUSE'));
    problem = stepProblem(problem, eventOf('RECORD_WORKAROUND'));
    problem = stepProblem(problem, eventOf('MARK_KNOWN_ERROR'));
    problem = stepProblem(problem, { ...eventOf('RESOLVE'), at: '2026-12-08T10:00:00.000Z' });
    problem = stepProblem(problem, { ...eventOf('CLOSE'), at: '2026-12-09T10:00:00.000Z' });
    expect(problem).toMatchObject({
      status: 'closed',
      workaround: 'Fail over to the replica',
      rootCause: 'Leaked connections on timeout',
      incidents: [{ incidentId: 'inc_1' }, { incidentId: 'inc_2', linkedAt: AT, linkedBy: ADA }],
      actionItems: [{ incidentId: 'inc_1', actionItemId: 'act_1', linkedAt: AT }],
      knownErrorAt: AT,
      resolvedAt: '2026-12-08T10:00:00.000Z',
      closedAt: '2026-12-09T10:00:00.000Z',
    });
  });

  it('refuses a known error without a workaround, and a link made twice, saying why', () => {
    const { workaround: _none, ...bare } = problemIn('investigating');
    expect(() => stepProblem(bare, eventOf('MARK_KNOWN_ERROR'))).toThrow(
      "Problem prb_1 is in state 'investigating' and cannot markKnownError: a known error needs a workaround: call problems.recordWorkaround first.",
    );
    expect(() => stepProblem(problemIn('knownError'), { type: 'LINK_INCIDENT', at: AT, actor: ADA, incidentId: 'inc_1' })).toThrow('incident inc_1 is linked already');
    const linked = stepProblem(problemIn('resolved'), eventOf('LINK_ACTION_ITEM'));
    expect(() => stepProblem(linked, eventOf('LINK_ACTION_ITEM'))).toThrow('action item act_1 of incident inc_1 is linked already');
  });

  it('names the commands a state accepts when it refuses one', () => {
    expect(() => stepProblem(problemIn('resolved'), eventOf('RECORD_WORKAROUND'))).toThrow(
      "Problem prb_1 is in state 'resolved', which does not accept recordWorkaround; you can call link, linkActionItem, recordRootCause, close.",
    );
    expect(() => stepProblem(problemIn('closed'), eventOf('LINK_INCIDENT'))).toThrow("Problem prb_1 is in state 'closed', which does not accept link; no command changes it any more.");
  });
});
