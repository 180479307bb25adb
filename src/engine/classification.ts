import { validateFields, type AnyIncidentType } from '../classification/defineIncidentType.js';
import { assertStatusLabel } from '../classification/statusLabels.js';
import { ValidationError } from '../errors.js';
import type { Incident, IncidentPolicySnapshot } from '../model/incident.js';
import { parseInput } from '../model/parse.js';
import { fieldsSchema, type JsonValue } from '../model/primitives.js';
import { unknownSeverityMessage, type SeverityScale } from '../model/severity.js';
import type { EngineCore, EventDraft } from './core.js';
import { withStatusLabels } from './core.js';
import { resolveEnginePolicies } from './policies.js';
import type { IncidentEngineOptions } from './types.js';

function sameScale(a: SeverityScale, b: SeverityScale): boolean {
  return a === b || (a.name === b.name && a.levels.length === b.levels.length && a.levels.every((level, i) => level === b.levels[i]));
}

/** The severity check of a scale, with the message `severitySchema` gives. */
export function checkSeverity(scale: SeverityScale, severity: string, subject: string): void {
  if (!scale.levels.includes(severity)) {
    throw new ValidationError(subject, [
      { code: 'unknown_severity', path: ['severity'], message: unknownSeverityMessage(scale.levels) },
    ]);
  }
}

/**
 * The engine's incident types, status labels and custom fields (the classification issue):
 * typed `declare`, `updateFields`, `setStatusLabel`, and the scale of each incident.
 *
 * @internal
 */
export function createClassification(core: EngineCore, options: IncidentEngineOptions) {
  const registry = core.types;

  /**
   * The policy frozen into incidents of a type: the type's policies over the engine's (per
   * key; when the type has its own scale, the engine's severity-keyed policies do not carry
   * over), its status labels and its sensitive fields. Resolved once, so a bad type fails at
   * `createIncidentEngine`.
   */
  const snapshots = new Map<string, IncidentPolicySnapshot>();
  for (const type of registry.types) {
    const engine = (options.policies ?? {}) as Readonly<Record<string, unknown>>;
    const inherited = sameScale(type.severityScale, core.scale)
      ? engine
      : Object.fromEntries(Object.entries(engine).filter(([key]) => key === 'escalation'));
    const resolved = resolveEnginePolicies({ ...inherited, ...(type.policies ?? {}) }, type.severityScale).snapshot;
    const labels = type.statuses ?? (sameScale(type.severityScale, core.scale) ? options.statusLabels : undefined);
    let snapshot = withStatusLabels(resolved, labels);
    if (type.sensitiveFields.length > 0) snapshot = Object.freeze({ ...snapshot, sensitiveFields: [...type.sensitiveFields] });
    snapshots.set(type.name, snapshot);
  }

  /** The incident's type, when it has one the engine still knows. */
  function typeOf(incident: Incident): AnyIncidentType | undefined {
    return incident.type !== undefined && registry.has(incident.type) ? registry.get(incident.type) : undefined;
  }

  /** The severity scale of an incident: its type's, or the engine's. */
  function scaleOf(incident: Incident): SeverityScale {
    return typeOf(incident)?.severityScale ?? core.scale;
  }

  /**
   * Resolves a typed `declare`: the type (unknown ones refused), the severity on the type's
   * scale, and the fields validated by its schema.
   */
  async function typedCreateInput(
    parsed: { readonly type: string; readonly severity: string; readonly fields?: Readonly<Record<string, JsonValue>> | undefined },
  ): Promise<{ fields: Readonly<Record<string, JsonValue>>; policy: IncidentPolicySnapshot }> {
    const type = registry.get(parsed.type, 'declare');
    checkSeverity(type.severityScale, parsed.severity, 'declare');
    const fields = (await validateFields(type, parsed.fields ?? {}, { subject: 'declare' })) as Readonly<Record<string, JsonValue>>;
    const policy = snapshots.get(type.name);
    if (policy === undefined) throw new Error(`unreachable: no policy snapshot for incident type '${type.name}'`);
    return { fields, policy };
  }

  /** Builds `UPDATE_FIELDS`: the current fields with `fields` merged over them, validated. */
  async function fieldsUpdate(incident: Incident, fields: Readonly<Record<string, JsonValue>>): Promise<EventDraft> {
    const merged = { ...incident.fields, ...fields };
    const type = typeOf(incident);
    const validated =
      type === undefined
        ? parseInput(fieldsSchema, merged, 'updateFields')
        : ((await validateFields(type, merged, { subject: 'updateFields' })) as Readonly<Record<string, JsonValue>>);
    return { type: 'UPDATE_FIELDS', fields: JSON.parse(JSON.stringify(validated)) as Record<string, JsonValue>, changed: Object.keys(fields) };
  }

  /** Builds `SET_STATUS_LABEL` for a label that applies in the incident's state. */
  function statusLabel(incident: Incident, label: string): EventDraft {
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

  return { registry, scaleOf, typedCreateInput, fieldsUpdate, statusLabel };
}
