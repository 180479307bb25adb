/**
 * Validation of routing rules, including the proof that no `matches` pattern can backtrack
 * catastrophically. Lives apart from the evaluator: it pulls in zod and `redos-detector`, which
 * only the `incidentkit/routing` entry loads.
 *
 * @packageDocumentation
 */
import { isSafePattern } from 'redos-detector';
import { z } from 'zod';
import { parseInput } from '../../kernel/parse.js';
import { hasNul, LIMITS, NUL_MESSAGE } from '../../model/primitives.js';
import { SIGNAL_LIMITS } from '../../model/signal.js';
import {
  isDefinedRoutes,
  markDefined,
  ROUTING_LIMITS,
  SIGNAL_TEXT_FIELDS,
  splitTemplate,
  type RouteCondition,
  type RouteRule,
  type RouteRuleInput,
  type Routes,
  type SignalField,
} from './routes.js';

const TEXT_FIELDS: ReadonlySet<string> = new Set(SIGNAL_TEXT_FIELDS);
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const FIELD_MESSAGE = /* @__PURE__ */ (() => `Name a signal field: one of ${SIGNAL_TEXT_FIELDS.join(', ')}, or labels.<name> / annotations.<name>.`)();
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const NAME_MESSAGE = 'Names start with a letter and hold letters, digits, . _ or - (at most 64).';
/** Work the ReDoS proof may do per pattern: deterministic, unlike a time limit. */
const MAX_PROOF_STEPS = 2_000;

/** Whether `field` names a signal field a condition or template may read. */
function isField(field: string): boolean {
  if (TEXT_FIELDS.has(field)) return true;
  const dot = field.indexOf('.');
  const head = field.slice(0, dot);
  const key = field.slice(dot + 1);
  return (head === 'labels' || head === 'annotations') && key.length > 0 && key.length <= LIMITS.key && !FORBIDDEN_KEYS.has(key) && !hasNul(key);
}

const fieldSchema = /* @__PURE__ */ (() => z.string().refine((f): f is SignalField => isField(f), { message: FIELD_MESSAGE }))();

const value = (max: number) =>
  z
    .string()
    .max(max, `Must be at most ${String(max)} characters.`)
    .refine((v) => !hasNul(v), { message: NUL_MESSAGE });

/** Text a rule sets on the signal: within the signal's own limits, so a routed signal stays valid. */
const setText = (max: number) =>
  value(max).refine((v) => v.trim().length > 0, { message: 'Must not be empty or blank.' });

const CONDITION_MESSAGE =
  'A condition is { field, equals }, { field, in }, { field, matches, flags? }, { field, exists }, { all: [...] }, { any: [...] } or { not }.';
const LEAF_KEYS = ['equals', 'in', 'matches', 'exists'] as const;
const BRANCH_KEYS = ['all', 'any', 'not', ...LEAF_KEYS] as const;

/**
 * The schemas of each kind of condition, chosen by key rather than tried as a union, so an
 * error names the bad field itself (`when.all.0.matches`) instead of "no branch matched".
 */
const branches = /* @__PURE__ */ (() => ({
  equals: z.strictObject({ field: fieldSchema, equals: value(LIMITS.text) }),
  in: z.strictObject({
    field: fieldSchema,
    in: z.array(value(LIMITS.text)).min(1, 'List at least one value.').max(ROUTING_LIMITS.inValues, `At most ${String(ROUTING_LIMITS.inValues)} values.`),
  }),
  matches: z.strictObject({
    field: fieldSchema,
    matches: z.string().min(1, 'Give a pattern.').max(ROUTING_LIMITS.pattern, `A pattern may have at most ${String(ROUTING_LIMITS.pattern)} characters.`),
    flags: z
      .string()
      .regex(/^[imsu]{0,4}$/, 'Flags may only be i, u, s and m.')
      .refine((f) => new Set(f).size === f.length, { message: 'A flag may appear only once.' })
      .optional(),
  }),
  exists: z.strictObject({ field: fieldSchema, exists: z.boolean() }),
  all: z.strictObject({ all: z.array(z.lazy(() => conditionSchema)) }),
  any: z.strictObject({ any: z.array(z.lazy(() => conditionSchema)).min(1, 'An any needs at least one condition.') }),
  not: z.strictObject({ not: z.lazy(() => conditionSchema) }),
}))();

const conditionSchema: z.ZodType<RouteCondition> = /* @__PURE__ */ (() =>
  z.unknown().transform((input, ctx): RouteCondition => {
    const kinds = typeof input === 'object' && input !== null && !Array.isArray(input) ? BRANCH_KEYS.filter((key) => Object.prototype.hasOwnProperty.call(input, key)) : [];
    const kind = kinds[0];
    if (kind === undefined || kinds.length > 1) {
      ctx.addIssue({ code: 'custom', message: kinds.length > 1 ? `A condition has one of ${kinds.join(', ')}, not several.` : CONDITION_MESSAGE });
      return z.NEVER;
    }
    const result = branches[kind].safeParse(input);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    return result.data as RouteCondition;
  }))();

const templateSchema = /* @__PURE__ */ (() => value(ROUTING_LIMITS.template).superRefine((template, ctx) => {
  const parts = splitTemplate(template);
  if (typeof parts === 'string') {
    ctx.addIssue({ code: 'custom', message: parts });
    return;
  }
  if (parts.fields.length > ROUTING_LIMITS.placeholders) {
    ctx.addIssue({ code: 'custom', message: `A template may have at most ${String(ROUTING_LIMITS.placeholders)} placeholders.` });
  }
  for (const field of parts.fields) {
    if (!isField(field)) ctx.addIssue({ code: 'custom', message: `{{${field}}}: ${FIELD_MESSAGE}` });
  }
  if (parts.fields.length === 0 && template.trim() === '') ctx.addIssue({ code: 'custom', message: 'Must not be empty or blank.' });
}))();

const windowMinutes = /* @__PURE__ */ (() => z.number().min(0, 'Must be 0 or more.').max(60 * 24 * 31, 'Must be at most 44640 (31 days).'))();

const actionsSchema = /* @__PURE__ */ (() => z.strictObject({
  service: setText(SIGNAL_LIMITS.service).optional(),
  type: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Type names start with a letter and hold letters, digits, _ or - (at most 64).').optional(),
  severity: setText(SIGNAL_LIMITS.severity).optional(),
  policy: z.string().regex(NAME_PATTERN, NAME_MESSAGE).optional(),
  dedupKey: templateSchema.optional(),
  suppress: z.boolean().optional(),
  threshold: z
    .strictObject({ count: z.number().int('Must be a whole number.').min(1, 'Must be at least 1.').max(1_000_000), windowMinutes })
    .optional(),
  group: z.strictObject({ key: templateSchema, windowMinutes: windowMinutes.optional() }).optional(),
  reopenWindowMinutes: windowMinutes.optional(),
}))();

const ruleSchema = /* @__PURE__ */ (() => z.strictObject({
  id: z.string().regex(NAME_PATTERN, NAME_MESSAGE),
  name: setText(LIMITS.name).optional(),
  when: conditionSchema,
  then: actionsSchema,
  continue: z.boolean().default(false),
}))();

const routesSchema = /* @__PURE__ */ (() => z
  .array(ruleSchema)
  .max(ROUTING_LIMITS.rules, `At most ${String(ROUTING_LIMITS.rules)} rules.`)
  .superRefine((rules, ctx) => {
    const ids = new Set<string>();
    rules.forEach((rule, i) => {
      if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `Another rule already has the id ${rule.id}.` });
      ids.add(rule.id);
      checkShape(rule.when, [i, 'when'], 1, { count: 0, reported: false }, ctx);
    });
  }))();

/** Refuses conditions nested too deep or too many in one rule, and unsafe or invalid patterns. */
function checkShape(condition: RouteCondition, path: PropertyKey[], depth: number, size: { count: number; reported: boolean }, ctx: z.RefinementCtx): void {
  size.count += 1;
  if (size.count > ROUTING_LIMITS.conditions && !size.reported) {
    size.reported = true;
    ctx.addIssue({ code: 'custom', path, message: `A rule may have at most ${String(ROUTING_LIMITS.conditions)} conditions.` });
  }
  if (depth > ROUTING_LIMITS.depth) {
    ctx.addIssue({ code: 'custom', path, message: `Conditions may nest at most ${String(ROUTING_LIMITS.depth)} deep.` });
    return;
  }
  if ('all' in condition) condition.all.forEach((inner, i) => { checkShape(inner, [...path, 'all', i], depth + 1, size, ctx); });
  else if ('any' in condition) condition.any.forEach((inner, i) => { checkShape(inner, [...path, 'any', i], depth + 1, size, ctx); });
  else if ('not' in condition) checkShape(condition.not, [...path, 'not'], depth + 1, size, ctx);
  else if ('matches' in condition) {
    const problem = patternProblem(condition.matches, condition.flags ?? '');
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'matches'], message: problem });
  }
}

/** Verdicts by `flags/pattern`: rules are often redefined (hot swap, JSON copies) with the same patterns. */
const verdicts = new Map<string, string | null>();

/** Why `pattern` may not be used, or `undefined` when it compiles and cannot backtrack catastrophically. @internal */
export function patternProblem(pattern: string, flags: string): string | undefined {
  const key = `${flags}/${pattern}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = judge(pattern, flags);
    if (verdicts.size >= 10_000) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict ?? undefined;
}

function judge(pattern: string, flags: string): string | null {
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    return `Not a valid regular expression: ${error instanceof Error ? error.message : String(error)}.`;
  }
  if (flags.includes('i') && flags.includes('u')) {
    // redos-detector cannot analyse the two together; refusing is the only sound answer.
    return 'The flags i and u together cannot be checked for catastrophic backtracking; use only one of them.';
  }
  let safe: boolean;
  let why = '';
  try {
    const result = isSafePattern(pattern, {
      caseInsensitive: flags.includes('i'),
      unicode: flags.includes('u'),
      dotAll: flags.includes('s'),
      multiLine: flags.includes('m'),
      maxSteps: MAX_PROOF_STEPS,
    });
    safe = result.safe;
    if (result.error === 'hitMaxSteps') why = ' (it is too complex to prove safe)';
  } catch (error) {
    // Back-references and other constructs the detector cannot analyse: refuse rather than guess.
    safe = false;
    why = ` (it cannot be analysed: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : 'unsupported construct'})`;
  }
  if (safe) return null;
  return (
    `The pattern /${pattern}/ may backtrack catastrophically on some inputs${why}, so it is refused. ` +
    'Avoid nested or overlapping repetition such as (a+)+, (a|a)* or .*x.*; prefer anchors (^…$), ' +
    'negated classes such as [^,]*, or several conditions combined with all.'
  );
}

function freezeDeep<T>(input: T): T {
  if (typeof input === 'object' && input !== null && !Object.isFrozen(input)) {
    for (const inner of Object.values(input)) freezeDeep(inner);
    Object.freeze(input);
  }
  return input;
}

/**
 * Validates routing rules and returns them as plain, frozen data for `routeSignal`,
 * `explainRoute` and the engine.
 *
 * @remarks
 * Rules are tried in order. A rule whose `when` is true for the signal **matches**: its `then`
 * actions are applied, and routing stops there, unless the rule says `continue: true`, in which
 * case later rules are tried as well. So without `continue` the first matching rule wins. When
 * several matching rules set the same action, the later rule's value replaces the earlier one
 * (action by action: a later rule that sets only `severity` keeps an earlier rule's `service`).
 * Conditions and templates always read the signal as it arrived, not as earlier rules changed it.
 *
 * Conditions: `{ field, equals }`, `{ field, in: [...] }`, `{ field, matches, flags? }` (a
 * search, flags `i`, `u`, `s`, `m`), `{ field, exists }`, and `{ all: [...] }` (`[]` is always
 * true), `{ any: [...] }`, `{ not }`. A field is a signal field (`source`, `severity`, `summary`,
 * `service`, `status`, …) or `labels.<name>` / `annotations.<name>`.
 *
 * Every `matches` pattern is checked with `redos-detector`: a pattern that could backtrack
 * catastrophically, or whose safety cannot be proven within a fixed amount of work, is refused.
 * The check is conservative: an unanchored pattern is searched for at every position, so
 * `.*error.*` or `\s+$` are refused too (write `error` instead of `.*error.*`). The flags `i` and
 * `u` together cannot be analysed and are refused. A pattern searches at most the first 4 096
 * characters of a value.
 *
 * Passing a value `defineRoutes` returned gives it back unchanged; a `JSON.parse`d copy is
 * validated again.
 *
 * @example
 * ```ts
 * import { defineRoutes } from 'incidentkit/routing';
 *
 * const routes = defineRoutes([
 *   { id: 'drop-test', when: { field: 'labels.env', equals: 'test' }, then: { suppress: true } },
 *   { id: 'tag-db', when: { field: 'labels.instance', matches: '^db-\\d+' }, then: { service: 'postgres' }, continue: true },
 *   {
 *     id: 'db-page',
 *     name: 'Database pages the DBAs',
 *     when: { all: [{ field: 'labels.team', in: ['db', 'dba'] }, { not: { field: 'severity', equals: 'SEV5' } }] },
 *     then: { policy: 'dba-oncall', dedupKey: '{{labels.alertname}}:{{labels.instance}}', group: { key: '{{labels.cluster}}', windowMinutes: 30 } },
 *   },
 * ]);
 * console.log(routes.rules.length); // 3
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) with the path of each bad field, e.g.
 * `[1, 'when', 'matches']` for a pattern that may backtrack catastrophically: an unknown field, a
 * duplicate rule id, an empty `any`, too many or too deeply nested conditions, an invalid pattern
 * or flag, a malformed template, a threshold count below 1.
 */
export function defineRoutes(rules: readonly RouteRuleInput[] | Routes): Routes {
  if (isDefinedRoutes(rules)) return rules;
  const input = rulesOf(rules);
  const parsed = parseInput(routesSchema, input, 'defineRoutes');
  const routes: Routes = freezeDeep({ rules: parsed.map(copyRule) });
  return markDefined(routes);
}

/** The rules of a `Routes`-shaped value (e.g. a `JSON.parse`d copy), or the input as it is. */
function rulesOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.prototype.hasOwnProperty.call(value, 'rules') ? (value as { readonly rules: unknown }).rules : value;
}

/** A rule with only the keys given (zod output has no `undefined` keys under exactOptionalPropertyTypes). */
function copyRule(rule: z.output<typeof ruleSchema>): RouteRule {
  return JSON.parse(JSON.stringify(rule)) as RouteRule;
}
