import { z } from 'zod';
import type { ActionItemKind, ActionItemStatus, ActionItemStrength } from './incident.js';
import { parseConfig } from '../kernel/parse.js';
import { parseIsoMs, toEpochMs, type TimeInput } from '../kernel/toEpochMs.js';

/** Action item kinds, in the order reviews usually list them. */
export const ACTION_ITEM_KINDS: readonly ActionItemKind[] = ['prevent', 'mitigate', 'detect', 'process'];

/**
 * Action strengths after the RCA² action hierarchy, strongest first: `stronger` actions
 * change the system (forcing functions, automation, removing the hazard), `intermediate`
 * ones add redundancy, checklists or better tooling, `weaker` ones rely on people
 * (training, warnings, a new policy).
 */
export const ACTION_ITEM_STRENGTHS: readonly ActionItemStrength[] = ['stronger', 'intermediate', 'weaker'];

/** Statuses in which an action item still needs work. */
export const OPEN_ACTION_ITEM_STATUSES: readonly ActionItemStatus[] = ['open', 'in_progress'];

/** The fields of an action item these helpers read; `ActionItem` from the projection fits. */
export interface ActionItemLike {
  readonly id?: string;
  readonly title?: string;
  readonly status: ActionItemStatus | (string & {});
  readonly dueAt?: string;
  readonly strength?: ActionItemStrength | (string & {});
  readonly kind?: ActionItemKind | (string & {});
}

/**
 * Tells whether an action item is overdue at `now`: still open or in progress and past its due date.
 *
 * @example
 * ```ts
 * import { isActionItemOverdue } from 'incidentkit';
 *
 * const item = { status: 'open', dueAt: '2026-01-10T00:00:00.000Z' } as const;
 * console.log(isActionItemOverdue(item, '2026-01-11T00:00:00Z')); // true
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when `now` is not a valid date.
 */
export function isActionItemOverdue(item: ActionItemLike, now: TimeInput): boolean {
  return isOverdueAt(item, toEpochMs(now, 'now'));
}

function isOverdueAt(item: ActionItemLike, nowMs: number): boolean {
  if (item.dueAt === undefined || !(OPEN_ACTION_ITEM_STATUSES as readonly string[]).includes(item.status)) return false;
  const due = parseIsoMs(item.dueAt);
  return Number.isFinite(due) && due < nowMs;
}

/**
 * The action items of an incident that are overdue at `now` (open or in progress, due date
 * passed), soonest-due first.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, overdueActionItems } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * let incident = await engine.declare({ title: 'Queue backlog', severity: 'SEV3', actor: { id: 'u1' } });
 * incident = await engine.addActionItem(incident.id, {
 *   title: 'Alert on queue age', dueAt: '2026-01-10T00:00:00Z', actor: { id: 'u1' },
 * });
 * console.log(overdueActionItems(incident, new Date('2026-02-01T00:00:00Z')).length); // 1
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when `now` is not a valid date.
 */
export function overdueActionItems<T extends ActionItemLike>(
  incident: { readonly actionItems: readonly T[] },
  now: TimeInput,
): T[] {
  const nowMs = toEpochMs(now, 'now');
  return incident.actionItems
    .filter((item) => isOverdueAt(item, nowMs))
    .sort((a, b) => Date.parse(a.dueAt ?? '') - Date.parse(b.dueAt ?? ''));
}

/** Counts of an incident's (or many incidents') action items by status. */
export interface ActionItemCounts {
  readonly total: number;
  readonly open: number;
  readonly inProgress: number;
  readonly done: number;
  readonly wontDo: number;
  /** Open or in progress and past due; only counted when `now` was given. */
  readonly overdue?: number;
  /** `done / (total − wontDo)`: the share of the work that was not dropped and got done; `null` when there is none. */
  readonly completion: number | null;
}

/**
 * A mutable tally behind {@link ActionItemCounts}.
 *
 * @internal
 */
export interface ActionItemTally {
  total: number;
  open: number;
  inProgress: number;
  done: number;
  wontDo: number;
  overdue: number;
}

/**
 * An empty {@link ActionItemTally}.
 *
 * @internal
 */
export function emptyActionItemTally(): ActionItemTally {
  return { total: 0, open: 0, inProgress: 0, done: 0, wontDo: 0, overdue: 0 };
}

/**
 * Adds `items` to `tally`; counts overdue items when `nowMs` is given.
 *
 * @internal
 */
export function tallyActionItems(tally: ActionItemTally, items: readonly ActionItemLike[], nowMs: number | undefined): void {
  for (const item of items) {
    tally.total += 1;
    switch (item.status) {
      case 'open':
        tally.open += 1;
        break;
      case 'in_progress':
        tally.inProgress += 1;
        break;
      case 'done':
        tally.done += 1;
        break;
      case 'wont_do':
        tally.wontDo += 1;
        break;
      default:
        break;
    }
    if (nowMs !== undefined && isOverdueAt(item, nowMs)) tally.overdue += 1;
  }
}

/**
 * Turns a tally into {@link ActionItemCounts}.
 *
 * @internal
 */
export function actionItemCountsOf(tally: ActionItemTally, withOverdue: boolean): ActionItemCounts {
  const workable = tally.total - tally.wontDo;
  const counts = {
    total: tally.total,
    open: tally.open,
    inProgress: tally.inProgress,
    done: tally.done,
    wontDo: tally.wontDo,
    completion: workable > 0 ? tally.done / workable : null,
  };
  return withOverdue ? { ...counts, overdue: tally.overdue } : counts;
}

/**
 * Counts action items by status, their completion, and (with `now`) how many are overdue.
 *
 * @example
 * ```ts
 * import { countActionItems } from 'incidentkit';
 *
 * const counts = countActionItems(
 *   [{ status: 'done' }, { status: 'open', dueAt: '2026-01-01T00:00:00Z' }, { status: 'wont_do' }],
 *   '2026-02-01T00:00:00Z',
 * );
 * console.log(counts.completion, counts.overdue); // 0.5 1
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when `now` is not a valid date.
 */
export function countActionItems(items: readonly ActionItemLike[], now?: TimeInput): ActionItemCounts {
  const tally = emptyActionItemTally();
  tallyActionItems(tally, items, now === undefined ? undefined : toEpochMs(now, 'now'));
  return actionItemCountsOf(tally, now !== undefined);
}

/** The policy {@link actionItemPolicyViolation} checks. */
export interface ActionItemPolicy {
  /** Severities that need a qualifying action item before `close`. Default: `['SEV1', 'SEV2']`. */
  readonly requiredFor?: readonly string[];
  /** The weakest strength that qualifies. Default: `'intermediate'` (anything but `weaker`). */
  readonly minimumStrength?: ActionItemStrength;
  /** Whether an item without a `strength` qualifies. Default: `false` (an unrated action is not known to be strong). */
  readonly unratedQualifies?: boolean;
  /** Kinds that qualify. Default: every kind (and items without a kind). */
  readonly kinds?: readonly ActionItemKind[];
}

/** The default {@link ActionItemPolicy}: SEV1 and SEV2 need an `intermediate` or `stronger` action item. */
export const DEFAULT_ACTION_ITEM_POLICY: Readonly<Required<Omit<ActionItemPolicy, 'kinds'>>> = /* @__PURE__ */ (() => Object.freeze({
  requiredFor: Object.freeze(['SEV1', 'SEV2']),
  minimumStrength: 'intermediate',
  unratedQualifies: false,
}))();

const strengthEnum = /* @__PURE__ */ z.enum(['stronger', 'intermediate', 'weaker']);

/** The zod schema of an {@link ActionItemPolicy}. */
export const actionItemPolicySchema = /* @__PURE__ */ (() => z.strictObject({
  requiredFor: z.array(z.string().min(1)).optional(),
  minimumStrength: strengthEnum.optional(),
  unratedQualifies: z.boolean().optional(),
  kinds: z.array(z.enum(['prevent', 'mitigate', 'detect', 'process'])).min(1).optional(),
}))();

/**
 * Tells whether `strength` is at least as strong as `minimum` in the RCA² hierarchy.
 *
 * @example
 * ```ts
 * import { meetsStrength } from 'incidentkit';
 *
 * console.log(meetsStrength('stronger', 'intermediate'), meetsStrength('weaker', 'intermediate')); // true false
 * ```
 */
export function meetsStrength(strength: ActionItemStrength, minimum: ActionItemStrength): boolean {
  return ACTION_ITEM_STRENGTHS.indexOf(strength) <= ACTION_ITEM_STRENGTHS.indexOf(minimum);
}

/**
 * Validates an {@link ActionItemPolicy} and fills in the defaults, so the engine can check a
 * policy once at construction and freeze the result into incidents.
 *
 * @example
 * ```ts
 * import { resolveActionItemPolicy } from 'incidentkit';
 *
 * console.log(resolveActionItemPolicy({ requiredFor: ['SEV1'] }));
 * // { requiredFor: ['SEV1'], minimumStrength: 'intermediate', unratedQualifies: false }
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when the policy is malformed.
 */
export function resolveActionItemPolicy(policy: ActionItemPolicy = {}): Required<Omit<ActionItemPolicy, 'kinds'>> & Pick<ActionItemPolicy, 'kinds'> {
  const parsed = parseConfig(actionItemPolicySchema, policy, 'actionItemPolicy');
  return {
    requiredFor: parsed.requiredFor ?? DEFAULT_ACTION_ITEM_POLICY.requiredFor,
    minimumStrength: parsed.minimumStrength ?? DEFAULT_ACTION_ITEM_POLICY.minimumStrength,
    unratedQualifies: parsed.unratedQualifies ?? DEFAULT_ACTION_ITEM_POLICY.unratedQualifies,
    ...(parsed.kinds === undefined ? {} : { kinds: parsed.kinds }),
  };
}

/**
 * Why an incident may not close under the action item policy, or `undefined` when it may.
 *
 * @remarks The default policy says that `SEV1` and `SEV2` incidents cannot close without at
 * least one action item that is not `weaker` (RCA²: actions that rely on people remembering
 * do not prevent recurrence). Items marked `wont_do` never qualify; unrated items qualify only
 * with `unratedQualifies`. The reason reads as the end of a sentence, so the engine can put it
 * in its `InvalidTransitionError` ("… cannot CLOSE: <reason>").
 *
 * @example
 * ```ts
 * import { actionItemPolicyViolation } from 'incidentkit';
 *
 * const incident = { severity: 'SEV1', actionItems: [{ status: 'open', strength: 'weaker' }] } as const;
 * console.log(actionItemPolicyViolation(incident));
 * // "SEV1 incidents need at least one action item rated intermediate or stronger …"
 * console.log(actionItemPolicyViolation(incident, { minimumStrength: 'weaker' })); // undefined
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when `policy` is malformed.
 */
export function actionItemPolicyViolation(
  incident: { readonly severity: string; readonly actionItems: readonly ActionItemLike[] },
  policy: ActionItemPolicy = {},
): string | undefined {
  const resolved = resolveActionItemPolicy(policy);
  if (!resolved.requiredFor.includes(incident.severity)) return undefined;
  const qualifies = (item: ActionItemLike): boolean => {
    if (item.status === 'wont_do') return false;
    if (resolved.kinds !== undefined && (item.kind === undefined || !(resolved.kinds as readonly string[]).includes(item.kind))) {
      return false;
    }
    if (item.strength === undefined) return resolved.unratedQualifies;
    const parsed = strengthEnum.safeParse(item.strength);
    return parsed.success && meetsStrength(parsed.data, resolved.minimumStrength);
  };
  if (incident.actionItems.some(qualifies)) return undefined;
  const rated =
    resolved.minimumStrength === 'weaker'
      ? 'with any strength'
      : resolved.minimumStrength === 'stronger'
        ? 'rated stronger'
        : 'rated intermediate or stronger';
  const kinds = resolved.kinds === undefined ? '' : ` of kind ${resolved.kinds.join(' or ')}`;
  const has =
    incident.actionItems.length === 0
      ? 'it has none'
      : `none of its ${String(incident.actionItems.length)} action item${incident.actionItems.length === 1 ? '' : 's'} qualifies`;
  const strengths = ACTION_ITEM_STRENGTHS.filter((s) => meetsStrength(s, resolved.minimumStrength))
    .map((s) => `'${s}'`)
    .join(' or ');
  return (
    `${incident.severity} incidents need at least one action item${kinds} ${rated} (not marked wont_do) before they can close, and ${has}; ` +
    `add one with addActionItem({ strength: ${strengths}, … }).`
  );
}
