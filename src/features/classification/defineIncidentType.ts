import { z } from 'zod';
import type { IncidentPolicies } from '../../engine/types.js';
import { ConfigError, ValidationError, type ValidationIssue } from '../../errors.js';
import { parseConfig, toIssues } from '../../kernel/parse.js';
import { fieldsSchema, type JsonValue } from '../../model/primitives.js';
import type { SeverityScale } from '../../model/severity.js';
import { parseFieldPath, type FieldPath } from '../../model/redactFields.js';
import { isStatusLabels, type StatusLabels } from '../../model/statusLabels.js';
import {
  isStandardSchema,
  type StandardSchemaV1,
  type StandardSchemaV1InferInput,
  type StandardSchemaV1InferOutput,
  type StandardSchemaV1Issue,
} from './standardSchema.js';

/** What {@link defineIncidentType} accepts. */
export interface IncidentTypeDefinition<Name extends string, F extends StandardSchemaV1, L extends string, S extends string> {
  /** A stable name, e.g. `medication_error`: letters, digits, `_` or `-`. Stored on every incident of the type. */
  readonly name: Name;
  /** Display name. Default: `name`. */
  readonly title?: string;
  readonly description?: string;
  /** The severity scale incidents of this type are classified on. */
  readonly severityScale: SeverityScale<L>;
  /** The custom fields, as a Standard Schema (zod 4, valibot, arktype, …) of an object. */
  readonly fields: F;
  /** Dot paths of fields that are stored but redacted in notifications, exports and review documents. */
  readonly sensitiveFields?: readonly NoInfer<FieldPath<StandardSchemaV1InferOutput<F>>>[];
  /** Custom status labels for this type. */
  readonly statuses?: StatusLabels<S>;
  /** Policies for incidents of this type; they replace the engine's policies where given. */
  readonly policies?: IncidentPolicies;
  /**
   * Whether an incident of this type is a Joint Commission sentinel event: `true` for every
   * incident of the type, or a test of its (validated) custom fields, e.g. harm `death` or
   * `severe`. When it holds at `declare`, or after an `updateFields`, the compliance feature
   * starts the `jointCommission` clock (45 business days for the comprehensive systematic
   * analysis and action plan) with the trigger `awareness`, once per incident.
   *
   * @see https://www.jointcommission.org/resources/sentinel-event/
   */
  readonly sentinelEvent?: boolean | ((fields: StandardSchemaV1InferOutput<F>) => boolean);
}

/** Tells from an incident's custom fields whether it is a sentinel event (see {@link IncidentTypeDefinition.sentinelEvent}). */
export type SentinelEventTest = (fields: Readonly<Record<string, JsonValue>>) => boolean;

/**
 * An incident type made by {@link defineIncidentType}: its severity scale, typed custom
 * fields, sensitive fields, status labels and policies.
 */
export interface IncidentType<Name extends string = string, F extends StandardSchemaV1 = StandardSchemaV1, L extends string = string, S extends string = string> {
  readonly name: Name;
  readonly title: string;
  readonly description?: string;
  readonly severityScale: SeverityScale<L>;
  readonly fields: F;
  /** Dot paths to redact; empty when none. */
  readonly sensitiveFields: readonly string[];
  readonly statuses?: StatusLabels<S>;
  readonly policies?: IncidentPolicies;
  /** Whether its incidents are Joint Commission sentinel events: always, or when the test of their fields holds. */
  readonly sentinelEvent?: boolean | SentinelEventTest;
}

/** Any incident type; the constraint for lists of types. */
export type AnyIncidentType = IncidentType;

/** The validated (output) type of an incident type's custom fields. */
export type InferFields<T extends AnyIncidentType> = StandardSchemaV1InferOutput<T['fields']>;

/** What callers pass as custom fields (the schema's input type). */
export type InferFieldsInput<T extends AnyIncidentType> = StandardSchemaV1InferInput<T['fields']>;

/** The severity levels of an incident type. */
export type IncidentTypeSeverity<T extends AnyIncidentType> = T['severityScale']['levels'][number];

/** The names of a list of incident types. */
export type IncidentTypeName<Types extends readonly AnyIncidentType[]> = Types[number]['name'];

/** The incident type called `N` in `Types`. */
export type IncidentTypeNamed<Types extends readonly AnyIncidentType[], N extends string> = Extract<Types[number], { readonly name: N }>;

/**
 * The type-dependent part of `declare` input: one alternative per incident type, so `fields`
 * and `severity` are checked against the type named in `type`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineIncidentType, nccMerpScale, sevScale, type TypedDeclareFields } from 'incidentkit';
 *
 * const med = defineIncidentType({ name: 'medication_error', severityScale: nccMerpScale, fields: z.object({ drug: z.string() }) });
 * const outage = defineIncidentType({ name: 'outage', severityScale: sevScale, fields: z.object({ region: z.string() }) });
 * const ok: TypedDeclareFields<[typeof med, typeof outage]> = { type: 'medication_error', severity: 'E', fields: { drug: 'heparin' } };
 * ```
 */
export type TypedDeclareFields<Types extends readonly AnyIncidentType[]> = {
  [K in keyof Types]: Types[K] extends AnyIncidentType
    ? { readonly type: Types[K]['name']; readonly severity: IncidentTypeSeverity<Types[K]>; readonly fields: InferFieldsInput<Types[K]> }
    : never;
}[number];

const defined = new WeakSet<object>();

const definitionSchema = /* @__PURE__ */ (() => z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Type names start with a letter and hold letters, digits, _ or - (at most 64).'),
  title: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().min(1).max(2_000).optional(),
  severityScale: z.object(
    { name: z.string().min(1), levels: z.array(z.string().min(1)).min(1, 'A severity scale needs at least one level.') },
    { error: 'Pass a severity scale, e.g. sevScale or one made with defineSeverityScale.' },
  ),
  fields: z.custom<StandardSchemaV1>(isStandardSchema, {
    message: 'Pass a Standard Schema (a zod 4, valibot or arktype schema of an object) as fields.',
  }),
  sensitiveFields: z
    .array(z.string().refine((p) => parseFieldPath(p) !== undefined, { message: "Use a dot path such as 'patient.mrn' or 'contacts.*.phone'." }))
    .max(100)
    .optional(),
  statuses: z.custom<StatusLabels>(isStatusLabels, { message: 'Pass status labels made with defineStatusLabels.' }).optional(),
  policies: z.object({ review: z.object({ requiredFor: z.array(z.string()).optional() }).optional() }).loose().optional(),
  sentinelEvent: z.custom<boolean | SentinelEventTest>((v) => typeof v === 'boolean' || typeof v === 'function', { message: 'Pass true, false, or a function of the fields that returns whether the incident is a sentinel event.' }).optional(),
}))();

/**
 * Defines an incident type: a severity scale, typed custom fields from a Standard Schema,
 * sensitive fields to redact, custom status labels and policies.
 *
 * @remarks Pass the types to `createIncidentEngine({ types })`; `declare({ type, fields })`
 * is then typed from and validated by the type's schema (see {@link validateFields}). Prefer
 * strict object schemas (`z.strictObject`) so that misspelt fields are refused instead of
 * silently dropped.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { atLeast, defineIncidentType, nccMerpScale } from 'incidentkit';
 *
 * export const medicationError = defineIncidentType({
 *   name: 'medication_error',
 *   title: 'Medication error',
 *   severityScale: nccMerpScale,
 *   fields: z.strictObject({ patientId: z.string(), drug: z.string(), pumpId: z.string().optional() }),
 *   sensitiveFields: ['patientId'],
 *   policies: { review: { requiredFor: atLeast(nccMerpScale, 'E') } },
 * });
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when the name is malformed, `fields` is not a Standard
 * Schema, a sensitive field path is malformed, or the review policy names a severity the
 * scale does not have.
 */
export function defineIncidentType<const Name extends string, F extends StandardSchemaV1, L extends string = string, S extends string = string>(
  definition: IncidentTypeDefinition<Name, F, L, S>,
): IncidentType<Name, F, L, S> {
  const subject = `incident type '${String((definition as { name?: unknown }).name)}'`;
  const parsed = parseConfig(definitionSchema, definition, subject);
  const levels: readonly string[] = definition.severityScale.levels;
  const issues: ValidationIssue[] = [];
  (parsed.policies?.review?.requiredFor ?? []).forEach((level, i) => {
    if (!levels.includes(level)) {
      issues.push({
        code: 'unknown_severity',
        path: ['policies', 'review', 'requiredFor', i],
        message: `'${level}' is not a level of the '${definition.severityScale.name}' scale; use one of ${levels.join(', ')}`,
      });
    }
  });
  if (issues.length > 0) throw new ConfigError(subject, issues);
  const type: { -readonly [K in keyof IncidentType<Name, F, L, S>]: IncidentType<Name, F, L, S>[K] } = {
    name: definition.name,
    title: parsed.title ?? definition.name,
    severityScale: definition.severityScale,
    fields: definition.fields,
    sensitiveFields: Object.freeze([...new Set(parsed.sensitiveFields ?? [])]),
  };
  if (parsed.description !== undefined) type.description = parsed.description;
  if (definition.statuses !== undefined) type.statuses = definition.statuses;
  if (definition.policies !== undefined) type.policies = definition.policies;
  const sentinel = definition.sentinelEvent;
  if (sentinel !== undefined) type.sentinelEvent = typeof sentinel === 'boolean' ? sentinel : (fields) => sentinel(fields);
  const frozen = Object.freeze(type);
  defined.add(frozen);
  return frozen;
}

/** Options of {@link validateFields}. */
export interface ValidateFieldsOptions {
  /** What is being validated, for the error message. Default: `fields of incident type '<name>'`. */
  readonly subject?: string;
  /** Prefix for issue paths. Default: `['fields']`. */
  readonly path?: readonly PropertyKey[];
}

/**
 * Whether `path` lies at or under one of the (parsed) sensitive field paths, read as
 * `redactFields` reads them: `*` matches any key, and a named segment reaches into arrays.
 */
function isUnder(path: readonly PropertyKey[], sensitive: readonly (readonly string[])[]): boolean {
  const matches = (segments: readonly string[], si: number, pi: number): boolean => {
    if (si === segments.length) return true;
    const segment = segments[si];
    const key = path[pi];
    if (segment === undefined || key === undefined) return false;
    if (segment === '*' || segment === String(key)) return matches(segments, si + 1, pi + 1);
    return typeof key === 'number' && matches(segments, si, pi + 1);
  };
  return sensitive.some((segments) => matches(segments, 0, 0));
}

function issuePath(issue: StandardSchemaV1Issue): PropertyKey[] {
  return (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment));
}

/**
 * Validates custom fields against an incident type's schema and returns the typed value.
 *
 * @remarks Works with synchronous and asynchronous schemas. The value the schema returns must
 * also be plain JSON (it is stored as is): a schema that outputs a `Date` or a class instance
 * is refused, with the path of the offending value.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineIncidentType, sevScale, validateFields } from 'incidentkit';
 *
 * const outage = defineIncidentType({ name: 'outage', severityScale: sevScale, fields: z.strictObject({ region: z.string() }) });
 * const fields = await validateFields(outage, { region: 'eu-west-1' }); // { region: 'eu-west-1' }
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) with the schema's issues, paths prefixed with
 * `fields`, when the input is invalid or the output is not a plain JSON object.
 */
export async function validateFields<T extends AnyIncidentType>(type: T, input: unknown, options: ValidateFieldsOptions = {}): Promise<InferFields<T>> {
  const subject = options.subject ?? `fields of incident type '${type.name}'`;
  const prefix = options.path ?? ['fields'];
  const result = await type.fields['~standard'].validate(input);
  if (result.issues !== undefined) {
    const sensitive = type.sensitiveFields.map((path) => parseFieldPath(path) ?? []).filter((segments) => segments.length > 0);
    const issues = result.issues.map((issue): ValidationIssue => {
      const code = (issue as { code?: unknown }).code;
      const path = issuePath(issue);
      // Some schema libraries quote the received value in their messages (valibot, arktype):
      // never for a sensitive field.
      const message = isUnder(path, sensitive) ? 'Invalid value (a sensitive field: the value is not shown).' : issue.message;
      return { code: typeof code === 'string' ? code : 'invalid_field', path: [...prefix, ...path], message };
    });
    throw new ValidationError(subject, issues.length > 0 ? issues : [{ code: 'invalid_field', path: [...prefix], message: 'The fields are invalid.' }]);
  }
  const json = fieldsSchema.safeParse(result.value);
  if (!json.success) {
    throw new ValidationError(
      subject,
      toIssues(json.error).map((i) => ({ ...i, path: [...prefix, ...i.path] })),
      json.error,
    );
  }
  return result.value;
}

/** A lookup of incident types by name, made by {@link createIncidentTypeRegistry}. */
export interface IncidentTypeRegistry<Types extends readonly AnyIncidentType[]> {
  /** The registered types, in the order given. */
  readonly types: Types;
  /** Their names. */
  readonly names: readonly IncidentTypeName<Types>[];
  /** Whether a type called `name` is registered. */
  has(name: string): name is IncidentTypeName<Types>;
  /**
   * The type called `name`.
   *
   * @throws ValidationError (`VALIDATION_FAILED`, issue code `unknown_incident_type` at path
   * `type`) when no type has that name; the message lists the registered names.
   */
  get<N extends string>(name: N, subject?: string): N extends IncidentTypeName<Types> ? IncidentTypeNamed<Types, N> : Types[number];
}

/**
 * Builds the lookup the engine uses to resolve `declare({ type })` and refuse unknown types.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createIncidentTypeRegistry, defineIncidentType, sevScale } from 'incidentkit';
 *
 * const outage = defineIncidentType({ name: 'outage', severityScale: sevScale, fields: z.object({}) });
 * const registry = createIncidentTypeRegistry([outage]);
 * registry.get('outage').title; // 'outage'
 * registry.has('medication_error'); // false
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when an entry was not made with
 * {@link defineIncidentType} or two types share a name.
 */
export function createIncidentTypeRegistry<const Types extends readonly AnyIncidentType[]>(types: Types): IncidentTypeRegistry<Types> {
  const byName = new Map<string, AnyIncidentType>();
  const issues: ValidationIssue[] = [];
  types.forEach((type, i) => {
    if (typeof type !== 'object' || !defined.has(type)) {
      issues.push({ code: 'invalid_incident_type', path: ['types', i], message: 'Make incident types with defineIncidentType' });
      return;
    }
    if (byName.has(type.name)) issues.push({ code: 'duplicate_incident_type', path: ['types', i], message: `Two incident types are called '${type.name}'; give each a unique name` });
    byName.set(type.name, type);
  });
  if (issues.length > 0) throw new ConfigError('types', issues);
  const names = Object.freeze([...byName.keys()]) as readonly IncidentTypeName<Types>[];
  const has = (name: string): name is IncidentTypeName<Types> => byName.has(name);
  return Object.freeze({
    types,
    names,
    has,
    get(name: string, subject = 'declare') {
      const type = byName.get(name);
      if (type === undefined) {
        const known = names.length > 0 ? `use one of ${names.join(', ')}` : 'this engine has no incident types; pass them to createIncidentEngine({ types })';
        throw new ValidationError(subject, [{ code: 'unknown_incident_type', path: ['type'], message: `Unknown incident type '${name}'; ${known}` }]);
      }
      return type;
    },
  }) as IncidentTypeRegistry<Types>;
}

