import { describe, expect, it } from 'vitest';
import { isIncidentKitError, type ValidationError } from 'incidentkit';
import { defineRoutes, ROUTING_LIMITS, type RouteCondition } from 'incidentkit/routing';

/** The issues `defineRoutes(input)` throws, as `[path, message]` pairs. */
function refusal(input: unknown): { path: string; message: string }[] {
  try {
    defineRoutes(input as Parameters<typeof defineRoutes>[0]);
  } catch (error) {
    expect(isIncidentKitError(error, 'VALIDATION_FAILED')).toBe(true);
    return (error as ValidationError).details.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  }
  throw new Error('defineRoutes accepted the input');
}

const rule = (overrides: Record<string, unknown>) => [{ id: 'r', when: { all: [] }, then: {}, ...overrides }];

describe('defineRoutes', () => {
  it('returns frozen plain data, and itself when given its own result', () => {
    const routes = defineRoutes([{ id: 'db', name: 'Databases', when: { field: 'labels.team', equals: 'db' }, then: { service: 'postgres' } }]);
    expect(routes).toEqual({ rules: [{ id: 'db', name: 'Databases', when: { field: 'labels.team', equals: 'db' }, then: { service: 'postgres' }, continue: false }] });
    expect(Object.isFrozen(routes.rules[0]?.when)).toBe(true);
    expect(defineRoutes(routes)).toBe(routes);
    expect(defineRoutes(JSON.parse(JSON.stringify(routes)) as typeof routes)).toEqual(routes);
  });

  it('accepts every action', () => {
    const routes = defineRoutes(
      rule({
        then: {
          service: 'api',
          type: 'outage',
          severity: 'SEV1',
          policy: 'sre-primary',
          dedupKey: '{{labels.alertname}}:{{labels.instance}}',
          suppress: false,
          threshold: { count: 3, windowMinutes: 15 },
          group: { key: '{{labels.cluster}}' },
        },
        continue: true,
      }),
    );
    expect(routes.rules[0]?.continue).toBe(true);
    expect(routes.rules[0]?.then.group).toEqual({ key: '{{labels.cluster}}' });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['not a list', { nope: true }, '', /expected array/i],
    ['a duplicate id', [...rule({}), ...rule({})], '1.id', /already has the id r/],
    ['a bad id', rule({ id: '1 bad' }), '0.id', /start with a letter/],
    ['a blank name', rule({ name: '  ' }), '0.name', /empty or blank/],
    ['an unknown key', rule({ priority: 1 }), '0', /priority/],
    ['an unknown field', rule({ when: { field: 'title', equals: 'x' } }), '0.when.field', /Name a signal field/],
    ['a prototype label', rule({ when: { field: 'labels.__proto__', exists: true } }), '0.when.field', /Name a signal field/],
    ['an empty label name', rule({ when: { field: 'labels.', exists: true } }), '0.when.field', /Name a signal field/],
    ['an empty any', rule({ when: { any: [] } }), '0.when.any', /at least one condition/],
    ['an empty in', rule({ when: { field: 'source', in: [] } }), '0.when.in', /at least one value/],
    ['too many in values', rule({ when: { field: 'source', in: Array.from({ length: 101 }, String) } }), '0.when.in', /At most 100/],
    ['a bad flag', rule({ when: { field: 'summary', matches: 'x', flags: 'g' } }), '0.when.flags', /only be i, u, s and m/],
    ['a repeated flag', rule({ when: { field: 'summary', matches: 'x', flags: 'ii' } }), '0.when.flags', /only once/],
    ['an invalid pattern', rule({ when: { field: 'summary', matches: '(' } }), '0.when.matches', /Not a valid regular expression/],
    ['a too long pattern', rule({ when: { field: 'summary', matches: 'a'.repeat(257) } }), '0.when.matches', /at most 256/],
    ['a pattern the detector cannot analyse', rule({ when: { field: 'summary', matches: '(?<n>x)\\k<n>' } }), '0.when.matches', /cannot be analysed/],
    ['flags i and u together', rule({ when: { field: 'summary', matches: 'x', flags: 'iu' } }), '0.when.matches', /i and u together/],
    ['an unclosed template', rule({ then: { dedupKey: '{{labels.a' } }), '0.then.dedupKey', /without a closing/],
    ['a stray }}', rule({ then: { dedupKey: 'a}}' } }), '0.then.dedupKey', /without a "\{\{"/],
    ['a template field', rule({ then: { group: { key: '{{constructor}}' } } }), '0.then.group.key', /Name a signal field/],
    ['too many placeholders', rule({ then: { dedupKey: '{{source}}'.repeat(17) } }), '0.then.dedupKey', /at most 16 placeholders/],
    ['a blank template', rule({ then: { dedupKey: '   ' } }), '0.then.dedupKey', /empty or blank/],
    ['a blank service', rule({ then: { service: ' ' } }), '0.then.service', /empty or blank/],
    ['a too long severity', rule({ then: { severity: 'S'.repeat(65) } }), '0.then.severity', /at most 64/],
    ['a bad type', rule({ then: { type: 'has space' } }), '0.then.type', /Type names/],
    ['a bad policy', rule({ then: { policy: '' } }), '0.then.policy', /start with a letter/],
    ['a threshold count of 0', rule({ then: { threshold: { count: 0, windowMinutes: 5 } } }), '0.then.threshold.count', /at least 1/],
    ['a fractional count', rule({ then: { threshold: { count: 1.5, windowMinutes: 5 } } }), '0.then.threshold.count', /whole number/],
    ['a negative window', rule({ then: { threshold: { count: 2, windowMinutes: -1 } } }), '0.then.threshold.windowMinutes', /0 or more/],
    ['a window over 31 days', rule({ then: { group: { key: 'k', windowMinutes: 44_641 } } }), '0.then.group.windowMinutes', /31 days/],
    ['a non-boolean suppress', rule({ then: { suppress: 'yes' } }), '0.then.suppress', /.+/],
    ['a non-boolean continue', rule({ continue: 1 }), '0.continue', /.+/],
    ['a condition of no kind', rule({ when: { field: 'source' } }), '0.when', /A condition is/],
    ['a condition of two kinds', rule({ when: { field: 'source', equals: 'a', in: ['b'] } }), '0.when', /not several/],
    ['a NUL in equals', rule({ when: { field: 'source', equals: 'a\u0000' } }), '0.when.equals', /NUL/],
  ])('refuses %s', (_, input, path, message) => {
    const issues = refusal(input);
    expect(issues.some((i) => i.path === path && message.test(i.message)), JSON.stringify(issues)).toBe(true);
  });

  it('refuses more than 1 000 rules', () => {
    const rules = Array.from({ length: ROUTING_LIMITS.rules + 1 }, (_, i) => ({ id: `r${String(i)}`, when: { all: [] }, then: {} }));
    expect(refusal(rules).some((i) => i.message.includes('At most 1000 rules'))).toBe(true);
  });

  it('refuses conditions nested deeper than 8', () => {
    let deep: RouteCondition = { field: 'source', equals: 'x' };
    for (let i = 0; i < ROUTING_LIMITS.depth; i += 1) deep = { not: deep };
    expect(refusal(rule({ when: deep }))).toEqual([{ path: '0.when.not.not.not.not.not.not.not.not', message: 'Conditions may nest at most 8 deep.' }]);
    expect(() => defineRoutes(rule({ when: (deep as { not: RouteCondition }).not }) as never)).not.toThrow();
  });

  it('refuses more than 64 conditions in one rule', () => {
    const many = { any: Array.from({ length: 64 }, () => ({ field: 'source', equals: 'x' })) };
    expect(refusal(rule({ when: many }))).toEqual([{ path: '0.when.any.63', message: 'A rule may have at most 64 conditions.' }]);
    expect(() => defineRoutes(rule({ when: { any: many.any.slice(1) } }) as never)).not.toThrow();
  });
});

describe('ReDoS', () => {
  it.each(['(a+)+$', '^(a|a)*$', '(\\d*)*x', '(x+x+)+y', '.*error.*'])('refuses %s', (pattern) => {
    const issues = refusal(rule({ when: { field: 'summary', matches: pattern } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('0.when.matches');
    expect(issues[0]?.message).toMatch(/may backtrack catastrophically/);
  });

  it('refuses an unsafe pattern deep inside a rule, naming its path', () => {
    const when = { all: [{ field: 'source', equals: 'x' }, { not: { any: [{ field: 'labels.a', matches: '(a|aa)+$', flags: 'i' }] } }] };
    expect(refusal([...rule({ id: 'ok' }), ...rule({ when })]).map((i) => i.path)).toEqual(['1.when.all.1.not.any.0.matches']);
  });

  it.each(['^db-\\d+$', 'timeout|refused', '^(api|web|worker)-(eu|us)-\\d+$', 'disk (full|almost full)', '\\bpostgres(ql)?\\b'])('accepts %s', (pattern) => {
    expect(defineRoutes(rule({ when: { field: 'summary', matches: pattern, flags: 'i' } }) as never).rules).toHaveLength(1);
  });
});
