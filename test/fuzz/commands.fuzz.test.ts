/**
 * Fuzzing every engine method that takes input (issue #9): each row of {@link COMMANDS} gets
 * thousands of hostile arguments (its valid input mutated, wrong types, huge strings, deep
 * nesting, own `__proto__`/`constructor`/`prototype` keys, invalid dates, lone surrogates) and
 * hostile incident ids, against a store holding incidents in several states. Properties:
 * - a call either succeeds or fails with a typed incidentkit error whose code a caller can
 *   cause (`VALIDATION_FAILED`, `INVALID_TRANSITION`, `NOT_FOUND`, `DUPLICATE_INCIDENT`);
 * - a rejected call (and every read) leaves the store exactly as it was;
 * - what a successful call returns is plain JSON, and no prototype gains a property.
 *
 * To fuzz a new engine command, add one row to COMMANDS: `incident('name', validInput)` for a
 * command on an incident, `plain('name', validInput)` for one without an id.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { parseSignal } from '../../src/model/signal.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { makeEngine } from '../helpers.js';
import {
  aroundValid,
  countingStore,
  expectEnoughInputs,
  expectPrototypesUntouched,
  expectTypedError,
  FUZZ_TIMEOUT_MS,
  hostileString,
  hostileValue,
  inputCounter,
  invalidDate,
  runs,
  settle,
  storeSnapshot,
} from './arbitraries.js';
import { asyncTimeBudget, withinAsyncBudget } from './timeBudget.js';
import { fuzzStores, type FuzzStore } from './stores.js';

/** The error codes a caller can cause with bad input or a bad moment; anything else is a bug. */
const CALLER_CODES = ['VALIDATION_FAILED', 'INVALID_TRANSITION', 'NOT_FOUND', 'DUPLICATE_INCIDENT'] as const;

const ALICE = { id: 'u_alice', name: 'Alice' } as const;

/** Engine methods that take arguments; `satisfies` makes a renamed or missing method a type error. */
type MethodName = keyof IncidentEngine;

/** One fuzzed engine method. */
interface CommandRow {
  readonly name: MethodName;
  /** `incident`: the first argument is an incident id; `none`: only `input`; `id`: only an id. */
  readonly shape: 'incident' | 'none' | 'id';
  /** A valid input (plain JSON), the base the mutations start from. */
  readonly valid: unknown;
  /** Reads never change the store, even when they succeed. */
  readonly read?: boolean;
  /** The seeded engine cannot accept this row's input (e.g. it needs configuration the seed lacks). */
  readonly refusesAll?: boolean;
  /** Overrides how the method is called (default: `engine[name](...args)`). */
  readonly call?: (engine: IncidentEngine, args: readonly unknown[]) => Promise<unknown>;
}

const incident = (name: MethodName, valid: unknown, extra: Partial<CommandRow> = {}): CommandRow => ({ name, shape: 'incident', valid, ...extra });
const plain = (name: MethodName, valid: unknown, extra: Partial<CommandRow> = {}): CommandRow => ({ name, shape: 'none', valid, ...extra });
const byId = (name: MethodName, extra: Partial<CommandRow> = {}): CommandRow => ({ name, shape: 'id', valid: null, ...extra });

const SIGNAL = {
  source: 'cron',
  fingerprint: 'nightly-backup',
  status: 'firing',
  severity: 'SEV3',
  summary: 'Nightly backup failed',
  labels: { job: 'backup' },
  annotations: { runbook: 'https://runbooks.example.com/backup' },
  startsAt: '2025-12-31T23:00:00Z',
  links: [{ href: 'https://ci.example.com/job/1', text: 'Job' }],
  raw: { job: 'backup', attempt: 3 },
};

/**
 * Every engine method that takes input. The valid inputs use the incidents {@link seedWorld}
 * creates (`inc_1` … `inc_5`, action item `act_1`).
 */
const COMMANDS: readonly CommandRow[] = [
  plain('declare', {
    title: 'Checkout is down',
    severity: 'SEV2',
    service: 'checkout',
    summary: '5xx on /pay',
    startedAt: '2025-12-31T23:00:00Z',
    dedupKey: 'checkout-5xx',
    labels: { team: 'payments' },
    fields: { region: 'eu-west-1', patients: [1, 2], nested: { ok: true } },
    actor: ALICE,
  }),
  plain('importIncident', {
    title: 'Imported outage',
    severity: 'SEV3',
    services: ['api', 'db'],
    rootCause: 'Disk full',
    milestones: {
      startedAt: '2025-01-01T00:00:00Z',
      detectedAt: '2025-01-01T00:05:00Z',
      acknowledgedAt: '2025-01-01T00:10:00Z',
      resolvedAt: '2025-01-01T01:00:00Z',
      closedAt: '2025-01-02T00:00:00Z',
    },
    labels: { team: 'infra' },
    fields: { cost: 12.5 },
    allowUnordered: false,
    actor: ALICE,
  }),
  incident('acknowledge', { actor: ALICE }),
  incident('assignRole', { role: 'commander', assignee: { id: 'u_bob', name: 'Bob' }, actor: ALICE }),
  incident('setSeverity', { severity: 'SEV1', reason: 'Spreading', actor: ALICE }),
  incident('addNote', { text: 'Error rate is 40%.', actor: ALICE }),
  incident('postUpdate', { audience: 'stakeholders', message: 'Investigating.', actor: ALICE }),
  incident('mitigate', { summary: 'Failed over.', actor: ALICE }),
  incident('recordRootCause', { summary: 'Expired certificate.', contributingFactors: ['no alert'], actor: ALICE }),
  incident('resolve', { summary: 'Renewed.', actor: ALICE }),
  incident('reopen', { reason: 'Errors are back.', actor: ALICE }),
  incident('startReview', { owner: 'u_carol', actor: ALICE }),
  incident('completeReview', { summary: 'Add expiry alerts.', actor: ALICE }),
  incident('addActionItem', { title: 'Alert on expiry', owner: 'u_dave', dueAt: '2026-02-01T00:00:00Z', kind: 'detect', strength: 'stronger', actor: ALICE }),
  incident('updateActionItem', { actionItemId: 'act_1', status: 'done', actor: ALICE }),
  incident('close', { actor: ALICE }),
  incident('cancel', { reason: 'duplicate', mergedInto: 'inc_2', actor: ALICE }),
  incident('merge', { into: 'inc_2', actor: ALICE }),
  // Nothing in the seed is merged: unmerge only refuses here (test/engine/merge.test.ts runs it).
  incident('unmerge', { actor: ALICE }, { refusesAll: true }),
  incident('escalate', { level: 1, actor: ALICE }),
  incident('updateFields', { fields: { region: 'eu-west-1', affected: { patients: 2 } }, actor: ALICE }),
  // The seeded engine configures no status labels or regimes: these rows fuzz the refusals only.
  incident('setStatusLabel', { label: 'investigating', actor: ALICE }, { refusesAll: true }),
  incident('startClock', { regime: 'nis2', trigger: 'detected', at: '2025-12-31T00:00:00Z', actor: ALICE }, { refusesAll: true }),
  incident('fileReport', { regime: 'nis2', phase: 'early-warning', reference: 'REF-1', actor: ALICE }, { refusesAll: true }),
  plain('ingest', [SIGNAL, { ...SIGNAL, fingerprint: 'disk', status: 'resolved', endsAt: '2026-01-01T00:00:00Z' }]),
  plain('list', { status: ['triage', 'responding'], severity: 'SEV3', service: ['checkout'], open: true, limit: 10 }, { read: true }),
  plain('scan', { status: 'resolved', open: false }, {
    read: true,
    call: async (engine, args) => {
      const found: unknown[] = [];
      for await (const item of engine.scan(args[0] as never)) found.push(item);
      return found;
    },
  }),
  byId('get', { read: true }),
  byId('timeline', { read: true }),
  incident('alerts', { limit: 50, actor: ALICE }, { read: true }),
  byId('verifyTimeline', { read: true }),
  byId('redeliver'),
  plain('tick', '2026-01-01T06:00:00Z', { call: (engine, args) => engine.tick(args[0] as never) }),
];

/** Incident ids {@link seedWorld} creates (triage, responding, resolved, closed, in review); `inc_404` never exists. */
const KNOWN_IDS = ['inc_1', 'inc_2', 'inc_3', 'inc_4', 'inc_5', 'inc_404'] as const;

/** An engine over a store that counts its writes. */
interface World {
  readonly engine: IncidentEngine;
  readonly store: ReturnType<typeof countingStore>;
}

/** A fresh engine holding incidents in triage, responding, resolved, closed and in review, with action items. */
async function seedWorld(create: () => StorageAdapter = STORES.memory.create): Promise<World> {
  const store = countingStore(create());
  const { engine } = makeEngine({ store });
  const declare = (severity: string, title: string) => engine.declare({ title, severity, service: 'checkout', actor: ALICE });
  await declare('SEV3', 'In triage');
  const responding = await declare('SEV2', 'Responding');
  await engine.acknowledge(responding.id, { actor: ALICE });
  await engine.addActionItem(responding.id, { title: 'Runbook', actor: ALICE });
  const resolved = await declare('SEV4', 'Resolved');
  await engine.acknowledge(resolved.id, { actor: ALICE });
  await engine.resolve(resolved.id, { actor: ALICE });
  await engine.addActionItem(resolved.id, { title: 'Postmortem', actor: ALICE });
  const closed = await declare('SEV5', 'Closed');
  await engine.resolve(closed.id, { actor: ALICE });
  await engine.close(closed.id, { actor: ALICE });
  const inReview = await declare('SEV1', 'In review');
  await engine.resolve(inReview.id, { actor: ALICE });
  await engine.startReview(inReview.id, { actor: ALICE });
  expect((await engine.list({ limit: 10 })).items.map((i) => i.id).sort()).toEqual(['inc_1', 'inc_2', 'inc_3', 'inc_4', 'inc_5']);
  return { engine, store };
}

/** Hostile incident ids: known ones, the unknown one, and hostile strings and values. */
const idArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>(...KNOWN_IDS, ' inc_1 ', 'INC_1'), weight: 6 },
  { arbitrary: hostileString(), weight: 2 },
  { arbitrary: hostileValue(2), weight: 2 },
);

/** The arguments of one call of `row`. */
function argsFor(row: CommandRow): fc.Arbitrary<readonly unknown[]> {
  const input = row.name === 'tick' ? fc.oneof(fc.constant(undefined), fc.date({ noInvalidDate: true }), invalidDate, hostileValue(2)) : aroundValid(row.valid, hostileValue());
  switch (row.shape) {
    case 'incident':
      return fc.tuple(idArbitrary, input);
    case 'none':
      return fc.oneof({ arbitrary: input.map((value) => [value]), weight: 9 }, { arbitrary: fc.constant<readonly unknown[]>([]), weight: 1 });
    case 'id':
      return idArbitrary.map((id) => [id]);
  }
}

function invoke(engine: IncidentEngine, row: CommandRow, args: readonly unknown[]): Promise<unknown> {
  if (row.call !== undefined) return row.call(engine, args);
  const method = Reflect.get(engine, row.name) as (this: IncidentEngine, ...a: unknown[]) => Promise<unknown>;
  return method.apply(engine, [...args]);
}

/** Whether a returned value is plain JSON data (what a JSON store would give back). */
function expectPlainJson(value: unknown, context: string): void {
  if (value === undefined) return;
  expect(JSON.parse(JSON.stringify(value)), context).toStrictEqual(value);
}

const counter = inputCounter('commands');
/** Runs per row in CI; 30 rows × 1 350 = 40 500 inputs. */
const RUNS_PER_COMMAND = runs(1_350);
/**
 * Runs per row on the SQL stores: far fewer (a write there costs a real transaction and a
 * snapshot real queries), enough to find input one store refuses and another accepts.
 */
const SQL_RUNS_PER_COMMAND = { sqlite: runs(40), postgres: runs(25) } as const;

const STORES = fuzzStores('commands.fuzz');

afterAll(async () => {
  for (const store of STORES.sql) await store.close();
  expectEnoughInputs(counter);
});

/** A rejected call is checked against a full store snapshot every this many runs (and always by the write counter). */
const SNAPSHOT_EVERY = 16;

/**
 * Fuzzes `row` `numRuns` times on a fresh world of `store`: every call answers with a result or
 * a typed error a caller can cause (never `ADAPTER_FAILED`: a store refusing what validation let
 * through, such as NUL on PostgreSQL), and a refused call changes nothing.
 */
async function fuzzRow(row: CommandRow, numRuns: number, store: FuzzStore): Promise<void> {
  let world = await seedWorld(store.create);
  let before = await storeSnapshot(world.engine);
  let accepted = 0;
  let refused = 0;
  const label = store.name === 'memory' ? row.name : `${row.name} (${store.name})`;
  // Each call's CPU time against a trivial call (a read of an unknown id) in the same run, per KiB of input.
  const budget = await asyncTimeBudget(`engine.${label}`, () => settle(() => world.engine.get('inc_unknown')));
  await fc.assert(
    fc.asyncProperty(argsFor(row), async (args) => {
      counter.addTo(label);
      const writes = world.store.writes;
      const outcome = await withinAsyncBudget(budget, () => settle(() => invoke(world.engine, row, args)), args);
      expectPrototypesUntouched();
      if (!outcome.ok) {
        expectTypedError(outcome.error, `engine.${row.name} on ${store.name}`, CALLER_CODES);
        expect(world.store.writes, `engine.${row.name} refused its input but wrote to the store`).toBe(writes);
        refused += 1;
        if (refused % SNAPSHOT_EVERY === 0) {
          expect(await storeSnapshot(world.engine), `engine.${row.name} refused its input but changed the store`).toBe(before);
        }
        return;
      }
      accepted += 1;
      expectPlainJson(outcome.value, `engine.${row.name} returned non-JSON`);
      if (row.read === true) expect(world.store.writes, `engine.${row.name} is a read but wrote to the store`).toBe(writes);
      if (world.store.writes === writes) return;
      const after = await storeSnapshot(world.engine);
      // Keep the store small so snapshots stay cheap: start over once it has grown.
      if (after.length > 60_000) {
        world = await seedWorld(store.create);
        before = await storeSnapshot(world.engine);
      } else before = after;
    }),
    { numRuns },
  );
  expect(await storeSnapshot(world.engine)).toBe(before);
  // Each row's valid input is accepted at least sometimes: the fuzz reaches past validation.
  if (store.name === 'memory' && row.name !== 'redeliver' && row.refusesAll !== true) expect(accepted, `${row.name} never accepted an input`).toBeGreaterThan(0);
}

describe.each(COMMANDS.map((row) => ({ ...row, label: row.name })))('engine.$label under fuzzed input', (row) => {
  it(`answers with a result or a typed error, changes nothing when it refuses, and keeps prototypes clean (${String(RUNS_PER_COMMAND)} runs)`, async () => {
    await fuzzRow(row, RUNS_PER_COMMAND, STORES.memory);
  }, FUZZ_TIMEOUT_MS);
});

describe.each(STORES.sql)('on the $name store', (store) => {
  describe.skipIf(store.skip !== undefined)(`every engine method under fuzzed input${store.skip === undefined ? '' : ` (skipped: ${store.skip})`}`, () => {
    it.each(COMMANDS.map((row) => ({ ...row, label: row.name })))(
      `engine.$label answers with a result or a typed error and changes nothing when it refuses (${String(SQL_RUNS_PER_COMMAND[store.name as 'sqlite' | 'postgres'])} runs)`,
      async (row) => {
        await fuzzRow(row, SQL_RUNS_PER_COMMAND[store.name as 'sqlite' | 'postgres'], store);
      },
      FUZZ_TIMEOUT_MS,
    );
  });
});

/**
 * Minimal counterexamples the fuzzing above found (issue #9), kept as regression tests: each
 * must fail with a typed `VALIDATION_FAILED` and write nothing.
 */
describe('regressions found by fuzzing', () => {
  it.each<[string, (engine: IncidentEngine) => Promise<unknown>]>([
    // core.ts tick(): `(at ?? clock.now()).toISOString()` throws RangeError: Invalid time value.
    ['engine.tick(new Date(NaN))', (engine) => engine.tick(new Date(Number.NaN))],
    // core.ts tick(): a non-Date `now` throws TypeError: (at ?? clock.now(...)).toISOString is not a function.
    ['engine.tick("2026-01-01T00:00:00Z")', (engine) => engine.tick('2026-01-01T00:00:00Z' as never)],
  ])('%s is refused with VALIDATION_FAILED and writes nothing', async (_name, call) => {
    const world = await seedWorld();
    const before = await storeSnapshot(world.engine);
    const writes = world.store.writes;
    const outcome = await settle(() => call(world.engine));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expectTypedError(outcome.error, _name, ['VALIDATION_FAILED']);
    expect(world.store.writes).toBe(writes);
    expect(await storeSnapshot(world.engine)).toBe(before);
  });
});

describe('regressions found by fuzzing: holes in an ingest batch', () => {
  // ingest.ts: `list.every(isSealedSignal)` skips holes, so a sparse array counted as sealed and
  // `signal.dedupKey` read undefined: TypeError: Cannot read properties of undefined (reading 'dedupKey').
  // A hole is a malformed signal: rejected on its own (issue 16), and the batch's valid signals are ingested.
  it('engine.ingest(new Array(1)) rejects the hole and writes nothing', async () => {
    const world = await seedWorld();
    const before = await storeSnapshot(world.engine);
    const writes = world.store.writes;
    const results = await world.engine.ingest(new Array<never>(1));
    expect(results).toMatchObject([{ outcome: 'rejected', error: { code: 'VALIDATION_FAILED' } }]);
    expect(world.store.writes).toBe(writes);
    expect(await storeSnapshot(world.engine)).toBe(before);
  });

  it('engine.ingest([parseSignal(…), <hole>]) ingests the signal and rejects the hole', async () => {
    const world = await seedWorld();
    const results = await world.engine.ingest(Object.assign([parseSignal(SIGNAL)], { length: 2 }));
    expect(results.map((r) => r.outcome)).toEqual(['created', 'rejected']);
  });
});

describe('regressions found by fuzzing: times outside years 0000–9999', () => {
  // model/primitives.ts timestampSchema takes any valid Date: new Date(-8.64e15) is stored as
  // startedAt '-271821-04-20T00:00:00.000Z', a string the same schema refuses when read back
  // as text, and which sorts wrongly against ordinary ISO times.
  it('engine.declare with startedAt new Date(-8.64e15) stores a four-digit-year time or refuses it', async () => {
    const world = await seedWorld();
    const outcome = await settle(() => world.engine.declare({ title: 'Ancient', severity: 'SEV3', startedAt: new Date(-8.64e15), actor: ALICE }));
    if (outcome.ok) expect((outcome.value as { startedAt?: string }).startedAt).toMatch(/^\d{4}-/);
    else expectTypedError(outcome.error, 'engine.declare', ['VALIDATION_FAILED']);
  });
});
