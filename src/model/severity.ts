import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseConfig } from '../kernel/parse.js';

/**
 * An ordered severity scale, worst level first.
 *
 * @remarks
 * `levels` lists every value the scale accepts, worst first. Levels named in `unranked`
 * (for example the AHRQ harm scale's `unknown`) are valid values without a place in the order:
 * they come last in `levels`, sort after every ranked level, and count as meeting any
 * threshold in {@link isAtLeast} and {@link atLeast} unless the caller opts out, so that an
 * unassessed incident is never silently treated as harmless.
 *
 * Build scales with {@link defineSeverityScale}; it validates them and keeps the literal level
 * names in the type, so `compareSeverity(sevScale, 'SEV1', 'SEV9')` fails to compile.
 *
 * @example
 * ```ts
 * import { sevScale } from 'incidentkit';
 *
 * console.log(sevScale.levels[0]); // 'SEV1', the worst
 * ```
 */
export interface SeverityScale<L extends string = string> {
  /** A name for the scale, e.g. `sev`. */
  readonly name: string;
  /** The levels, worst first; unranked levels (if any) last. */
  readonly levels: readonly [L, ...L[]];
  /** A human title for the scale, e.g. `NCC MERP Index for Categorizing Medication Errors`. */
  readonly title?: string;
  /** Display names per level, e.g. `{ no_harm: 'No harm' }`. Levels without one display as themselves. */
  readonly labels?: Readonly<Partial<Record<L, string>>>;
  /** What each level means. */
  readonly descriptions?: Readonly<Partial<Record<L, string>>>;
  /** Valid levels that have no place in the order (e.g. `unknown`); they are listed last in `levels`. */
  readonly unranked?: readonly L[];
  /** Named groups of levels, e.g. NCC MERP's `error_harm: ['E', 'F', 'G', 'H']`. */
  readonly groups?: Readonly<Record<string, readonly L[]>>;
  /** Where the scale comes from (standard, version, copyright notice). */
  readonly source?: string;
}

/** What {@link defineSeverityScale} accepts. */
export interface SeverityScaleDefinition<L extends string> {
  /** A short name, e.g. `harm`: letters, digits, `_` or `-`. */
  readonly name: string;
  /** Every level, worst first. Unranked levels may be listed anywhere; they are moved to the end. */
  readonly levels: readonly [L, ...L[]];
  readonly title?: string;
  readonly labels?: Readonly<Partial<Record<NoInfer<L>, string>>>;
  readonly descriptions?: Readonly<Partial<Record<NoInfer<L>, string>>>;
  readonly unranked?: readonly NoInfer<L>[];
  readonly groups?: Readonly<Record<string, readonly NoInfer<L>[]>>;
  readonly source?: string;
}

const levelName = /* @__PURE__ */ z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'Levels start with a letter or digit and hold letters, digits, _, . or - (at most 64).');

const scaleDefinitionSchema = /* @__PURE__ */ (() => z
  .strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Scale names start with a letter and hold letters, digits, _ or - (at most 64).'),
    levels: z.array(levelName).min(1, 'A scale needs at least one level.').max(100, 'A scale has at most 100 levels.'),
    title: z.string().min(1).max(300).optional(),
    labels: z.record(z.string(), z.string().min(1).max(200)).optional(),
    descriptions: z.record(z.string(), z.string().min(1).max(2_000)).optional(),
    unranked: z.array(z.string()).optional(),
    groups: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Group names start with a letter.'), z.array(z.string()).min(1)).optional(),
    source: z.string().min(1).max(2_000).optional(),
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.levels.forEach((level, i) => {
      if (seen.has(level)) ctx.addIssue({ code: 'custom', path: ['levels', i], message: `Level '${level}' is listed twice.` });
      seen.add(level);
    });
    const checkKnown = (values: readonly string[], path: PropertyKey[]): void => {
      values.forEach((value, i) => {
        if (!seen.has(value)) {
          ctx.addIssue({ code: 'custom', path: [...path, i], message: `'${value}' is not a level of this scale; use one of ${def.levels.join(', ')}.` });
        }
      });
    };
    for (const key of ['labels', 'descriptions'] as const) {
      const record = def[key];
      if (record !== undefined) checkKnown(Object.keys(record), [key]);
    }
    if (def.unranked !== undefined) {
      checkKnown(def.unranked, ['unranked']);
      if (def.unranked.length >= def.levels.length) {
        ctx.addIssue({ code: 'custom', path: ['unranked'], message: 'At least one level must be ranked.' });
      }
    }
    for (const [group, members] of Object.entries(def.groups ?? {})) checkKnown(members, ['groups', group]);
  }))();

/**
 * Defines a severity scale: its levels worst first, optional labels, descriptions, groups and
 * unranked levels.
 *
 * @remarks The result is frozen and keeps the level names as a literal union type.
 *
 * @example
 * ```ts
 * import { defineSeverityScale, isAtLeast } from 'incidentkit';
 *
 * const impact = defineSeverityScale({
 *   name: 'impact',
 *   levels: ['critical', 'major', 'minor'],
 *   labels: { critical: 'Critical', major: 'Major', minor: 'Minor' },
 * });
 * isAtLeast(impact, 'critical', 'major'); // true
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when a name is malformed, a level repeats, or labels,
 * descriptions, groups or `unranked` name a level the scale does not have.
 */
export function defineSeverityScale<const L extends string>(definition: SeverityScaleDefinition<L>): SeverityScale<L> {
  const parsed = parseConfig(scaleDefinitionSchema, definition, `severity scale '${definition.name}'`);
  const unranked = parsed.unranked ?? [];
  const ordered = [...parsed.levels.filter((l) => !unranked.includes(l)), ...parsed.levels.filter((l) => unranked.includes(l))];
  const scale: {
    name: string;
    levels: readonly string[];
    title?: string;
    labels?: Readonly<Record<string, string>>;
    descriptions?: Readonly<Record<string, string>>;
    unranked?: readonly string[];
    groups?: Readonly<Record<string, readonly string[]>>;
    source?: string;
  } = { name: parsed.name, levels: Object.freeze(ordered) };
  if (parsed.title !== undefined) scale.title = parsed.title;
  if (parsed.labels !== undefined) scale.labels = Object.freeze({ ...parsed.labels });
  if (parsed.descriptions !== undefined) scale.descriptions = Object.freeze({ ...parsed.descriptions });
  if (unranked.length > 0) scale.unranked = Object.freeze(ordered.filter((l) => unranked.includes(l)));
  if (parsed.groups !== undefined) {
    scale.groups = Object.freeze(Object.fromEntries(Object.entries(parsed.groups).map(([k, v]) => [k, Object.freeze([...v])])));
  }
  if (parsed.source !== undefined) scale.source = parsed.source;
  return Object.freeze(scale) as unknown as SeverityScale<L>;
}

/** The default scale: `SEV1` (worst) … `SEV5`. */
export const sevScale: SeverityScale<'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' | 'SEV5'> = /* @__PURE__ */ defineSeverityScale({
  name: 'sev',
  title: 'Severity',
  levels: ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'],
  descriptions: {
    SEV1: 'Critical: the service is down or data is at risk for many customers.',
    SEV2: 'Major: a core function is broken or badly degraded for many customers.',
    SEV3: 'Minor: a non-core function is broken, or a few customers are affected.',
    SEV4: 'Low: a cosmetic or small problem with a workaround.',
    SEV5: 'Informational: no customer impact; tracked for follow-up.',
  },
});

/** The message for a severity that is not one of `levels`. @internal */
export function unknownSeverityMessage(levels: readonly string[]): string {
  return `Unknown severity; use one of ${levels.join(', ')}.`;
}

/**
 * Checks that `severity` is a level of `scale`, with the message {@link severitySchema} gives.
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for a level the scale does not have.
 */
export function checkSeverity(scale: SeverityScale, severity: string, subject: string): void {
  if (!scale.levels.includes(severity)) {
    throw new ValidationError(subject, [{ code: 'unknown_severity', path: ['severity'], message: unknownSeverityMessage(scale.levels) }]);
  }
}

/** A zod schema accepting exactly the levels of `scale` (or of any list of levels). */
export function severitySchema(scale: { readonly levels: readonly string[] }) {
  return z.string().refine((value) => scale.levels.includes(value), { message: unknownSeverityMessage(scale.levels) });
}

function unknownLevel(scale: SeverityScale, level: string, subject: string): ValidationError {
  return new ValidationError(subject, [
    {
      code: 'unknown_severity',
      path: [],
      message: `'${level}' is not a level of the '${scale.name}' scale; use one of ${scale.levels.join(', ')}`,
    },
  ]);
}

function indexOf(scale: SeverityScale, level: string, subject: string): number {
  const i = scale.levels.indexOf(level);
  if (i < 0) throw unknownLevel(scale, level, subject);
  return i;
}

/**
 * The position of `level` in the scale's order: `0` for the worst level, `undefined` for an
 * unranked level such as `unknown`.
 *
 * @example
 * ```ts
 * import { severityRank, sevScale } from 'incidentkit';
 *
 * severityRank(sevScale, 'SEV2'); // 1
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `level` is not a level of `scale`.
 */
export function severityRank<L extends string>(scale: SeverityScale<L>, level: NoInfer<L>): number | undefined {
  const i = indexOf(scale, level, 'severityRank');
  return scale.unranked?.includes(level) === true ? undefined : i;
}

/**
 * Compares two levels for sorting worst first: negative when `a` is worse than `b`, positive
 * when it is milder, `0` when equal.
 *
 * @remarks Unranked levels (e.g. `unknown`) sort after every ranked level, in the order listed.
 *
 * @example
 * ```ts
 * import { compareSeverity, sevScale } from 'incidentkit';
 *
 * ['SEV3', 'SEV1', 'SEV2'].sort((a, b) => compareSeverity(sevScale, a, b)); // ['SEV1', 'SEV2', 'SEV3']
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when either value is not a level of `scale`.
 */
export function compareSeverity<L extends string>(scale: SeverityScale<L>, a: NoInfer<L>, b: NoInfer<L>): number {
  return indexOf(scale, a, 'compareSeverity') - indexOf(scale, b, 'compareSeverity');
}

/** Options of {@link isAtLeast} and {@link atLeast}. */
export interface ThresholdOptions {
  /**
   * Whether unranked levels (e.g. `unknown` harm) meet every threshold. Default `true`: an
   * incident whose severity is not assessed yet is treated as possibly serious.
   */
  readonly includeUnranked?: boolean;
}

/**
 * Tells whether `level` is `threshold` or worse: "SEV2 or worse", "harm moderate or worse".
 *
 * @remarks Unranked levels meet every threshold unless `includeUnranked: false`.
 *
 * @example
 * ```ts
 * import { isAtLeast, sevScale } from 'incidentkit';
 *
 * isAtLeast(sevScale, 'SEV1', 'SEV2'); // true
 * isAtLeast(sevScale, 'SEV3', 'SEV2'); // false
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when either value is not a level of `scale`, or
 * when `threshold` is itself unranked.
 */
export function isAtLeast<L extends string>(
  scale: SeverityScale<L>,
  level: NoInfer<L>,
  threshold: NoInfer<L>,
  options: ThresholdOptions = {},
): boolean {
  const t = thresholdIndex(scale, threshold, 'isAtLeast');
  const i = indexOf(scale, level, 'isAtLeast');
  if (scale.unranked?.includes(level) === true) return options.includeUnranked ?? true;
  return i <= t;
}

function thresholdIndex(scale: SeverityScale, threshold: string, subject: string): number {
  const t = indexOf(scale, threshold, subject);
  if (scale.unranked?.includes(threshold) === true) {
    throw new ValidationError(subject, [
      { code: 'unranked_threshold', path: [], message: `'${threshold}' has no place in the '${scale.name}' order and cannot be a threshold` },
    ]);
  }
  return t;
}

/**
 * The levels that are `threshold` or worse, worst first; for policies such as
 * `review.requiredFor: atLeast(sevScale, 'SEV2')`.
 *
 * @remarks Unranked levels are appended unless `includeUnranked: false`.
 *
 * @example
 * ```ts
 * import { atLeast, sevScale } from 'incidentkit';
 *
 * atLeast(sevScale, 'SEV2'); // ['SEV1', 'SEV2']
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `threshold` is not a ranked level of `scale`.
 */
export function atLeast<L extends string>(scale: SeverityScale<L>, threshold: NoInfer<L>, options: ThresholdOptions = {}): L[] {
  const t = thresholdIndex(scale, threshold, 'atLeast');
  const unranked = scale.unranked ?? [];
  const ranked = scale.levels.slice(0, t + 1);
  return options.includeUnranked === false ? ranked : [...ranked, ...unranked];
}

/**
 * The name of the group that holds `level` (see {@link SeverityScale.groups}), or `undefined`.
 *
 * @example
 * ```ts
 * import { nccMerpScale, severityGroup } from 'incidentkit';
 *
 * severityGroup(nccMerpScale, 'E'); // 'error_harm'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `level` is not a level of `scale`.
 */
export function severityGroup<L extends string>(scale: SeverityScale<L>, level: NoInfer<L>): string | undefined {
  indexOf(scale, level, 'severityGroup');
  for (const [group, members] of Object.entries(scale.groups ?? {})) {
    if (members.includes(level)) return group;
  }
  return undefined;
}

/**
 * The display name of `level`: its label, or the level itself.
 *
 * @example
 * ```ts
 * import { ahrqHarmScale, severityLabel } from 'incidentkit';
 *
 * severityLabel(ahrqHarmScale, 'no_harm'); // 'No harm'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `level` is not a level of `scale`.
 */
export function severityLabel<L extends string>(scale: SeverityScale<L>, level: NoInfer<L>): string {
  indexOf(scale, level, 'severityLabel');
  return scale.labels?.[level] ?? level;
}
