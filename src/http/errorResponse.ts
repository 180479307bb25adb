/**
 * How errors become HTTP responses: a status per error code and a JSON body
 * `{ error: { code, message, details? } }` that never carries a stack trace.
 */
import { isIncidentKitError, type ErrorCode } from '../errors.js';

/**
 * Codes the HTTP layer adds to the library's {@link ErrorCode}s.
 *
 * @example
 * ```ts
 * import { HTTP_ERROR_CODES, type HttpErrorCode } from 'incidentkit/http';
 *
 * const isHttpCode = (code: string): code is HttpErrorCode => (HTTP_ERROR_CODES as readonly string[]).includes(code);
 * ```
 */
export const HTTP_ERROR_CODES = [
  'UNAUTHENTICATED',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'REQUEST_ABORTED',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
] as const;

/** One of {@link HTTP_ERROR_CODES}. */
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

/**
 * The JSON body of every error response of `createIncidentHandler`.
 *
 * @example
 * ```ts
 * import type { ErrorBody } from 'incidentkit/http';
 *
 * async function explain(response: Response): Promise<string> {
 *   const body = (await response.json()) as ErrorBody;
 *   return `${body.error.code}: ${body.error.message}`;
 * }
 * ```
 */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode | HttpErrorCode;
    /** One sentence naming what is wrong and what to do. */
    readonly message: string;
    /** The error's structured facts, e.g. `{ subject, issues }` of a validation error. */
    readonly details?: unknown;
  };
}

/** The status each library error code answers with. */
const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  VERSION_CONFLICT: 409,
  DUPLICATE_INCIDENT: 409,
  CONFIG_INVALID: 500,
  NOTIFIER_FAILED: 502,
  ADAPTER_FAILED: 503,
  ENCRYPTION_FAILED: 500,
};

/**
 * An error the handler answers with a given status (routing, authentication, body limits).
 *
 * @internal
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode | ErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  readonly details: unknown;

  constructor(
    status: number,
    code: HttpErrorCode | ErrorCode,
    message: string,
    options: { readonly headers?: Readonly<Record<string, string>>; readonly details?: unknown; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}

/** Headers of every JSON response: no caching of incident data, no content sniffing. */
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/** A JSON response with the handler's standard headers. @internal */
export function jsonResponse(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Issue paths as plain JSON (symbols become strings). */
function jsonSafeDetails(details: unknown): unknown {
  if (typeof details !== 'object' || details === null) return details;
  return JSON.parse(
    JSON.stringify(details, (_key, value: unknown) => (typeof value === 'symbol' ? value.toString() : value)),
  ) as unknown;
}

/** What {@link toErrorResponse} decided: the response, its status and code, and whether the server is at fault. */
export interface MappedError {
  readonly response: Response;
  readonly status: number;
  readonly code: ErrorCode | HttpErrorCode;
  /** `true` for a `5xx`: the host should log the error; the client learns only its code. */
  readonly serverFault: boolean;
}

/**
 * Maps any thrown value to an error response.
 *
 * @remarks Library errors keep their `code`, message and details for `4xx` statuses. For
 * `5xx` the body says only what kind of failure it was: adapter and configuration messages
 * can name hosts and internals that clients must not see.
 *
 * @internal
 */
export function toErrorResponse(error: unknown): MappedError {
  if (error instanceof HttpError) {
    const body: ErrorBody = {
      error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: jsonSafeDetails(error.details) }) },
    };
    return { response: jsonResponse(error.status, body, error.headers), status: error.status, code: error.code, serverFault: error.status >= 500 };
  }
  if (isIncidentKitError(error)) {
    const status = STATUS_OF[error.code];
    if (status < 500) {
      const body: ErrorBody = { error: { code: error.code, message: error.message, details: jsonSafeDetails(error.details) } };
      return { response: jsonResponse(status, body), status, code: error.code, serverFault: false };
    }
    const message =
      error.code === 'ADAPTER_FAILED'
        ? 'The incident store failed; try again later.'
        : error.code === 'NOTIFIER_FAILED'
          ? 'A notifier failed; try again later.'
          : 'The server is misconfigured; the operator has been told.';
    return { response: jsonResponse(status, { error: { code: error.code, message } } satisfies ErrorBody), status, code: error.code, serverFault: true };
  }
  const body: ErrorBody = { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred; the operator has been told.' } };
  return { response: jsonResponse(500, body), status: 500, code: 'INTERNAL_ERROR', serverFault: true };
}
