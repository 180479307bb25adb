import { z } from 'zod';
import { ConfigError, ValidationError, type ValidationIssue } from '../errors.js';
import { INCIDENT_STATUSES, type IncidentStatus } from './status.js';
import { parseConfig } from '../kernel/parse.js';

/** How one custom status label is declared in {@link defineStatusLabels}. */
export interface StatusLabelDefinition {
  /** The lifecycle state(s) in which the label may be used. */
  readonly status: IncidentStatus | readonly IncidentStatus[];
  /** Display name. Default: the label itself. */
  readonly title?: string;
  /** What the label means, for people choosing it. */
  readonly description?: string;
  /** Whether the engine applies this label on entering its state(s) when no allowed label is set. At most one default per state. */
  readonly default?: boolean;
}

/** One custom status label, normalised. */
export interface StatusLabel<L extends string = string> {
  readonly name: L;
  readonly title: string;
  readonly description?: string;
  /** The lifecycle states in which the label may be used. */
  readonly statuses: readonly IncidentStatus[];
  /** The states in which this label is the default. */
  readonly defaultFor: readonly IncidentStatus[];
}

/**
 * A set of custom status labels mapped onto the lifecycle states, made by
 * {@link defineStatusLabels}.
 *
 * @remarks Labels refine a state for people (as incident.io maps custom statuses onto
 * categories); the lifecycle machine still decides on its own states.
 */
export interface StatusLabels<L extends string = string> {
  /** The labels, in the order they were declared. */
  readonly labels: readonly StatusLabel<L>[];
}

const labelNameSchema = /* @__PURE__ */ z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Status labels start with a letter and hold letters, digits, _ or - (at most 64).');
const statusSchema = /* @__PURE__ */ (() => z.enum(INCIDENT_STATUSES, { error: `Must be a lifecycle state: ${INCIDENT_STATUSES.join(', ')}.` }))();
const statusesSchema = /* @__PURE__ */ (() => z.preprocess(
  (value) => (typeof value === 'string' ? [value] : value),
  z.array(statusSchema, { error: 'Map the label onto a lifecycle state or a list of them.' }).min(1, 'Map the label onto at least one state.'),
))();
const entrySchema = /* @__PURE__ */ (() => z.preprocess(
  (value) => (typeof value === 'string' || Array.isArray(value) ? { status: value } : value),
  z.strictObject(
    {
      status: statusesSchema,
      title: z.string().trim().min(1).max(200).optional(),
      description: z.string().trim().min(1).max(2_000).optional(),
      default: z.boolean().optional(),
    },
    { error: 'Give a lifecycle state, a list of states, or { status, title?, description?, default? }.' },
  ),
))();
const definitionsSchema = /* @__PURE__ */ z
  .record(labelNameSchema, entrySchema)
  .refine((defs) => Object.keys(defs).length > 0, { message: 'Define at least one status label.' })
  .refine((defs) => Object.keys(defs).length <= 100, { message: 'Define at most 100 status labels.' });

/**
 * Defines custom status labels and the lifecycle states each one may be used in.
 *
 * @remarks A bare state (or list of states) is shorthand for `{ status }`. Mark one label per
 * state `default: true` to have it applied when an incident enters that state.
 *
 * @example
 * ```ts
 * import { defineStatusLabels, isStatusLabelAllowed } from 'incidentkit';
 *
 * const labels = defineStatusLabels({
 *   investigating: { status: 'responding', default: true },
 *   fixing: 'responding',
 *   monitoring: { status: ['mitigated', 'resolved'], title: 'Monitoring the fix' },
 * });
 * isStatusLabelAllowed(labels, 'monitoring', 'mitigated'); // true
 * isStatusLabelAllowed(labels, 'monitoring', 'triage'); // false
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when a label name is malformed, maps onto something that
 * is not one of `INCIDENT_STATUSES`, or two labels are the default for the same state.
 */
export function defineStatusLabels<const D extends Readonly<Record<string, IncidentStatus | readonly IncidentStatus[] | StatusLabelDefinition>>>(
  definitions: D,
): StatusLabels<keyof D & string> {
  const parsed = parseConfig(definitionsSchema, definitions, 'defineStatusLabels');
  const defaults = new Map<IncidentStatus, string>();
  const issues: ValidationIssue[] = [];
  const labels = Object.entries(parsed).map(([name, def]): StatusLabel => {
    const statuses = Object.freeze([...new Set(def.status)]);
    const isDefault = def.default === true;
    for (const status of isDefault ? statuses : []) {
      const other = defaults.get(status);
      if (other !== undefined) {
        issues.push({ code: 'custom', path: [name, 'default'], message: `'${other}' is already the default label for '${status}'; keep one default per state` });
      }
      defaults.set(status, name);
    }
    const label: { -readonly [K in keyof StatusLabel]: StatusLabel[K] } = {
      name,
      title: def.title ?? name,
      statuses,
      defaultFor: Object.freeze(isDefault ? [...statuses] : []),
    };
    if (def.description !== undefined) label.description = def.description;
    return Object.freeze(label);
  });
  if (issues.length > 0) throw new ConfigError('defineStatusLabels', issues);
  return Object.freeze({ labels: Object.freeze(labels) });
}

/**
 * Whether `value` has the shape {@link defineStatusLabels} returns (also after a JSON round
 * trip): a `labels` list whose entries have a `name`, their `statuses` and `defaultFor`.
 *
 * @internal
 */
export function isStatusLabels(value: unknown): value is StatusLabels {
  const list: unknown = typeof value === 'object' && value !== null ? (value as { labels?: unknown }).labels : undefined;
  return (
    Array.isArray(list) &&
    list.every((label: unknown) => {
      const l = label as { name?: unknown; statuses?: unknown; defaultFor?: unknown } | null;
      return typeof l === 'object' && l !== null && typeof l.name === 'string' && Array.isArray(l.statuses) && Array.isArray(l.defaultFor);
    })
  );
}

function find(labels: StatusLabels, label: string): StatusLabel | undefined {
  return labels.labels.find((l) => l.name === label);
}

/**
 * Tells whether `label` exists and may be used while an incident is in `status`.
 *
 * @example
 * ```ts
 * import { defineStatusLabels, isStatusLabelAllowed } from 'incidentkit';
 *
 * const labels = defineStatusLabels({ fixing: 'responding' });
 * isStatusLabelAllowed(labels, 'fixing', 'responding'); // true
 * isStatusLabelAllowed(labels, 'fixing', 'resolved'); // false
 * ```
 */
export function isStatusLabelAllowed<L extends string>(labels: StatusLabels<L>, label: string, status: IncidentStatus): label is L {
  return find(labels, label)?.statuses.includes(status) === true;
}

/**
 * The labels that may be used in `status`, in declaration order.
 *
 * @example
 * ```ts
 * import { defineStatusLabels, statusLabelsFor } from 'incidentkit';
 *
 * const labels = defineStatusLabels({ investigating: 'responding', fixing: 'responding' });
 * statusLabelsFor(labels, 'responding').map((l) => l.name); // ['investigating', 'fixing']
 * ```
 */
export function statusLabelsFor<L extends string>(labels: StatusLabels<L>, status: IncidentStatus): readonly StatusLabel<L>[] {
  return labels.labels.filter((l) => l.statuses.includes(status));
}

/**
 * The default label of `status`, or `undefined` when none is marked `default`.
 *
 * @example
 * ```ts
 * import { defaultStatusLabel, defineStatusLabels } from 'incidentkit';
 *
 * const labels = defineStatusLabels({ investigating: { status: 'responding', default: true } });
 * defaultStatusLabel(labels, 'responding'); // 'investigating'
 * ```
 */
export function defaultStatusLabel<L extends string>(labels: StatusLabels<L>, status: IncidentStatus): L | undefined {
  return labels.labels.find((l) => l.defaultFor.includes(status))?.name;
}

/**
 * The label an incident should carry after moving to `status`: the current one when it is
 * still allowed there, otherwise the state's default label, otherwise none.
 *
 * @remarks The engine calls this on every state change so a stale label (e.g. `fixing` on a
 * resolved incident) never survives a transition.
 *
 * @example
 * ```ts
 * import { defineStatusLabels, reconcileStatusLabel } from 'incidentkit';
 *
 * const labels = defineStatusLabels({ fixing: 'responding', monitoring: { status: 'mitigated', default: true } });
 * reconcileStatusLabel(labels, 'fixing', 'mitigated'); // 'monitoring'
 * reconcileStatusLabel(labels, 'fixing', 'responding'); // 'fixing'
 * ```
 */
export function reconcileStatusLabel<L extends string>(
  labels: StatusLabels<L>,
  current: string | undefined,
  status: IncidentStatus,
): L | undefined {
  if (current !== undefined && isStatusLabelAllowed(labels, current, status)) return current;
  return defaultStatusLabel(labels, status);
}

/**
 * Checks that `label` may be set while the incident is in `status`, and returns it typed.
 *
 * @example
 * ```ts
 * import { assertStatusLabel, defineStatusLabels } from 'incidentkit';
 *
 * const labels = defineStatusLabels({ fixing: 'responding' });
 * assertStatusLabel(labels, 'fixing', 'responding'); // 'fixing'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) with issue code `unknown_status_label` for a label
 * that is not defined, or `status_label_not_allowed` for one that does not apply in `status`;
 * the message names the labels or states that would work.
 */
export function assertStatusLabel<L extends string>(labels: StatusLabels<L>, label: string, status: IncidentStatus, subject = 'setStatusLabel'): L {
  const found = find(labels, label);
  if (found === undefined) {
    throw new ValidationError(subject, [
      {
        code: 'unknown_status_label',
        path: ['label'],
        message: `Unknown status label '${label}'; use one of ${labels.labels.map((l) => l.name).join(', ')}`,
      },
    ]);
  }
  if (!found.statuses.includes(status)) {
    const here = statusLabelsFor(labels, status).map((l) => l.name);
    throw new ValidationError(subject, [
      {
        code: 'status_label_not_allowed',
        path: ['label'],
        message:
          `Status label '${label}' applies only while the incident is ${found.statuses.join(' or ')}, not ${status}; ` +
          (here.length > 0 ? `labels for ${status}: ${here.join(', ')}` : `no label applies in ${status}`),
      },
    ]);
  }
  return found.name as L;
}
