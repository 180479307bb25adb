import type { TimerRecord } from '../storage/types.js';

/** Turns the delayed raises and cancels that a transition returned into timer changes. */
export function timerChanges(
  actions: readonly { type: string; params?: unknown }[],
  incident: { tenantId: string; id: string },
  at: string,
  fired?: string,
): { set: TimerRecord[]; cancel: string[] } {
  const set: TimerRecord[] = [];
  // A fired timer is removed in the same commit as its effect, unless the transition set it again.
  const cancel: string[] = fired === undefined ? [] : [fired];
  for (const action of actions) {
    const params = action.params as { delay?: unknown; id?: unknown; event?: unknown; sendId?: unknown } | undefined;
    if (action.type === 'xstate.raise' && typeof params?.delay === 'number' && typeof params.id === 'string') {
      // The machine fills `at` and `actor` with placeholders; the engine sets both when the timer fires.
      const { at: _at, actor: _actor, ...event } = params.event as Record<string, unknown>;
      set.push({
        tenantId: incident.tenantId,
        incidentId: incident.id,
        timerId: params.id,
        dueAt: new Date(Date.parse(at) + params.delay).toISOString(),
        event: JSON.parse(JSON.stringify(event)) as TimerRecord['event'],
      });
    } else if (action.type === 'xstate.cancel' && typeof params?.sendId === 'string') {
      cancel.push(params.sendId);
    }
  }
  return { set, cancel: cancel.filter((id) => !set.some((timer) => timer.timerId === id)) };
}
