/**
 * The task guards of the lifecycle machine: a task `requiredFor` a transition (or an earlier
 * one) that is still open blocks `MITIGATE`, `RESOLVE` and `CLOSE`; done and skipped tasks do
 * not. Every combination of `requiredFor`, task status and transition, from every state that
 * takes the transition. Plus the task events themselves and their due-time timers.
 */
import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { tasksBlockedReason } from '../../src/lifecycle/guards.js';
import { startMachine, statusOf, stepMachine, type IncidentSnapshot } from '../../src/lifecycle/projection.js';
import type { IncidentStatus } from '../../src/model/incident.js';
import { TASK_GATES, TASK_STATUSES, type TaskDraft, type TaskGate, type TaskStatus } from '../../src/model/tasks.js';

const ANA = { kind: 'user', id: 'u_ana' } as const;
const SYSTEM = { kind: 'system', id: 'incidentkit' } as const;
const T0 = Date.parse('2026-03-09T09:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

function declared(): IncidentSnapshot {
  const [snapshot] = startMachine({ id: 'inc_1', tenantId: 'default', at: at(0), actor: ANA, title: 'Wrong dose given', severity: 'SEV2', policy: { reviewRequiredFor: [] } });
  return snapshot;
}

/** Steps every event, failing when one is refused. */
function run(snapshot: IncidentSnapshot, ...events: LifecycleEvent[]): IncidentSnapshot {
  let current = snapshot;
  for (const event of events) {
    const [next] = stepMachine(current, event);
    expect(next, `${event.type} refused`).not.toBe(current);
    current = next;
  }
  return current;
}

const task = (id: string, extra: Partial<TaskDraft> = {}): TaskDraft => ({ id, title: `Task ${id}`, phase: 'response', ...extra });
const attach = (minutes: number, ...tasks: TaskDraft[]): LifecycleEvent => ({ type: 'ATTACH_TASKS', playbookIds: ['pb'], tasks, at: at(minutes), actor: SYSTEM });
const gateEvent = (gate: TaskGate, minutes: number): LifecycleEvent =>
  gate === 'mitigate' ? { type: 'MITIGATE', summary: 'Contained', at: at(minutes), actor: ANA } : gate === 'resolve' ? { type: 'RESOLVE', at: at(minutes), actor: ANA } : { type: 'CLOSE', at: at(minutes), actor: ANA };
const settle = (status: TaskStatus, id: string, minutes: number): LifecycleEvent[] =>
  status === 'done'
    ? [{ type: 'COMPLETE_TASK', taskId: id, at: at(minutes), actor: ANA }]
    : status === 'skipped'
      ? [{ type: 'SKIP_TASK', taskId: id, reason: 'Not applicable', at: at(minutes), actor: ANA }]
      : [];

/** The states that take each gate, and how to get there from a declared incident. */
const FROM: Readonly<Record<TaskGate, readonly { readonly state: IncidentStatus; readonly path: readonly LifecycleEvent[] }[]>> = {
  mitigate: [
    { state: 'triage', path: [] },
    { state: 'responding', path: [{ type: 'ACKNOWLEDGE', at: at(1), actor: ANA }] },
  ],
  resolve: [
    { state: 'triage', path: [] },
    { state: 'responding', path: [{ type: 'ACKNOWLEDGE', at: at(1), actor: ANA }] },
    { state: 'mitigated', path: [{ type: 'MITIGATE', summary: 'Contained', at: at(1), actor: ANA }] },
  ],
  close: [
    { state: 'resolved', path: [{ type: 'RESOLVE', at: at(1), actor: ANA }] },
    { state: 'postIncident', path: [{ type: 'RESOLVE', at: at(1), actor: ANA }, { type: 'START_REVIEW', at: at(2), actor: ANA }] },
  ],
};

describe('task guards', () => {
  for (const requiredFor of TASK_GATES) {
    for (const status of TASK_STATUSES) {
      for (const gate of TASK_GATES) {
        const blocks = status === 'open' && TASK_GATES.indexOf(requiredFor) <= TASK_GATES.indexOf(gate);
        for (const { state, path } of FROM[gate]) {
          it(`a task required for ${requiredFor}, ${status}, ${blocks ? 'blocks' : 'lets through'} ${gate} from ${state}`, () => {
            const ready = run(declared(), ...path, attach(3, task('t1', { requiredFor })), ...settle(status, 't1', 4));
            expect(statusOf(ready)).toBe(state);
            const [next] = stepMachine(ready, gateEvent(gate, 5));
            if (blocks) {
              expect(next).toBe(ready);
              expect(tasksBlockedReason(ready.context, gate)).toBe(`a task required before it can ${gate} is still open: "Task t1" (t1); complete it with completeTask, or skip it with skipTask and a reason.`);
            } else {
              expect(next).not.toBe(ready);
              expect(tasksBlockedReason(ready.context, gate)).toBeUndefined();
            }
          });
        }
      }
    }
  }

  it('lists every open task in the way, and none that is settled or not required', () => {
    const ready = run(
      declared(),
      attach(1, task('a', { requiredFor: 'mitigate' }), task('b', { requiredFor: 'resolve' }), task('c', { requiredFor: 'close' }), task('d'), task('e', { requiredFor: 'mitigate' })),
      ...settle('skipped', 'e', 2),
    );
    expect(tasksBlockedReason(ready.context, 'resolve')).toBe(
      '2 tasks required before it can resolve are still open: "Task a" (a), "Task b" (b); complete them with completeTask, or skip them with skipTask and a reason.',
    );
  });
});

describe('task events', () => {
  it('attaches only new tasks, and refuses an attach that brings a task the incident has', () => {
    const one = run(declared(), attach(1, task('a')));
    expect(stepMachine(one, attach(2, task('a')))[0]).toBe(one);
    expect(stepMachine(one, attach(2, task('b'), task('b')))[0]).toBe(one);
    const two = run(one, attach(2, task('b')));
    expect(two.context.tasks?.map((t) => [t.id, t.status])).toEqual([['a', 'open'], ['b', 'open']]);
  });

  it('completes, skips and reassigns open tasks only, recording when and by whom', () => {
    const s = run(
      declared(),
      attach(1, task('a', { evidence: 'note' }), task('b'), task('c', { assignee: { kind: 'role', role: 'commander' } })),
      { type: 'COMPLETE_TASK', taskId: 'a', evidence: 'Pharmacist paged', at: at(2), actor: ANA },
      { type: 'SKIP_TASK', taskId: 'b', reason: 'No device involved', at: at(3), actor: ANA },
      { type: 'REASSIGN_TASK', taskId: 'c', assignee: { kind: 'user', id: 'u_bo' }, at: at(4), actor: ANA },
    );
    expect(s.context.tasks).toMatchObject([
      { id: 'a', status: 'done', completedAt: at(2), completedBy: 'u_ana', completionEvidence: 'Pharmacist paged' },
      { id: 'b', status: 'skipped', skippedAt: at(3), skippedBy: 'u_ana', skipReason: 'No device involved' },
      { id: 'c', status: 'open', assignee: { kind: 'user', id: 'u_bo' } },
    ]);
    for (const event of [
      { type: 'COMPLETE_TASK', taskId: 'a', at: at(5), actor: ANA },
      { type: 'SKIP_TASK', taskId: 'a', reason: 'x', at: at(5), actor: ANA },
      { type: 'REASSIGN_TASK', taskId: 'b', assignee: { kind: 'user', id: 'u_bo' }, at: at(5), actor: ANA },
      { type: 'COMPLETE_TASK', taskId: 'nope', at: at(5), actor: ANA },
    ] as const) {
      expect(stepMachine(s, event)[0], event.taskId).toBe(s);
    }
  });

  it('sets a due-time timer from declaration, and from a milestone once it is reached', () => {
    const [attached, actions] = stepMachine(
      declared(),
      attach(1, task('a', { due: { amount: 15, unit: 'minutes', from: 'declared' } }), task('b', { due: { amount: 1, unit: 'hours', from: 'mitigated' } })),
    );
    expect(attached.context.tasks?.map((t) => t.dueAt)).toEqual([at(15), undefined]);
    const raised = JSON.stringify(actions);
    expect(raised).toContain('task:a');
    expect(raised).not.toContain('task:b');
    const [mitigated, more] = stepMachine(attached, gateEvent('mitigate', 10));
    expect(mitigated.context.tasks?.map((t) => t.dueAt)).toEqual([at(15), at(70)]);
    expect(JSON.stringify(more)).toContain('task:b');
  });

  it('records a task overdue once, only while it is open and due then', () => {
    const s = run(declared(), attach(1, task('a', { due: { amount: 15, unit: 'minutes', from: 'declared' } }), task('b', { due: { amount: 5, unit: 'minutes', from: 'declared' } })));
    const due = (taskId: string, taskDueAt: string, minutes: number): LifecycleEvent => ({ type: 'TASK_DUE', taskId, taskDueAt, at: at(minutes), actor: SYSTEM });
    expect(stepMachine(s, due('a', at(14), 15))[0]).toBe(s);
    const overdue = run(s, due('a', at(15), 15));
    expect(overdue.context.tasks?.[0]?.overdueAt).toBe(at(15));
    expect(stepMachine(overdue, due('a', at(15), 16))[0]).toBe(overdue);
    const done = run(s, ...settle('done', 'b', 4));
    expect(stepMachine(done, due('b', at(5), 5))[0]).toBe(done);
  });
});
