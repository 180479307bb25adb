import type { z } from 'zod';
import { ConfigError, ValidationError, type ValidationIssue } from '../errors.js';

/** Turns zod issues into incidentkit's plain {@link ValidationIssue} data. */
export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ code: issue.code, path: issue.path, message: issue.message }));
}

/**
 * Parses `input` with `schema`, or throws a {@link ValidationError} naming `subject`.
 *
 * @internal
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(subject, toIssues(result.error), result.error);
  return result.data;
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
