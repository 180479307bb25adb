import { ConfigError } from '../errors.js';

type Prev = [never, 0, 1, 2, 3, 4, 5, 6];

type SubPath<T, D extends number> = [D] extends [never]
  ? string
  : unknown extends T
    ? string
    : T extends readonly (infer E)[]
      ? '*' | `${number}` | `*.${SubPath<NonNullable<E>, Prev[D]>}` | `${number}.${SubPath<NonNullable<E>, Prev[D]>}` | SubPath<NonNullable<E>, Prev[D]>
      : T extends Date | ((...args: never[]) => unknown)
        ? never
        : T extends object
          ? { [K in keyof T & string]-?: K | `${K}.${SubPath<NonNullable<T[K]>, Prev[D]>}` }[keyof T & string]
          : never;

/**
 * The dot paths into a fields object of type `T`, for `sensitiveFields`: `'patientId'`,
 * `'patient.mrn'`, `'contacts.*.phone'` (any element), `'contacts.0.phone'` (one element).
 *
 * @remarks Computed to a depth of 6; deeper or untyped parts accept any string.
 *
 * @example
 * ```ts
 * import type { FieldPath } from 'incidentkit';
 *
 * type Paths = FieldPath<{ patient: { mrn: string }; pump: string }>;
 * const path: Paths = 'patient.mrn';
 * ```
 */
export type FieldPath<T> = SubPath<T, 6>;

/** The default replacement for redacted values. */
export const REDACTED = '[REDACTED]';

const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Splits and checks a dot path.
 *
 * @internal
 */
export function parseFieldPath(path: string): readonly string[] | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.length > 1_000) return undefined;
  const segments = path.split('.');
  return segments.every((s) => s.length > 0 && s !== '__proto__' && s !== 'prototype' && s !== 'constructor') ? segments : undefined;
}

function redactAt(node: unknown, segments: readonly string[], i: number, replacement: string): unknown {
  if (i === segments.length) return replacement;
  const segment = segments[i];
  if (segment === undefined) return node;
  if (Array.isArray(node)) {
    if (segment === '*') return node.map((item: unknown) => redactAt(item, segments, i + 1, replacement));
    if (INDEX.test(segment)) {
      const at = Number(segment);
      return at < node.length ? node.map((item: unknown, j) => (j === at ? redactAt(item, segments, i + 1, replacement) : item)) : node;
    }
    // A named segment on an array applies to every element: `contacts.phone` reaches each contact.
    return node.map((item: unknown) => redactAt(item, segments, i, replacement));
  }
  if (typeof node !== 'object' || node === null) return node;
  const record = node as Readonly<Record<string, unknown>>;
  if (segment === '*') {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redactAt(v, segments, i + 1, replacement)]));
  }
  if (!Object.hasOwn(record, segment)) return node;
  return { ...record, [segment]: redactAt(record[segment], segments, i + 1, replacement) };
}

/**
 * Returns a copy of `fields` with the value at every sensitive path replaced by `replacement`.
 *
 * @remarks Pure: `fields` is not modified. Paths are dot-separated; `*` matches every key or
 * array element, a number matches one element, and a named segment applied to an array
 * applies to each element. Paths that do not exist are skipped. Objects and arrays at a
 * sensitive path are replaced whole.
 *
 * @example
 * ```ts
 * import { redactFields } from 'incidentkit';
 *
 * redactFields({ patientId: 'MRN-1', ward: '4B', contacts: [{ phone: '555' }] }, ['patientId', 'contacts.*.phone']);
 * // { patientId: '[REDACTED]', ward: '4B', contacts: [{ phone: '[REDACTED]' }] }
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when a path is empty, has an empty segment, or names
 * `__proto__`, `constructor` or `prototype`.
 */
export function redactFields<V>(
  fields: Readonly<Record<string, V>>,
  sensitiveFields: readonly string[],
  replacement: string = REDACTED,
): Record<string, V | string> {
  let result: unknown = fields;
  sensitiveFields.forEach((path, i) => {
    const segments = parseFieldPath(path);
    if (segments === undefined) {
      throw new ConfigError('redactFields', [
        { code: 'invalid_field_path', path: ['sensitiveFields', i], message: `'${path}' is not a field path; use dot paths such as 'patient.mrn' or 'contacts.*.phone'` },
      ]);
    }
    result = redactAt(result, segments, 0, replacement);
  });
  return (result === fields ? { ...fields } : result) as Record<string, V | string>;
}
