/**
 * The investigation feature: hypotheses and their outcomes (`engine.addHypothesis`,
 * `engine.updateHypothesis`), evidence by reference (`engine.addEvidence`), milestone
 * corrections on live incidents (`engine.correctMilestone`), and the cause taxonomies that
 * `engine.recordRootCause` draws causes from.
 */

import { z } from 'zod';
import { ConfigError, NotFoundError, ValidationError } from '../../errors.js';
import { builtInFeature, runIncidentCommand } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { parseConfig, parseInput } from '../../kernel/parse.js';
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import { milestoneCorrectionProblem } from '../../lifecycle/milestoneOrder.js';
import { actorSchema } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { CORRECTABLE_MILESTONES, EVIDENCE_KINDS, HYPOTHESIS_STATUSES, type CauseTaxonomy } from '../../model/investigation.js';
import { hasNul, idSchema, LIMITS, NUL_MESSAGE, text, timestampSchema } from '../../model/primitives.js';
import { BUILT_IN_CAUSE_TAXONOMIES, causeTaxonomySchema } from '../../model/causeTaxonomies.js';
import { nistTagsSchema } from '../../model/nistCsf.js';

/** Options of `createIncidentEngine` for the investigation. */
export interface InvestigationOptions {
  /**
   * Cause taxonomies of the host, besides the built-in `it` and `rca2` ones (a taxonomy with one
   * of their ids replaces it). `engine.recordRootCause({ causes })` draws categories from one.
   */
  readonly causeTaxonomies?: readonly CauseTaxonomy[];
  /** The taxonomy of a `recordRootCause` that names none. Default: `it`. */
  readonly defaultCauseTaxonomy?: string;
}

/** The longest evidence URI accepted. */
const MAX_URI = 2_048;

/** Schemes that carry content or run code instead of pointing to it. */
const REFUSED_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:']);

const uriSchema = /* @__PURE__ */ (() => z
  .string()
  .trim()
  .min(1, 'Must not be empty.')
  .max(MAX_URI, `Must be at most ${String(MAX_URI)} characters.`)
  .superRefine((value, ctx) => {
    if (hasNul(value)) {
      ctx.addIssue({ code: 'custom', message: NUL_MESSAGE });
      return;
    }
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (url === undefined) {
      ctx.addIssue({ code: 'custom', message: `'${value.slice(0, 80)}' is not an absolute URI; give one with a scheme, e.g. https://grafana.example.com/d/abc or s3://forensics/host-7.img.` });
    } else if (REFUSED_SCHEMES.has(url.protocol)) {
      ctx.addIssue({ code: 'custom', message: `Evidence is kept by reference: a ${url.protocol} URI holds content or code instead of pointing to it; store the content elsewhere and give its URI.` });
    }
  }))();

const sha256Schema = /* @__PURE__ */ z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'A SHA-256 digest is 64 hexadecimal characters (as sha256sum prints it).')
  .transform((value) => value.toLowerCase());

const schemas = /* @__PURE__ */ (() => ({
  addHypothesis: z.strictObject({ statement: text(LIMITS.shortText), actor: actorSchema, nist: nistTagsSchema.optional() }),
  updateHypothesis: z.strictObject({
    hypothesisId: idSchema,
    status: z.enum(HYPOTHESIS_STATUSES),
    evidence: z
      .union([idSchema, z.array(idSchema).max(LIMITS.list)])
      .transform((v) => [...new Set(Array.isArray(v) ? v : [v])])
      .optional(),
    note: text(LIMITS.shortText).optional(),
    actor: actorSchema,
    nist: nistTagsSchema.optional(),
  }),
  addEvidence: z.strictObject({
    kind: z.enum(EVIDENCE_KINDS),
    uri: uriSchema,
    sha256: sha256Schema.optional(),
    note: text(LIMITS.text),
    actor: actorSchema,
    nist: nistTagsSchema.optional(),
  }),
  correctMilestone: z.strictObject({
    milestone: z.enum(CORRECTABLE_MILESTONES),
    at: timestampSchema,
    reason: text(LIMITS.shortText),
    actor: actorSchema,
  }),
  options: z.strictObject({
    causeTaxonomies: z.array(causeTaxonomySchema).max(LIMITS.list).optional(),
    defaultCauseTaxonomy: z.string().optional(),
  }),
}))();

/** Input of `engine.addHypothesis`. */
export type AddHypothesisInput = z.input<typeof schemas.addHypothesis>;
/** Input of `engine.updateHypothesis`. */
export type UpdateHypothesisInput = z.input<typeof schemas.updateHypothesis>;
/** Input of `engine.addEvidence`. */
export type AddEvidenceInput = z.input<typeof schemas.addEvidence>;
/** Input of `engine.correctMilestone`. */
export type CorrectMilestoneInput = z.input<typeof schemas.correctMilestone>;

/** The methods the investigation feature adds to the engine. */
export interface InvestigationApi {
  /**
   * Adds a hypothesis to the investigation, `open` until {@link InvestigationApi.updateHypothesis}
   * confirms or rules it out: `HYPOTHESIS_ADDED` on the timeline, the hypothesis on `incident.hypotheses`.
   *
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const actor = { id: 'u_ada' };
   * const incident = await engine.declare({ title: 'Checkout slow', severity: 'SEV2', actor });
   * const withHypothesis = await engine.addHypothesis(incident.id, { statement: 'The DB connection pool is exhausted', actor });
   * console.log(withHypothesis.hypotheses?.[0]?.status); // 'open'
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`) · NotFoundError (`NOT_FOUND`) · InvalidTransitionError
   * (`INVALID_TRANSITION`, a closed or canceled incident) · ForbiddenError (`FORBIDDEN`, action `addHypothesis`).
   */
  addHypothesis(id: string, input: AddHypothesisInput): Promise<Incident>;
  /**
   * Sets a hypothesis's status (`open`, `confirmed`, `ruled_out`), naming the evidence
   * (`incident.evidence` ids) and a note in support: `HYPOTHESIS_UPDATED` on the timeline with
   * the status before.
   *
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const actor = { id: 'u_ada' };
   * const { id } = await engine.declare({ title: 'Checkout slow', severity: 'SEV2', actor });
   * const hypothesisId = (await engine.addHypothesis(id, { statement: 'Pool exhausted', actor })).hypotheses![0]!.id;
   * const evidenceId = (await engine.addEvidence(id, { kind: 'link', uri: 'https://grafana.example.com/d/db', note: 'Pool at 100% since 09:02', actor })).evidence![0]!.id;
   * await engine.updateHypothesis(id, { hypothesisId, status: 'confirmed', evidence: [evidenceId], actor });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`) · NotFoundError (`NOT_FOUND`, the incident, the
   * hypothesis or a piece of evidence) · InvalidTransitionError (`INVALID_TRANSITION`) · ForbiddenError
   * (`FORBIDDEN`, action `updateHypothesis`).
   */
  updateHypothesis(id: string, input: UpdateHypothesisInput): Promise<Incident>;
  /**
   * Records a piece of evidence by reference — a `link`, a `log` excerpt or an `attachment` kept
   * elsewhere — with an optional SHA-256 of its bytes: `EVIDENCE_ADDED` on the hash-chained
   * timeline (who added what, when: a chain of custody), the evidence on `incident.evidence`.
   *
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const actor = { id: 'u_ada' };
   * const { id } = await engine.declare({ title: 'Suspicious login', severity: 'SEV1', actor });
   * await engine.addEvidence(id, {
   *   kind: 'attachment',
   *   uri: 's3://forensics/host-7/memory.img',
   *   sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
   *   note: 'Memory image of host-7, taken 10:42 UTC',
   *   actor,
   * });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`): not an absolute URI, a `javascript:` or `data:` URI,
   * a `sha256` that is not 64 hex characters, a missing note · NotFoundError (`NOT_FOUND`) ·
   * InvalidTransitionError (`INVALID_TRANSITION`) · ForbiddenError (`FORBIDDEN`, action `addEvidence`).
   */
  addEvidence(id: string, input: AddEvidenceInput): Promise<Incident>;
  /**
   * Corrects a milestone of a live (not closed or canceled) incident, e.g. impact began earlier
   * than declared: `MILESTONE_CORRECTED` on the timeline with the time before and the reason.
   * Milestones stay chronological: `startedAt ≤ detectedAt ≤ acknowledgedAt ≤ mitigatedAt ≤
   * resolvedAt ≤ reviewStartedAt`, and `diagnosedAt` no earlier than `detectedAt`.
   *
   * @remarks Timers already set (escalations, response targets) keep their times.
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const actor = { id: 'u_ada' };
   * const { id, detectedAt } = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
   * const started = new Date(Date.parse(detectedAt) - 20 * 60_000);
   * await engine.correctMilestone(id, { milestone: 'startedAt', at: started, reason: 'Error rate rose at 09:40 in the logs', actor });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`): the milestone has not happened, the time is in
   * the future or would break the order (the message names the neighbour) · NotFoundError
   * (`NOT_FOUND`) · InvalidTransitionError (`INVALID_TRANSITION`, a closed or canceled incident) ·
   * ForbiddenError (`FORBIDDEN`, action `correctMilestone`).
   */
  correctMilestone(id: string, input: CorrectMilestoneInput): Promise<Incident>;
}

/** The taxonomies in force: the built-in ones, replaced or joined by the host's, and the default. */
function taxonomiesOf(options: InvestigationOptions): { readonly byId: ReadonlyMap<string, CauseTaxonomy>; readonly defaultId: string } {
  const parsed = parseConfig(schemas.options, { causeTaxonomies: options.causeTaxonomies, defaultCauseTaxonomy: options.defaultCauseTaxonomy }, 'createIncidentEngine');
  const byId = new Map<string, CauseTaxonomy>(BUILT_IN_CAUSE_TAXONOMIES.map((t) => [t.id, t]));
  const own = (parsed.causeTaxonomies ?? []) as readonly CauseTaxonomy[];
  const seen = new Set<string>();
  for (const [index, taxonomy] of own.entries()) {
    if (seen.has(taxonomy.id)) {
      throw new ConfigError('createIncidentEngine', [{ code: 'custom', path: ['causeTaxonomies', index, 'id'], message: `Two cause taxonomies are named '${taxonomy.id}'; give each once.` }]);
    }
    seen.add(taxonomy.id);
    byId.set(taxonomy.id, taxonomy);
  }
  const defaultId = parsed.defaultCauseTaxonomy ?? 'it';
  if (!byId.has(defaultId)) {
    throw new ConfigError('createIncidentEngine', [
      { code: 'custom', path: ['defaultCauseTaxonomy'], message: `No cause taxonomy is named '${defaultId}'; the taxonomies are: ${[...byId.keys()].join(', ')}.` },
    ]);
  }
  return { byId, defaultId };
}

/**
 * Checks the causes of a `RECORD_ROOT_CAUSE` against their taxonomy, and names the default
 * taxonomy when the command named none.
 */
function checkCauses(draft: LifecycleEventDraft, taxonomies: ReturnType<typeof taxonomiesOf>): LifecycleEventDraft {
  if (draft.type !== 'RECORD_ROOT_CAUSE' || (draft.causes === undefined && draft.taxonomy === undefined)) return draft;
  const id = draft.taxonomy ?? taxonomies.defaultId;
  const taxonomy = taxonomies.byId.get(id);
  if (taxonomy === undefined) {
    throw new ValidationError('recordRootCause', [{ code: 'custom', path: ['taxonomy'], message: `No cause taxonomy is named '${id}'; the taxonomies are: ${[...taxonomies.byId.keys()].join(', ')}.` }]);
  }
  const known = new Set(taxonomy.categories.map((c) => c.id));
  const issues = (draft.causes ?? []).flatMap((cause, index) =>
    known.has(cause.category)
      ? []
      : [{ code: 'custom', path: ['causes', index, 'category'], message: `'${cause.category}' is not a category of the cause taxonomy '${taxonomy.id}' (${taxonomy.title}); its categories are: ${[...known].join(', ')}.` }],
  );
  if (issues.length > 0) throw new ValidationError('recordRootCause', issues);
  return { ...draft, taxonomy: taxonomy.id };
}

/**
 * The investigation: hypotheses, evidence, milestone corrections, and the cause taxonomies of
 * `recordRootCause`.
 *
 * @internal
 */
export function investigationFeature(options: InvestigationOptions): IncidentFeature<'investigation', InvestigationApi> {
  const taxonomies = taxonomiesOf(options);
  return builtInFeature({
    name: 'investigation',
    events: ['ADD_HYPOTHESIS', 'UPDATE_HYPOTHESIS', 'ADD_EVIDENCE', 'CORRECT_MILESTONE'],
    slice: ['hypotheses', 'evidence'],
    setup(core) {
      const { tenantId } = core;
      const newId = (prefix: string): string => core.ids('event').replace(/^evt_/, `${prefix}_`);

      const api: InvestigationApi = {
        async addHypothesis(id, input) {
          const parsed = parseInput(schemas.addHypothesis, input, 'addHypothesis');
          const hypothesisId = newId('hyp');
          return runIncidentCommand(core, 'addHypothesis', id, parsed, () => ({ type: 'ADD_HYPOTHESIS', hypothesisId, statement: parsed.statement }));
        },

        async updateHypothesis(id, input) {
          const parsed = parseInput(schemas.updateHypothesis, input, 'updateHypothesis');
          const { hypothesisId, status, evidence, note } = parsed;
          return runIncidentCommand(core, 'updateHypothesis', id, parsed, ({ incident }) => {
            const hypothesis = (incident.hypotheses ?? []).find((h) => h.id === hypothesisId);
            if (hypothesis === undefined) throw new NotFoundError({ entity: 'hypothesis', id: hypothesisId, tenantId, incidentId: incident.id });
            const missing = (evidence ?? []).find((e) => !(incident.evidence ?? []).some((known) => known.id === e));
            if (missing !== undefined) throw new NotFoundError({ entity: 'evidence', id: missing, tenantId, incidentId: incident.id });
            return {
              type: 'UPDATE_HYPOTHESIS',
              hypothesisId,
              status,
              previous: hypothesis.status,
              ...(evidence === undefined ? {} : { evidence }),
              ...(note === undefined ? {} : { note }),
            };
          });
        },

        async addEvidence(id, input) {
          const parsed = parseInput(schemas.addEvidence, input, 'addEvidence');
          const { kind, uri, sha256, note } = parsed;
          const evidenceId = newId('evd');
          return runIncidentCommand(core, 'addEvidence', id, parsed, () => ({
            type: 'ADD_EVIDENCE',
            evidenceId,
            kind,
            uri,
            ...(sha256 === undefined ? {} : { sha256 }),
            note,
          }));
        },

        async correctMilestone(id, input) {
          const parsed = parseInput(schemas.correctMilestone, input, 'correctMilestone');
          const { milestone, at: to, reason } = parsed;
          return runIncidentCommand(core, 'correctMilestone', id, parsed, ({ incident }) => {
            const previous = incident[milestone];
            // Closed and canceled incidents are refused by the machine (InvalidTransitionError).
            const live = incident.status !== 'closed' && incident.status !== 'canceled';
            const problem = live ? milestoneCorrectionProblem(incident, milestone, to, core.now()) : undefined;
            if (problem !== undefined) {
              throw new ValidationError('correctMilestone', [
                { code: 'custom', path: [previous === undefined ? 'milestone' : 'at'], message: `Incident ${incident.id} cannot take this correction: ${problem}` },
              ]);
            }
            return { type: 'CORRECT_MILESTONE', milestone, to, previous: previous ?? to, reason };
          });
        },
      };

      return { api, commandEvent: (draft) => checkCauses(draft, taxonomies) };
    },
  });
}
