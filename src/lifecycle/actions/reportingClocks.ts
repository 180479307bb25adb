/** The regulatory reporting clocks slice: records clocks and missed deadlines, and (re)schedules their timers. */

import { clockTimerId } from '../../model/reportingClock.js';
import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';
import type { TimerInstruction } from './timerInstructions.js';

/** Records a `START_CLOCK` or `FILE_REPORT`: replaces the regime's clock (or appends it). */
export function setClock(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'START_CLOCK' && event.type !== 'FILE_REPORT') return {};
  const others = (context.clocks ?? []).filter((c) => c.regime !== event.regime);
  const index = (context.clocks ?? []).findIndex((c) => c.regime === event.regime);
  const clocks = index < 0 ? [...others, event.clock] : (context.clocks ?? []).map((c, i) => (i === index ? event.clock : c));
  return { updatedAt: event.at, clocks };
}

/** Records a `CLOCK_DUE`: the missed deadline, and the clock as of the deadline if the event carries it. */
export function recordOverdue(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'CLOCK_DUE') return {};
  const clock = event.clock;
  return {
    updatedAt: event.at,
    overdueReports: [...(context.overdueReports ?? []), { regime: event.regime, phase: event.phase, dueAt: event.phaseDueAt, at: event.at }],
    ...(clock === undefined ? {} : { clocks: (context.clocks ?? []).map((c) => (c.regime === event.regime ? clock : c)) }),
  };
}

/**
 * Sets a deadline timer for every unfiled phase of the event's clock whose miss is not
 * recorded yet (at once when it is already past due), and cancels the others.
 */
export function scheduleClock(context: IncidentContext, event: LifecycleEvent): TimerInstruction[] {
  if (event.type !== 'START_CLOCK' && event.type !== 'FILE_REPORT' && event.type !== 'CLOCK_DUE') return [];
  return scheduleRegime(context, event.regime, event.at);
}

/** An incident taken back out of a merge (`UNMERGE`) reports again: every clock's pending deadlines are set once more. */
export function rearmClocks(context: IncidentContext, event: LifecycleEvent): TimerInstruction[] {
  return event.type === 'UNMERGE' ? (context.clocks ?? []).flatMap((clock) => scheduleRegime(context, clock.regime, event.at)) : [];
}

/** The deadline timers of regime `regime`'s clock, as of `at` (see {@link scheduleClock}). */
function scheduleRegime(context: IncidentContext, regime: string, at: string): TimerInstruction[] {
  const instructions: TimerInstruction[] = [];
  const clock = context.clocks?.find((c) => c.regime === regime);
  for (const phase of clock?.phases ?? []) {
    const id = clockTimerId(regime, phase.phase);
    const dueAt = phase.dueAt;
    const missed = (context.overdueReports ?? []).some((r) => r.regime === regime && r.phase === phase.phase && r.dueAt === dueAt);
    if (phase.filedAt !== undefined || dueAt === undefined || missed) {
      instructions.push({ kind: 'cancel', id });
      continue;
    }
    instructions.push({
      kind: 'raise',
      event: { type: 'CLOCK_DUE', regime, phase: phase.phase, phaseDueAt: dueAt, at: '', actor: { kind: 'system', id: 'incidentkit' } },
      id,
      // The first overdue instant is one millisecond after the last on-time one.
      delay: Math.max(0, Date.parse(dueAt) + 1 - Date.parse(at)),
    });
  }
  return instructions;
}

/** A canceled incident (a false positive, a duplicate) reports nothing: its deadlines are dropped. */
export function cancelClockTimers(context: IncidentContext): TimerInstruction[] {
  const instructions: TimerInstruction[] = [];
  for (const clock of context.clocks ?? []) {
    for (const phase of clock.phases) instructions.push({ kind: 'cancel', id: clockTimerId(clock.regime, phase.phase) });
  }
  return instructions;
}
