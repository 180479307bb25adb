/**
 * What every check of the storage contract is given: the test's fresh store, the framework's
 * `expect`, and builders that write through that store.
 */
import type { IncidentEngine } from '../../incidentEngine.js';
import type { StorageAdapter, StoredIncident } from '../../storage/types.js';
import { commitBuilder, type CommitBuilder, type DeclareSpec } from './commitBuilder.js';
import { type CommitExtras, stateOf, withExtras } from './fixtures.js';
import type { StorageContractTestName } from './names.js';
import type { StorageContractAssertion, StorageInspection } from './types.js';

/** One test's view of the suite: its store and the helpers bound to it. */
export interface ContractContext {
  /** The fresh store `create` returned for this test. */
  readonly store: StorageAdapter;
  /** The framework's `expect`. */
  readonly expect: (actual: unknown) => StorageContractAssertion;
  /** Builds commits without writing them (to commit them by hand, or race them). */
  readonly build: CommitBuilder;
  /** Declares an incident through {@link build}, commits it (with `extras`) and returns the stored state. */
  readonly declare: (spec: DeclareSpec, extras?: CommitExtras) => Promise<StoredIncident>;
  /** Adds a note to `state` (with `extras`, at `at`), commits it and returns the new state. */
  readonly note: (state: StoredIncident, text: string, extras?: CommitExtras, at?: string) => Promise<StoredIncident>;
  /** Runs one more engine command on `state` at `at`, commits it and returns the new state. */
  readonly apply: (state: StoredIncident, at: string, run: (engine: IncidentEngine, id: string) => Promise<unknown>) => Promise<StoredIncident>;
  /** Counts one tenant's rows past the adapter; only checks listed as needing `inspect` may call it. */
  readonly inspect: (tenantId: string) => Promise<StorageInspection>;
}

/** The body of one check. */
export type ContractCheck = (context: ContractContext) => Promise<void>;

/** A group of checks, by test name. */
export type ContractChecks = Partial<Readonly<Record<StorageContractTestName, ContractCheck>>>;

/**
 * The context of one test: a new commit builder over `store`.
 *
 * @param inspect - the host's row counter bound to `store`, when it gave one.
 */
export function contractContext(
  store: StorageAdapter,
  expect: (actual: unknown) => StorageContractAssertion,
  inspect: ((tenantId: string) => StorageInspection | Promise<StorageInspection>) | undefined,
): ContractContext {
  const build = commitBuilder(store);
  return {
    store,
    expect,
    build,
    declare: async (spec, extras = {}) => {
      const commit = withExtras(await build.declare(spec), extras);
      await store.commit(commit);
      return stateOf(commit);
    },
    note: async (state, text, extras = {}, at) => {
      const commit = withExtras(await build.note(state, text, at), extras);
      await store.commit(commit);
      return stateOf(commit, state);
    },
    apply: async (state, at, run) => {
      const commit = await build.next(state, at, run);
      await store.commit(commit);
      return stateOf(commit, state);
    },
    inspect: async (tenantId) => {
      if (inspect === undefined) throw new Error('unreachable: raw-row tests run only with inspect');
      return inspect(tenantId);
    },
  };
}
