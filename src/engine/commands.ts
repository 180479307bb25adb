import { z } from 'zod';
import { actorSchema, type Actor } from '../model/actor.js';
import { INCIDENT_STATUSES, USER_LINK_KINDS } from '../model/incident.js';
import { fieldsSchema, idSchema, labelsSchema, LIMITS, text, timestampSchema } from '../model/primitives.js';
import { severitySchema, type SeverityScale } from '../model/severity.js';
import { nistTagsSchema } from '../model/nistCsf.js';
import type { ListQuery } from '../storage/types.js';

/** What `updateActionItem` may change. */
const ACTION_ITEM_EDITS = ['status', 'title', 'owner', 'dueAt', 'kind', 'strength'] as const;

const roleSchema = /* @__PURE__ */ z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Role names start with a letter and hold letters, digits, - or _ (at most 64).');

const assigneeSchema = /* @__PURE__ */ (() => z
  .union([idSchema, z.strictObject({ id: idSchema, name: text(LIMITS.name).optional() })])
  .transform((a) => (typeof a === 'string' ? { id: a } : a.name === undefined ? { id: a.id } : { id: a.id, name: a.name })))();

/** Names of incident types, regimes, phases, triggers and status labels. */
const nameSchema = /* @__PURE__ */ z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Names start with a letter and hold letters, digits, _ or - (at most 64).');

/** The optional `nist` field of the commands that record an event: NIST CSF 2.0 tags stored on it. */
const tagged = /* @__PURE__ */ (() => ({ nist: nistTagsSchema.optional() }))();

function oneOrMany<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.array(schema).min(1).max(LIMITS.list)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);
}

/**
 * Builds the zod schemas of every command for the engine's severity scale; `listLevels` are
 * the levels `list` filters accept (every scale of the engine's incident types too).
 */
export function commandSchemas(scale: SeverityScale, listLevels: readonly string[] = scale.levels) {
  const severity = severitySchema(scale);
  const anySeverity = severitySchema({ levels: listLevels });
  const declareShape = {
    title: text(LIMITS.title),
    severity,
    service: text(LIMITS.name).optional(),
    summary: text(LIMITS.text).optional(),
    startedAt: timestampSchema.optional(),
    dedupKey: text(LIMITS.id).optional(),
    labels: labelsSchema.optional(),
    fields: fieldsSchema.optional(),
    actor: actorSchema,
    /** A drill: notifications reach only drillSafe notifiers; metrics leave it out. */
    drill: z.boolean().optional(),
    subjectId: text(LIMITS.id).optional(),
  };
  return {
    declare: z.strictObject({ ...declareShape, type: z.undefined().optional() }),
    /** `declare` with an incident type: the severity is checked against the type's scale, the fields by its schema. */
    declareTyped: z.strictObject({ ...declareShape, type: nameSchema, severity: text(LIMITS.name) }),
    updateFields: z.strictObject({ fields: fieldsSchema, actor: actorSchema }),
    setStatusLabel: z.strictObject({ label: nameSchema, actor: actorSchema }),
    startClock: z.strictObject({ regime: nameSchema, trigger: nameSchema, at: timestampSchema.optional(), actor: actorSchema }),
    fileReport: z.strictObject({
      regime: nameSchema,
      phase: nameSchema,
      at: timestampSchema.optional(),
      reference: text(LIMITS.shortText).optional(),
      reasonForDelay: text(LIMITS.text).optional(),
      actor: actorSchema,
    }),
    read: z.strictObject({ actor: actorSchema.optional() }).default({}),
    timeline: z
      .strictObject({
        actor: actorSchema.optional(),
        afterSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      })
      .default({}),
    alerts: z
      .strictObject({
        actor: actorSchema.optional(),
        limit: z.number().int().min(1).max(1_000).default(100),
        cursor: z.string().max(1_000).optional(),
      })
      .default({ limit: 100 }),
    verifyTimeline: z
      .strictObject({
        actor: actorSchema.optional(),
        anchor: z
          .strictObject({ incidentId: idSchema.optional(), seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), hash: z.string().regex(/^[0-9a-f]{64}$/, 'A SHA-256 hash in lowercase hex (64 characters).') })
          .optional(),
      })
      .default({}),
    acknowledge: z.strictObject({ actor: actorSchema, ...tagged }),
    assignRole: z.strictObject({ role: roleSchema, assignee: assigneeSchema, actor: actorSchema }),
    // Checked against the incident's own scale (its type's, or the engine's) when it is loaded.
    setSeverity: z.strictObject({ severity: text(LIMITS.name), reason: text(LIMITS.shortText).optional(), actor: actorSchema, ...tagged }),
    addNote: z.strictObject({ text: text(LIMITS.text), actor: actorSchema, ...tagged }),
    postUpdate: z.strictObject({
      audience: z.enum(['internal', 'stakeholders', 'public']),
      message: text(LIMITS.text),
      actor: actorSchema,
      ...tagged,
    }),
    mitigate: z.strictObject({ summary: text(LIMITS.text), actor: actorSchema, ...tagged }),
    recordRootCause: z.strictObject({
      summary: text(LIMITS.text),
      contributingFactors: z.array(text(LIMITS.shortText)).max(LIMITS.list).optional(),
      actor: actorSchema,
      // Categories are checked against the taxonomy by the investigation feature.
      causes: z
        .array(z.strictObject({ category: nameSchema, description: text(LIMITS.shortText), contributing: z.boolean().optional() }))
        .max(LIMITS.list)
        .optional(),
      taxonomy: nameSchema.optional(),
      ...tagged,
    }),
    resolve: z.strictObject({ summary: text(LIMITS.text).optional(), actor: actorSchema, ...tagged }),
    reopen: z.strictObject({ reason: text(LIMITS.shortText), actor: actorSchema, ...tagged }),
    startReview: z.strictObject({ owner: idSchema.optional(), actor: actorSchema }),
    completeReview: z.strictObject({ summary: text(LIMITS.text).optional(), actor: actorSchema }),
    addActionItem: z.strictObject({
      title: text(LIMITS.title),
      owner: idSchema.optional(),
      dueAt: timestampSchema.optional(),
      kind: z.enum(['prevent', 'mitigate', 'detect', 'process']).optional(),
      strength: z.enum(['stronger', 'intermediate', 'weaker']).optional(),
      actor: actorSchema,
    }),
    updateActionItem: z
      .strictObject({
        actionItemId: idSchema,
        status: z.enum(['open', 'in_progress', 'done', 'wont_do']).optional(),
        actor: actorSchema,
        title: text(LIMITS.title).optional(),
        owner: idSchema.nullable().optional(),
        dueAt: timestampSchema.nullable().optional(),
        kind: z.enum(['prevent', 'mitigate', 'detect', 'process']).nullable().optional(),
        strength: z.enum(['stronger', 'intermediate', 'weaker']).nullable().optional(),
      })
      .refine((v) => ACTION_ITEM_EDITS.some((key) => v[key] !== undefined), {
        message: `Give at least one of ${ACTION_ITEM_EDITS.join(', ')} to change.`,
        path: ['status'],
      }),
    close: z.strictObject({ actor: actorSchema, ...tagged }),
    escalate: z.strictObject({ level: z.number().int().min(1).max(20).optional(), actor: actorSchema, ...tagged }),
    cancel: z.strictObject({
      reason: z.enum(['false_positive', 'duplicate', 'declined']),
      mergedInto: idSchema.optional(),
      actor: actorSchema,
      ...tagged,
    }),
    link: z.strictObject({ to: idSchema, kind: z.enum(USER_LINK_KINDS), actor: actorSchema }),
    merge: z.strictObject({ into: idSchema, actor: actorSchema }),
    unmerge: z.strictObject({ actor: actorSchema }),
    importIncident: z
      .strictObject({
        /** The new incident's id (default: a fresh one): importing the same id again fails with VERSION_CONFLICT, so a re-run imports nothing twice. */
        id: idSchema.optional(),
        title: text(LIMITS.title),
        severity,
        service: text(LIMITS.name).optional(),
        services: z.array(text(LIMITS.name)).max(LIMITS.list).optional(),
        summary: text(LIMITS.text).optional(),
        rootCause: text(LIMITS.text).optional(),
        milestones: z.strictObject({
          startedAt: timestampSchema.optional(),
          detectedAt: timestampSchema,
          acknowledgedAt: timestampSchema.optional(),
          mitigatedAt: timestampSchema.optional(),
          diagnosedAt: timestampSchema.optional(),
          resolvedAt: timestampSchema.optional(),
          closedAt: timestampSchema.optional(),
        }),
        labels: labelsSchema.optional(),
        fields: fieldsSchema.optional(),
        allowUnordered: z.boolean().default(false),
        actor: actorSchema,
        /** A drill recorded after the fact (metrics leave it out). */
        drill: z.boolean().optional(),
      })
      .refine((v) => v.milestones.closedAt === undefined || v.milestones.resolvedAt !== undefined, {
        message: 'An imported incident with closedAt needs resolvedAt too.',
        path: ['milestones', 'closedAt'],
      }),
    list: z
      .strictObject({
        status: oneOrMany(z.enum(INCIDENT_STATUSES)).optional(),
        severity: oneOrMany(anySeverity).optional(),
        service: oneOrMany(text(LIMITS.name)).optional(),
        open: z.boolean().optional(),
        /** Only incidents detected at or after this time (inclusive). */
        from: timestampSchema.optional(),
        /** Only incidents detected before this time (exclusive). */
        to: timestampSchema.optional(),
        limit: z.number().int().min(1).max(500).default(50),
        cursor: z.string().max(1_000).optional(),
      })
      // Both are canonical ISO-8601 UTC strings here, so they compare as strings.
      .refine((v) => v.from === undefined || v.to === undefined || v.from <= v.to, {
        message: '`from` must not be later than `to` (from is inclusive, to exclusive).',
        path: ['from'],
      })
      .default({ limit: 50 }),
    incidentId: idSchema,
  };
}

/** The command schemas of one engine. */
export type CommandSchemas = ReturnType<typeof commandSchemas>;

/** Input of `engine.declare` for an incident without a type. */
export type UntypedDeclareInput = z.input<CommandSchemas['declare']>;
/** Input of `engine.updateFields`. */
export type UpdateFieldsInput = z.input<CommandSchemas['updateFields']>;
/** Input of `engine.setStatusLabel`. */
export type SetStatusLabelInput = z.input<CommandSchemas['setStatusLabel']>;
/** Input of `engine.startClock`. */
export type StartClockInput = z.input<CommandSchemas['startClock']>;
/** Input of `engine.fileReport`. */
export type FileReportInput = z.input<CommandSchemas['fileReport']>;
/** Options of the engine's reads: who is reading, for the host's `authorize`. */
export type ReadOptions = z.input<CommandSchemas['read']>;
/**
 * Options of `engine.timeline`: who is reading, and optionally one page of the timeline: the
 * events after `afterSeq` (default `0`, from the first), at most `limit` of them (1–10 000;
 * default: all that follow).
 */
export type TimelineOptions = z.input<CommandSchemas['timeline']>;
/**
 * Options of `engine.alerts`: who is reading, and which page: at most `limit` alerts (1–1 000,
 * default 100) after the `cursor` of a previous page (default: from the first alert).
 */
export type AlertsOptions = z.input<CommandSchemas['alerts']>;
/** Options of `engine.verifyTimeline`: who is reading, and an anchor kept outside the database (`engine.anchor`). */
export type VerifyTimelineOptions = z.input<CommandSchemas['verifyTimeline']>;
/** Input of `engine.acknowledge`. */
export type AcknowledgeInput = z.input<CommandSchemas['acknowledge']>;
/** Input of `engine.assignRole`. */
export type AssignRoleInput = z.input<CommandSchemas['assignRole']>;
/** Input of `engine.setSeverity`. */
export type SetSeverityInput = z.input<CommandSchemas['setSeverity']>;
/** Input of `engine.addNote`. */
export type AddNoteInput = z.input<CommandSchemas['addNote']>;
/** Input of `engine.postUpdate`. */
export type PostUpdateInput = z.input<CommandSchemas['postUpdate']>;
/** Input of `engine.mitigate`. */
export type MitigateInput = z.input<CommandSchemas['mitigate']>;
/** Input of `engine.recordRootCause`. */
export type RecordRootCauseInput = z.input<CommandSchemas['recordRootCause']>;
/** Input of `engine.resolve`. */
export type ResolveInput = z.input<CommandSchemas['resolve']>;
/** Input of `engine.reopen`. */
export type ReopenInput = z.input<CommandSchemas['reopen']>;
/** Input of `engine.startReview`. */
export type StartReviewInput = z.input<CommandSchemas['startReview']>;
/** Input of `engine.completeReview`. */
export type CompleteReviewInput = z.input<CommandSchemas['completeReview']>;
/** Input of `engine.addActionItem`. */
export type AddActionItemInput = z.input<CommandSchemas['addActionItem']>;
/** Input of `engine.updateActionItem`. */
export type UpdateActionItemInput = z.input<CommandSchemas['updateActionItem']>;
/** Input of `engine.close`. */
export type CloseInput = z.input<CommandSchemas['close']>;
/** Input of `engine.cancel`. */
export type CancelInput = z.input<CommandSchemas['cancel']>;
/** Input of `engine.link`: the other incident and how this one relates to it. */
export type LinkInput = z.input<CommandSchemas['link']>;
/** Input of `engine.merge`: the incident to merge into. */
export type MergeInput = z.input<CommandSchemas['merge']>;
/** Input of `engine.unmerge`. */
export type UnmergeInput = z.input<CommandSchemas['unmerge']>;
/** Input of `engine.escalate`. */
export type EscalateInput = z.input<CommandSchemas['escalate']>;
/** Input of `engine.importIncident`. */
export type ImportIncidentInput = z.input<CommandSchemas['importIncident']>;
/** Filters and paging of `engine.list`. */
export type ListInput = z.input<CommandSchemas['list']>;
/** Filters of `engine.scan`: those of `list` without paging. */
export type ScanFilter = Omit<NonNullable<ListInput>, 'cursor' | 'limit'>;

/** The store's {@link ListQuery} for a parsed `list` input (absent filters left out). */
export function toListQuery(query: z.output<CommandSchemas['list']>): ListQuery {
  return {
    limit: query.limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.severity === undefined ? {} : { severity: query.severity }),
    ...(query.service === undefined ? {} : { service: query.service }),
    ...(query.open === undefined ? {} : { open: query.open }),
    ...(query.from === undefined ? {} : { detectedFrom: query.from }),
    ...(query.to === undefined ? {} : { detectedTo: query.to }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  };
}

/** A command's validated input as `authorize` sees it: everything but the actor. */
export function withoutActor(parsed: { readonly actor: Actor }): Readonly<Record<string, unknown>> {
  const { actor: _actor, ...input } = parsed;
  return input;
}
