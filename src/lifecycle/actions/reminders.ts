/** The reminders slice: (re)arms and cancels the status update reminder's timer. */

import type { IncidentContext } from '../incidentContext.js';
import { activeReminders, TIMER_IDS } from '../timers.js';
import type { TimerInstruction } from './timerInstructions.js';

/** (Re)arms the reminders that apply to the current severity, and cancels the others. */
export function armReminders(context: IncidentContext): TimerInstruction[] {
  const active = activeReminders(context);
  const everyMinutes = active.status_update;
  if (everyMinutes === undefined) {
    return [{ kind: 'cancel', id: TIMER_IDS.reminder('status_update') }];
  }
  return [
    {
      kind: 'raise',
      event: { type: 'REMIND', kind: 'status_update', everyMinutes, at: '', actor: { kind: 'system', id: 'incidentkit' } },
      id: TIMER_IDS.reminder('status_update'),
      delay: everyMinutes * 60_000,
    },
  ];
}

/** Cancels the reminder timers. */
export function cancelReminders(): TimerInstruction[] {
  return [{ kind: 'cancel', id: TIMER_IDS.reminder('status_update') }];
}
