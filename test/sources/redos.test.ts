/**
 * Linear time on adversarial input (issue 16): a regular expression that backtracks can freeze
 * the process on a small payload (a 2 KB Datadog title took seconds). Every parser, and every
 * other exported function that runs regular expressions on outside text, is timed on long runs
 * of the characters those expressions repeat, at size n and 4n in the same run: linear code
 * takes about 4× as long, quadratic 16×, cubic 64×. The bound is a ratio, never a wall-clock
 * limit: medians of interleaved repetitions, each long enough for the timer, retried when an
 * attempt is spoilt. Time is this process's CPU time, not the wall clock: on a busy machine a
 * longer run is more often descheduled, which inflated wall-clock ratios of linear code up to
 * 20×. `npm run check:regex` checks the patterns themselves.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { escapeMarkdown } from '../../src/kernel/markdown.js';
import { isWebUrl, parseSignal } from '../../src/model/signal.js';
import { titleSimilarity } from '../../src/features/review/findSimilarIncidents.js';
import { mermaidGanttText } from '../../src/features/review/renderPostmortemMarkdown.js';
import { fingerprintOf } from '../../src/sources/fingerprint.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { parseCloudWatchSns } from '../../src/sources/parseCloudWatchSns.js';
import { parseDatadog } from '../../src/sources/parseDatadog.js';
import { parseGrafana } from '../../src/sources/parseGrafana.js';
import { parseOpsgenieAlert } from '../../src/sources/parseOpsgenieAlert.js';
import { parsePagerDutyEvent } from '../../src/sources/parsePagerDutyEvent.js';
import { parseSentry } from '../../src/sources/parseSentry.js';
import { lookUpSeverity, severityMap } from '../../src/sources/severityMap.js';
import { readTimestamp } from '../../src/sources/time.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { loadFixture } from '../fixtures/ingest/loadFixture.js';
import { cpuTimeOf, median } from '../fuzz/timeBudget.js';

const clock = createManualClock('2026-02-03T04:05:06.000Z');

/** The most 4× the input may cost: linear code stays near 4, quadratic code is near 16. */
const BOUND = 12;
/** The length of an adversarial string at the smaller size. */
const N = 5_000;
const REPETITIONS = 5;
const ATTEMPTS = 3;


/**
 * How much longer `run` takes on `large` (4× the size) than on `small`: the median of
 * interleaved timings, the best of a few attempts. A refusal (a thrown error) counts as a result.
 */
function growth<T>(run: (input: T) => unknown, small: T, large: T): number {
  const once = (input: T): void => {
    try {
      run(input);
    } catch {
      // Refusing the input is fine; only the time matters.
    }
  };
  /** Milliseconds of CPU time (user and system) of `iterations` runs. */
  const time = (input: T, iterations: number): number =>
    cpuTimeOf(() => {
      for (let i = 0; i < iterations; i += 1) once(input);
    });
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < ATTEMPTS && best > BOUND; attempt += 1) {
    once(small);
    once(large);
    // Enough iterations that the smaller input takes a few milliseconds: the timer's resolution
    // and the loop itself stay small next to it.
    let iterations = 1;
    while (iterations < 4_096 && time(small, iterations) < 2) iterations *= 2;
    const smallTimes: number[] = [];
    const largeTimes: number[] = [];
    for (let rep = 0; rep < REPETITIONS; rep += 1) {
      smallTimes.push(time(small, iterations));
      const largeTime = time(large, iterations);
      largeTimes.push(largeTime);
      // Clearly super-linear: no need to wait for more slow runs.
      if (largeTime > 500 && largeTime > (smallTimes.at(-1) ?? 0) * BOUND * 4) break;
    }
    best = Math.min(best, median(largeTimes) / median(smallTimes));
  }
  return best;
}

/** `unit` repeated to `length` characters, then a character no pattern expects, so matching fails late. */
const runOf = (unit: string, length: number): string => `${unit.repeat(Math.ceil(length / unit.length)).slice(0, length)}\u0000`;

/** The characters patterns repeat: spaces, line breaks, brackets, separators, digits, letters, words. */
const UNITS = [' ', '\t\n', '[', '-', '0', ':', '.', '/', 'a', ' on'];

/** Each string of `value` through `replace`; a string holding a JSON object (SNS's `Message`) is walked into. */
function mapStrings(value: unknown, replace: (path: string, text: string) => string, path = ''): unknown {
  if (typeof value === 'string') {
    let nested: unknown;
    try {
      nested = value.trimStart().startsWith('{') ? JSON.parse(value) : undefined;
    } catch {
      nested = undefined;
    }
    return typeof nested === 'object' && nested !== null ? JSON.stringify(mapStrings(nested, replace, `${path}/(json)`)) : replace(path, value);
  }
  if (Array.isArray(value)) return value.map((item: unknown, index) => mapStrings(item, replace, `${path}/${String(index)}`));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, replace, `${path}/${key}`)]));
  }
  return value;
}

function stringPaths(value: unknown): string[] {
  const paths: string[] = [];
  mapStrings(value, (path, text) => {
    paths.push(path);
    return text;
  });
  return paths;
}

const accepts = (parse: (body: unknown) => unknown, body: unknown): boolean => {
  try {
    parse(body);
    return true;
  } catch {
    return false;
  }
};

interface Target {
  readonly name: string;
  readonly parse: (body: unknown) => unknown;
  readonly fixtures: readonly Record<string, unknown>[];
}

const TARGETS: readonly Target[] = [
  { name: 'parseAlertmanager', parse: (b) => parseAlertmanager(b, { clock }), fixtures: [loadFixture('alertmanager-webhook-v4.json')] },
  { name: 'parseGrafana', parse: (b) => parseGrafana(b, { clock }), fixtures: [loadFixture('grafana-webhook.json')] },
  {
    name: 'parsePagerDutyEvent',
    parse: (b) => parsePagerDutyEvent(b, { clock }),
    fixtures: [loadFixture('pagerduty-trigger.json'), loadFixture('pagerduty-change-event.json')],
  },
  {
    name: 'parseOpsgenieAlert',
    parse: (b) => parseOpsgenieAlert(b, { clock }),
    fixtures: [loadFixture('opsgenie-webhook-create.json')],
  },
  {
    name: 'parseCloudWatchSns',
    parse: (b) => parseCloudWatchSns(b, { clock, insufficientData: 'firing' }),
    fixtures: [loadFixture('cloudwatch-alarm-sns-http.json'), loadFixture('sns-subscription-confirmation.json')],
  },
  {
    name: 'parseSentry',
    parse: (b) => parseSentry(b, { clock }),
    fixtures: [loadFixture('sentry-issue-alert.json'), loadFixture('sentry-metric-alert-resolved.json')],
  },
  { name: 'parseDatadog', parse: (b) => parseDatadog(b, { clock }), fixtures: [loadFixture('datadog-default.json')] },
  {
    name: 'parseSignal',
    parse: (b) => parseSignal(b),
    fixtures: [
      {
        source: 'custom',
        fingerprint: 'fp-1',
        dedupKey: 'key-1',
        status: 'firing',
        severity: 'SEV2',
        summary: 'Checkout down',
        service: 'checkout',
        labels: { host: 'web-1' },
        annotations: { description: 'Errors above 5%' },
        startsAt: '2026-01-02T03:04:05Z',
        links: [{ href: 'https://example.com/runbook', text: 'Runbook' }],
        raw: { any: 'thing' },
      },
    ],
  },
];

describe('parsers take linear time on long runs of what their patterns repeat', () => {
  // Every string of each official payload at once, except those whose runs the parser refuses
  // (timestamps, enums, limits: each is timed on its own below or in the next block).
  it.each(TARGETS)('$name, every accepted string field', ({ parse, fixtures }) => {
    const slow: string[] = [];
    for (const [index, fixture] of fixtures.entries()) {
      for (const unit of UNITS) {
        const accepted = new Set(
          stringPaths(fixture).filter((path) => accepts(parse, mapStrings(fixture, (at, text) => (at === path ? runOf(unit, 4 * N) : text)))),
        );
        const body = (length: number): unknown => mapStrings(fixture, (at, text) => (accepted.has(at) ? runOf(unit, length) : text));
        const ratio = growth(parse, body(N), body(4 * N));
        if (ratio > BOUND) slow.push(`fixture ${String(index)}, runs of ${JSON.stringify(unit)}: ×${ratio.toFixed(1)}`);
      }
    }
    expect(slow).toEqual([]);
  });
});

interface Case {
  readonly name: string;
  /** The input at size `n`. */
  readonly make: (n: number) => unknown;
  readonly run: (input: never) => unknown;
  /** The smaller size; the field's own limit decides it where the code cuts the text. */
  readonly n?: number;
}

const datadog = loadFixture('datadog-default.json');
const datadogSeverities = severityMap('datadog', { 'p1 p1': 'SEV1' });
const sentryIssueAlert = loadFixture('sentry-issue-alert.json') as { data: { event: Record<string, unknown> } };
const snsAlarm = loadFixture('cloudwatch-alarm-sns-http.json');
const withAlarm = (alarm: Record<string, unknown>): Record<string, unknown> => ({
  ...snsAlarm,
  Message: JSON.stringify({ ...(JSON.parse(snsAlarm.Message as string) as Record<string, unknown>), ...alarm }),
});
const alertmanager = loadFixture('alertmanager-webhook-v4.json') as { alerts: Record<string, unknown>[] };
const withAlert = (alert: Record<string, unknown>): Record<string, unknown> => ({
  ...alertmanager,
  alerts: [{ ...alertmanager.alerts[0], ...alert }],
});
const signal = (fields: Record<string, unknown>): Record<string, unknown> => ({
  source: 'custom',
  fingerprint: 'fp',
  status: 'firing',
  severity: 'SEV2',
  summary: 'x',
  startsAt: '2026-01-02T03:04:05Z',
  ...fields,
});

// The parser reads at most 2,000 characters of a title, so those cases stay within it.
const TITLE_N = 480;

const CASES: readonly Case[] = [
  // The reported case: `[` + spaces + `]` took seconds through the scope pattern.
  { name: 'parseDatadog: [ + spaces + ]', n: TITLE_N, make: (n) => ({ ...datadog, title: `[${' '.repeat(n)}]` }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: [P1] [ + tabs + ] + spaces', n: TITLE_N, make: (n) => ({ ...datadog, title: `[P1] [${'\t'.repeat(n)}]${' '.repeat(n)}x` }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: [Triggered + " on" runs + ]', n: TITLE_N, make: (n) => ({ ...datadog, title: `[Triggered${' on'.repeat(n / 3)}]` }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: [x on { + " on }" runs + ]', n: TITLE_N, make: (n) => ({ ...datadog, title: `[x on {${' on }'.repeat(n / 4)}x]` }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: [x on + spaces + { + spaces + }x]', n: TITLE_N, make: (n) => ({ ...datadog, title: `[x on${' '.repeat(n / 2)}{${' '.repeat(n / 2)}}x]` }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: [[[[ …', n: TITLE_N, make: (n) => ({ ...datadog, title: '['.repeat(n) }), run: (b: unknown) => parseDatadog(b) },
  // The body is read up to 100,000 characters for markdown links.
  { name: 'parseDatadog: body of unclosed links', n: 20_000, make: (n) => ({ ...datadog, body: runOf('[a](http://x', n) }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: body of one unclosed URL', n: 20_000, make: (n) => ({ ...datadog, body: `[a](https://${'[b]('.repeat(n / 4)}` }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: body of brackets', n: 20_000, make: (n) => ({ ...datadog, body: runOf('[]', n) }), run: (b: unknown) => parseDatadog(b) },
  { name: 'parseDatadog: body of /monitors/', make: (n) => ({ ...datadog, body: runOf('/monitors/', n) }), run: (b: unknown) => parseDatadog(b) },
  {
    name: 'parseSentry: event url of /projects/',
    make: (n) => ({ ...sentryIssueAlert, data: { ...sentryIssueAlert.data, event: { ...sentryIssueAlert.data.event, url: runOf('/projects/a', n) } } }),
    run: (b: unknown) => parseSentry(b),
  },
  { name: 'parseCloudWatchSns: ARN region of -a runs', make: (n) => withAlarm({ AlarmArn: `arn:aws:cloudwatch:us${'-a'.repeat(n / 2)}x:1:alarm:x` }), run: (b: unknown) => parseCloudWatchSns(b) },
  {
    name: 'parseCloudWatchSns: SubscribeURL host of sns.-',
    make: (n) => ({ ...loadFixture('sns-subscription-confirmation.json'), SubscribeURL: `https://sns.${'-'.repeat(n)}.amazonaws.comx/` }),
    run: (b: unknown) => parseCloudWatchSns(b),
  },
  { name: 'parseCloudWatchSns: StateChangeTime of spaces', make: (n) => withAlarm({ StateChangeTime: `2015-06-03T17:43:27${' '.repeat(n)}x` }), run: (b: unknown) => parseCloudWatchSns(b) },
  { name: 'parseAlertmanager: startsAt with spaces before the zone', make: (n) => withAlert({ startsAt: `2026-01-02T03:04:05${' '.repeat(n)}+x` }), run: (b: unknown) => parseAlertmanager(b) },
  { name: 'parseAlertmanager: startsAt of digits', make: (n) => withAlert({ startsAt: runOf('1', n) }), run: (b: unknown) => parseAlertmanager(b) },
  { name: 'parseAlertmanager: severity of spaces', make: (n) => withAlert({ labels: { alertname: 'x', severity: runOf(' ', n) } }), run: (b: unknown) => parseAlertmanager(b) },
  // Other exported functions that run regular expressions on outside text.
  { name: 'readTimestamp: spaces before the zone', make: (n) => `2026-01-02T03:04:05${' '.repeat(n)}Zx`, run: (t: string) => readTimestamp(t) },
  { name: 'readTimestamp: digits', make: (n) => runOf('1', n), run: (t: string) => readTimestamp(t) },
  { name: 'readTimestamp: digits and a point', make: (n) => `1.${'1'.repeat(n)}x`, run: (t: string) => readTimestamp(t) },
  { name: 'readTimestamp: colons', make: (n) => `2026-01-02T03:04${':'.repeat(n)}`, run: (t: string) => readTimestamp(t) },
  { name: 'fingerprintOf: long strings', make: (n) => ['x', { a: runOf(' ', n), b: runOf('[', n) }], run: (v: unknown) => fingerprintOf(v) },
  { name: 'severity lookup: long words', make: (n) => ` ${runOf('P1 ', n)} `, run: (word: string) => lookUpSeverity(datadogSeverities, word, 'SEV3') },
  { name: 'escapeMarkdown: digits', make: (n) => runOf('1', n), run: (t: string) => escapeMarkdown(t) },
  { name: 'escapeMarkdown: line breaks and specials', make: (n) => runOf('\r\n*[', n), run: (t: string) => escapeMarkdown(t) },
  { name: 'mermaidGanttText: spaces and colons', make: (n) => runOf(' :#\n', n), run: (t: string) => mermaidGanttText(t) },
  { name: 'mermaidGanttText: a date-like start', make: (n) => `2026-01-0${'1'.repeat(n)}`, run: (t: string) => mermaidGanttText(t) },
  { name: 'titleSimilarity: digits and separators', make: (n) => runOf('1 -', n), run: (t: string) => titleSimilarity(t, `${t}x`) },
  { name: 'isWebUrl: slashes', make: (n) => `https://${'/'.repeat(n)}`, run: (t: string) => isWebUrl(t), n: 400 },
  { name: 'parseSignal: summary and labels of spaces', make: (n) => signal({ summary: runOf(' ', n), labels: { a: runOf(' ', n) } }), run: (b: unknown) => parseSignal(b) },
  {
    name: 'ValidationError: a message ending in many dots',
    make: (n) => `${'.'.repeat(n)}x`,
    run: (message: string) => new ValidationError('x', [{ code: 'custom', path: [], message }]),
  },
];

describe('exported functions take linear time on long runs of what their patterns repeat', () => {
  it.each(CASES)('$name', ({ make, run, n = N }) => {
    const ratio = growth(run as (input: unknown) => unknown, make(n), make(4 * n));
    expect(ratio).toBeLessThanOrEqual(BOUND);
  });
});
