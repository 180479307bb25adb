/**
 * Classification: severity scales and presets, custom status labels, incident types with
 * typed custom fields, and redaction of sensitive fields.
 *
 * @packageDocumentation
 */
export {
  atLeast,
  compareSeverity,
  defineSeverityScale,
  isAtLeast,
  severityGroup,
  severityLabel,
  severityRank,
  sevScale,
  type SeverityScale,
  type SeverityScaleDefinition,
  type ThresholdOptions,
} from '../model/severity.js';
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
} from './scales.js';
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
} from './statusLabels.js';
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
} from './defineIncidentType.js';
export { REDACTED, redactFields, type FieldPath } from './redactFields.js';
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
} from './standardSchema.js';
