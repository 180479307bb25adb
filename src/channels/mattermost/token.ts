/**
 * A Mattermost slash command proves where it comes from with its token: the secret Mattermost
 * shows once the command is saved, sent in the form field `token` and in
 * `Authorization: Token <token>`. Compared in constant time over UTF-8 bytes, with no Node
 * built-ins, so it runs on every runtime.
 */

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Whether two byte strings are equal, in time that depends on neither their contents nor
 * (beyond their lengths) where they differ.
 */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/**
 * The token of an `Authorization: Token <token>` header (Mattermost sends the command's token
 * there too): `undefined` without the header, `null` when it has another scheme or no token.
 *
 * @example
 * ```ts
 * import { mattermostAuthorizationToken } from 'incidentkit/mattermost';
 *
 * mattermostAuthorizationToken('Token nezum4kpu3faiec7r7c5zt6tfy'); // 'nezum4kpu3faiec7r7c5zt6tfy'
 * ```
 */
export function mattermostAuthorizationToken(header: string | null): string | undefined | null {
  if (header === null) return undefined;
  const match = /^Token ([^\s]{1,1000})$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/**
 * Whether a request carries one of the command's tokens.
 *
 * @remarks `tokens` may list several (one slash command per team, or an old and a new token
 * while rotating). Every configured token is compared, each in constant time, so the time taken
 * says nothing about which one matched or how much of one did. An empty or missing given token
 * never matches.
 *
 * @example
 * ```ts
 * import { verifyMattermostToken } from 'incidentkit/mattermost';
 *
 * verifyMattermostToken('nezum4kpu3faiec7r7c5zt6tfy', ['nezum4kpu3faiec7r7c5zt6tfy', 'okwexkjpe7ygb8eq1ww58t483w']); // true
 * ```
 */
export function verifyMattermostToken(given: string | null | undefined, tokens: string | readonly string[]): boolean {
  if (given === null || given === undefined || given === '') return false;
  const givenBytes = encoder.encode(given);
  let matched = false;
  for (const token of typeof tokens === 'string' ? [tokens] : tokens) {
    if (token === '') continue;
    // No short cut: a match does not end the loop early.
    matched = constantTimeEqual(givenBytes, encoder.encode(token)) || matched;
  }
  return matched;
}
