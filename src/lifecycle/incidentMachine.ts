import { assign, enqueueActions, setup } from 'xstate';
import type { IncidentStatus } from '../model/incident.js';
import type { LifecycleEvent } from './events.js';
import * as guards from './guards.js';
import { initialContext, type IncidentContext, type IncidentMachineInput } from './incidentContext.js';
import * as actionItems from './actions/actionItems.js';
import * as alerts from './actions/alerts.js';
import * as escalation from './actions/escalation.js';
import * as facts from './actions/facts.js';
import * as fields from './actions/fields.js';
import * as milestones from './actions/milestones.js';
import * as reminders from './actions/reminders.js';
import * as reportingClocks from './actions/reportingClocks.js';
import * as links from './actions/links.js';
import * as merge from './actions/merge.js';
import * as publicIncident from './actions/publicIncident.js';
import * as problems from './actions/problems.js';
import * as investigation from './actions/investigation.js';
import * as erasure from './actions/erasure.js';
import * as similar from './actions/similar.js';
import * as statusLabels from './actions/statusLabels.js';
import * as targets from './actions/targets.js';
import * as tasks from './actions/tasks.js';
import { enqueueTimers } from './actions/timerInstructions.js';

export type { IncidentContext, IncidentMachineInput } from './incidentContext.js';
export { actionItemMissingReason, closeBlockedReason, escalationBlockedReason } from './guards.js';
export { taskBlockedReason, tasksBlockedReason } from './guards.js';

/** Events accepted in every open state: they record facts and change no state. */
const recordFacts = {
  ASSIGN_ROLE: { actions: 'assignRole' },
  ADD_NOTE: { actions: 'touch' },
  POST_UPDATE: { actions: 'touch' },
  RECORD_ROOT_CAUSE: { actions: 'recordRootCause' },
  ADD_ACTION_ITEM: { actions: 'addActionItem' },
  UPDATE_ACTION_ITEM: { guard: 'actionItemExists', actions: 'updateActionItem' },
  ADD_HYPOTHESIS: { actions: 'addHypothesis' },
  UPDATE_HYPOTHESIS: { guard: 'hypothesisExists', actions: 'updateHypothesis' },
  ADD_EVIDENCE: { actions: 'addEvidence' },
  CORRECT_MILESTONE: { guard: 'milestoneCorrectionFits', actions: 'correctMilestone' },
  TAG_EVENT: { actions: 'touch' },
} as const;

/** What the public is told about a published incident goes on in every state: a public incident outlives the internal one. */
const publicUpdates = {
  POST_PUBLIC_UPDATE: { guard: 'isPublished', actions: 'postPublicUpdate' },
} as const;

/** The incident's tasks: attached, added, done, skipped, reassigned and found overdue while it is open. */
const taskFacts = {
  ATTACH_TASKS: { guard: 'tasksAreNew', actions: ['attachTasks', 'scheduleTasks'] },
  ADD_TASK: { guard: 'tasksAreNew', actions: ['attachTasks', 'scheduleTasks'] },
  COMPLETE_TASK: { guard: 'taskIsOpen', actions: ['completeTask', 'scheduleTasks'] },
  SKIP_TASK: { guard: 'taskIsOpen', actions: ['skipTask', 'scheduleTasks'] },
  REASSIGN_TASK: { guard: 'taskIsOpen', actions: 'reassignTask' },
  TASK_DUE: { guard: 'taskDue', actions: 'recordTaskOverdue' },
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

/** The `UNMERGE` transition back to `status` (at `target`). */
function unmergeTo(status: IncidentStatus, target: string) {
  return { guard: { type: 'unmergesTo', params: { status } }, target, actions: ['unmerge', 'rearmClocks'] } as const;
}

/**
 * The incident lifecycle as an XState v5 machine (DESIGN §3).
 *
 * @remarks
 * Pure: no I/O, no clock, no randomness. Every event carries its time (`at`) and actor, and
 * ids are chosen by the engine. Open states sit under `open`, which records facts (notes,
 * roles, severity, root cause, action items) in any of them; `closed` still accepts action
 * item updates; `canceled` accepts only the `UNMERGE` of an incident merged into another (and,
 * like every state, the public updates of a published incident). Inspect or visualise it with XState's tools; the
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
export const incidentMachine = /* @__PURE__ */ (() => setup({
  types: {
    context: {} as IncidentContext,
    events: {} as LifecycleEvent,
    input: {} as IncidentMachineInput,
  },
  // The predicates live in ./guards.ts; each is wired under its own name.
  guards: {
    canClose: ({ context, event }) => guards.canClose(context, event),
    actionItemExists: ({ context, event }) => guards.actionItemExists(context, event),
    escalationIsNext: ({ context, event }) => guards.escalationIsNext(context, event),
    manualEscalationIsNext: ({ context, event }) => guards.manualEscalationIsNext(context, event),
    escalationPagedNobody: ({ context, event }) => guards.escalationPagedNobody(context, event),
    reminderApplies: ({ context, event }) => guards.reminderApplies(context, event),
    targetPending: ({ context, event }) => guards.targetPending(context, event),
    alertIsNew: ({ context, event }) => guards.alertIsNew(context, event),
    clockPhaseDue: ({ context, event }) => guards.clockPhaseDue(context, event),
    alertStatusChanges: ({ context, event }) => guards.alertStatusChanges(context, event),
    changesUnlinked: ({ context, event }) => guards.changesUnlinked(context, event),
    linkIsNew: ({ context, event }) => guards.linkIsNew(context, event),
    mergesInto: ({ context, event }) => guards.mergesInto(context, event),
    mergeIsNew: ({ context, event }) => guards.mergeIsNew(context, event),
    wasMergedFrom: ({ context, event }) => guards.wasMergedFrom(context, event),
    unmergesTo: ({ context, event }, params: { status: IncidentStatus }) => guards.unmergesTo(context, event, params),
    notPublished: ({ context, event }) => guards.notPublished(context, event),
    isPublished: ({ context, event }) => guards.isPublished(context, event),
    tasksSettled: ({ context, event }) => guards.tasksSettled(context, event),
    taskIsOpen: ({ context, event }) => guards.taskIsOpen(context, event),
    tasksAreNew: ({ context, event }) => guards.tasksAreNew(context, event),
    taskDue: ({ context, event }) => guards.taskDue(context, event),
    hypothesisExists: ({ context, event }) => guards.hypothesisExists(context, event),
    milestoneCorrectionFits: ({ context, event }) => guards.milestoneCorrectionFits(context, event),
    notErased: ({ context, event }) => guards.notErased(context, event),
  },
  // The logic lives in ./actions/<slice>.ts: context updates are wired with `assign`, timer
  // (re)scheduling with `enqueueActions`.
  actions: {
    touch: assign(({ context, event }) => facts.touch(context, event)),
    updateFields: assign(({ context, event }) => fields.updateFields(context, event)),
    setStatusLabel: assign(({ context, event }) => statusLabels.setStatusLabel(context, event)),
    reconcileLabel: assign(({ context }, params: { status: IncidentStatus }) => statusLabels.reconcileLabel(context, params)),
    setClock: assign(({ context, event }) => reportingClocks.setClock(context, event)),
    recordOverdue: assign(({ context, event }) => reportingClocks.recordOverdue(context, event)),
    scheduleClock: enqueueActions(({ context, event, enqueue }) => {
      enqueueTimers(enqueue, reportingClocks.scheduleClock(context, event));
    }),
    escalate: assign(({ context, event }) => escalation.escalate(context, event)),
    attachAlert: assign(({ context, event }) => alerts.attachAlert(context, event)),
    changeAlertStatus: assign(({ context, event }) => alerts.changeAlertStatus(context, event)),
    linkSimilar: assign(({ context, event }) => similar.linkSimilar(context, event)),
    linkChanges: assign(({ context, event }) => similar.linkChanges(context, event)),
    linkIncident: assign(({ context, event }) => links.linkIncident(context, event)),
    mergeInto: assign(({ context, event }) => merge.mergeInto(context, event)),
    mergeFrom: assign(({ context, event }) => merge.mergeFrom(context, event)),
    unmerge: assign(({ context, event }) => merge.unmerge(context, event)),
    unmergeFrom: assign(({ context, event }) => merge.unmergeFrom(context, event)),
    publish: assign(({ context, event }) => publicIncident.publish(context, event)),
    postPublicUpdate: assign(({ context, event }) => publicIncident.postPublicUpdate(context, event)),
    matchKnownError: assign(({ context, event }) => problems.matchKnownError(context, event)),
    proposeProblem: assign(({ context, event }) => problems.proposeProblem(context, event)),
    breachTarget: assign(({ context, event }) => targets.breachTarget(context, event)),
    scheduleEscalation: enqueueActions(({ context, event, enqueue }) => {
      enqueueTimers(enqueue, escalation.scheduleEscalation(context, event));
    }),
    rearmClocks: enqueueActions(({ context, event, enqueue }) => {
      enqueueTimers(enqueue, reportingClocks.rearmClocks(context, event));
    }),
    cancelClockTimers: enqueueActions(({ context, enqueue }) => {
      enqueueTimers(enqueue, reportingClocks.cancelClockTimers(context));
    }),
    cancelEscalation: enqueueActions(({ enqueue }) => {
      enqueueTimers(enqueue, escalation.cancelEscalation());
    }),
    armReminders: enqueueActions(({ context, enqueue }) => {
      enqueueTimers(enqueue, reminders.armReminders(context));
    }),
    cancelReminders: enqueueActions(({ enqueue }) => {
      enqueueTimers(enqueue, reminders.cancelReminders());
    }),
    scheduleTargets: enqueueActions(({ context, enqueue }) => {
      enqueueTimers(enqueue, targets.scheduleTargets(context));
    }),
    cancelTargets: enqueueActions(({ enqueue }) => {
      enqueueTimers(enqueue, targets.cancelTargets());
    }),
    assignRole: assign(({ context, event }) => facts.assignRole(context, event)),
    setSeverity: assign(({ context, event }) => facts.setSeverity(context, event)),
    recordRootCause: assign(({ context, event }) => facts.recordRootCause(context, event)),
    addActionItem: assign(({ context, event }) => actionItems.addActionItem(context, event)),
    updateActionItem: assign(({ context, event }) => actionItems.updateActionItem(context, event)),
    acknowledge: assign(({ context, event }) => milestones.acknowledge(context, event)),
    mitigate: assign(({ context, event }) => milestones.mitigate(context, event)),
    resolve: assign(({ context, event }) => milestones.resolve(context, event)),
    reopen: assign(({ context, event }) => milestones.reopen(context, event)),
    startReview: assign(({ context, event }) => milestones.startReview(context, event)),
    completeReview: assign(({ context, event }) => milestones.completeReview(context, event)),
    close: assign(({ context, event }) => milestones.close(context, event)),
    cancel: assign(({ context, event }) => milestones.cancel(context, event)),
    attachTasks: assign(({ context, event }) => tasks.attachTasks(context, event)),
    completeTask: assign(({ context, event }) => tasks.completeTask(context, event)),
    skipTask: assign(({ context, event }) => tasks.skipTask(context, event)),
    reassignTask: assign(({ context, event }) => tasks.reassignTask(context, event)),
    recordTaskOverdue: assign(({ context, event }) => tasks.recordTaskOverdue(context, event)),
    // Fills in the due times whose milestone was just reached, then (re)sets the tasks' timers.
    scheduleTasks: enqueueActions(({ context, event, enqueue }) => {
      const refreshed = tasks.withDueTimes(context);
      if (refreshed !== undefined) enqueue.assign({ tasks: refreshed });
      enqueueTimers(enqueue, tasks.scheduleTasks(refreshed === undefined ? context : { ...context, tasks: refreshed }, event));
    }),
    cancelTaskTimers: enqueueActions(({ context, enqueue }) => {
      enqueueTimers(enqueue, tasks.cancelTaskTimers(context));
    }),
    addHypothesis: assign(({ context, event }) => investigation.addHypothesis(context, event)),
    updateHypothesis: assign(({ context, event }) => investigation.updateHypothesis(context, event)),
    addEvidence: assign(({ context, event }) => investigation.addEvidence(context, event)),
    correctMilestone: assign(({ context, event }) => investigation.correctMilestone(context, event)),
    erase: assign(({ context, event }) => erasure.erase(context, event)),
  },
}).createMachine({
  id: 'incident',
  context: ({ input }) => initialContext(input),
  initial: 'open',
  states: {
    open: {
      initial: 'active',
      entry: ['scheduleTargets', 'scheduleTasks'],
      exit: ['cancelTargets', 'cancelEscalation', 'cancelReminders', 'cancelTaskTimers'],
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
        LINK_CHANGES: { guard: 'changesUnlinked', actions: 'linkChanges' },
        LINK_INCIDENT: { guard: 'linkIsNew', actions: 'linkIncident' },
        // Merged from any open state; the state is kept in `cancellation` for an unmerge.
        MERGE_INTO: { target: '#incident.canceled', guard: 'mergesInto', actions: 'mergeInto' },
        MERGE_FROM: { guard: 'mergeIsNew', actions: 'mergeFrom' },
        UNMERGE_FROM: { guard: 'wasMergedFrom', actions: 'unmergeFrom' },
        PUBLISH: { guard: 'notPublished', actions: 'publish' },
        ...publicUpdates,
        ...taskFacts,
        MATCH_KNOWN_ERROR: { actions: 'matchKnownError' },
        PROPOSE_PROBLEM: { actions: 'proposeProblem' },
        ERASE: { guard: 'notErased', actions: 'erase' },
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
                MITIGATE: { target: 'mitigated', guard: 'tasksSettled', actions: ['mitigate', 'scheduleTargets'] },
                RESOLVE: { target: '#incident.open.resolved', guard: 'tasksSettled', actions: ['resolve', 'scheduleTargets'] },
                CANCEL: { target: '#incident.canceled', actions: 'cancel' },
                ESCALATE: { guard: 'escalationIsNext', actions: ['escalate', 'scheduleEscalation'] },
                // Follows an ESCALATE that reached nobody with no level left, in the same commit.
                NOBODY_TO_PAGE: { guard: 'escalationPagedNobody', actions: 'touch' },
              },
            },
            responding: {
              entry: [reconcile('responding'), 'scheduleTasks'],
              on: {
                MITIGATE: { target: 'mitigated', guard: 'tasksSettled', actions: ['mitigate', 'scheduleTargets'] },
                RESOLVE: { target: '#incident.open.resolved', guard: 'tasksSettled', actions: ['resolve', 'scheduleTargets'] },
                CANCEL: { target: '#incident.canceled', actions: 'cancel' },
                ESCALATE: { guard: 'manualEscalationIsNext', actions: 'escalate' },
              },
            },
            mitigated: {
              entry: [reconcile('mitigated'), 'scheduleTasks'],
              on: {
                RESOLVE: { target: '#incident.open.resolved', guard: 'tasksSettled', actions: ['resolve', 'scheduleTargets'] },
                REOPEN: { target: 'responding', actions: ['reopen', 'scheduleTargets'] },
              },
            },
          },
        },
        resolved: {
          entry: [reconcile('resolved'), 'scheduleTasks'],
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
        ...publicUpdates,
        UPDATE_ACTION_ITEM: { guard: 'actionItemExists', actions: 'updateActionItem' },
        LINK_INCIDENT: { guard: 'linkIsNew', actions: 'linkIncident' },
        // Tagging for the report goes on after close (post-incident analysis).
        TAG_EVENT: { actions: 'touch' },
        ERASE: { guard: 'notErased', actions: 'erase' },
      },
    },
    canceled: {
      entry: [reconcile('canceled'), 'cancelClockTimers'],
      // Only a merged incident leaves: back to the state it was merged from. A published one still takes public updates.
      on: {
        ...publicUpdates,
        UNMERGE: [
          unmergeTo('triage', '#incident.open.active.triage'),
          unmergeTo('responding', '#incident.open.active.responding'),
          unmergeTo('mitigated', '#incident.open.active.mitigated'),
          unmergeTo('resolved', '#incident.open.resolved'),
          unmergeTo('postIncident', '#incident.open.postIncident'),
        ],
        ERASE: { guard: 'notErased', actions: 'erase' },
      },
    },
  },
}))();

/** The type of {@link incidentMachine}. */
export type IncidentMachine = typeof incidentMachine;
