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

/** A map key: printable, bounded, and never a prototype key. */
export const keySchema = z
  .string()
  .min(1, 'Keys must not be empty.')
  .max(LIMITS.key, `Keys must be at most ${String(LIMITS.key)} characters.`)
  .refine((key) => !FORBIDDEN_KEYS.has(key), { message: 'Keys named __proto__, constructor or prototype are not allowed.' });

/** An identifier chosen by the host (actor ids, assignees, incident ids). */
export const idSchema = z
  .string()
  .trim()
  .min(1, 'Must not be empty.')
  .max(LIMITS.id, `Must be at most ${String(LIMITS.id)} characters.`);

/** Non-empty, trimmed text of at most `max` characters. */
export function text(max: number) {
  return z.string().trim().min(1, 'Must not be empty.').max(max, `Must be at most ${String(max)} characters.`);
}

const TIMESTAMP_MESSAGE = 'Must be a valid Date or an ISO-8601 timestamp with a time zone, e.g. 2026-01-02T03:04:05Z';

/** A point in time: a `Date` or an ISO-8601 string with an offset; always normalised to UTC ISO. */
export const timestampSchema = z
  .union([z.date(), z.iso.datetime({ offset: true, message: TIMESTAMP_MESSAGE })], { message: TIMESTAMP_MESSAGE })
  .transform((value, ctx) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'Must be a valid date.' });
      return z.NEVER;
    }
    const iso = date.toISOString();
    // Dates beyond year 9999 (or before 0) print as extended years that no ISO-8601 field accepts back.
    if (!/^\d{4}-/.test(iso)) {
      ctx.addIssue({ code: 'custom', message: 'Must be between the years 0000 and 9999.' });
      return z.NEVER;
    }
    return iso;
  });

/** String labels (`key: value`), as monitoring tools attach them. */
export const labelsSchema = z
  .record(keySchema, z.string().max(LIMITS.labelValue, `Label values must be at most ${String(LIMITS.labelValue)} characters.`))
  .refine((labels) => Object.keys(labels).length <= LIMITS.labels, {
    message: `At most ${String(LIMITS.labels)} labels are allowed.`,
  });

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function checkJson(value: unknown, depth: number, path: PropertyKey[], ctx: z.RefinementCtx): void {
  if (depth > MAX_JSON_DEPTH) {
    ctx.addIssue({ code: 'custom', path, message: `Must be nested at most ${String(MAX_JSON_DEPTH)} levels deep.` });
    return;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    if (typeof value === 'string' && value.length > LIMITS.text) {
      ctx.addIssue({ code: 'custom', path, message: `Strings must be at most ${String(LIMITS.text)} characters.` });
    }
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) ctx.addIssue({ code: 'custom', path, message: 'Numbers must be finite.' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkJson(item, depth + 1, [...path, i], ctx);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        ctx.addIssue({ code: 'custom', path: [...path, key], message: 'Keys named __proto__, constructor or prototype are not allowed.' });
        continue;
      }
      checkJson((value as Record<string, unknown>)[key], depth + 1, [...path, key], ctx);
    }
    return;
  }
  ctx.addIssue({ code: 'custom', path, message: 'Must be plain JSON (string, number, boolean, null, array or object).' });
}

/** Free-form JSON data, bounded in depth and size, with no prototype keys. */
export const jsonValueSchema: z.ZodType<JsonValue> = z.unknown().superRefine((value, ctx) => {
  checkJson(value, 0, [], ctx);
}) as unknown as z.ZodType<JsonValue>;

/** Custom fields: a JSON object keyed by field name. */
export const fieldsSchema = z.record(keySchema, jsonValueSchema);
