import { ConfigError } from '../../errors.js';

/** Names SQL stores accept for schemas and table prefixes: a plain, unquoted-safe identifier. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Checks that `value` can be spliced into SQL as an identifier, or throws a {@link ConfigError}.
 *
 * @remarks Identifiers cannot be bound as parameters, so the schema name or table prefix a host
 * passes is validated here once and only then quoted into statements.
 *
 * @throws ConfigError (`CONFIG_INVALID`) when `value` is not a plain identifier.
 * @internal
 */
export function validateIdentifier(value: unknown, subject: string, option: string, maxLength = MAX_IDENTIFIER_LENGTH): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value) || value.length > maxLength) {
    throw new ConfigError(subject, [
      {
        code: 'custom',
        path: [option],
        message: `Must be a plain identifier (a letter or underscore, then letters, digits or underscores; at most ${String(maxLength)} characters), e.g. 'incidentkit'`,
      },
    ]);
  }
  return value;
}

/** Double-quotes a validated identifier for use in SQL. @internal */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
