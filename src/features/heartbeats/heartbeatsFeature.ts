/**
 * Heartbeats (a dead man's switch): a job that should check in every `interval` beats; when no
 * beat arrives within `interval + grace`, an incident opens through ingest ("No heartbeat from
 * nightly-backup for 25 h"), and the next beat resolves it. Heartbeats are versioned records of
 * kind `heartbeat`; the deadline is one durable timer per heartbeat that every beat moves
 * (`setRecordTimers`, no record version per beat).
 */
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../errors.js';
import { builtInFeature, type EngineCore } from '../../engine/core.js';
import { featureJsonResponse, featureTimerId, type FeatureRoute, type IncidentFeature } from '../../engine/feature.js';
import type { IngestResult } from '../../engine/ingestOptions.js';
import { sealedRecordPages } from '../../engine/recordPages.js';
import { createKeyedQueue } from '../../kernel/keyedQueue.js';
import { parseInput } from '../../kernel/parse.js';
import { formatDuration } from '../../kernel/timeFormat.js';
import { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput } from '../../model/actor.js';
import { idSchema, LIMITS, text, type JsonValue } from '../../model/primitives.js';
import type { Signal } from '../../model/signal.js';
import { requireRecords, retryOnRecordConflict, type RecordStore } from '../../storage/records.js';
import type { Page, StoredRecord, TimerRecord } from '../../storage/types.js';

/** The record kind heartbeats are stored as. */
export const HEARTBEAT_RECORD_KIND = 'heartbeat';

/** A length of time, e.g. `{ amount: 24, unit: 'hours' }`. */
export interface HeartbeatDuration {
  /** A whole number (≥ 1 for an interval, ≥ 0 for a grace). */
  readonly amount: number;
  readonly unit: 'seconds' | 'minutes' | 'hours' | 'days';
}

/** A heartbeat as `engine.heartbeats.put` takes it. */
export interface HeartbeatInput {
  /** Letters, digits and `.`, `_`, `-` (it appears in the beat URL). */
  readonly id: string;
  /** What beats, for people, e.g. `Nightly backup`. Default: the id. */
  readonly name?: string;
  /** The service an incident of this heartbeat is about. */
  readonly service?: string;
  /** How often the job beats: at most 31 days. */
  readonly interval: HeartbeatDuration;
  /** How late a beat may be before the incident opens. Default: none. */
  readonly grace?: HeartbeatDuration;
  /** The incident's severity, a level of the engine's scale. */
  readonly severity: string;
  /** Labels of the signal, e.g. `{ team: 'dba' }` (for maintenance windows and grouping). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A validated heartbeat: name and grace filled in. */
export interface Heartbeat extends HeartbeatInput {
  readonly name: string;
  readonly grace: HeartbeatDuration;
  readonly labels: Readonly<Record<string, string>>;
}

/** A heartbeat as the engine keeps it. */
export interface StoredHeartbeat {
  readonly heartbeat: Heartbeat;
  /** `1` for the first version; every `put` adds one (beats do not). */
  readonly version: number;
  readonly updatedAt: string;
  readonly updatedBy: Actor;
}

/** What `engine.heartbeats.beat` did. */
export interface HeartbeatBeat {
  readonly heartbeatId: string;
  /** When the beat was taken (the engine clock). */
  readonly at: string;
  /** When the heartbeat opens an incident unless another beat comes first. */
  readonly deadline: string;
  /** The incident this beat resolved (it was open because beats had stopped). */
  readonly resolved?: string;
}

/**
 * `engine.heartbeats`: dead man's switches for jobs (backups, batch runs, certificate renewals,
 * an Alertmanager `Watchdog`) that must check in; the missing check-in is the incident.
 *
 * @remarks Writes ask `authorize` about `heartbeat.write`, reads about `heartbeat.read`, beats
 * about `heartbeat.beat` (with `input: { heartbeatId }` and no incident). The store needs the
 * record methods (the built-in stores have them).
 */
export interface HeartbeatsApi {
  /**
   * Validates and stores a heartbeat (the next version). A new heartbeat's first deadline is
   * `interval + grace` from now; a changed one keeps its deadline until its next beat.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) naming the bad field (e.g. a severity not on the engine's scale).
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `heartbeat.write`.
   */
  put(heartbeat: HeartbeatInput, options: { readonly actor: ActorInput }): Promise<StoredHeartbeat>;
  /** @throws NotFoundError (`NOT_FOUND`) for an unknown or removed heartbeat. */
  get(id: string, options?: { readonly actor?: ActorInput }): Promise<StoredHeartbeat>;
  /** One page of the tenant's heartbeats by id (`limit` 1–1 000, default 100); cursors sealed like `engine.list`'s. */
  list(query?: { readonly actor?: ActorInput; readonly cursor?: string; readonly limit?: number }): Promise<Page<StoredHeartbeat>>;
  /** Removes a heartbeat (a tombstone version) and its deadline; an incident it opened stays for people to close. */
  remove(id: string, options: { readonly actor: ActorInput }): Promise<void>;
  /**
   * Takes a beat now: moves the deadline to `interval + grace` from now and resolves the
   * heartbeat's incident if beats had stopped.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown or removed heartbeat.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `heartbeat.beat`.
   */
  beat(id: string, options?: { readonly actor?: ActorInput }): Promise<HeartbeatBeat>;
}

/** The methods the heartbeats feature adds to the engine. */
export interface HeartbeatsFeatureApi {
  /** Dead man's switches: see {@link HeartbeatsApi}. */
  readonly heartbeats: HeartbeatsApi;
}

const UNIT_MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
const MAX_INTERVAL_MS = 2_678_400_000; // 31 days
const ms = (d: HeartbeatDuration): number => d.amount * UNIT_MS[d.unit];
const iso = (t: number): string => new Date(t).toISOString();
/** The source, integration and dedup namespace of heartbeat signals. */
const SOURCE = 'heartbeat';
const EVENT_TYPE = 'HEARTBEAT_MISSED';

const schemas = /* @__PURE__ */ (() => {
  const duration = (min: number) =>
    z.strictObject({ amount: z.number().int('Durations are whole numbers.').min(min).max(1_000_000), unit: z.enum(['seconds', 'minutes', 'hours', 'days']) });
  return {
    heartbeat: z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'A heartbeat id holds 1–100 letters, digits, ., _ or - (it is part of the beat URL).'),
      name: text(LIMITS.name).optional(),
      service: text(LIMITS.name).optional(),
      interval: duration(1).refine((d) => ms(d) <= MAX_INTERVAL_MS, 'A heartbeat beats at least every 31 days.'),
      grace: duration(0).refine((d) => ms(d) <= MAX_INTERVAL_MS, 'A grace is at most 31 days.').optional(),
      severity: z.string().min(1).max(64),
      labels: z.record(z.string().min(1).max(100), z.string().max(LIMITS.labelValue)).optional(),
    }),
    id: idSchema,
    write: z.object({ actor: actorSchema }),
    read: z.object({ actor: actorSchema.optional() }).default({}),
    list: z.object({ actor: actorSchema.optional(), cursor: z.string().min(1).optional(), limit: z.int().min(1).max(1_000).default(100) }).default({ limit: 100 }),
  };
})();

function stored(record: StoredRecord): StoredHeartbeat {
  return { heartbeat: record.value as unknown as Heartbeat, version: record.version, updatedAt: record.updatedAt, updatedBy: record.updatedBy };
}

/**
 * The heartbeats feature: `engine.heartbeats` and `POST /heartbeats/:id`. `ingest` is the engine's
 * (late-bound: the engine exists after its features).
 *
 * @internal
 */
export function heartbeatsFeature(ingest: () => (signals: readonly Signal[]) => Promise<IngestResult[]>): IncidentFeature<'heartbeats', HeartbeatsFeatureApi> {
  return builtInFeature({
    name: 'heartbeats',
    setup(core) {
      const heartbeats = createHeartbeats(core, ingest);
      return {
        api: { heartbeats: heartbeats.api },
        fireTimer: (timer) => heartbeats.missed(timer),
        routes: heartbeatRoutes(heartbeats.api),
      };
    },
  });
}

function createHeartbeats(core: EngineCore, ingest: () => (signals: readonly Signal[]) => Promise<IngestResult[]>) {
  const { tenantId } = core;
  const records = (subject: string): RecordStore => requireRecords(core.store, `engine.heartbeats.${subject}`);
  const serially = createKeyedQueue();
  const pages = sealedRecordPages({ tenantId, cursorSecret: core.cursorSecret, kind: HEARTBEAT_RECORD_KIND });
  const timerId = (id: string): string => featureTimerId('heartbeats', id);

  function deadlineTimer(heartbeat: Heartbeat, lastBeatAt: string): TimerRecord {
    const dueAt = iso(Date.parse(lastBeatAt) + ms(heartbeat.interval) + ms(heartbeat.grace));
    return { tenantId, incidentId: '', timerId: timerId(heartbeat.id), dueAt, event: { type: EVENT_TYPE, heartbeatId: heartbeat.id, lastBeatAt } };
  }

  async function current(subject: string, id: string): Promise<StoredHeartbeat> {
    const record = await records(subject).getRecord(tenantId, HEARTBEAT_RECORD_KIND, id);
    if (record === undefined || record.deleted === true) throw new NotFoundError({ entity: 'heartbeat', id, tenantId });
    return stored(record);
  }

  /** The signal of a heartbeat: firing while beats are missing, resolved by a beat. */
  function signal(heartbeat: Heartbeat, status: 'firing' | 'resolved', at: string, summary: string, lastBeatAt: string): Signal {
    return {
      source: SOURCE,
      integration: SOURCE,
      namespace: SOURCE,
      fingerprint: heartbeat.id,
      status,
      severity: heartbeat.severity,
      summary,
      ...(heartbeat.service === undefined ? {} : { service: heartbeat.service }),
      labels: { ...heartbeat.labels, heartbeat: heartbeat.id },
      annotations: { lastBeatAt },
      startsAt: at,
      ...(status === 'resolved' ? { endsAt: at } : {}),
      links: [],
      raw: null,
    };
  }

  const api: HeartbeatsApi = {
    async put(input, options) {
      const subject = 'heartbeats.put';
      const parsed = parseInput(schemas.heartbeat, input, subject);
      const { actor } = parseInput(schemas.write, options, subject);
      if (!core.severityScale.levels.includes(parsed.severity)) {
        throw new ValidationError(subject, [{ code: 'custom', path: ['severity'], message: `Use a level of the engine's scale: ${core.severityScale.levels.join(', ')}.` }]);
      }
      const heartbeat: Heartbeat = {
        id: parsed.id,
        name: parsed.name ?? parsed.id,
        ...(parsed.service === undefined ? {} : { service: parsed.service }),
        interval: parsed.interval,
        grace: parsed.grace ?? { amount: 0, unit: 'minutes' },
        severity: parsed.severity,
        labels: parsed.labels ?? {},
      };
      const store = records('put');
      return serially(heartbeat.id, () =>
        retryOnRecordConflict(async () => {
          await core.authorize(actor, 'heartbeat.write', undefined, { heartbeatId: heartbeat.id });
          const before = await store.getRecord(tenantId, HEARTBEAT_RECORD_KIND, heartbeat.id);
          const isNew = before === undefined || before.deleted === true;
          const written = await store.putRecord({
            tenantId,
            kind: HEARTBEAT_RECORD_KIND,
            id: heartbeat.id,
            expectedVersion: before?.version ?? 0,
            value: heartbeat as unknown as JsonValue,
            at: core.now(),
            actor,
            // A new heartbeat's first deadline counts from now, as if it had just beaten.
            ...(isNew ? { timers: { set: [deadlineTimer(heartbeat, core.now())] } } : {}),
          });
          return stored(written);
        }),
      );
    },

    async get(id, options) {
      const heartbeatId = parseInput(schemas.id, id, 'heartbeats.get');
      const actor = parseInput(schemas.read, options, 'heartbeats.get').actor ?? SYSTEM_ACTOR;
      await core.authorize(actor, 'heartbeat.read', undefined, { heartbeatId });
      return current('get', heartbeatId);
    },

    async list(query) {
      const subject = 'heartbeats.list';
      const { actor, cursor, limit } = parseInput(schemas.list, query, subject);
      await core.authorize(actor ?? SYSTEM_ACTOR, 'heartbeat.read', undefined, {});
      const page = await pages(records('list'), subject, { cursor, limit });
      return { ...page, items: page.items.map(stored) };
    },

    async remove(id, options) {
      const subject = 'heartbeats.remove';
      const heartbeatId = parseInput(schemas.id, id, subject);
      const { actor } = parseInput(schemas.write, options, subject);
      const store = records('remove');
      await serially(heartbeatId, async () => {
        await core.authorize(actor, 'heartbeat.write', undefined, { heartbeatId });
        const before = await current('remove', heartbeatId);
        await store.putRecord({
          tenantId,
          kind: HEARTBEAT_RECORD_KIND,
          id: heartbeatId,
          expectedVersion: before.version,
          value: null,
          at: core.now(),
          actor,
          timers: { cancel: [timerId(heartbeatId)] },
        });
      });
    },

    async beat(id, options) {
      const subject = 'heartbeats.beat';
      const heartbeatId = parseInput(schemas.id, id, subject);
      const actor = parseInput(schemas.read, options, subject).actor ?? SYSTEM_ACTOR;
      await core.authorize(actor, 'heartbeat.beat', undefined, { heartbeatId });
      const { heartbeat } = await current('beat', heartbeatId);
      const at = core.now();
      const timer = deadlineTimer(heartbeat, at);
      await records('beat').setRecordTimers({ tenantId, set: [timer] });
      // Resolves the heartbeat's incident if beats had stopped; nothing is open otherwise ('ignored').
      const [result] = await ingest()([signal(heartbeat, 'resolved', at, `Heartbeat from ${heartbeat.name} again`, at)]);
      const resolved = result?.outcome === 'resolved' && result.incident !== undefined ? result.incident.id : undefined;
      return { heartbeatId, at, deadline: timer.dueAt, ...(resolved === undefined ? {} : { resolved }) };
    },
  };

  /**
   * A deadline passed without a beat: opens the heartbeat's incident (or counts a repeat on it)
   * and sets the next deadline one interval on, so a heartbeat that stays silent keeps saying so.
   */
  async function missed(timer: TimerRecord): Promise<void> {
    const heartbeatId = timer.event.heartbeatId;
    const lastBeatAt = timer.event.lastBeatAt;
    if (timer.event.type !== EVENT_TYPE || typeof heartbeatId !== 'string' || typeof lastBeatAt !== 'string') return;
    const record = await records('missed').getRecord(tenantId, HEARTBEAT_RECORD_KIND, heartbeatId);
    if (record === undefined || record.deleted === true) return;
    const { heartbeat } = stored(record);
    const now = core.now();
    const silent = formatDuration(Date.parse(now) - Date.parse(lastBeatAt));
    await ingest()([signal(heartbeat, 'firing', timer.dueAt, `No heartbeat from ${heartbeat.name} for ${silent}`, lastBeatAt)]);
    const next = iso(Math.max(Date.parse(now), Date.parse(timer.dueAt)) + ms(heartbeat.interval));
    await records('missed').setRecordTimers({ tenantId, set: [{ ...timer, dueAt: next }] });
  }

  return { api, missed };
}

/** `POST /heartbeats/:id`: a beat, as the authenticated actor (a cron job's `curl -X POST`). */
function heartbeatRoutes(api: HeartbeatsApi): FeatureRoute[] {
  return [
    {
      method: 'POST',
      path: '/heartbeats/:id',
      handle: async (_request, { params, actor }) => featureJsonResponse(await api.beat(params.id ?? '', { actor }), 202),
    },
  ];
}
