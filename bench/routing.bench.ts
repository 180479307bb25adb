/**
 * The cost of routing one signal (`routeSignal`, the pure evaluator behind routing rules) with
 * 200 rules vs none, in isolation: the engine's ingest does not call it yet.
 * Goal (issue 19): ingest with 200 rules under 2× slower than none on the dedup-hit path. With
 * the dedup hit at 3.6–4.4 µs per signal (`ingestOne.bench.ts`, memory store, 225 000–277 000/s),
 * routing must stay well under that per signal for the goal to hold once wired in.
 *
 * The 200 rules are a realistic mix: per-team `equals` on a label, `in` lists of severities, an
 * anchored `matches` on the instance (one rule in four), `exists`, `all` / `any` / `not`; the
 * measured signal matches only the last rule (all 200 are tried), or none.
 */
import { defineRoutes, explainRoute, routeSignal, type RouteRuleInput } from '../src/features/routing/index.js';
import { firingSignal, timePerCallSync } from './fixtures.js';
import { formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

function rule(i: number): RouteRuleInput {
  const team = `team-${String(i)}`;
  const shapes: RouteRuleInput['when'][] = [
    { field: 'labels.team', equals: team },
    { all: [{ field: 'labels.team', equals: team }, { field: 'severity', in: ['SEV1', 'SEV2'] }] },
    { any: [{ field: 'labels.service', equals: team }, { all: [{ field: 'labels.team', equals: team }, { not: { field: 'labels.env', equals: 'test' } }] }] },
    { all: [{ field: 'labels.team', exists: true }, { field: 'labels.instance', matches: `^${team}-\\d+:` }] },
  ];
  return {
    id: `rule-${String(i)}`,
    when: shapes[i % shapes.length]!,
    then: { service: team, policy: `policy-${String(i)}`, dedupKey: '{{labels.alertname}}:{{labels.instance}}' },
  };
}

const RULES = 200;
const defineStart = performance.now();
const many = defineRoutes(Array.from({ length: RULES }, (_, i) => rule(i)));
const defineMs = performance.now() - defineStart;
const none = defineRoutes([]);

const last = RULES - 1;
const matchesLast = firingSignal('fp-last', { team: `team-${String(last)}`, instance: `team-${String(last)}-1:9100`, service: `team-${String(last)}` }, { severity: 'SEV2' });
const matchesNone = firingSignal('fp-none', { team: 'nobody', instance: 'web-1:9100' });
if (routeSignal(many, matchesLast).matched.join() !== `rule-${String(last)}`) throw new Error('the signal should match only the last rule');
if (routeSignal(many, matchesNone).matched.length !== 0) throw new Error('the signal should match no rule');

let sink = 0;
const time = (routes: typeof many, signal: typeof matchesLast) =>
  timePerCallSync(() => {
    sink += routeSignal(routes, signal).matched.length;
  }, { warmup: 2_000, runs: 9, sampleSeconds: 0.1 });

const zero = time(none, matchesNone);
const lastHit = time(many, matchesLast);
const noHit = time(many, matchesNone);
const explain = timePerCallSync(() => {
  sink += explainRoute(many, matchesLast).rules.length;
}, { warmup: 50, runs: 7, sampleSeconds: 0.1 });

printEnvironment();
printMarkdown(
  ['case', 'per signal', 'vs 0 rules'],
  [
    ['`routeSignal`, 0 rules (baseline)', formatSeconds(zero), '1.00×'],
    ['`routeSignal`, 200 rules, signal matches the last', formatSeconds(lastHit), formatRatio(lastHit / zero)],
    ['`routeSignal`, 200 rules, signal matches none', formatSeconds(noHit), formatRatio(noHit / zero)],
    ['`explainRoute`, 200 rules, signal matches the last', formatSeconds(explain), formatRatio(explain / zero)],
  ],
);
console.log(`\n\`defineRoutes\` of the 200 rules (50 patterns proven ReDoS-free): ${defineMs.toFixed(0)} ms. (${String(sink > 0)})`);
printRunCost();
