/**
 * `incidentkit/status-page`: the public status page. {@link createStatusPageHandler} serves the
 * Statuspage v2 JSON, the Atom and RSS incident history and the HTML page of a page defined
 * with the status page feature; the renderers behind it are exported as pure functions of a
 * {@link StatusPageSnapshot}, for hosts that serve or store the outputs themselves.
 * {@link statusPageSubscriberDelivery} emails and posts to the page's subscribers (the engine's
 * `statusPageSubscribers.delivery`).
 *
 * @remarks Uses only Web-standard APIs, like `incidentkit/http`.
 *
 * @packageDocumentation
 */
export {
  createStatusPageHandler,
  type StatusPageHandlerOptions,
  type StatusPageSource,
} from './createStatusPageHandler.js';
export {
  renderStatuspageV2,
  STATUSPAGE_V2_LIST_LIMIT,
  STATUSPAGE_V2_PATHS,
  statuspageGroupId,
  statuspageStatus,
  type StatuspageV2AffectedComponent,
  type StatuspageV2Body,
  type StatuspageV2Component,
  type StatuspageV2Incident,
  type StatuspageV2IncidentUpdate,
  type StatuspageV2Page,
  type StatuspageV2Path,
  type StatuspageV2ScheduledMaintenance,
  type StatuspageV2Status,
  type StatuspageV2Summary,
} from '../../features/statusPage/render/statuspageV2.js';
export { statusPageSubscriberDelivery, type StatusPageSubscriberDeliveryOptions } from '../../features/statusPage/subscriberDelivery.js';
export { renderHistoryAtom, renderHistoryRss } from '../../features/statusPage/render/feeds.js';
export { renderStatusPageHtml, STATUS_PAGE_CSS_PROPERTIES, type StatusPageCssProperty, type StatusPageHtmlOptions } from '../../features/statusPage/render/html.js';
export type {
  AffectedComponent,
  ComponentState,
  ComponentStatus,
  ComponentUptime,
  MaintenanceStatus,
  PublicImpact,
  PublicIncident,
  PublicIncidentStatus,
  PublicUpdate,
  ScheduledMaintenance,
  StatusPage,
  StatusPageComponent,
  StatusPageSnapshot,
  UptimeDay,
} from '../../features/statusPage/snapshot.js';
export { COMPONENT_STATUSES, MAINTENANCE_STATUSES, PUBLIC_IMPACTS, PUBLIC_INCIDENT_STATUSES } from '../../features/statusPage/snapshot.js';
