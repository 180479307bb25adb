/**
 * The just-culture assessment of the people involved in an incident (human error, at-risk
 * behaviour, reckless behaviour), kept apart from the incident: a versioned record, not part of
 * the incident, its timeline, notifications, exports or the postmortem.
 */
import { z } from 'zod';
import { builtInFeature, type EngineCore } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import type { AuthorizeAction } from '../../engine/types.js';
import { ForbiddenError } from '../../errors.js';
import { parseInput } from '../../kernel/parse.js';
import { actorSchema, type Actor, type ActorInput } from '../../model/actor.js';
import { idSchema, text, type JsonValue } from '../../model/primitives.js';
import { requireRecords, retryOnRecordConflict } from '../../storage/records.js';
import type { StoredRecord } from '../../storage/types.js';

/** The behaviours of the just culture model (David Marx; the Just Culture algorithm). */
export const JUST_CULTURE_BEHAVIOURS = ['human_error', 'at_risk_behaviour', 'reckless_behaviour'] as const;

/**
 * `human_error` (an inadvertent slip, lapse or mistake: console), `at_risk_behaviour` (a choice
 * whose risk was not recognised or was believed justified: coach), `reckless_behaviour` (a
 * conscious disregard of a substantial and unjustifiable risk: sanction).
 */
export type JustCultureBehaviour = (typeof JUST_CULTURE_BEHAVIOURS)[number];

/** One version of an incident's just-culture assessment. */
export interface JustCultureAssessment {
  readonly incidentId: string;
  readonly behaviour: JustCultureBehaviour;
  readonly rationale: string;
  /** Who assessed it (the actor of `assess`). */
  readonly assessor: Actor;
  readonly assessedAt: string;
  /** `1` for the first assessment; each revision adds one. */
  readonly version: number;
}

/** The methods of `engine.justCulture`. */
export interface JustCultureApi {
  readonly justCulture: {
    /**
     * Records (or revises) the just-culture assessment of an incident. Asks `authorize` about
     * `justCulture.write`; refused without an `authorize` hook, as the assessment is restricted.
     * Pass `expectedVersion` to revise only the version you read.
     *
     * @throws ForbiddenError (`FORBIDDEN`) unless `authorize` allows `justCulture.write`.
     * @throws NotFoundError (`NOT_FOUND`) for an unknown incident.
     * @throws ValidationError (`VALIDATION_FAILED`) for bad input.
     * @throws RecordConflictError (`VERSION_CONFLICT`) when `expectedVersion` is not the current version.
     */
    assess(
      incidentId: string,
      input: { readonly behaviour: JustCultureBehaviour; readonly rationale: string; readonly actor: ActorInput; readonly expectedVersion?: number },
    ): Promise<JustCultureAssessment>;
    /**
     * The current assessment, or `undefined` when there is none. Asks `authorize` about
     * `justCulture.read`; refused without an `authorize` hook.
     *
     * @throws ForbiddenError (`FORBIDDEN`) unless `authorize` allows `justCulture.read`.
     * @throws NotFoundError (`NOT_FOUND`) for an unknown incident.
     */
    get(incidentId: string, options: { readonly actor: ActorInput }): Promise<JustCultureAssessment | undefined>;
    /**
     * Every version of the assessment, oldest first (`justCulture.read`).
     *
     * @throws ForbiddenError (`FORBIDDEN`) unless `authorize` allows `justCulture.read`.
     * @throws NotFoundError (`NOT_FOUND`) for an unknown incident.
     */
    history(incidentId: string, options: { readonly actor: ActorInput }): Promise<readonly JustCultureAssessment[]>;
  };
}

const KIND = 'justCulture';

const schemas = /* @__PURE__ */ (() => ({
  assess: z.strictObject({
    incidentId: idSchema,
    behaviour: z.enum(JUST_CULTURE_BEHAVIOURS),
    rationale: text(10_000),
    actor: actorSchema,
    expectedVersion: z.int().min(0).optional(),
  }),
  read: z.strictObject({ incidentId: idSchema, actor: actorSchema }),
}))();

function assessmentOf(record: StoredRecord): JustCultureAssessment {
  const value = record.value as unknown as { behaviour: JustCultureBehaviour; rationale: string; assessor: Actor; assessedAt: string };
  return { incidentId: record.id, behaviour: value.behaviour, rationale: value.rationale, assessor: value.assessor, assessedAt: value.assessedAt, version: record.version };
}

/** Asks `authorize`, refusing when the host has none: the assessment is never open to everyone. */
async function allow(core: EngineCore, actor: Actor, action: AuthorizeAction, incidentId: string): Promise<void> {
  const { incident } = await core.load(incidentId);
  if (!core.authorizes) throw new ForbiddenError({ action, actorId: actor.id, tenantId: core.tenantId, incidentId });
  await core.authorize(actor, action, incident, { incidentId });
}

/**
 * Just culture: `engine.justCulture.assess`, `get` and `history`, over versioned records.
 *
 * @internal
 */
export function justCultureFeature(): IncidentFeature<'justCulture', JustCultureApi> {
  return builtInFeature({
    name: 'justCulture',
    setup(core) {
      const records = () => requireRecords(core.store, 'engine.justCulture');
      const justCulture: JustCultureApi['justCulture'] = {
        async assess(incidentId, input) {
          const { actor, behaviour, rationale, expectedVersion } = parseInput(schemas.assess, { ...input, incidentId }, 'justCulture.assess');
          await allow(core, actor, 'justCulture.write', incidentId);
          const written = await retryOnRecordConflict(
            async () => {
              const version = expectedVersion ?? (await records().getRecord(core.tenantId, KIND, incidentId))?.version ?? 0;
              const assessedAt = core.now();
              const value = { behaviour, rationale, assessor: actor, assessedAt } as unknown as JsonValue;
              return records().putRecord({ tenantId: core.tenantId, kind: KIND, id: incidentId, expectedVersion: version, value, at: assessedAt, actor });
            },
            { pinned: expectedVersion !== undefined },
          );
          return assessmentOf(written);
        },
        async get(incidentId, options) {
          const { actor } = parseInput(schemas.read, { ...options, incidentId }, 'justCulture.get');
          await allow(core, actor, 'justCulture.read', incidentId);
          const record = await records().getRecord(core.tenantId, KIND, incidentId);
          return record === undefined || record.deleted === true ? undefined : assessmentOf(record);
        },
        async history(incidentId, options) {
          const { actor } = parseInput(schemas.read, { ...options, incidentId }, 'justCulture.history');
          await allow(core, actor, 'justCulture.read', incidentId);
          return (await records().recordHistory(core.tenantId, KIND, incidentId)).filter((record) => record.deleted !== true).map(assessmentOf);
        },
      };
      return { api: { justCulture } };
    },
  });
}
