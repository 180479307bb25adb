import { holdsDedupKeys } from '../../model/incident.js';
import type { Commit } from '../types.js';

/**
 * What one commit changes in a SQL store's open-keys table (`<prefix>open_keys`).
 *
 * @remarks
 * While an incident holds its keys (`holdsDedupKeys`: open, and no recurrence took them over),
 * it holds its own `dedupKey` (unique per tenant: a second open incident with it is a
 * `DuplicateIncidentError`) and the `dedupKey` of each of its alert rows
 * (the first open incident to hold an alert key keeps it). A commit carries only the alert rows it
 * adds or changes, so it only ever **takes** alert keys; it never releases one because it does not
 * name it. When the incident stops holding keys (once: closed and canceled are final, and a
 * recurrence keeps what it took over) it lets go of every key, and each alert key passes to the
 * oldest other open incident with an alert of that key, as in the memory store.
 * @internal
 */
export interface OpenKeys {
  /** Whether the incident holds its keys after the commit (`holdsDedupKeys`). */
  readonly open: boolean;
  /** Its own `dedupKey` while open, else `null`. */
  readonly own: string | null;
  /** The `dedupKey`s of the commit's alert rows while open, sorted and without repeats (so concurrent writers take them in one order), else empty. */
  readonly alerts: readonly string[];
}

/**
 * The {@link OpenKeys} of a commit: the incident's status and own key from its projection, the
 * alert keys from the alert rows it writes.
 *
 * @internal
 */
export function openKeysOf(commit: Commit): OpenKeys {
  const { incident } = commit;
  if (!holdsDedupKeys(incident)) return { open: false, own: null, alerts: [] };
  const own = incident.dedupKey ?? null;
  const rows = commit.alerts ?? [];
  if (rows.length === 0) return { open: true, own, alerts: [] };
  const alerts = [...new Set(rows.map((alert) => alert.dedupKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { open: true, own, alerts };
}
