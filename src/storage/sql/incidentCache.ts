import { deepFreeze } from '../../kernel/freeze.js';
import type { Commit, StoredIncident } from '../types.js';

/** How many incidents a SQL store remembers (the most recently loaded or committed). */
const CAPACITY = 256;

/**
 * The last state a SQL store loaded or committed of each recently used incident, by
 * `(tenant, incident)`: what lets a command on an incident with 10 000 action items read and write
 * what one with 10 does.
 *
 * @remarks An entry is trusted only at its own `version`: a version names one state of an incident
 * (every commit moves it on), so another writer's commit (another process, another store on the
 * same database) just makes the entry stale and the next read a miss. `load` returns an entry
 * when the stored version still equals it; `commit` at an entry's version writes only the item
 * rows that differ from it. Entries are deeply frozen: they are shared with every caller.
 * @internal
 */
export interface IncidentCache {
  /** The entry of an incident, if it holds one at `version` (any version when omitted). */
  get(tenantId: string, incidentId: string, version?: number): StoredIncident | undefined;
  /** Remembers `stored` (freezing it) as the state at its version; returns it. */
  set(tenantId: string, incidentId: string, stored: StoredIncident): StoredIncident;
  /** Remembers what a successful commit stored, given the entry it was computed from (if any). */
  committed(commit: Commit, previous: StoredIncident | undefined): void;
  /** Forgets an incident: its next read reads it whole. */
  forget(tenantId: string, incidentId: string): void;
}

/** A bounded, least-recently-used {@link IncidentCache}. @internal */
export function incidentCache(capacity = CAPACITY): IncidentCache {
  const entries = new Map<string, StoredIncident>();
  const keyOf = (tenantId: string, incidentId: string): string => `${tenantId}\u0000${incidentId}`;

  function set(tenantId: string, incidentId: string, stored: StoredIncident): StoredIncident {
    const key = keyOf(tenantId, incidentId);
    entries.delete(key);
    entries.set(key, deepFreeze(stored));
    if (entries.size > capacity) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    return stored;
  }

  return {
    get(tenantId, incidentId, version) {
      const key = keyOf(tenantId, incidentId);
      const entry = entries.get(key);
      if (entry === undefined || (version !== undefined && entry.incident.version !== version)) return undefined;
      // Most recently used last.
      entries.delete(key);
      entries.set(key, entry);
      return entry;
    },
    set,
    forget(tenantId, incidentId) {
      entries.delete(keyOf(tenantId, incidentId));
    },
    committed(commit, previous) {
      const lastHash = commit.events.at(-1)?.hash ?? previous?.lastHash;
      if (lastHash === undefined) {
        entries.delete(keyOf(commit.tenantId, commit.incidentId));
        return;
      }
      set(commit.tenantId, commit.incidentId, { incident: commit.incident, snapshot: commit.snapshot, lastHash });
    },
  };
}
