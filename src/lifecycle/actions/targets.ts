/** The response targets slice: records breaches and (re)schedules the targets' timers. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';
import { pendingTargets, TARGET_NAMES, TIMER_IDS } from '../timers.js';
import type { TimerInstruction } from './timerInstructions.js';

/** Records a `TARGET_DUE`: appends the breach of the response target. */
export function breachTarget(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'TARGET_DUE'
    ? { updatedAt: event.at, breaches: [...context.breaches, { target: event.target, dueAt: event.targetDueAt, at: event.at }] }
    : {};
}

/** Sets a timer for every pending response target and cancels the met or breached ones. */
export function scheduleTargets(context: IncidentContext): TimerInstruction[] {
  const pending = pendingTargets(context);
  const instructions: TimerInstruction[] = [];
  for (const target of TARGET_NAMES) {
    const dueAt = pending[target];
    if (dueAt === undefined) {
      instructions.push({ kind: 'cancel', id: TIMER_IDS.target(target) });
      continue;
    }
    instructions.push({
      kind: 'raise',
      event: { type: 'TARGET_DUE', target, targetDueAt: dueAt, at: '', actor: { kind: 'system', id: 'incidentkit' } },
      id: TIMER_IDS.target(target),
      delay: Math.max(0, Date.parse(dueAt) - Date.parse(context.updatedAt)),
    });
  }
  return instructions;
}

/** Cancels every response target's timer. */
export function cancelTargets(): TimerInstruction[] {
  return TARGET_NAMES.map((target): TimerInstruction => ({ kind: 'cancel', id: TIMER_IDS.target(target) }));
}
