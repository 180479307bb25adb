/**
 * Playbooks: checklists of tasks that incidents of a kind (type, severity, service) get
 * attached when they are declared, or when their severity changes.
 */
import { z } from 'zod';
import { parseConfig } from '../../kernel/parse.js';
import { LIMITS, text } from '../../model/primitives.js';
import {
  TASK_DUE_FROM,
  TASK_DUE_UNITS,
  TASK_EVIDENCE_KINDS,
  TASK_GATES,
  TASK_PHASES,
  type TaskAssignee,
  type TaskDueFrom,
  type TaskDueUnit,
  type TaskEvidenceKind,
  type TaskGate,
  type TaskPhase,
} from '../../model/tasks.js';

const KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** The task fields a playbook and `engine.addTask` share (zod shape). @internal */
export const taskShape = /* @__PURE__ */ (() => ({
  title: text(LIMITS.title),
  phase: z.enum(TASK_PHASES),
  assignTo: z
    .union([
      z.strictObject({ kind: z.literal('role'), role: text(LIMITS.name) }),
      z.strictObject({ kind: z.literal('user'), id: text(LIMITS.id) }),
    ])
    .optional(),
  due: z
    .strictObject({
      amount: z.int().min(1, 'A due time is at least 1 unit away.').max(100_000),
      unit: z.enum(TASK_DUE_UNITS),
      from: z.enum(TASK_DUE_FROM).default('declared'),
    })
    .optional(),
  requiredFor: z.enum(TASK_GATES).optional(),
  evidence: z.enum(TASK_EVIDENCE_KINDS).optional(),
}))();

const names = /* @__PURE__ */ (() => z.array(text(LIMITS.name)).min(1, 'List at least one, or leave the filter out.').max(LIMITS.list))();

const playbookSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    id: z.string().regex(KEY, 'A playbook id is 1 to 64 letters, digits, - or _.'),
    title: text(LIMITS.title).optional(),
    appliesTo: z.strictObject({ types: names.optional(), severities: names.optional(), services: names.optional() }).default({}),
    tasks: z
      .array(z.strictObject({ id: z.string().regex(KEY, 'A task id is 1 to 64 letters, digits, - or _.'), ...taskShape }))
      .min(1, 'A playbook needs at least one task.')
      .max(LIMITS.list)
      .superRefine((tasks, ctx) => {
        const seen = new Set<string>();
        for (const [index, task] of tasks.entries()) {
          if (seen.has(task.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `Two tasks have the id '${task.id}'; task ids are unique within a playbook.` });
          seen.add(task.id);
        }
      }),
  }))();

/** One task of a playbook, as `definePlaybook` takes it. */
export interface PlaybookTaskInput {
  /** Unique within the playbook: 1 to 64 letters, digits, `-` or `_`. On an incident it is `<playbook id>:<task id>`. */
  readonly id: string;
  readonly title: string;
  readonly phase: TaskPhase;
  /** A response role of the incident (whoever holds it when the task comes due) or one user. */
  readonly assignTo?: TaskAssignee | undefined;
  /** When it is due: `amount` `unit`s after `from` (default `declared`; or the milestone `acknowledged`, `mitigated`, `resolved`). */
  readonly due?: { readonly amount: number; readonly unit: TaskDueUnit; readonly from?: TaskDueFrom | undefined } | undefined;
  /** The first transition (`mitigate`, `resolve`, `close`) it must be settled (done or skipped) before. */
  readonly requiredFor?: TaskGate | undefined;
  /** What completing it needs: `none` (the default), a `note`, or a `link`. */
  readonly evidence?: TaskEvidenceKind | undefined;
}

/** What `definePlaybook` takes. */
export interface PlaybookInput {
  /** 1 to 64 letters, digits, `-` or `_`; unique among the engine's playbooks. */
  readonly id: string;
  readonly title?: string | undefined;
  /**
   * Which incidents get its tasks: every filter given must match (an incident type, a severity,
   * the incident's service or one of its services). Absent: every incident.
   */
  readonly appliesTo?: { readonly types?: readonly string[] | undefined; readonly severities?: readonly string[] | undefined; readonly services?: readonly string[] | undefined } | undefined;
  readonly tasks: readonly PlaybookTaskInput[];
}

/** A validated playbook, as `definePlaybook` returns it (frozen). */
export type Playbook = z.output<typeof playbookSchema>;

/**
 * Defines a playbook: the tasks that matching incidents get, on `incident.tasks`, when they are
 * declared (or raised by ingest), and when a severity change makes the playbook match.
 *
 * @remarks
 * Give playbooks to `createIncidentEngine({ playbooks })`. A task `requiredFor` a transition
 * blocks it (and every later one) while it is open: `mitigate`, `resolve` and `close` are
 * refused with `INVALID_TRANSITION`, listing the open tasks, until each is done
 * (`engine.completeTask`) or skipped with a reason (`engine.skipTask`). A task with a `due`
 * time is recorded `TASK_OVERDUE` on the timeline when it is still open then, which notifies
 * its assignee through routes with `recipients: ['assignee']`.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, definePlaybook, memoryStore } from 'incidentkit';
 *
 * const databaseOutage = definePlaybook({
 *   id: 'database-outage',
 *   appliesTo: { services: ['postgres'], severities: ['SEV1', 'SEV2'] },
 *   tasks: [
 *     { id: 'failover', title: 'Fail over to the replica', phase: 'containment', requiredFor: 'mitigate', assignTo: { kind: 'role', role: 'operations' } },
 *     { id: 'backup-check', title: 'Verify last night\'s backup', phase: 'recovery', due: { amount: 2, unit: 'hours' }, evidence: 'link' },
 *   ],
 * });
 * const engine = createIncidentEngine({ store: memoryStore(), playbooks: [databaseOutage] });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) for a malformed playbook (bad ids, no tasks, a repeated task id, an unknown phase …).
 * @see docs/playbooks-and-problems.md
 */
export function definePlaybook(input: PlaybookInput): Playbook {
  const parsed = parseConfig(playbookSchema, input, `definePlaybook${typeof input === 'object' && typeof input.id === 'string' ? ` '${input.id}'` : ''}`);
  return Object.freeze(parsed);
}

/** Validates the engine's `playbooks` option: each a playbook, ids unique. @internal */
export function parsePlaybooks(given: unknown): readonly Playbook[] {
  if (given === undefined) return [];
  const playbooks = parseConfig(
    z.array(playbookSchema).max(LIMITS.list * 10).superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [index, playbook] of list.entries()) {
        if (seen.has(playbook.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `Two playbooks have the id '${playbook.id}'; playbook ids are unique.` });
        seen.add(playbook.id);
      }
    }),
    given,
    'createIncidentEngine playbooks',
  );
  return Object.freeze(playbooks.map((p) => Object.freeze(p)));
}

/** What a playbook is matched against: an incident's type, severity and services. */
export interface PlaybookSubject {
  readonly type?: string | undefined;
  readonly severity: string;
  readonly service?: string | undefined;
  readonly services?: readonly string[] | undefined;
}

/** Whether `playbook` applies to an incident of this type, severity and services. @internal */
export function playbookApplies(playbook: Playbook, subject: PlaybookSubject): boolean {
  const { types, severities, services } = playbook.appliesTo;
  const own = [...(subject.service === undefined ? [] : [subject.service]), ...(subject.services ?? [])];
  return (
    (types === undefined || (subject.type !== undefined && types.includes(subject.type))) &&
    (severities === undefined || severities.includes(subject.severity)) &&
    (services === undefined || own.some((s) => services.includes(s)))
  );
}
