/**
 * The error classes and `isIncidentKitError`: stable codes, names, details, messages that name
 * the incident and the state, and a structural check that survives duplicate installs.
 */
import { describe, expect, it } from 'vitest';
import {
  EncryptionError,
  AdapterError,
  ConcurrencyError,
  ConfigError,
  DuplicateIncidentError,
  ERROR_CODES,
  ForbiddenError,
  IncidentKitError,
  InvalidTransitionError,
  NotFoundError,
  NotifierError,
  RecordConflictError,
  ValidationError,
  isIncidentKitError,
  type ErrorCode,
} from '../src/errors.js';

const cause = new Error('socket hang up');

/** One instance of every error class, with the code and name it must carry and text its message must hold. */
const CASES: readonly (readonly [IncidentKitError<object>, ErrorCode, string, readonly string[]])[] = [
  [
    new ValidationError('declare', [
      { code: 'too_small', path: ['title'], message: 'Must not be empty' },
      { code: 'invalid_type', path: ['actor', 'id'], message: 'Required' },
    ]),
    'VALIDATION_FAILED',
    'ValidationError',
    ['declare', 'title', 'actor.id', 'Must not be empty'],
  ],
  [
    new InvalidTransitionError({ incidentId: 'inc_7', state: 'closed', event: 'ACKNOWLEDGE', accepted: ['UPDATE_ACTION_ITEM'] }),
    'INVALID_TRANSITION',
    'InvalidTransitionError',
    ['inc_7', 'closed', 'ACKNOWLEDGE', 'UPDATE_ACTION_ITEM'],
  ],
  [
    new NotFoundError({ entity: 'incident', id: 'inc_404', tenantId: 'acme' }),
    'NOT_FOUND',
    'NotFoundError',
    ['inc_404', 'acme', 'incident'],
  ],
  [
    new NotFoundError({ entity: 'action item', id: 'act_9', tenantId: 'acme', incidentId: 'inc_7' }),
    'NOT_FOUND',
    'NotFoundError',
    ['act_9', 'inc_7', 'action item'],
  ],
  [
    new ConcurrencyError({ tenantId: 'acme', incidentId: 'inc_7', expected: 3, actual: 4 }, cause),
    'VERSION_CONFLICT',
    'ConcurrencyError',
    ['inc_7', '3', '4', 'retry'],
  ],
  [
    new RecordConflictError({ tenantId: 'acme', kind: 'schedule', id: 'primary', expected: 3, actual: 4 }, cause),
    'VERSION_CONFLICT',
    'RecordConflictError',
    ['schedule', 'primary', '3', '4', 'retry'],
  ],
  [
    new DuplicateIncidentError({ tenantId: 'acme', dedupKey: 'db-down', existingIncidentId: 'inc_1' }),
    'DUPLICATE_INCIDENT',
    'DuplicateIncidentError',
    ['db-down', 'inc_1'],
  ],
  [
    new ForbiddenError({ action: 'close', actorId: 'u_eve', tenantId: 'acme', incidentId: 'inc_7' }),
    'FORBIDDEN',
    'ForbiddenError',
    ['u_eve', 'close', 'inc_7'],
  ],
  [new AdapterError({ adapter: 'sqlite', operation: 'commit' }, 'disk I/O error', cause), 'ADAPTER_FAILED', 'AdapterError', ['sqlite', 'commit', 'disk I/O error']],
  [
    new NotifierError({ notifier: 'slack', retryable: true, status: 429, retryAfterMs: 2_000 }, 'rate limited'),
    'NOTIFIER_FAILED',
    'NotifierError',
    ['slack', 'rate limited'],
  ],
  [
    new ConfigError('createIncidentEngine', [{ code: 'custom', path: ['store'], message: 'A store is required' }]),
    'CONFIG_INVALID',
    'ConfigError',
    ['createIncidentEngine', 'store', 'A store is required'],
  ],
  [
    new EncryptionError({ subjectId: 'patient_42', incidentId: 'inc_7', path: 'patient.mrn', reason: 'wrong_key' }, cause),
    'ENCRYPTION_FAILED',
    'EncryptionError',
    ['patient_42', 'inc_7', 'patient.mrn', 'does not open it'],
  ],
];

describe('error classes', () => {
  it.each(CASES.map((c) => [c[2], c] as const))('%s has its code, name, details and a message naming what is wrong', (_name, [error, code, name, words]) => {
    expect(error).toBeInstanceOf(IncidentKitError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(typeof error.details).toBe('object');
    for (const word of words) expect(error.message).toContain(word);
    expect(isIncidentKitError(error)).toBe(true);
    expect(isIncidentKitError(error, code)).toBe(true);
    expect(String(error)).toBe(`${name}: ${error.message}`);
    expect(error.stack).toContain(name);
  });

  it('covers every code in ERROR_CODES', () => {
    expect(new Set(CASES.map((c) => c[1]))).toEqual(new Set(ERROR_CODES));
  });

  it('keeps the cause', () => {
    expect(new ConcurrencyError({ tenantId: 't', incidentId: 'i', expected: 1 }, cause).cause).toBe(cause);
    expect(new AdapterError({ adapter: 'pg', operation: 'load' }, 'down', cause).cause).toBe(cause);
    expect(new NotFoundError({ entity: 'incident', id: 'x', tenantId: 't' }).cause).toBeUndefined();
  });

  it('InvalidTransitionError gives the policy reason when there is one, and says when nothing is accepted', () => {
    const blocked = new InvalidTransitionError({
      incidentId: 'inc_1',
      state: 'resolved',
      event: 'CLOSE',
      accepted: ['REOPEN', 'START_REVIEW', 'CLOSE'],
      reason: 'SEV1 incidents need a completed post-incident review before they can close.',
    });
    expect(blocked.message).toContain('inc_1');
    expect(blocked.message).toContain('resolved');
    expect(blocked.message).toContain('SEV1 incidents need a completed post-incident review');
    const final = new InvalidTransitionError({ incidentId: 'inc_2', state: 'canceled', event: 'REOPEN', accepted: [] });
    expect(final.message).toContain('inc_2');
    expect(final.message).toContain('canceled');
    expect(final.message).toMatch(/no further events/);
  });

  it('ValidationError lists at most three issues and counts the rest', () => {
    const issues = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ code: 'custom', path: [key], message: `bad ${key}` }));
    const error = new ValidationError('declare', issues);
    expect(error.message).toContain('bad c');
    expect(error.message).not.toContain('bad d');
    expect(error.message).toContain('2 more');
    expect(error.details.issues).toHaveLength(5);
  });

  it('ConcurrencyError without a known actual version still names the expected one', () => {
    const error = new ConcurrencyError({ tenantId: 't', incidentId: 'inc_3', expected: 7 });
    expect(error.message).toContain('inc_3');
    expect(error.message).toContain('7');
    expect(error.details.actual).toBeUndefined();
  });

  it('NotifierError exposes retryable', () => {
    expect(new NotifierError({ notifier: 'email', retryable: false }, 'bad address').retryable).toBe(false);
    expect(new NotifierError({ notifier: 'email', retryable: true }, 'timeout').retryable).toBe(true);
  });
});

describe('isIncidentKitError', () => {
  it('accepts an error from a duplicate install: a plain object with code, details and message', () => {
    const foreign: unknown = JSON.parse(
      JSON.stringify({ name: 'NotFoundError', code: 'NOT_FOUND', message: 'No incident with id x', details: { entity: 'incident', id: 'x' } }),
    );
    expect(isIncidentKitError(foreign)).toBe(true);
    expect(isIncidentKitError(foreign, 'NOT_FOUND')).toBe(true);
    expect(isIncidentKitError(foreign, 'VALIDATION_FAILED')).toBe(false);

    class OtherCopyError extends Error {
      readonly code = 'VERSION_CONFLICT';
      readonly details = { incidentId: 'inc_1', expected: 1 };
    }
    expect(isIncidentKitError(new OtherCopyError('conflict'), 'VERSION_CONFLICT')).toBe(true);
  });

  it('narrows the type to the given code', () => {
    const err: unknown = new NotFoundError({ entity: 'incident', id: 'x', tenantId: 't' });
    if (!isIncidentKitError(err, 'NOT_FOUND')) throw new Error('expected NOT_FOUND');
    const code: 'NOT_FOUND' = err.code;
    expect(code).toBe('NOT_FOUND');
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'NOT_FOUND'],
    ['a number', 404],
    ['a plain Error', new Error('boom')],
    ['an unknown code', { code: 'EPIPE', message: 'broken pipe', details: {} }],
    ['a numeric code', { code: 404, message: 'x', details: {} }],
    ['no details', { code: 'NOT_FOUND', message: 'x' }],
    ['null details', { code: 'NOT_FOUND', message: 'x', details: null }],
    ['string details', { code: 'NOT_FOUND', message: 'x', details: 'x' }],
    ['no message', { code: 'NOT_FOUND', details: {} }],
    ['a Node system error', Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' })],
  ])('refuses %s', (_name, value) => {
    expect(isIncidentKitError(value)).toBe(false);
    expect(isIncidentKitError(value, 'NOT_FOUND')).toBe(false);
  });

  it('refuses a real incidentkit error with a different code', () => {
    const error = new ValidationError('declare', []);
    expect(isIncidentKitError(error, 'NOT_FOUND')).toBe(false);
    expect(isIncidentKitError(error, 'VALIDATION_FAILED')).toBe(true);
  });
});
