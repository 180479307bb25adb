/**
 * The cost of routing one signal (`routeSignal`, the pure evaluator behind routing rules) with
 * 10, 200 and 1 000 rules vs none, in isolation (`ingestRouting.bench.ts` measures it through ingest).
 * Goal (issue 19): ingest with 200 rules under 2× slower than none on the dedup-hit path. With
 * the dedup hit at 3.6–4.4 µs per signal (`ingestOne.bench.ts`, memory store, 225 000–277 000/s),
 * routing must stay well under that per signal for the goal to hold once wired in.
 *
 * Three rule sets, each measured with a signal that matches only the last rule, or none:
 * - keyed: each rule is keyed by a distinct `labels.team` (even rules) or `labels.alertname`
 *   (odd rules) `equals`, with extra conditions beside it (an `in` of severities and a `not`, or
 *   an `exists` and an anchored `matches`) — how most routing rules are written;
 * - mixed: per-team `equals` on a label, `all` of an `equals` and an `in`, `any` of an `equals`
 *   and an `all` with a `not`, `all` of an `exists` and an anchored `matches` (one rule in four;
 *   distinct patterns);
 * - unkeyed: no rule has a required `equals` / `in` (only `any` of two `equals`, or an `exists`
 *   beside an `any`), so every rule is tried for every signal: the worst case.
 */
import { defineRoutes, explainRoute, routeSignal, type Routes, type Signal } from '../src/features/routing/index.js';
import { firingSignal, timePerCallSync } from './fixtures.js';
import { rule, signals } from './routingRules.js';
import { formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

let sink = 0;
const time = (routes: Routes, signal: Signal) =>
  timePerCallSync(() => {
    sink += routeSignal(routes, signal).matched.length;
  }, { warmup: 2_000, runs: 9, sampleSeconds: 0.1 });

const zero = time(defineRoutes([]), firingSignal('fp-none', { team: 'nobody' }));
const rows: string[][] = [['0 rules (baseline)', '—', formatSeconds(zero), formatSeconds(zero)]];
const defineCosts: string[] = [];
let mixed200: { routes: Routes; signal: Signal } | undefined;
for (const shape of ['keyed', 'mixed', 'unkeyed'] as const) {
  for (const size of [10, 200, 1_000]) {
    const start = performance.now();
    const routes = defineRoutes(Array.from({ length: size }, (_, i) => rule(shape, i)));
    defineCosts.push(`${shape} ${String(size)}: ${(performance.now() - start).toFixed(0)} ms`);
    const last = size - 1;
    const { matchesLast, matchesNone } = signals(shape, last);
    if (routeSignal(routes, matchesLast).matched.join() !== `rule-${String(last)}`) throw new Error(`${shape} ${String(size)}: the signal should match only the last rule`);
    if (routeSignal(routes, matchesNone).matched.length !== 0) throw new Error(`${shape} ${String(size)}: the signal should match no rule`);
    if (shape === 'mixed' && size === 200) mixed200 = { routes, signal: matchesLast };
    rows.push([shape, String(size), formatSeconds(time(routes, matchesLast)), formatSeconds(time(routes, matchesNone))]);
  }
}
const explain = timePerCallSync(() => {
  sink += explainRoute(mixed200!.routes, mixed200!.signal).rules.length;
}, { warmup: 50, runs: 7, sampleSeconds: 0.1 });

printEnvironment();
printMarkdown(['`routeSignal`, rule set', 'rules', 'per signal, matches the last rule', 'per signal, matches none'], rows);
console.log(`\n\`explainRoute\`, 200 mixed rules, signal matches the last: ${formatSeconds(explain)} per signal.`);
console.log(`\`defineRoutes\` (patterns proven ReDoS-free, verdicts remembered per pattern): ${defineCosts.join('; ')}. (${String(sink > 0)})`);
printRunCost();
