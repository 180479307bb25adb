import { describe, expect, it } from 'vitest';
import { defineSchedule, renderSchedule, scheduleLoad, toICalendar, whoIsOnCall, type ScheduleInput } from '../../../src/index.js';
import { thrown } from '../../helpers.js';

const valid: ScheduleInput = {
  id: 'sre',
  name: 'SRE primary',
  timeZone: 'Europe/Berlin',
  layers: [
    {
      id: 'weekly',
      name: 'Weekly',
      start: '2026-03-02T09:00',
      rotation: { every: { amount: 1, unit: 'weeks' } },
      members: ['ana', 'ben', 'ana'],
      restrictions: [{ kind: 'weekly', days: [5, 1, 1], start: '18:00', end: '08:00' }],
    },
  ],
  overrides: [{ id: 'o1', start: '2026-03-04T18:00:00+01:00', end: new Date('2026-03-05T08:00:00Z'), userId: 'dora', replaces: 'ana' }],
};

/** The paths of the issues `run` is refused with (it must throw VALIDATION_FAILED). */
function pathsOf(run: () => unknown): (readonly PropertyKey[])[] {
  return thrown(run, 'VALIDATION_FAILED').details.issues.map((issue) => issue.path);
}

function withLayer(patch: Record<string, unknown>): unknown {
  return { ...valid, layers: [{ ...valid.layers[0], ...patch }] };
}

describe('defineSchedule', () => {
  it('returns plain, frozen JSON data: canonical zone, UTC overrides, sorted weekdays, restrictions and overrides present', () => {
    const schedule = defineSchedule({ ...valid, timeZone: 'europe/berlin' });
    expect(schedule).toEqual({
      id: 'sre',
      name: 'SRE primary',
      timeZone: 'Europe/Berlin',
      layers: [
        {
          id: 'weekly',
          name: 'Weekly',
          start: '2026-03-02T09:00',
          rotation: { every: { amount: 1, unit: 'weeks' } },
          members: ['ana', 'ben', 'ana'],
          restrictions: [{ kind: 'weekly', days: [1, 5], start: '18:00', end: '08:00' }],
        },
      ],
      overrides: [{ id: 'o1', start: '2026-03-04T17:00:00.000Z', end: '2026-03-05T08:00:00.000Z', userId: 'dora', replaces: 'ana' }],
    });
    expect(Object.isFrozen(schedule)).toBe(true);
    expect(Object.isFrozen(schedule.layers[0]?.members)).toBe(true);
    expect(defineSchedule({ ...valid, overrides: undefined as never }).overrides).toEqual([]);
    expect(defineSchedule({ ...valid, layers: [{ ...valid.layers[0]!, restrictions: undefined as never }] }).layers[0]?.restrictions).toEqual([]);
  });

  it('is idempotent, and a JSON round trip gives an equal schedule the functions accept', () => {
    const schedule = defineSchedule(valid);
    expect(defineSchedule(schedule)).toBe(schedule);
    const copy = JSON.parse(JSON.stringify(schedule)) as typeof schedule;
    expect(defineSchedule(copy)).toEqual(schedule);
    const range = { from: '2026-03-02T00:00:00Z', to: '2026-03-20T00:00:00Z' };
    expect(renderSchedule(copy, range)).toEqual(renderSchedule(schedule, range));
    expect(whoIsOnCall(copy, '2026-03-06T20:00:00Z')).toEqual(whoIsOnCall(schedule, '2026-03-06T20:00:00Z'));
  });

  it('checks a schedule read back from storage before using it', () => {
    const tampered = { ...JSON.parse(JSON.stringify(defineSchedule(valid))), timeZone: 'Mars/Olympus' } as ReturnType<typeof defineSchedule>;
    expect(pathsOf(() => whoIsOnCall(tampered, '2026-03-06T20:00:00Z'))).toEqual([['timeZone']]);
    expect(pathsOf(() => renderSchedule(tampered, { from: 0, to: 1 }))).toEqual([['timeZone']]);
    expect(pathsOf(() => scheduleLoad(tampered, { from: 0, to: 1 }))).toEqual([['timeZone']]);
    expect(pathsOf(() => toICalendar(tampered, { from: 0, to: 1 }))).toEqual([['timeZone']]);
  });

  it.each([
    ['an unknown time zone', { ...valid, timeZone: 'Europe/Atlantis' }, ['timeZone']],
    ['no layers', { ...valid, layers: [] }, ['layers']],
    ['empty members', withLayer({ members: [] }), ['layers', 0, 'members']],
    ['an empty member id', withLayer({ members: ['ana', ' '] }), ['layers', 0, 'members', 1]],
    ['a malformed local start', withLayer({ start: '2026-03-02 09:00' }), ['layers', 0, 'start']],
    ['a start with an offset', withLayer({ start: '2026-03-02T09:00Z' }), ['layers', 0, 'start']],
    ['an impossible start date', withLayer({ start: '2026-02-30T09:00' }), ['layers', 0, 'start']],
    ['an hour 24', withLayer({ start: '2026-03-02T24:00' }), ['layers', 0, 'start']],
    ['a rotation amount of 0', withLayer({ rotation: { every: { amount: 0, unit: 'days' } } }), ['layers', 0, 'rotation', 'every', 'amount']],
    ['a negative rotation amount', withLayer({ rotation: { every: { amount: -1, unit: 'hours' } } }), ['layers', 0, 'rotation', 'every', 'amount']],
    ['a fractional rotation amount', withLayer({ rotation: { every: { amount: 1.5, unit: 'hours' } } }), ['layers', 0, 'rotation', 'every', 'amount']],
    ['an unknown rotation unit', withLayer({ rotation: { every: { amount: 1, unit: 'months' } } }), ['layers', 0, 'rotation', 'every', 'unit']],
    ['a malformed HH:mm', withLayer({ restrictions: [{ kind: 'daily', start: '9:00', end: '17:00' }] }), ['layers', 0, 'restrictions', 0, 'start']],
    ['minute 60', withLayer({ restrictions: [{ kind: 'daily', start: '09:00', end: '17:60' }] }), ['layers', 0, 'restrictions', 0, 'end']],
    ['weekday 0', withLayer({ restrictions: [{ kind: 'weekly', days: [0], start: '09:00', end: '17:00' }] }), ['layers', 0, 'restrictions', 0, 'days', 0]],
    ['weekday 8', withLayer({ restrictions: [{ kind: 'weekly', days: [1, 8], start: '09:00', end: '17:00' }] }), ['layers', 0, 'restrictions', 0, 'days', 1]],
    ['no weekdays', withLayer({ restrictions: [{ kind: 'weekly', days: [], start: '09:00', end: '17:00' }] }), ['layers', 0, 'restrictions', 0, 'days']],
    ['an unknown field', withLayer({ colour: 'red' }), ['layers', 0]],
    [
      'a duplicate layer id',
      { ...valid, layers: [valid.layers[0], { ...valid.layers[0], name: 'Again' }] },
      ['layers', 1, 'id'],
    ],
    [
      'a duplicate override id',
      { ...valid, overrides: [...(valid.overrides ?? []), { id: 'o1', start: '2026-03-06T00:00:00Z', end: '2026-03-07T00:00:00Z', userId: 'eve' }] },
      ['overrides', 1, 'id'],
    ],
    ['an override ending at its start', { ...valid, overrides: [{ id: 'o', start: '2026-03-06T00:00:00Z', end: '2026-03-06T01:00:00+01:00', userId: 'eve' }] }, ['overrides', 0, 'end']],
    ['an override ending before its start', { ...valid, overrides: [{ id: 'o', start: '2026-03-06T00:00:00Z', end: '2026-03-05T00:00:00Z', userId: 'eve' }] }, ['overrides', 0, 'end']],
    ['an override time without an offset', { ...valid, overrides: [{ id: 'o', start: '2026-03-06T00:00:00', end: '2026-03-07T00:00:00Z', userId: 'eve' }] }, ['overrides', 0, 'start']],
    ['an override without a user', { ...valid, overrides: [{ id: 'o', start: '2026-03-06T00:00:00Z', end: '2026-03-07T00:00:00Z' }] }, ['overrides', 0, 'userId']],
  ])('refuses %s, naming the path', (_, input, path) => {
    expect(pathsOf(() => defineSchedule(input as ScheduleInput))).toContainEqual(path);
  });

  it('keeps a hand-off notice, and refuses one over 7 days ahead or of a bad unit, naming the field', () => {
    const base = { id: 'p', name: 'P', timeZone: 'UTC', layers: [{ id: 'l', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'days' as const } }, members: ['a'] }] };
    expect(defineSchedule({ ...base, handoffNotice: { before: { amount: 7, unit: 'days' } } }).handoffNotice).toEqual({ before: { amount: 7, unit: 'days' } });
    expect(defineSchedule(base).handoffNotice).toBeUndefined();
    const tooFar = thrown(() => defineSchedule({ ...base, handoffNotice: { before: { amount: 10_081, unit: 'minutes' } } }), 'VALIDATION_FAILED');
    expect(tooFar.details.issues).toEqual([expect.objectContaining({ path: ['handoffNotice', 'before'], message: 'A hand-off notice comes at most 7 days ahead.' })]);
    const badUnit = thrown(() => defineSchedule({ ...base, handoffNotice: { before: { amount: 1, unit: 'weeks' as 'days' } } }), 'VALIDATION_FAILED');
    expect(badUnit.details.issues[0]?.path).toEqual(['handoffNotice', 'before', 'unit']);
  });

  it('refuses what is not an object at all', () => {
    expect(pathsOf(() => defineSchedule(null as unknown as ScheduleInput))).toEqual([[]]);
    expect(thrown(() => defineSchedule('x' as unknown as ScheduleInput), 'VALIDATION_FAILED').message).toMatch(/^Invalid input for defineSchedule:/);
  });
});

describe('range checks', () => {
  const schedule = defineSchedule(valid);

  it('refuses `to` before `from` and ranges over two years, naming `to`', () => {
    expect(pathsOf(() => renderSchedule(schedule, { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }))).toEqual([['to']]);
    expect(pathsOf(() => renderSchedule(schedule, { from: '2026-01-01T00:00:00Z', to: '2028-01-02T00:00:01Z' }))).toEqual([['to']]);
    expect(renderSchedule(schedule, { from: '2026-01-01T00:00:00Z', to: '2028-01-02T00:00:00Z' }).length).toBeGreaterThan(0);
    expect(pathsOf(() => scheduleLoad(schedule, { from: 10, to: 5 }))).toEqual([['to']]);
    expect(pathsOf(() => toICalendar(schedule, { from: 10, to: 5 }))).toEqual([['to']]);
  });

  it('refuses what is not an instant, naming the field', () => {
    expect(pathsOf(() => renderSchedule(schedule, { from: 'yesterday', to: Number.NaN }))).toEqual([['from'], ['to']]);
    expect(pathsOf(() => whoIsOnCall(schedule, 'soon'))).toEqual([['at']]);
    expect(pathsOf(() => whoIsOnCall(schedule, 1e20))).toEqual([['at']]);
    expect(pathsOf(() => renderSchedule(schedule, undefined as never))).toEqual([[]]);
    expect(pathsOf(() => toICalendar(schedule, { from: 0, to: 1, dtstamp: 'never' }))).toEqual([['dtstamp']]);
    expect(pathsOf(() => toICalendar(schedule, { from: 0, to: 1, userId: '' }))).toEqual([['userId']]);
  });

  it('an empty range has no shifts', () => {
    expect(renderSchedule(schedule, { from: '2026-03-02T00:00:00Z', to: '2026-03-02T00:00:00Z' })).toEqual([]);
  });
});
