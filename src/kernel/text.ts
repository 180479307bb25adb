/**
 * Small text helpers shared by the layers above: reading optional strings out of untyped data,
 * and cutting texts to a channel's or a field's limit.
 *
 * @module
 */

/** `value` when it is a string with at least one character, else `undefined`. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `text` cut to at most `max` characters, ending in `…` when it was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
