import type { z } from 'zod';
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
  const result = schema.safeParse(input);
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
 * Parses configuration with `schema`, or throws a {@link ConfigError} naming `subject`.
 *
 * @internal
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(subject, toIssues(result.error), result.error);
  return result.data;
}
