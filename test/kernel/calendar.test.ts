import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessDaysToDate,
  addDuration,
  defineCalendar,
  isBusinessDay,
  localDateOf,
  startOfLocalDay,
  type Duration,
} from '../../src/kernel/calendar.js';
import { isIncidentKitError, type ValidationIssue } from '../../src/errors.js';
import { thrown } from '../helpers.js';

const utc = defineCalendar();
const berlin = defineCalendar({ timeZone: 'Europe/Berlin' });
const newYork = defineCalendar({ timeZone: 'America/New_York' });

/** The wall-clock time of an instant in a zone, `YYYY-MM-DD HH:MM:SS`, read independently of the code under test. */
function wall(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString('sv-SE', { timeZone });
}

describe('defineCalendar', () => {
  it('defaults to UTC, no holidays, Saturday and Sunday off', () => {
    expect(utc).toEqual({ timeZone: 'UTC', holidays: [], weekendDays: [6, 7] });
  });

  it('sorts and de-duplicates holidays and is idempotent', () => {
    const cal = defineCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-26', '2026-12-25', '2026-12-26'] });
    expect(cal.holidays).toEqual(['2026-12-25', '2026-12-26']);
    expect(defineCalendar(cal)).toBe(cal);
  });

  it.each([
    [{ timeZone: 'Europe/Berlln' }, ['timeZone'], 'Use an IANA time zone'],
    [{ holidays: ['2026-02-30'] }, ['holidays', 0], 'Holidays are real dates written YYYY-MM-DD.'],
    [{ holidays: ['25.12.2026'] }, ['holidays', 0], 'Holidays are real dates'],
    [{ weekendDays: [1, 2, 3, 4, 5, 6, 7] }, ['weekendDays'], 'At least one day of the week must be a business day.'],
    [{ weekendDays: [0] }, ['weekendDays', 0], 'Weekdays are 1 (Monday) … 7 (Sunday).'],
  ])('refuses %j', (options, path, message) => {
    const err = thrown(() => defineCalendar(options as never));
    expect(isIncidentKitError(err, 'CONFIG_INVALID')).toBe(true);
    const issue = (err as { details: { issues: ValidationIssue[] } }).details.issues[0];
    expect(issue?.path).toEqual(path);
    expect(issue?.message).toContain(message);
  });
});

describe('hours: elapsed time, whatever the wall clock does', () => {
  it('counts 72 real hours across the Berlin spring-forward change (Sun 2026-03-29)', () => {
    // Fri 16:00 CET (UTC+1) + 72 h = Mon 15:00 UTC = 17:00 CEST (UTC+2): the wall clock lost an hour.
    const due = addDuration(berlin, '2026-03-27T16:00:00+01:00', { amount: 72, unit: 'hours' });
    expect(due).toBe('2026-03-30T15:00:00.000Z');
    expect(wall(due, 'Europe/Berlin')).toBe('2026-03-30 17:00:00');
  });

  it('counts 72 real hours across the Berlin fall-back change (Sun 2026-10-25)', () => {
    const due = addDuration(berlin, '2026-10-23T16:00:00+02:00', { amount: 72, unit: 'hours' });
    expect(due).toBe('2026-10-26T14:00:00.000Z');
    expect(wall(due, 'Europe/Berlin')).toBe('2026-10-26 15:00:00');
  });

  it('counts real hours across New York’s changes (2026-03-08 and 2026-11-01)', () => {
    expect(wall(addDuration(newYork, '2026-03-07T12:00:00-05:00', { amount: 24, unit: 'hours' }), 'America/New_York')).toBe('2026-03-08 13:00:00');
    expect(wall(addDuration(newYork, '2026-10-31T12:00:00-04:00', { amount: 24, unit: 'hours' }), 'America/New_York')).toBe('2026-11-01 11:00:00');
    expect(addDuration(newYork, '2026-03-08T01:30:00-05:00', { amount: 90, unit: 'minutes' })).toBe('2026-03-08T08:00:00.000Z');
  });
});

describe('calendar days: the end of the Nth local day', () => {
  it('ends a day at local midnight, on a 23-hour day too', () => {
    // Sat 2026-03-28 + 1 day = end of Sun 2026-03-29, which is in CEST.
    const due = addDuration(berlin, '2026-03-28T10:00:00Z', { amount: 1, unit: 'calendarDays' });
    expect(due).toBe('2026-03-29T21:59:59.999Z');
    expect(wall(due, 'Europe/Berlin')).toBe('2026-03-29 23:59:59');
  });

  it('ends a day at local midnight on a 25-hour day', () => {
    expect(addDuration(newYork, '2026-10-31T16:00:00Z', { amount: 1, unit: 'calendarDays' })).toBe('2026-11-02T04:59:59.999Z');
    expect(addDuration(berlin, '2026-10-24T10:00:00Z', { amount: 1, unit: 'calendarDays' })).toBe('2026-10-25T22:59:59.999Z');
  });

  it('counts from the local date, which differs between time zones for the same instant', () => {
    const at = '2026-01-01T23:30:00Z';
    expect(localDateOf(utc, at)).toBe('2026-01-01');
    expect(localDateOf(defineCalendar({ timeZone: 'Asia/Tokyo' }), at)).toBe('2026-01-02');
    expect(localDateOf(defineCalendar({ timeZone: 'America/Los_Angeles' }), at)).toBe('2026-01-01');
    expect(addDuration(utc, at, { amount: 0, unit: 'calendarDays' })).toBe('2026-01-01T23:59:59.999Z');
    expect(addDuration(defineCalendar({ timeZone: 'Asia/Tokyo' }), at, { amount: 0, unit: 'calendarDays' })).toBe('2026-01-02T14:59:59.999Z');
  });

  it('finds the first instant of a day whose midnight is skipped', () => {
    // Chile and Cuba start DST at local midnight: 00:00 does not exist, the day starts at 01:00.
    expect(startOfLocalDay(defineCalendar({ timeZone: 'America/Santiago' }), '2026-09-06')).toBe('2026-09-06T04:00:00.000Z');
    expect(startOfLocalDay(defineCalendar({ timeZone: 'America/Havana' }), '2026-03-08')).toBe('2026-03-08T05:00:00.000Z');
    expect(addDuration(defineCalendar({ timeZone: 'America/Santiago' }), '2026-09-05T12:00:00Z', { amount: 0, unit: 'calendarDays' })).toBe(
      '2026-09-06T03:59:59.999Z',
    );
  });
});

describe('months: same date N months later, clamped to the month end', () => {
  it.each([
    ['2026-01-31T10:00:00Z', 1, '2026-02-28T23:59:59.999Z'],
    ['2028-01-31T10:00:00Z', 1, '2028-02-29T23:59:59.999Z'],
    ['2028-02-29T10:00:00Z', 12, '2029-02-28T23:59:59.999Z'],
    ['2026-03-31T10:00:00Z', 1, '2026-04-30T23:59:59.999Z'],
    ['2026-12-15T10:00:00Z', 1, '2027-01-15T23:59:59.999Z'],
    ['2026-01-31T10:00:00Z', 13, '2027-02-28T23:59:59.999Z'],
    ['2026-08-31T10:00:00Z', 6, '2027-02-28T23:59:59.999Z'],
  ])('%s + %i month(s) → %s (UTC)', (from, n, due) => {
    expect(addDuration(utc, from, { amount: n, unit: 'months' })).toBe(due);
  });

  it('uses the local date and the local end of day', () => {
    // 23:30 UTC on Jan 30 is already Jan 31 in Berlin; + 1 month = end of Feb 28 in Berlin.
    expect(addDuration(berlin, '2026-01-30T23:30:00Z', { amount: 1, unit: 'months' })).toBe('2026-02-28T22:59:59.999Z');
    // Across spring forward: Mar 3 + 1 month = end of Apr 3 CEST.
    expect(addDuration(berlin, '2026-03-03T12:00:00Z', { amount: 1, unit: 'months' })).toBe('2026-04-03T21:59:59.999Z');
  });
});

describe('business days: the end of the Nth business day after the start day', () => {
  const holidays = defineCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01'] });

  it('skips weekends', () => {
    expect(addBusinessDaysToDate(utc, '2026-01-02', 1)).toBe('2026-01-05');
    expect(addBusinessDaysToDate(utc, '2026-01-02', 5)).toBe('2026-01-09');
    expect(addDuration(utc, '2026-01-02T09:00:00Z', { amount: 1, unit: 'businessDays' })).toBe('2026-01-05T23:59:59.999Z');
  });

  it('starts counting after a weekend or holiday start day from the next business day', () => {
    expect(addBusinessDaysToDate(utc, '2026-01-03', 1)).toBe('2026-01-05');
    expect(addBusinessDaysToDate(utc, '2026-01-04', 4)).toBe('2026-01-08');
    expect(addBusinessDaysToDate(utc, '2026-01-03', 0)).toBe('2026-01-05');
    expect(addBusinessDaysToDate(utc, '2026-01-05', 0)).toBe('2026-01-05');
  });

  it('skips holidays across a year end', () => {
    expect(isBusinessDay(holidays, '2026-12-24')).toBe(false);
    expect(isBusinessDay(holidays, '2026-12-28')).toBe(true);
    // Wed 2026-12-23 → Mon 28 (1), Tue 29 (2), Wed 30 (3), [Thu 31, Fri Jan 1 off] Mon Jan 4 (4).
    expect(addBusinessDaysToDate(holidays, '2026-12-23', 4)).toBe('2027-01-04');
    expect(addDuration(holidays, '2026-12-23T15:00:00Z', { amount: 4, unit: 'businessDays' })).toBe('2027-01-04T22:59:59.999Z');
  });

  it('counts in the calendar’s zone: the same instant gives different days', () => {
    const at = '2026-01-01T23:30:00Z'; // Thu in UTC and Los Angeles, already Fri in Tokyo
    expect(addDuration(utc, at, { amount: 1, unit: 'businessDays' })).toBe('2026-01-02T23:59:59.999Z');
    expect(addDuration(defineCalendar({ timeZone: 'Asia/Tokyo' }), at, { amount: 1, unit: 'businessDays' })).toBe('2026-01-05T14:59:59.999Z');
    expect(addDuration(defineCalendar({ timeZone: 'America/Los_Angeles' }), at, { amount: 1, unit: 'businessDays' })).toBe('2026-01-03T07:59:59.999Z');
  });

  it('supports other weekends', () => {
    const riyadh = defineCalendar({ timeZone: 'Asia/Riyadh', weekendDays: [5, 6] });
    // Thu 2026-01-01 + 1 business day = Sun 2026-01-04.
    expect(addBusinessDaysToDate(riyadh, '2026-01-01', 1)).toBe('2026-01-04');
  });

  it('ends the day at dayEndsAt in local time, across DST', () => {
    // Fri 2026-03-06 + 4 business days = Thu 2026-03-12, 17:30 EDT (DST began on the 8th).
    expect(addDuration(newYork, '2026-03-06T15:00:00Z', { amount: 4, unit: 'businessDays', dayEndsAt: '17:30' })).toBe('2026-03-12T21:30:00.000Z');
    expect(addDuration(newYork, '2026-02-02T15:00:00Z', { amount: 4, unit: 'businessDays', dayEndsAt: '17:30' })).toBe('2026-02-06T22:30:00.000Z');
  });

  it('refuses malformed durations', () => {
    for (const duration of [
      { amount: 1.5, unit: 'hours' },
      { amount: -1, unit: 'calendarDays' },
      { amount: 1, unit: 'weeks' },
      { amount: 1, unit: 'hours', dayEndsAt: '17:30' },
      { amount: 1, unit: 'businessDays', dayEndsAt: '5pm' },
    ]) {
      expect(isIncidentKitError(thrown(() => addDuration(utc, '2026-01-01T00:00:00Z', duration as Duration)), 'CONFIG_INVALID')).toBe(true);
    }
    expect(() => addDuration(utc, 'yesterday', { amount: 1, unit: 'hours' })).toThrow(RangeError);
  });
});

describe('properties', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu'];
  const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }).map((ms) => new Date(ms).toISOString());
  const calendar = fc
    .record({
      timeZone: fc.constantFrom(...zones),
      holidays: fc.array(fc.integer({ min: 0, max: 40 * 366 }).map((d) => new Date(Date.UTC(2000, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)), { maxLength: 300 }),
    })
    .map((options) => defineCalendar(options));

  it('adding n business days never lands on a weekend or holiday, and counts exactly n of them', () => {
    fc.assert(
      fc.property(calendar, instant, fc.integer({ min: 0, max: 60 }), (cal, from, n) => {
        const start = localDateOf(cal, from);
        const end = addBusinessDaysToDate(cal, start, n);
        expect(isBusinessDay(cal, end)).toBe(true);
        let counted = 0;
        for (let d = start; d < end; ) {
          d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
          if (isBusinessDay(cal, d)) counted += 1;
        }
        expect(counted).toBe(n > 0 ? n : isBusinessDay(cal, start) ? 0 : 1);
        const due = addDuration(cal, from, { amount: n, unit: 'businessDays' });
        expect(localDateOf(cal, due)).toBe(end);
        expect(localDateOf(cal, new Date(Date.parse(due) + 1))).not.toBe(end);
      }),
      { numRuns: 150 },
    );
  });

  it('deadlines grow with n (strictly, but for 0 vs 1 business days) and never precede the start', () => {
    const unit = fc.constantFrom<Duration['unit']>('minutes', 'hours', 'calendarDays', 'businessDays', 'months');
    fc.assert(
      fc.property(calendar, instant, unit, fc.integer({ min: 0, max: 40 }), (cal, from, u, n) => {
        const a = Date.parse(addDuration(cal, from, { amount: n, unit: u }));
        const b = Date.parse(addDuration(cal, from, { amount: n + 1, unit: u }));
        // 0 and 1 business days coincide when the start day is not a business day (both end on the next one).
        if (u === 'businessDays' && n === 0) expect(b).toBeGreaterThanOrEqual(a);
        else expect(b).toBeGreaterThan(a);
        expect(a).toBeGreaterThanOrEqual(Date.parse(from));
      }),
      { numRuns: 200 },
    );
  });

  it('hours are exact elapsed time; calendar days end on the local date n days later', () => {
    fc.assert(
      fc.property(calendar, instant, fc.integer({ min: 0, max: 400 }), (cal, from, n) => {
        expect(Date.parse(addDuration(cal, from, { amount: n, unit: 'hours' })) - Date.parse(from)).toBe(n * 3_600_000);
        const due = addDuration(cal, from, { amount: n, unit: 'calendarDays' });
        const expected = new Date(Date.parse(`${localDateOf(cal, from)}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        expect(localDateOf(cal, due)).toBe(expected);
        expect(localDateOf(cal, new Date(Date.parse(due) + 1))).not.toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});
