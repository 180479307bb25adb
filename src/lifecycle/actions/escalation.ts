/** The escalation slice: records escalations and (re)schedules the next level's timer. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';
import { nextEscalation, TIMER_IDS } from '../timers.js';
import type { TimerInstruction } from './timerInstructions.js';

/** Records an `ESCALATE`: the level, cycle and step reached, and who was paged. */
export function escalate(_context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'ESCALATE'
    ? {
        updatedAt: event.at,
        escalation: {
          level: event.level,
          cycle: event.cycle,
          count: event.step,
          targets: [...event.targets],
          ...(event.paged === undefined ? {} : { paged: [...event.paged] }),
          lastEscalatedAt: event.at,
        },
      }
    : {};
}

/** Sets the timer of the next escalation level, if the policy has one. */
export function scheduleEscalation(context: IncidentContext, event: LifecycleEvent): TimerInstruction[] {
  const next = nextEscalation(context.policy.escalation, context.escalation);
  if (next === undefined) {
    return [{ kind: 'cancel', id: TIMER_IDS.escalation }];
  }
  // Levels count from the previous level's deadline, not from when a (late) worker fired it.
  const lateMs = event.type === 'ESCALATE' && event.dueAt !== undefined ? Date.parse(event.at) - Date.parse(event.dueAt) : 0;
  // A level that reached nobody (a schedule gap, an unfilled role) is skipped: the next one fires at once.
  const skipped = event.type === 'ESCALATE' && event.nobody === true;
  return [
    {
      kind: 'raise',
      event: {
        type: 'ESCALATE',
        trigger: 'timer',
        step: (context.escalation?.count ?? 0) + 1,
        level: next.level,
        cycle: next.cycle,
        targets: next.targets,
        at: '',
        actor: { kind: 'system', id: 'incidentkit' },
      },
      id: TIMER_IDS.escalation,
      // May be negative after downtime: the next level is then already overdue and fires on this tick.
      delay: skipped ? 0 : next.delayMs - Math.max(0, lateMs),
    },
  ];
}

/** Cancels the pending escalation timer. */
export function cancelEscalation(): TimerInstruction[] {
  return [{ kind: 'cancel', id: TIMER_IDS.escalation }];
}
