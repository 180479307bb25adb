/**
 * On-call schedules as plain data: layers of rotations, restrictions and overrides, validated
 * once by {@link defineSchedule}. A `Schedule` is JSON: a store can persist it as it is and
 * hand it back to {@link whoIsOnCall} or {@link renderSchedule} after `JSON.parse`.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import type { IsoWeekday } from '../../kernel/calendar.js';
import { isRealDate, parseDate, type CivilDate } from '../../kernel/civilDate.js';
import { parseInput } from '../../kernel/parse.js';
import { canonicalZone, HH_MM, instantOf } from '../../kernel/timeZone.js';
import { idSchema, LIMITS, text, timestampSchema } from '../../model/primitives.js';

/** The unit of a rotation: `hours` is elapsed time; `days` and `weeks` keep the local hand-off time. */
export type RotationUnit = 'hours' | 'days' | 'weeks';

/** How often a layer hands over to its next member, e.g. `{ every: { amount: 1, unit: 'weeks' } }`. */
export interface Rotation {
  readonly every: {
    /** A whole number ≥ 1. */
    readonly amount: number;
    readonly unit: RotationUnit;
  };
}

/** Every day, from `start` to `end` local time (`HH:mm`); an `end` at or before `start` runs past midnight. */
export interface DailyRestriction {
  readonly kind: 'daily';
  readonly start: string;
  readonly end: string;
}

/**
 * On the given ISO weekdays (`1` = Monday … `7` = Sunday), from `start` to `end` local time;
 * an `end` at or before `start` runs into the next day (`{ days: [5], start: '18:00', end: '08:00' }`
 * is Friday evening to Saturday morning).
 */
export interface WeeklyRestriction {
  readonly kind: 'weekly';
  readonly days: readonly IsoWeekday[];
  readonly start: string;
  readonly end: string;
}

/** When a layer covers anyone; outside every restriction of a layer, it covers nobody. */
export type LayerRestriction = DailyRestriction | WeeklyRestriction;

/** A layer as {@link defineSchedule} accepts it. */
export interface ScheduleLayerInput {
  /** Unique within the schedule. */
  readonly id: string;
  readonly name?: string;
  /**
   * A local date-time in the schedule's time zone, `YYYY-MM-DDTHH:mm`: when member 0's first
   * shift begins. Before it the layer covers nobody.
   */
  readonly start: string;
  readonly rotation: Rotation;
  /** User ids in turn order; a member may appear more than once. */
  readonly members: readonly string[];
  /** When the layer covers anyone; absent or empty: always. */
  readonly restrictions?: readonly LayerRestriction[];
}

/** A validated layer. */
export interface ScheduleLayer extends ScheduleLayerInput {
  readonly restrictions: readonly LayerRestriction[];
}

/**
 * For `[start, end)`, `userId` is on call instead of whoever the layers give, or, with
 * `replaces`, instead of that one user only (while that user is on call).
 */
export interface ScheduleOverride {
  /** Unique within the schedule. */
  readonly id: string;
  /** An instant, ISO-8601 with `Z` or an offset (`2026-03-02T09:00:00+01:00`); stored as UTC. */
  readonly start: string;
  /** An instant after `start`. */
  readonly end: string;
  readonly userId: string;
  readonly replaces?: string;
}

/** What {@link defineSchedule} accepts. */
export interface ScheduleInput {
  readonly id: string;
  readonly name: string;
  /** An IANA time zone, e.g. `Europe/Berlin`: the zone of every layer's local times. */
  readonly timeZone: string;
  /** Lowest first: where a later layer covers someone, it wins. */
  readonly layers: readonly ScheduleLayerInput[];
  /** Applied in order, on top of the layers. */
  readonly overrides?: readonly (Omit<ScheduleOverride, 'start' | 'end'> & { readonly start: string | Date; readonly end: string | Date })[];
  /** Tell each incoming person ahead of their shift (for a schedule kept by `engine.schedules`). */
  readonly handoffNotice?: HandoffNotice;
}

/**
 * When `engine.schedules` tells the incoming people of a hand-off, e.g.
 * `{ before: { amount: 30, unit: 'minutes' } }`: at most 7 days ahead.
 */
export interface HandoffNotice {
  readonly before: {
    /** A whole number ≥ 1. */
    readonly amount: number;
    readonly unit: 'minutes' | 'hours' | 'days';
  };
}

/**
 * A validated schedule: plain, frozen JSON data. Time zone canonical, override instants in
 * UTC (`toISOString()` form), restrictions and overrides always present.
 */
export interface Schedule {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly layers: readonly ScheduleLayer[];
  readonly overrides: readonly ScheduleOverride[];
  /** Present when the schedule's incoming people are told ahead of their shifts. */
  readonly handoffNotice?: HandoffNotice;
}

/** Largest numbers of layers, members per layer, restrictions per layer and overrides. */
export const SCHEDULE_LIMITS = { layers: 100, members: 1_000, restrictions: 50, overrides: 10_000, rotationAmount: 10_000 } as const;

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;
const HH_MM_MESSAGE = 'Use a 24-hour local time HH:mm, e.g. 09:00.';
const WEEKDAY_MESSAGE = 'Weekdays are 1 (Monday) … 7 (Sunday).';

const hhmm = /* @__PURE__ */ (() => z.string().regex(HH_MM, HH_MM_MESSAGE))();

const restrictionSchema = /* @__PURE__ */ (() => z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('daily'), start: hhmm, end: hhmm }),
  z.strictObject({
    kind: z.literal('weekly'),
    days: z.array(z.number().int(WEEKDAY_MESSAGE).min(1, WEEKDAY_MESSAGE).max(7, WEEKDAY_MESSAGE)).min(1, 'Name at least one weekday.').max(7),
    start: hhmm,
    end: hhmm,
  }),
]))();

const layerSchema = /* @__PURE__ */ (() => z.strictObject({
  id: idSchema,
  name: text(LIMITS.name).optional(),
  start: z.string().refine((value) => {
    const m = LOCAL_DATE_TIME.exec(value);
    return m !== null && isRealDate(m[1] ?? '');
  }, 'Use a local date-time YYYY-MM-DDTHH:mm in the schedule\'s time zone, e.g. 2026-03-02T09:00.'),
  rotation: z.strictObject({
    every: z.strictObject({
      amount: z
        .number()
        .int('Rotation amounts are whole numbers.')
        .min(1, 'A rotation hands over after 1 or more units.')
        .max(SCHEDULE_LIMITS.rotationAmount),
      unit: z.enum(['hours', 'days', 'weeks']),
    }),
  }),
  members: z.array(idSchema).min(1, 'A layer needs at least one member.').max(SCHEDULE_LIMITS.members),
  restrictions: z.array(restrictionSchema).max(SCHEDULE_LIMITS.restrictions).default([]),
}))();

const overrideSchema = /* @__PURE__ */ (() => z.strictObject({
  id: idSchema,
  start: timestampSchema,
  end: timestampSchema,
  userId: idSchema,
  replaces: idSchema.optional(),
}))();

const scheduleSchema = /* @__PURE__ */ (() => z
  .strictObject({
    id: idSchema,
    name: text(LIMITS.name),
    timeZone: z.string().refine((zone) => canonicalZone(zone) !== undefined, 'Use an IANA time zone such as Europe/Berlin or America/New_York.'),
    layers: z.array(layerSchema).min(1, 'A schedule needs at least one layer.').max(SCHEDULE_LIMITS.layers),
    overrides: z.array(overrideSchema).max(SCHEDULE_LIMITS.overrides).default([]),
    handoffNotice: z
      .strictObject({
        before: z.strictObject({
          amount: z.number().int('Notice amounts are whole numbers.').min(1, 'A notice comes 1 or more units ahead.'),
          unit: z.enum(['minutes', 'hours', 'days']),
        }),
      })
      .refine((notice) => handoffNoticeMs(notice) <= MAX_NOTICE_MS, { message: 'A hand-off notice comes at most 7 days ahead.', path: ['before'] })
      .optional(),
  })
  .superRefine((schedule, ctx) => {
    const layerIds = new Set<string>();
    for (const [i, layer] of schedule.layers.entries()) {
      if (layerIds.has(layer.id)) ctx.addIssue({ code: 'custom', path: ['layers', i, 'id'], message: `Layer id ${layer.id} is used twice.` });
      layerIds.add(layer.id);
    }
    const overrideIds = new Set<string>();
    for (const [i, override] of schedule.overrides.entries()) {
      if (overrideIds.has(override.id)) ctx.addIssue({ code: 'custom', path: ['overrides', i, 'id'], message: `Override id ${override.id} is used twice.` });
      overrideIds.add(override.id);
      if (Date.parse(override.end) <= Date.parse(override.start)) {
        ctx.addIssue({ code: 'custom', path: ['overrides', i, 'end'], message: 'An override must end after it starts.' });
      }
    }
  }))();

/** The longest a hand-off notice may come ahead: 7 days (a literal, see LOOKAROUND_LIMIT_MS). */
const MAX_NOTICE_MS = 604_800_000;

/** How far ahead of a hand-off its notice goes, in milliseconds. @internal */
export function handoffNoticeMs(notice: HandoffNotice): number {
  const { amount, unit } = notice.before;
  return amount * (unit === 'minutes' ? 60_000 : unit === 'hours' ? 3_600_000 : 86_400_000);
}

/** The schedules {@link defineSchedule} returned, so a second call costs nothing. */
const validated = new WeakSet<Schedule>();

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) freezeDeep(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates an on-call schedule and returns it as plain, frozen data.
 *
 * @remarks A schedule is layers of rotations (lowest first; a later layer wins wherever it
 * covers someone) with overrides on top. The result is JSON: persist it as it is, and pass it
 * (or its `JSON.parse`d copy) to {@link whoIsOnCall}, {@link renderSchedule},
 * {@link scheduleLoad} and {@link toICalendar}. Calling `defineSchedule` on its own result
 * returns it unchanged.
 *
 * Rotation rules: `hours` is elapsed time; `days` and `weeks` hand over at the same local time
 * on both sides of a daylight-saving change. A local time the clock skips (spring forward)
 * moves forward by the gap; one it repeats (fall back) is the earlier instant.
 *
 * @example
 * ```ts
 * import { defineSchedule } from 'incidentkit';
 *
 * const primary = defineSchedule({
 *   id: 'sre-primary',
 *   name: 'SRE primary',
 *   timeZone: 'Europe/Berlin',
 *   layers: [
 *     { id: 'weekly', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben', 'chen'] },
 *   ],
 *   overrides: [{ id: 'ovr-1', start: '2026-03-04T18:00:00+01:00', end: '2026-03-05T09:00:00+01:00', userId: 'dora' }],
 * });
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) naming the path of each bad field: an unknown
 * time zone, no layers, a layer without members, a duplicate layer or override id, a malformed
 * local date-time or `HH:mm`, a weekday outside 1…7, a rotation amount below 1, an override
 * that does not end after it starts.
 */
export function defineSchedule(input: ScheduleInput | Schedule): Schedule {
  if (validated.has(input as Schedule)) return input as Schedule;
  const parsed = parseInput(scheduleSchema, input, 'defineSchedule');
  const schedule: Schedule = freezeDeep({
    id: parsed.id,
    name: parsed.name,
    timeZone: canonicalZone(parsed.timeZone) ?? parsed.timeZone,
    layers: parsed.layers.map((layer) => ({
      id: layer.id,
      ...(layer.name === undefined ? {} : { name: layer.name }),
      start: layer.start,
      rotation: { every: { amount: layer.rotation.every.amount, unit: layer.rotation.every.unit } },
      members: [...layer.members],
      restrictions: layer.restrictions.map((r) =>
        r.kind === 'daily'
          ? { kind: 'daily' as const, start: r.start, end: r.end }
          : { kind: 'weekly' as const, days: [...new Set(r.days as IsoWeekday[])].sort(), start: r.start, end: r.end },
      ),
    })),
    overrides: parsed.overrides.map((o) => ({
      id: o.id,
      start: o.start,
      end: o.end,
      userId: o.userId,
      ...(o.replaces === undefined ? {} : { replaces: o.replaces }),
    })),
    ...(parsed.handoffNotice === undefined ? {} : { handoffNotice: { before: { amount: parsed.handoffNotice.before.amount, unit: parsed.handoffNotice.before.unit } } }),
  });
  validated.add(schedule);
  return schedule;
}

/** A local time of day as minutes after midnight. */
export interface LocalTime {
  readonly h: number;
  readonly mi: number;
}

/** A restriction, parsed. `days` holds ISO weekdays (all seven for a daily one). */
export interface CompiledRestriction {
  readonly days: ReadonlySet<number>;
  readonly start: LocalTime;
  readonly end: LocalTime;
  /** The window ends on the next local day (`end` at or before `start`). */
  readonly overnight: boolean;
}

/** A layer, parsed for arithmetic. */
export interface CompiledLayer {
  readonly id: string;
  readonly members: readonly string[];
  readonly unit: RotationUnit;
  /** Hours rotation: the shift length in ms. Days and weeks: in local days. */
  readonly step: number;
  readonly startDate: CivilDate;
  readonly startTime: LocalTime;
  /** The instant of the first hand-off. */
  readonly startMs: number;
  readonly restrictions: readonly CompiledRestriction[];
}

/** An override, parsed. */
export interface CompiledOverride {
  readonly startMs: number;
  readonly endMs: number;
  readonly userId: string;
  readonly replaces: string | undefined;
}

/** A schedule, parsed for arithmetic. */
export interface CompiledSchedule {
  readonly schedule: Schedule;
  readonly timeZone: string;
  readonly layers: readonly CompiledLayer[];
  readonly overrides: readonly CompiledOverride[];
}

const compiledSchedules = new WeakMap<Schedule, CompiledSchedule>();

function localTime(hhmmText: string): LocalTime {
  return { h: Number(hhmmText.slice(0, 2)), mi: Number(hhmmText.slice(3, 5)) };
}

/**
 * The schedule parsed for arithmetic, remembered per schedule object; validates it first unless
 * {@link defineSchedule} made it (a schedule read back from JSON is checked on every call, since
 * its owner may still change it).
 *
 * @internal
 */
export function compileSchedule(input: Schedule): CompiledSchedule {
  const schedule = defineSchedule(input);
  const cached = compiledSchedules.get(schedule);
  if (cached !== undefined) return cached;
  const { timeZone } = schedule;
  const compiled: CompiledSchedule = {
    schedule,
    timeZone,
    layers: schedule.layers.map((layer) => {
      const startDate = parseDate(layer.start.slice(0, 10));
      const startTime = localTime(layer.start.slice(11, 16));
      const { amount, unit } = layer.rotation.every;
      return {
        id: layer.id,
        members: layer.members,
        unit,
        step: unit === 'hours' ? amount * 3_600_000 : unit === 'days' ? amount : amount * 7,
        startDate,
        startTime,
        startMs: instantOf(startDate, startTime.h, startTime.mi, timeZone),
        restrictions: layer.restrictions.map((r) => {
          const start = localTime(r.start);
          const end = localTime(r.end);
          return {
            days: new Set<number>(r.kind === 'daily' ? [1, 2, 3, 4, 5, 6, 7] : r.days),
            start,
            end,
            overnight: end.h * 60 + end.mi <= start.h * 60 + start.mi,
          };
        }),
      };
    }),
    overrides: schedule.overrides.map((o) => ({ startMs: Date.parse(o.start), endMs: Date.parse(o.end), userId: o.userId, replaces: o.replaces })),
  };
  compiledSchedules.set(schedule, compiled);
  return compiled;
}
