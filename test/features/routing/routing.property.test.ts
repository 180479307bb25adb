import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSignal } from 'incidentkit/ingest';
import { defineRoutes, explainRoute, routeSignal, type RouteActions, type RouteCondition, type RouteRuleInput, type Signal, type SignalField } from 'incidentkit/routing';

const words = ['db', 'web', 'api', 'SEV1', 'SEV2', 'prod', ''];
const fields: SignalField[] = ['source', 'severity', 'summary', 'service', 'status', 'labels.team', 'labels.alertname', 'labels.env', 'annotations.note'];
// Fields rules are usually keyed by: routeSignal indexes rules by a required `equals` / `in` on them.
const keyFields: SignalField[] = ['labels.team', 'labels.alertname', 'service'];
// Patterns known to pass the ReDoS check, so the property runs stay cheap.
const patterns = ['^db', 'prod$', 'SEV[12]', 'a|b', '^$'];

const word = fc.constantFrom(...words.filter((w) => w !== ''));
const field = fc.constantFrom(...fields);

const leaf: fc.Arbitrary<RouteCondition> = fc.oneof(
  fc.record({ field, equals: word }),
  fc.record({ field, in: fc.array(word, { minLength: 1, maxLength: 3 }) }),
  fc.record({ field, matches: fc.constantFrom(...patterns) }),
  fc.record({ field, matches: fc.constantFrom(...patterns), flags: fc.constantFrom('i', 'm', 's') }),
  fc.record({ field, exists: fc.boolean() }),
);

const { condition } = fc.letrec<{ condition: RouteCondition }>((tie) => ({
  condition: fc.oneof(
    // At most 3 deep with 3 children: 40 conditions, within defineRoutes' limits (8 deep, 64 per rule).
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('condition') }),
  ),
}));

const actions: fc.Arbitrary<RouteActions> = fc.record(
  {
    service: word,
    severity: fc.constantFrom('SEV1', 'SEV2', 'SEV3'),
    policy: fc.constantFrom('dba', 'sre', 'web'),
    type: fc.constantFrom('outage', 'degraded'),
    dedupKey: fc.constantFrom('{{labels.team}}:{{labels.env}}', 'fixed', '{{labels.missing}}'),
    suppress: fc.boolean(),
    threshold: fc.record({ count: fc.integer({ min: 1, max: 5 }), windowMinutes: fc.integer({ min: 0, max: 60 }) }),
    group: fc.record({ key: fc.constantFrom('{{labels.env}}', '{{source}}/{{labels.team}}') }, { requiredKeys: ['key'] }),
  },
  { requiredKeys: [] },
);

// A required equality (the whole `when`, or in an `all`, possibly nested) beside other conditions.
const keyLeaf: fc.Arbitrary<RouteCondition> = fc.oneof(
  fc.record({ field: fc.constantFrom(...keyFields), equals: word }),
  fc.record({ field: fc.constantFrom(...keyFields), in: fc.array(word, { minLength: 1, maxLength: 3 }) }),
);
const keyed: fc.Arbitrary<RouteCondition> = fc.oneof(
  keyLeaf,
  fc
    .tuple(fc.array(keyLeaf, { minLength: 1, maxLength: 2 }), fc.array(condition, { maxLength: 2 }), fc.boolean())
    .map(([keys, others, nest]): RouteCondition => (nest ? { all: [...others, { all: keys }] } : { all: [...keys, ...others] })),
);

const rules: fc.Arbitrary<RouteRuleInput[]> = fc
  .array(fc.record({ when: fc.oneof(keyed, condition), then: actions, continue: fc.boolean() }), { maxLength: 12 })
  .map((list) => list.map((rule, i) => ({ id: `r${String(i)}`, ...rule })));

const optional = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined });
const signal = fc
  .record({
    source: fc.constantFrom('alertmanager', 'grafana'),
    severity: fc.constantFrom('SEV1', 'SEV2', 'SEV5'),
    summary: fc.constantFrom('db down', 'prod latency', 'a b'),
    service: optional(word),
    status: fc.constantFrom('firing', 'resolved'),
    team: optional(word),
    alertname: optional(word),
    env: optional(fc.constantFrom('prod', 'test', 'DB-prod')),
    note: optional(fc.constantFrom('see runbook\nprod', 'x')),
  })
  .map((s) =>
    parseSignal({
      source: s.source,
      fingerprint: 'fp',
      status: s.status,
      severity: s.severity,
      summary: s.summary,
      ...(s.service === undefined ? {} : { service: s.service }),
      labels: {
        ...(s.team === undefined ? {} : { team: s.team }),
        ...(s.alertname === undefined ? {} : { alertname: s.alertname }),
        ...(s.env === undefined ? {} : { env: s.env }),
      },
      annotations: s.note === undefined ? {} : { note: s.note },
      startsAt: '2026-01-02T03:04:05Z',
    }),
  );

/** The value of `field`, read the plain way (own labels and annotations only). */
function valueOf(s: Signal, field: string): string | undefined {
  let record: Readonly<Record<string, unknown>> = s as unknown as Readonly<Record<string, unknown>>;
  let key = field;
  if (field.startsWith('labels.')) [record, key] = [s.labels, field.slice(7)];
  else if (field.startsWith('annotations.')) [record, key] = [s.annotations, field.slice(12)];
  const value = Object.hasOwn(record, key) ? record[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The documented meaning of a condition, evaluated naively. */
function holds(c: RouteCondition, s: Signal): boolean {
  if ('all' in c) return c.all.every((part) => holds(part, s));
  if ('any' in c) return c.any.some((part) => holds(part, s));
  if ('not' in c) return !holds(c.not, s);
  const value = valueOf(s, c.field);
  if ('exists' in c) return (value !== undefined) === c.exists;
  if (value === undefined) return false;
  if ('equals' in c) return value === c.equals;
  if ('in' in c) return c.in.includes(value);
  return new RegExp(c.matches, c.flags ?? '').test(value);
}

/** Tries every rule in order: the rules that match, until one without `continue`. */
function naiveMatched(input: readonly RouteRuleInput[], s: Signal): string[] {
  const matched: string[] = [];
  for (const rule of input) {
    if (!holds(rule.when, s)) continue;
    matched.push(rule.id);
    if (rule.continue !== true) break;
  }
  return matched;
}

describe('routing properties', () => {
  it('routing is deterministic, also for a JSON copy of the routes', () => {
    fc.assert(
      fc.property(rules, signal, (input, s) => {
        const routes = defineRoutes(input);
        const copy = defineRoutes(JSON.parse(JSON.stringify(routes)) as typeof routes);
        const first = routeSignal(routes, s);
        expect(routeSignal(routes, s)).toEqual(first);
        expect(routeSignal(copy, s)).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('routeSignal matches exactly the rules a naive evaluation of every rule matches', () => {
    fc.assert(
      fc.property(rules, signal, (input, s) => {
        const routes = defineRoutes(input);
        const decision = routeSignal(routes, s);
        const matched = naiveMatched(input, s);
        expect(decision.matched).toEqual(matched);
        // Plain actions are set by the last matching rule that has them.
        for (const name of ['service', 'severity', 'policy', 'type', 'suppress', 'threshold'] as const) {
          const setter = matched.filter((id) => input.find((rule) => rule.id === id)?.then[name] !== undefined).at(-1);
          expect(decision.setBy[name]).toBe(setter);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('explainRoute agrees with routeSignal', () => {
    fc.assert(
      fc.property(rules, signal, (input, s) => {
        const routes = defineRoutes(input);
        const decision = routeSignal(routes, s);
        const why = explainRoute(routes, s);
        expect(why.decision).toEqual(decision);
        expect(why.rules.filter((r) => r.outcome === 'matched').map((r) => r.id)).toEqual(decision.matched);
        // Rules are tried until one matches without continue; the rest are not tried.
        const stop = why.rules.findIndex((r, i) => r.outcome === 'matched' && routes.rules[i]?.continue === false);
        why.rules.forEach((r, i) => {
          expect(r.outcome === 'not-tried').toBe(stop !== -1 && i > stop);
          if (r.outcome === 'not-matched') expect(r.failed?.length).toBeGreaterThan(0);
          if (r.outcome !== 'not-tried') expect(r.checks?.[0]?.passed).toBe(r.outcome === 'matched');
        });
        // Each action's winner is the last matching rule that set it.
        for (const [name, ruleId] of Object.entries(decision.setBy)) {
          const setters = why.rules.filter((r) => r.set !== undefined && name in r.set).map((r) => r.id);
          expect(setters.at(-1)).toBe(ruleId);
        }
      }),
      { numRuns: 200 },
    );
  });
});
