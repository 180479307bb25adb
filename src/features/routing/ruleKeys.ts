/**
 * Which rules a signal could match, decided once per `Routes` value: each rule is keyed by a
 * field value its `when` cannot be true without, so the evaluator tries it only for signals with
 * that value. Pure data in, data out (no signal is read here).
 *
 * @packageDocumentation
 */
import type { RouteCondition, RouteRule } from './routes.js';

/** The rules keyed by field and value, and those no key covers. @internal */
export interface RuleKeys {
  /** Field → value → positions (in `rules`, ascending) of the rules keyed by that value. */
  readonly byField: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
  /** Positions of the rules without a key (tried for every signal), ascending. */
  readonly always: readonly number[];
}

/** An `equals` or `in` leaf that must hold for a rule to match. */
interface RequiredEquality {
  readonly field: string;
  readonly values: readonly string[];
}

/**
 * The `equals` / `in` leaves `condition` cannot be true without: the condition itself, or the
 * conjuncts of an `all`, recursively (never under `any` or `not`, where a leaf may be false).
 */
function requiredEqualities(condition: RouteCondition, out: RequiredEquality[]): void {
  if ('all' in condition) {
    for (const part of condition.all) requiredEqualities(part, out);
  } else if ('equals' in condition) {
    out.push({ field: condition.field, values: [condition.equals] });
  } else if ('in' in condition) {
    out.push({ field: condition.field, values: condition.in });
  }
}

/**
 * Keys each rule by one of its required equalities: the one that makes a signal try the fewest
 * rules (the fewest other rules need the same values of the same field), then the one on the
 * field most rules share (so a signal reads few fields). Rules without one are tried for every
 * signal. @internal
 */
export function keyRules(rules: readonly RouteRule[]): RuleKeys {
  const required = rules.map((rule) => {
    const out: RequiredEquality[] = [];
    requiredEqualities(rule.when, out);
    return out;
  });
  // For each field, how many rules require it, and how many require each of its values.
  const sharedBy = new Map<string, number>();
  const wanting = new Map<string, Map<string, number>>();
  for (const list of required) {
    const seenFields = new Set<string>();
    const seenPairs = new Set<string>();
    for (const { field, values } of list) {
      if (!seenFields.has(field)) sharedBy.set(field, (sharedBy.get(field) ?? 0) + 1);
      seenFields.add(field);
      let counts = wanting.get(field);
      if (counts === undefined) {
        counts = new Map();
        wanting.set(field, counts);
      }
      for (const value of values) {
        // JSON of the pair: a field and a value are any strings, so no separator is safe.
        const pair = JSON.stringify([field, value]);
        if (!seenPairs.has(pair)) counts.set(value, (counts.get(value) ?? 0) + 1);
        seenPairs.add(pair);
      }
    }
  }
  const cost = ({ field, values }: RequiredEquality): number => values.reduce((sum, value) => sum + (wanting.get(field)?.get(value) ?? 0), 0);
  const byField = new Map<string, Map<string, number[]>>();
  const always: number[] = [];
  required.forEach((list, position) => {
    let key: RequiredEquality | undefined;
    for (const candidate of list) {
      if (key === undefined) {
        key = candidate;
        continue;
      }
      const [mine, theirs] = [cost(candidate), cost(key)];
      if (mine < theirs || (mine === theirs && (sharedBy.get(candidate.field) ?? 0) > (sharedBy.get(key.field) ?? 0))) key = candidate;
    }
    if (key === undefined) {
      always.push(position);
      return;
    }
    let byValue = byField.get(key.field);
    if (byValue === undefined) {
      byValue = new Map();
      byField.set(key.field, byValue);
    }
    for (const value of key.values) {
      const positions = byValue.get(value);
      if (positions === undefined) byValue.set(value, [position]);
      // An `in` may list a value twice: the rule is still tried once.
      else if (positions[positions.length - 1] !== position) positions.push(position);
    }
  });
  return { byField, always };
}

