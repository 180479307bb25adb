import { z } from 'zod';
import { ConfigError, ValidationError, type ValidationIssue } from '../errors.js';

/** Turns zod issues into incidentkit's plain {@link ValidationIssue} data. */
export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    // A refused record key comes wrapped as "Invalid key in record": surface the key schema's own words.
    const inner = issue.code === 'invalid_key' ? issue.issues[0] : undefined;
    return { code: issue.code, path: issue.path, message: inner?.message ?? issue.message };
  });
}

/**
 * Parses `input` with `schema`, or throws a {@link ValidationError} naming `subject`.
 *
 * @internal
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = safeParse(schema, input);
  // zod's record() skips an own `__proto__` key silently; refuse it instead of losing data.
  const protoIssues = prototypeKeyIssues(input, [], 0);
  if (!result.success || protoIssues.length > 0) {
    throw new ValidationError(subject, [...protoIssues, ...(result.success ? [] : toIssues(result.error))], result.success ? undefined : result.error);
  }
  return result.data;
}

/** Own `__proto__` keys anywhere in plain data (as `JSON.parse` creates them). */
function prototypeKeyIssues(value: unknown, path: PropertyKey[], depth: number): ValidationIssue[] {
  if (depth > 32 || typeof value !== 'object' || value === null) return [];
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, '__proto__')) {
    issues.push({ code: 'custom', path: [...path, '__proto__'], message: 'Keys named __proto__ are not allowed' });
  }
  for (const key of Object.keys(value)) {
    issues.push(...prototypeKeyIssues((value as Record<string, unknown>)[key], [...path, key], depth + 1));
  }
  return issues;
}

/**
 * `schema.safeParse(input)` that never throws: zod itself throws a `TypeError` on some hostile
 * values (e.g. a string check given an object whose `length` is a Symbol), which must reach
 * callers as a validation failure, not an untyped exception.
 */
function safeParse<S extends z.ZodType>(schema: S, input: unknown): z.ZodSafeParseResult<z.output<S>> {
  try {
    return schema.safeParse(input);
  } catch {
    const error = new z.ZodError([{ code: 'custom', path: [], message: 'Not a value this input accepts.', input }]);
    return { success: false, error } as z.ZodSafeParseResult<z.output<S>>;
  }
}

/**
 * Parses configuration with `schema`, or throws a {@link ConfigError} naming `subject`.
 *
 * @internal
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = safeParse(schema, input);
  if (!result.success) throw new ConfigError(subject, toIssues(result.error), result.error);
  return result.data;
}
