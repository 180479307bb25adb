/**
 * incidentkit: embeddable incident management for TypeScript.
 *
 * @remarks The core entry: the engine, the lifecycle machine, schemas, errors and the memory
 * store. It depends on `xstate`, `zod` and `mitt` only, and runs in Node, browsers, Deno, Bun
 * and edge runtimes.
 *
 * @packageDocumentation
 */
export { createIncidentEngine } from './createIncidentEngine.js';
export {
  AUTHORIZE_ACTIONS,
  INCIDENT_COMMANDS,
  type IncidentCommand,
  type AuthorizationRequest,
  type Authorize,
  type AuthorizeAction,
  type EngineApi,
  type EngineOptions,
  type FiredTimer,
  type IncidentPolicies,
} from './engine/types.js';
export type { IncidentEngine, IncidentEngineOptions, IncidentEngineWithFeatures } from './incidentEngine.js';
export {
  defineFeature,
  featureJsonResponse,
  featureOutboxChannel,
  featureTimerId,
  type AnyIncidentFeature,
  type BuildEvent,
  type CommitContribution,
  type CreateIncidentDraft,
  type DeclareHooks,
  type FeatureApis,
  type FeatureContext,
  type FeatureDefinition,
  type FeatureParts,
  type FeatureRoute,
  type FeatureRouteContext,
  type IncidentFeature,
  type OutboxChannel,
  type SignalRoute,
  type SignalRouter,
  type StorageCapability,
} from './engine/feature.js';
export type {
  ClassificationApi,
  ClassificationOptions,
  DeclareInput,
  PartialFields,
  TypedUpdateFieldsInput,
} from './features/classification/classificationFeature.js';
export type { ComplianceApi, ComplianceOptions } from './features/compliance/complianceFeature.js';
export type { NotificationsApi, NotificationsOptions } from './features/notifications/notificationsFeature.js';
export type { ReviewApi } from './features/review/reviewFeature.js';
export { roleBasedPolicy, type RoleBasedPolicyOptions } from './engine/roleBasedPolicy.js';
export type { RunWorkersOptions, WorkerHandle } from './engine/workers.js';
export type { IngestCallOptions, IngestOptions, IngestOutcome, IngestRejection, IngestResult, MaintenanceWindow } from './engine/ingestOptions.js';
export {
  SIGNAL_STATUSES,
  parseSignal,
  signalSchema,
  type Signal,
  type SignalInput,
  type SignalLink,
  type SignalStatus,
} from './model/signal.js';
export type {
  AcknowledgeInput,
  AddActionItemInput,
  AlertsOptions,
  AddNoteInput,
  AssignRoleInput,
  CancelInput,
  LinkInput,
  MergeInput,
  UnmergeInput,
  CloseInput,
  CompleteReviewInput,
  EscalateInput,
  FileReportInput,
  ImportIncidentInput,
  ReadOptions,
  TimelineOptions,
  VerifyTimelineOptions,
  ScanFilter,
  SetStatusLabelInput,
  StartClockInput,
  UntypedDeclareInput,
  UpdateFieldsInput,
  ListInput,
  MitigateInput,
  PostUpdateInput,
  RecordRootCauseInput,
  ReopenInput,
  ResolveInput,
  SetSeverityInput,
  StartReviewInput,
  UpdateActionItemInput,
} from './engine/commands.js';
export type {
  EngineEventHandler,
  EngineWildcardHandler,
  IncidentEngineEvents,
  IncidentEventName,
  IncidentEventPayload,
} from './engine/emitter.js';
export { systemClock, type Clock } from './kernel/clock.js';
export { randomIds, type IdGenerator, type IdKind } from './kernel/ids.js';
export { canonicalJson } from './kernel/hash.js';
export { verifyChain, type TimelineAnchor, type TimelineVerification } from './lifecycle/eventChain.js';

export {
  incidentMachine,
  type IncidentContext,
  type IncidentMachine,
  type IncidentMachineInput,
} from './lifecycle/incidentMachine.js';
export {
  LIFECYCLE_EVENT_TYPES,
  type LifecycleEventDraft,
  STORED_TYPE_OF,
  type LifecycleEvent,
  type LifecycleEventType,
  type UpdateAudience,
} from './lifecycle/events.js';
export {
  toMermaid,
  type MermaidMachineLike,
  type MermaidStateNodeLike,
  type MermaidTransitionLike,
  type ToMermaidOptions,
} from './lifecycle/toMermaid.js';
export { TIMER_IDS, nextEscalation, type NextEscalation } from './lifecycle/timers.js';
export {
  replayAlerts,
  replayTimeline,
  statusOf,
  type IncidentSnapshot,
} from './lifecycle/projection.js';
export type { IncidentStateValue, PersistedIncidentSnapshot } from './model/snapshot.js';

export { actorSchema, SYSTEM_ACTOR, type Actor, type ActorInput, type ActorKind } from './model/actor.js';
export { EVENT_TYPES, type IncidentEventType, type StoredEvent } from './model/event.js';
export {
  BUILT_IN_ROLES,
  INCIDENT_ALERTS_LIMIT,
  INCIDENT_STATUSES,
  OPEN_STATUSES,
  holdsDedupKeys,
  INCIDENT_LINK_KINDS,
  INVERSE_LINK_KIND,
  USER_LINK_KINDS,
  type IncidentLink,
  type IncidentLinkKind,
  type ActionItem,
  type ActionItemKind,
  type ActionItemStrength,
  type AlertStatus,
  type AlertSummary,
  type ActionItemStatus,
  type CancelReason,
  type EscalationLevel,
  type EscalationPolicy,
  type EscalationState,
  type EscalationTarget,
  type Incident,
  type IncidentPolicySnapshot,
  type OverdueReport,
  type IncidentStatus,
  type ReminderPolicy,
  type ResolvedTarget,
  type ResponseTargets,
  type ReviewState,
  type RoleAssignment,
  type RootCause,
  type SimilarIncidentRef,
  type ChangeRef,
  type TargetBreach,
  type TargetName,
} from './model/incident.js';
export type { JsonValue } from './model/primitives.js';
export { sevScale, severitySchema, type SeverityScale } from './model/severity.js';

export { memoryStore, type MemoryStoreOptions } from './storage/memory.js';
export { RECORD_METHODS, requireRecords, type RecordMethod, type RecordStore } from './storage/records.js';
export { recordThreadStore, THREAD_RECORD_KIND, type KeyValueStore, type RecordThreadStoreOptions } from './storage/recordThreadStore.js';
export type {
  AlertQuery,
  ClaimOptions,
  Claimed,
  Commit,
  EventRange,
  ListQuery,
  LoadOptions,
  MergeWrite,
  OutboxFailure,
  OutboxRecord,
  Page,
  RecordHistoryRange,
  RecordQuery,
  RecordWrite,
  RecordTimersWrite,
  SignalCount,
  StorageAdapter,
  StoredIncident,
  StoredRecord,
  TimerRecord,
} from './storage/types.js';

export {
  AdapterError,
  ConcurrencyError,
  ConfigError,
  DuplicateIncidentError,
  ERROR_CODES,
  ForbiddenError,
  IncidentKitError,
  InvalidTransitionError,
  NotFoundError,
  NotifierError,
  RecordConflictError,
  ValidationError,
  isIncidentKitError,
  type AdapterErrorDetails,
  type ConcurrencyErrorDetails,
  type ConfigErrorDetails,
  type DuplicateIncidentErrorDetails,
  type ErrorCode,
  type ForbiddenErrorDetails,
  type IncidentKitErrorOptions,
  type InvalidTransitionErrorDetails,
  type NotFoundErrorDetails,
  type NotifierErrorDetails,
  type RecordConflictErrorDetails,
  type ValidationErrorDetails,
  type ValidationIssue,
} from './errors.js';

// Classification: severity scales, status labels, incident types, redaction (issue 8).
export {
  atLeast,
  compareSeverity,
  defineSeverityScale,
  isAtLeast,
  severityGroup,
  severityLabel,
  severityRank,
  type SeverityScaleDefinition,
  type ThresholdOptions,
} from './model/severity.js';
export {
  ahrqEventClasses,
  ahrqHarmScale,
  ITIL_PRIORITY_MATRIX,
  itilPriority,
  itilPriorityScale,
  nccMerpGroup,
  nccMerpScale,
  PAGERDUTY_URGENCY,
  pagerDutySeverityScale,
  pagerDutyUrgency,
  type AhrqEventClass,
  type AhrqHarm,
  type ItilLevel,
  type ItilPriority,
  type ItilPriorityMatrix,
  type NccMerpCategory,
  type NccMerpGroup,
  type PagerDutySeverity,
  type PagerDutyUrgency,
} from './features/classification/scales.js';
export {
  assertStatusLabel,
  defaultStatusLabel,
  defineStatusLabels,
  isStatusLabelAllowed,
  reconcileStatusLabel,
  statusLabelsFor,
  type StatusLabel,
  type StatusLabelDefinition,
  type StatusLabels,
} from './model/statusLabels.js';
export {
  createIncidentTypeRegistry,
  defineIncidentType,
  validateFields,
  type AnyIncidentType,
  type IncidentType,
  type IncidentTypeDefinition,
  type IncidentTypeName,
  type IncidentTypeNamed,
  type IncidentTypeRegistry,
  type IncidentTypeSeverity,
  type InferFields,
  type InferFieldsInput,
  type TypedDeclareFields,
  type ValidateFieldsOptions,
} from './features/classification/defineIncidentType.js';
export {
  REDACTED,
  redactFields,
  type FieldPath,
} from './model/redactFields.js';
export { redactEvent, redactIncident } from './model/redactIncident.js';
export {
  isStandardSchema,
  type StandardSchemaV1,
  type StandardSchemaV1FailureResult,
  type StandardSchemaV1InferInput,
  type StandardSchemaV1InferOutput,
  type StandardSchemaV1Issue,
  type StandardSchemaV1Options,
  type StandardSchemaV1PathSegment,
  type StandardSchemaV1Props,
  type StandardSchemaV1Result,
  type StandardSchemaV1SuccessResult,
  type StandardSchemaV1Types,
} from './features/classification/standardSchema.js';

// Compliance: calendars, regulatory regimes and reporting clocks (issue 8). Not legal advice.
export {
  addBusinessDaysToDate,
  addDuration,
  defineCalendar,
  isBusinessDay,
  localDateOf,
  startOfLocalDay,
  type BusinessCalendar,
  type CalendarOptions,
  type Duration,
  type DurationUnit,
  type IsoWeekday,
  type LocalDate,
} from './kernel/calendar.js';
export {
  assertRegimePhase,
  assertRegimeTrigger,
  BUILT_IN_REGIMES,
  createRegimeRegistry,
  defineRegime,
  dora,
  fdaMdr,
  gdpr,
  hipaa,
  jointCommission,
  nis2,
  sec8k,
  type BuiltInRegimeId,
  type ClockAnchor,
  type Regime,
  type RegimeDefinition,
  type RegimeOf,
  type RegimePhase,
  type RegimePhaseId,
  type RegimeRegistry,
  type RegimeTrigger,
} from './features/compliance/regimes.js';
export {
  calendarForRegime,
  clockInputOf,
  computeClock,
  updateClock,
  type ClockFact,
  type ClockFacts,
  type ClockInput,
} from './features/compliance/computeClock.js';
export {
  clockDeadlines,
  clockTimerId,
  type ClockDeadline,
  type ClockPhaseState,
  type ClockPhaseStatus,
  type ClockState,
} from './model/reportingClock.js';

// Notifications: the notifier contract, routing, delivery and the core notifiers (issue 6).
export {
  defineNotifier,
  NOTIFICATION_AUDIENCES,
  type NotificationAudience,
  type NotificationLink,
  type Contacts,
  type NoticeMessage,
  type NotificationMessage,
  type NotificationRecipient,
  type Notifier,
  type NotifierContext,
} from './model/notification.js';
export {
  defaultTemplates,
  renderNotification,
  type NotificationTemplate,
  type NotificationTemplates,
  type RenderedText,
  type RenderOptions,
  type TemplateInput,
} from './features/notifications/render.js';
export { formatDuration, formatTime } from './kernel/timeFormat.js';
export {
  compileRoutes,
  DEFAULT_NOTIFIED_EVENTS,
  notificationIdempotencyKey,
  routeNotifications,
  type CompiledRouting,
  type NotificationRoute,
  type RouteInput,
  type RoutingOptions,
} from './features/notifications/routing.js';
export {
  backoffDelay,
  createDispatcher,
  type DeliveryOptions,
  type DispatchStats,
  type Dispatcher,
  type DispatcherOptions,
  type NotificationDeliveryInfo,
  type NotificationEmit,
  type NotificationEvents,
} from './features/notifications/dispatcher.js';
export {
  generateWebhookSecret,
  signWebhook,
  verifyWebhookSignature,
  type HeadersLike,
  type SignWebhookInput,
  type StandardWebhookHeaders,
  type VerifyWebhookInput,
} from './channels/standardWebhooks.js';
export { consoleNotifier, formatConsoleMessage, formatConsoleNotice, type ConsoleNotifierOptions } from './channels/console.js';
export {
  webhookNotifier,
  webhookPayload,
  type AllowUrl,
  type FetchLike,
  type WebhookNoticePayload,
  type WebhookNotifierOptions,
  type WebhookPayload,
} from './channels/webhook.js';

// Review and prevention: post-incident reviews, action items, recurrence (issue 7).
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
} from './model/actionItems.js';
export {
  KEY_EVENT_TYPES,
  buildPostmortem,
} from './features/review/buildPostmortem.js';
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
} from './features/review/findSimilarIncidents.js';
export { escapeMarkdown } from './kernel/markdown.js';
export {
  mermaidGanttText,
  postmortemGantt,
  postmortemToJson,
  renderPostmortemMarkdown,
  type RenderPostmortemOptions,
} from './features/review/renderPostmortemMarkdown.js';
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
} from './features/review/types.js';

// Metrics: MTTA, MTTR and friends over many incidents (issue 7).
export {
  computeMetrics,
  computeMetricsSync,
  createMetricsAccumulator,
  type MetricsAccumulator,
} from './metrics/computeMetrics.js';
export {
  DEFAULT_DURATIONS,
  MILESTONE_NAMES,
  type ComputeMetricsOptions,
  type DurationDefinition,
  type GroupBy,
  type GroupKeyFunction,
  type MetricsGroup,
  type MetricsIncident,
  type MetricsResult,
  type MilestoneName,
  type MilestoneSpec,
  type MilestoneValue,
  type SeverityCompliance,
  type SeverityTarget,
  type TargetCompliance,
} from './metrics/types.js';
export {
  metricsChart,
  renderMetricsMarkdown,
  type ChartStatistic,
  type RenderMetricsOptions,
} from './metrics/renderMetricsMarkdown.js';
export {
  createStatsAccumulator,
  quantileSorted,
  summarize,
  type Stats,
  type StatsAccumulator,
  type StatsOptions,
  type WithinThreshold,
} from './metrics/stats.js';
export {
  toEpochMs,
  type TimeInput,
} from './kernel/toEpochMs.js';

// On-call: schedules, rotations and overrides as data, and the pure functions over them (issue 18).
export {
  defineSchedule,
  SCHEDULE_LIMITS,
  type DailyRestriction,
  type HandoffNotice,
  type LayerRestriction,
  type Rotation,
  type RotationUnit,
  type Schedule,
  type ScheduleInput,
  type ScheduleLayer,
  type ScheduleLayerInput,
  type ScheduleOverride,
  type WeeklyRestriction,
} from './features/oncall/schedule.js';
export {
  MAX_SCHEDULE_RANGE_DAYS,
  renderSchedule,
  whoIsOnCall,
  type OnCall,
  type ScheduleRange,
  type Shift,
  type ShiftSource,
} from './features/oncall/renderSchedule.js';
export {
  scheduleLoad,
  type OffHoursOptions,
  type ScheduleLoadOptions,
  type UserLoad,
  type WorkingHours,
} from './features/oncall/scheduleLoad.js';
export { toICalendar, type ICalendarOptions } from './features/oncall/toICalendar.js';
export {
  SCHEDULE_RECORD_KIND,
  type OncallApi,
  type SchedulePutOptions,
  type ScheduleOverrideInput,
  type ScheduleReadOptions,
  type SchedulesApi,
  type ScheduleWriteOptions,
  type StoredSchedule,
} from './features/oncall/oncallFeature.js';
export {
  CHANGES_RECORD_KIND,
  type ChangeEvent,
  type ChangesApi,
  type ChangesFeatureApi,
  type ChangesOptions,
  type RecentChangesQuery,
  type RecordChangeInput,
} from './features/changes/changesFeature.js';
// Heartbeats: dead man's switches for jobs that must check in (issue 19).
export {
  HEARTBEAT_RECORD_KIND,
  type Heartbeat,
  type HeartbeatBeat,
  type HeartbeatDuration,
  type HeartbeatInput,
  type HeartbeatsApi,
  type HeartbeatsFeatureApi,
  type StoredHeartbeat,
} from './features/heartbeats/heartbeatsFeature.js';
// Routing rules and maintenance windows in the engine (issue 19); defineRoutes and the evaluator are in incidentkit/routing.
export {
  MAINTENANCE_RECORD_KIND,
  ROUTES_RECORD_KIND,
  type MaintenanceApi,
  type MaintenanceWindowInput,
  type RoutesApi,
  type RoutesInForce,
  type RoutesWriteOptions,
  type RoutingApi,
  type SignalRoutingOptions,
  type RoutingReadOptions,
  type StoredMaintenanceWindow,
} from './features/routing/routingFeature.js';
// Status pages (issue 21): pages, public incidents and component status in the engine; the snapshot the renderers take.
export { defineStatusPage, MAX_COMPONENTS, type StatusPageInput } from './features/statusPage/defineStatusPage.js';
export {
  MAX_PUBLIC_UPDATES,
  STATUS_PAGE_RECORD_KIND,
  STATUS_PAGE_STATE_RECORD_KIND,
  type ComponentStatusChange,
  type PublicUpdateInput,
  type PublishInput,
  type StatusPageApi,
  type StatusPageOptions,
  type StatusPageReadOptions,
  type StatusPagesApi,
  type StatusPageSnapshotOptions,
  type StoredStatusPage,
} from './features/statusPage/statusPageFeature.js';
export { IMPACT_STATUS } from './features/statusPage/componentStatus.js';
export { UPTIME_WEIGHTS } from './features/statusPage/uptime.js';
export { shortlinkOf } from './features/statusPage/buildSnapshot.js';
export {
  STATUS_PAGE_MAINTENANCE_RECORD_KIND,
  type MaintenanceScheduleApi,
  type MaintenanceUpdateInput,
  type ScheduleMaintenanceInput,
  type StoredMaintenance,
} from './features/statusPage/maintenances.js';
export {
  CONFIRMATION_RESEND_MS,
  FANOUT_RECORD_KIND,
  SUBSCRIBER_RECORD_KIND,
  type StatusPageSubscriber,
  type StatusPageSubscriberOptions,
  type StatusPageSubscribersApi,
  type StatusPageUpdate,
  type SubscribeInput,
  type SubscribeResult,
  type SubscriberChannel,
  type SubscriberDelivery,
  type SubscriberMessage,
  type SubscriberStatus,
  type SubscriptionChange,
} from './features/statusPage/subscribers.js';
export {
  COMPONENT_STATUSES,
  MAINTENANCE_STATUSES,
  PUBLIC_IMPACTS,
  PUBLIC_INCIDENT_STATUSES,
  type AffectedComponent,
  type ComponentState,
  type ComponentStatus,
  type ComponentUptime,
  type MaintenanceStatus,
  type PublicImpact,
  type PublicIncident,
  type PublicIncidentStatus,
  type PublicUpdate,
  type ScheduledMaintenance,
  type StatusPage,
  type StatusPageComponent,
  type StatusPageSnapshot,
  type UptimeDay,
} from './features/statusPage/snapshot.js';
export type { PublicComponentStatus, PublicIncidentImpact, PublicIncidentSlice, PublicIncidentState, PublicUpdateRecord } from './model/publicIncident.js';
// Playbooks and tasks (issue 22): checklists attached to matching incidents, enforced by the lifecycle machine.
export { definePlaybook, type Playbook, type PlaybookInput, type PlaybookSubject, type PlaybookTaskInput } from './features/playbooks/definePlaybook.js';
export { medicationErrorPlaybook, websiteOutagePlaybook } from './features/playbooks/shippedPlaybooks.js';
export type { AddTaskInput, CompleteTaskInput, PlaybooksApi, PlaybooksOptions, ReassignTaskInput, SkipTaskInput } from './features/playbooks/playbooksFeature.js';
export {
  TASK_DUE_FROM,
  TASK_DUE_UNITS,
  TASK_EVIDENCE_KINDS,
  TASK_GATES,
  TASK_PHASES,
  TASK_STATUSES,
  type IncidentTask,
  type TaskAssignee,
  type TaskDraft,
  type TaskDue,
  type TaskDueFrom,
  type TaskDueUnit,
  type TaskEvidenceKind,
  type TaskGate,
  type TaskPhase,
  type TaskStatus,
} from './model/tasks.js';
export type { KnownErrorMatch, ProblemProposal } from './model/incident.js';
export {
  PROBLEM_EVENT_TYPES,
  PROBLEM_STATUSES,
  problemMachine,
  type Problem,
  type ProblemActionItemLink,
  type ProblemEvent,
  type ProblemEventType,
  type ProblemIncidentLink,
  type ProblemStatus,
} from './features/problems/problemMachine.js';
export {
  PROBLEM_RECORD_KIND,
  type OpenProblemInput,
  type ProblemChange,
  type ProblemFilter,
  type ProblemReadOptions,
  type ProblemsApi,
  type ProblemsFeatureApi,
  type ProblemsOptions,
  type ProblemWriteOptions,
  type StoredProblem,
} from './features/problems/problemsFeature.js';
export {
  computeProblemMetrics,
  type DueDateCounts,
  type ProblemMetrics,
  type ProblemMetricsIncident,
  type ProblemMetricsProblem,
} from './metrics/computeProblemMetrics.js';
export type { PostmortemProblem, PostmortemProblemInput } from './features/review/types.js';
export {
  type AddEvidenceInput,
  type AddHypothesisInput,
  type CorrectMilestoneInput,
  type InvestigationApi,
  type InvestigationOptions,
  type UpdateHypothesisInput,
} from './features/investigation/investigationFeature.js';
export { BUILT_IN_CAUSE_TAXONOMIES, IT_CAUSE_TAXONOMY, RCA2_CAUSE_TAXONOMY } from './model/causeTaxonomies.js';
export {
  CORRECTABLE_MILESTONES,
  EVIDENCE_KINDS,
  HYPOTHESIS_STATUSES,
  type Cause,
  type CauseCategory,
  type CauseTaxonomy,
  type CorrectableMilestone,
  type Evidence,
  type EvidenceKind,
  type Hypothesis,
  type HypothesisStatus,
} from './model/investigation.js';
export type { ActionItemPrevious } from './lifecycle/events.js';
export type {
  EngineLogFn,
  EngineLogger,
  EngineTelemetry,
  TelemetryCommand,
  TelemetryCommit,
  TelemetryDelivery,
  TelemetryDeliveryOutcome,
  TelemetryFiredTimer,
  TelemetryIngest,
  TelemetrySource,
  TelemetryTick,
} from './engine/telemetry.js';
export type { OutboxStats } from './storage/types.js';
export type { WouldHaveSent } from './features/notifications/drillLog.js';
export { JUST_CULTURE_BEHAVIOURS, type JustCultureApi, type JustCultureAssessment, type JustCultureBehaviour } from './features/justCulture/justCultureFeature.js';
export {
  NIST_CSF_CATEGORIES,
  NIST_CSF_FUNCTIONS,
  isNistCsfTag,
  type NistCsfCategory,
  type NistCsfFunction,
  type NistCsfTag,
} from './model/nistCsf.js';
export { type SecurityApi, type TagEventInput } from './features/security/securityFeature.js';
export { DEFAULT_NIST_TAGS, buildNistReport } from './features/security/buildNistReport.js';
export { renderNistReportMarkdown, type RenderNistReportOptions } from './features/security/renderNistReportMarkdown.js';
export {
  NIST_REPORT_SECTIONS,
  type BuildNistReportOptions,
  type NistReport,
  type NistReportEntry,
  type NistReportEvidence,
  type NistReportLessons,
  type NistReportSection,
  type NistReportSectionId,
  type NistTagSource,
} from './features/security/nistReportTypes.js';
export { circia, euAiAct } from './features/compliance/regimes.js';
export { EncryptionError, type EncryptionErrorDetails } from './errors.js';
export { memoryKeyring, type Keyring } from './features/erasure/keyring.js';
export { ERASED, isSealed, type SealedValue } from './features/erasure/sealedFields.js';
export type { EraseInput, EraseResult, ErasureApi, ErasureOptions } from './features/erasure/erasureFeature.js';
