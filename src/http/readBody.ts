/** Reading a request body with a byte limit enforced while it streams in. */
import { HttpError } from './errorResponse.js';

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${String(maxBytes)} bytes; send less, or raise maxBodyBytes if the sender is trusted.`,
    { headers: { connection: 'close' } },
  );
}

/**
 * The body stream failed before its end: the client went away (or its connection broke) while
 * sending it. The client's fault, not the server's: `400`, and no `onError`.
 */
function aborted(cause: unknown): HttpError {
  return new HttpError(
    400,
    'REQUEST_ABORTED',
    'The request body ended before it was complete (the client disconnected or the connection broke); nothing was processed. Send the request again.',
    { headers: { connection: 'close' }, cause },
  );
}

/**
 * Reads a request's body, refusing it with a `413` as soon as it passes `maxBytes`.
 *
 * @remarks A `Content-Length` above the limit is refused before reading anything; the limit is
 * then enforced on the bytes actually received, so a missing or wrong `Content-Length` (a
 * chunked upload) cannot get more than `maxBytes` into memory. A body stream that errors (the
 * client disconnected mid-body) is a `400` `REQUEST_ABORTED`, not a server fault.
 *
 * @internal
 */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw aborted(error);
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop pulling: the rest is never buffered. Cancellation may settle later; nobody waits for it.
      reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a body as UTF-8, or `undefined` when it is not valid UTF-8.
 *
 * @internal
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
