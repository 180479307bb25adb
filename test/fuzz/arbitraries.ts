/**
 * Shared pieces of the fuzz suites (test/fuzz/*.fuzz.test.ts): run counts from one place,
 * hostile-input arbitraries (wrong types, huge strings, deep nesting, own `__proto__` /
 * `constructor` / `prototype` keys, invalid dates, unicode with lone surrogates), and the
 * checks every suite makes (typed errors, untouched prototypes, unchanged stored state).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { ERROR_CODES, isIncidentKitError } from '../../src/errors.js';
import type { StoredEvent } from '../../src/model/event.js';
import type { Incident } from '../../src/model/incident.js';
import type { StorageAdapter } from '../../src/storage/types.js';

/** `INCIDENTKIT_LONG_TESTS=1` runs every fuzz property ten times longer (local runs, not CI). */
export const LONG = process.env.INCIDENTKIT_LONG_TESTS === '1';

/** The one multiplier of every run count in the fuzz suites. */
export const RUN_SCALE = LONG ? 10 : 1;

/** `n` runs in CI, `10 × n` with `INCIDENTKIT_LONG_TESTS=1`. */
export function runs(n: number): number {
  return n * RUN_SCALE;
}

/**
 * The inputs each fuzz file must generate at least, in CI: together they make the 100 000
 * inputs issue #9 asks for. Each file asserts its own share (files run in separate workers).
 */
export const MIN_INPUTS = { parsers: 50_000, commands: 40_000, http: 10_000 } as const;

/** How long one fuzz test may take: far above its CI time, so a loaded machine does not fail it. */
export const FUZZ_TIMEOUT_MS = 600_000;

/** The inputs the suites generate together, at least, in CI. */
export const MIN_TOTAL_INPUTS = MIN_INPUTS.parsers + MIN_INPUTS.commands + MIN_INPUTS.http;

/** Counts the inputs a file fed to the code under test. */
export interface InputCounter {
  readonly name: keyof typeof MIN_INPUTS;
  /** Inputs so far. */
  readonly total: number;
  /** Records `n` inputs (default 1). */
  add(n?: number): void;
  /** Inputs so far, per label. */
  readonly byLabel: ReadonlyMap<string, number>;
  /** Records `n` inputs under `label` too. */
  addTo(label: string, n?: number): void;
}

/** A fresh {@link InputCounter}. */
export function inputCounter(name: keyof typeof MIN_INPUTS): InputCounter {
  let total = 0;
  const byLabel = new Map<string, number>();
  return {
    name,
    get total() {
      return total;
    },
    byLabel,
    add(n = 1) {
      total += n;
    },
    addTo(label, n = 1) {
      total += n;
      byLabel.set(label, (byLabel.get(label) ?? 0) + n);
    },
  };
}

/** Prints the count (for the reliability report) and asserts the file's share of the 100 000. */
export function expectEnoughInputs(counter: InputCounter): void {
  const lines = [...counter.byLabel].map(([label, n]) => `  ${label}: ${String(n)}`);
  console.log(`[fuzz] ${counter.name}: ${String(counter.total)} generated inputs (run scale ×${String(RUN_SCALE)})\n${lines.join('\n')}`);
  expect(MIN_TOTAL_INPUTS).toBeGreaterThanOrEqual(100_000);
  expect(counter.total).toBeGreaterThanOrEqual(MIN_INPUTS[counter.name] * RUN_SCALE);
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Own property names of the prototypes hostile input could reach, as they were at start-up. */
const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype } as const;
const PROTOTYPE_NAMES = Object.fromEntries(
  Object.entries(PROTOTYPES).map(([name, proto]) => [name, Object.getOwnPropertyNames(proto).sort().join(',')]),
);

/** Keys the hostile payloads try to plant on `Object.prototype`. */
export const POLLUTION_KEYS = ['polluted', 'isAdmin', 'role', 'team'] as const;

/** Asserts that no prototype gained or lost a property and no planted key is visible on `{}`. */
export function expectPrototypesUntouched(): void {
  for (const [name, proto] of Object.entries(PROTOTYPES)) {
    const names = Object.getOwnPropertyNames(proto).sort().join(',');
    if (names !== PROTOTYPE_NAMES[name]) expect(names, `${name}.prototype was changed`).toBe(PROTOTYPE_NAMES[name]);
  }
  const probe: Record<string, unknown> = {};
  for (const key of POLLUTION_KEYS) if (probe[key] !== undefined) expect(probe[key], `({}).${key}`).toBeUndefined();
  if ((probe.constructor as unknown) !== Object) expect(probe.constructor, '({}).constructor').toBe(Object);
}

/** What went wrong, with the stack of an untyped error, for the failure message. */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 300)}\n${error.stack ?? ''}`;
  return `non-Error thrown: ${String(error)}`;
}

/** Asserts that `error` is a typed incidentkit error with a code from src/errors.ts. */
export function expectTypedError(error: unknown, context: string, allowed: readonly string[] = ERROR_CODES): void {
  const typed = isIncidentKitError(error) && allowed.includes(error.code);
  if (!typed) expect.fail(`${context} threw an untyped or unexpected error: ${describeError(error)}`);
  const message = (error as Error).message;
  if (message.length === 0) expect.fail(`${context} threw a typed error without a message`);
}

/** The outcome of one call: what it returned or what it threw (synchronously or not). */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Calls `fn`, awaiting its promise; a synchronous throw counts as a failure too. */
export async function settle(fn: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Everything an engine's store holds that a reader can observe, as one JSON text: every
 * incident's projection (as `list` returns it), every timeline, and the dead letters.
 */
export async function storeSnapshot(engine: IncidentEngine): Promise<string> {
  const incidents: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.list({ limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    incidents.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const timelines: (readonly StoredEvent[])[] = [];
  for (const incident of incidents) timelines.push(await engine.timeline(incident.id));
  return JSON.stringify({ incidents, timelines, deadLetters: await engine.deadLetters() });
}

/** The store methods that can change what is stored; everything else only reads. */
const WRITES = ['commit', 'commitMerge', 'recordSignals', 'countFirings', 'claimTimers', 'completeTimer', 'claimOutbox', 'completeOutbox', 'failOutbox', 'redeliver'] as const;

/** Whether a write method's result says it changed something (a claim of nothing, a `false` redeliver, did not). */
function changed(result: unknown): boolean {
  if (Array.isArray(result)) return result.length > 0;
  return result !== false;
}

/**
 * A store that counts the writes that took effect, so a test can prove a call wrote nothing
 * (`recordSignals([])`, a claim that found nothing or a `redeliver` of an unknown id do not count).
 */
export function countingStore(inner: StorageAdapter): StorageAdapter & { readonly writes: number } {
  let writes = 0;
  const store: StorageAdapter = { ...inner };
  for (const name of WRITES) {
    const method = Reflect.get(inner, name) as ((this: StorageAdapter, ...args: unknown[]) => Promise<unknown>) | undefined;
    // An optional write the store does not have (commitMerge) stays absent.
    if (method === undefined) continue;
    Object.assign(store, {
      [name]: async (...args: unknown[]) => {
        const result = await method.apply(inner, args);
        const empty = name === 'recordSignals' && Array.isArray(args[1]) && args[1].length === 0;
        if (!empty && changed(result)) writes += 1;
        return result;
      },
    });
  }
  return Object.defineProperty(store, 'writes', { get: () => writes, enumerable: true }) as StorageAdapter & { readonly writes: number };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/**
 * Characters that break naive text handling: NUL (which PostgreSQL cannot store) and other
 * control characters, lone surrogates, BOM, bidi overrides, line separators.
 */
const NASTY_CHARS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f', '\u0085', '\u00a0', '\u200b', '\u202e', '\u2028', '\u2029', '\ufeff', '\uffff', '\ufffd', '"', '\\', '%', '/', '\n', '\r\n', '\t'];

/** One UTF-16 unit or code point, lone surrogate halves included. */
export const hostileChar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), weight: 1 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)), weight: 2 },
  { arbitrary: fc.constantFrom(...NASTY_CHARS), weight: 2 },
);

/** Words with a meaning to the code under test: prototype keys, enum values, near-misses. */
export const SPECIAL_WORDS = [
  '',
  ' ',
  '  \n\t ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'SEV1',
  'SEV3',
  'SEV0',
  'sev1',
  'P1',
  'critical',
  'firing',
  'resolved',
  'triage',
  'null',
  'undefined',
  'NaN',
  'true',
  '[object Object]',
  'javascript:alert(1)',
  'https://example.com/a',
  '../../etc/passwd',
  'inc_1',
  'act_1',
  '\ud800',
  '\udfff\ud800',
  '𝕏🔥',
  // NUL in every position: alone, inside, at either end, in an id (PostgreSQL cannot store it).
  '\u0000',
  'a\u0000b',
  'inc_1\u0000',
  '\u0000SEV1',
  'checkout\u0000',
  '\u0001\u001f\u007f',
] as const;

/** Lengths at the limits of src/model/primitives.ts (and one past), where off-by-one bugs live. */
const BOUNDARY_LENGTHS = [63, 64, 65, 128, 129, 199, 200, 201, 300, 301, 999, 1_000, 1_001, 2_000, 2_001, 2_048, 2_049, 19_999, 20_000, 20_001];

/** Strings: short unicode (lone surrogates included), special words, limit-sized and huge ones. */
export function hostileString(options: { readonly huge?: boolean } = {}): fc.Arbitrary<string> {
  const huge = options.huge ?? true;
  return fc.oneof(
    { arbitrary: fc.string({ unit: hostileChar, maxLength: 24 }), weight: 16 },
    { arbitrary: fc.constantFrom(...SPECIAL_WORDS), weight: 8 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...BOUNDARY_LENGTHS), fc.constantFrom('x', ' ', '\ud83d', 'é', '\u0000')).map(([n, c]) => c.repeat(n)),
      weight: 2,
    },
    // Rare: past every text limit (the largest is 20 000); huge HTTP bodies have their own arbitrary.
    { arbitrary: fc.integer({ min: 20_001, max: 200_000 }).map((n) => 'h'.repeat(n)), weight: huge ? 1 : 0 },
  );
}

/** Dates and date-like values that are not valid instants, or lie outside what is accepted. */
export const invalidDate: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null).map(() => new Date(Number.NaN)),
  fc.date({ noInvalidDate: false }),
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:01Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01T00:00:00',
    '2026-01-01',
    '2026-01-01T00:00:00+25:00',
    '2026-01-01T00:00:00.1234567890123Z',
    '+275760-09-13T00:00:00.001Z',
    '-271821-04-19T23:59:59.999Z',
    '0000-00-00T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'yesterday',
    'now',
    '1591216985000',
  ),
  fc.constantFrom<unknown>(8.64e15 + 1, -8.64e15 - 1, 1e21, -1, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1_767_225_600_000, 1_767_225_600),
);

/** Values JSON can carry: strings, finite numbers (extremes too), booleans, null. */
export const jsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString(), weight: 6 },
  { arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 2 ** 53, 1.5)), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(true, false, null), weight: 2 },
  {
    arbitrary: invalidDate.filter((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))),
    weight: 1,
  },
);

/** Values no JSON body carries, but a host may pass to the API: bigint, symbols, functions, Maps, invalid Dates, boxed values. */
export const jsLeaf: fc.Arbitrary<unknown> = fc.oneof(
  jsonLeaf,
  invalidDate,
  fc.bigInt(),
  fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Symbol('fuzz')),
  // Objects are made afresh for every input, so a mutation never changes a value another input shares.
  fc
    .constantFrom<() => unknown>(
      () => () => 1,
      () => new Map([['a', 1]]),
      () => new Set([1]),
      () => Object.create(null) as unknown,
      () => new String('boxed'),
      () => new Number(1),
      () => new Boolean(false),
      () => /regex/,
      () => new Uint8Array([1, 2, 3]),
      () => new Error('not data'),
      () => Promise.resolve(1),
    )
    .map((make) => make()),
);

/** Keys: ordinary ones, prototype keys, empty, long, unicode. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype'), weight: 3 },
  { arbitrary: fc.constantFrom('a', 'id', 'title', 'severity', 'actor', 'labels', 'fields', 'status', 'polluted', 'isAdmin', ''), weight: 3 },
  { arbitrary: fc.string({ unit: hostileChar, maxLength: 12 }), weight: 3 },
  { arbitrary: fc.constantFrom(128, 129, 1_000).map((n) => 'k'.repeat(n)), weight: 1 },
);

/** Sets `key` on `target` as an own, enumerable property (as `JSON.parse` does, even for `__proto__`). */
export function defineOwn(target: object, key: string, value: unknown): void {
  // Typed arrays, strings boxed as objects and frozen values refuse some keys: leave those as they are.
  // A typed array throws instead (a BigInt at an index of a Uint8Array): leave it as it is too.
  try {
    Reflect.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  } catch {
    // Left as it is.
  }
}

/** An object built from `entries` with own keys only (an own `__proto__` stays a key). */
export function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) defineOwn(object, key, value);
  return object;
}

/** `leaf` wrapped `depth` times, alternating arrays and objects. */
export function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { d: value };
  return value;
}

/** Nesting at the depth limits (16 for fields, 32 for the `__proto__` scan, 64 for raw alerts) and far past them. */
export function deeplyNested(leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.oneof(fc.constantFrom(15, 16, 17, 18, 31, 32, 33, 34, 63, 64, 65, 66), fc.integer({ min: 100, max: 3_000 })), leaf)
    .map(([depth, value]) => nested(depth, value));
}

/** Payloads `JSON.parse` makes from text an attacker controls: own `__proto__`, `constructor` and `prototype` keys. */
export const POLLUTION_TEXTS = [
  '{"__proto__": {"polluted": true, "isAdmin": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"__proto__": {"__proto__": {"polluted": true}}}',
  '{"prototype": {"polluted": true}, "__proto__": []}',
  '{"a": {"__proto__": {"role": "admin"}}, "b": [{"constructor": {"prototype": {"team": "x"}}}]}',
  '{"__proto__": null}',
  '{"__proto__": "polluted"}',
] as const;

/** A fresh object parsed from one of {@link POLLUTION_TEXTS}. */
export const pollutionObject: fc.Arbitrary<unknown> = fc.constantFrom(...POLLUTION_TEXTS).map((text) => JSON.parse(text) as unknown);

/** Hostile JSON values (as `JSON.parse` can produce them), nested a few levels, with own prototype keys. */
export function hostileJson(maxDepth = 3): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth },
      { arbitrary: jsonLeaf, weight: 6 },
      { arbitrary: tie('object'), weight: 2 },
      { arbitrary: tie('array'), weight: 1 },
      { arbitrary: pollutionObject, weight: 1 },
    ),
    object: fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 5 }).map(ownObject),
    array: fc.array(tie('value'), { maxLength: 5 }),
  }));
  return fc.oneof({ arbitrary: value, weight: 12 }, { arbitrary: deeplyNested(jsonLeaf), weight: 1 });
}

/** Hostile JavaScript values: {@link hostileJson} plus non-JSON leaves and fast-check's `anything`. */
export function hostileValue(maxDepth = 3): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth },
      { arbitrary: jsLeaf, weight: 6 },
      { arbitrary: tie('object'), weight: 2 },
      { arbitrary: tie('array'), weight: 1 },
      { arbitrary: pollutionObject, weight: 1 },
    ),
    object: fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 5 }).map(ownObject),
    array: fc.array(tie('value'), { maxLength: 5 }),
  }));
  return fc.oneof(
    { arbitrary: value, weight: 20 },
    { arbitrary: deeplyNested(jsLeaf), weight: 1 },
    {
      arbitrary: fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withNullPrototype: true, withMap: true, withSet: true, withSparseArray: true, withBoxedValues: true }),
      weight: 2,
    },
  );
}

/** Every path to a value inside `value` (own enumerable keys), the root included. */
export function pathsOf(value: unknown, prefix: readonly string[] = [], out: string[][] = [], depth = 0): string[][] {
  out.push([...prefix]);
  if (depth < 8 && typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out, depth + 1);
  }
  return out;
}

/** A deep copy that keeps own `__proto__` keys as keys (structuredClone of plain JSON data). */
function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * `base` (plain JSON data) with one or two mutations: a value deleted, replaced by a hostile
 * one, or a hostile own key added next to it. Reaches the checks behind the first field.
 */
export function mutated(base: unknown, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const paths = pathsOf(base);
  const mutation = fc.record({
    at: fc.nat({ max: paths.length - 1 }),
    kind: fc.constantFrom('delete', 'replace', 'replace', 'inject'),
    key: hostileKey,
    value,
  });
  return fc.array(mutation, { minLength: 1, maxLength: 2 }).map((mutations) => {
    let copy: unknown = copyOf(base);
    for (const { at, kind, key, value: replacement } of mutations) {
      const path = paths[at] ?? [];
      if (path.length === 0) {
        if (kind === 'replace') copy = replacement;
        else if (kind === 'inject' && typeof copy === 'object' && copy !== null && !Array.isArray(copy)) defineOwn(copy, key, replacement);
        continue;
      }
      let parent: unknown = copy;
      for (const segment of path.slice(0, -1)) {
        parent = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[segment] : undefined;
      }
      if (typeof parent !== 'object' || parent === null) continue;
      const last = path[path.length - 1] ?? '';
      const container = parent as Record<string, unknown>;
      if (kind === 'delete') Reflect.deleteProperty(container, last);
      else if (kind === 'replace') defineOwn(container, last, replacement);
      else {
        const child = container[last];
        const target = typeof child === 'object' && child !== null && !Array.isArray(child) ? child : Array.isArray(container) ? undefined : container;
        if (target !== undefined) defineOwn(target, key, replacement);
      }
    }
    return copy;
  });
}

/** Valid input most of the time mutated, sometimes whole hostile values instead. */
export function aroundValid(valid: unknown, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constant(valid).map(copyOf), weight: 1 },
    { arbitrary: mutated(valid, value), weight: 7 },
    { arbitrary: value, weight: 2 },
  );
}
