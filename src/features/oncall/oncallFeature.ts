/**
 * On-call in the engine: schedules kept as versioned records of kind `schedule` (`engine.schedules`),
 * authorized, compare-and-set with reload-and-retry, read back through the pure functions.
 */
import { z } from 'zod';
import { NotFoundError, ValidationError, type ValidationIssue } from '../../errors.js';
import { builtInFeature, type EngineCore } from '../../engine/core.js';
import { featureJsonResponse, type FeatureRoute, type IncidentFeature } from '../../engine/feature.js';
import { sealedRecordPages } from '../../engine/recordPages.js';
import { createKeyedQueue } from '../../kernel/keyedQueue.js';
import { parseInput } from '../../kernel/parse.js';
import type { TimeInput } from '../../kernel/toEpochMs.js';
import { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import { requireRecords, retryOnRecordConflict, type RecordStore } from '../../storage/records.js';
import type { Page, RecordWrite, StoredRecord } from '../../storage/types.js';
import { renderSchedule, whoIsOnCall, type OnCall, type Shift } from './renderSchedule.js';
import { createHandoffNotices, type HandoffNoticeOptions } from './handoffNotices.js';
import { resolveEscalation } from './resolveTargets.js';
import { toICalendar } from './toICalendar.js';
import { defineSchedule, type Schedule, type ScheduleInput, type ScheduleOverride } from './schedule.js';

/** The record kind schedules are stored as. */
export const SCHEDULE_RECORD_KIND = 'schedule';

/** A schedule as the engine keeps it: the validated schedule and the version that holds it. */
export interface StoredSchedule {
  readonly schedule: Schedule;
  /** `1` for the first version; every write (an override added or removed too) adds one. */
  readonly version: number;
  /** When this version was written (ISO-8601 UTC). */
  readonly updatedAt: string;
  /** Who wrote this version. */
  readonly updatedBy: Actor;
}

/** Who writes, and (for `put`) the version the write was computed from. */
export interface ScheduleWriteOptions {
  readonly actor: ActorInput;
}

/** Options of `engine.schedules.put`. */
export interface SchedulePutOptions extends ScheduleWriteOptions {
  /**
   * The version the write was computed from (`0` creates the schedule): a write at any other
   * version raises `RecordConflictError`. Absent: the write replaces whatever version is current.
   */
  readonly expectedVersion?: number;
}

/** Who reads; absent: the engine's system actor (as for `engine.get`). */
export interface ScheduleReadOptions {
  readonly actor?: ActorInput;
}

/** An override as `addOverride` takes it: instants as ISO-8601 strings with an offset, or `Date`s. */
export type ScheduleOverrideInput = Omit<ScheduleOverride, 'start' | 'end'> & { readonly start: string | Date; readonly end: string | Date };

/**
 * `engine.schedules`: on-call schedules kept in the store, versioned and per tenant, with every
 * version kept (`recordHistory` of kind `schedule`).
 *
 * @remarks Writes ask `authorize` about `schedule.write`, reads about `schedule.read` (with the
 * input, e.g. `{ scheduleId }`, and no incident). The store must have the record methods
 * (`memoryStore()`, `sqliteStore(db)`, `postgresStore(pool)` do); an engine over one without them
 * works as before, and these methods throw `ConfigError` (`CONFIG_INVALID`) naming what is missing.
 */
export interface SchedulesApi {
  /**
   * Validates a schedule (as `defineSchedule` does) and stores it as the next version of the
   * schedule with its id.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) naming the bad field, or an override new in this write that ends before now (`['overrides', i, 'end']`).
   * @throws RecordConflictError (`VERSION_CONFLICT`) when `expectedVersion` is given and is not the current version.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `schedule.write`.
   * @throws ConfigError (`CONFIG_INVALID`) when the store lacks the record methods.
   */
  put(schedule: ScheduleInput | Schedule, options: SchedulePutOptions): Promise<StoredSchedule>;
  /**
   * The current version of a schedule.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown (or deleted) schedule.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `schedule.read`.
   */
  get(id: string, options?: ScheduleReadOptions): Promise<StoredSchedule>;
  /**
   * One page of the tenant's schedules, ordered by id (`limit` 1–1 000, default 100). `nextCursor`
   * is sealed like `engine.list`'s (with `cursorSecret`, bound to the tenant): pass it back unchanged.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a cursor this engine did not hand out.
   */
  list(query?: ScheduleReadOptions & { readonly cursor?: string; readonly limit?: number }): Promise<Page<StoredSchedule>>;
  /**
   * Adds an override to a schedule (a new version).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed override, an id the schedule already has (`['override', 'id']`), or one that ends before now (`['override', 'end']`).
   * @throws NotFoundError (`NOT_FOUND`) for an unknown schedule.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `schedule.write`.
   */
  addOverride(id: string, override: ScheduleOverrideInput, options: ScheduleWriteOptions): Promise<StoredSchedule>;
  /**
   * Removes an override that has not started yet (a new version). One that has started is part
   * of what happened and stays.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown schedule or override.
   * @throws ValidationError (`VALIDATION_FAILED`) when the override has already started (`['overrideId']`).
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `schedule.write`.
   */
  removeOverride(id: string, overrideId: string, options: ScheduleWriteOptions): Promise<StoredSchedule>;
  /** Who is on call on a stored schedule at `at` (default: the engine clock's now); see `whoIsOnCall`. */
  whoIsOnCall(id: string, at?: TimeInput, options?: ScheduleReadOptions): Promise<OnCall>;
  /** The final shifts of a stored schedule over `[from, to)`; see `renderSchedule`. */
  render(id: string, range: { readonly from: TimeInput; readonly to: TimeInput } & ScheduleReadOptions): Promise<Shift[]>;
}

/** The methods the on-call feature adds to the engine. */
export interface OncallApi {
  /** On-call schedules in the store: see {@link SchedulesApi}. */
  readonly schedules: SchedulesApi;
}


const schemas = /* @__PURE__ */ (() => ({
  id: z.string().min(1).max(200),
  write: z.object({ actor: actorSchema, expectedVersion: z.int().min(0).max(2_147_483_646).optional() }),
  read: z.object({ actor: actorSchema.optional() }).default({}),
  list: z.object({ actor: actorSchema.optional(), cursor: z.string().min(1).optional(), limit: z.int().min(1).max(1_000).default(100) }).default({ limit: 100 }),
}))();

/** A stored version as the API returns it (the value was validated when it was written; checked again here). */
function storedSchedule(record: StoredRecord): StoredSchedule {
  return { schedule: defineSchedule(record.value as unknown as Schedule), version: record.version, updatedAt: record.updatedAt, updatedBy: record.updatedBy };
}

/** Issues of a `defineSchedule` of `[...overrides, added]` about the added override, as paths under `['override']`. */
function overrideIssues(error: unknown, index: number): ValidationIssue[] | undefined {
  if (!(error instanceof ValidationError)) return undefined;
  return error.details.issues.map((issue) =>
    issue.path[0] === 'overrides' && issue.path[1] === index ? { ...issue, path: ['override', ...issue.path.slice(2)] } : issue,
  );
}

/**
 * The engine side of on-call: `engine.schedules`.
 *
 * @internal
 */
export function oncallFeature(options: HandoffNoticeOptions = {}): IncidentFeature<'oncall', OncallApi> {
  return builtInFeature({
    name: 'oncall',
    setup(core) {
      /** Who is on call on a stored schedule at `at`; nobody when it is unknown or the store keeps no records. */
      const onCall = async (scheduleId: string, at: string): Promise<readonly string[]> => {
        if (typeof core.store.getRecord !== 'function') return [];
        const record = await requireRecords(core.store, 'an escalation to a schedule').getRecord(core.tenantId, SCHEDULE_RECORD_KIND, scheduleId);
        if (record === undefined || record.deleted === true) return [];
        return whoIsOnCall(storedSchedule(record).schedule, at).userIds;
      };
      const notices = createHandoffNotices(core, options);
      const schedules = createSchedules(core, (schedule) => notices.plan(schedule));
      return {
        api: { schedules },
        // A person's escalation resolves its typed targets when it is made, as a timer's does when it fires.
        commandEvent: (draft, stored) => resolveEscalation(draft, stored.incident, core.now(), onCall),
        routes: scheduleRoutes(schedules, core),
        timerEvent: (draft, stored) => resolveEscalation(draft, stored.incident, core.now(), onCall),
        fireTimer: (timer) => (timer.event.type === 'HANDOFF_NOTICE' ? notices.fire(timer) : Promise.resolve()),
      };
    },
  });
}

function createSchedules(core: EngineCore, planNotices: (schedule: Schedule) => Promise<NonNullable<RecordWrite['timers']>>): SchedulesApi {
  const { tenantId } = core;
  // Writes to one schedule from this process run one after the other, as commands on one incident do.
  const serially = createKeyedQueue();
  const records = (subject: string): RecordStore => requireRecords(core.store, `engine.schedules.${subject}`);
  const pages = sealedRecordPages({ tenantId, cursorSecret: core.cursorSecret, kind: SCHEDULE_RECORD_KIND });

  async function read(subject: string, id: unknown, options: unknown): Promise<StoredSchedule> {
    const scheduleId = parseInput(schemas.id, id, `schedules.${subject}`);
    const actor = parseInput(schemas.read, options, `schedules.${subject}`).actor ?? SYSTEM_ACTOR;
    await core.authorize(actor, 'schedule.read', undefined, { scheduleId });
    return current(subject, scheduleId);
  }

  async function current(subject: string, scheduleId: string): Promise<StoredSchedule> {
    const record = await records(subject).getRecord(tenantId, SCHEDULE_RECORD_KIND, scheduleId);
    if (record === undefined || record.deleted === true) throw new NotFoundError({ entity: 'schedule', id: scheduleId, tenantId });
    return storedSchedule(record);
  }

  /**
   * Writes the schedule `change` makes of the current version, at that version; on a concurrent
   * write, reloads and asks `change` again (it may refuse against the newer version).
   */
  function write(
    subject: string,
    scheduleId: string,
    actor: Actor,
    input: Readonly<Record<string, unknown>>,
    change: (before: StoredSchedule | undefined) => { readonly schedule: Schedule; readonly expectedVersion: number },
  ): Promise<StoredSchedule> {
    const store = records(subject);
    // A caller who named the version gets the conflict; otherwise another writer got there first: reload.
    return serially(scheduleId, () =>
      retryOnRecordConflict(
        async () => {
          await core.authorize(actor, 'schedule.write', undefined, { scheduleId, ...input });
          const record = await store.getRecord(tenantId, SCHEDULE_RECORD_KIND, scheduleId);
          const before = record === undefined || record.deleted === true ? undefined : storedSchedule(record);
          const { schedule, expectedVersion } = change(before);
          // Hand-off notices: the timer of the next one is written with the version that plans it.
          const timers = schedule.handoffNotice === undefined && before?.schedule.handoffNotice === undefined ? undefined : await planNotices(schedule);
          const written = await store.putRecord({
            tenantId,
            kind: SCHEDULE_RECORD_KIND,
            id: scheduleId,
            expectedVersion,
            value: schedule as unknown as JsonValue,
            at: core.now(),
            actor,
            ...(timers === undefined ? {} : { timers }),
          });
          return { schedule, version: written.version, updatedAt: written.updatedAt, updatedBy: written.updatedBy };
        },
        { pinned: input.expectedVersion !== undefined },
      ),
    );
  }

  return {
    async put(input, options) {
      const subject = 'schedules.put';
      const schedule = defineSchedule(input);
      const { actor, expectedVersion } = parseInput(schemas.write, options, subject);
      return write('put', schedule.id, actor, expectedVersion === undefined ? {} : { expectedVersion }, (before) => {
        const now = Date.parse(core.now());
        const known = new Set((before?.schedule.overrides ?? []).map((o) => JSON.stringify(o)));
        const issues: ValidationIssue[] = [];
        for (const [i, override] of schedule.overrides.entries()) {
          if (!known.has(JSON.stringify(override)) && Date.parse(override.end) <= now) {
            issues.push({ code: 'custom', path: ['overrides', i, 'end'], message: `Override ${override.id} ends before now (${core.now()}); an override in the past would rewrite history.` });
          }
        }
        if (issues.length > 0) throw new ValidationError(subject, issues);
        return { schedule, expectedVersion: expectedVersion ?? before?.version ?? 0 };
      });
    },

    get: (id, options) => read('get', id, options),

    async list(query) {
      const subject = 'schedules.list';
      const { actor, cursor, limit } = parseInput(schemas.list, query, subject);
      await core.authorize(actor ?? SYSTEM_ACTOR, 'schedule.read', undefined, {});
      // Sealed like incident cursors: bound to the tenant and this kind, refused when forged or another engine's.
      const page = await pages(records('list'), subject, { cursor, limit });
      return { ...page, items: page.items.map(storedSchedule) };
    },

    async addOverride(id, override, options) {
      const subject = 'schedules.addOverride';
      const scheduleId = parseInput(schemas.id, id, subject);
      const { actor } = parseInput(schemas.write, options, subject);
      return write('addOverride', scheduleId, actor, { override }, (before) => {
        if (before === undefined) throw new NotFoundError({ entity: 'schedule', id: scheduleId, tenantId });
        const index = before.schedule.overrides.length;
        let schedule: Schedule;
        try {
          schedule = defineSchedule({ ...before.schedule, overrides: [...before.schedule.overrides, override] });
        } catch (error) {
          const issues = overrideIssues(error, index);
          throw issues === undefined ? error : new ValidationError(subject, issues, error);
        }
        const added = schedule.overrides[index];
        if (added !== undefined && Date.parse(added.end) <= Date.parse(core.now())) {
          throw new ValidationError(subject, [
            { code: 'custom', path: ['override', 'end'], message: `The override ends before now (${core.now()}); an override in the past would rewrite history.` },
          ]);
        }
        return { schedule, expectedVersion: before.version };
      });
    },

    async removeOverride(id, overrideId, options) {
      const subject = 'schedules.removeOverride';
      const scheduleId = parseInput(schemas.id, id, subject);
      const removed = parseInput(schemas.id, overrideId, subject);
      const { actor } = parseInput(schemas.write, options, subject);
      return write('removeOverride', scheduleId, actor, { overrideId: removed }, (before) => {
        if (before === undefined) throw new NotFoundError({ entity: 'schedule', id: scheduleId, tenantId });
        const override = before.schedule.overrides.find((o) => o.id === removed);
        if (override === undefined) throw new NotFoundError({ entity: 'override', id: removed, tenantId });
        if (Date.parse(override.start) <= Date.parse(core.now())) {
          throw new ValidationError(subject, [
            { code: 'custom', path: ['overrideId'], message: `Override ${removed} started at ${override.start}; an override that has started is part of what happened and cannot be removed (add another one to change what follows).` },
          ]);
        }
        const schedule = defineSchedule({ ...before.schedule, overrides: before.schedule.overrides.filter((o) => o.id !== removed) });
        return { schedule, expectedVersion: before.version };
      });
    },

    async whoIsOnCall(id, at, options) {
      const stored = await read('whoIsOnCall', id, options);
      return whoIsOnCall(stored.schedule, at ?? core.now());
    },

    async render(id, range) {
      const { from, to, ...options } = range;
      const stored = await read('render', id, options);
      return renderSchedule(stored.schedule, { from, to });
    },
  };
}

/** How far a calendar feed reaches without `from`/`to`: a week back, 90 days ahead. */
const FEED_BEFORE_MS = 7 * 86_400_000;
const FEED_AFTER_MS = 90 * 86_400_000;

/**
 * The read routes of `createIncidentHandler` for schedules, as the authenticated actor:
 * `GET /schedules/:id/oncall?at=`, `GET /schedules/:id/shifts?from=&to=` and
 * `GET /schedules/:id/calendar.ics?userId=&from=&to=`.
 */
function scheduleRoutes(schedules: SchedulesApi, core: EngineCore): FeatureRoute[] {
  const query = (request: Request, name: string): string | undefined => new URL(request.url).searchParams.get(name) ?? undefined;
  const required = (request: Request, name: string): string => {
    const value = query(request, name);
    if (value !== undefined) return value;
    throw new ValidationError('GET /schedules/:id/shifts', [{ code: 'invalid_type', path: [name], message: `Required: ?${name}= an instant, ISO-8601 with an offset (e.g. 2026-03-09T00:00:00Z).` }]);
  };
  return [
    {
      method: 'GET',
      path: '/schedules/:id/oncall',
      handle: async (request, { params, actor }) => featureJsonResponse(await schedules.whoIsOnCall(params.id ?? '', query(request, 'at'), { actor })),
    },
    {
      method: 'GET',
      path: '/schedules/:id/shifts',
      handle: async (request, { params, actor }) =>
        featureJsonResponse({ shifts: await schedules.render(params.id ?? '', { from: required(request, 'from'), to: required(request, 'to'), actor }) }),
    },
    {
      method: 'GET',
      path: '/schedules/:id/calendar.ics',
      handle: async (request, { params, actor }) => {
        const stored = await schedules.get(params.id ?? '', { actor });
        const now = Date.parse(core.now());
        const userId = query(request, 'userId');
        const text = toICalendar(stored.schedule, {
          from: query(request, 'from') ?? now - FEED_BEFORE_MS,
          to: query(request, 'to') ?? now + FEED_AFTER_MS,
          dtstamp: stored.updatedAt,
          ...(userId === undefined ? {} : { userId }),
        });
        return new Response(text, { headers: { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } });
      },
    },
  ];
}
