/**
 * The storage contract suite: every promise of DESIGN §5, runnable against any
 * {@link StorageAdapter} with any test framework that has `describe`/`it`/`expect`.
 *
 * @remarks The checks live in `./storageContract/`, one file per promise (commits, dedup keys,
 * signal counters, timers, outbox, reads and paging, round-trips, the engine on the store, raw
 * rows, versioned records); their names, in registration order, are {@link STORAGE_CONTRACT_TESTS}. This file
 * registers them.
 */
import type { StorageAdapter } from '../storage/types.js';
import { alertChecks } from './storageContract/alerts.js';
import { commitChecks } from './storageContract/commits.js';
import { contractContext, type ContractCheck } from './storageContract/context.js';
import { dedupChecks } from './storageContract/dedup.js';
import { engineChecks } from './storageContract/engine.js';
import { mergeChecks } from './storageContract/merges.js';
import { STORAGE_CONTRACT_TESTS, type StorageContractTestName } from './storageContract/names.js';
import { outboxChecks } from './storageContract/outbox.js';
import { NEEDS_INSPECT, NO_INSPECT_REASON, rawRowChecks } from './storageContract/rawRows.js';
import { readChecks } from './storageContract/reads.js';
import { recordChecks } from './storageContract/records.js';
import { roundTripChecks } from './storageContract/roundTrip.js';
import { signalChecks } from './storageContract/signals.js';
import { timerChecks } from './storageContract/timers.js';
import type { StorageContractFramework, StorageContractOptions } from './storageContract/types.js';

export { STORAGE_CONTRACT_TESTS, type StorageContractTestName } from './storageContract/names.js';
export type {
  StorageContractAssertion,
  StorageContractFramework,
  StorageContractOptions,
  StorageInspection,
} from './storageContract/types.js';

/** Every check by name; `satisfies` proves at compile time that each name has exactly one body. */
const CHECKS = {
  ...commitChecks,
  ...readChecks,
  ...dedupChecks,
  ...signalChecks,
  ...alertChecks,
  ...timerChecks,
  ...outboxChecks,
  ...roundTripChecks,
  ...engineChecks,
  ...recordChecks,
  ...mergeChecks,
  ...rawRowChecks,
} satisfies Readonly<Record<StorageContractTestName, ContractCheck>>;

/**
 * Registers the storage contract suite: one `describe` with a test for every promise a
 * {@link StorageAdapter} keeps (DESIGN §5), each run on a fresh store from `create`.
 *
 * @remarks
 * Takes the test framework as an argument, so it has no runtime dependency on vitest. It checks
 * atomic, version-checked commits (exactly one winner of two concurrent commits at one version,
 * no lost update among retrying writers), the one-open-incident-per-dedup-key rule and its race,
 * alert rows (only those a commit carries are written; `alerts` pages every alert in attach order,
 * `findAlert` reads any, counters merged, dedup keys of alerts beyond the 100 an incident carries),
 * timer and outbox leases (one claimant per lease, expired leases reclaimable, completed items
 * never returned, retries, dead letters and redelivery), tenant isolation of every read, stable
 * cursor paging, exact round-trips of timestamps, unicode and nested JSON, and the optional
 * versioned records (compare-and-set, tombstones and history, paging, timers and messages written
 * with a record; an adapter without any record method passes them by being refused cleanly, one
 * with only some fails), and the optional `commitMerge` (alert rows, counters and keys move with
 * both commits or not at all; skipped by an adapter without it). Commits are built
 * with the real engine, so the data is what a host would store. Strings are NUL-free: PostgreSQL
 * cannot store U+0000 in text, and the suite asks nothing any SQL store cannot keep.
 *
 * @example
 * ```ts
 * // test/myStore.contract.test.ts
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * import { memoryStore } from 'incidentkit';
 * import { runStorageContract } from 'incidentkit/testing';
 *
 * runStorageContract({ describe, it, expect, beforeEach, afterEach }, {
 *   name: 'memory',
 *   create: () => memoryStore(),
 * });
 * ```
 * @throws TypeError when `skip` names an unknown test or gives no reason.
 */
export function runStorageContract<S extends StorageAdapter>(framework: StorageContractFramework, options: StorageContractOptions<S>): void {
  const { describe, it, expect, beforeEach, afterEach } = framework;
  const skip: Partial<Record<string, string>> = { ...options.skip };
  for (const [name, reason] of Object.entries(skip)) {
    if (!(STORAGE_CONTRACT_TESTS as readonly string[]).includes(name)) {
      throw new TypeError(`[incidentkit] runStorageContract: skip names an unknown test '${name}'; use a name from STORAGE_CONTRACT_TESTS.`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new TypeError(`[incidentkit] runStorageContract: skipping '${name}' needs a reason; give it as the value.`);
    }
  }

  let current: S | undefined;
  const store = (): S => {
    if (current === undefined) throw new Error('[incidentkit] storage contract: create() has not returned a store.');
    return current;
  };
  const inspect = options.inspect?.bind(options);
  const noInspect = inspect === undefined ? NO_INSPECT_REASON : undefined;

  /** Registers check `name`, or a skipped placeholder that says why. */
  function test(name: StorageContractTestName): void {
    const reason = skip[name] ?? (NEEDS_INSPECT.has(name) ? noInspect : undefined);
    if (reason !== undefined) {
      const title = `${name} (skipped: ${reason})`;
      if (it.skip !== undefined) {
        it.skip(title, () => Promise.resolve());
      } else {
        it(title, () => Promise.resolve());
      }
      return;
    }
    it(
      name,
      () => {
        const s = store();
        return CHECKS[name](contractContext(s, expect, inspect === undefined ? undefined : (tenantId) => inspect(s, tenantId)));
      },
      options.timeoutMs,
    );
  }

  describe(`storage contract: ${options.name ?? 'adapter'}`, () => {
    beforeEach(async () => {
      current = await options.create();
    });
    afterEach(async () => {
      const used = current;
      current = undefined;
      if (used !== undefined) await options.dispose?.(used);
    });
    for (const name of STORAGE_CONTRACT_TESTS) test(name);
  });
}
