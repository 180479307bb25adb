import { assign, enqueueActions, setup } from 'xstate';
import { reconcileStatusLabel } from '../classification/statusLabels.js';
import { clockTimerId } from '../compliance/computeClock.js';
import type { Actor } from '../model/actor.js';
import type { ActionItem, Incident, IncidentPolicySnapshot, IncidentStatus } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import type { LifecycleEvent } from './events.js';
import { actionItemPolicyViolation } from '../review/actionItems.js';
import { activeReminders, nextEscalation, pendingTargets, TARGET_NAMES, TIMER_IDS } from './timers.js';

/** The machine's context: every fact of the projection except `status` and `version`. */
export type IncidentContext = Omit<Incident, 'status' | 'version'>;

/**
 * What starts an incident: the validated `declare` input with its time, actor and frozen policy.
 *
 * @remarks The engine builds it; it is stored as the `DECLARED` event's data so that a replay
 * starts the machine from exactly the same input.
 */
export interface IncidentMachineInput {
  readonly id: string;
  readonly tenantId: string;
  readonly at: string;
  readonly actor: Actor;
  readonly title: string;
  readonly severity: string;
  readonly service?: string;
  readonly summary?: string;
  readonly dedupKey?: string;
  readonly startedAt?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly fields?: Readonly<Record<string, JsonValue>>;
  readonly services?: readonly string[];
  /** The incident type's name (`declare({ type })`). */
  readonly type?: string;
  /** Recorded after the fact (`engine.importIncident`). */
  readonly imported?: boolean;
  readonly policy: IncidentPolicySnapshot;
  /** The alert that raised a signal-born incident. */
  readonly alert?: {
    readonly fingerprint: string;
    readonly dedupKey: string;
    readonly source: string;
    readonly status: 'firing' | 'acknowledged' | 'resolved';
    readonly summary: string;
  };
}

/**
 * Why `CLOSE` is refused for an incident in a state that otherwise accepts it, or `undefined`.
 *
 * @remarks Shared by the machine's guard and the engine's error message, so both say the same.
 */
export function closeBlockedReason(context: IncidentContext): string | undefined {
  if (context.policy.reviewRequiredFor.includes(context.severity) && context.review?.completedAt === undefined) {
    return `${context.severity} incidents need a completed post-incident review before they can close; run startReview and completeReview first.`;
  }
  return context.policy.actionItems === undefined ? undefined : actionItemPolicyViolation(context, context.policy.actionItems);
}

/** Why an `UPDATE_ACTION_ITEM` is refused, or `undefined`. */
export function actionItemMissingReason(context: IncidentContext, actionItemId: string): string | undefined {
  return context.actionItems.some((item) => item.id === actionItemId)
    ? undefined
    : `it has no action item '${actionItemId}'.`;
}

/** `T` with properties that may be `undefined` made optional instead. */
type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops `undefined` properties, so projections hold only what happened (and JSON round-trips exactly). */
function withoutUndefined<T extends object>(value: T): Compact<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Compact<T>;
}

/**
 * What a reopen clears: the milestones and records of the mitigation, resolution and review
 * that no longer hold. `assign` merges, so the keys are set to `undefined`; projections and
 * persisted snapshots drop `undefined` keys.
 */
const CLEARED_ON_REOPEN = {
  mitigatedAt: undefined,
  resolvedAt: undefined,
  reviewStartedAt: undefined,
  mitigation: undefined,
  resolution: undefined,
  review: undefined,
} as const;

/** Events accepted in every open state: they record facts and change no state. */
const recordFacts = {
  ASSIGN_ROLE: { actions: 'assignRole' },
  ADD_NOTE: { actions: 'touch' },
  POST_UPDATE: { actions: 'touch' },
  RECORD_ROOT_CAUSE: { actions: 'recordRootCause' },
  ADD_ACTION_ITEM: { actions: 'addActionItem' },
  UPDATE_ACTION_ITEM: { guard: 'actionItemExists', actions: 'updateActionItem' },
} as const;

/** Regulatory clock facts: recorded while the incident is open and after it closed (reports are often due later). */
const clockFacts = {
  START_CLOCK: { actions: ['setClock', 'scheduleClock'] },
  FILE_REPORT: { actions: ['setClock', 'scheduleClock'] },
  CLOCK_DUE: { guard: 'clockPhaseDue', actions: ['recordOverdue', 'scheduleClock'] },
} as const;

/** The entry action that reconciles the custom status label with the state entered. */
function reconcile(status: IncidentStatus) {
  return { type: 'reconcileLabel', params: { status } } as const;
}

/**
 * The incident lifecycle as an XState v5 machine (DESIGN §3).
 *
 * @remarks
 * Pure: no I/O, no clock, no randomness. Every event carries its time (`at`) and actor, and
 * ids are chosen by the engine. Open states sit under `open`, which records facts (notes,
 * roles, severity, root cause, action items) in any of them; `closed` still accepts action
 * item updates; `canceled` accepts nothing. Inspect or visualise it with XState's tools; the
 * engine drives it with `transition()` and persists every snapshot.
 *
 * @example
 * ```ts
 * import { initialTransition, transition } from 'xstate';
 * import { incidentMachine } from 'incidentkit';
 *
 * const actor = { kind: 'user', id: 'u1' } as const;
 * const [declared] = initialTransition(incidentMachine, {
 *   id: 'inc_1', tenantId: 'default', at: '2026-01-01T00:00:00.000Z', actor,
 *   title: 'API down', severity: 'SEV2', policy: { reviewRequiredFor: [] },
 * });
 * const [acked] = transition(incidentMachine, declared, { type: 'ACKNOWLEDGE', at: '2026-01-01T00:01:00.000Z', actor });
 * console.log(acked.value); // { open: { active: 'responding' } }
 * ```
 */
export const incidentMachine = setup({
  types: {
    context: {} as IncidentContext,
    events: {} as LifecycleEvent,
    input: {} as IncidentMachineInput,
  },
  guards: {
    canClose: ({ context }) => closeBlockedReason(context) === undefined,
    actionItemExists: ({ context, event }) =>
      event.type === 'UPDATE_ACTION_ITEM' && actionItemMissingReason(context, event.actionItemId) === undefined,
    /** A duplicate delivery of an escalation timer carries a stale step and is ignored. */
    escalationIsNext: ({ context, event }) => event.type === 'ESCALATE' && event.step === (context.escalation?.count ?? 0) + 1,
    manualEscalationIsNext: ({ context, event }) =>
      event.type === 'ESCALATE' && event.trigger === 'manual' && event.step === (context.escalation?.count ?? 0) + 1,
    reminderApplies: ({ context, event }) =>
      event.type === 'REMIND' && activeReminders(context)[event.kind] !== undefined,
    targetPending: ({ context, event }) => event.type === 'TARGET_DUE' && pendingTargets(context)[event.target] !== undefined,
    alertIsNew: ({ context, event }) =>
      event.type === 'ATTACH_ALERT' && !context.alerts.some((alert) => alert.fingerprint === event.fingerprint),
    /** A clock deadline timer applies while its phase is unfiled, still due then, and not yet recorded as missed. */
    clockPhaseDue: ({ context, event }) => {
      if (event.type !== 'CLOCK_DUE') return false;
      const phase = context.clocks?.find((c) => c.regime === event.regime)?.phases.find((p) => p.phase === event.phase);
      return (
        phase !== undefined &&
        phase.filedAt === undefined &&
        phase.dueAt === event.phaseDueAt &&
        !(context.overdueReports ?? []).some((r) => r.regime === event.regime && r.phase === event.phase && r.dueAt === event.phaseDueAt)
      );
    },
    alertStatusChanges: ({ context, event }) =>
      event.type === 'CHANGE_ALERT_STATUS' &&
      context.alerts.some((alert) => alert.fingerprint === event.fingerprint && alert.status !== event.status),
  },
  actions: {
    touch: assign(({ event }) => ({ updatedAt: event.at })),
    updateFields: assign(({ event }) => (event.type === 'UPDATE_FIELDS' ? { updatedAt: event.at, fields: { ...event.fields } } : {})),
    setStatusLabel: assign(({ event }) => (event.type === 'SET_STATUS_LABEL' ? { updatedAt: event.at, statusLabel: event.label } : {})),
    /** Keeps the custom status label valid in the state entered: the current one if it applies, else the state's default, else none. */
    reconcileLabel: assign(({ context }, params: { status: IncidentStatus }) => {
      const labels = context.policy.statusLabels;
      if (labels === undefined) return {};
      const label = reconcileStatusLabel(labels, context.statusLabel, params.status);
      // An `undefined` label clears it (projections drop `undefined` keys).
      return label === context.statusLabel ? {} : ({ statusLabel: label } as Partial<IncidentContext>);
    }),
    setClock: assign(({ context, event }) => {
      if (event.type !== 'START_CLOCK' && event.type !== 'FILE_REPORT') return {};
      const others = (context.clocks ?? []).filter((c) => c.regime !== event.regime);
      const index = (context.clocks ?? []).findIndex((c) => c.regime === event.regime);
      const clocks = index < 0 ? [...others, event.clock] : (context.clocks ?? []).map((c, i) => (i === index ? event.clock : c));
      return { updatedAt: event.at, clocks };
    }),
    recordOverdue: assign(({ context, event }) => {
      if (event.type !== 'CLOCK_DUE') return {};
      const clock = event.clock;
      return {
        updatedAt: event.at,
        overdueReports: [...(context.overdueReports ?? []), { regime: event.regime, phase: event.phase, dueAt: event.phaseDueAt, at: event.at }],
        ...(clock === undefined ? {} : { clocks: (context.clocks ?? []).map((c) => (c.regime === event.regime ? clock : c)) }),
      };
    }),
    /**
     * Sets a deadline timer for every unfiled phase of the event's clock whose miss is not
     * recorded yet (at once when it is already past due), and cancels the others.
     */
    scheduleClock: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'START_CLOCK' && event.type !== 'FILE_REPORT' && event.type !== 'CLOCK_DUE') return;
      const clock = context.clocks?.find((c) => c.regime === event.regime);
      for (const phase of clock?.phases ?? []) {
        const id = clockTimerId(event.regime, phase.phase);
        const dueAt = phase.dueAt;
        const missed = (context.overdueReports ?? []).some((r) => r.regime === event.regime && r.phase === phase.phase && r.dueAt === dueAt);
        if (phase.filedAt !== undefined || dueAt === undefined || missed) {
          enqueue.cancel(id);
          continue;
        }
        enqueue.raise(
          { type: 'CLOCK_DUE', regime: event.regime, phase: phase.phase, phaseDueAt: dueAt, at: '', actor: { kind: 'system', id: 'incidentkit' } },
          // The first overdue instant is one millisecond after the last on-time one.
          { id, delay: Math.max(0, Date.parse(dueAt) + 1 - Date.parse(event.at)) },
        );
      }
    }),
    escalate: assign(({ event }) =>
      event.type === 'ESCALATE'
        ? {
            updatedAt: event.at,
            escalation: {
              level: event.level,
              cycle: event.cycle,
              count: event.step,
              targets: [...event.targets],
              lastEscalatedAt: event.at,
            },
          }
        : {},
    ),
    attachAlert: assign(({ context, event }) =>
      event.type === 'ATTACH_ALERT'
        ? {
            updatedAt: event.at,
            alerts: [
              ...context.alerts,
              {
                fingerprint: event.fingerprint,
                dedupKey: event.dedupKey,
                source: event.source,
                status: event.status,
                summary: event.summary,
                firstSeenAt: event.at,
                statusChangedAt: event.at,
              },
            ],
          }
        : {},
    ),
    changeAlertStatus: assign(({ context, event }) =>
      event.type === 'CHANGE_ALERT_STATUS'
        ? {
            updatedAt: event.at,
            alerts: context.alerts.map((alert) =>
              alert.fingerprint === event.fingerprint ? { ...alert, status: event.status, statusChangedAt: event.at } : alert,
            ),
          }
        : {},
    ),
    linkSimilar: assign(({ event }) =>
      event.type === 'LINK_SIMILAR' ? { updatedAt: event.at, similarIncidents: event.similar.map((ref) => ({ ...ref, reasons: [...ref.reasons] })) } : {},
    ),
    breachTarget: assign(({ context, event }) =>
      event.type === 'TARGET_DUE'
        ? { updatedAt: event.at, breaches: [...context.breaches, { target: event.target, dueAt: event.targetDueAt, at: event.at }] }
        : {},
    ),
    /** Sets the timer of the next escalation level, if the policy has one. */
    scheduleEscalation: enqueueActions(({ context, event, enqueue }) => {
      const next = nextEscalation(context.policy.escalation, context.escalation);
      if (next === undefined) {
        enqueue.cancel(TIMER_IDS.escalation);
        return;
      }
      // Levels count from the previous level's deadline, not from when a (late) worker fired it.
      const lateMs = event.type === 'ESCALATE' && event.dueAt !== undefined ? Date.parse(event.at) - Date.parse(event.dueAt) : 0;
      enqueue.raise(
        {
          type: 'ESCALATE',
          trigger: 'timer',
          step: (context.escalation?.count ?? 0) + 1,
          level: next.level,
          cycle: next.cycle,
          targets: next.targets,
          at: '',
          actor: { kind: 'system', id: 'incidentkit' },
        },
        // May be negative after downtime: the next level is then already overdue and fires on this tick.
        { id: TIMER_IDS.escalation, delay: next.delayMs - Math.max(0, lateMs) },
      );
    }),
    /** A canceled incident (a false positive, a duplicate) reports nothing: its deadlines are dropped. */
    cancelClockTimers: enqueueActions(({ context, enqueue }) => {
      for (const clock of context.clocks ?? []) for (const phase of clock.phases) enqueue.cancel(clockTimerId(clock.regime, phase.phase));
    }),
    cancelEscalation: enqueueActions(({ enqueue }) => {
      enqueue.cancel(TIMER_IDS.escalation);
    }),
    /** (Re)arms the reminders that apply to the current severity, and cancels the others. */
    armReminders: enqueueActions(({ context, enqueue }) => {
      const active = activeReminders(context);
      const everyMinutes = active.status_update;
      if (everyMinutes === undefined) {
        enqueue.cancel(TIMER_IDS.reminder('status_update'));
        return;
      }
      enqueue.raise(
        { type: 'REMIND', kind: 'status_update', everyMinutes, at: '', actor: { kind: 'system', id: 'incidentkit' } },
        { id: TIMER_IDS.reminder('status_update'), delay: everyMinutes * 60_000 },
      );
    }),
    cancelReminders: enqueueActions(({ enqueue }) => {
      enqueue.cancel(TIMER_IDS.reminder('status_update'));
    }),
    /** Sets a timer for every pending response target and cancels the met or breached ones. */
    scheduleTargets: enqueueActions(({ context, enqueue }) => {
      const pending = pendingTargets(context);
      for (const target of TARGET_NAMES) {
        const dueAt = pending[target];
        if (dueAt === undefined) {
          enqueue.cancel(TIMER_IDS.target(target));
          continue;
        }
        enqueue.raise(
          { type: 'TARGET_DUE', target, targetDueAt: dueAt, at: '', actor: { kind: 'system', id: 'incidentkit' } },
          { id: TIMER_IDS.target(target), delay: Math.max(0, Date.parse(dueAt) - Date.parse(context.updatedAt)) },
        );
      }
    }),
    cancelTargets: enqueueActions(({ enqueue }) => {
      for (const target of TARGET_NAMES) enqueue.cancel(TIMER_IDS.target(target));
    }),
    assignRole: assign(({ context, event }) => {
      if (event.type !== 'ASSIGN_ROLE') return {};
      return {
        updatedAt: event.at,
        roles: {
          ...context.roles,
          [event.role]: { assignee: withoutUndefined({ ...event.assignee }), assignedAt: event.at, assignedBy: event.actor },
        },
      };
    }),
    setSeverity: assign(({ event }) => (event.type === 'SET_SEVERITY' ? { severity: event.severity, updatedAt: event.at } : {})),
    recordRootCause: assign(({ context, event }) => {
      if (event.type !== 'RECORD_ROOT_CAUSE') return {};
      return {
        updatedAt: event.at,
        diagnosedAt: context.diagnosedAt ?? event.at,
        rootCause: {
          summary: event.summary,
          contributingFactors: [...event.contributingFactors],
          recordedAt: event.at,
          recordedBy: event.actor,
        },
      };
    }),
    addActionItem: assign(({ context, event }) => {
      if (event.type !== 'ADD_ACTION_ITEM') return {};
      const item: ActionItem = withoutUndefined({
        id: event.actionItemId,
        title: event.title,
        owner: event.owner,
        dueAt: event.dueAt,
        kind: event.kind,
        strength: event.strength,
        status: 'open' as const,
        createdAt: event.at,
        updatedAt: event.at,
      });
      return { updatedAt: event.at, actionItems: [...context.actionItems, item] };
    }),
    updateActionItem: assign(({ context, event }) => {
      if (event.type !== 'UPDATE_ACTION_ITEM') return {};
      return {
        updatedAt: event.at,
        actionItems: context.actionItems.map((item) =>
          item.id === event.actionItemId ? { ...item, status: event.status, updatedAt: event.at } : item,
        ),
      };
    }),
    acknowledge: assign(({ event }) => ({ acknowledgedAt: event.at, updatedAt: event.at })),
    mitigate: assign(({ event }) =>
      event.type === 'MITIGATE' ? { mitigatedAt: event.at, mitigation: { summary: event.summary }, updatedAt: event.at } : {},
    ),
    resolve: assign(({ event }) =>
      event.type === 'RESOLVE'
        ? { resolvedAt: event.at, resolution: withoutUndefined({ summary: event.summary }), updatedAt: event.at }
        : {},
    ),
    reopen: assign(({ context, event }) => ({
      ...(CLEARED_ON_REOPEN as unknown as Partial<IncidentContext>),
      reopenCount: context.reopenCount + 1,
      updatedAt: event.at,
    })),
    startReview: assign(({ event }) =>
      event.type === 'START_REVIEW'
        ? { reviewStartedAt: event.at, review: withoutUndefined({ owner: event.owner, startedAt: event.at }), updatedAt: event.at }
        : {},
    ),
    completeReview: assign(({ context, event }) =>
      event.type === 'COMPLETE_REVIEW' && context.review !== undefined
        ? {
            review: withoutUndefined({
              ...context.review,
              completedAt: context.review.completedAt ?? event.at,
              summary: event.summary ?? context.review.summary,
            }),
            updatedAt: event.at,
          }
        : {},
    ),
    close: assign(({ event }) => ({ closedAt: event.at, updatedAt: event.at })),
    cancel: assign(({ event }) =>
      event.type === 'CANCEL'
        ? {
            canceledAt: event.at,
            cancellation: withoutUndefined({ reason: event.reason, mergedInto: event.mergedInto }),
            updatedAt: event.at,
          }
        : {},
    ),
  },
}).createMachine({
  id: 'incident',
  context: ({ input }) =>
    withoutUndefined({
      id: input.id,
      tenantId: input.tenantId,
      title: input.title,
      severity: input.severity,
      service: input.service,
      summary: input.summary,
      dedupKey: input.dedupKey,
      services: input.services === undefined ? undefined : [...input.services],
      type: input.type,
      imported: input.imported,
      startedAt: input.startedAt ?? input.at,
      detectedAt: input.at,
      updatedAt: input.at,
      createdBy: input.actor,
      roles: {},
      actionItems: [],
      labels: { ...input.labels },
      fields: { ...input.fields },
      reopenCount: 0,
      breaches: [],
      alerts: input.alert === undefined ? [] : [{ ...input.alert, firstSeenAt: input.at, statusChangedAt: input.at }],
      policy: input.policy,
    }) as IncidentContext,
  initial: 'open',
  states: {
    open: {
      initial: 'active',
      entry: 'scheduleTargets',
      exit: ['cancelTargets', 'cancelEscalation', 'cancelReminders'],
      on: {
        ...recordFacts,
        ...clockFacts,
        UPDATE_FIELDS: { actions: 'updateFields' },
        SET_STATUS_LABEL: { actions: 'setStatusLabel' },
        SET_SEVERITY: { actions: ['setSeverity', 'scheduleTargets'] },
        TARGET_DUE: { guard: 'targetPending', actions: 'breachTarget' },
        ATTACH_ALERT: { guard: 'alertIsNew', actions: 'attachAlert' },
        CHANGE_ALERT_STATUS: { guard: 'alertStatusChanges', actions: 'changeAlertStatus' },
        LINK_SIMILAR: { actions: 'linkSimilar' },
      },
      states: {
        active: {
          initial: 'triage',
          entry: 'armReminders',
          exit: 'cancelReminders',
          on: {
            SET_SEVERITY: { actions: ['setSeverity', 'scheduleTargets', 'armReminders'] },
            POST_UPDATE: { actions: ['touch', 'armReminders'] },
            REMIND: { guard: 'reminderApplies', actions: ['touch', 'armReminders'] },
          },
          states: {
            triage: {
              entry: [reconcile('triage'), 'scheduleEscalation'],
              exit: 'cancelEscalation',
              on: {
                ACKNOWLEDGE: { target: 'responding', actions: ['acknowledge', 'scheduleTargets'] },
                MITIGATE: { target: 'mitigated', actions: ['mitigate', 'scheduleTargets'] },
                RESOLVE: { target: '#incident.open.resolved', actions: ['resolve', 'scheduleTargets'] },
                CANCEL: { target: '#incident.canceled', actions: 'cancel' },
                ESCALATE: { guard: 'escalationIsNext', actions: ['escalate', 'scheduleEscalation'] },
              },
            },
            responding: {
              entry: reconcile('responding'),
              on: {
                MITIGATE: { target: 'mitigated', actions: ['mitigate', 'scheduleTargets'] },
                RESOLVE: { target: '#incident.open.resolved', actions: ['resolve', 'scheduleTargets'] },
                CANCEL: { target: '#incident.canceled', actions: 'cancel' },
                ESCALATE: { guard: 'manualEscalationIsNext', actions: 'escalate' },
              },
            },
            mitigated: {
              entry: reconcile('mitigated'),
              on: {
                RESOLVE: { target: '#incident.open.resolved', actions: ['resolve', 'scheduleTargets'] },
                REOPEN: { target: 'responding', actions: ['reopen', 'scheduleTargets'] },
              },
            },
          },
        },
        resolved: {
          entry: reconcile('resolved'),
          on: {
            REOPEN: { target: 'active.responding', actions: ['reopen', 'scheduleTargets'] },
            START_REVIEW: { target: 'postIncident', actions: 'startReview' },
            CLOSE: { target: '#incident.closed', guard: 'canClose', actions: 'close' },
          },
        },
        postIncident: {
          entry: reconcile('postIncident'),
          on: {
            COMPLETE_REVIEW: { actions: 'completeReview' },
            CLOSE: { target: '#incident.closed', guard: 'canClose', actions: 'close' },
            REOPEN: { target: 'active.responding', actions: ['reopen', 'scheduleTargets'] },
          },
        },
      },
    },
    closed: {
      entry: reconcile('closed'),
      on: {
        ...clockFacts,
        UPDATE_ACTION_ITEM: { guard: 'actionItemExists', actions: 'updateActionItem' },
      },
    },
    canceled: { entry: [reconcile('canceled'), 'cancelClockTimers'] },
  },
});

/** The type of {@link incidentMachine}. */
export type IncidentMachine = typeof incidentMachine;
