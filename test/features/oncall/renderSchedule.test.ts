/** Restrictions, layer stacking, gaps and overrides: what renderSchedule and whoIsOnCall say. */
import { describe, expect, it } from 'vitest';
import { defineSchedule, renderSchedule, whoIsOnCall, type LayerRestriction, type ScheduleInput, type ScheduleLayerInput, type Shift } from '../../../src/index.js';

const weekly = (members: string[], restrictions?: LayerRestriction[], id = 'l'): ScheduleLayerInput => ({
  id,
  start: '2026-01-05T09:00', // a Monday
  rotation: { every: { amount: 1, unit: 'weeks' } },
  members,
  ...(restrictions === undefined ? {} : { restrictions }),
});

function schedule(layers: ScheduleLayerInput[], overrides: ScheduleInput['overrides'] = [], timeZone = 'UTC') {
  return defineSchedule({ id: 's', name: 'S', timeZone, layers, overrides });
}

/** Shifts as `who start→end` with times shortened to `MM-DDTHH:mm`, for readable expectations. */
function brief(shifts: readonly Shift[]): string[] {
  const t = (iso: string) => iso.slice(5, 16);
  return shifts.map((s) => `${s.source === 'gap' ? '-' : s.userIds.join('+')} ${t(s.start)}→${t(s.end)}${s.source === 'override' ? ' (override)' : ''}`);
}

describe('restrictions', () => {
  it('a daily window ending before it starts spans midnight', () => {
    const s = schedule([weekly(['night'], [{ kind: 'daily', start: '22:00', end: '06:00' }])]);
    expect(brief(renderSchedule(s, { from: '2026-01-06T00:00:00Z', to: '2026-01-08T00:00:00Z' }))).toEqual([
      'night 01-06T00:00→01-06T06:00',
      '- 01-06T06:00→01-06T22:00',
      'night 01-06T22:00→01-07T06:00',
      '- 01-07T06:00→01-07T22:00',
      'night 01-07T22:00→01-08T00:00',
    ]);
  });

  it('a weekly window on Friday 18:00 → 08:00 runs into Saturday morning', () => {
    const s = schedule([weekly(['a'], [{ kind: 'weekly', days: [5], start: '18:00', end: '08:00' }])]);
    expect(brief(renderSchedule(s, { from: '2026-01-08T00:00:00Z', to: '2026-01-11T00:00:00Z' }))).toEqual([
      '- 01-08T00:00→01-09T18:00',
      'a 01-09T18:00→01-10T08:00',
      '- 01-10T08:00→01-11T00:00',
    ]);
  });

  it('weekend days from 00:00 to 00:00 cover the whole weekend as one shift', () => {
    const s = schedule([weekly(['a'], [{ kind: 'weekly', days: [6, 7], start: '00:00', end: '00:00' }])]);
    expect(brief(renderSchedule(s, { from: '2026-01-09T00:00:00Z', to: '2026-01-13T00:00:00Z' }))).toEqual([
      '- 01-09T00:00→01-10T00:00',
      'a 01-10T00:00→01-12T00:00',
      '- 01-12T00:00→01-13T00:00',
    ]);
  });

  it('a restricted layer hands over mid-window: the turn decides who covers each part', () => {
    // Weekly hand-off Monday 09:00, inside a 22:00–10:00 window that opened on Sunday.
    const s = schedule([weekly(['a', 'b'], [{ kind: 'daily', start: '22:00', end: '10:00' }])]);
    expect(brief(renderSchedule(s, { from: '2026-01-11T21:00:00Z', to: '2026-01-12T11:00:00Z' }))).toEqual([
      '- 01-11T21:00→01-11T22:00',
      'a 01-11T22:00→01-12T09:00', // a's week (from 5 January) ends Monday 09:00
      'b 01-12T09:00→01-12T10:00',
      '- 01-12T10:00→01-12T11:00',
    ]);
  });

  it('windows spanning midnight follow the local clock across a DST change', () => {
    const s = schedule([weekly(['night'], [{ kind: 'daily', start: '22:00', end: '06:00' }])], [], 'Europe/Berlin');
    const shifts = renderSchedule(s, { from: '2026-03-28T12:00:00Z', to: '2026-03-29T12:00:00Z' });
    // 28 Mar 22:00 CET = 21:00Z; 29 Mar 06:00 CEST = 04:00Z: a 7-hour night.
    expect(brief(shifts)).toEqual(['- 03-28T12:00→03-28T21:00', 'night 03-28T21:00→03-29T04:00', '- 03-29T04:00→03-29T12:00']);
  });
});

describe('layer stacking', () => {
  const base = weekly(['ana', 'ben'], undefined, 'base');
  const dayTime = weekly(['day'], [{ kind: 'weekly', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }], 'business');

  it('a later layer wins wherever it covers someone; the earlier layer shows through elsewhere', () => {
    const s = schedule([base, dayTime]);
    expect(renderSchedule(s, { from: '2026-01-09T08:00:00Z', to: '2026-01-10T00:00:00Z' })).toEqual([
      { userIds: ['ana'], start: '2026-01-09T08:00:00.000Z', end: '2026-01-09T09:00:00.000Z', source: 'layer', layerId: 'base' },
      { userIds: ['day'], start: '2026-01-09T09:00:00.000Z', end: '2026-01-09T17:00:00.000Z', source: 'layer', layerId: 'business' },
      { userIds: ['ana'], start: '2026-01-09T17:00:00.000Z', end: '2026-01-10T00:00:00.000Z', source: 'layer', layerId: 'base' },
    ]);
  });

  it('the order of layers decides: the same layers reversed never show the restricted one', () => {
    const s = schedule([dayTime, base]);
    expect(brief(renderSchedule(s, { from: '2026-01-09T08:00:00Z', to: '2026-01-10T00:00:00Z' }))).toEqual(['ana 01-09T08:00→01-10T00:00']);
  });

  it('where no layer covers anyone there is a gap; whoIsOnCall says so', () => {
    const s = schedule([dayTime]);
    expect(whoIsOnCall(s, '2026-01-09T20:00:00Z')).toEqual({ userIds: [], shift: null, source: 'gap' });
    expect(whoIsOnCall(s, '2026-01-09T12:00:00Z')).toEqual({
      userIds: ['day'],
      shift: { start: '2026-01-09T09:00:00.000Z', end: '2026-01-09T17:00:00.000Z' },
      source: 'layer',
      layerId: 'business',
    });
  });

  it('the same person from two layers is two shifts, one per layer', () => {
    const s = schedule([weekly(['ana']), weekly(['ana'], [{ kind: 'daily', start: '12:00', end: '13:00' }], 'lunch')]);
    const shifts = renderSchedule(s, { from: '2026-01-06T11:00:00Z', to: '2026-01-06T14:00:00Z' });
    expect(shifts.map((x) => x.layerId)).toEqual(['l', 'lunch', 'l']);
  });
});

describe('overrides', () => {
  const daily = { id: 'd', start: '2026-01-05T09:00', rotation: { every: { amount: 1, unit: 'days' as const } }, members: ['ana', 'ben'] };

  it('an override in the middle of a shift splits it; the layer resumes after', () => {
    const s = schedule([daily], [{ id: 'o', start: '2026-01-05T12:00:00Z', end: '2026-01-05T14:30:00Z', userId: 'zoe' }]);
    expect(renderSchedule(s, { from: '2026-01-05T09:00:00Z', to: '2026-01-06T09:00:00Z' })).toEqual([
      { userIds: ['ana'], start: '2026-01-05T09:00:00.000Z', end: '2026-01-05T12:00:00.000Z', source: 'layer', layerId: 'd' },
      { userIds: ['zoe'], start: '2026-01-05T12:00:00.000Z', end: '2026-01-05T14:30:00.000Z', source: 'override' },
      { userIds: ['ana'], start: '2026-01-05T14:30:00.000Z', end: '2026-01-06T09:00:00.000Z', source: 'layer', layerId: 'd' },
    ]);
    expect(whoIsOnCall(s, '2026-01-05T13:00:00Z')).toEqual({ userIds: ['zoe'], shift: { start: '2026-01-05T12:00:00.000Z', end: '2026-01-05T14:30:00.000Z' }, source: 'override' });
  });

  it('an override across a hand-off starts mid-shift and ends mid-shift of the next person', () => {
    const s = schedule([daily], [{ id: 'o', start: '2026-01-06T06:00:00+01:00', end: '2026-01-06T12:00:00Z', userId: 'zoe' }]);
    expect(brief(renderSchedule(s, { from: '2026-01-05T09:00:00Z', to: '2026-01-07T09:00:00Z' }))).toEqual([
      'ana 01-05T09:00→01-06T05:00',
      'zoe 01-06T05:00→01-06T12:00 (override)',
      'ben 01-06T12:00→01-07T09:00',
    ]);
  });

  it('an override fills a gap, and one that starts before the range is cut at `from`', () => {
    const s = schedule([daily], [{ id: 'o', start: '2026-01-01T00:00:00Z', end: '2026-01-05T10:00:00Z', userId: 'zoe' }]);
    expect(brief(renderSchedule(s, { from: '2026-01-05T00:00:00Z', to: '2026-01-05T12:00:00Z' }))).toEqual([
      'zoe 01-05T00:00→01-05T10:00 (override)',
      'ana 01-05T10:00→01-05T12:00',
    ]);
  });

  it('overlapping overrides put both people on call; `replaces` swaps out only that one', () => {
    const s = schedule(
      [daily],
      [
        { id: 'o1', start: '2026-01-05T10:00:00Z', end: '2026-01-05T16:00:00Z', userId: 'zoe' },
        { id: 'o2', start: '2026-01-05T12:00:00Z', end: '2026-01-05T18:00:00Z', userId: 'yan' },
        { id: 'o3', start: '2026-01-05T13:00:00Z', end: '2026-01-05T14:00:00Z', userId: 'xia', replaces: 'zoe' },
      ],
    );
    expect(brief(renderSchedule(s, { from: '2026-01-05T09:00:00Z', to: '2026-01-05T20:00:00Z' }))).toEqual([
      'ana 01-05T09:00→01-05T10:00',
      'zoe 01-05T10:00→01-05T12:00 (override)',
      'zoe+yan 01-05T12:00→01-05T13:00 (override)',
      'xia+yan 01-05T13:00→01-05T14:00 (override)',
      'zoe+yan 01-05T14:00→01-05T16:00 (override)',
      'yan 01-05T16:00→01-05T18:00 (override)',
      'ana 01-05T18:00→01-05T20:00',
    ]);
  });

  it('`replaces` applies only while that person is on call', () => {
    const s = schedule([daily], [{ id: 'o', start: '2026-01-05T20:00:00Z', end: '2026-01-06T12:00:00Z', userId: 'zoe', replaces: 'ana' }]);
    expect(brief(renderSchedule(s, { from: '2026-01-05T18:00:00Z', to: '2026-01-06T14:00:00Z' }))).toEqual([
      'ana 01-05T18:00→01-05T20:00',
      'zoe 01-05T20:00→01-06T09:00 (override)',
      'ben 01-06T09:00→01-06T14:00',
    ]);
  });

  it('overrides apply in order: a later `replaces` can hand an override on', () => {
    const s = schedule(
      [daily],
      [
        { id: 'o1', start: '2026-01-05T10:00:00Z', end: '2026-01-05T12:00:00Z', userId: 'zoe', replaces: 'ana' },
        { id: 'o2', start: '2026-01-05T11:00:00Z', end: '2026-01-05T12:00:00Z', userId: 'yan', replaces: 'zoe' },
      ],
    );
    expect(brief(renderSchedule(s, { from: '2026-01-05T10:00:00Z', to: '2026-01-05T12:00:00Z' }))).toEqual([
      'zoe 01-05T10:00→01-05T11:00 (override)',
      'yan 01-05T11:00→01-05T12:00 (override)',
    ]);
  });

  it('adjacent overrides putting the same person on call merge into one shift', () => {
    const s = schedule(
      [daily],
      [
        { id: 'o1', start: '2026-01-05T10:00:00Z', end: '2026-01-05T11:00:00Z', userId: 'zoe' },
        { id: 'o2', start: '2026-01-05T11:00:00Z', end: '2026-01-05T12:00:00Z', userId: 'zoe', replaces: 'ana' },
      ],
    );
    expect(brief(renderSchedule(s, { from: '2026-01-05T10:00:00Z', to: '2026-01-05T12:00:00Z' }))).toEqual(['zoe 01-05T10:00→01-05T12:00 (override)']);
  });
});

describe('whoIsOnCall', () => {
  it('reports the merged shift, looked up beyond the first guess', () => {
    const s = schedule([{ id: 'h', start: '2026-01-05T00:00', rotation: { every: { amount: 1, unit: 'hours' } }, members: ['a', 'a', 'a', 'a', 'a', 'a', 'b'] }]);
    expect(whoIsOnCall(s, '2026-01-05T03:30:00Z').shift).toEqual({ start: '2026-01-05T00:00:00.000Z', end: '2026-01-05T06:00:00.000Z' });
  });

  it('a single person forever: the shift runs to where the look-up stops, 366 days ahead', () => {
    const s = schedule([weekly(['solo'])]);
    expect(whoIsOnCall(s, '2026-03-01T00:00:00Z')).toEqual({
      userIds: ['solo'],
      shift: { start: '2026-01-05T09:00:00.000Z', end: '2027-03-02T00:00:00.001Z' },
      source: 'layer',
      layerId: 'l',
    });
  });

  it('accepts a Date, epoch milliseconds or an ISO string with an offset alike', () => {
    const s = schedule([weekly(['a', 'b'])]);
    const at = '2026-01-13T10:00:00+01:00';
    expect(whoIsOnCall(s, new Date(at))).toEqual(whoIsOnCall(s, at));
    expect(whoIsOnCall(s, Date.parse(at))).toEqual(whoIsOnCall(s, at));
    expect(whoIsOnCall(s, at).userIds).toEqual(['b']);
  });
});
