/**
 * The Standard Schema v1 interface (https://standardschema.dev), declared locally so custom
 * fields accept zod 4, valibot, arktype and any other implementation without a dependency.
 *
 * @remarks Structurally identical to `@standard-schema/spec` v1; flat names instead of a
 * namespace.
 *
 * @packageDocumentation
 */

/** Options a Standard Schema's `validate` may receive. */
export interface StandardSchemaV1Options {
  /** Vendor-specific parameters. */
  readonly libraryOptions?: Record<string, unknown> | undefined;
}

/** A path segment object, as some libraries report it. */
export interface StandardSchemaV1PathSegment {
  readonly key: PropertyKey;
}

/** One validation problem reported by a Standard Schema. */
export interface StandardSchemaV1Issue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | StandardSchemaV1PathSegment)[] | undefined;
}

/** A successful validation: the typed value. */
export interface StandardSchemaV1SuccessResult<Output> {
  readonly value: Output;
  readonly issues?: undefined;
}

/** A failed validation: its issues. */
export interface StandardSchemaV1FailureResult {
  readonly issues: readonly StandardSchemaV1Issue[];
}

/** What `validate` returns (or resolves to). */
export type StandardSchemaV1Result<Output> = StandardSchemaV1SuccessResult<Output> | StandardSchemaV1FailureResult;

/** The input and output types a schema carries for inference. */
export interface StandardSchemaV1Types<Input = unknown, Output = Input> {
  readonly input: Input;
  readonly output: Output;
}

/** The `~standard` property of a Standard Schema. */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (
    value: unknown,
    options?: StandardSchemaV1Options  ,
  ) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
  readonly types?: StandardSchemaV1Types<Input, Output> | undefined;
}

/**
 * A schema implementing Standard Schema v1: a zod 4 schema, a valibot schema, an arktype type…
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import type { StandardSchemaV1 } from 'incidentkit';
 *
 * const schema: StandardSchemaV1<{ mrn: string }> = z.object({ mrn: z.string() });
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1Props<Input, Output>;
}

/** The input type of a Standard Schema. */
export type StandardSchemaV1InferInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input'];

/** The output type of a Standard Schema. */
export type StandardSchemaV1InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/**
 * Tells whether `value` implements Standard Schema v1.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { isStandardSchema } from 'incidentkit';
 *
 * isStandardSchema(z.string()); // true
 * isStandardSchema({}); // false
 * ```
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  if (typeof props !== 'object' || props === null) return false;
  const p = props as { version?: unknown; validate?: unknown; vendor?: unknown };
  return p.version === 1 && typeof p.validate === 'function' && typeof p.vendor === 'string';
}
