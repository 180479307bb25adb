import { z } from 'zod';

/** Keys that would reach an object's prototype if copied naively; refused everywhere. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Largest nesting depth accepted in free-form JSON (`fields`, `data`). */
export const MAX_JSON_DEPTH = 16;

/** Limits on text sizes, so a stray megabyte never reaches storage. */
export const LIMITS = {
  id: 200,
  name: 200,
  title: 300,
  shortText: 2_000,
  text: 20_000,
  key: 128,
  labelValue: 1_000,
  labels: 64,
  list: 100,
} as const;

/** What a text holding NUL or an unpaired surrogate is refused with. */
export const NUL_MESSAGE = 'Must not contain the NUL character (U+0000) or an unpaired surrogate (U+D800–U+DFFF).';

/** A UTF-16 surrogate half without its other half: no UTF-8 text can hold it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether `text` holds a NUL character (U+0000) or an unpaired surrogate. Every text input
 * refuses both, whatever the store: PostgreSQL cannot store NUL in `text` or `jsonb` (SQLSTATE
 * 22P05) nor an unpaired surrogate in `jsonb` (22P02), drivers writing UTF-8 silently replace
 * the latter, and one store accepting what another refuses would make the same input succeed
 * or fail by deployment.
 */
export function hasNul(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

/** A map key: printable, bounded, and never a prototype key. */
export const keySchema = /* @__PURE__ */ (() => z
  .string()
  .min(1, 'Keys must not be empty.')
  .max(LIMITS.key, `Keys must be at most ${String(LIMITS.key)} characters.`)
  .refine((key) => !FORBIDDEN_KEYS.has(key), { message: 'Keys named __proto__, constructor or prototype are not allowed.' })
  .refine((key) => !hasNul(key), { message: NUL_MESSAGE }))();

/** An identifier chosen by the host (actor ids, assignees, incident ids). */
export const idSchema = /* @__PURE__ */ (() => z
  .string()
  .trim()
  .min(1, 'Must not be empty.')
  .max(LIMITS.id, `Must be at most ${String(LIMITS.id)} characters.`)
  .refine((id) => !hasNul(id), { message: NUL_MESSAGE }))();

/** Non-empty, trimmed text of at most `max` characters. */
export function text(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'Must not be empty.')
    .max(max, `Must be at most ${String(max)} characters.`)
    .refine((value) => !hasNul(value), { message: NUL_MESSAGE });
}

const TIMESTAMP_MESSAGE = 'Must be a valid Date or an ISO-8601 timestamp with a time zone, e.g. 2026-01-02T03:04:05Z';

/** A point in time: a `Date` or an ISO-8601 string with an offset; always normalised to UTC ISO. */
export const timestampSchema = /* @__PURE__ */ (() => z
  .union([z.date(), z.iso.datetime({ offset: true, message: TIMESTAMP_MESSAGE })], { message: TIMESTAMP_MESSAGE })
  .transform((value, ctx) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'Must be a valid date.' });
      return z.NEVER;
    }
    const iso = date.toISOString();
    // Dates beyond year 9999 (or before 0) print as extended years that no ISO-8601 field accepts back.
    // Year 0000 neither: PostgreSQL refuses it (SQLSTATE 22008) where the other stores keep it.
    if (!/^\d{4}-/.test(iso) || iso.startsWith('0000-')) {
      ctx.addIssue({ code: 'custom', message: 'Must be between the years 0001 and 9999.' });
      return z.NEVER;
    }
    return iso;
  }))();

/** String labels (`key: value`), as monitoring tools attach them. */
export const labelsSchema = /* @__PURE__ */ (() => z
  .record(
    keySchema,
    z
      .string()
      .max(LIMITS.labelValue, `Label values must be at most ${String(LIMITS.labelValue)} characters.`)
      .refine((value) => !hasNul(value), { message: NUL_MESSAGE }),
  )
  .refine((labels) => Object.keys(labels).length <= LIMITS.labels, {
    message: `At most ${String(LIMITS.labels)} labels are allowed.`,
  }))();

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What {@link checkPlainJson} allows. @internal */
export interface PlainJsonLimits {
  readonly maxDepth: number;
  /** The longest string allowed; no limit when absent. */
  readonly maxString?: number;
  /** Object keys refused with `forbiddenKeyMessage`. */
  readonly forbiddenKeys: ReadonlySet<string>;
  readonly forbiddenKeyMessage: string;
}

/**
 * Adds an issue to `ctx` for each place in `value` that is not plain JSON within `limits`:
 * too deep, a string too long, a string or key holding NUL (see {@link hasNul}), a number that
 * is not finite, a forbidden key, or anything but string, number, boolean, null, array and
 * plain object.
 *
 * @internal
 */
export function checkPlainJson(value: unknown, limits: PlainJsonLimits, ctx: z.RefinementCtx, depth = 0, path: PropertyKey[] = []): void {
  if (depth > limits.maxDepth) {
    ctx.addIssue({ code: 'custom', path, message: `Must be nested at most ${String(limits.maxDepth)} levels deep.` });
    return;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    if (typeof value === 'string' && limits.maxString !== undefined && value.length > limits.maxString) {
      ctx.addIssue({ code: 'custom', path, message: `Strings must be at most ${String(limits.maxString)} characters.` });
    }
    if (typeof value === 'string' && hasNul(value)) ctx.addIssue({ code: 'custom', path, message: NUL_MESSAGE });
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) ctx.addIssue({ code: 'custom', path, message: 'Numbers must be finite.' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkPlainJson(item, limits, ctx, depth + 1, [...path, i]);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(value)) {
      if (limits.forbiddenKeys.has(key)) {
        ctx.addIssue({ code: 'custom', path: [...path, key], message: limits.forbiddenKeyMessage });
        continue;
      }
      if (hasNul(key)) {
        ctx.addIssue({ code: 'custom', path: [...path, key], message: NUL_MESSAGE });
        continue;
      }
      checkPlainJson((value as Record<string, unknown>)[key], limits, ctx, depth + 1, [...path, key]);
    }
    return;
  }
  ctx.addIssue({ code: 'custom', path, message: 'Must be plain JSON (string, number, boolean, null, array or object).' });
}

const JSON_LIMITS: PlainJsonLimits = {
  maxDepth: MAX_JSON_DEPTH,
  maxString: LIMITS.text,
  forbiddenKeys: FORBIDDEN_KEYS,
  forbiddenKeyMessage: 'Keys named __proto__, constructor or prototype are not allowed.',
};

/**
 * Free-form JSON data, bounded in depth and size, with no prototype keys. Parsing returns a
 * copy: what the engine keeps never aliases an object the caller still holds.
 */
export const jsonValueSchema: z.ZodType<JsonValue> = /* @__PURE__ */ (() =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      checkPlainJson(value, JSON_LIMITS, ctx);
    })
    .transform((value) => (typeof value === 'object' && value !== null ? (structuredClone(value) as unknown) : value)) as unknown as z.ZodType<JsonValue>)();

/** Custom fields: a JSON object keyed by field name. */
export const fieldsSchema = /* @__PURE__ */ z.record(keySchema, jsonValueSchema);
