/**
 * Routing rules as plain data: the types {@link defineRoutes} validates and the evaluator
 * (`routeSignal`, `explainRoute`) reads. This module imports nothing at run time, so the engine
 * can take routing in without zod schemas or the ReDoS detector.
 *
 * @packageDocumentation
 */

/**
 * A field of the normalised signal a condition or a template reads: one of the signal's text
 * fields, or one label or annotation by name (`labels.team`, `annotations.runbook`).
 */
export type SignalField =
  | 'source'
  | 'fingerprint'
  | 'dedupKey'
  | 'status'
  | 'severity'
  | 'summary'
  | 'service'
  | 'namespace'
  | 'integration'
  | `labels.${string}`
  | `annotations.${string}`;

/** The signal's own text fields a {@link SignalField} may name (besides labels and annotations). */
export const SIGNAL_TEXT_FIELDS = ['source', 'fingerprint', 'dedupKey', 'status', 'severity', 'summary', 'service', 'namespace', 'integration'] as const;

/** True when the field's value is exactly `equals`. */
export interface EqualsCondition {
  readonly field: SignalField;
  readonly equals: string;
}

/** True when the field's value is one of `in`. */
export interface InCondition {
  readonly field: SignalField;
  readonly in: readonly string[];
}

/**
 * True when the regular expression `matches` finds a match in the field's value (a search, like
 * `RegExp.prototype.test`: anchor it with `^…$` to match the whole value). Only the first
 * {@link ROUTING_LIMITS}`.matchInput` characters of the value are searched.
 */
export interface MatchesCondition {
  readonly field: SignalField;
  readonly matches: string;
  /** Any of `i`, `u`, `s`, `m`, each at most once; absent: none. */
  readonly flags?: string;
}

/** `exists: true`: the field is present; `exists: false`: it is absent. */
export interface ExistsCondition {
  readonly field: SignalField;
  readonly exists: boolean;
}

/** True when every condition is true; `{ all: [] }` is always true (a catch-all rule). */
export interface AllCondition {
  readonly all: readonly RouteCondition[];
}

/** True when at least one condition is true (at least one is required). */
export interface AnyCondition {
  readonly any: readonly RouteCondition[];
}

/** True when the condition is false. */
export interface NotCondition {
  readonly not: RouteCondition;
}

/**
 * A condition on a signal. A leaf reads one {@link SignalField}; a field the signal does not
 * have is never `equals`, `in` or `matches` anything, and `exists: false` is true for it.
 */
export type RouteCondition =
  | EqualsCondition
  | InCondition
  | MatchesCondition
  | ExistsCondition
  | AllCondition
  | AnyCondition
  | NotCondition;

/**
 * What a matching rule does. Every action is optional; a rule with none only records that it
 * matched.
 *
 * Templates (`dedupKey`, `group.key`) are text with `{{field}}` placeholders, where `field` is a
 * {@link SignalField}: `{{labels.alertname}}:{{labels.instance}}`. A placeholder of a field the
 * signal does not have renders as an empty string; nothing else is evaluated. The rendered text
 * is cut to {@link ROUTING_LIMITS}`.renderedKey` characters, and a rendering that is empty or
 * blank sets nothing.
 */
export interface RouteActions {
  /** The service the incident is for (replaces the signal's `service`). */
  readonly service?: string;
  /** The incident type a new incident gets (a `defineIncidentType` name). */
  readonly type?: string;
  /** The severity (replaces the signal's `severity`; must be a level of the engine's scale). */
  readonly severity?: string;
  /** The name of the escalation policy that handles the incident. */
  readonly policy?: string;
  /** A template for the signal's dedup key (replaces `dedupKey`). */
  readonly dedupKey?: string;
  /** `true`: record the signal as suppressed and open nothing. */
  readonly suppress?: boolean;
  /** Open an incident only after `count` firings of the same key within `windowMinutes`. */
  readonly threshold?: RouteThreshold;
  /** Attach signals with the same rendered `key` to one open incident within `windowMinutes`. */
  readonly group?: RouteGroup;
  /**
   * How long after its incident resolved a re-fire of the alert reopens it (replaces the engine's
   * `ingest.reopenWindowMinutes`; 0 to 44 640). Later, it opens a recurrence.
   */
  readonly reopenWindowMinutes?: number;
}

/** A rule's `threshold` action. */
export interface RouteThreshold {
  /** A whole number from 1 to 1 000 000. */
  readonly count: number;
  /** From 0 to 44 640 (31 days). */
  readonly windowMinutes: number;
}

/** A rule's `group` action. */
export interface RouteGroup {
  /** A template, e.g. `{{labels.cluster}}/{{labels.alertname}}`. */
  readonly key: string;
  /** From 0 to 44 640 (31 days); absent: the engine's `groupWindowMinutes`. */
  readonly windowMinutes?: number;
}

/** One routing rule as {@link defineRoutes} accepts it. */
export interface RouteRuleInput {
  /** Unique within the rules: recorded on what the rule does. */
  readonly id: string;
  readonly name?: string;
  readonly when: RouteCondition;
  readonly then: RouteActions;
  /** `true`: after this rule matches, later rules are still tried (see {@link defineRoutes}). */
  readonly continue?: boolean;
}

/** A validated rule. */
export interface RouteRule extends RouteRuleInput {
  readonly continue: boolean;
}

/** Validated routing rules: plain, frozen JSON data, in order. Made only by {@link defineRoutes}. */
export interface Routes {
  readonly rules: readonly RouteRule[];
}

/** The bounds {@link defineRoutes} enforces and the evaluator relies on. */
export const ROUTING_LIMITS = {
  /** Rules in one `Routes`. */
  rules: 1_000,
  /** Conditions (leaves and combinators) in one rule's `when`. */
  conditions: 64,
  /** Nesting depth of `all` / `any` / `not` (a leaf at the top is depth 1). */
  depth: 8,
  /** Values in one `in` list. */
  inValues: 100,
  /** Characters of a `matches` pattern. */
  pattern: 256,
  /** Characters of a field's value a `matches` pattern searches (the rest is ignored). */
  matchInput: 4_096,
  /** Characters of a template. */
  template: 512,
  /** Placeholders in a template. */
  placeholders: 16,
  /** Characters a template renders to at most (a signal's dedup key holds 200). */
  renderedKey: 200,
} as const;

/** Every `Routes` value {@link defineRoutes} returned. */
const DEFINED = new WeakSet<object>();

/** Remembers `routes` as validated (by `defineRoutes` only). @internal */
export function markDefined(routes: Routes): Routes {
  DEFINED.add(routes);
  return routes;
}

/**
 * Tells whether `value` is a `Routes` value {@link defineRoutes} returned: the only routes the
 * evaluator and the engine accept (a `JSON.parse`d copy must go through `defineRoutes` again).
 */
export function isDefinedRoutes(value: unknown): value is Routes {
  return typeof value === 'object' && value !== null && DEFINED.has(value);
}

/** The value of `field` in `signal`, or `undefined` when the signal does not have it. @internal */
export function fieldValue(signal: SignalLike, field: string): string | undefined {
  if (field.startsWith('labels.')) return ownString(signal.labels, field.slice(7));
  if (field.startsWith('annotations.')) return ownString(signal.annotations, field.slice(12));
  const value = (signal as unknown as Readonly<Record<string, unknown>>)[field];
  return typeof value === 'string' ? value : undefined;
}

function ownString(record: Readonly<Record<string, string>>, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(record, key)) return undefined;
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** The parts of a signal routing reads. @internal */
export interface SignalLike {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A template's parts: literal text and field names, alternating (literal first). @internal */
export interface TemplateParts {
  readonly literals: readonly string[];
  readonly fields: readonly string[];
}

/**
 * Splits a template into literal text and `{{field}}` placeholders, or returns an error message.
 * Field names are trimmed; their validity is checked by the caller. @internal
 */
export function splitTemplate(template: string): TemplateParts | string {
  const literals: string[] = [];
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    const open = template.indexOf('{{', at);
    if (open === -1) {
      const rest = template.slice(at);
      if (rest.includes('}}')) return 'A template has "}}" without a "{{" before it.';
      literals.push(rest);
      return { literals, fields };
    }
    const close = template.indexOf('}}', open + 2);
    if (close === -1) return 'A template has "{{" without a closing "}}".';
    const literal = template.slice(at, open);
    if (literal.includes('}}')) return 'A template has "}}" without a "{{" before it.';
    literals.push(literal);
    fields.push(template.slice(open + 2, close).trim());
    at = close + 2;
  }
}
