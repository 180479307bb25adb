/**
 * Scheduled maintenance of a status page: `engine.scheduleMaintenance` and
 * `engine.updateMaintenance`. A maintenance is a versioned record (kind
 * `statusPage.maintenance`) that moves `scheduled → in_progress → verifying → completed`, by hand
 * or on durable feature timers set in the same write as the record. While it is `in_progress` or
 * `verifying`, its components show `under_maintenance` and the signals of their linked services
 * are suppressed by the routing feature's maintenance windows (`engine.maintenance`): one
 * mechanism, not two.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { NotFoundError, ValidationError, type ValidationIssue } from '../../errors.js';
import type { EngineCore } from '../../engine/core.js';
import { featureTimerId } from '../../engine/feature.js';
import { createKeyedQueue } from '../../kernel/keyedQueue.js';
import { parseInput } from '../../kernel/parse.js';
import { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput } from '../../model/actor.js';
import { LIMITS, text, type JsonValue } from '../../model/primitives.js';
import { requireRecords, retryOnRecordConflict } from '../../storage/records.js';
import type { OutboxRecord, StoredRecord, TimerRecord } from '../../storage/types.js';
import { MAINTENANCE_STATUSES, type AffectedComponent, type MaintenanceStatus, type ScheduledMaintenance, type StatusPage } from './snapshot.js';
import type { StatusPageUpdate } from './subscribers.js';

/** The record kind scheduled maintenances are kept under (one record per maintenance, id = its id). */
export const STATUS_PAGE_MAINTENANCE_RECORD_KIND = 'statusPage.maintenance';
/** Public updates one maintenance may have. */
const MAX_UPDATES = 500;
const FEATURE = 'statusPage';
/** The type of the feature timers that move a maintenance (and repair what follows a write). */
export const MAINTENANCE_TIMER_EVENT = 'STATUS_PAGE_MAINTENANCE';

/** What `engine.scheduleMaintenance` takes. */
export interface ScheduleMaintenanceInput {
  /** The page to show it on; may be left out while the tenant has exactly one page. */
  readonly pageId?: string;
  /** The public name. */
  readonly name: string;
  /** The ids of the components under maintenance (at least one). */
  readonly components: readonly string[];
  /** When it begins (ISO-8601 or `Date`). */
  readonly scheduledFor: string | Date;
  /** When it ends (ISO-8601 or `Date`): after `scheduledFor`, and not in the past. */
  readonly scheduledUntil: string | Date;
  /** The first public update's text (status `scheduled`). */
  readonly body: string;
  /**
   * `true` (default): it starts (`in_progress`) at `scheduledFor` and completes at
   * `scheduledUntil` on durable timers. `verifying` is only ever set by hand.
   */
  readonly autoTransition?: boolean;
  readonly actor: ActorInput;
}

/** What `engine.updateMaintenance` takes. */
export interface MaintenanceUpdateInput {
  /** The new status (forward only: `scheduled → in_progress → verifying → completed`); absent: it keeps its status. */
  readonly status?: MaintenanceStatus;
  readonly body: string;
  readonly actor: ActorInput;
}

/** A scheduled maintenance as the engine returns it: what the page shows, and how it is kept. */
export interface StoredMaintenance extends ScheduledMaintenance {
  readonly pageId: string;
  readonly autoTransition: boolean;
  /** The record's version. */
  readonly version: number;
}

/** The methods scheduled maintenance adds to the engine (part of the status page feature). */
export interface MaintenanceScheduleApi {
  /**
   * Schedules a maintenance on a status page, with a first public update (`scheduled`). With
   * `autoTransition` (default) durable timers start it at `scheduledFor` and complete it at
   * `scheduledUntil`; `engine.tick()`/`engine.runWorkers()` fire them.
   *
   * @remarks While it is `in_progress` or `verifying`, its components show `under_maintenance`
   * (in their history too, so uptime counts it as up), and a maintenance window
   * (`engine.maintenance`, written in the name of whoever scheduled it, id `<maintenance id>.<n>`)
   * per service linked to them suppresses their signals from when it started until
   * `scheduledUntil`, or until it completes when that comes first. Asks `authorize` about
   * `publish`, and about `maintenance.write` when its components are linked to services.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, an unknown page or component, an end not after the start or in the past, or no `pageId` while the tenant has several pages.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `publish` or `maintenance.write`.
   * @throws ConfigError (`CONFIG_INVALID`) when the store lacks the record methods.
   */
  scheduleMaintenance(input: ScheduleMaintenanceInput): Promise<StoredMaintenance>;
  /**
   * Posts a public update of a maintenance, and moves it forward when `status` says so (e.g.
   * `in_progress` early, `verifying`, `completed` early).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, a status that goes back, or a completed maintenance.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown maintenance.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `publish`.
   */
  updateMaintenance(id: string, input: MaintenanceUpdateInput): Promise<StoredMaintenance>;
}

/** What a maintenance record holds. @internal */
export interface MaintenanceValue {
  readonly pageId: string;
  readonly name: string;
  readonly components: readonly string[];
  readonly scheduledFor: string;
  readonly scheduledUntil: string;
  readonly autoTransition: boolean;
  readonly status: MaintenanceStatus;
  readonly createdAt: string;
  /** Who scheduled it: the maintenance windows are written in their name. */
  readonly createdBy: Actor;
  readonly updatedAt: string;
  readonly resolvedAt?: string;
  /** When it last entered `in_progress` (its windows start then). */
  readonly startedAt?: string;
  /** Oldest first. */
  readonly updates: readonly { readonly id: string; readonly status: MaintenanceStatus; readonly body: string; readonly at: string; readonly affected: readonly AffectedComponent[] }[];
}

/**
 * The part of `engine.maintenance` (the routing feature's maintenance windows) a scheduled
 * maintenance writes through; declared here because features do not import each other.
 * @internal
 */
export interface MaintenanceWindows {
  create(
    window: { readonly id: string; readonly start: string; readonly end: string; readonly service: string; readonly reason: string },
    options: { readonly actor: ActorInput },
  ): Promise<{ readonly id: string }>;
  list(query: { readonly ended: boolean }): Promise<readonly { readonly id: string; readonly end: string }[]>;
  end(id: string, options: { readonly actor: ActorInput }): Promise<unknown>;
}

/** What the maintenance module needs from the rest of the feature. @internal */
export interface MaintenanceDeps {
  /** The page `pageId` names, or the only one (as `engine.publish` resolves it). */
  readonly resolvePage: (pageId: string | undefined, subject: string) => Promise<StatusPage>;
  /** The page of an existing maintenance, if it still exists. */
  readonly findPage: (pageId: string, subject: string) => Promise<StatusPage | undefined>;
  /** Holds (or, with `undefined`, releases) a maintenance's components as `under_maintenance` from `at`; idempotent. */
  readonly hold: (page: StatusPage, maintenanceId: string, components: readonly string[] | undefined, at: string) => Promise<void>;
  /** The component changes holding (or releasing) would make, for the update's `affected`. */
  readonly wouldChange: (page: StatusPage, maintenanceId: string, components: readonly string[] | undefined) => Promise<readonly AffectedComponent[]>;
  /** `engine.maintenance`, once the engine exists. */
  readonly windows: () => MaintenanceWindows;
  /** The outbox messages that tell the page's subscribers of a change (written with it). */
  readonly tell: (update: StatusPageUpdate) => OutboxRecord[];
}

const RANK: Readonly<Record<MaintenanceStatus, number>> = { scheduled: 0, in_progress: 1, verifying: 2, completed: 3 };
const ACTIVE: ReadonlySet<MaintenanceStatus> = /* @__PURE__ */ new Set(['in_progress', 'verifying']);

const schemas = /* @__PURE__ */ (() => {
  const key = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Use 1 to 64 letters, digits, - or _.');
  const instant = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => new Date(value).toISOString());
  return {
    id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'A maintenance id holds 1 to 100 letters, digits, - or _.'),
    schedule: z.strictObject({
      pageId: key.optional(),
      name: text(LIMITS.title),
      components: z.array(key).min(1, 'Name at least one component.').max(200),
      scheduledFor: instant,
      scheduledUntil: instant,
      body: text(LIMITS.text),
      autoTransition: z.boolean().default(true),
      actor: actorSchema,
    }),
    update: z.strictObject({ status: z.enum(MAINTENANCE_STATUSES).optional(), body: text(LIMITS.text), actor: actorSchema }),
  };
})();

function valueOf(record: StoredRecord): MaintenanceValue {
  return record.value as unknown as MaintenanceValue;
}

/** A maintenance's shortlink: `${page.url}/maintenances/${id}` (defineStatusPage already dropped the URL's trailing `/`). */
function shortlinkOf(page: StatusPage, id: string): string {
  return `${page.url}/maintenances/${encodeURIComponent(id)}`;
}

/** The incident services linked to `components` of `page`, sorted. */
function linkedServices(page: StatusPage, components: readonly string[]): string[] {
  return [...new Set(page.components.filter((c) => components.includes(c.id)).flatMap((c) => c.services ?? []))].sort();
}

/** A maintenance as the public sees it. @internal */
export function toScheduledMaintenance(page: StatusPage, id: string, m: MaintenanceValue): ScheduledMaintenance {
  const names = new Map(page.components.map((c) => [c.id, c.name]));
  return {
    id,
    name: m.name,
    status: m.status,
    scheduledFor: m.scheduledFor,
    scheduledUntil: m.scheduledUntil,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    ...(m.resolvedAt === undefined ? {} : { resolvedAt: m.resolvedAt }),
    shortlink: shortlinkOf(page, id),
    components: m.components,
    updates: [...m.updates].reverse().map((u) => ({ id: u.id, status: u.status, body: u.body, createdAt: u.at, affectedComponents: u.affected.map((a) => ({ ...a, name: names.get(a.id) ?? a.name })) })),
  };
}

/** The maintenance part of the status page feature. @internal */
export function createMaintenances(core: EngineCore, deps: MaintenanceDeps) {
  const { tenantId } = core;
  const records = (subject: string) => requireRecords(core.store, subject);
  const serially = createKeyedQueue();

  const timerId = (id: string, what: 'start' | 'end' | 'sync'): string => featureTimerId(FEATURE, `maintenance-${what}:${id}`);
  const timer = (id: string, what: 'start' | 'end' | 'sync', dueAt: string, to?: MaintenanceStatus): TimerRecord => ({
    tenantId,
    incidentId: '',
    timerId: timerId(id, what),
    dueAt,
    event: { type: MAINTENANCE_TIMER_EVENT, maintenanceId: id, ...(to === undefined ? {} : { to }) },
  });

  function stored(page: StatusPage, record: StoredRecord): StoredMaintenance {
    const m = valueOf(record);
    return { ...toScheduledMaintenance(page, record.id, m), pageId: m.pageId, autoTransition: m.autoTransition, version: record.version };
  }

  async function current(id: string, subject: string): Promise<StoredRecord> {
    const record = await records(subject).getRecord(tenantId, STATUS_PAGE_MAINTENANCE_RECORD_KIND, id);
    if (record === undefined || record.deleted === true) throw new NotFoundError({ entity: 'maintenance', id, tenantId });
    return record;
  }

  /**
   * Moves maintenance `id` to `to` (or keeps its status) with a public update: one record write
   * with its timers, then what follows (component states, windows), which `sync` redoes from a
   * timer of the same write when it is lost. Returns `undefined` when a timer finds nothing to do.
   */
  async function advance(id: string, to: MaintenanceStatus | undefined, body: string | undefined, actor: Actor, subject: string, fromTimer: boolean): Promise<StoredMaintenance | undefined> {
    const result = await serially(id, () =>
      retryOnRecordConflict(async () => {
        const record = fromTimer ? await records(subject).getRecord(tenantId, STATUS_PAGE_MAINTENANCE_RECORD_KIND, id) : await current(id, subject);
        if (record === undefined || record.deleted === true) return undefined;
        const m = valueOf(record);
        const status = to ?? m.status;
        if (fromTimer && RANK[status] <= RANK[m.status]) return undefined;
        if (m.status === 'completed') throw new ValidationError(subject, [{ code: 'custom', path: ['status'], message: `Maintenance ${id} is completed; it takes no more updates.` }]);
        if (RANK[status] < RANK[m.status]) throw new ValidationError(subject, [{ code: 'custom', path: ['status'], message: `Maintenance ${id} is ${m.status}; it cannot go back to ${status}.` }]);
        if (m.updates.length >= MAX_UPDATES) throw new ValidationError(subject, [{ code: 'too_big', path: [], message: `Maintenance ${id} has ${String(MAX_UPDATES)} public updates, the most one keeps.` }]);
        const page = await deps.findPage(m.pageId, subject);
        if (page === undefined) throw new ValidationError(subject, [{ code: 'custom', path: ['pageId'], message: `The status page '${m.pageId}' maintenance ${id} is on no longer exists.` }]);
        const now = core.now();
        const held = ACTIVE.has(status) ? m.components : undefined;
        const affected = ACTIVE.has(status) === ACTIVE.has(m.status) ? [] : await deps.wouldChange(page, id, held);
        const next: MaintenanceValue = {
          ...m,
          status,
          updatedAt: now,
          ...(status === 'completed' ? { resolvedAt: now } : {}),
          ...(status === 'in_progress' && m.status !== 'in_progress' ? { startedAt: now } : {}),
          updates: [...m.updates, { id: core.ids('event').replace(/^evt_/, 'upd_'), status, body: body ?? defaultBody(status), at: now, affected }],
        };
        const cancel = status === 'completed' ? [timerId(id, 'start'), timerId(id, 'end')] : RANK[status] >= RANK.in_progress ? [timerId(id, 'start')] : [];
        const written = await records(subject).putRecord({
          tenantId,
          kind: STATUS_PAGE_MAINTENANCE_RECORD_KIND,
          id,
          expectedVersion: record.version,
          value: next as unknown as JsonValue,
          at: now,
          actor,
          timers: { set: [timer(id, 'sync', now)], cancel },
          outbox: deps.tell(notice(id, next, next.updates.at(-1))),
        });
        return { page, written };
      }),
    );
    if (result === undefined) return undefined;
    await afterWrite(id);
    return stored(result.page, result.written);
  }

  /** What subscribers hear of maintenance `id`'s latest update. */
  function notice(id: string, m: MaintenanceValue, update: MaintenanceValue['updates'][number] | undefined): StatusPageUpdate {
    return { pageId: m.pageId, kind: 'maintenance', id, title: m.name, body: update?.body ?? '', status: update?.status ?? m.status, components: m.components, at: update?.at ?? m.updatedAt };
  }

  function defaultBody(status: MaintenanceStatus): string {
    return { scheduled: 'The maintenance is scheduled.', in_progress: 'The scheduled maintenance is in progress.', verifying: 'The maintenance is being verified.', completed: 'The scheduled maintenance has been completed.' }[status];
  }

  async function afterWrite(id: string): Promise<void> {
    try {
      await sync(id);
    } catch {
      // The write holds a timer that redoes this: `engine.runWorkers()` (or `tick`) repairs it.
    }
  }

  /**
   * Brings what follows a maintenance's status up to date, idempotently: its components held as
   * `under_maintenance` while it is active, and the maintenance windows of their services.
   */
  async function sync(id: string): Promise<void> {
    const subject = 'statusPages.maintenance';
    const record = await records(subject).getRecord(tenantId, STATUS_PAGE_MAINTENANCE_RECORD_KIND, id);
    if (record === undefined || record.deleted === true) return;
    const m = valueOf(record);
    const page = await deps.findPage(m.pageId, subject);
    if (page === undefined) return;
    const active = ACTIVE.has(m.status);
    await deps.hold(page, id, active ? m.components : undefined, m.updatedAt);
    if (m.status === 'scheduled') return;
    const services = linkedServices(page, m.components);
    if (services.length === 0) return;
    const windows = deps.windows();
    const known = new Map((await windows.list({ ended: true })).map((w) => [w.id, w]));
    const now = core.now();
    for (const [index, service] of services.entries()) {
      const windowId = `${id}.${String(index + 1)}`;
      const window = known.get(windowId);
      if (active && window === undefined && m.scheduledUntil > now) {
        await windows.create({ id: windowId, start: m.startedAt ?? now, end: m.scheduledUntil, service, reason: `Scheduled maintenance ${id}: ${m.name}`.slice(0, 1_000) }, { actor: m.createdBy });
      } else if (!active && window !== undefined && window.end > now) {
        await windows.end(windowId, { actor: m.createdBy });
      }
    }
  }

  const api: MaintenanceScheduleApi = {
    async scheduleMaintenance(input) {
      const subject = 'scheduleMaintenance';
      const parsed = parseInput(schemas.schedule, input, subject);
      const page = await deps.resolvePage(parsed.pageId, subject);
      const issues: ValidationIssue[] = [];
      const known = new Set(page.components.map((c) => c.id));
      for (const [index, componentId] of parsed.components.entries()) {
        if (!known.has(componentId)) issues.push({ code: 'custom', path: ['components', index], message: `Status page '${page.id}' has no component '${componentId}' (components: ${[...known].join(', ')}).` });
      }
      const now = core.now();
      if (parsed.scheduledUntil <= parsed.scheduledFor) issues.push({ code: 'custom', path: ['scheduledUntil'], message: 'A maintenance must end after it begins (scheduledUntil after scheduledFor).' });
      else if (parsed.scheduledUntil <= now) issues.push({ code: 'custom', path: ['scheduledUntil'], message: `The maintenance ends before now (${now}); a maintenance in the past would rewrite history.` });
      if (issues.length > 0) throw new ValidationError(subject, issues);
      const { actor, pageId: _pageId, ...rest } = parsed;
      await core.authorize(actor, 'publish', undefined, { ...rest, pageId: page.id });
      // Its windows are written in the scheduler's name, later and maybe by a timer: ask now.
      const services = linkedServices(page, parsed.components);
      if (services.length > 0) await core.authorize(actor, 'maintenance.write', undefined, { services, start: parsed.scheduledFor, end: parsed.scheduledUntil });
      const id = core.ids('message').replace(/^msg_/, 'sm_');
      const value: MaintenanceValue = {
        pageId: page.id,
        name: parsed.name,
        components: [...new Set(parsed.components)],
        scheduledFor: parsed.scheduledFor,
        scheduledUntil: parsed.scheduledUntil,
        autoTransition: parsed.autoTransition,
        status: 'scheduled',
        createdAt: now,
        createdBy: actor,
        updatedAt: now,
        updates: [{ id: core.ids('event').replace(/^evt_/, 'upd_'), status: 'scheduled', body: parsed.body, at: now, affected: [] }],
      };
      const auto = parsed.autoTransition ? [timer(id, 'start', parsed.scheduledFor, 'in_progress'), timer(id, 'end', parsed.scheduledUntil, 'completed')] : [];
      const written = await records(subject).putRecord({
        tenantId,
        kind: STATUS_PAGE_MAINTENANCE_RECORD_KIND,
        id,
        expectedVersion: 0,
        value: value as unknown as JsonValue,
        at: now,
        actor,
        ...(auto.length === 0 ? {} : { timers: { set: auto } }),
        outbox: deps.tell(notice(id, value, value.updates.at(-1))),
      });
      return stored(page, written);
    },

    async updateMaintenance(id, input) {
      const subject = 'updateMaintenance';
      const maintenanceId = parseInput(schemas.id, id, subject);
      const { actor, status, body } = parseInput(schemas.update, input, subject);
      await core.authorize(actor, 'publish', undefined, { maintenanceId, body, ...(status === undefined ? {} : { status }) });
      const result = await advance(maintenanceId, status, body, actor, subject, false);
      if (result === undefined) throw new NotFoundError({ entity: 'maintenance', id: maintenanceId, tenantId });
      return result;
    },
  };

  /** Fires a maintenance timer: moves it on (`to`), or redoes what follows its last write. */
  async function fire(timer: TimerRecord): Promise<void> {
    const event = timer.event as { readonly maintenanceId?: unknown; readonly to?: unknown };
    if (typeof event.maintenanceId !== 'string') return;
    const to = typeof event.to === 'string' && (MAINTENANCE_STATUSES as readonly string[]).includes(event.to) ? (event.to as MaintenanceStatus) : undefined;
    if (to === undefined) return sync(event.maintenanceId);
    await advance(event.maintenanceId, to, undefined, SYSTEM_ACTOR, 'statusPages.maintenance', true);
  }

  /** The maintenances of `page` to show at `at`: not completed, or completed since `oldest`; soonest first. */
  async function shown(page: StatusPage, oldest: string, subject: string): Promise<ScheduledMaintenance[]> {
    const store = records(subject);
    const out: ScheduledMaintenance[] = [];
    let cursor: string | undefined;
    do {
      const batch = await store.listRecords(tenantId, STATUS_PAGE_MAINTENANCE_RECORD_KIND, { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
      for (const record of batch.items) {
        if (record.deleted === true) continue;
        const m = valueOf(record);
        if (m.pageId === page.id && (m.status !== 'completed' || (m.resolvedAt ?? m.updatedAt) >= oldest)) out.push(toScheduledMaintenance(page, record.id, m));
      }
      cursor = batch.nextCursor;
    } while (cursor !== undefined);
    return out.sort((a, b) => (a.scheduledFor < b.scheduledFor ? -1 : a.scheduledFor > b.scheduledFor ? 1 : a.id < b.id ? -1 : 1));
  }

  return { api, fire, shown };
}
