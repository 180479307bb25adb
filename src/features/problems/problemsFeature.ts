/**
 * Problem management (ITIL) in the engine: problems kept as versioned records of kind `problem`
 * (`engine.problems`), each stepped by {@link problemMachine}, authorized, compare-and-set with
 * reload-and-retry; and the prevention loop at every new incident (known errors, recurrences).
 */
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { builtInFeature, type EngineCore } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { createKeyedQueue } from '../../kernel/keyedQueue.js';
import { parseConfig, parseInput } from '../../kernel/parse.js';
import { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import { requireRecords, retryOnRecordConflict, type RecordStore } from '../../storage/records.js';
import type { StoredRecord } from '../../storage/types.js';
import { PROBLEM_STATUSES, stepProblem, type Problem, type ProblemEvent, type ProblemStatus } from './problemMachine.js';
import { preventionEvents, type FindSimilar } from './prevention.js';
import { problemRoutes } from './problemRoutes.js';

/** The record kind problems are stored as. */
export const PROBLEM_RECORD_KIND = 'problem';

/** What changed in one version of a problem: `OPEN` for the first, else the {@link ProblemEvent} applied. */
export type ProblemChange = ProblemEvent | { readonly type: 'OPEN'; readonly at: string; readonly actor: Actor; readonly incidents: readonly string[] };

/** A problem as the engine keeps it: the problem, the version that holds it, and what that version changed. */
export interface StoredProblem {
  readonly problem: Problem;
  /** `1` for the version `open` wrote; every command adds one. */
  readonly version: number;
  readonly change: ProblemChange;
}

/** Options of the problems feature: `createIncidentEngine({ problems })`. */
export interface ProblemsOptions {
  readonly problems?: {
    /**
     * Propose a problem when a new incident is the `threshold`th (default 3) incident within
     * `windowDays` (default 30) that `findSimilarIncidents` finds similar, scoring at least
     * `minScore` (default 0.6), and none of them belongs to a problem that is not closed yet: a
     * `PROBLEM_PROPOSED` event on the new incident (notified by default). Absent: no proposals.
     */
    readonly recurrence?: { readonly threshold?: number; readonly windowDays?: number; readonly minScore?: number };
    /**
     * Show a new incident the workaround of a known error it resembles (one of the problem's
     * linked incidents scores at least `minScore`, default 0.6): a `KNOWN_ERROR_MATCHED` event
     * and `incident.knownError`. `false` turns it off. Default: on.
     */
    readonly knownErrors?: false | { readonly minScore?: number };
  };
}

/** Who writes a problem. */
export interface ProblemWriteOptions {
  readonly actor: ActorInput;
}

/** Who reads; absent: the engine's system actor (as for `engine.get`). */
export interface ProblemReadOptions {
  readonly actor?: ActorInput;
}

/** What `engine.problems.open` takes. */
export interface OpenProblemInput extends ProblemWriteOptions {
  readonly title: string;
  /** Incidents to link at once (each must exist). */
  readonly incidents?: readonly string[];
}

/** What `engine.problems.list` filters on (every filter given must match). */
export interface ProblemFilter extends ProblemReadOptions {
  readonly status?: ProblemStatus | readonly ProblemStatus[];
  /** Only problems that link this incident. */
  readonly incidentId?: string;
}

/**
 * `engine.problems`: the tenant's problems (ITIL problem management), each with its own small
 * lifecycle `investigating → knownError → resolved → closed` ({@link problemMachine}), kept as
 * versioned records with every version (`history`).
 *
 * @remarks Writes ask `authorize` about `problem.write`, reads about `problem.read` (with the
 * input, e.g. `{ problemId }`, and no incident). Every write names the actor; nothing is
 * overwritten: each command adds a version. The store must have the record methods
 * (`memoryStore()`, `sqliteStore(db)`, `postgresStore(pool)` do); otherwise these methods throw
 * `ConfigError` (`CONFIG_INVALID`).
 */
export interface ProblemsApi {
  /**
   * Opens a problem in `investigating`, linking `incidents`.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for an empty title or a malformed incident list.
   * @throws NotFoundError (`NOT_FOUND`) for an incident that does not exist.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `problem.write`.
   */
  open(input: OpenProblemInput): Promise<StoredProblem>;
  /**
   * Links an incident to a problem (in any state but `closed`).
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown problem or incident.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the problem is closed or links the incident already.
   */
  link(problemId: string, input: ProblemWriteOptions & { readonly incidentId: string }): Promise<StoredProblem>;
  /**
   * Links an action item of an incident to a problem: the prevention work it tracks.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown problem, incident, or action item.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the problem is closed or links the action item already.
   */
  linkActionItem(problemId: string, input: ProblemWriteOptions & { readonly incidentId: string; readonly actionItemId: string }): Promise<StoredProblem>;
  /**
   * Records (or replaces) the workaround, before the problem is resolved.
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the problem is resolved or closed.
   */
  recordWorkaround(problemId: string, input: ProblemWriteOptions & { readonly workaround: string }): Promise<StoredProblem>;
  /**
   * Records (or replaces) the root cause, until the problem is closed.
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the problem is closed.
   */
  recordRootCause(problemId: string, input: ProblemWriteOptions & { readonly rootCause: string }): Promise<StoredProblem>;
  /**
   * Marks an investigating problem a known error: from now on, a new incident that resembles
   * one of its incidents is shown its workaround (`KNOWN_ERROR_MATCHED`).
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when it has no workaround yet, or is not `investigating`.
   */
  markKnownError(problemId: string, input: ProblemWriteOptions): Promise<StoredProblem>;
  /**
   * Resolves a problem (`investigating` or `knownError`): its cause is removed.
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when it is resolved or closed already.
   */
  resolve(problemId: string, input: ProblemWriteOptions): Promise<StoredProblem>;
  /**
   * Closes a resolved problem (final).
   *
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when it is not `resolved`.
   */
  close(problemId: string, input: ProblemWriteOptions): Promise<StoredProblem>;
  /**
   * The current version of a problem.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown problem.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `problem.read`.
   */
  get(problemId: string, options?: ProblemReadOptions): Promise<StoredProblem>;
  /**
   * The tenant's problems matching `filter`, ordered by id (every page of the store is read:
   * problems are few next to incidents).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed filter.
   */
  list(filter?: ProblemFilter): Promise<StoredProblem[]>;
  /**
   * Every version of a problem after `afterVersion` (default 0), oldest first, at most `limit`
   * (default all): who changed what, when.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown problem.
   */
  history(problemId: string, query?: ProblemReadOptions & { readonly afterVersion?: number; readonly limit?: number }): Promise<StoredProblem[]>;
}

/** The methods the problems feature adds to the engine. */
export interface ProblemsFeatureApi {
  /** Problems (ITIL problem management): see {@link ProblemsApi}. */
  readonly problems: ProblemsApi;
}

const schemas = /* @__PURE__ */ (() => {
  const text = (max: number) => z.string().trim().min(1).max(max);
  const id = z.string().min(1).max(200);
  const write = z.object({ actor: actorSchema });
  const score = z.number().min(0).max(1).default(0.6);
  return {
    id,
    options: z
      .strictObject({
        recurrence: z
          .strictObject({ threshold: z.int().min(2).max(100).default(3), windowDays: z.number().min(1).max(3_660).default(30), minScore: score })
          .optional(),
        knownErrors: z.union([z.literal(false), z.strictObject({ minScore: score })]).default({ minScore: 0.6 }),
      })
      .default({ knownErrors: { minScore: 0.6 } }),
    open: write.extend({ title: text(500), incidents: z.array(id).max(100).default([]).refine((ids) => new Set(ids).size === ids.length, 'Each incident may be listed once.') }),
    write,
    link: write.extend({ incidentId: id }),
    linkActionItem: write.extend({ incidentId: id, actionItemId: id }),
    workaround: write.extend({ workaround: text(10_000) }),
    rootCause: write.extend({ rootCause: text(10_000) }),
    read: z.object({ actor: actorSchema.optional() }).default({}),
    list: z
      .object({ actor: actorSchema.optional(), status: z.union([z.enum(PROBLEM_STATUSES), z.array(z.enum(PROBLEM_STATUSES))]).optional(), incidentId: id.optional() })
      .default({}),
    history: z.object({ actor: actorSchema.optional(), afterVersion: z.int().min(0).default(0), limit: z.int().min(1).max(1_000).optional() }).default({ afterVersion: 0 }),
  };
})();

/** A stored version as the API returns it. */
function storedProblem(record: StoredRecord): StoredProblem {
  const value = record.value as unknown as { readonly problem: Problem; readonly change: ProblemChange };
  return { problem: value.problem, version: record.version, change: value.change };
}

/**
 * Every problem of the tenant, page by page (internal: no `authorize`).
 *
 * @internal
 */
export async function allProblems(store: RecordStore, tenantId: string): Promise<StoredProblem[]> {
  const problems: StoredProblem[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecords(tenantId, PROBLEM_RECORD_KIND, cursor === undefined ? { limit: 1_000 } : { limit: 1_000, cursor });
    for (const record of page.items) if (record.deleted !== true) problems.push(storedProblem(record));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return problems;
}

/**
 * The engine side of problem management: `engine.problems`, and the prevention loop in every
 * new incident's creation commit (known errors matched, recurrences proposed as problems), with
 * `findSimilarIncidents` of the review feature, which the composition root hands in.
 *
 * @internal
 */
export function problemsFeature(options: ProblemsOptions, findSimilarIncidents: FindSimilar): IncidentFeature<'problems', ProblemsFeatureApi> {
  const config = parseConfig(schemas.options, options.problems, 'createIncidentEngine problems');
  return builtInFeature({
    name: 'problems',
    events: ['MATCH_KNOWN_ERROR', 'PROPOSE_PROBLEM'],
    slice: ['knownError', 'problemProposal'],
    setup(core) {
      const problems = createProblems(core);
      return {
        api: { problems },
        routes: problemRoutes(problems),
        declare: {
          // Recorded in the creation commit, for declared and ingested incidents alike.
          history: async (input) => {
            if (typeof core.store.listRecords !== 'function') return [];
            return preventionEvents(core, findSimilarIncidents, config, input, (await allProblems(requireRecords(core.store, 'the problems of a new incident'), core.tenantId)).map((stored) => stored.problem));
          },
        },
      };
    },
  });
}

function createProblems(core: EngineCore): ProblemsApi {
  const { tenantId } = core;
  // Writes to one problem from this process run one after the other, as commands on one incident do.
  const serially = createKeyedQueue();
  const records = (subject: string): RecordStore => requireRecords(core.store, `engine.problems.${subject}`);

  async function current(subject: string, problemId: string): Promise<StoredProblem> {
    const record = await records(subject).getRecord(tenantId, PROBLEM_RECORD_KIND, problemId);
    if (record === undefined || record.deleted === true) throw new NotFoundError({ entity: 'problem', id: problemId, tenantId });
    return storedProblem(record);
  }

  async function put(subject: string, stored: { readonly problem: Problem; readonly change: ProblemChange }, expectedVersion: number, actor: Actor): Promise<StoredProblem> {
    const written = await records(subject).putRecord({
      tenantId,
      kind: PROBLEM_RECORD_KIND,
      id: stored.problem.id,
      expectedVersion,
      value: stored as unknown as JsonValue,
      at: stored.change.at,
      actor,
    });
    return storedProblem(written);
  }

  /** Applies the event `build` makes to the current version, at that version; on a concurrent write, reloads and applies it again. */
  function command(subject: string, problemIdInput: unknown, actor: Actor, input: Readonly<Record<string, unknown>>, build: (at: string) => ProblemEvent, check?: () => Promise<void>): Promise<StoredProblem> {
    const problemId = parseInput(schemas.id, problemIdInput, `problems.${subject}`);
    return serially(problemId, () =>
      retryOnRecordConflict(async () => {
        await core.authorize(actor, 'problem.write', undefined, { problemId, ...input });
        const before = await current(subject, problemId);
        await check?.();
        const event = build(core.now());
        const problem = stepProblem(before.problem, event);
        return put(subject, { problem, change: event }, before.version, actor);
      }),
    );
  }

  /** Loads an incident of this tenant (`NotFoundError` when there is none). */
  const incident = (incidentId: string) => core.load(incidentId);

  return {
    async open(input) {
      const { title, incidents, actor } = parseInput(schemas.open, input, 'problems.open');
      await core.authorize(actor, 'problem.write', undefined, { title, incidents });
      for (const id of incidents) await incident(id);
      const at = core.now();
      const problem: Problem = {
        id: core.ids('problem'),
        tenantId,
        title,
        status: 'investigating',
        incidents: incidents.map((incidentId) => ({ incidentId, linkedAt: at, linkedBy: actor })),
        actionItems: [],
        openedAt: at,
        openedBy: actor,
        updatedAt: at,
      };
      return put('open', { problem, change: { type: 'OPEN', at, actor, incidents } }, 0, actor);
    },

    async link(problemId, input) {
      const { incidentId, actor } = parseInput(schemas.link, input, 'problems.link');
      return command('link', problemId, actor, { incidentId }, (at) => ({ type: 'LINK_INCIDENT', at, actor, incidentId }), async () => {
        await incident(incidentId);
      });
    },

    async linkActionItem(problemId, input) {
      const { incidentId, actionItemId, actor } = parseInput(schemas.linkActionItem, input, 'problems.linkActionItem');
      return command('linkActionItem', problemId, actor, { incidentId, actionItemId }, (at) => ({ type: 'LINK_ACTION_ITEM', at, actor, incidentId, actionItemId }), async () => {
        const stored = await incident(incidentId);
        if (!stored.incident.actionItems.some((item) => item.id === actionItemId)) throw new NotFoundError({ entity: 'action item', id: actionItemId, tenantId, incidentId });
      });
    },

    async recordWorkaround(problemId, input) {
      const { workaround, actor } = parseInput(schemas.workaround, input, 'problems.recordWorkaround');
      return command('recordWorkaround', problemId, actor, { workaround }, (at) => ({ type: 'RECORD_WORKAROUND', at, actor, workaround }));
    },

    async recordRootCause(problemId, input) {
      const { rootCause, actor } = parseInput(schemas.rootCause, input, 'problems.recordRootCause');
      return command('recordRootCause', problemId, actor, { rootCause }, (at) => ({ type: 'RECORD_ROOT_CAUSE', at, actor, rootCause }));
    },

    async markKnownError(problemId, input) {
      const { actor } = parseInput(schemas.write, input, 'problems.markKnownError');
      return command('markKnownError', problemId, actor, {}, (at) => ({ type: 'MARK_KNOWN_ERROR', at, actor }));
    },

    async resolve(problemId, input) {
      const { actor } = parseInput(schemas.write, input, 'problems.resolve');
      return command('resolve', problemId, actor, {}, (at) => ({ type: 'RESOLVE', at, actor }));
    },

    async close(problemId, input) {
      const { actor } = parseInput(schemas.write, input, 'problems.close');
      return command('close', problemId, actor, {}, (at) => ({ type: 'CLOSE', at, actor }));
    },

    async get(problemIdInput, options) {
      const problemId = parseInput(schemas.id, problemIdInput, 'problems.get');
      const actor = parseInput(schemas.read, options, 'problems.get').actor ?? SYSTEM_ACTOR;
      await core.authorize(actor, 'problem.read', undefined, { problemId });
      return current('get', problemId);
    },

    async list(filter) {
      const { actor, status, incidentId } = parseInput(schemas.list, filter, 'problems.list');
      await core.authorize(actor ?? SYSTEM_ACTOR, 'problem.read', undefined, { ...(status === undefined ? {} : { status }), ...(incidentId === undefined ? {} : { incidentId }) });
      const statuses = status === undefined ? undefined : new Set<ProblemStatus>(typeof status === 'string' ? [status] : status);
      return (await allProblems(records('list'), tenantId)).filter(
        ({ problem }) => (statuses === undefined || statuses.has(problem.status)) && (incidentId === undefined || problem.incidents.some((link) => link.incidentId === incidentId)),
      );
    },

    async history(problemIdInput, query) {
      const problemId = parseInput(schemas.id, problemIdInput, 'problems.history');
      const { actor, afterVersion, limit } = parseInput(schemas.history, query, 'problems.history');
      await core.authorize(actor ?? SYSTEM_ACTOR, 'problem.read', undefined, { problemId });
      await current('history', problemId);
      const versions = await records('history').recordHistory(tenantId, PROBLEM_RECORD_KIND, problemId, limit === undefined ? { afterVersion } : { afterVersion, limit });
      return versions.filter((record) => record.deleted !== true).map(storedProblem);
    },
  };
}
