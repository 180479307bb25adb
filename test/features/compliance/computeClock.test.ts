import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarForRegime, clockInputOf, computeClock, updateClock } from '../../../src/features/compliance/computeClock.js';
import { clockDeadlines, clockTimerId } from '../../../src/model/reportingClock.js';
import { defineRegime, dora, fdaMdr, gdpr, hipaa, jointCommission, nis2, sec8k } from '../../../src/features/compliance/regimes.js';
import { thrown } from '../../helpers.js';

const berlin = { timeZone: 'Europe/Berlin' };

function wall(iso: string | undefined, timeZone: string): string {
  return new Date(iso ?? NaN).toLocaleString('sv-SE', { timeZone });
}

describe('GDPR Art. 33: 72 hours from awareness', () => {
  // Breach noticed Friday 2026-03-27 16:00 in Berlin (CET, UTC+1). The clocks go forward on
  // Sunday 2026-03-29, so 72 elapsed hours end on Monday at 17:00 CEST (15:00 UTC), not 16:00.
  const awareness = '2026-03-27T16:00:00+01:00';

  it('is due 72 elapsed hours later, across the DST change', () => {
    const clock = computeClock(gdpr, { triggers: { awareness }, now: '2026-03-28T09:00:00Z', calendar: berlin });
    const [notification] = clock.phases;
    expect(notification).toEqual({
      phase: 'notification',
      title: 'Notification to the supervisory authority',
      reference: 'GDPR Art. 33(1)',
      status: 'pending',
      startsAt: '2026-03-27T15:00:00.000Z',
      dueAt: '2026-03-30T15:00:00.000Z',
      filings: [],
      reasonForDelayRequired: false,
    });
    expect(wall(notification?.dueAt, 'Europe/Berlin')).toBe('2026-03-30 17:00:00');
    expect(clock).toMatchObject({ regime: 'gdpr', timeZone: 'Europe/Berlin', status: 'open', nextDueAt: '2026-03-30T15:00:00.000Z' });
  });

  it('is on time up to and including the due instant, overdue one millisecond later', () => {
    const at = (now: string) => computeClock(gdpr, { triggers: { awareness }, now, calendar: berlin }).phases[0]?.status;
    expect(at('2026-03-30T15:00:00.000Z')).toBe('pending');
    expect(at('2026-03-30T15:00:00.001Z')).toBe('overdue');
    const overdue = computeClock(gdpr, { triggers: { awareness }, now: '2026-03-31T00:00:00Z', calendar: berlin });
    expect(overdue.status).toBe('overdue');
    expect(overdue.phases[0]?.reasonForDelayRequired).toBe(true);
    expect(overdue.nextDueAt).toBeUndefined();
  });

  it('records filings on time and late, with the reason for delay GDPR asks for', () => {
    const onTime = computeClock(gdpr, {
      triggers: { awareness },
      filings: { notification: '2026-03-30T16:59:00+02:00' },
      references: { notification: 'BfDI-2026-0042' },
      now: '2026-04-02T00:00:00Z',
      calendar: berlin,
    });
    expect(onTime.phases[0]).toMatchObject({ status: 'filed', filedAt: '2026-03-30T14:59:00.000Z', filingReference: 'BfDI-2026-0042', reasonForDelayRequired: false });
    expect(onTime.status).toBe('complete');

    const late = computeClock(gdpr, {
      triggers: { awareness },
      filings: { notification: '2026-03-30T17:00:01+02:00' },
      reasonsForDelay: { notification: 'Forensic scope was unclear until the processor replied.' },
      now: '2026-04-02T00:00:00Z',
      calendar: berlin,
    });
    expect(late.phases[0]).toMatchObject({
      status: 'filedLate',
      reasonForDelayRequired: true,
      reasonForDelay: 'Forensic scope was unclear until the processor replied.',
    });
    expect(late.status).toBe('complete');
  });

  it('waits while awareness is unknown', () => {
    const clock = computeClock(gdpr, { triggers: {}, now: '2026-03-28T09:00:00Z' });
    expect(clock.phases[0]).toMatchObject({ status: 'waiting', filings: [] });
    expect(clock.phases[0]?.dueAt).toBeUndefined();
    expect(clockDeadlines(clock)).toEqual([]);
  });
});

describe('NIS2 Art. 23(4)', () => {
  const awareness = '2026-06-01T09:00:00+02:00';

  it('runs the early warning and notification from awareness, the final report from the notification’s filing', () => {
    const before = computeClock(nis2, { triggers: { awareness }, now: '2026-06-01T12:00:00Z', calendar: berlin });
    expect(before.phases.map((p) => [p.phase, p.status, p.dueAt])).toEqual([
      ['earlyWarning', 'pending', '2026-06-02T07:00:00.000Z'],
      ['notification', 'pending', '2026-06-04T07:00:00.000Z'],
      ['finalReport', 'waiting', undefined],
    ]);

    const after = computeClock(nis2, {
      triggers: { awareness },
      filings: { earlyWarning: '2026-06-01T18:00:00+02:00', notification: '2026-06-03T10:00:00+02:00' },
      now: '2026-06-10T00:00:00Z',
      calendar: berlin,
    });
    const final = after.phases[2];
    expect(final).toMatchObject({ status: 'pending', startsAt: '2026-06-03T08:00:00.000Z', dueAt: '2026-07-03T21:59:59.999Z' });
    expect(wall(final?.dueAt, 'Europe/Berlin')).toBe('2026-07-03 23:59:59');
    expect(after.nextDueAt).toBe('2026-07-03T21:59:59.999Z');
  });

  it('clamps the final report’s month at the month end', () => {
    const clock = computeClock(nis2, {
      triggers: { awareness: '2026-01-29T10:00:00Z' },
      filings: { earlyWarning: '2026-01-29T12:00:00Z', notification: '2026-01-31T10:00:00Z' },
      now: '2026-02-01T00:00:00Z',
      calendar: berlin,
    });
    expect(clock.phases[2]?.dueAt).toBe('2026-02-28T22:59:59.999Z');
  });
});

describe('DORA Art. 19(4) with RTS 2025/301 Art. 5', () => {
  const awareness = '2026-05-04T08:00:00Z';

  it('is due 4 hours after classification when that is within 24 hours of awareness', () => {
    const clock = computeClock(dora, { triggers: { awareness, classification: '2026-05-04T10:00:00Z' }, now: '2026-05-04T11:00:00Z' });
    expect(clock.phases[0]).toMatchObject({ status: 'pending', startsAt: '2026-05-04T10:00:00.000Z', dueAt: '2026-05-04T14:00:00.000Z', capAt: '2026-05-05T08:00:00.000Z' });
  });

  it('is capped at 24 hours after awareness', () => {
    const clock = computeClock(dora, { triggers: { awareness, classification: '2026-05-05T06:00:00Z' }, now: '2026-05-05T07:00:00Z' });
    expect(clock.phases[0]?.dueAt).toBe('2026-05-05T08:00:00.000Z');
  });

  it('gives 4 hours from a classification made after the 24 hours (Art. 5(2))', () => {
    const clock = computeClock(dora, { triggers: { awareness, classification: '2026-05-05T12:00:00Z' }, now: '2026-05-05T13:00:00Z' });
    expect(clock.phases[0]).toMatchObject({ status: 'pending', dueAt: '2026-05-05T16:00:00.000Z', capAt: '2026-05-05T08:00:00.000Z' });
  });

  it('waits for classification, showing the cap already', () => {
    const clock = computeClock(dora, { triggers: { awareness }, now: '2026-05-04T09:00:00Z' });
    expect(clock.phases.map((p) => p.status)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(clock.phases[0]?.capAt).toBe('2026-05-05T08:00:00.000Z');
  });

  it('chains intermediate from the initial filing and final from the latest intermediate filing', () => {
    const clock = computeClock(dora, {
      triggers: { awareness, classification: '2026-05-04T10:00:00Z' },
      filings: {
        initial: '2026-05-04T13:00:00Z',
        intermediate: ['2026-05-09T09:00:00Z', '2026-05-06T12:00:00Z'],
      },
      now: '2026-05-10T00:00:00Z',
      calendar: { timeZone: 'Europe/Paris' },
    });
    expect(clock.phases.map((p) => [p.phase, p.status, p.dueAt, p.filedAt])).toEqual([
      ['initial', 'filed', '2026-05-04T14:00:00.000Z', '2026-05-04T13:00:00.000Z'],
      ['intermediate', 'filed', '2026-05-07T13:00:00.000Z', '2026-05-06T12:00:00.000Z'],
      ['final', 'pending', '2026-06-09T21:59:59.999Z', undefined],
    ]);
    expect(clock.phases[1]?.filings).toEqual(['2026-05-06T12:00:00.000Z', '2026-05-09T09:00:00.000Z']);
    expect(clock.phases[2]?.startsAt).toBe('2026-05-09T09:00:00.000Z');
  });

  it('marks an initial notification filed after the cap as late', () => {
    const clock = computeClock(dora, {
      triggers: { awareness, classification: '2026-05-05T06:00:00Z' },
      filings: { initial: '2026-05-05T09:00:00Z' },
      now: '2026-05-05T10:00:00Z',
    });
    expect(clock.phases[0]?.status).toBe('filedLate');
    expect(clock.phases[1]).toMatchObject({ status: 'pending', dueAt: '2026-05-08T09:00:00.000Z' });
  });
});

describe('SEC Form 8-K Item 1.05: 4 business days, New York time, 17:30 cut-off', () => {
  it('counts Monday → Friday 17:30 Eastern, whatever the host’s zone', () => {
    const clock = computeClock(sec8k, { triggers: { materialityDetermination: '2026-03-02T15:00:00-05:00' }, now: '2026-03-02T21:00:00Z', calendar: berlin });
    expect(clock.timeZone).toBe('America/New_York');
    expect(clock.phases[0]?.dueAt).toBe('2026-03-06T22:30:00.000Z');
    expect(wall(clock.phases[0]?.dueAt, 'America/New_York')).toBe('2026-03-06 17:30:00');
  });

  it('starts a weekend determination on the next business day (General Instruction B.1), across DST', () => {
    const clock = computeClock(sec8k, { triggers: { materialityDetermination: '2026-03-07T11:00:00-05:00' }, now: '2026-03-07T17:00:00Z' });
    expect(wall(clock.phases[0]?.dueAt, 'America/New_York')).toBe('2026-03-12 17:30:00');
    expect(clock.phases[0]?.dueAt).toBe('2026-03-12T21:30:00.000Z');
  });

  it('skips the federal holidays the host supplies', () => {
    const calendar = { holidays: ['2026-11-26'] }; // Thanksgiving
    const clock = computeClock(sec8k, { triggers: { materialityDetermination: '2026-11-24T10:00:00-05:00' }, now: '2026-11-24T16:00:00Z', calendar });
    // Wed 25 (1), Thu 26 holiday, Fri 27 (2), Mon 30 (3), Tue Dec 1 (4).
    expect(wall(clock.phases[0]?.dueAt, 'America/New_York')).toBe('2026-12-01 17:30:00');
    expect(calendarForRegime(sec8k, { timeZone: 'Europe/Berlin', holidays: ['2026-11-26'] })).toEqual({
      timeZone: 'America/New_York',
      holidays: ['2026-11-26'],
      weekendDays: [6, 7],
    });
  });
});

describe('HIPAA, FDA MDR and The Joint Commission', () => {
  it('HIPAA: end of the 60th calendar day after discovery, local time', () => {
    const clock = computeClock(hipaa, { triggers: { discovery: '2026-01-15T14:00:00Z' }, now: '2026-01-16T00:00:00Z', calendar: { timeZone: 'America/Chicago' } });
    // Jan 15 + 60 days = Mar 16 (after the DST change on Mar 8: CDT, UTC−5).
    expect(clock.phases[0]?.dueAt).toBe('2026-03-17T04:59:59.999Z');
    expect(wall(clock.phases[0]?.dueAt, 'America/Chicago')).toBe('2026-03-16 23:59:59');
  });

  it('FDA MDR: 10 work days after the day of awareness, skipping holidays over the year end', () => {
    const calendar = { timeZone: 'America/New_York', holidays: ['2026-12-25', '2027-01-01'] };
    const clock = computeClock(fdaMdr, { triggers: { awareness: '2026-12-23T10:00:00-05:00' }, now: '2026-12-23T16:00:00Z', calendar });
    // Dec 24 (1), 28 (2), 29 (3), 30 (4), 31 (5), Jan 4 (6), 5 (7), 6 (8), 7 (9), 8 (10).
    expect(wall(clock.phases[0]?.dueAt, 'America/New_York')).toBe('2027-01-08 23:59:59');
  });

  it('Joint Commission: 45 business days after becoming aware', () => {
    const clock = computeClock(jointCommission, { triggers: { awareness: '2026-02-02T09:00:00Z' }, now: '2026-02-02T10:00:00Z' });
    expect(clock.phases[0]?.dueAt).toBe('2026-04-06T23:59:59.999Z');
  });
});

describe('clock timers', () => {
  it('lists a timer per pending phase, firing one millisecond after the due instant', () => {
    const clock = computeClock(nis2, {
      triggers: { awareness: '2026-06-01T07:00:00Z' },
      filings: { earlyWarning: '2026-06-01T10:00:00Z' },
      now: '2026-06-01T12:00:00Z',
    });
    expect(clockDeadlines(clock)).toEqual([
      { timerId: 'clock:nis2:notification', regime: 'nis2', phase: 'notification', dueAt: '2026-06-04T07:00:00.000Z', fireAt: '2026-06-04T07:00:00.001Z' },
    ]);
    expect(clockTimerId('dora', 'final')).toBe('clock:dora:final');
  });
});

describe('updateClock: the projection reducer', () => {
  it('folds triggers, filings, references and reasons into a clock, as the engine records them', () => {
    const calendar = { timeZone: 'Europe/Paris' };
    let clock = updateClock(dora, undefined, { type: 'trigger', trigger: 'awareness', at: '2026-05-04T08:00:00Z' }, { now: '2026-05-04T08:00:00Z', calendar });
    expect(clock.phases.map((p) => p.status)).toEqual(['waiting', 'waiting', 'waiting']);
    clock = updateClock(dora, clock, { type: 'trigger', trigger: 'classification', at: '2026-05-04T10:00:00Z' }, { now: '2026-05-04T10:00:00Z', calendar });
    expect(clockDeadlines(clock).map((d) => [d.timerId, d.fireAt])).toEqual([['clock:dora:initial', '2026-05-04T14:00:00.001Z']]);
    clock = updateClock(dora, clock, { type: 'filing', phase: 'initial', at: '2026-05-04T15:00:00Z', reference: 'ECB-1' }, { now: '2026-05-04T15:00:00Z', calendar });
    clock = updateClock(dora, clock, { type: 'reasonForDelay', phase: 'initial', reason: 'Portal outage.' }, { now: '2026-05-04T15:05:00Z', calendar });
    clock = updateClock(dora, clock, { type: 'filing', phase: 'intermediate', at: '2026-05-06T12:00:00Z' }, { now: '2026-05-06T12:00:00Z', calendar });
    clock = updateClock(dora, clock, { type: 'filing', phase: 'intermediate', at: '2026-05-09T09:00:00Z' }, { now: '2026-05-09T09:00:00Z', calendar });
    expect(clock.phases[0]).toMatchObject({ status: 'filedLate', filingReference: 'ECB-1', reasonForDelay: 'Portal outage.' });
    expect(clock.phases[1]?.filings).toEqual(['2026-05-06T12:00:00.000Z', '2026-05-09T09:00:00.000Z']);
    expect(clock.phases[2]).toMatchObject({ status: 'pending', dueAt: '2026-06-09T21:59:59.999Z' });

    // Recomputing from the recorded facts at a later time only moves statuses.
    const later = computeClock(dora, { ...clockInputOf(clock), now: '2026-06-10T00:00:00Z', calendar });
    expect(later.phases[2]?.status).toBe('overdue');
    expect(later.status).toBe('overdue');
    expect({ ...later, phases: later.phases.map((p) => ({ ...p, status: 'x' })), status: 'x' }).toEqual({
      ...clock,
      phases: clock.phases.map((p) => ({ ...p, status: 'x' })),
      status: 'x',
      nextDueAt: undefined,
    });
  });

  it('refuses facts the regime does not know', () => {
    expect(() => updateClock(gdpr, undefined, { type: 'filing', phase: 'final', at: '2026-01-01T00:00:00Z' }, { now: '2026-01-01T00:00:00Z' })).toThrow(
      "Regime 'gdpr' has no phase 'final'",
    );
  });
});

describe('input validation', () => {
  it('refuses triggers and phases the regime does not have, naming the ones it has', () => {
    const err = thrown(
      () =>
        computeClock(gdpr, {
          triggers: { awareness: '2026-01-01T00:00:00Z', classification: '2026-01-01T00:00:00Z' } as never,
          filings: { finalReport: '2026-01-02T00:00:00Z' } as never,
          now: '2026-01-01T00:00:00Z',
        }),
      'VALIDATION_FAILED',
    );
    expect(err.details.issues).toEqual([
      { code: 'unknown_trigger', path: ['triggers', 'classification'], message: "Regime 'gdpr' has no trigger 'classification'; use one of awareness" },
      { code: 'unknown_phase', path: ['filings', 'finalReport'], message: "Regime 'gdpr' has no phase 'finalReport'; use one of notification" },
    ]);
  });

  it('refuses times without a zone', () => {
    expect(() => computeClock(gdpr, { triggers: { awareness: '2026-01-01 10:00' }, now: '2026-01-01T00:00:00Z' })).toThrow(
      /triggers\.awareness: .*ISO-8601 timestamp with a time zone/,
    );
  });
});

describe('status properties', () => {
  const regime = defineRegime({
    id: 'prop',
    title: 'Property regime',
    reference: 'test',
    phases: [
      { id: 'a', title: 'A', reference: 'a', from: { trigger: 't' }, within: { amount: 30, unit: 'hours' }, notLaterThan: { from: { trigger: 'u' }, within: { amount: 48, unit: 'hours' } } },
      { id: 'b', title: 'B', reference: 'b', from: { phase: 'a' }, within: { amount: 3, unit: 'businessDays' } },
    ],
  });
  const time = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 2, 1) }).map((ms) => new Date(ms).toISOString());

  it('status follows from dueAt, filedAt and now; the cap never makes a phase due later or before it starts', () => {
    fc.assert(
      fc.property(time, time, fc.option(time, { nil: undefined }), time, (t, u, filedA, now) => {
        const clock = computeClock(regime, {
          triggers: { t, u },
          filings: filedA === undefined ? {} : { a: filedA },
          now,
          calendar: berlin,
        });
        const a = clock.phases[0];
        const due = Date.parse(a?.dueAt ?? '');
        expect(due).toBeLessThanOrEqual(Date.parse(t) + 30 * 3_600_000);
        expect(due).toBeGreaterThanOrEqual(Date.parse(t));
        const expected =
          filedA !== undefined ? (Date.parse(filedA) > due ? 'filedLate' : 'filed') : Date.parse(now) > due ? 'overdue' : 'pending';
        expect(a?.status).toBe(expected);
        expect(clock.phases[1]?.status === 'waiting').toBe(filedA === undefined);
        expect(clock.status).toBe(clock.phases.some((p) => p.status === 'overdue') ? 'overdue' : 'open');
      }),
      { numRuns: 200 },
    );
  });
});
