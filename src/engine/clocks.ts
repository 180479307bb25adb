import { defineCalendar } from '../compliance/calendar.js';
import { clockInputOf, computeClock, updateClock, type ClockState } from '../compliance/computeClock.js';
import { assertRegimePhase, assertRegimeTrigger, createRegimeRegistry } from '../compliance/regimes.js';
import { ValidationError } from '../errors.js';
import type { Incident } from '../model/incident.js';
import type { EngineCore, EventDraft } from './core.js';
import type { IncidentEngineOptions } from './types.js';

function notInFuture(at: string, now: string, subject: string): void {
  if (at > now) {
    throw new ValidationError(subject, [{ code: 'custom', path: ['at'], message: 'Must not be in the future: record what has happened.' }]);
  }
}

/**
 * Regulatory reporting clocks on incidents: `startClock`, `fileReport`, and the clock the
 * deadline timers carry when they fire. Every clock event stores the clock it produced, so
 * replaying a timeline needs neither the regimes nor the calendar.
 *
 * @internal
 */
export function createClocks(core: EngineCore, options: IncidentEngineOptions) {
  const registry = createRegimeRegistry(options.regimes ?? []);
  // Validated once, so a bad calendar fails at createIncidentEngine rather than at the first clock.
  const calendar = defineCalendar(options.calendar ?? {});

  function clockOf(incident: Incident, regime: string): ClockState | undefined {
    return incident.clocks?.find((clock) => clock.regime === regime);
  }

  /** Builds `START_CLOCK`: the regime's trigger recorded at `at`, and the clock recomputed. */
  function start(incident: Incident, input: { readonly regime: string; readonly trigger: string; readonly at?: string | undefined }): EventDraft {
    const regime = registry.get(input.regime, 'startClock');
    const trigger = assertRegimeTrigger(regime, input.trigger, 'startClock');
    const now = core.now();
    const triggeredAt = input.at ?? now;
    notInFuture(triggeredAt, now, 'startClock');
    const clock = updateClock(regime, clockOf(incident, regime.id), { type: 'trigger', trigger, at: triggeredAt }, { now, calendar });
    return { type: 'START_CLOCK', regime: regime.id, trigger, triggeredAt, clock };
  }

  /** Builds `FILE_REPORT`: a filing of one phase (with its reference and reason for delay). */
  function file(
    incident: Incident,
    input: { readonly regime: string; readonly phase: string; readonly at?: string | undefined; readonly reference?: string | undefined; readonly reasonForDelay?: string | undefined },
  ): EventDraft {
    const regime = registry.get(input.regime, 'fileReport');
    const previous = clockOf(incident, regime.id);
    if (previous === undefined) {
      throw new ValidationError('fileReport', [
        {
          code: 'clock_not_started',
          path: ['regime'],
          message: `No '${regime.id}' clock was started on incident ${incident.id}; call startClock with one of its triggers (${regime.triggers.join(', ')}) first.`,
        },
      ]);
    }
    const phase = assertRegimePhase(regime, input.phase, 'fileReport');
    const now = core.now();
    const filedAt = input.at ?? now;
    notInFuture(filedAt, now, 'fileReport');
    let clock = updateClock(
      regime,
      previous,
      { type: 'filing', phase, at: filedAt, ...(input.reference === undefined ? {} : { reference: input.reference }) },
      { now, calendar },
    );
    if (input.reasonForDelay !== undefined) clock = updateClock(regime, clock, { type: 'reasonForDelay', phase, reason: input.reasonForDelay }, { now, calendar });
    return {
      type: 'FILE_REPORT',
      regime: regime.id,
      phase,
      filedAt,
      ...(input.reference === undefined ? {} : { reference: input.reference }),
      ...(input.reasonForDelay === undefined ? {} : { reasonForDelay: input.reasonForDelay }),
      clock,
    };
  }

  /**
   * Completes a fired deadline timer's `CLOCK_DUE` with the clock as of the first overdue
   * instant. A regime the host no longer configures cannot be recomputed: the phase is then
   * marked overdue in the stored clock as it is.
   */
  function timerEvent(draft: EventDraft, incident: Incident): EventDraft {
    if (draft.type !== 'CLOCK_DUE') return draft;
    const clock = clockOf(incident, draft.regime);
    if (clock === undefined) return draft;
    const at = draft.dueAt ?? core.now();
    if (registry.has(clock.regime)) {
      const refreshed = computeClock(registry.get(clock.regime), { ...clockInputOf(clock), now: at, calendar });
      return { ...draft, clock: refreshed };
    }
    const phases = clock.phases.map((p) => (p.phase === draft.phase && p.filedAt === undefined ? { ...p, status: 'overdue' as const } : p));
    return { ...draft, clock: { ...clock, phases, status: 'overdue' } };
  }

  return { registry, start, file, timerEvent };
}
