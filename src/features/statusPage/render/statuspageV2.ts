/**
 * The Statuspage public API v2 (`/api/v2/*.json`), field for field, as pure functions of a
 * {@link StatusPageSnapshot}: widgets, monitors and status aggregators written for Atlassian
 * Statuspage read a page of ours unchanged.
 *
 * @remarks Shapes follow the public documentation of the API (the `/api` page every Statuspage
 * serves, e.g. www.githubstatus.com/api) and the bodies real pages serve; the top-level status
 * follows Atlassian's "Top-level status and incident impact calculations".
 */
import type {
  ComponentState,
  ComponentStatus,
  MaintenanceStatus,
  PublicImpact,
  PublicIncident,
  PublicIncidentStatus,
  PublicUpdate,
  ScheduledMaintenance,
  StatusPageSnapshot,
} from '../snapshot.js';
import { timeInZone } from './text.js';

/** `page` of every v2 body. */
export interface StatuspageV2Page {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly time_zone: string;
  readonly updated_at: string;
}

/** The page's top-level status (`status.json`). */
export interface StatuspageV2Status {
  readonly indicator: PublicImpact;
  /** e.g. `All Systems Operational`, `Partial System Outage`. */
  readonly description: string;
}

/** A component, or a group of components (`group: true`, with the ids of its `components`). */
export interface StatuspageV2Component {
  readonly id: string;
  readonly name: string;
  readonly status: ComponentStatus;
  readonly created_at: string;
  readonly updated_at: string;
  /** 1-based, among the page's top-level items, or among its group's components. */
  readonly position: number;
  readonly description: string | null;
  /** Whether its uptime is shown. */
  readonly showcase: boolean;
  readonly start_date: string | null;
  readonly group_id: string | null;
  readonly page_id: string;
  readonly group: boolean;
  readonly only_show_if_degraded: boolean;
  /** A group's components, by id. */
  readonly components?: readonly string[];
}

/** A component an update changed. */
export interface StatuspageV2AffectedComponent {
  readonly code: string;
  readonly name: string;
  readonly old_status: ComponentStatus;
  readonly new_status: ComponentStatus;
}

/** A public update of an incident or a scheduled maintenance. */
export interface StatuspageV2IncidentUpdate {
  readonly id: string;
  readonly status: PublicIncidentStatus | MaintenanceStatus;
  readonly body: string;
  /** The incident's (or maintenance's) id. */
  readonly incident_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly display_at: string;
  /** `null` when the update changed no component, as Statuspage writes it. */
  readonly affected_components: readonly StatuspageV2AffectedComponent[] | null;
  readonly deliver_notifications: boolean;
  readonly custom_tweet: null;
  readonly tweet_id: null;
}

/** A public incident, its updates newest first. */
export interface StatuspageV2Incident {
  readonly id: string;
  readonly name: string;
  readonly status: PublicIncidentStatus;
  readonly created_at: string;
  readonly updated_at: string;
  readonly monitoring_at: string | null;
  readonly resolved_at: string | null;
  readonly impact: PublicImpact;
  readonly shortlink: string;
  readonly started_at: string;
  readonly page_id: string;
  readonly incident_updates: readonly StatuspageV2IncidentUpdate[];
  readonly components: readonly StatuspageV2Component[];
}

/** A scheduled maintenance: an incident with `impact: 'maintenance'` and its window. */
export interface StatuspageV2ScheduledMaintenance extends Omit<StatuspageV2Incident, 'status' | 'impact'> {
  readonly status: MaintenanceStatus;
  readonly impact: 'maintenance';
  readonly scheduled_for: string;
  readonly scheduled_until: string;
}

/** `summary.json`: the page, its components, unresolved incidents, upcoming and active maintenance, its status. */
export interface StatuspageV2Summary {
  readonly page: StatuspageV2Page;
  readonly components: readonly StatuspageV2Component[];
  readonly incidents: readonly StatuspageV2Incident[];
  readonly scheduled_maintenances: readonly StatuspageV2ScheduledMaintenance[];
  readonly status: StatuspageV2Status;
}

/** The paths of the v2 API under `/api/v2/`, as {@link renderStatuspageV2} takes them. */
export const STATUSPAGE_V2_PATHS = /* @__PURE__ */ Object.freeze([
  'summary.json',
  'status.json',
  'components.json',
  'incidents.json',
  'incidents/unresolved.json',
  'scheduled-maintenances.json',
  'scheduled-maintenances/upcoming.json',
  'scheduled-maintenances/active.json',
] as const);
/** One of {@link STATUSPAGE_V2_PATHS}. */
export type StatuspageV2Path = (typeof STATUSPAGE_V2_PATHS)[number];

/** How many incidents and maintenances the list endpoints return, as Statuspage does. */
export const STATUSPAGE_V2_LIST_LIMIT = 50;

const IMPACT_RANK: Readonly<Record<PublicImpact, number>> = { none: 0, minor: 1, major: 2, critical: 3 };
/** Worst first; `operational` is not an issue. */
const ISSUES: readonly ComponentStatus[] = ['major_outage', 'partial_outage', 'degraded_performance', 'under_maintenance'];
const STATUS_RANK: Readonly<Record<ComponentStatus, number>> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/**
 * The top-level status while components are under maintenance and nothing is worse (indicator
 * `none`): the HTML banner colours it as maintenance, not as operational.
 *
 * @internal
 */
export const SERVICE_UNDER_MAINTENANCE = 'Service Under Maintenance';

/**
 * The top-level status Statuspage computes from the page's components: with every component
 * at the worst status, `Major System Outage`, `Partial System Outage` or `Degraded System
 * Service`; with only some, one step milder (`Partial System Outage`, `Minor Service Outage`,
 * `Partially Degraded Service`); maintenance alone is `Service Under Maintenance`.
 */
function componentsStatus(statuses: readonly ComponentStatus[]): StatuspageV2Status {
  const worst = ISSUES.find((issue) => statuses.includes(issue));
  if (worst === undefined) return { indicator: 'none', description: 'All Systems Operational' };
  const all = statuses.every((status) => status === worst);
  switch (worst) {
    case 'major_outage':
      return all ? { indicator: 'critical', description: 'Major System Outage' } : { indicator: 'major', description: 'Partial System Outage' };
    case 'partial_outage':
      return all ? { indicator: 'major', description: 'Partial System Outage' } : { indicator: 'minor', description: 'Minor Service Outage' };
    case 'degraded_performance':
      return { indicator: 'minor', description: all ? 'Degraded System Service' : 'Partially Degraded Service' };
    default:
      // The documented indicators are none, minor, major and critical: maintenance alone is not an outage.
      return { indicator: 'none', description: SERVICE_UNDER_MAINTENANCE };
  }
}

const IMPACT_STATUS: Readonly<Record<PublicImpact, string>> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
};

/**
 * The page's top-level status: from its components' statuses, or from the impact of an
 * unresolved incident when that is worse (a page with no component still shows an incident).
 *
 * @example
 * ```ts
 * import { statuspageStatus } from 'incidentkit/status-page';
 * import type { StatusPageSnapshot } from 'incidentkit/status-page';
 *
 * declare const snapshot: StatusPageSnapshot;
 * const { indicator, description } = statuspageStatus(snapshot);
 * console.log(indicator === 'none' ? 'all good' : description);
 * ```
 */
export function statuspageStatus(snapshot: StatusPageSnapshot): StatuspageV2Status {
  const fromComponents = componentsStatus(snapshot.components.map((state) => state.status));
  let impact: PublicImpact = 'none';
  for (const incident of snapshot.incidents) {
    if (incident.status !== 'resolved' && IMPACT_RANK[incident.impact] > IMPACT_RANK[impact]) impact = incident.impact;
  }
  return IMPACT_RANK[impact] > IMPACT_RANK[fromComponents.indicator] ? { indicator: impact, description: IMPACT_STATUS[impact] } : fromComponents;
}

/**
 * A stable id for the group named `name` (groups have names, not ids): `group-` and twelve
 * hexadecimal digits of a 64-bit FNV-1a hash of the name, so it survives restarts and deploys.
 */
export function statuspageGroupId(name: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(name)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `group-${hash.toString(16).padStart(16, '0').slice(0, 12)}`;
}

/** What every renderer of one snapshot needs: the page's zone and its components by id. */
interface Context {
  readonly snapshot: StatusPageSnapshot;
  readonly time: (iso: string) => string;
  readonly componentsById: ReadonlyMap<string, StatuspageV2Component>;
}

function contextOf(snapshot: StatusPageSnapshot): Context {
  const time = (iso: string): string => timeInZone(iso, snapshot.page.timeZone);
  const componentsById = new Map(renderComponents(snapshot, time).map((component) => [component.id, component]));
  return { snapshot, time, componentsById };
}

function renderComponent(state: ComponentState, pageId: string, position: number, groupId: string | null, time: (iso: string) => string): StatuspageV2Component {
  const { component } = state;
  return {
    id: component.id,
    name: component.name,
    status: state.status,
    created_at: time(state.createdAt ?? state.updatedAt),
    updated_at: time(state.updatedAt),
    position,
    description: component.description ?? null,
    showcase: true,
    start_date: null,
    group_id: groupId,
    page_id: pageId,
    group: false,
    only_show_if_degraded: component.onlyShowIfDegraded === true,
  };
}

/** Components in page order; a group is listed where its first component is, before its members. */
function renderComponents(snapshot: StatusPageSnapshot, time: (iso: string) => string): StatuspageV2Component[] {
  const pageId = snapshot.page.id;
  const groups = new Map<string, ComponentState[]>();
  const items: (ComponentState | string)[] = [];
  for (const state of snapshot.components) {
    const group = state.component.group;
    if (group === undefined) {
      items.push(state);
      continue;
    }
    const members = groups.get(group);
    if (members === undefined) {
      groups.set(group, [state]);
      items.push(group);
    } else {
      members.push(state);
    }
  }
  const out: StatuspageV2Component[] = [];
  items.forEach((item, index) => {
    if (typeof item !== 'string') {
      out.push(renderComponent(item, pageId, index + 1, null, time));
      return;
    }
    const members = groups.get(item) ?? [];
    const groupId = statuspageGroupId(item);
    const created = members.map((m) => m.createdAt ?? m.updatedAt).sort()[0] ?? snapshot.updatedAt;
    const updated = members.map((m) => m.updatedAt).sort().at(-1) ?? snapshot.updatedAt;
    const worst = members.reduce<ComponentStatus>((acc, m) => (STATUS_RANK[m.status] > STATUS_RANK[acc] ? m.status : acc), 'operational');
    out.push({
      id: groupId,
      name: item,
      status: worst,
      created_at: time(created),
      updated_at: time(updated),
      position: index + 1,
      description: null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: pageId,
      group: true,
      only_show_if_degraded: false,
      components: members.map((m) => m.component.id),
    });
    members.forEach((member, i) => out.push(renderComponent(member, pageId, i + 1, groupId, time)));
  });
  return out;
}

function renderUpdate(update: PublicUpdate, incidentId: string, time: (iso: string) => string): StatuspageV2IncidentUpdate {
  const at = time(update.createdAt);
  return {
    id: update.id,
    status: update.status,
    body: update.body,
    incident_id: incidentId,
    created_at: at,
    updated_at: at,
    display_at: at,
    affected_components:
      update.affectedComponents.length === 0
        ? null
        : update.affectedComponents.map((c) => ({ code: c.id, name: c.name, old_status: c.oldStatus, new_status: c.newStatus })),
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  };
}

/** When the incident first went to `monitoring` (updates are newest first). */
function monitoringAt(updates: readonly PublicUpdate[]): string | undefined {
  return updates.filter((u) => u.status === 'monitoring').at(-1)?.createdAt;
}

function componentsOf(ids: readonly string[], context: Context): StatuspageV2Component[] {
  return ids.flatMap((id) => {
    const component = context.componentsById.get(id);
    return component === undefined ? [] : [component];
  });
}

function renderIncident(incident: PublicIncident, context: Context): StatuspageV2Incident {
  const { time } = context;
  const monitoring = monitoringAt(incident.updates);
  return {
    id: incident.id,
    name: incident.name,
    status: incident.status,
    created_at: time(incident.createdAt),
    updated_at: time(incident.updatedAt),
    monitoring_at: monitoring === undefined ? null : time(monitoring),
    resolved_at: incident.resolvedAt === undefined ? null : time(incident.resolvedAt),
    impact: incident.impact,
    shortlink: incident.shortlink,
    started_at: time(incident.createdAt),
    page_id: context.snapshot.page.id,
    incident_updates: incident.updates.map((update) => renderUpdate(update, incident.id, time)),
    components: componentsOf(
      incident.components.map((c) => c.id),
      context,
    ),
  };
}

function renderMaintenance(maintenance: ScheduledMaintenance, context: Context): StatuspageV2ScheduledMaintenance {
  const { time } = context;
  return {
    id: maintenance.id,
    name: maintenance.name,
    status: maintenance.status,
    created_at: time(maintenance.createdAt),
    updated_at: time(maintenance.updatedAt),
    monitoring_at: null,
    resolved_at: maintenance.resolvedAt === undefined ? null : time(maintenance.resolvedAt),
    impact: 'maintenance',
    shortlink: maintenance.shortlink,
    started_at: time(maintenance.scheduledFor),
    page_id: context.snapshot.page.id,
    incident_updates: maintenance.updates.map((update) => renderUpdate(update, maintenance.id, time)),
    components: componentsOf(maintenance.components, context),
    scheduled_for: time(maintenance.scheduledFor),
    scheduled_until: time(maintenance.scheduledUntil),
  };
}

function renderPage(context: Context): StatuspageV2Page {
  const { page, updatedAt } = context.snapshot;
  return { id: page.id, name: page.name, url: page.url, time_zone: page.timeZone, updated_at: context.time(updatedAt) };
}

const isUnresolved = (incident: PublicIncident): boolean => incident.status !== 'resolved';
const isUpcoming = (m: ScheduledMaintenance): boolean => m.status === 'scheduled';
const isActive = (m: ScheduledMaintenance): boolean => m.status === 'in_progress' || m.status === 'verifying';

/** Every maintenance, the latest window first, as `scheduled-maintenances.json` lists them. */
function latestFirst(maintenances: readonly ScheduledMaintenance[]): ScheduledMaintenance[] {
  return [...maintenances].sort((a, b) => Date.parse(b.scheduledFor) - Date.parse(a.scheduledFor));
}

/** The body of one v2 endpoint, by path. */
export type StatuspageV2Body<P extends StatuspageV2Path> = P extends 'summary.json'
  ? StatuspageV2Summary
  : P extends 'status.json'
    ? { readonly page: StatuspageV2Page; readonly status: StatuspageV2Status }
    : P extends 'components.json'
      ? { readonly page: StatuspageV2Page; readonly components: readonly StatuspageV2Component[] }
      : P extends 'incidents.json' | 'incidents/unresolved.json'
        ? { readonly page: StatuspageV2Page; readonly incidents: readonly StatuspageV2Incident[] }
        : { readonly page: StatuspageV2Page; readonly scheduled_maintenances: readonly StatuspageV2ScheduledMaintenance[] };

/**
 * The body of the Statuspage v2 endpoint at `/api/v2/{path}` for `snapshot`, as plain data
 * (`JSON.stringify` it to serve it). Times are written in the page's time zone with their
 * offset, as Statuspage writes them; lists hold at most {@link STATUSPAGE_V2_LIST_LIMIT} items.
 *
 * @example
 * ```ts
 * import { renderStatuspageV2 } from 'incidentkit/status-page';
 * import type { StatusPageSnapshot } from 'incidentkit/status-page';
 *
 * declare const snapshot: StatusPageSnapshot;
 * const summary = renderStatuspageV2(snapshot, 'summary.json');
 * console.log(summary.status.description, summary.incidents.map((incident) => incident.name));
 * ```
 */
export function renderStatuspageV2<P extends StatuspageV2Path>(snapshot: StatusPageSnapshot, path: P): StatuspageV2Body<P>;
export function renderStatuspageV2(snapshot: StatusPageSnapshot, path: StatuspageV2Path): StatuspageV2Body<StatuspageV2Path> {
  const context = contextOf(snapshot);
  const page = renderPage(context);
  const components = [...context.componentsById.values()];
  const incidents = (filter: (incident: PublicIncident) => boolean): StatuspageV2Incident[] =>
    snapshot.incidents
      .filter(filter)
      .slice(0, STATUSPAGE_V2_LIST_LIMIT)
      .map((incident) => renderIncident(incident, context));
  const maintenances = (list: readonly ScheduledMaintenance[]): StatuspageV2ScheduledMaintenance[] =>
    list.slice(0, STATUSPAGE_V2_LIST_LIMIT).map((m) => renderMaintenance(m, context));
  switch (path) {
    case 'summary.json':
      return {
        page,
        components,
        incidents: incidents(isUnresolved),
        scheduled_maintenances: maintenances(snapshot.maintenances.filter((m) => isUpcoming(m) || isActive(m))),
        status: statuspageStatus(snapshot),
      };
    case 'status.json':
      return { page, status: statuspageStatus(snapshot) };
    case 'components.json':
      return { page, components };
    case 'incidents.json':
      return { page, incidents: incidents(() => true) };
    case 'incidents/unresolved.json':
      return { page, incidents: incidents(isUnresolved) };
    case 'scheduled-maintenances.json':
      return { page, scheduled_maintenances: maintenances(latestFirst(snapshot.maintenances)) };
    case 'scheduled-maintenances/upcoming.json':
      return { page, scheduled_maintenances: maintenances(snapshot.maintenances.filter(isUpcoming)) };
    case 'scheduled-maintenances/active.json':
      return { page, scheduled_maintenances: maintenances(snapshot.maintenances.filter(isActive)) };
  }
}
