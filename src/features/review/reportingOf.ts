import { timeValueMs } from '../../kernel/toEpochMs.js';
import type { Incident } from '../../model/incident.js';
import { nonEmptyString as str } from '../../kernel/text.js';
import { formatTime } from '../../kernel/timeFormat.js';
import { readClock } from '../../lifecycle/describeEvent.js';
import type {
  Postmortem,
  PostmortemOverdueReport,
  PostmortemReportPhase,
  PostmortemReportingClock,
  RedactField,
  TimelineEventLike,
} from './types.js';

const CLOCK_EVENT_TYPES: ReadonlySet<string> = new Set(['CLOCK_STARTED', 'REPORT_FILED', 'REPORT_OVERDUE']);
const REPORT_STATUSES: ReadonlySet<string> = new Set(['waiting', 'pending', 'overdue', 'filed', 'filedLate']);

/**
 * The incident's reporting clocks and missed deadlines. Statuses are taken at `now` when given
 * (a pending report past due is overdue by then); a projection without `clocks` falls back to
 * the last clock each timeline event carried.
 */
export function reportingOf(
  incident: Incident,
  events: readonly TimelineEventLike[],
  nowMs: number | undefined,
  redact: (text: string, field: RedactField) => string,
): Postmortem['reporting'] {
  let clocks = (incident.clocks ?? []).flatMap((c) => readClock(c) ?? []);
  if (incident.clocks === undefined) {
    const latest = new Map<string, NonNullable<ReturnType<typeof readClock>>>();
    for (const e of events) {
      const clock = CLOCK_EVENT_TYPES.has(e.type) ? readClock(e.data.clock) : undefined;
      if (clock !== undefined) latest.set(clock.regime, clock);
    }
    clocks = [...latest.values()];
  }
  const reportingClocks = clocks.map((clock): PostmortemReportingClock => {
    const phases = clock.phases.map((p): PostmortemReportPhase => {
      const recorded = REPORT_STATUSES.has(p.status) ? p.status : 'waiting';
      const status = nowMs !== undefined && recorded === 'pending' && p.dueAt !== undefined && nowMs > timeValueMs(p.dueAt) ? 'overdue' : recorded;
      const reference = str(p.filingReference);
      const reason = str(p.reasonForDelay);
      return {
        phase: p.phase,
        title: p.title,
        reference: str(p.reference) ?? '',
        ...(str(p.dueAt) === undefined ? {} : { dueAt: p.dueAt }),
        ...(str(p.filedAt) === undefined ? {} : { filedAt: p.filedAt }),
        status,
        ...(reference === undefined ? {} : { filingReference: reference }),
        reasonForDelayRequired: p.reasonForDelayRequired,
        ...(reason === undefined ? {} : { reasonForDelay: redact(reason, 'reason') }),
      };
    });
    return {
      regime: clock.regime,
      title: clock.title,
      reference: clock.reference,
      status: phases.some((p) => p.status === 'overdue')
        ? 'overdue'
        : phases.every((p) => p.status === 'filed' || p.status === 'filedLate')
          ? 'complete'
          : 'open',
      phases,
    };
  });
  const overdue: PostmortemOverdueReport[] =
    incident.overdueReports === undefined
      ? events.flatMap((e) => {
          if (e.type !== 'REPORT_OVERDUE') return [];
          const regime = str(e.data.regime);
          const phase = str(e.data.phase);
          const dueAt = str(e.data.phaseDueAt) ?? str(e.data.dueAt);
          return regime === undefined || phase === undefined || dueAt === undefined ? [] : [{ regime, phase, dueAt, at: e.at }];
        })
      : incident.overdueReports.map((o) => ({ regime: o.regime, phase: o.phase, dueAt: o.dueAt, at: o.at }));
  return { clocks: reportingClocks, overdue };
}

/** Questions about reports still overdue, and late reports whose regime asks for reasons that were not recorded. */
export function reportingQuestions(clocks: readonly PostmortemReportingClock[]): string[] {
  return clocks.flatMap((clock) =>
    clock.phases.flatMap((p) => {
      const name = `${p.title}${p.reference === '' ? '' : ` (${p.reference})`} for ${clock.title}`;
      if (p.status === 'overdue') {
        return [`The ${name} was due ${p.dueAt === undefined ? 'earlier' : formatTime(p.dueAt)} and has not been filed; who files it, and by when?`];
      }
      if (p.status === 'filedLate' && p.reasonForDelayRequired && p.reasonForDelay === undefined) {
        return [`The ${name} was filed late; what were the reasons for the delay? The regime asks for them.`];
      }
      return [];
    }),
  );
}
