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

/** Whether a leaf condition holds for a field's value (`undefined`: absent). @internal */
export function testLeaf(condition: Exclude<RouteCondition, { all: unknown } | { any: unknown } | { not: unknown }>, value: string | undefined): boolean {
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

/** The first `max` characters, without splitting a surrogate pair. @internal */
export function cut(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** The actions set so far while routing one signal. @internal */
export interface Accumulator {
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

/** What `rule` sets for `signal`, templates rendered (blank renderings set nothing). @internal */
export function actionsOf(rule: RouteRule, signal: Signal): Omit<Accumulator, 'setBy'> {
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

/** Records what `rule` set, later rules replacing earlier ones action by action. @internal */
export function apply(acc: Accumulator, rule: RouteRule, set: Omit<Accumulator, 'setBy'>): void {
  for (const name of Object.keys(set) as (keyof typeof set)[]) {
    (acc as unknown as Record<string, unknown>)[name] = set[name];
    acc.setBy[name] = rule.id;
  }
}

/** The decision: the signal with the signal-level actions applied, the rest beside it. @internal */
export function decide(signal: Signal, matched: string[], acc: Accumulator): RouteDecision {
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

/** Refuses routes `defineRoutes` did not make. @internal */
export function requireRoutes(routes: Routes, subject: string): void {
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
