/**
 * Properties of random schedules: renderSchedule tiles `[from, to)` exactly, and renderSchedule
 * and whoIsOnCall agree with each other and with a naive reference model that reads the local
 * wall clock through `Intl.DateTimeFormat#format` and decides each instant on its own.
 *
 * The reference compares wall-clock times, which is only sound away from the hours a DST change
 * skips or repeats; so the random local times avoid 01:00–03:59 (the changes in these zones
 * happen there). rotations.test.ts covers the gap and overlap rules themselves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSchedule, renderSchedule, whoIsOnCall, type LayerRestriction, type Schedule, type ScheduleInput, type Shift } from '../../../src/index.js';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'] as const;
const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

// ---------------------------------------------------------------- the reference model

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local wall time of `ms`: epoch day and minutes into the day (fractional). */
function wall(ms: number, timeZone: string): { day: number; minutes: number } {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(f.format(new Date(ms)));
  if (m === null) throw new Error(`unexpected format ${f.format(new Date(ms))}`);
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY;
  const minutes = Number(m[4]) * 60 + Number(m[5]) + (Number(m[6]) + (((ms % 1000) + 1000) % 1000) / 1000) / 60;
  return { day, minutes };
}

/** The instant a local `YYYY-MM-DDTHH:mm` names (outside DST changes): local-as-UTC minus the offset there. */
function instantOfLocal(local: string, timeZone: string): number {
  const asUtc = Date.parse(`${local}:00Z`);
  const offset = (ms: number) => {
    const w = wall(ms, timeZone);
    return w.day * DAY + Math.round(w.minutes * 60_000) - ms;
  };
  return asUtc - offset(asUtc - offset(asUtc));
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const weekday = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;

function inRestriction(r: LayerRestriction, w: { day: number; minutes: number }): boolean {
  const days: readonly number[] = r.kind === 'daily' ? [1, 2, 3, 4, 5, 6, 7] : r.days;
  const start = minutesOf(r.start);
  const end = minutesOf(r.end);
  const overnight = end <= start;
  if (days.includes(weekday(w.day)) && w.minutes >= start && (overnight || w.minutes < end)) return true;
  return overnight && days.includes(weekday(w.day - 1)) && w.minutes < end;
}

interface Answer {
  readonly userIds: readonly string[];
  readonly source: string;
  readonly layerId?: string;
}

/** Who is on call at `t`, decided from scratch. */
function reference(schedule: Schedule, t: number): Answer {
  const w = wall(t, schedule.timeZone);
  let base: Answer = { userIds: [], source: 'gap' };
  for (const layer of [...schedule.layers].reverse()) {
    const startMs = instantOfLocal(layer.start, schedule.timeZone);
    if (t < startMs) continue;
    if (layer.restrictions.length > 0 && !layer.restrictions.some((r) => inRestriction(r, w))) continue;
    const { amount, unit } = layer.rotation.every;
    let turn: number;
    if (unit === 'hours') {
      turn = Math.floor((t - startMs) / (amount * 3_600_000));
    } else {
      const step = unit === 'days' ? amount : amount * 7;
      const elapsed = w.day - Date.parse(`${layer.start.slice(0, 10)}T00:00:00Z`) / DAY;
      turn = Math.floor(elapsed / step);
      if (elapsed % step === 0 && w.minutes < minutesOf(layer.start.slice(11))) turn -= 1;
    }
    base = { userIds: [layer.members[turn % layer.members.length] ?? '?'], source: 'layer', layerId: layer.id };
    break;
  }
  const active = schedule.overrides.filter((o) => Date.parse(o.start) <= t && t < Date.parse(o.end));
  const full = active.filter((o) => o.replaces === undefined);
  let users = full.length > 0 ? [...new Set(full.map((o) => o.userId))] : [...base.userIds];
  let changed = full.length > 0;
  for (const o of active) {
    if (o.replaces === undefined || !users.includes(o.replaces)) continue;
    changed = true;
    users = users.includes(o.userId) && o.userId !== o.replaces ? users.filter((u) => u !== o.replaces) : users.map((u) => (u === o.replaces ? o.userId : u));
  }
  return changed ? { userIds: users, source: 'override' } : base;
}

// ---------------------------------------------------------------- random schedules

const hhmm = fc
  .tuple(fc.constantFrom(0, ...Array.from({ length: 20 }, (_, i) => i + 4)), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${pad(h)}:${pad(m)}`);
const user = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const restriction: fc.Arbitrary<LayerRestriction> = fc.oneof(
  fc.record({ kind: fc.constant('daily' as const), start: hhmm, end: hhmm }),
  fc.record({
    kind: fc.constant('weekly' as const),
    days: fc.uniqueArray(fc.constantFrom<(1 | 2 | 3 | 4 | 5 | 6 | 7)[]>(1, 2, 3, 4, 5, 6, 7), { minLength: 1, maxLength: 7 }),
    start: hhmm,
    end: hhmm,
  }),
);
const T2026 = Date.UTC(2026, 0, 1);

const scenario = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    layers: fc.array(
      fc.record({
        startDay: fc.integer({ min: -40, max: 365 }),
        startTime: hhmm,
        rotation: fc.oneof(
          fc.record({ amount: fc.integer({ min: 1, max: 48 }), unit: fc.constant('hours' as const) }),
          fc.record({ amount: fc.integer({ min: 1, max: 4 }), unit: fc.constant('days' as const) }),
          fc.record({ amount: fc.integer({ min: 1, max: 2 }), unit: fc.constant('weeks' as const) }),
        ),
        members: fc.array(user, { minLength: 1, maxLength: 4 }),
        restrictions: fc.array(restriction, { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    from: fc.integer({ min: T2026, max: T2026 + 365 * DAY }),
    length: fc.integer({ min: 60_000, max: 10 * DAY }),
    overrides: fc.array(
      // Placed as fractions of the range, so they overlap each other and the range often.
      fc.record({
        at: fc.double({ min: -0.2, max: 1, noNaN: true }),
        share: fc.double({ min: 0, max: 0.6, noNaN: true }),
        userId: fc.constantFrom('x', 'y', 'a'),
        replaces: fc.option(fc.constantFrom('a', 'b', 'x'), { nil: undefined }),
      }),
      { maxLength: 5 },
    ),
    probes: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
  })
  .map((s) => {
    const input: ScheduleInput = {
      id: 'p',
      name: 'P',
      timeZone: s.timeZone,
      layers: s.layers.map((l, i) => ({
        id: `l${String(i)}`,
        start: `${new Date(T2026 + l.startDay * DAY).toISOString().slice(0, 10)}T${l.startTime}`,
        rotation: { every: l.rotation },
        members: l.members,
        restrictions: l.restrictions,
      })),
      overrides: s.overrides.map((o, i) => ({
        id: `o${String(i)}`,
        start: new Date(s.from + Math.floor(o.at * s.length)).toISOString(),
        end: new Date(s.from + Math.floor(o.at * s.length) + 60_000 + Math.floor(o.share * s.length)).toISOString(),
        userId: o.userId,
        ...(o.replaces === undefined ? {} : { replaces: o.replaces }),
      })),
    };
    return { schedule: defineSchedule(input), from: s.from, to: s.from + s.length, probes: s.probes };
  });

const answerOf = (shift: Shift): Answer => ({ userIds: shift.userIds, source: shift.source, ...(shift.layerId === undefined ? {} : { layerId: shift.layerId }) });
const sameAnswer = (a: Answer, b: Answer) => a.source === b.source && a.layerId === b.layerId && a.userIds.join('\u0000') === b.userIds.join('\u0000');

describe('renderSchedule and whoIsOnCall on random schedules', () => {
  it('tile [from, to) exactly, with no overlap and no two neighbours saying the same', () => {
    fc.assert(
      fc.property(scenario, ({ schedule, from, to }) => {
        const shifts = renderSchedule(schedule, { from, to });
        expect(shifts[0]?.start).toBe(new Date(from).toISOString());
        expect(shifts.at(-1)?.end).toBe(new Date(to).toISOString());
        for (const [i, shift] of shifts.entries()) {
          expect(Date.parse(shift.start)).toBeLessThan(Date.parse(shift.end));
          expect(shift.source === 'gap').toBe(shift.userIds.length === 0);
          const next = shifts[i + 1];
          if (next === undefined) continue;
          expect(next.start).toBe(shift.end);
          expect(sameAnswer(answerOf(shift), answerOf(next))).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('agree with the reference model at every boundary, just before it, and at random instants', () => {
    fc.assert(
      fc.property(scenario, ({ schedule, from, to, probes }) => {
        const shifts = renderSchedule(schedule, { from, to });
        for (const shift of shifts) {
          const start = Date.parse(shift.start);
          const end = Date.parse(shift.end);
          expect(reference(schedule, start), `at ${shift.start}`).toEqual(answerOf(shift));
          expect(reference(schedule, end - 1), `just before ${shift.end}`).toEqual(answerOf(shift));
        }
        for (const p of probes) {
          const t = Math.min(to - 1, Math.floor(from + p * (to - from)));
          const { shift: _shift, ...answer } = whoIsOnCall(schedule, t);
          expect(answer, `at ${new Date(t).toISOString()}`).toEqual(reference(schedule, t));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('whoIsOnCall at each boundary gives that shift: its people, source, layer and bounds', () => {
    fc.assert(
      fc.property(scenario, ({ schedule, from, to }) => {
        const shifts = renderSchedule(schedule, { from, to });
        for (const [i, shift] of shifts.entries()) {
          const now = whoIsOnCall(schedule, shift.start);
          const { shift: bounds, ...answer } = now;
          expect(answer).toEqual(answerOf(shift));
          if (shift.source === 'gap') {
            expect(bounds).toBeNull();
          } else if (i > 0 && i < shifts.length - 1) {
            expect(bounds).toEqual({ start: shift.start, end: shift.end });
          } else {
            // The first and last shifts are cut at `from` and `to`; whoIsOnCall sees them whole.
            expect(Date.parse(bounds?.start ?? '')).toBeLessThanOrEqual(Date.parse(shift.start));
            expect(Date.parse(bounds?.end ?? '')).toBeGreaterThanOrEqual(Date.parse(shift.end));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rendering a range in two halves gives the same shifts as in one go, split at the cut', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0.01, max: 0.99, noNaN: true }), ({ schedule, from, to }, p) => {
        const cut = Math.floor(from + p * (to - from));
        const whole = renderSchedule(schedule, { from, to });
        const halves = [...renderSchedule(schedule, { from, to: cut }), ...renderSchedule(schedule, { from: cut, to })];
        // Re-merge at the cut: the halves split one shift in two there.
        const merged: Shift[] = [];
        for (const shift of halves) {
          const prev = merged.at(-1);
          if (prev?.end === shift.start && sameAnswer(answerOf(prev), answerOf(shift))) merged[merged.length - 1] = { ...prev, end: shift.end };
          else merged.push(shift);
        }
        expect(merged).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });
});
