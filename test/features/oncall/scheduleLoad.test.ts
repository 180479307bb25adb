import { describe, expect, it } from 'vitest';
import { defineCalendar, defineSchedule, renderSchedule, scheduleLoad } from '../../../src/index.js';
import { thrown } from '../../helpers.js';

const schedule = defineSchedule({
  id: 'db',
  name: 'Database on-call',
  timeZone: 'Europe/Berlin',
  layers: [{ id: 'weekly', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben'] }],
  overrides: [{ id: 'o', start: '2026-03-04T11:00:00Z', end: '2026-03-04T13:00:00Z', userId: 'cy', replaces: 'ana' }],
});
const berlin = defineCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-03-10'] });

describe('scheduleLoad', () => {
  it('counts hours and continuous stretches per user, sorted by id', () => {
    const load = scheduleLoad(schedule, { from: '2026-03-02T08:00:00Z', to: '2026-03-16T08:00:00Z' });
    expect(load).toEqual([
      { userId: 'ana', hours: 166, shifts: 2 }, // the override cuts ana's week in two
      { userId: 'ben', hours: 168, shifts: 1 },
      { userId: 'cy', hours: 2, shifts: 1 },
    ]);
  });

  it('adds the hours outside working time: weekday evenings, weekends and holidays', () => {
    const load = scheduleLoad(schedule, { from: '2026-03-02T08:00:00Z', to: '2026-03-16T08:00:00Z', offHours: { calendar: berlin } });
    // Working time 09:00–17:00 on business days: ana's week has 40 h of it, 2 h of which cy took;
    // ben's week has 32 h (Tuesday 10 March is a holiday).
    expect(load).toEqual([
      { userId: 'ana', hours: 166, shifts: 2, offHours: 128 },
      { userId: 'ben', hours: 168, shifts: 1, offHours: 136 },
      { userId: 'cy', hours: 2, shifts: 1, offHours: 0 },
    ]);
  });

  it('takes custom working hours and calendar options, and counts across a DST change in local time', () => {
    const load = scheduleLoad(schedule, {
      from: '2026-03-23T08:00:00Z',
      to: '2026-03-30T07:00:00Z',
      offHours: { calendar: { timeZone: 'Europe/Berlin', weekendDays: [7] }, workingHours: { start: '08:00', end: '18:00' } },
    });
    // The week of the change is 167 hours; Monday to Saturday have 10 working hours each.
    expect(load).toEqual([{ userId: 'ben', hours: 167, shifts: 1, offHours: 107 }]);
  });

  it('agrees with renderSchedule: the hours of all users and gaps add up to the range', () => {
    const gappy = defineSchedule({
      id: 'g',
      name: 'G',
      timeZone: 'America/New_York',
      layers: [{ id: 'l', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['a', 'b', 'c'], restrictions: [{ kind: 'daily', start: '09:00', end: '17:00' }] }],
    });
    const range = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
    const gapHours = renderSchedule(gappy, range)
      .filter((s) => s.source === 'gap')
      .reduce((sum, s) => sum + (Date.parse(s.end) - Date.parse(s.start)) / 3_600_000, 0);
    const userHours = scheduleLoad(gappy, range).reduce((sum, u) => sum + u.hours, 0);
    expect(userHours + gapHours).toBeCloseTo(31 * 24, 9);
    expect(scheduleLoad(gappy, range).map((u) => u.shifts)).toEqual([10, 10, 10]); // 30 days from 2 March
  });

  it('refuses malformed working hours naming the path, and a bad calendar as defineCalendar does', () => {
    const range = { from: '2026-03-02T08:00:00Z', to: '2026-03-03T08:00:00Z' };
    const bad = thrown(() => scheduleLoad(schedule, { ...range, offHours: { calendar: berlin, workingHours: { start: '17:00', end: '09:00' } } }), 'VALIDATION_FAILED');
    expect(bad.details.issues.map((i) => i.path)).toEqual([['offHours', 'workingHours', 'end']]);
    const malformed = thrown(() => scheduleLoad(schedule, { ...range, offHours: { calendar: berlin, workingHours: { start: '9', end: '17:00' } } }), 'VALIDATION_FAILED');
    expect(malformed.details.issues.map((i) => i.path)).toEqual([['offHours', 'workingHours', 'start']]);
    thrown(() => scheduleLoad(schedule, { ...range, offHours: { calendar: { timeZone: 'Nowhere/Land' } } }), 'CONFIG_INVALID');
    const noCalendar = thrown(() => scheduleLoad(schedule, { ...range, offHours: {} as never }), 'VALIDATION_FAILED');
    expect(noCalendar.details.issues.map((i) => i.path)).toEqual([['offHours', 'calendar']]);
    thrown(() => scheduleLoad(schedule, { ...range, offHours: null as never }), 'VALIDATION_FAILED');
  });
});
