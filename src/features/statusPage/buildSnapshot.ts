/**
 * Builds a {@link StatusPageSnapshot} from what the feature keeps, as a pure function: the page,
 * its component states, and the public slices of its incidents. Only the public slice of an
 * incident is read here, so nothing internal can reach a snapshot.
 *
 * @packageDocumentation
 */
import type { PublicIncidentSlice } from '../../model/publicIncident.js';
import { affectedBy, type HeldStatus, type PublicEntry } from './componentStatus.js';
import type { ComponentState, ComponentStatus, ComponentUptime, PublicIncident, ScheduledMaintenance, StatusPage, StatusPageSnapshot } from './snapshot.js';

/** What {@link buildSnapshot} takes. @internal */
export interface SnapshotInput {
  readonly page: StatusPage;
  readonly at: string;
  /** When the page's state began (components never changed since are operational since then). */
  readonly createdAt: string;
  readonly held: Readonly<Record<string, HeldStatus>>;
  /** When each component was first seen on the page; `createdAt` for one missing. */
  readonly added?: Readonly<Record<string, string>>;
  /** The public incidents to show, with their index entries. */
  readonly incidents: readonly { readonly slice: PublicIncidentSlice; readonly entry: PublicEntry }[];
  readonly uptime?: readonly ComponentUptime[];
  /** Scheduled maintenances to show, soonest first. */
  readonly maintenances?: readonly ScheduledMaintenance[];
  /** When the page definition was last written, if it was stored. */
  readonly pageUpdatedAt?: string;
}

/** The shortlink of a public incident: `${page.url}/incidents/${publicId}`. */
export function shortlinkOf(page: StatusPage, publicId: string): string {
  return `${page.url}/incidents/${encodeURIComponent(publicId)}`;
}

/** A public incident as the public sees it. @internal */
export function toPublicIncident(page: StatusPage, slice: PublicIncidentSlice, entry: PublicEntry, statusOf: (id: string) => ComponentStatus): PublicIncident {
  const names = new Map(page.components.map((c) => [c.id, c.name]));
  const affected = [...affectedBy(page, entry).keys()];
  return {
    id: slice.publicId,
    name: slice.name,
    status: slice.status,
    impact: slice.impact,
    createdAt: slice.publishedAt,
    updatedAt: slice.updatedAt,
    ...(slice.resolvedAt === undefined ? {} : { resolvedAt: slice.resolvedAt }),
    shortlink: shortlinkOf(page, slice.publicId),
    components: affected.map((id) => ({ id, status: statusOf(id) })),
    updates: [...slice.updates].reverse().map((update) => ({
      id: update.id,
      status: update.status,
      body: update.body,
      createdAt: update.at,
      affectedComponents: update.affected.map((a) => ({ id: a.id, name: names.get(a.id) ?? a.id, oldStatus: a.oldStatus, newStatus: a.newStatus })),
    })),
  };
}

/** The snapshot of a page at `input.at`. @internal */
export function buildSnapshot(input: SnapshotInput): StatusPageSnapshot {
  const { page, held, createdAt } = input;
  const statusOf = (id: string): ComponentStatus => held[id]?.status ?? 'operational';
  const components: ComponentState[] = page.components.map((component) => {
    const added = input.added?.[component.id] ?? createdAt;
    return { component, status: statusOf(component.id), updatedAt: held[component.id]?.since ?? added, createdAt: added };
  });
  const incidents = input.incidents
    .map(({ slice, entry }) => toPublicIncident(page, slice, entry, statusOf))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  const times = [createdAt, input.pageUpdatedAt, ...components.map((c) => c.updatedAt), ...incidents.map((i) => i.updatedAt), ...(input.maintenances ?? []).map((m) => m.updatedAt)].filter((t): t is string => t !== undefined);
  const updatedAt = times.reduce((latest, t) => (t > latest ? t : latest), createdAt);
  return {
    page,
    at: input.at,
    updatedAt,
    components,
    incidents,
    maintenances: input.maintenances ?? [],
    ...(input.uptime === undefined ? {} : { uptime: input.uptime }),
  };
}
