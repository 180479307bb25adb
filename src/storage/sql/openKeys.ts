import { OPEN_STATUSES, type Incident } from '../../model/incident.js';

/**
 * The dedup keys one incident holds in a SQL store's open-keys table (`<prefix>open_keys`).
 *
 * @remarks
 * While an incident is open it holds its own `dedupKey` (unique per tenant: a second open
 * incident with it is a `DuplicateIncidentError`) and the `dedupKey` of each of its alerts (the
 * first open incident to hold an alert key keeps it; the key is taken again by the next commit
 * of any open incident that has it once the holder lets it go, as in the memory store). When the
 * incident leaves the open statuses it holds nothing.
 *
 * This is all the stores need to keep the table: whatever supplies the keys (today the
 * projection's `alerts`, later alert rows) builds one of these per commit. It is the whole set,
 * not a change: a key the incident holds but `own` / `alerts` no longer name is released.
 * @internal
 */
export interface OpenKeys {
  /** Whether the incident is in one of the open statuses. */
  readonly open: boolean;
  /** Its own `dedupKey` while open, else `null`. */
  readonly own: string | null;
  /** Its alerts' `dedupKey`s while open, sorted and without repeats (so concurrent writers take them in one order), else empty. */
  readonly alerts: readonly string[];
}

/**
 * The {@link OpenKeys} of an incident as its projection describes it.
 *
 * @internal
 */
export function openKeysOf(incident: Incident): OpenKeys {
  if (!OPEN_STATUSES.includes(incident.status)) return { open: false, own: null, alerts: [] };
  const own = incident.dedupKey ?? null;
  if (incident.alerts.length === 0) return { open: true, own, alerts: [] };
  const alerts = [...new Set(incident.alerts.map((alert) => alert.dedupKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { open: true, own, alerts };
}
