import { z } from 'zod';
import { isIncidentKitError, ValidationError, type ValidationIssue } from '../errors.js';
import type { Clock } from '../kernel/clock.js';
import { systemClock } from '../kernel/clock.js';
import { parseConfig, toIssues } from '../kernel/parse.js';
import { DEFAULT_SEVERITY, lookUpSeverity, severityMap, type IngestSource, type SeverityMap } from './severityMap.js';
import { readTimestamp, type EpochUnit } from './time.js';
import { hasNul, NUL_MESSAGE } from '../model/primitives.js';

/** A severity level given in options: it becomes the text of signals, so it holds no NUL either. */
const levelOption = /* @__PURE__ */ z
  .string()
  .min(1)
  .max(64)
  .refine((level) => !hasNul(level), { message: NUL_MESSAGE })
  .refine((level) => level.trim() !== '', { message: 'A severity level must not be blank.' });

/**
 * Options every parser takes.
 *
 * @example
 * ```ts
 * import { parseAlertmanager, type ParserOptions } from 'incidentkit/ingest';
 *
 * const options: ParserOptions = { severityMap: { warning: 'SEV4' }, defaultSeverity: 'SEV4', service: 'app' };
 * const signals = parseAlertmanager({ version: '4', status: 'firing', alerts: [] }, options);
 * ```
 */
export interface ParserOptions {
  /** Severity words to engine levels, on top of the source's defaults (see `DEFAULT_SEVERITY_MAPS`). */
  readonly severityMap?: SeverityMap;
  /** The level for a missing or unmapped severity. Default: `'SEV3'`. */
  readonly defaultSeverity?: string;
  /** The label that names the affected service. Default: `'service'` (`'project'` for Sentry). */
  readonly service?: string;
  /** Where "now" comes from, for payloads that carry no time of their own. Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * What a zod schema of options outputs: every key optional, `undefined` allowed.
 *
 * @internal
 */
export type ParsedOptions<O> = { [K in keyof O]?: O[K] | undefined };

/** The zod shape of {@link ParserOptions}; parsers extend it with their own options. @internal */
export const parserOptionsShape = /* @__PURE__ */ (() => ({
  severityMap: z.record(z.string().min(1).max(128), levelOption).optional(),
  defaultSeverity: levelOption.optional(),
  service: z.string().min(1).max(128).optional(),
  clock: z
    .custom<Clock>((value) => typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function', {
      message: 'Must be a clock: an object with a now() method returning a Date.',
    })
    .optional(),
}))();

/** The zod schema of {@link ParserOptions}. @internal */
export const parserOptionsSchema: z.ZodType<ParsedOptions<ParserOptions>> = /* @__PURE__ */ z.strictObject(parserOptionsShape);

/**
 * What a tool-specific parser gets: the resolved options and helpers that raise
 * `ValidationError`s naming the tool and the field.
 *
 * @internal
 */
export interface ParseContext {
  readonly source: IngestSource;
  /** What is being parsed, e.g. `Alertmanager webhook`; the subject of every `ValidationError`. */
  readonly subject: string;
  /** The label that names the service. */
  readonly serviceLabel: string;
  /** The engine level for a tool's severity word. */
  severity(word: string | undefined): string;
  /** The current time (ISO, UTC) from the injected clock, read at most once per call. */
  now(): string;
  /** Throws a `ValidationError` for the field at `path`. */
  fail(path: readonly PropertyKey[], message: string, code?: string): never;
  /** Parses `value` with `schema`; issues are reported at `path` + their own path. */
  parse<S extends z.ZodType>(schema: S, value: unknown, path?: readonly PropertyKey[]): z.output<S>;
  /** Reads a timestamp at `path`; `undefined` means "not set" (Go zero time, epoch 0, absent). */
  time(value: unknown, path: readonly PropertyKey[], unit?: EpochUnit): string | undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 200);
  return typeof error === 'string' ? error.slice(0, 200) : 'unknown error';
}

/**
 * Runs a tool-specific parser with the guarantees every parser keeps: a JSON string body is
 * parsed first, options are validated (`ConfigError`), and whatever goes wrong reaches the
 * caller as a `ValidationError` naming `subject`, never as another exception type.
 *
 * @internal
 */
export function runParser<O extends ParserOptions, T>(
  source: IngestSource,
  subject: string,
  input: unknown,
  options: O | undefined,
  optionsSchema: z.ZodType<ParsedOptions<O>>,
  parse: (ctx: ParseContext, body: unknown, options: ParsedOptions<O>) => T,
): T {
  const resolved: ParsedOptions<O> = options === undefined ? {} : parseConfig(optionsSchema, options, `${subject} options`);
  const map = severityMap(source, resolved.severityMap);
  const fallback = resolved.defaultSeverity ?? DEFAULT_SEVERITY;
  const clock = resolved.clock ?? systemClock;
  let nowIso: string | undefined;

  const fail = (path: readonly PropertyKey[], message: string, code = 'custom'): never => {
    throw new ValidationError(subject, [{ code, path: [...path], message }]);
  };
  const ctx: ParseContext = {
    source,
    subject,
    serviceLabel: resolved.service ?? (source === 'sentry' ? 'project' : 'service'),
    severity: (word) => lookUpSeverity(map, word, fallback),
    now() {
      if (nowIso === undefined) {
        const now = clock.now();
        if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
          return fail([], 'The clock given in options returned an invalid date.', 'invalid_clock');
        }
        nowIso = now.toISOString();
      }
      return nowIso;
    },
    fail,
    parse(schema, value, path = []) {
      const result = schema.safeParse(value);
      if (!result.success) {
        const issues: ValidationIssue[] = toIssues(result.error).map((issue) => ({ ...issue, path: [...path, ...issue.path] }));
        throw new ValidationError(subject, issues, result.error);
      }
      return result.data;
    },
    time(value, path, unit) {
      if (value === undefined || value === null || value === '') return undefined;
      const reading = readTimestamp(value, unit);
      return reading.ok ? reading.iso : fail(path, reading.message, 'invalid_format');
    },
  };

  try {
    let body: unknown = input;
    if (typeof input === 'string') {
      if (input.trim() === '') body = undefined;
      else {
        try {
          body = JSON.parse(input) as unknown;
        } catch (error) {
          return fail([], `The body is not valid JSON (${describe(error)}).`, 'invalid_json');
        }
      }
    }
    return parse(ctx, body, resolved);
  } catch (error) {
    if (isIncidentKitError(error)) throw error;
    // A getter that throws, a proxy, a stack overflow: still a bad payload, reported as one.
    throw new ValidationError(subject, [{ code: 'unreadable', path: [], message: `The payload could not be read (${describe(error)}).` }], error);
  }
}
