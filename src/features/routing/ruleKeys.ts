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

/** An `equals` or `in` leaf on one field: one of its values. */
interface RequiredEquality {
  readonly field: string;
  readonly values: readonly string[];
}

/**
 * What a rule cannot match without: at least one of these equalities holds (one, for an `equals`
 * or `in` the rule requires; several, for an `any` whose every alternative requires one).
 */
type Requirement = readonly RequiredEquality[];

/**
 * The requirements `condition` cannot be true without: an `equals` / `in` leaf itself, those of
 * every conjunct of an `all`, and for an `any` whose every alternative has one, the alternatives'
 * first requirements together (never under `not`, where a leaf may be false).
 */
function requirements(condition: RouteCondition): Requirement[] {
  if ('all' in condition) return condition.all.flatMap(requirements);
  if ('any' in condition) {
    const alternatives = condition.any.map(requirements);
    if (alternatives.length === 0 || alternatives.some((list) => list.length === 0)) return [];
    return [alternatives.flatMap((list) => list[0] ?? [])];
  }
  if ('equals' in condition) return [[{ field: condition.field, values: [condition.equals] }]];
  if ('in' in condition) return [[{ field: condition.field, values: condition.in }]];
  return [];
}

/**
 * Keys each rule by one of its requirements: the one that makes a signal try the fewest rules
 * (the fewest other rules need the same values of the same fields), then the one on the fields
 * most rules share (so a signal reads few fields). A requirement of several alternatives keys the
 * rule under each (a signal may then find it in more than one list: the evaluator tries it once).
 * Rules without one are tried for every signal. @internal
 */
export function keyRules(rules: readonly RouteRule[]): RuleKeys {
  const required = rules.map((rule) => requirements(rule.when));
  // For each field, how many rules require it, and how many require each of its values.
  const sharedBy = new Map<string, number>();
  const wanting = new Map<string, Map<string, number>>();
  for (const list of required) {
    const seenFields = new Set<string>();
    const seenPairs = new Set<string>();
    for (const { field, values } of list.flat()) {
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
  const cost = (requirement: Requirement): number =>
    requirement.reduce((total, { field, values }) => total + values.reduce((sum, value) => sum + (wanting.get(field)?.get(value) ?? 0), 0), 0);
  // The fields a requirement reads, by how many rules share them (the least shared counts).
  const shared = (requirement: Requirement): number => Math.min(...requirement.map(({ field }) => sharedBy.get(field) ?? 0));
  const byField = new Map<string, Map<string, number[]>>();
  const always: number[] = [];
  required.forEach((list, position) => {
    let key: Requirement | undefined;
    for (const candidate of list) {
      if (key === undefined) {
        key = candidate;
        continue;
      }
      const [mine, theirs] = [cost(candidate), cost(key)];
      if (mine < theirs || (mine === theirs && shared(candidate) > shared(key))) key = candidate;
    }
    if (key === undefined) {
      always.push(position);
      return;
    }
    for (const { field, values } of key) {
      let byValue = byField.get(field);
      if (byValue === undefined) {
        byValue = new Map();
        byField.set(field, byValue);
      }
      for (const value of values) {
        const positions = byValue.get(value);
        if (positions === undefined) byValue.set(value, [position]);
        // An `in` may list a value twice (or alternatives the same value): the rule is still tried once per list.
        else if (positions[positions.length - 1] !== position) positions.push(position);
      }
    }
  });
  return { byField, always };
}

