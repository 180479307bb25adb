/**
 * The public types of the storage contract suite: the test framework it registers with, its
 * options, and the row counts `inspect` returns.
 */
import type { StorageAdapter } from '../../storage/types.js';
import type { StorageContractTestName } from './names.js';

/** The subset of an `expect(value)` result the suite uses; vitest's and Jest's `expect` fit it. */
export interface StorageContractAssertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toHaveLength(length: number): void;
  toBeUndefined(): void;
}

/**
 * The test framework the suite registers its tests with: pass vitest's or Jest's functions, or
 * thin wrappers around another framework's.
 */
export interface StorageContractFramework {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: ((name: string, body: () => Promise<void>, timeout?: number) => void) & {
    /** Used for skipped tests when present, so they show up as skipped together with their reason. */
    readonly skip?: (name: string, body: () => Promise<void>) => void;
  };
  readonly expect: (actual: unknown) => StorageContractAssertion;
  readonly beforeEach: (body: () => Promise<void>) => void;
  readonly afterEach: (body: () => Promise<void>) => void;
}

/** Row counts read straight from an adapter's backing store, bypassing its read methods. */
export interface StorageInspection {
  /** Projection rows (one per incident). */
  readonly incidents: number;
  /** Timeline event rows. */
  readonly events: number;
  /** Timer rows. */
  readonly timers: number;
  /** Outbox rows in any state (pending, delivered or dead). */
  readonly outbox: number;
}

/** Options of {@link runStorageContract}. */
export interface StorageContractOptions<S extends StorageAdapter> {
  /** Shown in the suite's title; default: the store's kind is unknown until `create` runs, so `adapter`. */
  readonly name?: string;
  /** Returns a fresh, empty store; called before every test. */
  create(): S | Promise<S>;
  /** Releases a store after its test (drop a schema, close a file). */
  dispose?(store: S): void | Promise<void>;
  /**
   * Counts one tenant's rows straight from the backing store, so the suite can prove that data
   * really reached it and that refused commits left nothing behind. Without it, the `raw rows`
   * tests are skipped and say so.
   */
  inspect?(store: S, tenantId: string): StorageInspection | Promise<StorageInspection>;
  /** Tests to skip, each with the reason to show (required, non-empty). */
  readonly skip?: Partial<Readonly<Record<StorageContractTestName, string>>>;
  /** Per-test timeout in milliseconds passed to `it`; default: the framework's. */
  readonly timeoutMs?: number;
}
