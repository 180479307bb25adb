/**
 * The part every inbound chat app (Slack, Microsoft Teams, Mattermost) shares around its own
 * translation: plain-text answers, the error of an app no engine is bound to yet, and how a
 * failed request is answered.
 */
import { isIncidentKitError } from '../../errors.js';
import { HttpError } from '../errorResponse.js';

/** A plain-text answer. */
export function plain(status: number, text: string, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/** Raised while no engine is bound to a chat app: answered `503`. Each platform says how to bind it. */
export class ChatAppNotConnected extends Error {}

/**
 * Serves one request with `serve`, answering what it throws: `503` while no engine is bound,
 * an `HttpError`'s status, `400` for `VALIDATION_FAILED`, else `500` (told to `report`).
 */
export async function answerChatRequest(serve: (request: Request) => Promise<Response>, request: Request, report: (error: unknown) => void): Promise<Response> {
  try {
    return await serve(request);
  } catch (error) {
    if (error instanceof ChatAppNotConnected) return plain(503, error.message);
    if (error instanceof HttpError) return plain(error.status, error.message, error.headers);
    if (isIncidentKitError(error, 'VALIDATION_FAILED')) return plain(400, error.message);
    report(error);
    return plain(500, 'The request could not be processed; nothing may have been recorded.');
  }
}
