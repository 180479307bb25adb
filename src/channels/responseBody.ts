/**
 * Bounded reading of HTTP answers for the notifiers: an endpoint decides the outcome with its
 * status and headers, and its body is read only as far as an error message (or Slack's small
 * JSON answer) needs, so a huge or endless body can neither exhaust memory nor hold an attempt.
 * Web streams and timers only, so it runs in every runtime.
 */

/** How many bytes of an answer's body are read at most, for error messages and Teams' refusals: 4 KiB. */
export const MAX_ANSWER_BYTES = 4 * 1024;

/** How long reading that prefix may take before the rest is dropped: 2 s. */
export const ANSWER_BODY_WAIT_MS = 2_000;

/** The start of an answer's body. */
export interface BodyPrefix {
  /** The bytes read, decoded as UTF-8 (a character cut at the end is left out). */
  readonly text: string;
  /** Whether the body went on past what was read (too long, too slow or broken). */
  readonly truncated: boolean;
}

/**
 * Reads at most `maxBytes` of a response body, for at most `waitMs`, then cancels the rest
 * (which closes the connection of an unfinished body). Never rejects.
 *
 * @internal
 */
export async function readBodyPrefix(response: Response, maxBytes = MAX_ANSWER_BYTES, waitMs = ANSWER_BODY_WAIT_MS): Promise<BodyPrefix> {
  const body = response.body;
  if (body === null) return { text: '', truncated: false };
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch {
    return { text: '', truncated: true };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      resolve('late');
    }, waitMs);
  });
  try {
    while (size <= maxBytes) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late') break;
      if (next.done) {
        complete = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } catch {
    // A body that breaks off: keep what arrived.
  } finally {
    clearTimeout(timer);
    // Not awaited: a cancel that never settles must not hold the attempt.
    if (!complete) reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= bytes.length) break;
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  // `stream: true` holds back a character cut in half at the end instead of garbling it.
  const text = new TextDecoder('utf-8').decode(bytes, { stream: !complete || size > maxBytes });
  return { text, truncated: !complete || size > maxBytes };
}

/**
 * Drops a response body that is not needed (a success): cancels it without reading, so an
 * endless or huge body costs nothing. Never rejects.
 *
 * @internal
 */
export function discardBody(response: Response): void {
  const body = response.body;
  if (body === null || body.locked) return;
  body.cancel().catch(() => undefined);
}
