/**
 * Preset classification scales for IT service management and patient safety.
 *
 * @remarks Every preset is a frozen {@link SeverityScale}, worst level first. The default
 * `SEV1`–`SEV5` scale, `sevScale`, lives in `model/severity.ts` next to the scale helpers.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { defineSeverityScale, type SeverityScale } from '../../model/severity.js';
import { parseConfig, parseInput } from '../../kernel/parse.js';

/** An ITIL priority, `P1` (critical) … `P5` (planning). */
export type ItilPriority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/**
 * ITIL priorities `P1`–`P5`, as derived from impact and urgency with {@link itilPriority}.
 *
 * @example
 * ```ts
 * import { itilPriorityScale, severityLabel } from 'incidentkit';
 *
 * severityLabel(itilPriorityScale, 'P3'); // 'Moderate'
 * ```
 */
export const itilPriorityScale: SeverityScale<ItilPriority> = /* @__PURE__ */ defineSeverityScale({
  name: 'itil_priority',
  title: 'ITIL priority (impact × urgency)',
  levels: ['P1', 'P2', 'P3', 'P4', 'P5'],
  labels: { P1: 'Critical', P2: 'High', P3: 'Moderate', P4: 'Low', P5: 'Planning' },
  source: 'ITIL incident prioritisation: priority derived from impact and urgency (1 = high, 3 = low).',
});

/** Impact or urgency on the ITIL 3-point scale: `1` = high, `2` = medium, `3` = low. */
export type ItilLevel = 1 | 2 | 3;

/** A 3×3 priority matrix: `matrix[impact - 1][urgency - 1]`. */
export type ItilPriorityMatrix<P extends string = ItilPriority> = readonly [
  readonly [P, P, P],
  readonly [P, P, P],
  readonly [P, P, P],
];

/**
 * The common ITIL priority matrix (rows: impact 1–3, columns: urgency 1–3):
 *
 * | impact \ urgency | 1 high | 2 medium | 3 low |
 * |---|---|---|---|
 * | 1 high   | P1 | P2 | P3 |
 * | 2 medium | P2 | P3 | P4 |
 * | 3 low    | P3 | P4 | P5 |
 */
export const ITIL_PRIORITY_MATRIX: ItilPriorityMatrix = /* @__PURE__ */ (() => Object.freeze([
  Object.freeze(['P1', 'P2', 'P3'] as const),
  Object.freeze(['P2', 'P3', 'P4'] as const),
  Object.freeze(['P3', 'P4', 'P5'] as const),
] as const))();

const itilLevel = /* @__PURE__ */ (() => z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'Must be 1 (high), 2 (medium) or 3 (low).' }))();
const itilInputSchema = /* @__PURE__ */ z.strictObject({ impact: itilLevel, urgency: itilLevel });
const matrixRow = /* @__PURE__ */ (() => z.tuple([z.string().min(1), z.string().min(1), z.string().min(1)]))();
const matrixSchema = /* @__PURE__ */ z.tuple([matrixRow, matrixRow, matrixRow], { error: 'A priority matrix has 3 rows (impact 1–3) of 3 priorities (urgency 1–3).' });

/**
 * Derives the ITIL priority from impact and urgency (`1` = high … `3` = low).
 *
 * @remarks Uses {@link ITIL_PRIORITY_MATRIX} unless you pass your own 3×3 matrix.
 *
 * @example
 * ```ts
 * import { itilPriority } from 'incidentkit';
 *
 * itilPriority({ impact: 1, urgency: 2 }); // 'P2'
 * itilPriority({ impact: 1, urgency: 1 }, [['P1', 'P1', 'P2'], ['P1', 'P2', 'P3'], ['P2', 'P3', 'P4']]); // 'P1'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when impact or urgency is not 1, 2 or 3.
 * @throws ConfigError (`CONFIG_INVALID`) when `matrix` is not 3×3.
 */
export function itilPriority<P extends string = ItilPriority>(
  input: { readonly impact: ItilLevel; readonly urgency: ItilLevel },
  matrix?: ItilPriorityMatrix<P>,
): P {
  const { impact, urgency } = parseInput(itilInputSchema, input, 'itilPriority');
  const table = (matrix === undefined ? ITIL_PRIORITY_MATRIX : parseConfig(matrixSchema, matrix, 'itilPriority matrix')) as ItilPriorityMatrix<P>;
  return table[(impact - 1) as 0 | 1 | 2][(urgency - 1) as 0 | 1 | 2];
}

/** A PagerDuty event severity. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** A PagerDuty incident urgency. */
export type PagerDutyUrgency = 'high' | 'low';

/**
 * PagerDuty's event severities, worst first, with their documented meanings.
 *
 * @see https://support.pagerduty.com/main/docs/dynamic-notifications
 */
export const pagerDutySeverityScale: SeverityScale<PagerDutySeverity> = /* @__PURE__ */ defineSeverityScale({
  name: 'pagerduty',
  title: 'PagerDuty severity',
  levels: ['critical', 'error', 'warning', 'info'],
  labels: { critical: 'Critical', error: 'Error', warning: 'Warning', info: 'Info' },
  descriptions: {
    critical: "A failure in the system's primary application.",
    error: 'Any error which is fatal to the operation, but not the service or application.',
    warning: 'May indicate that an error will occur if action is not taken.',
    info: 'Normal operational messages that require no action.',
  },
  groups: { high_urgency: ['critical', 'error'], low_urgency: ['warning', 'info'] },
  source: 'PagerDuty Events API v2 payload.severity; urgency per "Dynamic Notifications".',
});

/** PagerDuty's fixed severity → urgency mapping under dynamic notifications. */
export const PAGERDUTY_URGENCY: Readonly<Record<PagerDutySeverity, PagerDutyUrgency>> = /* @__PURE__ */ Object.freeze({
  critical: 'high',
  error: 'high',
  warning: 'low',
  info: 'low',
});

/**
 * The incident urgency PagerDuty derives from an alert severity (dynamic notifications):
 * `critical`/`error` → `high`, `warning`/`info` → `low`.
 *
 * @example
 * ```ts
 * import { pagerDutyUrgency } from 'incidentkit';
 *
 * pagerDutyUrgency('error'); // 'high'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `severity` is not a PagerDuty severity.
 */
export function pagerDutyUrgency(severity: PagerDutySeverity): PagerDutyUrgency {
  return PAGERDUTY_URGENCY[parseInput(z.enum(['critical', 'error', 'warning', 'info']), severity, 'pagerDutyUrgency')];
}

/** An AHRQ Common Formats event class. */
export type AhrqEventClass = 'incident' | 'near_miss' | 'unsafe_condition';

/**
 * The AHRQ Common Formats event classes, ordered by how close the event came to the patient.
 *
 * @see https://www.psoppc.org/
 */
export const ahrqEventClasses: SeverityScale<AhrqEventClass> = /* @__PURE__ */ defineSeverityScale({
  name: 'ahrq_event_class',
  title: 'AHRQ Common Formats event type',
  levels: ['incident', 'near_miss', 'unsafe_condition'],
  labels: { incident: 'Incident', near_miss: 'Near miss', unsafe_condition: 'Unsafe condition' },
  descriptions: {
    incident: 'A patient safety event that reached the patient, whether or not there was harm.',
    near_miss: 'A patient safety event that did not reach the patient (close call).',
    unsafe_condition: 'Any circumstance that increases the probability of a patient safety event.',
  },
  source: 'AHRQ Common Formats for Patient Safety Organizations (Hospital v1.2 / v2.0).',
});

/** A level of the AHRQ Common Formats Harm Scale. */
export type AhrqHarm = 'death' | 'severe' | 'moderate' | 'mild' | 'no_harm' | 'unknown';

/**
 * The AHRQ Common Formats Harm Scale (v1.2), worst first.
 *
 * @remarks `unknown` is unranked: it is listed and sorts last (after `no_harm`, as in the
 * AHRQ form), but it meets every threshold in `isAtLeast` / `atLeast` unless you pass
 * `includeUnranked: false`, so "harm moderate or worse needs review" also catches incidents
 * whose harm has not been assessed.
 *
 * @see https://loinc.org/74560-4
 */
export const ahrqHarmScale: SeverityScale<AhrqHarm> = /* @__PURE__ */ defineSeverityScale({
  name: 'ahrq_harm',
  title: 'AHRQ Common Formats Harm Scale',
  levels: ['death', 'severe', 'moderate', 'mild', 'no_harm', 'unknown'],
  unranked: ['unknown'],
  labels: { death: 'Death', severe: 'Severe harm', moderate: 'Moderate harm', mild: 'Mild harm', no_harm: 'No harm', unknown: 'Unknown' },
  descriptions: {
    death: 'Dead at time of assessment.',
    severe: 'Bodily or psychological injury (including pain or disfigurement) that interferes significantly with functional ability or quality of life.',
    moderate: 'Bodily or psychological injury adversely affecting functional ability or quality of life, but not at the level of severe harm.',
    mild: 'Bodily or psychological injury resulting in minimal symptoms or loss of function, or injury limited to additional treatment, monitoring, and/or increased length of stay.',
    no_harm: 'Event reached patient, but no harm was evident.',
    unknown: 'The extent of harm is not known.',
  },
  source: 'AHRQ Common Formats Harm Scale v1.2 (LOINC 74560-4, answer list LL2819-2).',
});

/** A category of the NCC MERP Index for Categorizing Medication Errors. */
export type NccMerpCategory = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I';

/** The four NCC MERP outcome groups. */
export type NccMerpGroup = 'no_error' | 'error_no_harm' | 'error_harm' | 'error_death';

/**
 * The NCC MERP Index for Categorizing Medication Errors, worst first (`I` … `A`), with the
 * official category descriptions and groups: no error (`A`), error no harm (`B`–`D`),
 * error harm (`E`–`H`), error death (`I`).
 *
 * @remarks Category descriptions © 2001 National Coordinating Council for Medication Error
 * Reporting and Prevention. All Rights Reserved. Reproduced unmodified with the copyright notice,
 * as NCC MERP permits.
 *
 * @see https://www.nccmerp.org/
 */
export const nccMerpScale: SeverityScale<NccMerpCategory> = /* @__PURE__ */ defineSeverityScale({
  name: 'ncc_merp',
  title: 'NCC MERP Index for Categorizing Medication Errors',
  levels: ['I', 'H', 'G', 'F', 'E', 'D', 'C', 'B', 'A'],
  labels: {
    A: 'Category A',
    B: 'Category B',
    C: 'Category C',
    D: 'Category D',
    E: 'Category E',
    F: 'Category F',
    G: 'Category G',
    H: 'Category H',
    I: 'Category I',
  },
  descriptions: {
    A: 'Circumstances or events that have the capacity to cause error.',
    B: 'An error occurred but the error did not reach the patient (An "error of omission" does reach the patient.)',
    C: 'An error occurred that reached the patient but did not cause patient harm.',
    D: 'An error occurred that reached the patient and required monitoring to confirm that it resulted in no harm to the patient and/or required intervention to preclude harm.',
    E: 'An error occurred that may have contributed to or resulted in temporary harm to the patient and required intervention.',
    F: 'An error occurred that may have contributed to or resulted in temporary harm to the patient and required initial or prolonged hospitalization.',
    G: 'An error occurred that may have contributed to or resulted in permanent patient harm.',
    H: 'An error occurred that required intervention necessary to sustain life.',
    I: "An error occurred that may have contributed to or resulted in the patient's death.",
  },
  groups: {
    no_error: ['A'],
    error_no_harm: ['B', 'C', 'D'],
    error_harm: ['E', 'F', 'G', 'H'],
    error_death: ['I'],
  },
  source:
    'NCC MERP Index for Categorizing Medication Errors, adopted 1996, revised 2001. © 2001 National Coordinating Council for Medication Error Reporting and Prevention. All Rights Reserved.',
});

/**
 * The NCC MERP outcome group of a category: `no_error` (A), `error_no_harm` (B–D),
 * `error_harm` (E–H) or `error_death` (I).
 *
 * @example
 * ```ts
 * import { nccMerpGroup } from 'incidentkit';
 *
 * nccMerpGroup('E'); // 'error_harm'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) when `category` is not `A`–`I`.
 */
export function nccMerpGroup(category: NccMerpCategory): NccMerpGroup {
  const parsed = parseInput(z.enum(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I']), category, 'nccMerpGroup');
  if (parsed === 'A') return 'no_error';
  if (parsed === 'I') return 'error_death';
  return parsed <= 'D' ? 'error_no_harm' : 'error_harm';
}
