import { ValidationError } from '../errors.js';

/**
 * The refusal of a merge whose two incidents both have an alert with `fingerprint`: an incident's
 * alerts are keyed by fingerprint, so one of them would be lost. Shared by every store.
 *
 * @internal
 */
export function sharedFingerprintError(fingerprint: string, from: string, to: string): ValidationError {
  return new ValidationError('merge', [
    {
      code: 'custom',
      path: ['into'],
      message: `Incidents ${from} and ${to} both have alert '${fingerprint}'; an incident holds each alert once, so they cannot be merged.`,
    },
  ]);
}
