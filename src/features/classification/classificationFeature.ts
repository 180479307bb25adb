import { ValidationError, ConfigError } from '../../errors.js';
import type { UntypedDeclareInput, UpdateFieldsInput, SetStatusLabelInput } from '../../engine/commands.js';
import { builtInFeature, runIncidentCommand } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { resolveEnginePolicies, type IncidentPolicies } from '../../engine/policies.js';
import { parseInput } from '../../kernel/parse.js';
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import type { Incident, IncidentPolicySnapshot } from '../../model/incident.js';
import { fieldsSchema, type JsonValue } from '../../model/primitives.js';
import { checkSeverity, type SeverityScale } from '../../model/severity.js';
import { assertStatusLabel, isStatusLabels, type StatusLabels } from '../../model/statusLabels.js';
import { createIncidentTypeRegistry, validateFields, type AnyIncidentType, type InferFieldsInput, type TypedDeclareFields } from './defineIncidentType.js';

/**
 * Input of `engine.declare`: an untyped incident, or one of the engine's incident types with
 * that type's severity scale and custom fields.
 */
export type DeclareInput<Types extends readonly AnyIncidentType[] = readonly []> =
  | UntypedDeclareInput
  | (Omit<UntypedDeclareInput, 'type' | 'severity' | 'fields'> & TypedDeclareFields<Types>);

/** Input of `engine.updateFields`, typed by the incident type `T` when given. */
export type TypedUpdateFieldsInput<T extends AnyIncidentType | undefined = undefined> = T extends AnyIncidentType
  ? Omit<UpdateFieldsInput, 'fields'> & { readonly fields: PartialFields<InferFieldsInput<T>> }
  : Omit<UpdateFieldsInput, 'fields'> & { readonly fields: Readonly<Record<string, JsonValue>> };

/** Some of a type's custom fields (what `updateFields` merges over the current ones). */
export type PartialFields<F> = F extends object ? { readonly [K in keyof F]?: F[K] } : Readonly<Record<string, JsonValue>>;

/** The classification feature's options of `createIncidentEngine`. */
export interface ClassificationOptions {
  /**
   * Incident types made with `defineIncidentType`: `declare({ type })` then takes that type's
   * severity scale, validates its custom fields, and freezes its status labels, sensitive
   * fields and policies into the incident. Without types every incident is untyped.
   */
  readonly types?: readonly AnyIncidentType[];
  /**
   * Custom status labels for untyped incidents, and for typed ones whose type defines no
   * `statuses` and uses the engine's severity scale.
   */
  readonly statusLabels?: StatusLabels;
}

/** The methods the classification feature adds to the engine. */
export interface ClassificationApi<Types extends readonly AnyIncidentType[] = readonly []> {
  /**
   * Changes custom fields: `fields` are merged over the current ones and the result is
   * validated by the incident type's schema (untyped incidents take any JSON fields). Name
   * the type for typed input: `engine.updateFields<typeof medicationError>(id, …)`.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when the merged fields fail the type's schema.
   */
  updateFields<T extends Types[number] | undefined = undefined>(id: string, input: TypedUpdateFieldsInput<T>): Promise<Incident>;
  /**
   * Sets the custom status label (e.g. `investigating`), which must apply in the incident's
   * current state. State changes keep it while it applies and otherwise switch to the new
   * state's default label (or none).
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a label the incident's type does not
   * define or that does not apply in its state (the message lists the ones that do).
   */
  setStatusLabel(id: string, input: SetStatusLabelInput): Promise<Incident>;
}

/**
 * A policy snapshot with status labels frozen in (as JSON, so replay needs no configuration).
 *
 * @throws ConfigError (`CONFIG_INVALID`) when `labels` were not made with `defineStatusLabels`.
 */
export function withStatusLabels(snapshot: IncidentPolicySnapshot, labels: StatusLabels | undefined): IncidentPolicySnapshot {
  if (labels === undefined) return snapshot;
  if (!isStatusLabels(labels)) {
    throw new ConfigError('createIncidentEngine', [
      { code: 'invalid_status_labels', path: ['statusLabels'], message: 'Make status labels with defineStatusLabels({ … }).' },
    ]);
  }
  return Object.freeze({ ...snapshot, statusLabels: JSON.parse(JSON.stringify(labels)) as StatusLabels });
}

function sameScale(a: SeverityScale, b: SeverityScale): boolean {
  return a === b || (a.name === b.name && a.levels.length === b.levels.length && a.levels.every((level, i) => level === b.levels[i]));
}

/**
 * Classification (incident types, typed fields, status labels, redaction marks): typed
 * `declare`, `updateFields`, `setStatusLabel`, and the severity scale of each incident.
 *
 * @internal
 */
export function classificationFeature(
  options: ClassificationOptions & { readonly policies?: IncidentPolicies | undefined },
): IncidentFeature<'classification', ClassificationApi<readonly AnyIncidentType[]>> {
  return builtInFeature({
    name: 'classification',
    events: ['UPDATE_FIELDS', 'SET_STATUS_LABEL'],
    slice: ['type', 'fields', 'statusLabel'],
    setup(core) {
      const { schemas } = core;
      const registry = createIncidentTypeRegistry(options.types ?? []);
      /**
       * The policy frozen into incidents of a type: the type's policies over the engine's (per
       * key; when the type has its own scale, the engine's severity-keyed policies do not carry
       * over), its status labels and its sensitive fields. Resolved once, so a bad type fails at
       * `createIncidentEngine`.
       */
      const snapshots = new Map<string, IncidentPolicySnapshot>();
      for (const type of registry.types) {
        const engine = (options.policies ?? {}) as Readonly<Record<string, unknown>>;
        const inherited = sameScale(type.severityScale, core.severityScale)
          ? engine
          : Object.fromEntries(Object.entries(engine).filter(([key]) => key === 'escalation'));
        const resolved = resolveEnginePolicies({ ...inherited, ...(type.policies ?? {}) }, type.severityScale).snapshot;
        const labels = type.statuses ?? (sameScale(type.severityScale, core.severityScale) ? options.statusLabels : undefined);
        let snapshot = withStatusLabels(resolved, labels);
        if (type.sensitiveFields.length > 0) snapshot = Object.freeze({ ...snapshot, sensitiveFields: [...type.sensitiveFields] });
        snapshots.set(type.name, snapshot);
      }

      /** The incident's type, when it has one the engine still knows. */
      function typeOf(incident: Incident): AnyIncidentType | undefined {
        return incident.type !== undefined && registry.has(incident.type) ? registry.get(incident.type) : undefined;
      }

      /** Builds `UPDATE_FIELDS`: the current fields with `fields` merged over them, validated. */
      async function fieldsUpdate(incident: Incident, fields: Readonly<Record<string, JsonValue>>): Promise<LifecycleEventDraft> {
        // Sealed sensitive fields (a keyring) are validated as their values.
        const [current] = await core.openFields([incident]);
        const merged = { ...(current ?? incident).fields, ...fields };
        const type = typeOf(incident);
        const validated =
          type === undefined
            ? parseInput(fieldsSchema, merged, 'updateFields')
            : ((await validateFields(type, merged, { subject: 'updateFields' })) as Readonly<Record<string, JsonValue>>);
        return { type: 'UPDATE_FIELDS', fields: JSON.parse(JSON.stringify(validated)) as Record<string, JsonValue>, changed: Object.keys(fields) };
      }

      /** Builds `SET_STATUS_LABEL` for a label that applies in the incident's state. */
      function statusLabel(incident: Incident, label: string): LifecycleEventDraft {
        const labels = incident.policy.statusLabels;
        if (labels === undefined) {
          throw new ValidationError('setStatusLabel', [
            {
              code: 'no_status_labels',
              path: ['label'],
              message: `Incident ${incident.id} has no status labels; define them with defineStatusLabels and pass them as an incident type's statuses or createIncidentEngine({ statusLabels }).`,
            },
          ]);
        }
        const checked = assertStatusLabel(labels, label, incident.status);
        return { type: 'SET_STATUS_LABEL', label: checked, ...(incident.statusLabel === undefined ? {} : { previous: incident.statusLabel }) };
      }

      const api: ClassificationApi<readonly AnyIncidentType[]> = {
        async updateFields(id, input) {
          const parsed = parseInput(schemas.updateFields, input, 'updateFields');
          const { fields } = parsed;
          return runIncidentCommand(core, 'updateFields', id, parsed, (stored) => fieldsUpdate(stored.incident, fields));
        },
        async setStatusLabel(id, input) {
          const parsed = parseInput(schemas.setStatusLabel, input, 'setStatusLabel');
          const { label } = parsed;
          return runIncidentCommand(core, 'setStatusLabel', id, parsed, (stored) => statusLabel(stored.incident, label));
        },
      };

      return {
        api,
        policy: (policy) => withStatusLabels(policy, options.statusLabels),
        severityScaleOf: (incident) => typeOf(incident)?.severityScale,
        declare: {
          /**
           * Resolves a typed `declare`: the type (unknown ones refused), the severity on the type's
           * scale, and the fields validated by its schema.
           */
          typeScale: (name) => (registry.has(name) ? registry.get(name, 'declare').severityScale : undefined),
          async prepare(input) {
            const type = registry.get(input.type, 'declare');
            checkSeverity(type.severityScale, input.severity, 'declare');
            const fields = (await validateFields(type, input.fields ?? {}, { subject: 'declare' })) as Readonly<Record<string, JsonValue>>;
            const policy = snapshots.get(type.name);
            // Every registered type got its snapshot above.
            return policy === undefined ? undefined : { fields, policy };
          },
        },
      };
    },
  });
}

/** The severity levels of every incident type, which `list` filters accept besides the engine's. @internal */
export function typeSeverityLevels(types: readonly AnyIncidentType[] | undefined): string[] {
  // Read before the types are validated (at setup): anything malformed is left to that check.
  const levels = (types ?? []).flatMap((type: unknown) => (type as { severityScale?: { levels?: unknown } } | undefined)?.severityScale?.levels);
  return levels.filter((level): level is string => typeof level === 'string');
}
