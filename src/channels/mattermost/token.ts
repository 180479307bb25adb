/**
 * A Mattermost slash command proves where it comes from with its token: the secret Mattermost
 * shows once the command is saved, sent in the form field `token` and in
 * `Authorization: Token <token>`. Compared in constant time over UTF-8 bytes, with no Node
 * built-ins, so it runs on every runtime.
 */
import { constantTimeEqual } from '../../kernel/constantTime.js';

const encoder = /* @__PURE__ */ new TextEncoder();

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
