/**
 * Change events (deploys, config changes) per service, and "what changed before this broke?":
 * each service's recent changes are a versioned record of kind `changes` (id: the service), and an
 * incident of that service is linked to the changes within the window before it opened.
 */
import { z } from 'zod';
import { builtInFeature, type EngineCore } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { createKeyedQueue } from '../../kernel/keyedQueue.js';
import { parseConfig, parseInput } from '../../kernel/parse.js';
import { toEpochMs, type TimeInput } from '../../kernel/toEpochMs.js';
import { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput } from '../../model/actor.js';
import type { ChangeRef } from '../../model/incident.js';
import type { JsonValue } from '../../model/primitives.js';
import { requireRecords, retryOnRecordConflict } from '../../storage/records.js';

/** The record kind the changes of a service are kept as (one record per service). */
export const CHANGES_RECORD_KIND = 'changes';

/** A change to a service, as `engine.changes` keeps it. */
export interface ChangeEvent extends ChangeRef {
  /** The service that changed. */
  readonly service: string;
  /** When the engine recorded it (ISO-8601 UTC). */
  readonly receivedAt: string;
  /** Details sent with the change (PagerDuty's `custom_details`), as plain JSON. */
  readonly details?: Readonly<Record<string, JsonValue>>;
  /** Who recorded it: a user, or the integration that posted it. */
  readonly recordedBy: Actor;
}

/** What `engine.changes.record` takes. */
export interface RecordChangeInput {
  /** The service that changed, as incidents name it (`declare({ service })`, a signal's `service`). */
  readonly service: string;
  /** What changed, at most 1 024 characters, e.g. `Deployed api v2.31.0`. */
  readonly summary: string;
  /** When it happened; default: now. An ISO-8601 string with an offset, a `Date` or epoch milliseconds. */
  readonly at?: TimeInput;
  /** Where it happened or what made it (a build agent, `git`), at most 255 characters. */
  readonly source?: string;
  /** At most 20 links (a build, a pull request). */
  readonly links?: readonly { readonly href: string; readonly text?: string }[];
  /** Details as plain JSON. */
  readonly details?: Readonly<Record<string, JsonValue>>;
  readonly actor: ActorInput;
}

/** What `engine.changes.recent` takes. */
export interface RecentChangesQuery {
  /** Only changes at or after this time; default: the changes window before now. */
  readonly since?: TimeInput;
  /** At most this many (1–100, default 20), newest first. */
  readonly limit?: number;
  /** Who reads; absent: the engine's system actor. */
  readonly actor?: ActorInput;
}

/**
 * `engine.changes`: deploys and config changes per service, shown on the timelines of that
 * service's incidents that open within the changes window after them.
 *
 * @remarks Kept as a versioned record per service (kind `changes`, every change a new version,
 * so `recordHistory` keeps them all); the record holds the changes of the last window (at most
 * 100). `record` asks `authorize` about `change.record`, `recent` about `change.read` (with
 * `{ service }` as input, no incident). The store needs the record methods (`memoryStore()`,
 * `sqliteStore(db)`, `postgresStore(pool)` have them); otherwise these throw `ConfigError`.
 */
export interface ChangesApi {
  /**
   * Records a change to a service.
   *
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * await engine.changes.record({ service: 'api', summary: 'Deployed api v2.31.0', source: 'ci', actor: { kind: 'integration', id: 'ci' } });
   * const incident = await engine.declare({ title: 'API errors', severity: 'SEV2', service: 'api', actor: { id: 'u_alice' } });
   * // Linked in the creation commit: `incident.recentChanges`, and a CHANGES_LINKED timeline entry.
   * console.log(incident.recentChanges?.[0]?.summary); // 'Deployed api v2.31.0'
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`) for a bad input, e.g. a summary over 1 024 characters.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `change.record`.
   * @throws ConfigError (`CONFIG_INVALID`) when the store lacks the record methods.
   */
  record(input: RecordChangeInput): Promise<ChangeEvent>;
  /**
   * The recent changes of a service, newest first.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a bad query.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `change.read`.
   * @throws ConfigError (`CONFIG_INVALID`) when the store lacks the record methods.
   */
  recent(service: string, query?: RecentChangesQuery): Promise<readonly ChangeEvent[]>;
}

/** The methods the changes feature adds to the engine. */
export interface ChangesFeatureApi {
  readonly changes: ChangesApi;
}

/** Options of `createIncidentEngine` for changes. */
export interface ChangesOptions {
  /**
   * How change events link to incidents: an incident of a service is linked to that service's
   * changes of the last `windowMinutes` (default 120, at most 10 080) before it opened, at most
   * `maxLinked` of them (default 20, at most 100), newest first.
   */
  readonly changes?: { readonly windowMinutes?: number; readonly maxLinked?: number };
}

/** Changes kept per service record, newest first. */
const KEPT = 100;
const MINUTE = 60_000;

const schemas = /* @__PURE__ */ (() => {
  const service = z.string().min(1).max(200);
  const time = z.union([z.string(), z.date(), z.number()]);
  return {
    options: z
      .strictObject({
        windowMinutes: z.int().min(1).max(10_080).default(120),
        maxLinked: z.int().min(1).max(100).default(20),
      })
      .default({ windowMinutes: 120, maxLinked: 20 }),
    service,
    record: z.strictObject({
      service,
      summary: z.string().trim().min(1).max(1_024),
      at: time.optional(),
      source: z.string().min(1).max(255).optional(),
      links: z.array(z.strictObject({ href: z.string().min(1).max(2_048), text: z.string().max(1_024).optional() })).max(20).optional(),
      details: z.record(z.string(), z.json()).optional(),
      actor: actorSchema,
    }),
    recent: z
      .strictObject({ since: time.optional(), limit: z.int().min(1).max(100).default(20), actor: actorSchema.optional() })
      .default({ limit: 20 }),
  };
})();

/** The stored value of a service's record: its changes, newest first. */
interface ChangesRecord {
  readonly changes: readonly ChangeEvent[];
}

const newestFirst = (a: ChangeRef, b: ChangeRef): number => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0);

/** What an incident's timeline shows of a change. */
function refOf(change: ChangeEvent): ChangeRef {
  return {
    id: change.id,
    at: change.at,
    summary: change.summary,
    ...(change.source === undefined ? {} : { source: change.source }),
    ...(change.links === undefined ? {} : { links: change.links }),
  };
}

/**
 * Change events: `engine.changes.record` and `recent`, and the link from an incident of a service
 * to that service's changes shortly before it opened.
 *
 * @remarks The link is recorded in the incident's creation commit (declared or raised by ingest;
 * not imported): `LINK_CHANGES` after `DECLARED`, stored as `CHANGES_LINKED`, by the system actor.
 * It costs one record read per new incident with a service.
 *
 * @internal
 */
export function changesFeature(options: ChangesOptions): IncidentFeature<'changes', ChangesFeatureApi> {
  const config = parseConfig(schemas.options, options.changes, 'createIncidentEngine changes');
  return builtInFeature({
    name: 'changes',
    events: ['LINK_CHANGES'],
    slice: ['recentChanges'],
    setup(core) {
      const changes = createChanges(core, config.windowMinutes);

      /** The changes of `service` within the window before `at`, newest first. */
      async function before(service: string, at: string): Promise<readonly ChangeRef[]> {
        if (typeof core.store.getRecord !== 'function') return [];
        const record = await requireRecords(core.store, 'linking changes').getRecord(core.tenantId, CHANGES_RECORD_KIND, service);
        const since = new Date(Date.parse(at) - config.windowMinutes * MINUTE).toISOString();
        return changesOf(record?.value)
          .filter((change) => change.at >= since && change.at <= at)
          .slice(0, config.maxLinked)
          .map(refOf);
      }

      return {
        api: { changes },
        declare: {
          history: async (input) => {
            if (input.service === undefined) return [];
            const linked = await before(input.service, input.at);
            return linked.length === 0 ? [] : [{ type: 'LINK_CHANGES', changes: linked }];
          },
        },
      };
    },
  });
}

/** The changes of a stored record value (anything unreadable is left out). */
function changesOf(value: JsonValue | undefined): readonly ChangeEvent[] {
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) ? value.changes : undefined;
  return Array.isArray(list) ? (list as unknown as ChangeEvent[]) : [];
}

function createChanges(core: EngineCore, windowMinutes: number): ChangesApi {
  const { tenantId } = core;
  const serially = createKeyedQueue();
  const records = (subject: string) => requireRecords(core.store, `engine.changes.${subject}`);
  const iso = (value: TimeInput, what: string): string => new Date(toEpochMs(value, what)).toISOString();

  return {
    async record(input) {
      const parsed = parseInput(schemas.record, input, 'changes.record');
      const { actor, service } = parsed;
      const store = records('record');
      const receivedAt = core.now();
      const change: ChangeEvent = {
        id: core.ids('change'),
        service,
        summary: parsed.summary,
        at: parsed.at === undefined ? receivedAt : iso(parsed.at, 'changes.record at'),
        receivedAt,
        ...(parsed.source === undefined ? {} : { source: parsed.source }),
        ...(parsed.links === undefined ? {} : { links: parsed.links.map((l) => (l.text === undefined ? { href: l.href } : { href: l.href, text: l.text })) }),
        ...(parsed.details === undefined ? {} : { details: parsed.details }),
        recordedBy: actor,
      };
      await core.authorize(actor, 'change.record', undefined, { service });
      return serially(service, () =>
        retryOnRecordConflict(async () => {
          const current = await store.getRecord(tenantId, CHANGES_RECORD_KIND, service);
          // Only the last window is needed to link new incidents; every version stays in the history.
          const since = new Date(Date.parse(core.now()) - windowMinutes * MINUTE).toISOString();
          const kept = [change, ...changesOf(current?.value).filter((c) => c.at >= since)].sort(newestFirst).slice(0, KEPT);
          const value: ChangesRecord = { changes: kept };
          await store.putRecord({
            tenantId,
            kind: CHANGES_RECORD_KIND,
            id: service,
            expectedVersion: current?.version ?? 0,
            value: value as unknown as JsonValue,
            at: receivedAt,
            actor,
          });
          return change;
        }),
      );
    },

    async recent(service, query) {
      const name = parseInput(schemas.service, service, 'changes.recent');
      const { since, limit, actor } = parseInput(schemas.recent, query, 'changes.recent');
      await core.authorize(actor ?? SYSTEM_ACTOR, 'change.read', undefined, { service: name });
      const from = since === undefined ? new Date(Date.parse(core.now()) - windowMinutes * MINUTE).toISOString() : iso(since, 'changes.recent since');
      const record = await records('recent').getRecord(tenantId, CHANGES_RECORD_KIND, name);
      return changesOf(record?.value)
        .filter((change) => change.at >= from)
        .slice(0, limit);
    },
  };
}
