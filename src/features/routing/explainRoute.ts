/**
 * `explainRoute`: the routing evaluator, evaluated in full and written down, for people asking
 * why a signal was routed as it was.
 *
 * @packageDocumentation
 */
import type { Signal } from '../../model/signal.js';
import { actionsOf, apply, cut, decide, requireRoutes, testLeaf, type Accumulator, type RouteActionName, type RouteDecision } from './evaluate.js';
import { fieldValue, type RouteCondition, type Routes } from './routes.js';

/** One condition of a rule as {@link explainRoute} evaluated it. */
export interface ConditionCheck {
  /** Where the condition sits in the rule, e.g. `when.all.1.not`. */
  readonly path: string;
  /** The condition in words, e.g. `labels.team equals "db"`. */
  readonly test: string;
  readonly passed: boolean;
  /** For a leaf: the field's value (cut to 200 characters), or `null` when the signal has no such field. */
  readonly actual?: string | null;
}

/** What one rule did in {@link explainRoute}. */
export interface RuleExplanation {
  readonly id: string;
  readonly name?: string;
  /**
   * `matched`; `not-matched`; or `not-tried` when an earlier rule matched without `continue`.
   */
  readonly outcome: 'matched' | 'not-matched' | 'not-tried';
  /** Every condition of the rule, parents before children (absent when not tried). */
  readonly checks?: readonly ConditionCheck[];
  /**
   * For `not-matched`: the leaf conditions that made the rule fail — a false leaf the rule
   * needed true, or a true leaf (or an empty `all`) under a `not`: what would have to change
   * for the rule to match.
   */
  readonly failed?: readonly ConditionCheck[];
  /** What the rule set, templates rendered (only for `matched`). */
  readonly set?: Readonly<Record<string, unknown>>;
  /** The actions this rule set that a later matching rule replaced (only for `matched`). */
  readonly overridden?: readonly RouteActionName[];
}

/** The answer to "why was this signal routed like that?": every rule, then the decision. */
export interface RouteExplanation {
  readonly rules: readonly RuleExplanation[];
  /** Exactly what `routeSignal` returns for the same routes and signal. */
  readonly decision: RouteDecision;
}

/** Evaluates every condition of `condition` (no short cut), recording each. */
function check(condition: RouteCondition, signal: Signal, path: string, out: ConditionCheck[]): boolean {
  const at = out.length;
  out.push({ path, test: '', passed: false });
  let passed: boolean;
  let testText: string;
  let actual: string | null | undefined;
  if ('all' in condition) {
    passed = condition.all.map((inner, i) => check(inner, signal, `${path}.all.${String(i)}`, out)).every(Boolean);
    testText = `all of ${String(condition.all.length)}`;
  } else if ('any' in condition) {
    passed = condition.any.map((inner, i) => check(inner, signal, `${path}.any.${String(i)}`, out)).some(Boolean);
    testText = `any of ${String(condition.any.length)}`;
  } else if ('not' in condition) {
    passed = !check(condition.not, signal, `${path}.not`, out);
    testText = 'not';
  } else {
    const value = fieldValue(signal, condition.field);
    passed = testLeaf(condition, value);
    actual = value === undefined ? null : cut(value, 200);
    testText = describeLeaf(condition);
  }
  out[at] = actual === undefined ? { path, test: testText, passed } : { path, test: testText, passed, actual };
  return passed;
}

/** Collects the leaves that kept `condition` from being `want`. */
function blame(condition: RouteCondition, path: string, want: boolean, byPath: ReadonlyMap<string, ConditionCheck>, out: ConditionCheck[]): void {
  const node = byPath.get(path);
  if (node === undefined || node.passed === want) return;
  if ('not' in condition) blame(condition.not, `${path}.not`, !want, byPath, out);
  // An empty `all` (always true) under a `not` is itself what failed.
  else if ('all' in condition && condition.all.length === 0) out.push(node);
  else if ('all' in condition) condition.all.forEach((inner, i) => { blame(inner, `${path}.all.${String(i)}`, want, byPath, out); });
  else if ('any' in condition) condition.any.forEach((inner, i) => { blame(inner, `${path}.any.${String(i)}`, want, byPath, out); });
  else out.push(node);
}

function describeLeaf(condition: Exclude<RouteCondition, { all: unknown } | { any: unknown } | { not: unknown }>): string {
  if ('exists' in condition) return `${condition.field} ${condition.exists ? 'exists' : 'does not exist'}`;
  if ('equals' in condition) return `${condition.field} equals ${JSON.stringify(condition.equals)}`;
  if ('in' in condition) return `${condition.field} in ${JSON.stringify(condition.in)}`;
  return `${condition.field} matches /${condition.matches}/${condition.flags ?? ''}`;
}

/**
 * Explains how {@link routeSignal} routes a signal: which rules were tried, which conditions of
 * each passed or failed (with the values they saw), and what every matching rule set — the
 * answer to "why did this alert page the database team?".
 *
 * @remarks The `decision` is the one `routeSignal` returns. Unlike `routeSignal`, it evaluates
 * every condition of a tried rule, so a rule's `failed` list names all the leaves that failed.
 *
 * @example
 * ```ts
 * import { defineRoutes, explainRoute } from 'incidentkit/routing';
 * import { parseSignal } from 'incidentkit/ingest';
 *
 * const routes = defineRoutes([
 *   { id: 'db', when: { field: 'labels.team', equals: 'db' }, then: { service: 'postgres' } },
 *   { id: 'rest', when: { all: [] }, then: { service: 'unrouted' } },
 * ]);
 * const signal = parseSignal({ source: 'grafana', fingerprint: 'f2', status: 'firing', severity: 'SEV3',
 *   summary: 'Slow checkout', labels: { team: 'web' }, startsAt: new Date() });
 * const why = explainRoute(routes, signal);
 * console.log(why.rules[0]?.failed?.[0]); // { path: 'when', test: 'labels.team equals "db"', passed: false, actual: 'web' }
 * console.log(why.decision.setBy.service); // 'rest'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when `routes` did not come from `defineRoutes`.
 */
export function explainRoute(routes: Routes, signal: Signal): RouteExplanation {
  requireRoutes(routes, 'explainRoute');
  const matched: string[] = [];
  const acc: Accumulator = { setBy: {} };
  const rules: (RuleExplanation & { set?: Record<string, unknown> })[] = [];
  const setByRule = new Map<string, RouteActionName[]>();
  let stopped = false;
  for (const rule of routes.rules) {
    const named = rule.name === undefined ? { id: rule.id } : { id: rule.id, name: rule.name };
    if (stopped) {
      rules.push({ ...named, outcome: 'not-tried' });
      continue;
    }
    const checks: ConditionCheck[] = [];
    const passed = check(rule.when, signal, 'when', checks);
    if (!passed) {
      const byPath = new Map(checks.map((c) => [c.path, c]));
      const failed: ConditionCheck[] = [];
      blame(rule.when, 'when', true, byPath, failed);
      rules.push({ ...named, outcome: 'not-matched', checks, failed });
      continue;
    }
    matched.push(rule.id);
    const set = actionsOf(rule, signal);
    apply(acc, rule, set);
    setByRule.set(rule.id, Object.keys(set) as RouteActionName[]);
    rules.push({ ...named, outcome: 'matched', checks, set: { ...set } });
    if (!rule.continue) stopped = true;
  }
  const decision = decide(signal, matched, acc);
  const explained = rules.map((entry): RuleExplanation => {
    const names = setByRule.get(entry.id);
    if (entry.outcome !== 'matched' || names === undefined) return entry;
    return { ...entry, overridden: names.filter((name) => decision.setBy[name] !== entry.id) };
  });
  return { rules: explained, decision };
}
