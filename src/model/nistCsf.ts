/**
 * The functions and categories of the NIST Cybersecurity Framework (CSF) 2.0 (NIST CSWP 29,
 * February 2024), which timeline events can be tagged with, and how tags are checked.
 */

import { z } from 'zod';

/**
 * The six functions of NIST CSF 2.0, in the framework's order, with their names.
 *
 * @example
 * ```ts
 * import { NIST_CSF_FUNCTIONS } from 'incidentkit';
 *
 * console.log(NIST_CSF_FUNCTIONS.map((f) => f.id).join(' ')); // GV ID PR DE RS RC
 * ```
 * @see https://doi.org/10.6028/NIST.CSWP.29
 */
export const NIST_CSF_FUNCTIONS = /* @__PURE__ */ Object.freeze([
  { id: 'GV', name: 'Govern' },
  { id: 'ID', name: 'Identify' },
  { id: 'PR', name: 'Protect' },
  { id: 'DE', name: 'Detect' },
  { id: 'RS', name: 'Respond' },
  { id: 'RC', name: 'Recover' },
] as const);

/**
 * The 22 categories of NIST CSF 2.0, in the framework's order, with their names and function.
 *
 * @remarks CSF 2.0 renamed and regrouped the categories of CSF 1.1: e.g. Response Planning
 * (`RS.RP`) became Incident Management (`RS.MA`), and the improvement categories of Respond and
 * Recover (`RS.IM`, `RC.IM`) became Identify's Improvement (`ID.IM`). Subcategories (`DE.AE-02`)
 * are not tags: tag the category.
 * @example
 * ```ts
 * import { NIST_CSF_CATEGORIES } from 'incidentkit';
 *
 * const respond = NIST_CSF_CATEGORIES.filter((c) => c.function === 'RS');
 * console.log(respond.map((c) => `${c.id} ${c.name}`));
 * // ['RS.MA Incident Management', 'RS.AN Incident Analysis', 'RS.CO Incident Response Reporting and Communication', 'RS.MI Incident Mitigation']
 * ```
 * @see https://doi.org/10.6028/NIST.CSWP.29
 */
export const NIST_CSF_CATEGORIES = /* @__PURE__ */ Object.freeze([
  { id: 'GV.OC', name: 'Organizational Context', function: 'GV' },
  { id: 'GV.RM', name: 'Risk Management Strategy', function: 'GV' },
  { id: 'GV.RR', name: 'Roles, Responsibilities, and Authorities', function: 'GV' },
  { id: 'GV.PO', name: 'Policy', function: 'GV' },
  { id: 'GV.OV', name: 'Oversight', function: 'GV' },
  { id: 'GV.SC', name: 'Cybersecurity Supply Chain Risk Management', function: 'GV' },
  { id: 'ID.AM', name: 'Asset Management', function: 'ID' },
  { id: 'ID.RA', name: 'Risk Assessment', function: 'ID' },
  { id: 'ID.IM', name: 'Improvement', function: 'ID' },
  { id: 'PR.AA', name: 'Identity Management, Authentication, and Access Control', function: 'PR' },
  { id: 'PR.AT', name: 'Awareness and Training', function: 'PR' },
  { id: 'PR.DS', name: 'Data Security', function: 'PR' },
  { id: 'PR.PS', name: 'Platform Security', function: 'PR' },
  { id: 'PR.IR', name: 'Technology Infrastructure Resilience', function: 'PR' },
  { id: 'DE.CM', name: 'Continuous Monitoring', function: 'DE' },
  { id: 'DE.AE', name: 'Adverse Event Analysis', function: 'DE' },
  { id: 'RS.MA', name: 'Incident Management', function: 'RS' },
  { id: 'RS.AN', name: 'Incident Analysis', function: 'RS' },
  { id: 'RS.CO', name: 'Incident Response Reporting and Communication', function: 'RS' },
  { id: 'RS.MI', name: 'Incident Mitigation', function: 'RS' },
  { id: 'RC.RP', name: 'Incident Recovery Plan Execution', function: 'RC' },
  { id: 'RC.CO', name: 'Incident Recovery Communication', function: 'RC' },
] as const);

/** A NIST CSF 2.0 function id, e.g. `RS`. */
export type NistCsfFunction = (typeof NIST_CSF_FUNCTIONS)[number]['id'];

/** A NIST CSF 2.0 category id, e.g. `RS.MI`. */
export type NistCsfCategory = (typeof NIST_CSF_CATEGORIES)[number]['id'];

/** What an event can be tagged with: a NIST CSF 2.0 function (`RS`) or category (`RS.MI`). */
export type NistCsfTag = NistCsfFunction | NistCsfCategory;

const KNOWN: ReadonlySet<string> = /* @__PURE__ */ (() => new Set<string>([...NIST_CSF_FUNCTIONS.map((f) => f.id), ...NIST_CSF_CATEGORIES.map((c) => c.id)]))();

/**
 * CSF 1.1 categories whose outcomes CSF 2.0 moved to one category, so a tag written from 1.1
 * habit gets a precise suggestion (NIST's CSF 1.1 to 2.0 core transition mapping).
 */
const CSF_11_SUCCESSORS: Readonly<Record<string, NistCsfCategory>> = {
  'RS.RP': 'RS.MA',
  'RS.IM': 'ID.IM',
  'RC.IM': 'ID.IM',
  'PR.AC': 'PR.AA',
  'ID.BE': 'GV.OC',
  'ID.RM': 'GV.RM',
  'ID.SC': 'GV.SC',
};

/**
 * Whether `value` is a NIST CSF 2.0 function or category id (exact spelling: `RS.MI`).
 *
 * @example
 * ```ts
 * import { isNistCsfTag } from 'incidentkit';
 *
 * isNistCsfTag('RS.MA'); // true
 * isNistCsfTag('RS.RP'); // false: CSF 1.1's Response Planning is RS.MA in CSF 2.0
 * ```
 */
export function isNistCsfTag(value: unknown): value is NistCsfTag {
  return typeof value === 'string' && KNOWN.has(value);
}

/** The tags a person probably meant by `value`, best first (at most three). */
export function suggestNistCsfTags(value: string): readonly NistCsfTag[] {
  const normal = value.trim().toUpperCase().replace(/[\s_-]+/g, '.').replace(/^([A-Z]{2})\.?([A-Z]{2}).*$/, '$1.$2');
  if (isNistCsfTag(normal)) return [normal];
  const successor = CSF_11_SUCCESSORS[normal];
  if (successor !== undefined) return [successor];
  const [fn, category] = normal.split('.');
  const sameSuffix = NIST_CSF_CATEGORIES.filter((c) => category !== undefined && c.id.endsWith(`.${category}`)).map((c) => c.id);
  const sameFunction = NIST_CSF_CATEGORIES.filter((c) => c.function === fn).map((c) => c.id);
  return [...new Set([...sameSuffix, ...sameFunction])].slice(0, 3);
}

/** The message of a tag that is not a CSF 2.0 function or category. */
function unknownTagMessage(value: string): string {
  const suggestions = suggestNistCsfTags(value);
  const hint = suggestions.length === 0 ? '' : ` Did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?`;
  return `'${value.slice(0, 40)}' is not a NIST CSF 2.0 function or category.${hint} Tags are the ids of NIST_CSF_FUNCTIONS (e.g. 'RS') or NIST_CSF_CATEGORIES (e.g. 'RS.MI').`;
}

/** One tag, checked against the CSF 2.0 list with a suggestion when it is close to one. */
const nistTagSchema = /* @__PURE__ */ z.string().superRefine((value, ctx) => {
  if (!isNistCsfTag(value)) ctx.addIssue({ code: 'custom', message: unknownTagMessage(value) });
}) as unknown as z.ZodType<NistCsfTag, string>;

/**
 * The `nist` field of a command: one to 22 distinct CSF 2.0 tags (duplicates are dropped).
 *
 * @internal
 */
export const nistTagsSchema = /* @__PURE__ */ (() => z
  .array(nistTagSchema)
  .min(1, 'Give at least one NIST CSF 2.0 tag, e.g. ["RS.MI"].')
  .max(NIST_CSF_FUNCTIONS.length + NIST_CSF_CATEGORIES.length)
  .transform((tags) => [...new Set(tags)]))();
