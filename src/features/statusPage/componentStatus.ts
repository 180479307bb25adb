/**
 * Component status derivation, as pure functions: what each component of a page shows, given the
 * page's public incidents. An unresolved public incident sets the components it names
 * explicitly, and the components linked to its service from its impact; the worst status wins;
 * a resolved one (publicly, or internally) holds nothing.
 *
 * @packageDocumentation
 */
import type { Incident } from '../../model/incident.js';
import type { ComponentStatus, PublicImpact, StatusPage } from './snapshot.js';

/** How bad each status is: the worst one wins. */
const RANK: Readonly<Record<ComponentStatus, number>> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** The status an unresolved public incident of `impact` sets on the components linked to its service. */
export const IMPACT_STATUS: Readonly<Record<PublicImpact, ComponentStatus | undefined>> = {
  none: undefined,
  minor: 'degraded_performance',
  major: 'partial_outage',
  critical: 'major_outage',
};

/** The worse of two statuses. */
export function worstOf(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/** What the page keeps of one public incident to derive component status (its index entry). @internal */
export interface PublicEntry {
  readonly publicId: string;
  /** The incident's `service` and `services`. */
  readonly services: readonly string[];
  readonly impact: PublicImpact;
  /** The components its public updates set explicitly. */
  readonly explicit: Readonly<Record<string, ComponentStatus>>;
  /** Unresolved publicly and internally: it holds its components. */
  readonly active: boolean;
  /** Its public status is `resolved`. */
  readonly resolved: boolean;
  /** When its last public update was posted. */
  readonly updatedAt: string;
  /** The incident version the entry reflects. */
  readonly version: number;
}

/** A component's stored status and since when. @internal */
export interface HeldStatus {
  readonly status: ComponentStatus;
  readonly since: string;
}

/** The internal states in which an incident no longer holds its components. */
const ENDED: ReadonlySet<string> = new Set(['resolved', 'postIncident', 'closed', 'canceled']);

/** The index entry of a published incident (`undefined` when it is not published). @internal */
export function entryOf(incident: Incident): PublicEntry | undefined {
  const pub = incident.publicIncident;
  if (pub === undefined) return undefined;
  const services = [...new Set([...(incident.service === undefined ? [] : [incident.service]), ...(incident.services ?? [])])];
  const resolved = pub.status === 'resolved';
  return {
    publicId: pub.publicId,
    services,
    impact: pub.impact,
    explicit: pub.components,
    active: !resolved && !ENDED.has(incident.status),
    resolved,
    updatedAt: pub.updatedAt,
    version: incident.version,
  };
}

/** The components `entry` affects on `page`: those it set explicitly, and those linked to its service while its impact sets one. */
export function affectedBy(page: StatusPage, entry: Pick<PublicEntry, 'services' | 'impact' | 'explicit'>): Map<string, ComponentStatus> {
  const affected = new Map<string, ComponentStatus>();
  const derived = IMPACT_STATUS[entry.impact];
  for (const component of page.components) {
    const explicit = entry.explicit[component.id];
    if (explicit !== undefined) affected.set(component.id, explicit);
    else if (derived !== undefined && (component.services ?? []).some((s) => entry.services.includes(s))) affected.set(component.id, derived);
  }
  return affected;
}

/** What every component of `page` shows with these public incidents: operational unless an active one holds it. */
export function deriveStatuses(page: StatusPage, entries: Iterable<PublicEntry>): Map<string, ComponentStatus> {
  const statuses = new Map<string, ComponentStatus>(page.components.map((c) => [c.id, 'operational']));
  for (const entry of entries) {
    if (!entry.active) continue;
    for (const [id, status] of affectedBy(page, entry)) statuses.set(id, worstOf(statuses.get(id) ?? 'operational', status));
  }
  return statuses;
}

/** The components whose status differs between `before` and `after` (components of `page`, in its order). */
export function statusChanges(
  page: StatusPage,
  before: ReadonlyMap<string, ComponentStatus> | Readonly<Record<string, HeldStatus>>,
  after: ReadonlyMap<string, ComponentStatus>,
): { readonly id: string; readonly oldStatus: ComponentStatus; readonly newStatus: ComponentStatus }[] {
  const old = (id: string): ComponentStatus => (before instanceof Map ? (before.get(id) as ComponentStatus | undefined) : (before as Readonly<Record<string, HeldStatus>>)[id]?.status) ?? 'operational';
  return page.components
    .map((c) => ({ id: c.id, oldStatus: old(c.id), newStatus: after.get(c.id) ?? 'operational' }))
    .filter((change) => change.oldStatus !== change.newStatus);
}
