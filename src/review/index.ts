/**
 * Review and prevention: post-incident reviews, action items and recurrence detection.
 *
 * @packageDocumentation
 */
export {
  ACTION_ITEM_KINDS,
  ACTION_ITEM_STRENGTHS,
  DEFAULT_ACTION_ITEM_POLICY,
  OPEN_ACTION_ITEM_STATUSES,
  actionItemPolicySchema,
  actionItemPolicyViolation,
  countActionItems,
  isActionItemOverdue,
  meetsStrength,
  overdueActionItems,
  resolveActionItemPolicy,
  type ActionItemCounts,
  type ActionItemLike,
  type ActionItemPolicy,
} from './actionItems.js';
export { KEY_EVENT_TYPES, buildPostmortem } from './buildPostmortem.js';
export type {
  BuildPostmortemOptions,
  PhaseName,
  PhaseSegment,
  Postmortem,
  PostmortemActionItem,
  PostmortemMilestone,
  PostmortemOverdueReport,
  PostmortemReportingClock,
  PostmortemReportPhase,
  PostmortemReportStatus,
  PostmortemTimelineEntry,
  RedactField,
  TimelineEventLike,
} from './types.js';
export {
  DEFAULT_SIMILARITY_WEIGHTS,
  findSimilarIncidents,
  titleSimilarity,
  type FindSimilarOptions,
  type SimilarIncident,
  type SimilarityInput,
  type SimilarityReason,
  type SimilarityReasonKind,
  type SimilarityWeights,
} from './findSimilarIncidents.js';
export {
  escapeMarkdown,
  mermaidGanttText,
  postmortemGantt,
  postmortemToJson,
  renderPostmortemMarkdown,
  type RenderPostmortemOptions,
} from './renderPostmortemMarkdown.js';
