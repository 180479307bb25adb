/**
 * The routing evaluator: pure, cheap, and free of zod and of the ReDoS detector, so the engine
 * can route every ingested signal through it.
 *
 * @packageDocumentation
 */
import { ValidationError } from '../../errors.js';
import { isSealedSignal, sealSignal, type Signal } from '../../model/signal.js';
import { keyRules } from './ruleKeys.js';
import {
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
  readonly reopenWindowMinutes?: number;
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

interface CompiledRule {
  readonly rule: RouteRule;
  readonly when: Predicate;
}

/** The rules keyed by one field: value → positions of the rules that need the field to have it. */
interface FieldIndex {
  readonly get: (signal: Signal) => string | undefined;
  /** Positions in ascending order (rule order). */
  readonly byValue: ReadonlyMap<string, readonly number[]>;
}

/**
 * The compiled rules of one `Routes` value, indexed: a rule whose `when` requires a field to equal
 * one of a few values is only tried for signals that have one of them.
 */
interface RouteIndex {
  readonly rules: readonly CompiledRule[];
  readonly fields: readonly FieldIndex[];
  /** Positions of the rules no field keys (tried for every signal), in ascending order. */
  readonly always: readonly number[];
}

/** Compiles the rules of `routes` and indexes them by their keys (see {@link keyRules}). */
function buildIndex(routes: Routes): RouteIndex {
  const { byField, always } = keyRules(routes.rules);
  return {
    rules: routes.rules.map((rule) => ({ rule, when: compile(rule.when) })),
    fields: [...byField].map(([field, byValue]): FieldIndex => ({ get: accessor(field), byValue })),
    always,
  };
}

const EMPTY: readonly number[] = [];

/** Each `Routes` value's index (frozen, so building it once is enough). */
const indexes = new WeakMap<Routes, RouteIndex>();

function indexOf(routes: Routes): RouteIndex {
  let index = indexes.get(routes);
  if (index === undefined) {
    index = buildIndex(routes);
    indexes.set(routes, index);
  }
  return index;
}

/** Whether a leaf condition holds for a field's value (`undefined`: absent). @internal */
export function testLeaf(condition: Exclude<RouteCondition, { all: unknown } | { any: unknown } | { not: unknown }>, value: string | undefined): boolean {
  if ('exists' in condition) return condition.exists === (value !== undefined);
  if (value === undefined) return false;
  if ('equals' in condition) return value === condition.equals;
  if ('in' in condition) return condition.in.includes(value);
  return regexOf(condition).test(value.length > ROUTING_LIMITS.matchInput ? value.slice(0, ROUTING_LIMITS.matchInput) : value);
}

/** A template split once into literal text and readers of its fields. */
interface CompiledTemplate {
  readonly literals: readonly string[];
  readonly fields: readonly ((signal: Signal) => string | undefined)[];
}

/** Compiled templates by text: a rule renders the same template for every signal. */
const templates = new Map<string, CompiledTemplate | undefined>();

/** Renders a validated template for `signal`; `undefined` when the result is blank. @internal */
export function renderTemplate(template: string, signal: Signal): string | undefined {
  let compiledTemplate = templates.get(template);
  if (compiledTemplate === undefined && !templates.has(template)) {
    const parts = splitTemplate(template);
    // defineRoutes refused malformed templates, so this never happens for a defined route.
    compiledTemplate = typeof parts === 'string' ? undefined : { literals: parts.literals, fields: parts.fields.map(accessor) };
    if (templates.size >= 10_000) templates.clear();
    templates.set(template, compiledTemplate);
  }
  if (compiledTemplate === undefined) return undefined;
  const { literals, fields } = compiledTemplate;
  let out = literals[0] ?? '';
  for (let i = 0; i < fields.length && out.length < ROUTING_LIMITS.renderedKey; i += 1) {
    out += (fields[i]?.(signal) ?? '') + (literals[i + 1] ?? '');
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
  reopenWindowMinutes?: number;
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
  if (then.reopenWindowMinutes !== undefined) set.reopenWindowMinutes = then.reopenWindowMinutes;
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
export function decide(signal: Signal, matched: string[], acc: Accumulator, seal = true): RouteDecision {
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
    routed = seal && isSealedSignal(signal) ? sealSignal(copy) : copy;
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
  if (acc.reopenWindowMinutes !== undefined) decision.reopenWindowMinutes = acc.reopenWindowMinutes;
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

/** Tries one rule: applies its actions when it matches; true when routing stops there. */
function tryRule(entry: CompiledRule, signal: Signal, matched: string[], acc: Accumulator): boolean {
  if (!entry.when(signal)) return false;
  matched.push(entry.rule.id);
  apply(acc, entry.rule, actionsOf(entry.rule, signal));
  return !entry.rule.continue;
}

/** Tries the rules at the positions of `lists` (each ascending) in rule order, merging the lists. */
function tryMerged(rules: readonly CompiledRule[], lists: readonly (readonly number[])[], signal: Signal, matched: string[], acc: Accumulator): void {
  const next = lists.map(() => 0);
  // A rule keyed under alternatives may be in several lists: it is tried once.
  let last = -1;
  for (;;) {
    let from = -1;
    let position = rules.length;
    for (let l = 0; l < lists.length; l += 1) {
      const list = lists[l] ?? EMPTY;
      const at = next[l] ?? 0;
      const candidate = at < list.length ? list[at] : undefined;
      if (candidate !== undefined && candidate < position) {
        position = candidate;
        from = l;
      }
    }
    const entry = rules[position];
    if (entry === undefined) return;
    next[from] = (next[from] ?? 0) + 1;
    if (position === last) continue;
    last = position;
    if (tryRule(entry, signal, matched, acc)) return;
  }
}

/**
 * Routes one signal: tries the rules in order and applies the actions of each rule that
 * matches, until one that matches has no `continue: true`.
 *
 * @remarks Conditions and templates always read the signal as it arrived, never what an earlier
 * rule changed, so the order of actions cannot change which rules match. When several matching
 * rules set the same action, the later rule's value wins (see `setBy`). A rule whose `when`
 * requires a field to equal a value (an `equals` or `in`, alone or in an `all`) is only tried for
 * signals with that value, so routing costs the rules a signal could match (and those without
 * such a condition), not all of them; no regular expression runs on more than the first 4 096
 * characters of a value.
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
  return route(routes, signal, true);
}

/**
 * {@link routeSignal} for the engine, which checked its routes once: a routed copy of a sealed
 * signal is left unsealed (ingest does not validate what it routed itself), saving the freeze. @internal
 */
export function routeForIngest(routes: Routes, signal: Signal): RouteDecision {
  return route(routes, signal, false);
}

function route(routes: Routes, signal: Signal, seal: boolean): RouteDecision {
  const index = indexOf(routes);
  const matched: string[] = [];
  const acc: Accumulator = { setBy: {} };
  // The rules this signal could match, as lists in rule order: those no field keys, and those
  // keyed by a value the signal has. A rule is in one list at most (its key's field has one
  // value per signal). Usually there is one list; an array only when there are more.
  let only: readonly number[] | undefined = index.always.length > 0 ? index.always : undefined;
  let several: (readonly number[])[] | undefined;
  for (const field of index.fields) {
    const value = field.get(signal);
    const positions = value === undefined ? undefined : field.byValue.get(value);
    if (positions === undefined) continue;
    if (only === undefined) only = positions;
    else if (several === undefined) several = [only, positions];
    else several.push(positions);
  }
  if (several !== undefined) {
    tryMerged(index.rules, several, signal, matched, acc);
  } else if (only?.length === index.rules.length) {
    // Every rule is a candidate (none is keyed): no positions to look up.
    for (const entry of index.rules) if (tryRule(entry, signal, matched, acc)) break;
  } else if (only !== undefined) {
    for (const position of only) {
      const entry = index.rules[position];
      if (entry !== undefined && tryRule(entry, signal, matched, acc)) break;
    }
  }
  return decide(signal, matched, acc, seal);
}
