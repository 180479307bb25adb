/**
 * Property tests of every parser: whatever arrives (arbitrary JSON, arbitrary JS values, the
 * official payloads with fields removed, retyped, blown up or nested deeply, prototype keys
 * injected), a parser returns valid signals or throws a ValidationError, never anything else,
 * and never touches Object.prototype.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { parseCloudWatchSns } from '../../src/sources/parseCloudWatchSns.js';
import { parseDatadog } from '../../src/sources/parseDatadog.js';
import { parseGrafana } from '../../src/sources/parseGrafana.js';
import { parseOpsgenieAlert } from '../../src/sources/parseOpsgenieAlert.js';
import { parsePagerDutyEvent } from '../../src/sources/parsePagerDutyEvent.js';
import { parseSentry } from '../../src/sources/parseSentry.js';
import type { Signal } from '../../src/model/signal.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { expectValidSignals, loadFixture } from '../fixtures/ingest/loadFixture.js';

const clock = createManualClock('2026-02-03T04:05:06.000Z');

interface Target {
  readonly name: string;
  readonly parse: (body: unknown) => readonly Signal[];
  readonly fixtures: readonly Record<string, unknown>[];
}

const opsgenieCreate = { message: 'Disk full', alias: 'db1-disk', tags: ['a'], details: { k: 'v' }, entity: 'db1', priority: 'P2' };

const TARGETS: readonly Target[] = [
  { name: 'parseAlertmanager', parse: (b) => parseAlertmanager(b, { clock }), fixtures: [loadFixture('alertmanager-webhook-v4.json')] },
  { name: 'parseGrafana', parse: (b) => parseGrafana(b, { clock }), fixtures: [loadFixture('grafana-webhook.json')] },
  {
    name: 'parsePagerDutyEvent',
    parse: (b) => parsePagerDutyEvent(b, { clock }),
    fixtures: [loadFixture('pagerduty-trigger.json'), loadFixture('pagerduty-change-event.json'), { routing_key: 'k', event_action: 'resolve', dedup_key: 'srv01/mysql' }],
  },
  { name: 'parseOpsgenieAlert', parse: (b) => parseOpsgenieAlert(b, { clock }), fixtures: [opsgenieCreate, loadFixture('opsgenie-webhook-create.json')] },
  {
    name: 'parseOpsgenieAlert (close)',
    parse: (b) => parseOpsgenieAlert(b, { clock, action: 'close', alias: 'db1-disk' }),
    fixtures: [{ user: 'Monitoring Script', source: 'AWS Lambda', note: 'Action executed via Alert API' }],
  },
  {
    name: 'parseCloudWatchSns',
    parse: (b) => {
      const result = parseCloudWatchSns(b, { clock, insufficientData: 'firing' });
      if (result.kind === 'signals') return result.signals;
      expect(result.subscribeUrl).toMatch(/^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com/);
      return [];
    },
    fixtures: [
      loadFixture('cloudwatch-alarm-sns-http.json'),
      loadFixture('sns-subscription-confirmation.json'),
      loadFixture('cloudwatch-alarm-lambda-multiple-metrics.json'),
    ],
  },
  {
    name: 'parseSentry',
    parse: (b) => parseSentry(b, { clock }),
    fixtures: [loadFixture('sentry-issue-alert.json'), loadFixture('sentry-metric-alert-resolved.json'), loadFixture('sentry-issue-created.json')],
  },
  { name: 'parseDatadog', parse: (b) => parseDatadog(b, { clock }), fixtures: [loadFixture('datadog-default.json')] },
];

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** Runs `target` on `input`: valid signals or a ValidationError from the parser's own checks. */
function check(target: Target, input: unknown): void {
  let signals: readonly Signal[] | undefined;
  try {
    signals = target.parse(input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // 'unreadable' is the safety net for exceptions the parser did not foresee: none should occur.
    expect(error.details.issues.map((issue) => issue.code), error.message).not.toContain('unreadable');
    expect(error.message.length).toBeGreaterThan(0);
  }
  if (signals !== undefined) {
    expect(Array.isArray(signals)).toBe(true);
    expectValidSignals(signals);
  }
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** Every path to a value inside `value`, the root included. */
function pathsOf(value: unknown, prefix: readonly string[] = [], out: string[][] = []): string[][] {
  out.push([...prefix]);
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out);
  }
  return out;
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

const hostile = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withNullPrototype: true, withMap: true, withSet: true, withSparseArray: true, withBoxedValues: true }),
  fc.jsonValue(),
  fc.constantFrom<unknown>('', ' ', '0001-01-01T00:00:00Z', '1591216985000', '2015-07-17T08:42:58.315+0000', 'javascript:alert(1)', Number.NaN, -0, 1e308, -1, 0),
  fc.integer({ min: 1, max: 100_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 65, max: 1_000 }).map((depth) => nested(depth, 'deep')),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown),
);

/** An official payload with one field removed, replaced, or joined by a prototype key. */
function mutated(fixture: Record<string, unknown>) {
  const paths = pathsOf(fixture);
  return fc
    .record({
      at: fc.nat({ max: paths.length - 1 }),
      kind: fc.constantFrom('delete', 'replace', 'inject'),
      key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'severity', 'status'),
      value: hostile,
    })
    .map(({ at, kind, key, value }) => {
      const copy = structuredClone(fixture);
      const path = paths[at] ?? [];
      if (path.length === 0) return kind === 'replace' ? value : copy;
      let parent: Record<string, unknown> = copy;
      for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string, unknown>;
      const last = path[path.length - 1]!;
      if (kind === 'delete') Reflect.deleteProperty(parent, last);
      else if (kind === 'replace') parent[last] = value;
      else {
        const child = parent[last];
        // Only into objects: an array's own `constructor` is not JSON, and confuses fast-check's reporter.
        const container = typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : parent;
        if (Array.isArray(container)) return copy;
        Object.defineProperty(container, key, { value, enumerable: true, configurable: true, writable: true });
      }
      return copy;
    });
}

/** The JSON text of `value`, when it has one, so the text path is exercised too. */
function asText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

describe.each(TARGETS)('$name never throws anything but ValidationError', (target) => {
  it('on arbitrary JSON values and their text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        check(target, value);
        check(target, JSON.stringify(value));
      }),
      { numRuns: 100 },
    );
  });

  it('on arbitrary JavaScript values', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withNullPrototype: true, withMap: true, withSet: true, withBoxedValues: true }), (value) => {
        check(target, value);
      }),
      { numRuns: 100 },
    );
  });

  it('on official payloads with fields removed, retyped, huge, deeply nested or prototype keys added', () => {
    fc.assert(
      fc.property(fc.constantFrom(...target.fixtures).chain(mutated), (body) => {
        check(target, body);
        const text = asText(body);
        if (text !== undefined) check(target, text);
      }),
      { numRuns: 120 },
    );
  });

  it('on the unmodified official payloads', () => {
    for (const fixture of target.fixtures) check(target, fixture);
  });
});

describe('parsers on pathological input', () => {
  it('reports JSON text nested far deeper than any tool sends as a ValidationError', () => {
    const deepText = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const deepValue = nested(10_000, 1);
    for (const target of TARGETS) {
      expect(() => target.parse(deepText)).toThrow(ValidationError);
      expect(() => target.parse(deepValue)).toThrow(ValidationError);
    }
  });

  it('reports an alert nested too deeply inside an official payload as a ValidationError', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    (body.alerts as Record<string, unknown>[])[0]!.extra = nested(100, 1);
    expect(() => parseAlertmanager(body)).toThrow(/nested more than 64 levels/);
  });

  it('copies raw arrays that carry an own constructor property', () => {
    const body = loadFixture('pagerduty-trigger.json');
    Object.defineProperty(body.images, 'constructor', { value: 'not a constructor', enumerable: true });
    const [signal] = parsePagerDutyEvent(body);
    expectValidSignals([signal!]);
    expect((signal?.raw as { images: unknown[] }).images).toHaveLength(1);
  });

  it('reports a circular payload as a ValidationError', () => {
    const body = loadFixture('pagerduty-trigger.json');
    body.self = body;
    expect(() => parsePagerDutyEvent(body)).toThrow(ValidationError);
  });

  it('truncates huge fields instead of losing the alert', () => {
    const body = loadFixture('alertmanager-webhook-v4.json');
    const alert = (body.alerts as { labels: Record<string, string>; annotations: Record<string, string> }[])[0]!;
    alert.annotations.summary = 's'.repeat(100_000);
    alert.annotations.description = 'd'.repeat(100_000);
    alert.labels.instance = 'i'.repeat(5_000);
    for (let i = 0; i < 100; i++) alert.labels[`l${String(i).padStart(3, '0')}`] = String(i);
    const [signal] = parseAlertmanager(body);
    expectValidSignals([signal!]);
    expect(signal?.summary).toHaveLength(300);
    expect(signal?.summary.endsWith('…')).toBe(true);
    expect(signal?.annotations.description).toHaveLength(20_000);
    expect(Object.keys(signal?.labels ?? {})).toHaveLength(64);
    expect(signal?.fingerprint).toBe('1a30ba71cca2921f');
  });

  it('drops prototype-named labels and non-web links, keeping the alert', () => {
    const body = JSON.parse(
      '{"version":"4","status":"firing","alerts":[{"labels":{"alertname":"A","__proto__":"x","constructor":"y","prototype":"z"},' +
        '"annotations":{"runbook_url":"javascript:alert(1)"},"startsAt":"2026-01-02T03:04:05Z","generatorURL":"file:///etc/passwd"}]}',
    ) as unknown;
    const [signal] = parseAlertmanager(body);
    expectValidSignals([signal!]);
    expect(signal?.labels).toEqual({ alertname: 'A' });
    expect(signal?.links).toEqual([]);
    expect(Object.getPrototypeOf(signal?.labels)).toBe(Object.prototype);
  });
});
