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

/**
 * `text` without its trailing slashes, e.g. a base URL before a path is appended. Trimmed by hand:
 * `/\/+$/` backtracks quadratically on a long run of slashes that is not at the end.
 */
export function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '/') end -= 1;
  return text.slice(0, end);
}
