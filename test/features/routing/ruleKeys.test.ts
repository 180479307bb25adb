import { describe, expect, it } from 'vitest';
import { defineRoutes, type RouteRuleInput } from 'incidentkit/routing';
import { keyRules } from '../../../src/features/routing/ruleKeys.js';

const rules = (list: Omit<RouteRuleInput, 'then'>[]) => defineRoutes(list.map((rule) => ({ ...rule, then: {} }))).rules;

describe('keyRules', () => {
  it('keys a rule by an equals or in it cannot match without, also inside nested all', () => {
    const keys = keyRules(
      rules([
        { id: 'equals', when: { field: 'labels.team', equals: 'db' } },
        { id: 'in', when: { field: 'labels.team', in: ['web', 'api', 'web'] } },
        { id: 'nested', when: { all: [{ field: 'labels.env', exists: true }, { all: [{ field: 'labels.team', equals: 'db' }] }] } },
      ]),
    );
    expect(keys.always).toEqual([]);
    expect(keys.byField.get('labels.team')).toEqual(new Map([['db', [0, 2]], ['web', [1]], ['api', [1]]]));
  });

  it('never keys by a condition under not, nor by matches or exists, nor an any with an alternative it cannot key', () => {
    const keys = keyRules(
      rules([
        { id: 'any-open', when: { any: [{ field: 'labels.team', equals: 'db' }, { field: 'labels.env', exists: true }] } },
        { id: 'not', when: { not: { field: 'labels.team', equals: 'db' } } },
        { id: 'matches', when: { all: [{ field: 'labels.team', matches: '^db$' }, { field: 'labels.env', exists: false }] } },
        { id: 'catch-all', when: { all: [] } },
      ]),
    );
    expect(keys.always).toEqual([0, 1, 2, 3]);
    expect(keys.byField.size).toBe(0);
  });

  it('keys an any whose every alternative requires a value under each alternative', () => {
    const keys = keyRules(
      rules([
        { id: 'team-or-service', when: { any: [{ field: 'labels.team', equals: 'db' }, { all: [{ field: 'service', in: ['pg', 'db'] }, { field: 'labels.env', exists: true }] }] } },
        { id: 'in-all', when: { all: [{ field: 'labels.env', exists: true }, { any: [{ field: 'labels.cluster', equals: 'c1' }, { field: 'labels.region', equals: 'r1' }] }] } },
      ]),
    );
    expect(keys.always).toEqual([]);
    expect(Object.fromEntries([...keys.byField].map(([field, byValue]) => [field, Object.fromEntries(byValue)]))).toEqual({
      'labels.team': { db: [0] },
      service: { pg: [0], db: [0] },
      'labels.cluster': { c1: [1] },
      'labels.region': { r1: [1] },
    });
  });

  it('prefers the key fewest rules share a value of, then the field most rules name', () => {
    const keys = keyRules(
      rules([
        { id: 'a', when: { all: [{ field: 'severity', equals: 'SEV1' }, { field: 'labels.team', equals: 'a' }] } },
        { id: 'b', when: { all: [{ field: 'severity', equals: 'SEV1' }, { field: 'labels.team', equals: 'b' }] } },
        { id: 'c', when: { all: [{ field: 'labels.alertname', equals: 'Down' }, { field: 'labels.team', equals: 'c' }] } },
      ]),
    );
    // Every rule requires SEV1 or a team of its own: keyed by team, a SEV1 signal tries one rule, not two.
    expect([...keys.byField.keys()]).toEqual(['labels.team']);
  });
});
