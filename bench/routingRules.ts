/**
 * The routing rule sets the routing benchmarks share (`routing.bench.ts` in isolation,
 * `ingestRouting.bench.ts` through `engine.ingest`):
 * - keyed: each rule is keyed by a distinct `labels.team` (even rules) or `labels.alertname`
 *   (odd rules) `equals`, with extra conditions beside it (an `in` of severities and a `not`, or
 *   an `exists` and an anchored `matches`) — how most routing rules are written;
 * - mixed: per-team `equals` on a label, `all` of an `equals` and an `in`, `any` of an `equals`
 *   and an `all` with a `not`, `all` of an `exists` and an anchored `matches` (one rule in four;
 *   distinct patterns);
 * - unkeyed: no rule has a required `equals` / `in` (only `any` of two `equals`, or an `exists`
 *   beside an `any`), so every rule is tried for every signal: the worst case.
 * Every rule sets a service, an escalation policy and a dedup key template.
 */
import type { RouteRuleInput, Signal } from '../src/features/routing/index.js';
import { firingSignal } from './fixtures.js';

/** The name of a rule set. */
export type Shape = 'keyed' | 'mixed' | 'unkeyed';

const then = (i: number): RouteRuleInput['then'] => ({
  service: `team-${String(i)}`,
  policy: 'bench',
  dedupKey: '{{labels.alertname}}:{{labels.instance}}',
});

/** Rule `i` of set `shape`. */
export function rule(shape: Shape, i: number): RouteRuleInput {
  const team = `team-${String(i)}`;
  const id = `rule-${String(i)}`;
  if (shape === 'keyed') {
    const when: RouteRuleInput['when'] =
      i % 2 === 0
        ? { all: [{ field: 'labels.team', equals: team }, { field: 'severity', in: ['SEV1', 'SEV2'] }, { not: { field: 'labels.env', equals: 'test' } }] }
        : { all: [{ field: 'labels.alertname', equals: `Alert${String(i)}` }, { field: 'labels.instance', exists: true }, { field: 'labels.instance', matches: '^node-\\d+:' }] };
    return { id, when, then: then(i) };
  }
  if (shape === 'unkeyed') {
    const when: RouteRuleInput['when'] =
      i % 2 === 0
        ? { any: [{ field: 'labels.team', equals: team }, { field: 'labels.service', equals: team }] }
        : { all: [{ field: 'labels.team', exists: true }, { any: [{ field: 'labels.cluster', equals: `c-${String(i)}` }, { field: 'labels.region', equals: `r-${String(i)}` }] }] };
    return { id, when, then: then(i) };
  }
  const shapes: RouteRuleInput['when'][] = [
    { field: 'labels.team', equals: team },
    { all: [{ field: 'labels.team', equals: team }, { field: 'severity', in: ['SEV1', 'SEV2'] }] },
    { any: [{ field: 'labels.service', equals: team }, { all: [{ field: 'labels.team', equals: team }, { not: { field: 'labels.env', equals: 'test' } }] }] },
    { all: [{ field: 'labels.team', exists: true }, { field: 'labels.instance', matches: `^${team}-\\d+:` }] },
  ];
  return { id, when: shapes[i % shapes.length]!, then: then(i) };
}

/** A signal that matches rule `last` of `shape` and no other, or one that matches none. */
export function signals(shape: Shape, last: number): { readonly matchesLast: Signal; readonly matchesNone: Signal } {
  const team = `team-${String(last)}`;
  const matchesNone = firingSignal('fp-none', { team: 'nobody', instance: 'web-1:9100', cluster: 'c-none' });
  if (shape === 'keyed') {
    const labels = last % 2 === 0 ? { team, instance: 'web-1:9100' } : { team: 'nobody', alertname: `Alert${String(last)}`, instance: 'node-1:9100' };
    return { matchesLast: firingSignal('fp-last', labels, { severity: 'SEV2' }), matchesNone };
  }
  if (shape === 'unkeyed') {
    const labels = last % 2 === 0 ? { team } : { team: 'nobody', cluster: `c-${String(last)}` };
    return { matchesLast: firingSignal('fp-last', labels), matchesNone };
  }
  return { matchesLast: firingSignal('fp-last', { team, instance: `${team}-1:9100`, service: team }, { severity: 'SEV2' }), matchesNone };
}

