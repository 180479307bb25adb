/**
 * The problem lifecycle (ITIL problem management): a small XState v5 machine, pure like the
 * incident machine, and the step the engine takes with it.
 */
import { assign, setup, transition } from 'xstate';
import { InvalidTransitionError } from '../../errors.js';
import type { Actor } from '../../model/actor.js';

/** The states of a problem, in lifecycle order. */
export const PROBLEM_STATUSES = ['investigating', 'knownError', 'resolved', 'closed'] as const;

/**
 * Where a problem stands: `investigating` (opened, cause unknown), `knownError` (a workaround
 * is documented: new similar incidents are shown it), `resolved` (the cause is removed),
 * `closed` (final).
 */
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/** An incident linked to a problem. */
export interface ProblemIncidentLink {
  readonly incidentId: string;
  /** ISO-8601 UTC. */
  readonly linkedAt: string;
  readonly linkedBy: Actor;
}

/** An action item (of an incident) linked to a problem: the prevention work it tracks. */
export interface ProblemActionItemLink {
  readonly incidentId: string;
  readonly actionItemId: string;
  /** ISO-8601 UTC. */
  readonly linkedAt: string;
  readonly linkedBy: Actor;
}

/** A problem: the underlying cause of one or more incidents, as `engine.problems` keeps it. */
export interface Problem {
  readonly id: string;
  readonly tenantId: string;
  readonly title: string;
  readonly status: ProblemStatus;
  /** How to restore service while the cause remains; a known error has one. */
  readonly workaround?: string;
  readonly rootCause?: string;
  /** Linked incidents, in the order they were linked. */
  readonly incidents: readonly ProblemIncidentLink[];
  /** Linked action items, in the order they were linked. */
  readonly actionItems: readonly ProblemActionItemLink[];
  /** When the problem was opened (ISO-8601 UTC), and by whom. */
  readonly openedAt: string;
  readonly openedBy: Actor;
  readonly updatedAt: string;
  /** When it became a known error. */
  readonly knownErrorAt?: string;
  readonly resolvedAt?: string;
  readonly closedAt?: string;
}

interface ProblemEventBase {
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly actor: Actor;
}

/** The events the problem machine accepts, one per `engine.problems` command. */
export type ProblemEvent =
  | (ProblemEventBase & { readonly type: 'LINK_INCIDENT'; readonly incidentId: string })
  | (ProblemEventBase & { readonly type: 'LINK_ACTION_ITEM'; readonly incidentId: string; readonly actionItemId: string })
  | (ProblemEventBase & { readonly type: 'RECORD_WORKAROUND'; readonly workaround: string })
  | (ProblemEventBase & { readonly type: 'RECORD_ROOT_CAUSE'; readonly rootCause: string })
  | (ProblemEventBase & { readonly type: 'MARK_KNOWN_ERROR' })
  | (ProblemEventBase & { readonly type: 'RESOLVE' })
  | (ProblemEventBase & { readonly type: 'CLOSE' });

/** The `type` of a {@link ProblemEvent}. */
export type ProblemEventType = ProblemEvent['type'];

/** Every problem event type, in a fixed order. */
export const PROBLEM_EVENT_TYPES = [
  'LINK_INCIDENT',
  'LINK_ACTION_ITEM',
  'RECORD_WORKAROUND',
  'RECORD_ROOT_CAUSE',
  'MARK_KNOWN_ERROR',
  'RESOLVE',
  'CLOSE',
] as const satisfies readonly ProblemEventType[];

/** The `engine.problems` command that sends each event, for error messages. */
export const PROBLEM_COMMANDS: Readonly<Record<ProblemEventType, string>> = /* @__PURE__ */ Object.freeze({
  LINK_INCIDENT: 'link',
  LINK_ACTION_ITEM: 'linkActionItem',
  RECORD_WORKAROUND: 'recordWorkaround',
  RECORD_ROOT_CAUSE: 'recordRootCause',
  MARK_KNOWN_ERROR: 'markKnownError',
  RESOLVE: 'resolve',
  CLOSE: 'close',
});

const linkIsNew = (context: Problem, event: ProblemEvent): boolean =>
  (event.type === 'LINK_INCIDENT' && !context.incidents.some((link) => link.incidentId === event.incidentId)) ||
  (event.type === 'LINK_ACTION_ITEM' && !context.actionItems.some((link) => link.incidentId === event.incidentId && link.actionItemId === event.actionItemId));

/** Facts recorded in every state but `closed`; a workaround only before the problem is resolved. */
const links = {
  LINK_INCIDENT: { guard: 'linkIsNew', actions: 'linkIncident' },
  LINK_ACTION_ITEM: { guard: 'linkIsNew', actions: 'linkActionItem' },
  RECORD_ROOT_CAUSE: { actions: 'recordRootCause' },
} as const;

/**
 * The problem lifecycle as an XState v5 machine: `investigating → knownError → resolved → closed`.
 *
 * @remarks
 * Pure: every event carries its time and actor, and the context is the {@link Problem} itself.
 * `MARK_KNOWN_ERROR` needs a recorded workaround (a known error is one whose workaround new
 * incidents can be shown); `RESOLVE` is accepted from `investigating` too (not every problem
 * gets a workaround first); `CLOSE` only from `resolved`. Incidents and action items are linked
 * once each, in every state but `closed`; a workaround is recorded (or replaced) until the
 * problem is resolved. The engine steps it with {@link stepProblem}.
 *
 * @example
 * ```ts
 * import { problemMachine } from 'incidentkit';
 *
 * console.log(Object.keys(problemMachine.states)); // ['investigating', 'knownError', 'resolved', 'closed']
 * ```
 */
export const problemMachine = /* @__PURE__ */ (() =>
  setup({
    types: { context: {} as Problem, events: {} as ProblemEvent, input: {} as Problem },
    guards: {
      linkIsNew: ({ context, event }) => linkIsNew(context, event),
      hasWorkaround: ({ context }) => context.workaround !== undefined,
    },
    actions: {
      linkIncident: assign(({ context, event }) =>
        event.type === 'LINK_INCIDENT' ? { updatedAt: event.at, incidents: [...context.incidents, { incidentId: event.incidentId, linkedAt: event.at, linkedBy: event.actor }] } : {},
      ),
      linkActionItem: assign(({ context, event }) =>
        event.type === 'LINK_ACTION_ITEM'
          ? { updatedAt: event.at, actionItems: [...context.actionItems, { incidentId: event.incidentId, actionItemId: event.actionItemId, linkedAt: event.at, linkedBy: event.actor }] }
          : {},
      ),
      recordWorkaround: assign(({ event }) => (event.type === 'RECORD_WORKAROUND' ? { updatedAt: event.at, workaround: event.workaround } : {})),
      recordRootCause: assign(({ event }) => (event.type === 'RECORD_ROOT_CAUSE' ? { updatedAt: event.at, rootCause: event.rootCause } : {})),
      enter: assign(({ event }, params: { status: ProblemStatus; milestone?: 'knownErrorAt' | 'resolvedAt' | 'closedAt' }) => ({
        status: params.status,
        updatedAt: event.at,
        ...(params.milestone === undefined ? {} : { [params.milestone]: event.at }),
      })),
    },
  }).createMachine({
    id: 'problem',
    context: ({ input }) => input,
    initial: 'investigating',
    states: {
      investigating: {
        on: {
          ...links,
          RECORD_WORKAROUND: { actions: 'recordWorkaround' },
          MARK_KNOWN_ERROR: { guard: 'hasWorkaround', target: 'knownError', actions: { type: 'enter', params: { status: 'knownError', milestone: 'knownErrorAt' } } },
          RESOLVE: { target: 'resolved', actions: { type: 'enter', params: { status: 'resolved', milestone: 'resolvedAt' } } },
        },
      },
      knownError: {
        on: {
          ...links,
          RECORD_WORKAROUND: { actions: 'recordWorkaround' },
          RESOLVE: { target: 'resolved', actions: { type: 'enter', params: { status: 'resolved', milestone: 'resolvedAt' } } },
        },
      },
      resolved: {
        on: {
          ...links,
          CLOSE: { target: 'closed', actions: { type: 'enter', params: { status: 'closed', milestone: 'closedAt' } } },
        },
      },
      closed: { type: 'final' },
    },
  }))();

/** The events a problem in `status` accepts (guards aside). */
export function acceptedProblemEvents(status: ProblemStatus): ProblemEventType[] {
  const on = (problemMachine.states[status]?.on ?? {}) as Readonly<Record<string, unknown>>;
  return PROBLEM_EVENT_TYPES.filter((type) => type in on);
}

/** Why an event the state accepts was refused by its guard. */
function guardReason(problem: Problem, event: ProblemEvent): string {
  switch (event.type) {
    case 'MARK_KNOWN_ERROR':
      return 'a known error needs a workaround: call problems.recordWorkaround first.';
    case 'LINK_INCIDENT':
      return `incident ${event.incidentId} is linked already.`;
    case 'LINK_ACTION_ITEM':
      return `action item ${event.actionItemId} of incident ${event.incidentId} is linked already.`;
    default:
      return `problem ${problem.id} does not accept it now.`;
  }
}

/**
 * Applies `event` to `problem` with {@link problemMachine}: the problem after it.
 *
 * @throws InvalidTransitionError (`INVALID_TRANSITION`, `details.entity: 'problem'`) when the
 * problem's state does not accept the event, or a guard refuses it (a known error without a
 * workaround, a link made twice); the message names the problem, its state and the commands it accepts.
 */
export function stepProblem(problem: Problem, event: ProblemEvent): Problem {
  const snapshot = problemMachine.resolveState({ value: problem.status, context: problem });
  const [next] = transition(problemMachine, snapshot, event);
  if (next !== snapshot && next.context !== problem) return next.context;
  const accepted = acceptedProblemEvents(problem.status);
  throw new InvalidTransitionError({
    incidentId: problem.id,
    state: problem.status,
    event: event.type,
    accepted,
    command: PROBLEM_COMMANDS[event.type],
    commands: accepted.map((type) => PROBLEM_COMMANDS[type]),
    ...(accepted.includes(event.type) ? { reason: guardReason(problem, event) } : {}),
    entity: 'problem',
  });
}
