/**
 * Fuzzing every parser of `incidentkit/ingest` (issue #9), at volume and with what
 * test/sources/parsers.property.test.ts does not feed: official payloads mutated with hostile
 * JSON (own `__proto__`/`constructor`/`prototype` keys as `JSON.parse` makes them, lone
 * surrogates, invalid dates, limit-sized and huge strings, deep nesting), the payloads' text
 * corrupted byte by byte or cut short, hostile parser options and clocks, and hand-made signals
 * (`parseSignal`) and timestamps (`readTimestamp`, `normalizeTimestamp`). Properties:
 * - a parser returns valid signals or throws a typed incidentkit error: `VALIDATION_FAILED`
 *   for the payload (never the `unreadable` safety net), `CONFIG_INVALID` for bad options;
 * - the input is left exactly as it was (parsers are pure);
 * - no prototype gains a property.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { parseCloudWatchSns } from '../../src/sources/parseCloudWatchSns.js';
import { parseDatadog } from '../../src/sources/parseDatadog.js';
import { parseGrafana } from '../../src/sources/parseGrafana.js';
import { parseOpsgenieAlert } from '../../src/sources/parseOpsgenieAlert.js';
import { parsePagerDutyEvent } from '../../src/sources/parsePagerDutyEvent.js';
import { parseSentry } from '../../src/sources/parseSentry.js';
import { normalizeTimestamp, readTimestamp } from '../../src/sources/time.js';
import { parseSignal, type Signal } from '../../src/model/signal.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { expectValidSignals, fixtureText, loadFixture } from '../fixtures/ingest/loadFixture.js';
import {
  aroundValid,
  expectEnoughInputs,
  expectPrototypesUntouched,
  expectTypedError,
  FUZZ_TIMEOUT_MS,
  hostileChar,
  hostileJson,
  hostileValue,
  inputCounter,
  invalidDate,
  mutated,
  runs,
} from './arbitraries.js';
import { timeBudget, withinBudget } from './timeBudget.js';

const clock = createManualClock('2026-02-03T04:05:06.000Z');

/** Parser options every parser accepts (plain JSON; the clock is added separately). */
const VALID_OPTIONS = { severityMap: { warning: 'SEV4', p1: 'SEV1' }, defaultSeverity: 'SEV4', service: 'team' } as const;

/** One parser: how to call it, and the official payloads its mutations start from. */
interface ParserRow {
  readonly name: string;
  readonly parse: (body: unknown, options?: unknown) => unknown;
  readonly fixtures: readonly string[];
  /** Options this parser adds to {@link VALID_OPTIONS}. */
  readonly options?: Readonly<Record<string, unknown>>;
}

const PARSERS: readonly ParserRow[] = [
  { name: 'parseAlertmanager', parse: (b, o) => parseAlertmanager(b, o as never), fixtures: ['alertmanager-webhook-v4.json'] },
  { name: 'parseGrafana', parse: (b, o) => parseGrafana(b, o as never), fixtures: ['grafana-webhook.json'] },
  { name: 'parsePagerDutyEvent', parse: (b, o) => parsePagerDutyEvent(b, o as never), fixtures: ['pagerduty-trigger.json', 'pagerduty-change-event.json'] },
  {
    name: 'parseOpsgenieAlert',
    parse: (b, o) => parseOpsgenieAlert(b, o as never),
    fixtures: ['opsgenie-webhook-create.json'],
    options: { action: 'close', alias: 'db1-disk' },
  },
  {
    name: 'parseCloudWatchSns',
    parse: (b, o) => parseCloudWatchSns(b, o as never),
    fixtures: ['cloudwatch-alarm-sns-http.json', 'sns-subscription-confirmation.json', 'cloudwatch-alarm-lambda-multiple-metrics.json'],
    options: { insufficientData: 'firing' },
  },
  {
    name: 'parseSentry',
    parse: (b, o) => parseSentry(b, o as never),
    fixtures: ['sentry-issue-alert.json', 'sentry-metric-alert-resolved.json', 'sentry-issue-created.json'],
  },
  { name: 'parseDatadog', parse: (b, o) => parseDatadog(b, o as never), fixtures: ['datadog-default.json'] },
];

/** The signals in a parser's result (CloudWatch may answer with a confirmation instead). */
function signalsOf(result: unknown): readonly Signal[] {
  if (Array.isArray(result)) return result as Signal[];
  const value = result as { kind?: unknown; signals?: unknown; subscribeUrl?: unknown };
  if (value.kind === 'signals') return value.signals as Signal[];
  expect(value.kind, 'a parser result').toMatch(/^(subscription|unsubscribe)Confirmation$/);
  // What a host visits is the URL's normalised host (lower case, punycode), which must be AWS's.
  expect(new URL(String(value.subscribeUrl)).hostname).toMatch(/^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/);
  expect(String(value.subscribeUrl)).toMatch(/^https:/);
  return [];
}

/** A stable text of `value` for "unchanged" checks, or `undefined` when it has none. */
function textOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Each parser's time budget per input: a ratio against parsing its official payload. */
const budgets = new Map<string, ReturnType<typeof timeBudget>>();
for (const row of PARSERS) {
  const body = loadFixture(row.fixtures[0] ?? '');
  budgets.set(row.name, timeBudget(row.name, () => row.parse(structuredClone(body), { clock })));
}

/**
 * Calls `parse(input)`: valid signals, or a typed error with one of `codes`; within the parser's
 * time budget; input unchanged; prototypes clean.
 */
function check(name: string, parse: () => unknown, input: unknown, codes: readonly string[] = ['VALIDATION_FAILED']): void {
  const before = textOf(input);
  const budget = budgets.get(name);
  let result: unknown;
  let failed = false;
  try {
    result = budget === undefined ? parse() : withinBudget(budget, parse);
  } catch (error) {
    failed = true;
    expectTypedError(error, name, codes);
    // 'unreadable' is runParser's safety net for exceptions a parser did not foresee.
    if (isIncidentKitError(error, 'VALIDATION_FAILED')) {
      const issues = (error.details as { issues: readonly { code: string }[] }).issues;
      if (issues.some((issue) => issue.code === 'unreadable')) expect.fail(`${name} fell back to 'unreadable': ${error.message}`);
    }
  }
  if (!failed) expectValidSignals(signalsOf(result));
  if (before !== undefined) expect(textOf(input), `${name} changed its input`).toBe(before);
  expectPrototypesUntouched();
}

/** A payload's text corrupted: cut short, a hostile character spliced in, a BOM in front, doubled. */
function corruptedText(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: text.length }).map((at) => text.slice(0, at)),
    fc.tuple(fc.nat({ max: text.length }), fc.string({ unit: hostileChar, minLength: 1, maxLength: 4 })).map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
    fc.tuple(fc.nat({ max: text.length - 1 }), fc.nat({ max: text.length - 1 })).map(([a, b]) => text.slice(0, Math.min(a, b)) + text.slice(Math.max(a, b))),
    fc.constantFrom(`\ufeff${text}`, `${text}${text}`, `${text}\u0000`, text.replaceAll('"', "'"), ` \n${text}\n `),
  );
}

/** Hostile clocks: a `now()` that returns an invalid date, a string, or nothing. */
const hostileClock = fc.constantFrom<unknown>(
  { now: () => new Date(Number.NaN) },
  { now: () => '2026-01-01T00:00:00Z' },
  { now: () => undefined },
  { now: 'not a function' },
  () => new Date(),
);

/** Options: valid ones mutated, with the manual clock or a hostile one. */
function optionsArbitrary(row: ParserRow): fc.Arbitrary<unknown> {
  const valid = { ...VALID_OPTIONS, ...row.options };
  return fc.tuple(aroundValid(valid, hostileValue(2)), fc.oneof({ arbitrary: fc.constant<unknown>(clock), weight: 4 }, { arbitrary: hostileClock, weight: 1 })).map(
    ([options, chosen]) => (typeof options === 'object' && options !== null && !Array.isArray(options) ? { ...options, clock: chosen } : options),
  );
}

const counter = inputCounter('parsers');

afterAll(() => {
  expectEnoughInputs(counter);
});

/** Runs per parser and property in CI: 7 parsers × (2 200 × 2 + 900 + 500 + 500) + 3 000 + 2 000 × 2 = 51 100 inputs. */
const RUNS = { mutated: runs(2_200), text: runs(900), values: runs(500), options: runs(500) } as const;

describe.each(PARSERS)('$name under fuzzed payloads', (row) => {
  const bodies = row.fixtures.map((name) => loadFixture(name));
  const texts = row.fixtures.map((name) => fixtureText(name));

  it(`official payloads mutated with hostile JSON, as objects and as text (${String(RUNS.mutated)} runs × 2)`, () => {
    const input = fc.nat({ max: bodies.length - 1 }).chain((i) => mutated(bodies[i], hostileJson()));
    fc.assert(
      fc.property(input, (body) => {
        counter.addTo(row.name, 2);
        check(row.name, () => row.parse(body, { clock }), body);
        const text = textOf(body);
        check(row.name, () => row.parse(text, { clock }), text);
      }),
      { numRuns: RUNS.mutated },
    );
  }, FUZZ_TIMEOUT_MS);

  it(`official payload text cut short, spliced with lone surrogates and control characters (${String(RUNS.text)} runs)`, () => {
    const input = fc.nat({ max: texts.length - 1 }).chain((i) => corruptedText(texts[i] ?? ''));
    fc.assert(
      fc.property(input, (text) => {
        counter.addTo(row.name);
        check(row.name, () => row.parse(text, { clock }), text);
      }),
      { numRuns: RUNS.text },
    );
  }, FUZZ_TIMEOUT_MS);

  it(`hostile JavaScript values instead of a payload (${String(RUNS.values)} runs)`, () => {
    fc.assert(
      fc.property(hostileValue(), (body) => {
        counter.addTo(row.name);
        check(row.name, () => row.parse(body, { clock }), body);
      }),
      { numRuns: RUNS.values },
    );
  }, FUZZ_TIMEOUT_MS);

  it(`hostile options and clocks answer CONFIG_INVALID or VALIDATION_FAILED (${String(RUNS.options)} runs)`, () => {
    fc.assert(
      fc.property(fc.nat({ max: bodies.length - 1 }), optionsArbitrary(row), (i, options) => {
        counter.addTo(row.name);
        check(row.name, () => row.parse(structuredClone(bodies[i]), options), options, ['VALIDATION_FAILED', 'CONFIG_INVALID']);
      }),
      { numRuns: RUNS.options },
    );
  }, FUZZ_TIMEOUT_MS);
});

const SIGNAL = {
  source: 'cron',
  fingerprint: 'nightly-backup',
  dedupKey: 'backup',
  status: 'firing',
  severity: 'SEV3',
  summary: 'Nightly backup failed',
  service: 'db',
  labels: { job: 'backup' },
  annotations: { runbook: 'https://runbooks.example.com/backup' },
  startsAt: '2026-01-02T03:04:05+01:00',
  endsAt: '2026-01-02T04:04:05Z',
  links: [{ href: 'https://ci.example.com/job/1', text: 'Job' }],
  raw: { job: 'backup', attempt: 3 },
};

describe('parseSignal and timestamps under fuzzed input', () => {
  it(`parseSignal: a valid signal or VALIDATION_FAILED (${String(runs(3_000))} runs)`, () => {
    fc.assert(
      fc.property(aroundValid(SIGNAL, hostileValue()), (input) => {
        counter.addTo('parseSignal');
        check('parseSignal', () => [parseSignal(input)], input);
      }),
      { numRuns: runs(3_000) },
    );
  }, FUZZ_TIMEOUT_MS);

  it(`readTimestamp never throws; normalizeTimestamp returns ISO UTC, undefined, or VALIDATION_FAILED (${String(runs(2_000))} runs)`, () => {
    const value = fc.oneof(invalidDate, fc.date({ noInvalidDate: true }), fc.string({ unit: hostileChar, maxLength: 40 }), hostileValue(1));
    const unit = fc.constantFrom<unknown>(undefined, 'auto', 's', 'ms', 'us', 'ns', 'minutes', '', null, 7);
    fc.assert(
      fc.property(value, unit, (input, epochUnit) => {
        counter.addTo('timestamps', 2);
        let reading: ReturnType<typeof readTimestamp> | undefined;
        try {
          reading = readTimestamp(input, epochUnit as never);
        } catch (error) {
          expectTypedError(error, 'readTimestamp');
        }
        // A reading must be a time signals can carry: signalSchema takes years 0000–9999 only.
        if (reading?.ok === true && reading.iso !== undefined) expect(reading.iso, String(input)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        try {
          const iso = normalizeTimestamp(input as never, epochUnit as never);
          if (iso !== undefined) expect(new Date(iso).toISOString()).toBe(iso);
        } catch (error) {
          expectTypedError(error, 'normalizeTimestamp');
        }
        expectPrototypesUntouched();
      }),
      { numRuns: runs(2_000) },
    );
  }, FUZZ_TIMEOUT_MS);
});

/** Minimal counterexamples the fuzzing above found (issue #9), kept as regression tests. */
describe('regressions found by fuzzing', () => {
  // model/primitives.ts timestampSchema: its z.date() branch takes any valid Date, but toISOString()
  // of a year outside 0000–9999 is '+010000-01-01T00:00:00.000Z', which the schema's own string
  // branch (z.iso.datetime) refuses. The signal parseSignal returns then fails signalSchema, and
  // such times sort wrongly as strings. Found by parseSignal with startsAt: new Date('+010000-01-01T00:00:00Z').
  it.each([new Date('+010000-01-01T00:00:00.000Z'), new Date(8.64e15), new Date(-8.64e15)])('parseSignal with startsAt %s returns a signal that validates again, or VALIDATION_FAILED', (startsAt) => {
    check('parseSignal', () => [parseSignal({ ...SIGNAL, startsAt })], undefined);
  });

  // ingest/time.ts readTimestamp: an epoch number far out (1e21, read as nanoseconds) becomes
  // '+033658-…', which signalSchema refuses; parseAlertmanager then returns an invalid signal.
  // Found by parseAlertmanager with alerts[0].startsAt = 1e21.
  it('parseAlertmanager with startsAt 1e21 returns valid signals or VALIDATION_FAILED', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    (body.alerts as Record<string, unknown>[])[0]!.startsAt = 1e21;
    check('parseAlertmanager', () => parseAlertmanager(body, { clock }), body);
  });
});
