/**
 * incidentkit/http: mount an engine in any HTTP server. Inbound webhooks from monitoring tools
 * and a REST API over incidents, on Web-standard `Request`/`Response` (Hono, Next.js route
 * handlers, Bun, Deno, Cloudflare Workers), plus {@link toNodeListener} for `node:http` and
 * Express.
 *
 * @packageDocumentation
 */
export {
  createIncidentHandler,
  type ChatAppMount,
  type IncidentHandler,
  type IncidentHandlerOptions,
  type IngestParser,
  type IngestParserResult,
  type IngestSource,
  type PagerDutyRateLimit,
  type PagerDutyRoutingKey,
  type RefusedIngest,
} from './createIncidentHandler.js';
export { COMMAND_NAMES, type CommandName } from './commandRoutes.js';
export { HTTP_ERROR_CODES, type ErrorBody, type HttpErrorCode } from './errorResponse.js';
export {
  basicAuth,
  bearerAuth,
  memoryReplayStore,
  standardWebhooksAuth,
  type MemoryReplayStoreOptions,
  type ReplayStore,
  type StandardWebhooksAuthOptions,
  type Verifier,
} from './verifiers.js';
export { createNodeServer, toNodeListener, type NodeListener, type NodeServerOptions } from './toNodeListener.js';
