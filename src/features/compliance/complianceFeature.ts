import { ValidationError } from '../../errors.js';
import type { FileReportInput, StartClockInput } from '../../engine/commands.js';
import { builtInFeature, runIncidentCommand } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { parseInput } from '../../kernel/parse.js';
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import type { Incident } from '../../model/incident.js';
import type { JsonValue } from '../../model/primitives.js';
import type { ClockState } from '../../model/reportingClock.js';
import { defineCalendar, type CalendarOptions } from '../../kernel/calendar.js';
import { clockInputOf, computeClock, updateClock } from './computeClock.js';
import { assertRegimePhase, assertRegimeTrigger, createRegimeRegistry, type Regime } from './regimes.js';

/** The compliance feature's options of `createIncidentEngine`. */
export interface ComplianceOptions {
  /**
   * The calendar reporting deadlines are computed in: time zone and holidays
   * (e.g. `{ timeZone: 'Europe/Berlin', holidays: ['2026-12-25'] }`). Default: UTC, no holidays.
   * A regime's own calendar settings (the SEC counts in New York time) take precedence.
   */
  readonly calendar?: CalendarOptions;
  /** Regimes made with `defineRegime`, besides the built-in ones (`gdpr`, `nis2`, `dora`, `sec8k`, `hipaa`, `fdaMdr`, `jointCommission`, `circia`, `euAiAct`). */
  readonly regimes?: readonly Regime[];
}

/** The methods the compliance feature adds to the engine. */
export interface ComplianceApi {
  /**
   * Starts a regulatory reporting clock (or records a further trigger of one, such as DORA's
   * `classification`): `at` is when the trigger happened (default: now). Every unfiled
   * phase's deadline becomes a durable timer; a missed one records `REPORT_OVERDUE` once and
   * is notified like other events.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for an unknown regime or a trigger it does
   * not have (the message lists them), or a time in the future.
   */
  startClock(id: string, input: StartClockInput): Promise<Incident>;
  /**
   * Records a filed report of a clock's phase (`at`: when it was filed, default now), with
   * the authority's `reference` and, for a late report, the `reasonForDelay` (GDPR Art. 33(1)).
   * Filing again records an update; DORA's final report counts from the latest intermediate one.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when no clock of that regime was started,
   * the phase is unknown, or `at` is in the future.
   */
  fileReport(id: string, input: FileReportInput): Promise<Incident>;
}

/** What the compliance feature reads of an incident type (`defineIncidentType`'s `sentinelEvent`). */
interface SentinelTyped {
  readonly name: string;
  readonly sentinelEvent?: boolean | ((fields: Readonly<Record<string, JsonValue>>) => boolean) | undefined;
}

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
export function complianceFeature(options: ComplianceOptions & { readonly types?: readonly SentinelTyped[] | undefined }): IncidentFeature<'compliance', ComplianceApi> {
  return builtInFeature({
    name: 'compliance',
    events: ['START_CLOCK', 'FILE_REPORT', 'CLOCK_DUE'],
    slice: ['clocks', 'overdueReports'],
    setup(core) {
      const { schemas } = core;
    const registry = createRegimeRegistry(options.regimes ?? []);
    // Validated once, so a bad calendar fails at createIncidentEngine rather than at the first clock.
    const calendar = defineCalendar(options.calendar ?? {});

    function clockOf(incident: Incident, regime: string): ClockState | undefined {
      return incident.clocks?.find((clock) => clock.regime === regime);
    }

    /** Builds `START_CLOCK`: the regime's trigger recorded at `at`, and the clock recomputed. */
    function start(incident: Incident, input: { readonly regime: string; readonly trigger: string; readonly at?: string | undefined }): LifecycleEventDraft {
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
    ): LifecycleEventDraft {
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
    function timerEvent(draft: LifecycleEventDraft, incident: Incident): LifecycleEventDraft {
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

    /**
     * The `START_CLOCK` of the Joint Commission's sentinel-event clock, when the incident's type
     * says its fields make it a sentinel event and no such clock runs yet (trigger `awareness`, now).
     */
    function sentinelClock(subject: { readonly type?: string | undefined; readonly fields?: Readonly<Record<string, JsonValue>> | undefined }, incident: Incident | undefined, at: string): LifecycleEventDraft[] {
      const type = subject.type === undefined ? undefined : (options.types ?? []).find((t) => t.name === subject.type);
      const test = type?.sentinelEvent;
      if (test === undefined || test === false || (incident !== undefined && clockOf(incident, 'jointCommission') !== undefined)) return [];
      if (test !== true && !test(subject.fields ?? {})) return [];
      const regime = registry.get('jointCommission', 'declare');
      const clock = updateClock(regime, undefined, { type: 'trigger', trigger: 'awareness', at }, { now: at, calendar });
      return [{ type: 'START_CLOCK', regime: regime.id, trigger: 'awareness', triggeredAt: at, clock }];
    }

      const api: ComplianceApi = {
        async startClock(id, input) {
          const parsed = parseInput(schemas.startClock, input, 'startClock');
          const { actor: _actor, ...rest } = parsed;
          return runIncidentCommand(core, 'startClock', id, parsed, (stored) => start(stored.incident, rest));
        },
        async fileReport(id, input) {
          const parsed = parseInput(schemas.fileReport, input, 'fileReport');
          const { actor: _actor, ...rest } = parsed;
          return runIncidentCommand(core, 'fileReport', id, parsed, (stored) => file(stored.incident, rest));
        },
      };

      return {
        api,
        timerEvent: (draft, stored) => timerEvent(draft, stored.incident),
        declare: { history: (input) => Promise.resolve(sentinelClock(input, undefined, input.at)) },
        following: (event, incident) => (event.type === 'UPDATE_FIELDS' ? sentinelClock(incident, incident, event.at) : []),
      };
    },
  });
}
