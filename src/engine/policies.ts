import { z } from 'zod';
import type { EscalationPolicy, IncidentPolicySnapshot } from '../model/incident.js';
import { parseConfig } from '../kernel/parse.js';
import { severitySchema, type SeverityScale } from '../model/severity.js';
import { actionItemPolicySchema, resolveActionItemPolicy, type ActionItemPolicy } from '../model/actionItems.js';

const minutes = /* @__PURE__ */ z.number().min(0).max(60 * 24 * 366);

/** The names of escalation policies (`policies.escalationPolicies`), as routing rules and routing keys give them. */
const POLICY_NAME = /^[A-Za-z0-9][\w.:-]{0,63}$/;

/** One escalation policy: levels fired while the incident is unacknowledged. */
const escalationSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      levels: z
        .array(
          z.strictObject({
            afterMinutes: minutes,
            targets: z
              .array(
                z.union([
                  z.string().min(1).max(200),
                  z.strictObject({ kind: z.literal('user'), id: z.string().min(1).max(200) }),
                  z.strictObject({ kind: z.literal('schedule'), id: z.string().min(1).max(200) }),
                  z.strictObject({ kind: z.literal('role'), role: z.string().min(1).max(100) }),
                ]),
              )
              .max(100),
            skipIfEmpty: z.boolean().optional(),
          }),
        )
        .min(1, 'An escalation policy needs at least one level.')
        .max(20),
      repeat: z.number().int().min(0).max(9).optional(),
    }))();

function policiesSchema(scale: SeverityScale) {
  const severity = severitySchema(scale);
  return z
    .strictObject({
      review: z.strictObject({ requiredFor: z.array(severity).optional() }).optional(),
      escalation: escalationSchema.optional(),
      escalationPolicies: z
        .record(z.string().regex(POLICY_NAME, 'A policy name holds 1 to 64 letters, digits, . _ : or -, starting with a letter or digit.'), escalationSchema)
        .refine((named) => Object.keys(named).length <= 100, 'At most 100 named escalation policies.')
        .optional(),
      reminders: z
        .array(
          z.strictObject({
            kind: z.literal('status_update'),
            everyMinutes: minutes.min(1, 'Reminders repeat at most once a minute.'),
            severities: z.array(severity).min(1),
          }),
        )
        .max(10)
        .optional(),
      targets: z
        .record(
          severity,
          z.strictObject({
            acknowledgeWithinMinutes: minutes.optional(),
            mitigateWithinMinutes: minutes.optional(),
            resolveWithinMinutes: minutes.optional(),
          }),
        )
        .optional(),
      actionItems: actionItemPolicySchema.optional(),
      similar: z
        .strictObject({
          limit: z.number().int().min(1).max(20).default(3),
          minScore: z.number().min(0).max(1).default(0.3),
          lookbackDays: z.number().min(1).max(3_660).default(90),
        })
        .optional(),
    })
    .default({});
}

/** The policies an engine applies; the ones in force at `declare` are frozen into the incident. */
export type IncidentPolicies = z.input<ReturnType<typeof policiesSchema>>;

/**
 * Validates the engine's policies and turns them into the snapshot frozen into each new incident.
 *
 * @throws ConfigError (`CONFIG_INVALID`) for an invalid policy.
 */
export function resolvePolicies(input: unknown, scale: SeverityScale): IncidentPolicySnapshot {
  return resolveEnginePolicies(input, scale).snapshot;
}

/** How `declare` looks for similar past incidents, when the `similar` policy is on. */
export interface SimilarPolicy {
  readonly limit: number;
  readonly minScore: number;
  readonly lookbackDays: number;
}

/** The engine's policies, validated. */
export interface ResolvedPolicies {
  /** Frozen into every untyped incident at `declare`. */
  readonly snapshot: IncidentPolicySnapshot;
  /** `escalationPolicies` by name: what a routing rule's or routing key's `policy` puts in place of `escalation`. */
  readonly escalationPolicies: ReadonlyMap<string, EscalationPolicy>;
  readonly similar?: SimilarPolicy;
}

/**
 * Validates the engine's policies: the snapshot frozen into incidents, and the engine-level
 * `similar` policy.
 *
 * @throws ConfigError (`CONFIG_INVALID`) for an invalid policy.
 */
export function resolveEnginePolicies(input: unknown, scale: SeverityScale): ResolvedPolicies {
  const policies = parseConfig(policiesSchema(scale), input, 'createIncidentEngine policies');
  const reviewRequiredFor = policies.review?.requiredFor ?? ['SEV1', 'SEV2'].filter((s) => scale.levels.includes(s));
  // A JSON copy drops the `undefined` that zod leaves for absent optional keys.
  const snapshot = JSON.parse(
    JSON.stringify({
      reviewRequiredFor,
      escalation: policies.escalation,
      reminders: policies.reminders,
      targets: policies.targets,
      actionItems: policies.actionItems === undefined ? undefined : resolveActionItemPolicy(input === undefined ? {} : (input as { actionItems: ActionItemPolicy }).actionItems),
    }),
  ) as IncidentPolicySnapshot;
  const escalationPolicies = new Map(
    Object.entries(policies.escalationPolicies ?? {}).map(([name, escalation]) => [name, JSON.parse(JSON.stringify(escalation)) as EscalationPolicy]),
  );
  return { snapshot: Object.freeze(snapshot), escalationPolicies, ...(policies.similar === undefined ? {} : { similar: policies.similar }) };
}
