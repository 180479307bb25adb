/**
 * Every error incidentkit raises is an {@link IncidentKitError} with a stable string `code`.
 *
 * @remarks
 * Check errors with {@link isIncidentKitError} rather than `instanceof`: it compares the
 * `code` structurally, so it keeps working when two copies of the package are installed.
 *
 * @packageDocumentation
 */

/** The stable codes of every error incidentkit raises. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_TRANSITION',
  'NOT_FOUND',
  'VERSION_CONFLICT',
  'DUPLICATE_INCIDENT',
  'FORBIDDEN',
  'ADAPTER_FAILED',
  'NOTIFIER_FAILED',
  'CONFIG_INVALID',
  'ENCRYPTION_FAILED',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * One problem found while validating input, in the shape zod reports it.
 *
 * @remarks `path` locates the offending value inside the input, e.g. `['actor', 'id']`.
 */
export interface ValidationIssue {
  /** The zod issue code, e.g. `invalid_type` or `too_big`. */
  readonly code: string;
  /** Where in the input the problem is. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, in words a person can act on. */
  readonly message: string;
}

/** The first three issues as one clause: `path: message; path: message`, without trailing periods. */
function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => {
      // A loop, not `/\.+$/`: that pattern is quadratic on a long run of dots inside a message.
      let end = i.message.length;
      while (end > 0 && i.message[end - 1] === '.') end -= 1;
      const message = i.message.slice(0, end);
      return i.path.length > 0 ? `${i.path.map(String).join('.')}: ${message}` : message;
    })
    .join('; ');
}

/** Options common to every {@link IncidentKitError}. */
export interface IncidentKitErrorOptions<D> {
  /** Structured facts about the error (ids, states, issues). */
  readonly details: D;
  /** The underlying error, when one caused this one. */
  readonly cause?: unknown;
}

/**
 * The base class of every error incidentkit raises.
 *
 * @remarks Carries a stable `code`, typed `details` and the standard `cause`.
 *
 * @example
 * ```ts
 * import { IncidentKitError } from 'incidentkit';
 *
 * try {
 *   throw new IncidentKitError('CONFIG_INVALID', 'No store was given.', { details: {} });
 * } catch (err) {
 *   if (err instanceof IncidentKitError) console.log(err.code);
 * }
 * ```
 */
export class IncidentKitError<D = Readonly<Record<string, unknown>>> extends Error {
  /** The stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured facts about the error. */
  readonly details: D;

  constructor(code: ErrorCode, message: string, options: IncidentKitErrorOptions<D>) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IncidentKitError';
    this.code = code;
    this.details = options.details;
  }
}

/** Details of a {@link ValidationError}. */
export interface ValidationErrorDetails {
  /** What was being validated, e.g. `declare` or `acknowledge`. */
  readonly subject: string;
  /** Every problem found. */
  readonly issues: readonly ValidationIssue[];
}

/**
 * Input failed validation (code `VALIDATION_FAILED`); nothing was stored.
 *
 * @example
 * ```ts
 * import { ValidationError } from 'incidentkit';
 *
 * const err = new ValidationError('declare', [{ code: 'too_small', path: ['title'], message: 'Title is required.' }]);
 * console.log(err.details.issues[0]?.path); // ['title']
 * ```
 */
export class ValidationError extends IncidentKitError<ValidationErrorDetails> {
  constructor(subject: string, issues: readonly ValidationIssue[], cause?: unknown) {
    const first = describeIssues(issues);
    const more = issues.length > 3 ? ` (and ${String(issues.length - 3)} more)` : '';
    super('VALIDATION_FAILED', `Invalid input for ${subject}: ${first}${more}. Fix the input and try again.`, {
      details: { subject, issues },
      cause,
    });
    this.name = 'ValidationError';
  }
}

/** Details of an {@link InvalidTransitionError}. */
export interface InvalidTransitionErrorDetails {
  readonly incidentId: string;
  /** The incident's lifecycle state when the event was refused. */
  readonly state: string;
  /** The lifecycle event that was refused, e.g. `CLOSE`. */
  readonly event: string;
  /** The lifecycle events this state accepts (including the engine's own, such as `CLOCK_DUE`). */
  readonly accepted: readonly string[];
  /** The engine command that was refused, e.g. `close` (absent for the engine's own events). */
  readonly command?: string;
  /** The engine commands this state accepts, e.g. `['reopen', 'startReview', 'close', …]`. */
  readonly commands?: readonly string[];
  /** Why a policy refused an event the state otherwise accepts. */
  readonly reason?: string;
  /** What refused the event: `incident` (absent) or another record with a lifecycle, e.g. `problem`; `incidentId` is then that record's id. */
  readonly entity?: string;
}

/** The incident's current state does not accept the command (code `INVALID_TRANSITION`); nothing was written. */
export class InvalidTransitionError extends IncidentKitError<InvalidTransitionErrorDetails> {
  constructor(details: InvalidTransitionErrorDetails) {
    const refused = details.command ?? details.event;
    const allowed = details.commands ?? details.accepted;
    const entity = details.entity === undefined ? 'Incident' : `${details.entity.charAt(0).toUpperCase()}${details.entity.slice(1)}`;
    const message =
      details.reason !== undefined
        ? `${entity} ${details.incidentId} is in state '${details.state}' and cannot ${refused}: ${details.reason}`
        : `${entity} ${details.incidentId} is in state '${details.state}', which does not accept ${refused}; ` +
          (allowed.length > 0
            ? `${details.commands === undefined ? 'it accepts' : 'you can call'} ${allowed.join(', ')}.`
            : details.commands === undefined
              ? 'it accepts no further events.'
              : 'no command changes it any more.');
    super('INVALID_TRANSITION', message, { details });
    this.name = 'InvalidTransitionError';
  }
}

/** Details of a {@link NotFoundError}. */
export interface NotFoundErrorDetails {
  /** What kind of thing is missing: `incident`, `actionItem`, … */
  readonly entity: string;
  readonly id: string;
  readonly tenantId: string;
  readonly incidentId?: string;
}

/** No such incident (or action item, …) in this tenant (code `NOT_FOUND`). */
export class NotFoundError extends IncidentKitError<NotFoundErrorDetails> {
  constructor(details: NotFoundErrorDetails) {
    const where =
      details.incidentId !== undefined && details.entity !== 'incident'
        ? ` on incident ${details.incidentId}`
        : ` in tenant '${details.tenantId}'`;
    super('NOT_FOUND', `No ${details.entity} with id '${details.id}'${where}; check the id.`, { details });
    this.name = 'NotFoundError';
  }
}

/** Details of a {@link ConcurrencyError}. */
export interface ConcurrencyErrorDetails {
  readonly tenantId: string;
  readonly incidentId: string;
  /** The version the write was computed from. */
  readonly expected: number;
  /** The version the store holds, when known. */
  readonly actual?: number;
}

/**
 * The incident changed between read and write (code `VERSION_CONFLICT`).
 *
 * @remarks Stores raise it when a commit's expected version is stale; the engine reloads and
 * retries commands that are still valid, and raises it only when retries run out.
 */
export class ConcurrencyError extends IncidentKitError<ConcurrencyErrorDetails> {
  constructor(details: ConcurrencyErrorDetails, cause?: unknown) {
    const actual = details.actual === undefined ? '' : ` but it is at version ${String(details.actual)}`;
    super(
      'VERSION_CONFLICT',
      `Incident ${details.incidentId} was expected at version ${String(details.expected)}${actual}; reload it and retry.`,
      { details, cause },
    );
    this.name = 'ConcurrencyError';
  }
}

/** Details of a {@link RecordConflictError}. */
export interface RecordConflictErrorDetails {
  readonly tenantId: string;
  /** The record's kind, e.g. `schedule`. */
  readonly kind: string;
  readonly id: string;
  /** The version the write was computed from (`0`: it meant to create the record). */
  readonly expected: number;
  /** The version the store holds; `0`: the record does not exist. */
  readonly actual: number;
}

/**
 * A record changed between read and write (code `VERSION_CONFLICT`, like {@link ConcurrencyError}
 * for incidents); nothing was written.
 *
 * @remarks Stores raise it from `putRecord` when `expectedVersion` is not the record's current
 * version, which includes creating (`expectedVersion: 0`) a record that exists. Read the record
 * again, apply the change to it, and write at its version.
 * @example
 * ```ts
 * import { RecordConflictError } from 'incidentkit';
 *
 * const err = new RecordConflictError({ tenantId: 'default', kind: 'schedule', id: 'primary', expected: 3, actual: 4 });
 * console.log(err.message); // Record schedule 'primary' was expected at version 3 but it is at version 4; reload it and retry.
 * ```
 */
export class RecordConflictError extends IncidentKitError<RecordConflictErrorDetails> {
  constructor(details: RecordConflictErrorDetails, cause?: unknown) {
    super(
      'VERSION_CONFLICT',
      `Record ${details.kind} '${details.id}' was expected at version ${String(details.expected)} but it is at version ${String(details.actual)}; reload it and retry.`,
      { details, cause },
    );
    this.name = 'RecordConflictError';
  }
}

/** Details of a {@link DuplicateIncidentError}. */
export interface DuplicateIncidentErrorDetails {
  readonly tenantId: string;
  readonly dedupKey: string;
  /** The open incident that already holds the dedup key, when known. */
  readonly existingIncidentId?: string;
}

/** An open incident already holds this dedup key (code `DUPLICATE_INCIDENT`); nothing was written. */
export class DuplicateIncidentError extends IncidentKitError<DuplicateIncidentErrorDetails> {
  constructor(details: DuplicateIncidentErrorDetails, cause?: unknown) {
    const existing = details.existingIncidentId === undefined ? 'An open incident' : `Open incident ${details.existingIncidentId}`;
    super(
      'DUPLICATE_INCIDENT',
      `${existing} already has dedup key '${details.dedupKey}'; update that incident or resolve it before declaring another.`,
      { details, cause },
    );
    this.name = 'DuplicateIncidentError';
  }
}

/** Details of a {@link ForbiddenError}. */
export interface ForbiddenErrorDetails {
  readonly action: string;
  readonly actorId: string;
  readonly tenantId: string;
  readonly incidentId?: string;
}

/** The host's authorization policy denied the action (code `FORBIDDEN`); nothing was written. */
export class ForbiddenError extends IncidentKitError<ForbiddenErrorDetails> {
  constructor(details: ForbiddenErrorDetails) {
    const on = details.incidentId === undefined ? '' : ` on incident ${details.incidentId}`;
    super('FORBIDDEN', `Actor '${details.actorId}' may not ${details.action}${on}; ask an administrator for access.`, {
      details,
    });
    this.name = 'ForbiddenError';
  }
}

/** Details of an {@link AdapterError}. */
export interface AdapterErrorDetails {
  /** The adapter's name, e.g. `memory`, `sqlite`, `postgres`. */
  readonly adapter: string;
  /** The adapter operation that failed, e.g. `commit`. */
  readonly operation: string;
}

/** A storage adapter failed for a reason other than a version conflict (code `ADAPTER_FAILED`). */
export class AdapterError extends IncidentKitError<AdapterErrorDetails> {
  constructor(details: AdapterErrorDetails, message: string, cause?: unknown) {
    super('ADAPTER_FAILED', `[incidentkit] [${details.adapter}] ${details.operation} failed: ${message}`, {
      details,
      cause,
    });
    this.name = 'AdapterError';
  }
}

/** Details of a {@link NotifierError}. */
export interface NotifierErrorDetails {
  /** The notifier's name. */
  readonly notifier: string;
  /** Whether sending again later may succeed. */
  readonly retryable: boolean;
  /** HTTP status, when the channel answered with one. */
  readonly status?: number;
  /** How long the channel asked us to wait, in milliseconds (from `Retry-After`). */
  readonly retryAfterMs?: number;
}

/** A notifier could not deliver a message (code `NOTIFIER_FAILED`). */
export class NotifierError extends IncidentKitError<NotifierErrorDetails> {
  /** Whether the dispatcher should retry. */
  readonly retryable: boolean;

  constructor(details: NotifierErrorDetails, message: string, cause?: unknown) {
    super('NOTIFIER_FAILED', `[incidentkit] [${details.notifier}] ${message}`, { details, cause });
    this.name = 'NotifierError';
    this.retryable = details.retryable;
  }
}

/** Details of a {@link ConfigError}. */
export interface ConfigErrorDetails {
  /** What was being configured, e.g. `createIncidentEngine`. */
  readonly subject: string;
  readonly issues: readonly ValidationIssue[];
}

/** The engine or an adapter was configured wrongly (code `CONFIG_INVALID`). */
export class ConfigError extends IncidentKitError<ConfigErrorDetails> {
  constructor(subject: string, issues: readonly ValidationIssue[], cause?: unknown) {
    const text = describeIssues(issues);
    super('CONFIG_INVALID', `Invalid configuration for ${subject}: ${text}.`, { details: { subject, issues }, cause });
    this.name = 'ConfigError';
  }
}

/** Details of an {@link EncryptionError}. */
export interface EncryptionErrorDetails {
  /** The data subject whose key was used. */
  readonly subjectId: string;
  readonly incidentId?: string;
  /** The field path of the value, e.g. `patient.mrn`. */
  readonly path?: string;
  /**
   * `wrong_key`: the keyring's key does not open the value (another key, or the value was
   * altered); `bad_key`: the keyring returned something other than 32 bytes; `no_key`: the
   * keyring's `create` returned no key; `keyring_failed`: the keyring threw; `malformed`: the
   * stored value is not a readable envelope.
   */
  readonly reason: 'wrong_key' | 'bad_key' | 'no_key' | 'keyring_failed' | 'malformed';
}

/**
 * A sensitive field could not be encrypted or decrypted with its data subject's key (code
 * `ENCRYPTION_FAILED`): the keyring handed back a wrong or malformed key, or failed. A value
 * whose key was destroyed (`engine.erase`) is not an error: it reads `[erased]`.
 */
export class EncryptionError extends IncidentKitError<EncryptionErrorDetails> {
  constructor(details: EncryptionErrorDetails, cause?: unknown) {
    const where = `${details.incidentId === undefined ? '' : ` of incident ${details.incidentId}`}${details.path === undefined ? '' : ` at '${details.path}'`}`;
    const why = {
      wrong_key: `the keyring's key for subject '${details.subjectId}' does not open it (a different key, or the stored value was altered); check the keyring`,
      bad_key: `the keyring returned a key for subject '${details.subjectId}' that is not 32 bytes (a Uint8Array for AES-256)`,
      no_key: `the keyring's create('${details.subjectId}') returned no key`,
      keyring_failed: `the keyring failed for subject '${details.subjectId}'`,
      malformed: `the stored value is not an incidentkit envelope`,
    }[details.reason];
    super('ENCRYPTION_FAILED', `Cannot encrypt or decrypt the sensitive field${where}: ${why}.`, { details, cause });
    this.name = 'EncryptionError';
  }
}

/**
 * Tells whether `err` is an incidentkit error, optionally with a given code.
 *
 * @remarks Structural: it checks `name`-independent fields (`code` among {@link ERROR_CODES}
 * and an object `details`), so it works across duplicate installs of the package.
 *
 * @example
 * ```ts
 * import { isIncidentKitError } from 'incidentkit';
 *
 * function statusFor(err: unknown): number {
 *   if (isIncidentKitError(err, 'NOT_FOUND')) return 404;
 *   if (isIncidentKitError(err, 'VALIDATION_FAILED')) return 400;
 *   return 500;
 * }
 * ```
 */
export function isIncidentKitError<C extends ErrorCode>(
  err: unknown,
  code?: C,
): err is IncidentKitError & { readonly code: C } {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as { code?: unknown; details?: unknown; message?: unknown };
  if (typeof candidate.code !== 'string' || !(ERROR_CODES as readonly string[]).includes(candidate.code)) return false;
  if (typeof candidate.details !== 'object' || candidate.details === null) return false;
  if (typeof candidate.message !== 'string') return false;
  return code === undefined || candidate.code === code;
}
