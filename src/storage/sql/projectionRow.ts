import { OPEN_STATUSES } from '../../model/incident.js';
import type { Commit } from '../types.js';
import { storedJson } from './incidentItems.js';

/**
 * The projection columns both SQL stores write on every commit, in their column order:
 * version, status, is_open, severity, service, dedup_key, detected_at, incident (JSON),
 * snapshot (JSON) and the last event's hash (`null`: keep the stored one). The JSON leaves out
 * the collections stored as item rows (see `storedJson`).
 *
 * @internal
 */
export type ProjectionRow<Open> = [
  version: number,
  status: string,
  isOpen: Open,
  severity: string,
  service: string | null,
  dedupKey: string | null,
  detectedAt: string,
  incident: string,
  snapshot: string,
  lastHash: string | null,
];

/**
 * The {@link ProjectionRow} of a commit. `open` writes the is_open flag as the database binds it
 * (PostgreSQL a boolean, SQLite `1` or `0`).
 *
 * @internal
 */
export function projectionRow<Open>(commit: Commit, open: (isOpen: boolean) => Open): ProjectionRow<Open> {
  const { incident } = commit;
  const json = storedJson(incident, commit.snapshot);
  return [
    incident.version,
    incident.status,
    open(OPEN_STATUSES.includes(incident.status)),
    incident.severity,
    incident.service ?? null,
    incident.dedupKey ?? null,
    incident.detectedAt,
    json.incident,
    json.snapshot,
    commit.events.at(-1)?.hash ?? null,
  ];
}
