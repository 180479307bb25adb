/** The cause taxonomies that ship with the library, and how a host's own are checked. */

import { z } from 'zod';
import type { CauseTaxonomy } from './investigation.js';
import { LIMITS, text } from './primitives.js';

/**
 * A simple taxonomy for IT incidents (`it`): what kind of thing caused or contributed to it.
 *
 * @example
 * ```ts
 * import { IT_CAUSE_TAXONOMY } from 'incidentkit';
 *
 * console.log(IT_CAUSE_TAXONOMY.categories.map((c) => c.id).join(', '));
 * // change, capacity, dependency, configuration, code, hardware, human_factors, process
 * ```
 */
export const IT_CAUSE_TAXONOMY: CauseTaxonomy = /* @__PURE__ */ Object.freeze({
  id: 'it',
  title: 'IT causes',
  categories: [
    { id: 'change', title: 'Change' },
    { id: 'capacity', title: 'Capacity' },
    { id: 'dependency', title: 'Dependency' },
    { id: 'configuration', title: 'Configuration' },
    { id: 'code', title: 'Code' },
    { id: 'hardware', title: 'Hardware' },
    { id: 'human_factors', title: 'Human factors' },
    { id: 'process', title: 'Process' },
  ],
});

/**
 * The root cause categories the Joint Commission reports for sentinel events, as used in RCA²
 * (root cause analysis and action) reviews of patient-safety events (`rca2`).
 *
 * @example
 * ```ts
 * import { RCA2_CAUSE_TAXONOMY } from 'incidentkit';
 *
 * console.log(RCA2_CAUSE_TAXONOMY.categories.length); // 11
 * ```
 */
export const RCA2_CAUSE_TAXONOMY: CauseTaxonomy = /* @__PURE__ */ Object.freeze({
  id: 'rca2',
  title: 'RCA² / Joint Commission root cause categories',
  categories: [
    { id: 'human_factors', title: 'Human factors' },
    { id: 'leadership', title: 'Leadership' },
    { id: 'communication', title: 'Communication' },
    { id: 'assessment', title: 'Assessment' },
    { id: 'physical_environment', title: 'Physical environment' },
    { id: 'information_management', title: 'Information management' },
    { id: 'care_planning', title: 'Care planning' },
    { id: 'health_it', title: 'Health information technology' },
    { id: 'operative_care', title: 'Operative care' },
    { id: 'medication_use', title: 'Medication use' },
    { id: 'continuum_of_care', title: 'Continuum of care' },
  ],
});

/** The taxonomies every engine has: {@link IT_CAUSE_TAXONOMY} and {@link RCA2_CAUSE_TAXONOMY}. */
export const BUILT_IN_CAUSE_TAXONOMIES: readonly CauseTaxonomy[] = /* @__PURE__ */ Object.freeze([IT_CAUSE_TAXONOMY, RCA2_CAUSE_TAXONOMY]);

const nameSchema = /* @__PURE__ */ z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Ids start with a letter and hold letters, digits, _ or - (at most 64).');

/** A host's cause taxonomy, as `createIncidentEngine({ causeTaxonomies })` checks it. @internal */
export const causeTaxonomySchema = /* @__PURE__ */ (() => z.strictObject({
  id: nameSchema,
  title: text(LIMITS.title),
  categories: z
    .array(z.strictObject({ id: nameSchema, title: text(LIMITS.title), description: text(LIMITS.shortText).optional() }))
    .min(1, 'A taxonomy needs at least one category.')
    .max(LIMITS.list)
    .refine((categories) => new Set(categories.map((c) => c.id)).size === categories.length, { message: 'Category ids must be unique within a taxonomy.' }),
}))();
