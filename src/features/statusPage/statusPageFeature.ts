/**
 * The status page feature: status pages kept per tenant as versioned records
 * (`engine.statusPages`), public incidents (`engine.publish`, `engine.postPublicUpdate`) recorded
 * as their own lifecycle events, and component status derived from them, with every change
 * stored with its time.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { ConfigError, InvalidTransitionError, NotFoundError, ValidationError, type ValidationIssue } from '../../errors.js';
import { builtInFeature, type EngineCore } from '../../engine/core.js';
import { featureTimerId, type IncidentFeature } from '../../engine/feature.js';
import { canonicalJson } from '../../kernel/hash.js';
import { createKeyedQueue } from '../../kernel/keyedQueue.js';
import { parseInput } from '../../kernel/parse.js';
import { postPublicUpdate as applyPublicUpdate, publish as applyPublish } from '../../lifecycle/actions/publicIncident.js';
import type { LifecycleEvent, LifecycleEventDraft } from '../../lifecycle/events.js';
import { acceptedEvents, restoreSnapshot } from '../../lifecycle/projection.js';
import { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { LIMITS, text } from '../../model/primitives.js';
import type { JsonValue } from '../../model/primitives.js';
import type { PublicIncidentSlice } from '../../model/publicIncident.js';
import { requireRecords, retryOnRecordConflict, type RecordStore } from '../../storage/records.js';
import type { StoredIncident, StoredRecord } from '../../storage/types.js';
import { buildSnapshot } from './buildSnapshot.js';
import { deriveStatuses, entryOf, statusChanges, worstOf, type HeldStatus, type PublicEntry } from './componentStatus.js';
import { parseStatusPage } from './defineStatusPage.js';
import { createMaintenances, MAINTENANCE_TIMER_EVENT, type MaintenanceScheduleApi, type MaintenanceWindows } from './maintenances.js';
import { COMPONENT_STATUSES, PUBLIC_IMPACTS, PUBLIC_INCIDENT_STATUSES, type ComponentStatus, type PublicImpact, type PublicIncidentStatus, type StatusPage, type StatusPageSnapshot } from './snapshot.js';
import { computeUptime } from './uptime.js';
import { createSubscribers, type StatusPageSubscriberOptions, type StatusPageSubscribersApi } from './subscribers.js';

/** The record kind status pages are kept under (one record per page, id = the page's id). */
export const STATUS_PAGE_RECORD_KIND = 'statusPage';
/** The record kind of a page's public incidents and component states (one per page, id = the page's id); every version lists the component changes it made. */
export const STATUS_PAGE_STATE_RECORD_KIND = 'statusPage.state';

/** Public updates one incident may have (its projection carries them). */
export const MAX_PUBLIC_UPDATES = 500;
/** How long a publicly resolved incident stays in a page's index (and so in snapshots with `recentDays` up to 90). */
const INDEX_KEPT_DAYS = 90;
const DAY_MS = 24 * 60 * 60_000;
const FEATURE = 'statusPage';
/** The stored events after which a published incident's public index entry may change. */
const SYNC_EVENTS: ReadonlySet<string> = /* @__PURE__ */ new Set(['PUBLISHED', 'PUBLIC_UPDATE_POSTED', 'RESOLVED', 'REOPENED', 'CLOSED', 'CANCELED', 'MERGED_INTO', 'UNMERGED']);

/** The status page options of `createIncidentEngine`. */
export interface StatusPageOptions {
  /**
   * Status pages (from `defineStatusPage`) every tenant of the engine has; a page stored with
   * `engine.statusPages.put` under the same id replaces one of these for its tenant.
   */
  readonly statusPages?: readonly StatusPage[];
  /** How status page subscribers are reached (email transport, webhook `fetch` and `allowUrl`); see `engine.statusPages.subscribe`. */
  readonly statusPageSubscribers?: StatusPageSubscriberOptions;
}

/** A status page in force and where it comes from. */
export interface StoredStatusPage {
  readonly page: StatusPage;
  /** `stored`: written with `engine.statusPages.put` (then `version` and who wrote it are set); `config`: `createIncidentEngine({ statusPages })`. */
  readonly source: 'stored' | 'config';
  readonly version?: number;
  readonly updatedAt?: string;
  readonly updatedBy?: Actor;
}

/** A change of a component's status, as `engine.statusPages.componentHistory` lists it. */
export interface ComponentStatusChange {
  readonly componentId: string;
  readonly oldStatus: ComponentStatus;
  readonly newStatus: ComponentStatus;
  /** When it changed (ISO-8601 UTC): the time of the public update or internal resolution that changed it. */
  readonly at: string;
  /** The public id of the incident whose change caused it. */
  readonly incidentId?: string;
  /** The id of the scheduled maintenance whose start or end caused it. */
  readonly maintenanceId?: string;
}

/** Who reads; absent: the engine's system actor. */
export interface StatusPageReadOptions {
  readonly actor?: ActorInput;
}

/** What `engine.statusPages.snapshot` takes. */
export interface StatusPageSnapshotOptions {
  /** Publicly resolved incidents updated within this many days are shown too (0 to 90; default 15). */
  readonly recentDays?: number;
  /** `true`: add `uptime` per component over the last 90 days (`days` to change that, 1 to 90). */
  readonly uptime?: boolean | { readonly days?: number };
}

/**
 * `engine.statusPages`: the status pages of the engine's tenant, their component history and
 * snapshots.
 *
 * @remarks `put` asks `authorize` about `statusPage.write`; `get`, `list` and `history` about
 * `statusPage.read`. `componentHistory` and `snapshot` hold only what was published, so they
 * ask nothing: a public status page serves them without authentication.
 */
export interface StatusPagesApi extends StatusPageSubscribersApi {
  /**
   * Stores `page` as the tenant's next version of the page with its id (it replaces a
   * configured page with the same id).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a page `defineStatusPage` would refuse.
   * @throws RecordConflictError (`VERSION_CONFLICT`) when `expectedVersion` is given and is not the current version.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `statusPage.write`.
   * @throws ConfigError (`CONFIG_INVALID`) when the store lacks the record methods.
   */
  put(page: StatusPage, options: { readonly actor: ActorInput; readonly expectedVersion?: number }): Promise<StoredStatusPage>;
  /**
   * The page in force with id `pageId`.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown page.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `statusPage.read`.
   */
  get(pageId: string, options?: StatusPageReadOptions): Promise<StoredStatusPage>;
  /** Every page in force (stored and configured), by id. */
  list(options?: StatusPageReadOptions): Promise<StoredStatusPage[]>;
  /** Every stored version of a page after `afterVersion` (default 0), oldest first, at most `limit` (default 100). */
  history(pageId: string, query?: StatusPageReadOptions & { readonly afterVersion?: number; readonly limit?: number }): Promise<StoredStatusPage[]>;
  /**
   * Every change of a component's status on the page, oldest first, within `[from, to)` (ISO-8601
   * or `Date`; default: all), optionally of one component.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown page.
   */
  componentHistory(pageId: string, query?: { readonly from?: string | Date; readonly to?: string | Date; readonly componentId?: string }): Promise<ComponentStatusChange[]>;
  /**
   * What the page shows now: its components with their status, its public incidents (the
   * unresolved ones and those updated within `recentDays`), and scheduled maintenances (upcoming,
   * active, and those completed within `recentDays`; soonest first).
   * `pageId` may be left out while the tenant has exactly one page.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown page.
   * @throws ValidationError (`VALIDATION_FAILED`) for bad options, or no `pageId` while the tenant has several pages (or none).
   */
  snapshot(pageId?: string, options?: StatusPageSnapshotOptions): Promise<StatusPageSnapshot>;
}

/** What `engine.publish` takes. */
export interface PublishInput {
  /** The page to publish on; may be left out while the tenant has exactly one page. */
  readonly pageId?: string;
  /** The public name (not the internal title). */
  readonly name: string;
  readonly impact: PublicImpact;
  /** Components to set explicitly, by id (others linked to the incident's service follow its impact). */
  readonly components?: Readonly<Record<string, ComponentStatus>>;
  /** The first public update's text (status `investigating`). */
  readonly body: string;
  readonly actor: ActorInput;
}

/** What `engine.postPublicUpdate` takes. */
export interface PublicUpdateInput {
  readonly status: PublicIncidentStatus;
  readonly body: string;
  /** Components to set explicitly, by id. */
  readonly components?: Readonly<Record<string, ComponentStatus>>;
  /** A new public impact. */
  readonly impact?: PublicImpact;
  readonly actor: ActorInput;
}

/** The methods the status page feature adds to the engine (scheduled maintenance: see {@link MaintenanceScheduleApi}). */
export interface StatusPageApi extends MaintenanceScheduleApi {
  /** Status pages, component history and snapshots: see {@link StatusPagesApi}. */
  readonly statusPages: StatusPagesApi;
  /**
   * Publishes an incident on a status page: a `PUBLISH` lifecycle event (stored as `PUBLISHED`)
   * with the public name, impact, components and a first public update (`investigating`). Only
   * what is given here is public; nothing internal (notes, updates, roles, fields) is. A drill
   * (`incident.drill`) is published for practice only: its events and `publicIncident` are kept,
   * but no snapshot, component status or subscriber ever sees it.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, an unknown page or component, or no `pageId` while the tenant has several pages.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the incident is published already, or is closed or canceled.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown incident.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `publish`.
   */
  publish(id: string, input: PublishInput): Promise<Incident>;
  /**
   * Posts a public update of a published incident: a `POST_PUBLIC_UPDATE` lifecycle event
   * (stored as `PUBLIC_UPDATE_POSTED`) that sets its public status, and optionally components
   * and impact. Status `resolved` returns its components to operational.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, an unknown component, or too many updates (500).
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the incident is not published.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown incident.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `publish`.
   */
  postPublicUpdate(id: string, input: PublicUpdateInput): Promise<Incident>;
}

const schemas = /* @__PURE__ */ (() => {
  const key = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Use 1 to 64 letters, digits, - or _.');
  const status = z.enum(COMPONENT_STATUSES);
  const components = z.record(key, status).refine((c) => Object.keys(c).length <= 200, 'At most 200 components.');
  const instant = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => new Date(value).toISOString());
  return {
    key,
    publish: z.strictObject({
      pageId: key.optional(),
      name: text(LIMITS.title),
      impact: z.enum(PUBLIC_IMPACTS),
      components: components.default({}),
      body: text(LIMITS.text),
      actor: actorSchema,
    }),
    update: z.strictObject({
      status: z.enum(PUBLIC_INCIDENT_STATUSES),
      body: text(LIMITS.text),
      components: components.optional(),
      impact: z.enum(PUBLIC_IMPACTS).optional(),
      actor: actorSchema,
    }),
    write: z.object({ actor: actorSchema, expectedVersion: z.int().min(0).max(2_147_483_646).optional() }),
    read: z.object({ actor: actorSchema.optional() }).default({}),
    history: z
      .object({ actor: actorSchema.optional(), afterVersion: z.int().min(0).default(0), limit: z.int().min(1).max(1_000).default(100) })
      .default({ afterVersion: 0, limit: 100 }),
    componentHistory: z.strictObject({ from: instant.optional(), to: instant.optional(), componentId: key.optional() }).default({}),
    snapshot: z
      .strictObject({
        recentDays: z.int().min(0).max(INDEX_KEPT_DAYS).default(15),
        uptime: z.union([z.boolean(), z.strictObject({ days: z.int().min(1).max(90).default(90) })]).default(false),
      })
      .default({ recentDays: 15, uptime: false }),
  };
})();

/** What a page's state record holds. */
interface PageState {
  /** Public incidents by internal incident id. */
  readonly incidents: Readonly<Record<string, PublicEntry>>;
  /** Components whose status is not `operational`, or changed since the page began. */
  readonly components: Readonly<Record<string, HeldStatus>>;
  /** When the page's state began. */
  readonly createdAt: string;
  /** The component changes this version made. */
  readonly changes: readonly ComponentStatusChange[];
  /** The components of active scheduled maintenances, by maintenance id. */
  readonly maintenances?: Readonly<Record<string, readonly string[]>>;
  /** When each component was first seen on the page (absent in states written before it was kept: `createdAt`). */
  readonly added?: Readonly<Record<string, string>>;
}

const NONE_HELD: Readonly<Record<string, readonly string[]>> = /* @__PURE__ */ Object.freeze({});

function stateOf(record: StoredRecord | undefined): PageState | undefined {
  if (record === undefined || record.deleted === true) return undefined;
  return record.value as unknown as PageState;
}

/**
 * The status page feature: `engine.statusPages`, `engine.publish`, `engine.postPublicUpdate`.
 *
 * @internal
 */
export function statusPageFeature(options: StatusPageOptions, windows: () => MaintenanceWindows): IncidentFeature<'statusPage', StatusPageApi> {
  const configured = configuredPages(options.statusPages);
  return builtInFeature({
    name: FEATURE,
    events: ['PUBLISH', 'POST_PUBLIC_UPDATE'],
    slice: ['publicIncident'],
    setup(core) {
      const pages = createStatusPages(core, configured, windows, options.statusPageSubscribers);
      return {
        api: pages.api,
        outboxChannels: pages.channels,
        commit: ({ events, incident }) => {
          const last = events.at(-1);
          const slice = incident.publicIncident;
          // A drill is practice: its events and slice show what it would have published, but no subscriber hears of it (and `sync` never indexes it).
          if (slice === undefined || last === undefined || incident.drill === true || !events.some((e) => SYNC_EVENTS.has(e.type))) return undefined;
          // Subscribers hear of each public update: its fan-out is written with the event.
          const outbox = events.flatMap((e) => {
            const update = e.type === 'PUBLISHED' || e.type === 'PUBLIC_UPDATE_POSTED' ? slice.updates.find((u) => u.id === e.data.updateId) : undefined;
            if (update === undefined) return [];
            const components = new Set([...Object.keys(slice.components), ...slice.updates.flatMap((u) => [...Object.keys(u.components), ...u.affected.map((a) => a.id)])]);
            return pages.tell({ pageId: slice.pageId, kind: 'incident', id: slice.publicId, title: slice.name, body: update.body, status: update.status, components: [...components], at: update.at }, incident.id);
          });
          // Redone by the timer if the write right after the commit is lost (a crash, a store error).
          return { outbox, timers: [{ tenantId: core.tenantId, incidentId: incident.id, timerId: syncTimerId(incident.id), dueAt: last.at, event: { type: 'STATUS_PAGE_SYNC' } }] };
        },
        fireTimer: (timer) =>
          timer.event.type === 'STATUS_PAGE_SYNC' ? pages.sync(timer.incidentId) : timer.event.type === MAINTENANCE_TIMER_EVENT ? pages.maintenances.fire(timer) : Promise.resolve(),
      };
    },
  });
}

/** The feature timer that redoes a published incident's index write. */
function syncTimerId(incidentId: string): string {
  return featureTimerId(FEATURE, `sync:${incidentId}`);
}

function configuredPages(given: unknown): ReadonlyMap<string, StatusPage> {
  if (given === undefined) return new Map();
  if (!Array.isArray(given)) throw new ConfigError('createIncidentEngine', [{ code: 'invalid_type', path: ['statusPages'], message: 'statusPages is an array of pages made with defineStatusPage.' }]);
  const pages = new Map<string, StatusPage>();
  const issues: ValidationIssue[] = [];
  for (const [index, input] of (given as unknown[]).entries()) {
    try {
      const page = parseStatusPage(input, 'createIncidentEngine statusPages', 'config');
      if (pages.has(page.id)) issues.push({ code: 'custom', path: ['statusPages', index, 'id'], message: `Two status pages are named '${page.id}'; page ids are unique.` });
      pages.set(page.id, page);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.details.issues.map((issue) => ({ ...issue, path: ['statusPages', index, ...issue.path] })));
    }
  }
  if (issues.length > 0) throw new ConfigError('createIncidentEngine', issues);
  return pages;
}

function createStatusPages(
  core: EngineCore,
  configured: ReadonlyMap<string, StatusPage>,
  windows: () => MaintenanceWindows,
  subscriberOptions: StatusPageSubscriberOptions | undefined,
) {
  const { tenantId } = core;
  const subscribers = createSubscribers(core, subscriberOptions, async (pageId, subject) => (await findPage(pageId, subject))?.page);
  const records = (subject: string): RecordStore => requireRecords(core.store, subject);
  const serially = createKeyedQueue();

  function storedPage(record: StoredRecord): StoredStatusPage {
    return { page: parseStatusPage(record.value, 'statusPages', 'input'), source: 'stored', version: record.version, updatedAt: record.updatedAt, updatedBy: record.updatedBy };
  }

  async function allPages(subject: string): Promise<StoredStatusPage[]> {
    const store = records(subject);
    const byId = new Map<string, StoredStatusPage>([...configured.values()].map((page) => [page.id, { page, source: 'config' as const }]));
    let cursor: string | undefined;
    do {
      const page = await store.listRecords(tenantId, STATUS_PAGE_RECORD_KIND, { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
      for (const record of page.items) byId.set(record.id, storedPage(record));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return [...byId.values()].sort((a, b) => (a.page.id < b.page.id ? -1 : 1));
  }

  async function findPage(pageId: string, subject: string): Promise<StoredStatusPage | undefined> {
    const record = await records(subject).getRecord(tenantId, STATUS_PAGE_RECORD_KIND, pageId);
    if (record !== undefined && record.deleted !== true) return storedPage(record);
    const page = configured.get(pageId);
    return page === undefined ? undefined : { page, source: 'config' };
  }

  /** The page `pageId` names, or the only page; `kind` says which error an unknown one raises. */
  async function resolvePage(pageId: string | undefined, subject: string, kind: 'input' | 'read'): Promise<StoredStatusPage> {
    if (pageId !== undefined) {
      const found = await findPage(pageId, subject);
      if (found !== undefined) return found;
      if (kind === 'read') throw new NotFoundError({ entity: 'status page', id: pageId, tenantId });
    }
    const all = await allPages(subject);
    const names = all.map((p) => p.page.id).join(', ') || 'none';
    if (pageId !== undefined) throw new ValidationError(subject, [{ code: 'custom', path: ['pageId'], message: `No status page '${pageId}' (pages: ${names}).` }]);
    const [only, ...others] = all;
    if (only === undefined || others.length > 0) {
      throw new ValidationError(subject, [{ code: 'custom', path: ['pageId'], message: `Name the status page with pageId: this tenant has ${all.length === 0 ? 'none' : `${String(all.length)} (${names})`}.` }]);
    }
    return only;
  }

  async function reader(options: unknown, subject: string, input: Readonly<Record<string, unknown>> = {}): Promise<void> {
    const actor = parseInput(schemas.read, options, subject).actor ?? SYSTEM_ACTOR;
    await core.authorize(actor, 'statusPage.read', undefined, input);
  }

  /** The page's state, writing its first version (all operational, from now) when it has none. */
  async function loadState(pageId: string, subject: string): Promise<{ state: PageState; version: number }> {
    const store = records(subject);
    return retryOnRecordConflict(async () => {
      const record = await store.getRecord(tenantId, STATUS_PAGE_STATE_RECORD_KIND, pageId);
      const known = stateOf(record);
      if (record !== undefined && known !== undefined) return { state: known, version: record.version };
      const at = core.now();
      const state: PageState = { incidents: {}, components: {}, createdAt: at, changes: [] };
      const written = await store.putRecord({ tenantId, kind: STATUS_PAGE_STATE_RECORD_KIND, id: pageId, expectedVersion: record?.version ?? 0, value: state as unknown as JsonValue, at, actor: SYSTEM_ACTOR });
      return { state, version: written.version };
    });
  }

  /**
   * Writes a published incident's index entry and the component states it leads to: idempotent,
   * so the feature timer may redo it after a lost write. Nothing is written when nothing changed.
   */
  async function sync(incidentId: string): Promise<void> {
    const stored = await core.store.load(tenantId, incidentId);
    const incident = stored?.incident;
    const entry = incident === undefined ? undefined : entryOf(incident);
    const pageId = incident?.publicIncident?.pageId;
    // A drill never reaches the page: not its incidents, component states or their history.
    if (incident === undefined || entry === undefined || pageId === undefined || incident.drill === true) return;
    const subject = 'statusPages.sync';
    const found = await findPage(pageId, subject);
    if (found === undefined) return;
    await serially(pageId, () =>
      retryOnRecordConflict(async () => {
        const { state, version } = await loadState(pageId, subject);
        const before = state.incidents[incidentId];
        if (before !== undefined && (before.version >= entry.version || sameEntry(before, entry))) return;
        const now = core.now();
        // A public update told subscribers itself; a change without one (resolved or reopened inside) is told here.
        const inside = before !== undefined && before.active !== entry.active && sameEntry({ ...before, active: entry.active }, entry);
        await writeState(found.page, { state, version }, prune({ ...state.incidents, [incidentId]: entry }, now), changeTime(incident, before, entry), entry.publicId, undefined, inside);
      }),
    );
  }

  /** Writes the page's next state: `incidents`, and the component changes they lead to (at `at`, caused by `publicId`). */
  async function writeState(
    page: StatusPage,
    current: { readonly state: PageState; readonly version: number },
    incidents: Readonly<Record<string, PublicEntry>>,
    at: string,
    publicId?: string,
    maintenance?: { readonly id: string; readonly held: Readonly<Record<string, readonly string[]>> },
    notify = true,
  ): Promise<void> {
    const { state, version } = current;
    const held = maintenance?.held ?? state.maintenances ?? NONE_HELD;
    const after = withMaintenance(deriveStatuses(page, Object.values(incidents)), held);
    const changes: ComponentStatusChange[] = statusChanges(page, state.components, after).map((c) => ({
      componentId: c.id,
      oldStatus: c.oldStatus,
      newStatus: c.newStatus,
      at,
      ...(publicId === undefined ? {} : { incidentId: publicId }),
      ...(maintenance === undefined ? {} : { maintenanceId: maintenance.id }),
    }));
    const fresh = page.components.filter((c) => state.added?.[c.id] === undefined);
    if (changes.length === 0 && incidents === state.incidents && held === (state.maintenances ?? NONE_HELD) && fresh.length === 0) return;
    // A component is added when first seen; states from before this was kept date theirs from the page's start.
    const added: Record<string, string> = { ...state.added };
    for (const c of fresh) added[c.id] = state.added === undefined ? state.createdAt : at;
    const components: Record<string, HeldStatus> = { ...state.components };
    for (const change of changes) components[change.componentId] = { status: change.newStatus, since: at };
    const next: PageState = { incidents, components, createdAt: state.createdAt, changes, added, ...(Object.keys(held).length === 0 ? {} : { maintenances: held }) };
    const names = new Map(page.components.map((c) => [c.id, c.name]));
    // A maintenance tells its subscribers itself (its own notice), so its component changes are not told again.
    const told = notify && maintenance === undefined && changes.length > 0 ? subscribers.tell({ pageId: page.id, kind: 'component', title: changes.map((c) => `${names.get(c.componentId) ?? c.componentId}: ${c.newStatus.replaceAll('_', ' ')}`).join(', '), body: changes.map((c) => `${names.get(c.componentId) ?? c.componentId} is now ${c.newStatus.replaceAll('_', ' ')} (was ${c.oldStatus.replaceAll('_', ' ')}).`).join('\n'), components: changes.map((c) => c.componentId), at }) : [];
    await records('statusPages.sync').putRecord({ tenantId, kind: STATUS_PAGE_STATE_RECORD_KIND, id: page.id, expectedVersion: version, value: next as unknown as JsonValue, at: core.now(), actor: SYSTEM_ACTOR, ...(told.length === 0 ? {} : { outbox: told }) });
  }

  /** `statuses` with the components of active maintenances `under_maintenance` unless worse (an outage during maintenance shows). */
  function withMaintenance(statuses: Map<string, ComponentStatus>, held: Readonly<Record<string, readonly string[]>>): Map<string, ComponentStatus> {
    for (const ids of Object.values(held)) for (const id of ids) if (statuses.has(id)) statuses.set(id, worstOf(statuses.get(id) ?? 'operational', 'under_maintenance'));
    return statuses;
  }

  /** The maintenances held with maintenance `id` holding `components` (or released, with `undefined`). */
  function heldWith(state: PageState, id: string, components: readonly string[] | undefined): Record<string, readonly string[]> {
    const { [id]: _released, ...others } = state.maintenances ?? {};
    return components === undefined ? others : { ...others, [id]: components };
  }

  const maintenances = createMaintenances(core, {
    tell: subscribers.tell,
    resolvePage: async (pageId, subject) => (await resolvePage(pageId, subject, 'input')).page,
    findPage: async (pageId, subject) => (await findPage(pageId, subject))?.page,
    windows,
    hold: (page, id, components, at) =>
      serially(page.id, () =>
        retryOnRecordConflict(async () => {
          const current = await loadState(page.id, 'statusPages.maintenance');
          const before = current.state.maintenances?.[id];
          if (canonicalJson(before ?? null) === canonicalJson(components ?? null)) return;
          await writeState(page, current, current.state.incidents, at, undefined, { id, held: heldWith(current.state, id, components) });
        }),
      ),
    wouldChange: async (page, id, components) => {
      const { state } = await loadState(page.id, 'statusPages.maintenance');
      const after = withMaintenance(deriveStatuses(page, Object.values(state.incidents)), heldWith(state, id, components));
      const names = new Map(page.components.map((c) => [c.id, c.name]));
      return statusChanges(page, state.components, after).map((c) => ({ id: c.id, name: names.get(c.id) ?? c.id, oldStatus: c.oldStatus, newStatus: c.newStatus }));
    },
  });

  /** Derives the page's components again after its definition changed (e.g. a component linked to other services). */
  async function recompute(page: StatusPage, subject: string): Promise<void> {
    await serially(page.id, () =>
      retryOnRecordConflict(async () => {
        const current = await loadState(page.id, subject);
        await writeState(page, current, current.state.incidents, core.now());
      }),
    );
  }

  /** Keeps active entries, and resolved ones updated within the index's days. */
  function prune(incidents: Readonly<Record<string, PublicEntry>>, now: string): Record<string, PublicEntry> {
    const oldest = new Date(Date.parse(now) - INDEX_KEPT_DAYS * DAY_MS).toISOString();
    return Object.fromEntries(Object.entries(incidents).filter(([, e]) => e.active || !e.resolved || e.updatedAt >= oldest));
  }

  /** What a public incident's stored entry reflects: its events, not the version (a note changes nothing public). */
  function sameEntry(a: PublicEntry, b: PublicEntry): boolean {
    const { version: _a, ...restA } = a;
    const { version: _b, ...restB } = b;
    // Canonical: a store may hand JSON back with its keys in another order (PostgreSQL's jsonb does).
    return canonicalJson(restA) === canonicalJson(restB);
  }

  /** When the change an entry makes happened: its public update, or the internal resolution or reopening. */
  function changeTime(incident: Incident, before: PublicEntry | undefined, entry: PublicEntry): string {
    if (before?.updatedAt !== entry.updatedAt) return entry.updatedAt;
    if (before.active && !entry.active) return incident.canceledAt ?? incident.closedAt ?? incident.resolvedAt ?? incident.updatedAt;
    return incident.updatedAt;
  }

  /** The component statuses a public change of `incident` would lead to, and what it changes (for the event's `affected`). */
  async function affectedBy(page: StatusPage, incident: Incident, slice: PublicIncidentSlice, subject: string) {
    const { state } = await loadState(page.id, subject);
    const entry = entryOf({ ...incident, publicIncident: slice });
    const incidents = entry === undefined ? state.incidents : { ...state.incidents, [incident.id]: entry };
    return statusChanges(page, state.components, withMaintenance(deriveStatuses(page, Object.values(incidents)), state.maintenances ?? NONE_HELD));
  }

  function checkComponents(page: StatusPage, components: Readonly<Record<string, ComponentStatus>> | undefined, subject: string): void {
    const known = new Set(page.components.map((c) => c.id));
    const unknown = Object.keys(components ?? {}).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ValidationError(
        subject,
        unknown.map((id) => ({ code: 'custom', path: ['components', id], message: `Status page '${page.id}' has no component '${id}' (components: ${[...known].join(', ')}).` })),
      );
    }
  }

  function refuse(stored: StoredIncident, event: LifecycleEventDraft, reason: string): never {
    throw new InvalidTransitionError({
      incidentId: stored.incident.id,
      state: stored.incident.status,
      event: event.type,
      accepted: acceptedEvents(restoreSnapshot(stored.snapshot)),
      reason,
    });
  }

  /** The lifecycle event of a draft as the reducers take it (time and actor as the engine will set them). */
  function asEvent(draft: LifecycleEventDraft, actor: Actor): LifecycleEvent {
    return { ...draft, at: core.now(), actor };
  }

  async function afterCommit(incident: Incident): Promise<void> {
    try {
      await sync(incident.id);
    } catch {
      // The commit holds a timer that redoes this write: `engine.runWorkers()` (or `tick`) repairs it.
    }
  }

  const api: StatusPageApi = {
    ...maintenances.api,
    statusPages: {
      ...subscribers.api,
      async put(input, options) {
        const subject = 'statusPages.put';
        const { actor, expectedVersion } = parseInput(schemas.write, options, subject);
        const page = parseStatusPage(input, subject, 'input');
        await core.authorize(actor, 'statusPage.write', undefined, { pageId: page.id, ...(expectedVersion === undefined ? {} : { expectedVersion }) });
        const store = records(`engine.${subject}`);
        const written = await serially(`page:${page.id}`, () =>
          retryOnRecordConflict(
            async () => {
              const current = await store.getRecord(tenantId, STATUS_PAGE_RECORD_KIND, page.id);
              return store.putRecord({
                tenantId,
                kind: STATUS_PAGE_RECORD_KIND,
                id: page.id,
                expectedVersion: expectedVersion ?? current?.version ?? 0,
                value: page as unknown as JsonValue,
                at: core.now(),
                actor,
              });
            },
            { pinned: expectedVersion !== undefined },
          ),
        );
        await recompute(page, `engine.${subject}`);
        return storedPage(written);
      },

      async get(pageId, options) {
        const subject = 'statusPages.get';
        const id = parseInput(schemas.key, pageId, subject);
        await reader(options, subject, { pageId: id });
        return resolvePage(id, `engine.${subject}`, 'read');
      },

      async list(options) {
        const subject = 'statusPages.list';
        await reader(options, subject);
        return allPages(`engine.${subject}`);
      },

      async history(pageId, query) {
        const subject = 'statusPages.history';
        const id = parseInput(schemas.key, pageId, subject);
        const { actor, afterVersion, limit } = parseInput(schemas.history, query, subject);
        await core.authorize(actor ?? SYSTEM_ACTOR, 'statusPage.read', undefined, { pageId: id });
        const versions = await records(`engine.${subject}`).recordHistory(tenantId, STATUS_PAGE_RECORD_KIND, id, { afterVersion, limit });
        return versions.filter((record) => record.deleted !== true).map(storedPage);
      },

      async componentHistory(pageId, query) {
        const subject = 'statusPages.componentHistory';
        const id = parseInput(schemas.key, pageId, subject);
        const { from, to, componentId } = parseInput(schemas.componentHistory, query, subject);
        await resolvePage(id, `engine.${subject}`, 'read');
        const changes = await allChanges(id, `engine.${subject}`);
        return changes.filter((c) => (from === undefined || c.at >= from) && (to === undefined || c.at < to) && (componentId === undefined || c.componentId === componentId));
      },

      async snapshot(pageId, options) {
        const subject = 'statusPages.snapshot';
        const id = pageId === undefined ? undefined : parseInput(schemas.key, pageId, subject);
        const { recentDays, uptime } = parseInput(schemas.snapshot, options, subject);
        const found = await resolvePage(id, `engine.${subject}`, 'read');
        const page = found.page;
        const at = core.now();
        // Public incidents whose internal incident moved on (e.g. resolved) since the index was written are brought up to date first.
        let { state } = await loadState(page.id, `engine.${subject}`);
        const oldest = new Date(Date.parse(at) - recentDays * DAY_MS).toISOString();
        const shown = Object.entries(state.incidents).filter(([, e]) => !e.resolved || e.active || e.updatedAt >= oldest);
        const loaded = await Promise.all(shown.map(([incidentId]) => core.store.load(tenantId, incidentId)));
        let stale = false;
        for (const [index, stored] of loaded.entries()) {
          const entry = stored === undefined ? undefined : entryOf(stored.incident);
          const known = shown[index]?.[1];
          if (entry !== undefined && known !== undefined && !sameEntry(known, entry) && entry.version > known.version && stored !== undefined) {
            await sync(stored.incident.id);
            stale = true;
          }
        }
        if (stale) ({ state } = await loadState(page.id, `engine.${subject}`));
        const incidents = loaded.flatMap((stored) => {
          const slice = stored?.incident.publicIncident;
          const entry = stored === undefined ? undefined : entryOf(stored.incident);
          if (slice === undefined || entry === undefined || slice.pageId !== page.id) return [];
          return !entry.resolved || entry.updatedAt >= oldest ? [{ slice, entry }] : [];
        });
        const days = uptime === false ? undefined : uptime === true ? 90 : uptime.days;
        const uptimes = days === undefined ? undefined : computeUptime({ page, changes: await allChanges(page.id, `engine.${subject}`), createdAt: state.createdAt, at, days });
        return buildSnapshot({
          page,
          at,
          maintenances: await maintenances.shown(page, oldest, `engine.${subject}`),
          createdAt: state.createdAt,
          ...(state.added === undefined ? {} : { added: state.added }),
          held: state.components,
          incidents,
          ...(uptimes === undefined ? {} : { uptime: uptimes }),
          ...(found.updatedAt === undefined ? {} : { pageUpdatedAt: found.updatedAt }),
        });
      },
    },

    async publish(id, input) {
      const subject = 'publish';
      const incidentId = parseInput(core.schemas.incidentId, id, subject);
      const parsed = parseInput(schemas.publish, input, subject);
      const { page } = await resolvePage(parsed.pageId, subject, 'input');
      checkComponents(page, parsed.components, subject);
      const { actor, ...rest } = parsed;
      const incident = await core.command(
        incidentId,
        actor,
        async (stored) => {
          const draft = { type: 'PUBLISH', pageId: page.id, publicId: stored.incident.id, name: parsed.name, impact: parsed.impact, updateId: core.ids('event').replace(/^evt_/, 'upd_'), body: parsed.body, components: parsed.components, affected: [] } as const;
          const published = stored.incident.publicIncident;
          if (published !== undefined) refuse(stored, draft, `it is published already (on page '${published.pageId}' as '${published.name}'); post a public update with postPublicUpdate instead.`);
          const slice = applyPublish(stored.incident, asEvent(draft, actor)).publicIncident;
          const affected = slice === undefined ? [] : await affectedBy(page, stored.incident, slice, subject);
          return { ...draft, affected };
        },
        'publish',
        { ...rest, pageId: page.id },
      );
      await afterCommit(incident);
      return incident;
    },

    async postPublicUpdate(id, input) {
      const subject = 'postPublicUpdate';
      const incidentId = parseInput(core.schemas.incidentId, id, subject);
      const parsed = parseInput(schemas.update, input, subject);
      const { actor, ...rest } = parsed;
      const incident = await core.command(
        incidentId,
        actor,
        async (stored) => {
          const draft = {
            type: 'POST_PUBLIC_UPDATE',
            updateId: core.ids('event').replace(/^evt_/, 'upd_'),
            status: parsed.status,
            body: parsed.body,
            ...(parsed.components === undefined ? {} : { components: parsed.components }),
            ...(parsed.impact === undefined ? {} : { impact: parsed.impact }),
            affected: [],
          } as const;
          const published = stored.incident.publicIncident;
          if (published === undefined) refuse(stored, draft, 'it is not published; publish it first with publish.');
          if (published.updates.length >= MAX_PUBLIC_UPDATES) {
            throw new ValidationError(subject, [{ code: 'too_big', path: [], message: `Incident ${incidentId} has ${String(MAX_PUBLIC_UPDATES)} public updates, the most one incident keeps.` }]);
          }
          const found = await findPage(published.pageId, subject);
          if (found === undefined) throw new ValidationError(subject, [{ code: 'custom', path: ['pageId'], message: `The status page '${published.pageId}' the incident is published on no longer exists.` }]);
          checkComponents(found.page, parsed.components, subject);
          const slice = applyPublicUpdate(stored.incident, asEvent(draft, actor)).publicIncident;
          const affected = slice === undefined ? [] : await affectedBy(found.page, stored.incident, slice, subject);
          return { ...draft, affected };
        },
        'publish',
        rest,
      );
      await afterCommit(incident);
      return incident;
    },
  };

  /** Every component change of a page, oldest first (from its state record's versions). */
  async function allChanges(pageId: string, subject: string): Promise<ComponentStatusChange[]> {
    const store = records(subject);
    const changes: ComponentStatusChange[] = [];
    let afterVersion = 0;
    for (;;) {
      const versions = await store.recordHistory(tenantId, STATUS_PAGE_STATE_RECORD_KIND, pageId, { afterVersion, limit: 1_000 });
      for (const record of versions) changes.push(...(stateOf(record)?.changes ?? []));
      const last = versions.at(-1);
      if (last === undefined || versions.length < 1_000) break;
      afterVersion = last.version;
    }
    // Writes may land out of time order (two incidents, a repaired write): order by time.
    return changes.map((c, i) => ({ c, i })).sort((a, b) => (a.c.at < b.c.at ? -1 : a.c.at > b.c.at ? 1 : a.i - b.i)).map(({ c }) => c);
  }

  return { api, sync, maintenances, channels: subscribers.channels, tell: subscribers.tell };
}
