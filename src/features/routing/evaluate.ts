/**
 * The routing evaluator: pure, cheap, and free of zod and of the ReDoS detector, so the engine
 * can route every ingested signal through it.
 *
 * @packageDocumentation
 */
import { ValidationError } from '../../errors.js';
import { isSealedSignal, sealSignal, type Signal } from '../../model/signal.js';
import {
  fieldValue,
  isDefinedRoutes,
  ROUTING_LIMITS,
  splitTemplate,
  type RouteActions,
  type RouteCondition,
  type RouteRule,
  type Routes,
  type RouteThreshold,
} from './routes.js';

/** Where {@link RouteDecision.setBy} says each action came from. */
export type RouteActionName = keyof RouteActions;

/** A `group` action with its key rendered for one signal. */
export interface RoutedGroup {
  readonly key: string;
  readonly windowMinutes?: number;
}

/**
 * What the routing rules decided for one signal.
 *
 * @remarks `signal` is the signal with `service`, `severity` and `dedupKey` replaced where a rule
 * set them (the same object when no rule changed it; a sealed signal stays sealed). The other
 * actions are beside it; an action no rule set is absent.
 */
export interface RouteDecision {
  readonly signal: Signal;
  /** The ids of the rules that matched, in order. */
  readonly matched: readonly string[];
  /** Whether a matching rule said `suppress: true` (and no later one `suppress: false`). */
  readonly suppressed: boolean;
  readonly type?: string;
  readonly policy?: string;
  readonly threshold?: RouteThreshold;
  readonly group?: RoutedGroup;
  /** For each action that was set, the id of the rule whose value won. */
  readonly setBy: Readonly<Partial<Record<RouteActionName, string>>>;
}

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
  /** Exactly what {@link routeSignal} returns for the same routes and signal. */
  readonly decision: RouteDecision;
}

const regexCache = new WeakMap<object, RegExp>();

function regexOf(condition: { readonly matches: string; readonly flags?: string }): RegExp {
  let regex = regexCache.get(condition);
  if (regex === undefined) {
    // The pattern was validated and proven free of catastrophic backtracking by defineRoutes.
    regex = new RegExp(condition.matches, condition.flags ?? '');
    regexCache.set(condition, regex);
  }
  return regex;
}

/** A compiled condition: a closure per node, so routing a signal is a few monomorphic calls per rule. */
type Predicate = (signal: Signal) => boolean;

/** Reads one field; labels and annotations by own key only (inherited members are never strings). */
function accessor(field: string): (signal: Signal) => string | undefined {
  if (field.startsWith('labels.') || field.startsWith('annotations.')) {
    const labels = field.startsWith('labels.');
    const key = field.slice(labels ? 7 : 12);
    return (signal) => {
      const record = labels ? signal.labels : signal.annotations;
      const value = record[key];
      return typeof value === 'string' && Object.prototype.hasOwnProperty.call(record, key) ? value : undefined;
    };
  }
  return (signal) => {
    const value = (signal as unknown as Readonly<Record<string, unknown>>)[field];
    return typeof value === 'string' ? value : undefined;
  };
}

function compile(condition: RouteCondition): Predicate {
  if ('all' in condition) {
    const parts = condition.all.map(compile);
    return (signal) => {
      for (const part of parts) if (!part(signal)) return false;
      return true;
    };
  }
  if ('any' in condition) {
    const parts = condition.any.map(compile);
    return (signal) => {
      for (const part of parts) if (part(signal)) return true;
      return false;
    };
  }
  if ('not' in condition) {
    const inner = compile(condition.not);
    return (signal) => !inner(signal);
  }
  const get = accessor(condition.field);
  if ('exists' in condition) {
    const want = condition.exists;
    return (signal) => (get(signal) !== undefined) === want;
  }
  if ('equals' in condition) {
    const want = condition.equals;
    return (signal) => get(signal) === want;
  }
  if ('in' in condition) {
    const values = new Set(condition.in);
    return (signal) => {
      const value = get(signal);
      return value !== undefined && values.has(value);
    };
  }
  const regex = regexOf(condition);
  return (signal) => {
    const value = get(signal);
    return value !== undefined && regex.test(value.length > ROUTING_LIMITS.matchInput ? value.slice(0, ROUTING_LIMITS.matchInput) : value);
  };
}

/** Each rule's compiled `when`, per `Routes` value (frozen, so compiling once is enough). */
const compiled = new WeakMap<Routes, readonly CompiledRule[]>();

interface CompiledRule {
  readonly rule: RouteRule;
  readonly when: Predicate;
}

function predicatesOf(routes: Routes): readonly CompiledRule[] {
  let predicates = compiled.get(routes);
  if (predicates === undefined) {
    predicates = routes.rules.map((rule) => ({ rule, when: compile(rule.when) }));
    compiled.set(routes, predicates);
  }
  return predicates;
}

function testLeaf(condition: Exclude<RouteCondition, { all: unknown } | { any: unknown } | { not: unknown }>, value: string | undefined): boolean {
  if ('exists' in condition) return condition.exists === (value !== undefined);
  if (value === undefined) return false;
  if ('equals' in condition) return value === condition.equals;
  if ('in' in condition) return condition.in.includes(value);
  return regexOf(condition).test(value.length > ROUTING_LIMITS.matchInput ? value.slice(0, ROUTING_LIMITS.matchInput) : value);
}

/** Split templates by text: a rule renders the same template for every signal. */
const templates = new Map<string, ReturnType<typeof splitTemplate>>();

/** Renders a validated template for `signal`; `undefined` when the result is blank. @internal */
export function renderTemplate(template: string, signal: Signal): string | undefined {
  let parts = templates.get(template);
  if (parts === undefined) {
    parts = splitTemplate(template);
    if (templates.size >= 10_000) templates.clear();
    templates.set(template, parts);
  }
  // defineRoutes refused malformed templates, so this never happens for a defined route.
  if (typeof parts === 'string') return undefined;
  let out = parts.literals[0] ?? '';
  for (let i = 0; i < parts.fields.length && out.length < ROUTING_LIMITS.renderedKey; i += 1) {
    out += (fieldValue(signal, parts.fields[i] ?? '') ?? '') + (parts.literals[i + 1] ?? '');
  }
  if (out.length > ROUTING_LIMITS.renderedKey) out = cut(out, ROUTING_LIMITS.renderedKey);
  return out.trim() === '' ? undefined : out;
}

/** The first `max` characters, without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

interface Accumulator {
  service?: string;
  severity?: string;
  dedupKey?: string;
  type?: string;
  policy?: string;
  suppress?: boolean;
  threshold?: RouteThreshold;
  group?: RoutedGroup;
  setBy: Partial<Record<RouteActionName, string>>;
}

/** What `rule` sets for `signal`, templates rendered (blank renderings set nothing). */
function actionsOf(rule: RouteRule, signal: Signal): Omit<Accumulator, 'setBy'> {
  const then = rule.then;
  const set: Omit<Accumulator, 'setBy'> = {};
  if (then.service !== undefined) set.service = then.service;
  if (then.severity !== undefined) set.severity = then.severity;
  if (then.type !== undefined) set.type = then.type;
  if (then.policy !== undefined) set.policy = then.policy;
  if (then.suppress !== undefined) set.suppress = then.suppress;
  if (then.threshold !== undefined) set.threshold = then.threshold;
  if (then.dedupKey !== undefined) {
    const key = renderTemplate(then.dedupKey, signal);
    if (key !== undefined) set.dedupKey = key;
  }
  if (then.group !== undefined) {
    const key = renderTemplate(then.group.key, signal);
    if (key !== undefined) set.group = then.group.windowMinutes === undefined ? { key } : { key, windowMinutes: then.group.windowMinutes };
  }
  return set;
}

function apply(acc: Accumulator, rule: RouteRule, set: Omit<Accumulator, 'setBy'>): void {
  for (const name of Object.keys(set) as (keyof typeof set)[]) {
    (acc as unknown as Record<string, unknown>)[name] = set[name];
    acc.setBy[name] = rule.id;
  }
}

function decide(signal: Signal, matched: string[], acc: Accumulator): RouteDecision {
  let routed = signal;
  if (
    (acc.service !== undefined && acc.service !== signal.service) ||
    (acc.severity !== undefined && acc.severity !== signal.severity) ||
    (acc.dedupKey !== undefined && acc.dedupKey !== signal.dedupKey)
  ) {
    const copy: { -readonly [K in keyof Signal]: Signal[K] } = { ...signal };
    if (acc.service !== undefined) copy.service = acc.service;
    if (acc.severity !== undefined) copy.severity = acc.severity;
    if (acc.dedupKey !== undefined) copy.dedupKey = acc.dedupKey;
    // Every value a rule sets is within the signal's limits, so a sealed signal stays valid.
    routed = isSealedSignal(signal) ? sealSignal(copy) : copy;
  }
  const decision: { -readonly [K in keyof RouteDecision]: RouteDecision[K] } = {
    signal: routed,
    matched,
    suppressed: acc.suppress === true,
    setBy: acc.setBy,
  };
  if (acc.type !== undefined) decision.type = acc.type;
  if (acc.policy !== undefined) decision.policy = acc.policy;
  if (acc.threshold !== undefined) decision.threshold = acc.threshold;
  if (acc.group !== undefined) decision.group = acc.group;
  return decision;
}

function requireRoutes(routes: Routes, subject: string): void {
  if (!isDefinedRoutes(routes)) {
    throw new ValidationError(subject, [
      { code: 'custom', path: ['routes'], message: 'Routes must come from defineRoutes (pass a JSON copy through defineRoutes again)' },
    ]);
  }
}

/**
 * Routes one signal: tries the rules in order and applies the actions of each rule that
 * matches, until one that matches has no `continue: true`.
 *
 * @remarks Conditions and templates always read the signal as it arrived, never what an earlier
 * rule changed, so the order of actions cannot change which rules match. When several matching
 * rules set the same action, the later rule's value wins (see `setBy`). Costs one pass over the
 * rules; no regular expression runs on more than the first 4 096 characters of a value.
 *
 * @example
 * ```ts
 * import { defineRoutes, routeSignal } from 'incidentkit/routing';
 * import { parseSignal } from 'incidentkit/ingest';
 *
 * const routes = defineRoutes([
 *   { id: 'db', when: { field: 'labels.team', equals: 'db' }, then: { service: 'postgres', policy: 'dba-oncall' } },
 * ]);
 * const signal = parseSignal({ source: 'alertmanager', fingerprint: 'f1', status: 'firing', severity: 'SEV2',
 *   summary: 'Replication lag', labels: { team: 'db' }, startsAt: new Date() });
 * const decision = routeSignal(routes, signal);
 * console.log(decision.matched, decision.signal.service, decision.policy); // ['db'] 'postgres' 'dba-oncall'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when `routes` did not come from `defineRoutes`.
 */
export function routeSignal(routes: Routes, signal: Signal): RouteDecision {
  requireRoutes(routes, 'routeSignal');
  const matched: string[] = [];
  const acc: Accumulator = { setBy: {} };
  for (const { rule, when } of predicatesOf(routes)) {
    if (!when(signal)) continue;
    matched.push(rule.id);
    apply(acc, rule, actionsOf(rule, signal));
    if (!rule.continue) break;
  }
  return decide(signal, matched, acc);
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
