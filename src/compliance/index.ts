/**
 * Compliance: calendars for deadline arithmetic, regulatory reporting regimes and the pure
 * clock computation the engine persists. Not legal advice.
 *
 * @packageDocumentation
 */
export {
  addBusinessDaysToDate,
  addDuration,
  defineCalendar,
  isBusinessDay,
  localDateOf,
  startOfLocalDay,
  type BusinessCalendar,
  type CalendarOptions,
  type Duration,
  type DurationUnit,
  type IsoWeekday,
  type LocalDate,
} from './calendar.js';
export {
  assertRegimePhase,
  assertRegimeTrigger,
  BUILT_IN_REGIMES,
  createRegimeRegistry,
  defineRegime,
  dora,
  fdaMdr,
  gdpr,
  hipaa,
  jointCommission,
  nis2,
  sec8k,
  type BuiltInRegimeId,
  type ClockAnchor,
  type Regime,
  type RegimeDefinition,
  type RegimeOf,
  type RegimePhase,
  type RegimePhaseId,
  type RegimeRegistry,
  type RegimeTrigger,
} from './regimes.js';
export {
  calendarForRegime,
  clockDeadlines,
  clockInputOf,
  clockTimerId,
  computeClock,
  updateClock,
  type ClockDeadline,
  type ClockFact,
  type ClockFacts,
  type ClockInput,
  type ClockPhaseState,
  type ClockPhaseStatus,
  type ClockState,
} from './computeClock.js';
