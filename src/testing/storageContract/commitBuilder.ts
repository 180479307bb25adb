/**
 * Builds the commits the storage contract writes with the real engine (validation, machine,
 * hashing, projection), so the data is what a host would store.
 */
import { createIncidentEngine } from '../../createIncidentEngine.js';
import type { IncidentEngine } from '../../incidentEngine.js';
import type { JsonValue } from '../../model/primitives.js';
import { memoryStore } from '../../storage/memory.js';
import type { Commit, StorageAdapter, StoredIncident } from '../../storage/types.js';
import { alice, t, TENANT } from './fixtures.js';

/** Builds commits without writing them; see {@link commitBuilder}. */
export interface CommitBuilder {
  /** The commit that declares an incident. */
  declare(spec: DeclareSpec): Promise<Commit>;
  /** The commit of one more command on `current`. */
  next(current: StoredIncident, at: string, run: (engine: IncidentEngine, id: string) => Promise<unknown>): Promise<Commit>;
  /** The commit that adds a note to `current`. */
  note(current: StoredIncident, text: string, at?: string): Promise<Commit>;
}

/** What `declare` of the builder accepts: the engine's declare input plus the incident's id and time. */
export interface DeclareSpec {
  readonly id: string;
  readonly tenantId?: string;
  readonly at?: string;
  readonly title?: string;
  readonly severity?: string;
  readonly service?: string;
  readonly dedupKey?: string;
  readonly startedAt?: string;
  readonly labels?: Record<string, string>;
  readonly fields?: Record<string, JsonValue>;
}

/**
 * Builds commits with the real engine (validation, machine, hashing, projection), without
 * writing them: the engine runs over a capturing store that returns a given state and keeps the
 * commit it is handed. Its alert reads go to `reads`, the store under test, so a command on an
 * alert beyond the newest the projection carries sees what that store holds. (Open incidents by
 * dedup key are not read there: the builder must be able to build a duplicate, to race it.)
 */
export function commitBuilder(reads?: StorageAdapter): CommitBuilder {
  let counter = 0;
  let incidentId = '';
  let now = t(0);
  let current: StoredIncident | undefined;
  let captured: Commit | undefined;
  const ids = (kind: string): string => (kind === 'incident' ? incidentId : `${kind.slice(0, 3)}_${String((counter += 1))}`);
  const capturing: StorageAdapter = {
    ...memoryStore(),
    ...(reads === undefined
      ? {}
      : {
          alerts: (tenantId, id, query) => reads.alerts(tenantId, id, query),
          findAlert: (tenantId, id, fingerprint) => reads.findAlert(tenantId, id, fingerprint),
        }),
    name: 'capture',
    load: (_tenant, id) => Promise.resolve(current?.incident.id === id ? structuredClone(current) : undefined),
    commit: (commit) => {
      captured = commit;
      return Promise.resolve();
    },
  };
  const engines = new Map<string, IncidentEngine>();
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs one engine command against `state` at `at` and returns the commit it wrote; one at a time. */
  function capture(
    tenantId: string,
    at: string,
    state: StoredIncident | undefined,
    run: (engine: IncidentEngine) => Promise<unknown>,
    newId = '',
  ): Promise<Commit> {
    const result = queue.then(async () => {
      let engine = engines.get(tenantId);
      if (engine === undefined) {
        engine = createIncidentEngine({ store: capturing, tenantId, clock: { now: () => new Date(now) }, ids });
        engines.set(tenantId, engine);
      }
      [now, current, captured, incidentId] = [at, state, undefined, newId];
      await run(engine);
      const commit = captured as Commit | undefined;
      if (commit === undefined) throw new Error('[incidentkit] storage contract: the engine wrote no commit.');
      return commit;
    });
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    /** The commit that declares an incident. */
    declare(spec: DeclareSpec): Promise<Commit> {
      const { id, tenantId = TENANT, at = t(0), ...input } = spec;
      return capture(
        tenantId,
        at,
        undefined,
        (engine) => engine.declare({ title: 'Checkout is down', severity: 'SEV3', ...input, actor: alice }),
        id,
      );
    },
    /** The commit of one more command on `current`. */
    next(current: StoredIncident, at: string, run: (engine: IncidentEngine, id: string) => Promise<unknown>): Promise<Commit> {
      return capture(current.incident.tenantId, at, current, (engine) => run(engine, current.incident.id));
    },
    /** The commit that adds a note to `current`. */
    note(current: StoredIncident, text: string, at: string = current.incident.updatedAt): Promise<Commit> {
      return capture(current.incident.tenantId, at, current, (engine) => engine.addNote(current.incident.id, { text, actor: alice }));
    },
  };
}
