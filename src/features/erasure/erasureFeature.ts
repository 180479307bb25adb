/**
 * Erasable personal data (crypto-shredding): sensitive fields sealed per data subject with the
 * host's keyring, opened on reads, and `engine.erase`, which destroys the subject's key.
 */
import { z } from 'zod';
import { ConfigError, EncryptionError, ValidationError, isIncidentKitError } from '../../errors.js';
import { builtInFeature } from '../../engine/core.js';
import type { EngineCore } from '../../engine/engineCore.js';
import type { FieldSealing, IncidentFeature } from '../../engine/feature.js';
import { parseInput } from '../../kernel/parse.js';
import { actorSchema } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import type { JsonValue } from '../../model/primitives.js';
import { LIMITS, text } from '../../model/primitives.js';
import { requireRecords } from '../../storage/records.js';
import type { Keyring } from './keyring.js';
import { openFields, sealFields } from './sealedFields.js';

/** What `engine.erase` takes. */
export interface EraseInput {
  /** The data subject whose key to destroy (as given to `declare({ subjectId })`). */
  readonly subjectId: string;
  /** Who erases (`kind` defaults to `user`). */
  readonly actor: z.input<typeof actorSchema>;
}

/** What `engine.erase` did. */
export interface EraseResult {
  readonly subjectId: string;
  /** The incidents that recorded the erasure (`ERASED`) in this call, in the order they were declared. */
  readonly incidentIds: readonly string[];
}

/** The methods the erasure feature adds to the engine. */
export interface ErasureApi {
  /**
   * Erases a data subject's personal data: destroys the subject's key in the keyring, so every
   * sensitive field sealed with it, in every incident, reads `[erased]` from then on (the
   * ciphertext stays, so `verifyTimeline` still passes), and records an `ERASED` event (that,
   * not what, was erased) on each of the subject's incidents. Authorised as `erase`.
   *
   * @remarks The key is destroyed first, then the incidents are marked: if the call fails
   * half-way, the data is already unreadable; call it again to mark the rest (incidents already
   * marked are skipped).
   *
   * @example
   * ```ts
   * import { createIncidentEngine, memoryKeyring, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore(), keyring: memoryKeyring() });
   * const { incidentIds } = await engine.erase({ subjectId: 'subj_7f3a', actor: { id: 'u_dpo', name: 'Privacy officer' } });
   * console.log(incidentIds);
   * ```
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a malformed input.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `erase`.
   * @throws ConfigError (`CONFIG_INVALID`) when the engine has no `keyring`.
   * @throws EncryptionError (`ENCRYPTION_FAILED`) when the keyring fails to destroy the key.
   */
  erase(input: EraseInput): Promise<EraseResult>;
}

/** Options of the erasure feature (`createIncidentEngine`'s). */
export interface ErasureOptions {
  /**
   * The keys of data subjects: with it, an incident's sensitive fields (its type's
   * `sensitiveFields`) are stored encrypted with the key of its `subjectId`. See
   * "Personal data and erasure" in docs/security.md.
   */
  readonly keyring?: Keyring | undefined;
}

const eraseSchema = /* @__PURE__ */ (() => z.strictObject({ subjectId: text(LIMITS.id), actor: actorSchema }))();

/** The record kind that lists a subject's incidents (id: the subject id). */
const SUBJECT_RECORD = 'dataSubject';

/** The incident ids a subject's index record lists. */
function indexed(value: JsonValue | undefined): string[] {
  const ids = typeof value === 'object' && value !== null && !Array.isArray(value) ? value.incidentIds : undefined;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** Whether any sensitive path of `fields` holds a value. */
function hasSensitiveValue(fields: Readonly<Record<string, JsonValue>>, paths: readonly string[]): boolean {
  return paths.some((path) => {
    let node: unknown = fields;
    for (const segment of path.split('.')) {
      if (Array.isArray(node)) return node.length > 0;
      if (typeof node !== 'object' || node === null) return false;
      if (segment === '*') return Object.keys(node).length > 0;
      node = (node as Record<string, unknown>)[segment];
    }
    return node !== undefined;
  });
}

/** Sealing, opening and the subject index, over the host's keyring. */
function sealing(core: EngineCore, keyring: Keyring): FieldSealing & { readonly subjectIncidents: (subjectId: string) => Promise<readonly string[]> } {
  const { tenantId } = core;
  const records = typeof core.store.putRecord === 'function' ? requireRecords(core.store, 'engine.erase') : undefined;

  /** Adds the incident to the subject's index, before the incident is written (so the index never misses one). */
  async function index(subjectId: string, incidentId: string): Promise<void> {
    if (records === undefined) return;
    for (;;) {
      const current = await records.getRecord(tenantId, SUBJECT_RECORD, subjectId);
      const ids = indexed(current?.value);
      try {
        await records.putRecord({
          tenantId,
          kind: SUBJECT_RECORD,
          id: subjectId,
          expectedVersion: current?.version ?? 0,
          value: { incidentIds: [...ids, incidentId] },
          at: core.now(),
          actor: { kind: 'system', id: 'incidentkit' },
        });
        return;
      } catch (error) {
        if (!isIncidentKitError(error, 'VERSION_CONFLICT')) throw error;
      }
    }
  }

  async function open(incident: Incident): Promise<Incident> {
    const fields = await openFields(incident.fields, { tenantId, incidentId: incident.id }, keyring, incident.erasedAt !== undefined);
    return fields === incident.fields ? incident : { ...incident, fields };
  }

  return {
    async seal({ incidentId, subjectId, fields, policy }) {
      const paths = policy.sensitiveFields ?? [];
      if (subjectId !== undefined) await index(subjectId, incidentId);
      if (paths.length === 0 || !hasSensitiveValue(fields, paths)) return fields;
      if (subjectId === undefined) {
        throw new ValidationError('declare', [
          {
            code: 'custom',
            path: ['subjectId'],
            message: `The fields ${paths.map((p) => `'${p}'`).join(', ')} are sensitive and this engine encrypts them per data subject: pass the subjectId whose key seals them`,
          },
        ]);
      }
      return sealFields(fields, paths, { tenantId, incidentId, subjectId }, keyring);
    },
    open: (incidents) => Promise.all(incidents.map(open)),
    async openEvents(incident, events) {
      const erased = incident.erasedAt !== undefined;
      return Promise.all(
        events.map(async (event) => {
          const fields = event.data.fields;
          if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return event;
          const opened = await openFields(fields, { tenantId, incidentId: incident.id }, keyring, erased);
          return opened === fields ? event : { ...event, data: { ...event.data, fields: opened } };
        }),
      );
    },
    async subjectIncidents(subjectId) {
      if (records !== undefined) {
        return indexed((await records.getRecord(tenantId, SUBJECT_RECORD, subjectId))?.value);
      }
      // A store without records: every incident is read once (see docs/security.md).
      const ids: string[] = [];
      for await (const incident of core.scan()) if (incident.subjectId === subjectId) ids.push(incident.id);
      return ids.reverse();
    },
  };
}

/**
 * Crypto-shredding: sensitive fields sealed per data subject with `options.keyring`, and `engine.erase`.
 *
 * @internal
 */
export function erasureFeature(options: ErasureOptions): IncidentFeature<'erasure', ErasureApi> {
  return builtInFeature({
    name: 'erasure',
    events: ['ERASE'],
    slice: ['subjectId', 'erasedAt'],
    setup(core) {
      const keyring = options.keyring;
      if (keyring === undefined) {
        return {
          api: {
            erase(input) {
              parseInput(eraseSchema, input, 'erase');
              return Promise.reject(new ConfigError('erase', [{ code: 'no_keyring', path: ['keyring'], message: 'engine.erase needs a keyring: pass createIncidentEngine({ keyring })' }]));
            },
          },
        };
      }
      const fields = sealing(core, keyring);
      const api: ErasureApi = {
        async erase(input) {
          const { subjectId, actor } = parseInput(eraseSchema, input, 'erase');
          await core.authorize(actor, 'erase', undefined, { subjectId });
          const candidates = await fields.subjectIncidents(subjectId);
          try {
            await keyring.destroy(subjectId);
          } catch (error) {
            throw new EncryptionError({ subjectId, reason: 'keyring_failed' }, error);
          }
          const incidentIds: string[] = [];
          for (const incidentId of new Set(candidates)) {
            try {
              await core.command(incidentId, actor, (stored) => {
                if (stored.incident.subjectId !== subjectId || stored.incident.erasedAt !== undefined) throw new Skip();
                return { type: 'ERASE', subjectId };
              }, undefined);
              incidentIds.push(incidentId);
            } catch (error) {
              // Indexed before it was written (a create that then failed), or already erased: nothing to record.
              if (!(error instanceof Skip) && !isIncidentKitError(error, 'NOT_FOUND')) throw error;
            }
          }
          return { subjectId, incidentIds };
        },
      };
      return {
        api,
        fields,
        read: (incidents) => fields.open(incidents),
        // An update re-seals what changed; unchanged values keep their envelopes (and an erased value stays erased).
        async commandEvent(draft, stored) {
          if (draft.type !== 'UPDATE_FIELDS') return draft;
          const { incident } = stored;
          const paths = incident.policy.sensitiveFields ?? [];
          if (paths.length === 0 || incident.subjectId === undefined) return draft;
          const [opened] = await fields.open([incident]);
          const scope = { tenantId: core.tenantId, incidentId: incident.id, subjectId: incident.subjectId };
          // An erased subject gets no new key: its erased values stay erased, and a new value is refused.
          const keys: Keyring = incident.erasedAt === undefined ? keyring : { get: () => undefined, create: () => refuseErased(incident), destroy: () => undefined };
          const sealed = await sealFields(draft.fields, paths, scope, keys, { sealed: incident.fields, opened: opened?.fields ?? incident.fields });
          return { ...draft, fields: sealed };
        },
      };
    },
  });
}

/** Refuses a new sensitive value for an incident whose subject was erased. */
function refuseErased(incident: Incident): never {
  throw new ValidationError('updateFields', [
    { code: 'custom', path: ['fields'], message: `Incident ${incident.id}'s personal data was erased (${incident.erasedAt ?? ''}); its sensitive fields take no new values` },
  ]);
}

/** Thrown inside a build to leave an incident alone. */
class Skip extends Error {}
