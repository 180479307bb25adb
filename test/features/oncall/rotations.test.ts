/**
 * Rotation arithmetic across daylight-saving changes. Expected instants are written out by hand
 * from the zones' rules (2026): Europe/Berlin changes on 29 March and 25 October,
 * America/New_York on 8 March and 1 November, Australia/Sydney (southern hemisphere) ends DST
 * on 5 April and starts it on 4 October; Asia/Kolkata has no DST and a +05:30 offset.
 */
import { describe, expect, it } from 'vitest';
import { defineSchedule, renderSchedule, whoIsOnCall, type RotationUnit, type Schedule } from '../../../src/index.js';

function rota(timeZone: string, start: string, amount: number, unit: RotationUnit, members = ['a', 'b', 'c', 'd']): Schedule {
  return defineSchedule({ id: 's', name: 'S', timeZone, layers: [{ id: 'l', start, rotation: { every: { amount, unit } }, members }] });
}

/** The hand-off instants (shift starts after the first) within the range. */
function handOffs(schedule: Schedule, from: string, to: string): string[] {
  return renderSchedule(schedule, { from, to })
    .slice(1)
    .map((shift) => shift.start);
}

/** Wall-clock time of an instant in a zone, read independently of the code under test. */
function wall(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString('sv-SE', { timeZone });
}

describe('Europe/Berlin', () => {
  const zone = 'Europe/Berlin';

  it('a daily 09:00 hand-off stays at 09:00 local across spring forward and fall back', () => {
    const daily = rota(zone, '2026-03-27T09:00', 1, 'days');
    const spring = handOffs(daily, '2026-03-27T12:00:00Z', '2026-03-31T12:00:00Z');
    expect(spring).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z']);
    for (const instant of spring) expect(wall(instant, zone)).toMatch(/ 09:00:00$/);
    const autumn = handOffs(rota(zone, '2026-10-23T09:00', 1, 'days'), '2026-10-23T12:00:00Z', '2026-10-27T12:00:00Z');
    expect(autumn).toEqual(['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z', '2026-10-27T08:00:00.000Z']);
  });

  it('the shift over a change is 23 or 25 hours long for days, always 24 for 24 hours', () => {
    const [shortDay] = renderSchedule(rota(zone, '2026-03-28T09:00', 1, 'days'), { from: '2026-03-28T08:00:00Z', to: '2026-03-29T08:00:00Z' });
    expect(shortDay).toMatchObject({ start: '2026-03-28T08:00:00.000Z', end: '2026-03-29T07:00:00.000Z', userIds: ['a'] });
    const hours = handOffs(rota(zone, '2026-03-28T09:00', 24, 'hours'), '2026-03-28T08:00:00Z', '2026-03-30T12:00:00Z');
    expect(hours).toEqual(['2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z']);
    expect(wall('2026-03-29T08:00:00.000Z', zone)).toBe('2026-03-29 10:00:00'); // elapsed time: the local hour moves
  });

  it('a hand-off in the skipped hour moves forward by the gap; in the repeated hour it takes the earlier instant', () => {
    const spring = handOffs(rota(zone, '2026-03-28T02:30', 1, 'days'), '2026-03-28T02:00:00Z', '2026-03-30T12:00:00Z');
    // 28 Mar 02:30 CET = 01:30Z; 29 Mar 02:30 does not exist → 03:30 CEST = 01:30Z; 30 Mar 02:30 CEST = 00:30Z.
    expect(spring).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(wall('2026-03-29T01:30:00.000Z', zone)).toBe('2026-03-29 03:30:00');
    const autumn = handOffs(rota(zone, '2026-10-24T02:30', 1, 'days'), '2026-10-24T02:00:00Z', '2026-10-26T12:00:00Z');
    // 25 Oct 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET): the earlier one.
    expect(autumn).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('a layer starting in the skipped hour begins at the moved instant and keeps 02:30 on other days', () => {
    const schedule = rota(zone, '2026-03-29T02:30', 1, 'days');
    expect(whoIsOnCall(schedule, '2026-03-29T01:29:59Z')).toEqual({ userIds: [], shift: null, source: 'gap' });
    expect(whoIsOnCall(schedule, '2026-03-29T01:30:00Z')).toEqual({
      userIds: ['a'],
      shift: { start: '2026-03-29T01:30:00.000Z', end: '2026-03-30T00:30:00.000Z' },
      source: 'layer',
      layerId: 'l',
    });
  });
});

describe('America/New_York', () => {
  const zone = 'America/New_York';

  it('a weekly Monday 09:00 hand-off stays at 09:00 local across both changes', () => {
    const weekly = rota(zone, '2026-03-02T09:00', 1, 'weeks', ['a', 'b']);
    expect(handOffs(weekly, '2026-03-02T14:00:00Z', '2026-03-16T14:00:00Z')).toEqual(['2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z']);
    expect(whoIsOnCall(weekly, '2026-03-09T12:59:59Z').shift).toEqual({ start: '2026-03-02T14:00:00.000Z', end: '2026-03-09T13:00:00.000Z' });
    const autumn = rota(zone, '2026-10-26T09:00', 1, 'weeks', ['a', 'b']);
    expect(handOffs(autumn, '2026-10-26T14:00:00Z', '2026-11-09T15:00:00Z')).toEqual(['2026-11-02T14:00:00.000Z', '2026-11-09T14:00:00.000Z']);
  });

  it('the skipped 02:30 moves to 03:30 EDT; the repeated 01:30 is the EDT one', () => {
    expect(handOffs(rota(zone, '2026-03-07T02:30', 1, 'days'), '2026-03-07T08:00:00Z', '2026-03-09T08:00:00Z')).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(handOffs(rota(zone, '2026-10-31T01:30', 1, 'days'), '2026-10-31T06:00:00Z', '2026-11-02T08:00:00Z')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('an 8-hour rotation is elapsed time: the night of the change keeps 8-hour shifts', () => {
    const schedule = rota(zone, '2026-03-07T22:00', 8, 'hours', ['a', 'b', 'c']);
    const shifts = renderSchedule(schedule, { from: '2026-03-08T03:00:00Z', to: '2026-03-09T03:00:00Z' });
    expect(shifts.map((s) => [s.userIds[0], s.start])).toEqual([
      ['a', '2026-03-08T03:00:00.000Z'],
      ['b', '2026-03-08T11:00:00.000Z'],
      ['c', '2026-03-08T19:00:00.000Z'],
    ]);
  });
});

describe('Australia/Sydney (southern hemisphere)', () => {
  const zone = 'Australia/Sydney';

  it('a daily 09:00 hand-off stays at 09:00 local when DST ends in April and starts in October', () => {
    const april = handOffs(rota(zone, '2026-04-03T09:00', 1, 'days'), '2026-04-02T23:00:00Z', '2026-04-06T12:00:00Z');
    // 4 Apr 09:00 AEDT (+11) = 3 Apr 22:00Z; DST ends at 03:00 on 5 Apr: 09:00 AEST (+10) = 4 Apr 23:00Z.
    expect(april).toEqual(['2026-04-03T22:00:00.000Z', '2026-04-04T23:00:00.000Z', '2026-04-05T23:00:00.000Z']);
    const october = handOffs(rota(zone, '2026-10-02T09:00', 1, 'days'), '2026-10-01T23:00:00Z', '2026-10-05T12:00:00Z');
    // DST starts at 02:00 on 4 Oct: 3 Oct 09:00 AEST = 2 Oct 23:00Z, 4 Oct 09:00 AEDT = 3 Oct 22:00Z.
    expect(october).toEqual(['2026-10-02T23:00:00.000Z', '2026-10-03T22:00:00.000Z', '2026-10-04T22:00:00.000Z']);
    for (const instant of [...april, ...october]) expect(wall(instant, zone)).toMatch(/ 09:00:00$/);
  });

  it('a weekly Sunday 02:30 hand-off: earlier instant when the hour repeats, moved forward when it is skipped', () => {
    const april = rota(zone, '2026-03-29T02:30', 1, 'weeks', ['a', 'b']);
    // 5 Apr 02:30 happens at 15:30Z (AEDT) and 16:30Z (AEST) on 4 Apr: the earlier one.
    expect(handOffs(april, '2026-03-28T16:00:00Z', '2026-04-12T12:00:00Z')).toEqual(['2026-04-04T15:30:00.000Z', '2026-04-11T16:30:00.000Z']);
    const october = rota(zone, '2026-09-27T02:30', 1, 'weeks', ['a', 'b']);
    // 4 Oct 02:30 does not exist → 03:30 AEDT = 16:30Z on 3 Oct.
    expect(handOffs(october, '2026-09-26T17:00:00Z', '2026-10-11T12:00:00Z')).toEqual(['2026-10-03T16:30:00.000Z', '2026-10-10T15:30:00.000Z']);
  });
});

describe('Asia/Kolkata (no DST, +05:30)', () => {
  const zone = 'Asia/Kolkata';

  it('daily and weekly hand-offs at 09:00 IST are 03:30Z all year', () => {
    const daily = handOffs(rota(zone, '2026-03-27T09:00', 1, 'days'), '2026-03-27T04:00:00Z', '2026-03-30T04:00:00Z');
    expect(daily).toEqual(['2026-03-28T03:30:00.000Z', '2026-03-29T03:30:00.000Z', '2026-03-30T03:30:00.000Z']);
    const weekly = handOffs(rota(zone, '2026-10-19T09:00', 1, 'weeks'), '2026-10-19T04:00:00Z', '2026-11-03T00:00:00Z');
    expect(weekly).toEqual(['2026-10-26T03:30:00.000Z', '2026-11-02T03:30:00.000Z']);
  });

  it('a 12-hour rotation hands over at 09:00 and 21:00 IST', () => {
    const shifts = renderSchedule(rota(zone, '2026-01-01T09:00', 12, 'hours', ['day', 'night']), { from: '2026-06-01T00:00:00Z', to: '2026-06-02T00:00:00Z' });
    expect(shifts.map((s) => [s.userIds[0], wall(s.start, zone)])).toEqual([
      ['night', '2026-06-01 05:30:00'], // the range starts at 00:00Z, in the night shift
      ['day', '2026-06-01 09:00:00'],
      ['night', '2026-06-01 21:00:00'],
    ]);
    expect(shifts.slice(1).map((s) => s.start)).toEqual(['2026-06-01T03:30:00.000Z', '2026-06-01T15:30:00.000Z']);
  });
});

describe('turns and members', () => {
  it('members take turns in order and repeat; a repeated member in a row is one merged shift', () => {
    const schedule = rota('UTC', '2026-01-05T00:00', 1, 'days', ['a', 'a', 'b']);
    const shifts = renderSchedule(schedule, { from: '2026-01-05T00:00:00Z', to: '2026-01-11T00:00:00Z' });
    expect(shifts.map((s) => [s.userIds.join(), s.start.slice(0, 10), s.end.slice(0, 10)])).toEqual([
      ['a', '2026-01-05', '2026-01-07'],
      ['b', '2026-01-07', '2026-01-08'],
      ['a', '2026-01-08', '2026-01-10'],
      ['b', '2026-01-10', '2026-01-11'],
    ]);
  });

  it('a layer covers nobody before its start', () => {
    const schedule = rota('UTC', '2026-01-05T12:00', 2, 'weeks');
    expect(renderSchedule(schedule, { from: '2026-01-05T00:00:00Z', to: '2026-01-06T00:00:00Z' })).toEqual([
      { userIds: [], start: '2026-01-05T00:00:00.000Z', end: '2026-01-05T12:00:00.000Z', source: 'gap' },
      { userIds: ['a'], start: '2026-01-05T12:00:00.000Z', end: '2026-01-06T00:00:00.000Z', source: 'layer', layerId: 'l' },
    ]);
  });

  it('finds the turn far from the start: 10 years of 2-week turns', () => {
    const schedule = rota('Europe/Berlin', '2020-01-06T09:00', 2, 'weeks', ['a', 'b', 'c']);
    // 2030-01-07 is 522 weeks after 2020-01-06: turn 261, member 261 % 3 = 0.
    expect(whoIsOnCall(schedule, '2030-01-07T08:00:00Z')).toMatchObject({ userIds: ['a'], shift: { start: '2030-01-07T08:00:00.000Z', end: '2030-01-21T08:00:00.000Z' } });
    expect(whoIsOnCall(schedule, '2030-01-07T07:59:59.999Z').userIds).toEqual(['c']);
  });
});
