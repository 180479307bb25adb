/**
 * The playbooks feature: playbooks given to `createIncidentEngine({ playbooks })` attach their
 * tasks to matching incidents (at declaration, and after a severity change), and the engine's
 * task commands (`completeTask`, `skipTask`, `addTask`, `reassignTask`) work them off.
 */
import { z } from 'zod';
import { InvalidTransitionError, NotFoundError, ValidationError } from '../../errors.js';
import { builtInFeature, runIncidentCommand, type EngineCore } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { parseInput } from '../../kernel/parse.js';
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import type { IncidentMachineInput } from '../../lifecycle/incidentContext.js';
import { acceptedEvents, restoreSnapshot } from '../../lifecycle/projection.js';
import { actorSchema, type ActorInput } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { LIMITS, text } from '../../model/primitives.js';
import type { IncidentTask, TaskAssignee, TaskDraft, TaskDueFrom, TaskDueUnit, TaskEvidenceKind, TaskGate, TaskPhase } from '../../model/tasks.js';
import type { StoredIncident } from '../../storage/types.js';
import { parsePlaybooks, playbookApplies, taskShape, type Playbook, type PlaybookSubject } from './definePlaybook.js';

/** Options of `createIncidentEngine` for playbooks. */
export interface PlaybooksOptions {
  /**
   * Playbooks made with `definePlaybook`: each matching incident gets their tasks when it is
   * declared, and when a severity change makes one match (tasks are added, never removed).
   */
  readonly playbooks?: readonly Playbook[];
}

/** What `engine.completeTask` takes. */
export interface CompleteTaskInput {
  readonly taskId: string;
  /** The note (task `evidence: 'note'`) or `http(s)` link (`evidence: 'link'`) the task asks for; optional otherwise. */
  readonly evidence?: string;
  readonly actor: ActorInput;
}

/** What `engine.skipTask` takes. */
export interface SkipTaskInput {
  readonly taskId: string;
  /** Why it is skipped (on the timeline, and in the postmortem). */
  readonly reason: string;
  readonly actor: ActorInput;
}

/** What `engine.addTask` takes: a task as a playbook defines one, without an id. */
export interface AddTaskInput {
  readonly title: string;
  readonly phase: TaskPhase;
  readonly assignTo?: TaskAssignee;
  readonly due?: { readonly amount: number; readonly unit: TaskDueUnit; readonly from?: TaskDueFrom };
  readonly requiredFor?: TaskGate;
  readonly evidence?: TaskEvidenceKind;
  readonly actor: ActorInput;
}

/** What `engine.reassignTask` takes. */
export interface ReassignTaskInput {
  readonly taskId: string;
  /** A response role of the incident or one user. */
  readonly assignee: TaskAssignee;
  readonly actor: ActorInput;
}

/** The task commands the playbooks feature adds to the engine. */
export interface PlaybooksApi {
  /**
   * Marks an open task done: a `TASK_COMPLETED` event with when, who and the evidence.
   *
   * @example
   * ```ts
   * import { createIncidentEngine, definePlaybook, memoryStore, websiteOutagePlaybook } from 'incidentkit';
   *
   * const web = definePlaybook({ ...websiteOutagePlaybook, appliesTo: { services: ['web'] } });
   * const engine = createIncidentEngine({ store: memoryStore(), playbooks: [web] });
   * const ana = { id: 'u_ana', name: 'Ana' };
   * const incident = await engine.declare({ title: 'Homepage returns 503', severity: 'SEV1', service: 'web', actor: ana });
   * await engine.completeTask(incident.id, { taskId: 'website-outage:status-page', evidence: 'https://status.example.com/incidents/42', actor: ana });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, or evidence missing (or not an `http(s)` URL) when the task asks for a note or link.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown incident or task.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the task is done or skipped already, or the incident is no longer open.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `completeTask`.
   */
  completeTask(id: string, input: CompleteTaskInput): Promise<Incident>;
  /**
   * Skips an open task with a reason: a `TASK_SKIPPED` event. A skipped task is settled: it no
   * longer blocks the transition it was required for.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input (a reason is required).
   * @throws NotFoundError (`NOT_FOUND`) for an unknown incident or task.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the task is done or skipped already, or the incident is no longer open.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `skipTask`.
   */
  skipTask(id: string, input: SkipTaskInput): Promise<Incident>;
  /**
   * Adds a task by hand: a `TASK_ADDED` event; the task gets a generated id.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, or when the incident has 500 tasks.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown incident.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the incident is no longer open.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `addTask`.
   */
  addTask(id: string, input: AddTaskInput): Promise<Incident>;
  /**
   * Gives an open task to another role or user: a `TASK_REASSIGNED` event.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input.
   * @throws NotFoundError (`NOT_FOUND`) for an unknown incident or task.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when the task is done or skipped already, or the incident is no longer open.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `reassignTask`.
   */
  reassignTask(id: string, input: ReassignTaskInput): Promise<Incident>;
}

/** The most tasks one incident keeps. */
const MAX_TASKS = 500;

const schemas = /* @__PURE__ */ (() => {
  const taskId = text(LIMITS.id);
  const assignee = z.union([
    z.strictObject({ kind: z.literal('role'), role: text(LIMITS.name) }),
    z.strictObject({ kind: z.literal('user'), id: text(LIMITS.id) }),
  ]);
  return {
    complete: z.strictObject({ taskId, evidence: text(LIMITS.shortText).optional(), actor: actorSchema }),
    skip: z.strictObject({ taskId, reason: text(LIMITS.shortText), actor: actorSchema }),
    add: z.strictObject({ ...taskShape, actor: actorSchema }),
    reassign: z.strictObject({ taskId, assignee, actor: actorSchema }),
  };
})();

/** A playbook's tasks as drafts, with incident-wide ids `<playbook id>:<task id>`. */
function draftsOf(playbook: Playbook): TaskDraft[] {
  return playbook.tasks.map((task) => ({
    id: `${playbook.id}:${task.id}`,
    title: task.title,
    phase: task.phase,
    playbookId: playbook.id,
    ...(task.assignTo === undefined ? {} : { assignee: task.assignTo }),
    ...(task.due === undefined ? {} : { due: task.due }),
    ...(task.requiredFor === undefined ? {} : { requiredFor: task.requiredFor }),
    ...(task.evidence === undefined ? {} : { evidence: task.evidence }),
  }));
}

/** Whether `value` is an absolute `http(s)` URL. */
function isLink(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Playbooks and tasks: `createIncidentEngine({ playbooks })`, `engine.completeTask`,
 * `engine.skipTask`, `engine.addTask`, `engine.reassignTask`.
 *
 * @internal
 */
export function playbooksFeature(options: PlaybooksOptions): IncidentFeature<'playbooks', PlaybooksApi> {
  const playbooks = parsePlaybooks(options.playbooks);
  return builtInFeature({
    name: 'playbooks',
    events: ['ATTACH_TASKS', 'ADD_TASK', 'COMPLETE_TASK', 'SKIP_TASK', 'REASSIGN_TASK', 'TASK_DUE'],
    slice: ['tasks'],
    setup(core) {
      return {
        api: createApi(core),
        declare: { history: (input: IncidentMachineInput) => Promise.resolve(attachDrafts(input, [])) },
        following: (event, incident) => (event.type === 'SET_SEVERITY' ? attachDrafts(incident, incident.tasks ?? []) : []),
        timerEvent: (draft, stored) => (draft.type === 'TASK_DUE' ? { ...draft, assignees: assigneesOf(stored.incident, draft.taskId) } : draft),
      };
    },
  });

  /** An `ATTACH_TASKS` of the matching playbooks' tasks that `existing` lacks, if there are any. */
  function attachDrafts(subject: PlaybookSubject, existing: readonly IncidentTask[]): LifecycleEventDraft[] {
    const have = new Set(existing.map((task) => task.id));
    const matching = playbooks.filter((playbook) => playbookApplies(playbook, subject));
    const tasks = matching.flatMap(draftsOf).filter((task) => !have.has(task.id));
    if (tasks.length === 0) return [];
    const playbookIds = matching.filter((playbook) => tasks.some((task) => task.playbookId === playbook.id)).map((playbook) => playbook.id);
    return [{ type: 'ATTACH_TASKS', playbookIds, tasks }];
  }
}

/** The users a task's assignee is now: the user, or whoever holds the role. */
function assigneesOf(incident: Incident, taskId: string): string[] {
  const assignee = incident.tasks?.find((task) => task.id === taskId)?.assignee;
  if (assignee === undefined) return [];
  if (assignee.kind === 'user') return [assignee.id];
  const holder = incident.roles[assignee.role];
  return holder === undefined ? [] : [holder.assignee.id];
}

function createApi(core: EngineCore): PlaybooksApi {
  const { tenantId } = core;

  /** The task `taskId` of the incident as loaded; an unknown one is `NOT_FOUND`, a settled one `INVALID_TRANSITION`. */
  function openTask(stored: StoredIncident, taskId: string, event: LifecycleEventDraft, command: string): IncidentTask {
    const task = stored.incident.tasks?.find((t) => t.id === taskId);
    if (task === undefined) throw new NotFoundError({ entity: 'task', id: taskId, tenantId, incidentId: stored.incident.id });
    if (task.status !== 'open') {
      throw new InvalidTransitionError({
        incidentId: stored.incident.id,
        state: stored.incident.status,
        event: event.type,
        command,
        accepted: acceptedEvents(restoreSnapshot(stored.snapshot)),
        reason: `its task '${taskId}' is ${task.status} already.`,
      });
    }
    return task;
  }

  return {
    async completeTask(id, input) {
      const parsed = parseInput(schemas.complete, input, 'completeTask');
      const { taskId, evidence } = parsed;
      return runIncidentCommand(core, 'completeTask', id, parsed, (stored) => {
        const draft = { type: 'COMPLETE_TASK', taskId, ...(evidence === undefined ? {} : { evidence }) } as const;
        const task = openTask(stored, taskId, draft, 'completeTask');
        if ((task.evidence === 'note' || task.evidence === 'link') && evidence === undefined) {
          throw new ValidationError('completeTask', [{ code: 'custom', path: ['evidence'], message: `The task '${taskId}' ("${task.title}") asks for a ${task.evidence} as evidence; pass it as evidence.` }]);
        }
        if (task.evidence === 'link' && evidence !== undefined && !isLink(evidence)) {
          throw new ValidationError('completeTask', [{ code: 'custom', path: ['evidence'], message: `The task '${taskId}' asks for a link as evidence: an absolute http(s) URL, e.g. https://tickets.example.com/42.` }]);
        }
        return draft;
      });
    },

    async skipTask(id, input) {
      const parsed = parseInput(schemas.skip, input, 'skipTask');
      const { taskId, reason } = parsed;
      return runIncidentCommand(core, 'skipTask', id, parsed, (stored) => {
        const draft = { type: 'SKIP_TASK', taskId, reason } as const;
        openTask(stored, taskId, draft, 'skipTask');
        return draft;
      });
    },

    async addTask(id, input) {
      const parsed = parseInput(schemas.add, input, 'addTask');
      const { title, phase, assignTo, due, requiredFor, evidence } = parsed;
      const taskId = core.ids('event').replace(/^evt_/, 'task_');
      return runIncidentCommand(core, 'addTask', id, parsed, (stored) => {
        if ((stored.incident.tasks ?? []).length >= MAX_TASKS) {
          throw new ValidationError('addTask', [{ code: 'too_big', path: [], message: `Incident ${stored.incident.id} has ${String(MAX_TASKS)} tasks, the most one incident keeps.` }]);
        }
        const task: TaskDraft = {
          id: taskId,
          title,
          phase,
          ...(assignTo === undefined ? {} : { assignee: assignTo }),
          ...(due === undefined ? {} : { due }),
          ...(requiredFor === undefined ? {} : { requiredFor }),
          ...(evidence === undefined ? {} : { evidence }),
        };
        return { type: 'ADD_TASK', task };
      });
    },

    async reassignTask(id, input) {
      const parsed = parseInput(schemas.reassign, input, 'reassignTask');
      const { taskId, assignee } = parsed;
      return runIncidentCommand(core, 'reassignTask', id, parsed, (stored) => {
        const draft = { type: 'REASSIGN_TASK', taskId, assignee } as const;
        const task = openTask(stored, taskId, draft, 'reassignTask');
        return { ...draft, ...(task.assignee === undefined ? {} : { previous: task.assignee }) };
      });
    },
  };
}

