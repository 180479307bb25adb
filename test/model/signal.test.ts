import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseSignal, signalSchema } from '../../src/model/signal.js';
import { thrown } from '../helpers.js';

const minimal = { source: 'cron', fingerprint: 'nightly-backup', status: 'firing', severity: 'SEV3', summary: 'Nightly backup failed', startsAt: '2026-01-02T03:04:05+01:00' };

function issuesOf(input: unknown): { path: string; code: string }[] {
  const error = thrown(() => parseSignal(input));
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).details.issues.map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code }));
}

describe('parseSignal', () => {
  it('fills defaults and normalises times to UTC', () => {
    expect(parseSignal(minimal)).toEqual({
      source: 'cron',
      fingerprint: 'nightly-backup',
      status: 'firing',
      severity: 'SEV3',
      summary: 'Nightly backup failed',
      labels: {},
      annotations: {},
      startsAt: '2026-01-02T02:04:05.000Z',
      links: [],
      raw: null,
    });
  });

  it('keeps every optional field', () => {
    const signal = parseSignal({
      ...minimal,
      status: 'resolved',
      dedupKey: 'backup',
      service: 'backups',
      labels: { job: 'backup' },
      annotations: { runbook: 'restart it' },
      startsAt: new Date('2026-01-02T02:00:00Z'),
      endsAt: '2026-01-02T03:00:00Z',
      links: [{ href: 'https://example.com/backup', text: 'Logs' }, { href: 'http://example.com' }],
      raw: { exitCode: 1, output: ['disk full'] },
    });
    expect(signal).toMatchObject({ dedupKey: 'backup', service: 'backups', startsAt: '2026-01-02T02:00:00.000Z', endsAt: '2026-01-02T03:00:00.000Z' });
    expect(signal.links).toEqual([{ href: 'https://example.com/backup', text: 'Logs' }, { href: 'http://example.com' }]);
  });

  it('names every missing or wrong field', () => {
    expect(issuesOf({ ...minimal, status: 'pending', severity: '', startsAt: 'soon' }).map((i) => i.path)).toEqual(['status', 'severity', 'startsAt']);
    expect(issuesOf({ source: 'cron' }).map((i) => i.path)).toEqual(['fingerprint', 'status', 'severity', 'summary', 'startsAt']);
  });

  it('refuses unknown keys, bad source names and blank text', () => {
    expect(issuesOf({ ...minimal, titel: 'typo' })[0]?.code).toBe('unrecognized_keys');
    expect(issuesOf({ ...minimal, source: 'My Tool' })[0]?.path).toBe('source');
    expect(issuesOf({ ...minimal, summary: '   ' })[0]?.path).toBe('summary');
    expect(issuesOf({ ...minimal, summary: 'x'.repeat(301) })[0]?.path).toBe('summary');
  });

  it('refuses links that are not http(s), and prototype keys in labels', () => {
    expect(issuesOf({ ...minimal, links: [{ href: 'javascript:alert(1)' }] })[0]?.path).toBe('links.0.href');
    expect(issuesOf({ ...minimal, links: [{ href: '/relative' }] })[0]?.path).toBe('links.0.href');
    expect(issuesOf({ ...minimal, labels: { constructor: 'x' } })[0]?.path).toBe('labels.constructor');
  });

  it('refuses raw values that are not plain JSON', () => {
    expect(issuesOf({ ...minimal, raw: { when: new Date() } })[0]?.path).toBe('raw.when');
    expect(issuesOf({ ...minimal, raw: [Number.NaN] })[0]?.path).toBe('raw.0');
    expect(issuesOf({ ...minimal, raw: JSON.parse('{"__proto__": {"x": 1}}') as unknown })[0]?.path).toBe('raw.__proto__');
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(issuesOf({ ...minimal, raw: deep })[0]?.code).toBe('custom');
  });

  it('is what signalSchema parses', () => {
    expect(signalSchema.parse(minimal)).toEqual(parseSignal(minimal));
  });
});
