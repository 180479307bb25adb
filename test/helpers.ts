/**
 * Shared helpers of the tests: {@link thrown}, which every test uses to catch an error; and, for
 * the engine and lifecycle tests, a deterministic engine, one engine command per lifecycle event,
 * store wrappers that intercept commits and reads, and checks shared by several files.
 */
import { expect } from 'vitest';
import { createIncidentEngine } from '../src/createIncidentEngine.js';
import type { IncidentEngine, IncidentEngineOptions } from '../src/incidentEngine.js';
import {
  isIncidentKitError,
  type AdapterError,
  type ConcurrencyError,
  type ConfigError,
  type EncryptionError,
  type DuplicateIncidentError,
  type ErrorCode,
  type ForbiddenError,
  type InvalidTransitionError,
  type NotFoundError,
  type NotifierError,
  type ValidationError,
} from '../src/errors.js';
import type { LifecycleEvent, LifecycleEventType } from '../src/lifecycle/events.js';
import type { Actor } from '../src/model/actor.js';
import type { StoredEvent } from '../src/model/event.js';
import type { Incident } from '../src/model/incident.js';
import { memoryStore } from '../src/storage/memory.js';
import type { Commit, EventRange, StorageAdapter } from '../src/storage/types.js';
import { createManualClock, type ManualClock } from '../src/testing/manualClock.js';
import { sequentialIds } from '../src/testing/sequentialIds.js';

/** The start time of every manual clock in the tests. */
export const T0 = '2026-01-01T00:00:00.000Z';

/** The actor of most commands. */
export const ALICE = { id: 'u_alice', name: 'Alice' } as const;

/** {@link ALICE} as the engine stores it (kind defaulted to `user`). */
export const ALICE_STORED: Actor = { kind: 'user', id: 'u_alice', name: 'Alice' };

/** A deterministic engine over a memory store (or `store`), with its clock. */
export interface TestEngine {
  readonly engine: IncidentEngine;
  readonly store: StorageAdapter;
  readonly clock: ManualClock;
}

/** Creates an engine with a manual clock at {@link T0} and sequential ids. */
export function makeEngine(options: Partial<IncidentEngineOptions> & { readonly clock?: ManualClock } = {}): TestEngine {
  const clock = options.clock ?? createManualClock(T0);
  const store = options.store ?? memoryStore();
  const engine = createIncidentEngine({ ids: sequentialIds(), onHandlerError: () => undefined, ...options, store, clock });
  return { engine, store, clock };
}

/** Declares a plain incident with `severity` and returns it. */
export function declareIncident(
  engine: IncidentEngine,
  overrides: Partial<Parameters<IncidentEngine['declare']>[0]> = {},
): Promise<Incident> {
  return engine.declare({ title: 'Checkout is down', severity: 'SEV3', service: 'checkout', actor: ALICE, ...overrides });
}

/**
 * The lifecycle events that engine commands produce (issue 2), in a fixed order. Timer-driven
 * events that later issues add to the machine are tested with those issues.
 */
export const COMMAND_EVENT_TYPES = [
  'ACKNOWLEDGE',
  'ASSIGN_ROLE',
  'SET_SEVERITY',
  'ADD_NOTE',
  'POST_UPDATE',
  'MITIGATE',
  'RECORD_ROOT_CAUSE',
  'RESOLVE',
  'REOPEN',
  'START_REVIEW',
  'COMPLETE_REVIEW',
  'ADD_ACTION_ITEM',
  'UPDATE_ACTION_ITEM',
  'CLOSE',
  'CANCEL',
] as const satisfies readonly LifecycleEventType[];

/** One of {@link COMMAND_EVENT_TYPES}. */
export type CommandEventType = (typeof COMMAND_EVENT_TYPES)[number];

/** The id of the first action item an engine built with {@link makeEngine} creates. */
export const FIRST_ACTION_ITEM_ID = 'act_1';

/**
 * Runs the engine command that produces lifecycle event `type`, with fixed, valid arguments.
 *
 * @remarks `SET_SEVERITY` keeps the incident's severity as `severity` (the traversal in the
 * lifecycle tests does the same), and `UPDATE_ACTION_ITEM` updates {@link FIRST_ACTION_ITEM_ID}.
 */
export function runCommand(
  engine: IncidentEngine,
  id: string,
  type: CommandEventType,
  options: { readonly severity?: string; readonly actionItemId?: string; readonly actor?: typeof ALICE } = {},
): Promise<Incident> {
  const actor = options.actor ?? ALICE;
  switch (type) {
    case 'ACKNOWLEDGE':
      return engine.acknowledge(id, { actor });
    case 'ASSIGN_ROLE':
      return engine.assignRole(id, { role: 'commander', assignee: { id: 'u_bob', name: 'Bob' }, actor });
    case 'SET_SEVERITY':
      return engine.setSeverity(id, { severity: options.severity ?? 'SEV3', reason: 'reassessed', actor });
    case 'ADD_NOTE':
      return engine.addNote(id, { text: 'Error rate is 40%.', actor });
    case 'POST_UPDATE':
      return engine.postUpdate(id, { audience: 'stakeholders', message: 'We are investigating.', actor });
    case 'MITIGATE':
      return engine.mitigate(id, { summary: 'Failed over to the secondary region.', actor });
    case 'RECORD_ROOT_CAUSE':
      return engine.recordRootCause(id, { summary: 'Expired TLS certificate.', contributingFactors: ['no expiry alert'], actor });
    case 'RESOLVE':
      return engine.resolve(id, { summary: 'Certificate renewed.', actor });
    case 'REOPEN':
      return engine.reopen(id, { reason: 'Errors are back.', actor });
    case 'START_REVIEW':
      return engine.startReview(id, { owner: 'u_carol', actor });
    case 'COMPLETE_REVIEW':
      return engine.completeReview(id, { summary: 'Add certificate expiry alerts.', actor });
    case 'ADD_ACTION_ITEM':
      return engine.addActionItem(id, { title: 'Alert on certificate expiry', owner: 'u_dave', actor });
    case 'UPDATE_ACTION_ITEM':
      return engine.updateActionItem(id, { actionItemId: options.actionItemId ?? FIRST_ACTION_ITEM_ID, status: 'done', actor });
    case 'CLOSE':
      return engine.close(id, { actor });
    case 'CANCEL':
      return engine.cancel(id, { reason: 'false_positive', actor });
  }
}

/** The machine event {@link runCommand} produces for `type`, at time `at`. */
export function machineEvent(
  type: CommandEventType,
  at: string,
  options: { readonly severity?: string; readonly actionItemId?: string } = {},
): LifecycleEvent {
  const actor = ALICE_STORED;
  switch (type) {
    case 'ACKNOWLEDGE':
    case 'CLOSE':
      return { type, at, actor };
    case 'ASSIGN_ROLE':
      return { type, at, actor, role: 'commander', assignee: { id: 'u_bob', name: 'Bob' } };
    case 'SET_SEVERITY':
      return { type, at, actor, severity: options.severity ?? 'SEV3', reason: 'reassessed' };
    case 'ADD_NOTE':
      return { type, at, actor, text: 'Error rate is 40%.' };
    case 'POST_UPDATE':
      return { type, at, actor, audience: 'stakeholders', message: 'We are investigating.' };
    case 'MITIGATE':
      return { type, at, actor, summary: 'Failed over to the secondary region.' };
    case 'RECORD_ROOT_CAUSE':
      return { type, at, actor, summary: 'Expired TLS certificate.', contributingFactors: ['no expiry alert'] };
    case 'RESOLVE':
      return { type, at, actor, summary: 'Certificate renewed.' };
    case 'REOPEN':
      return { type, at, actor, reason: 'Errors are back.' };
    case 'START_REVIEW':
      return { type, at, actor, owner: 'u_carol' };
    case 'COMPLETE_REVIEW':
      return { type, at, actor, summary: 'Add certificate expiry alerts.' };
    case 'ADD_ACTION_ITEM':
      return {
        type,
        at,
        actor,
        actionItemId: options.actionItemId ?? FIRST_ACTION_ITEM_ID,
        title: 'Alert on certificate expiry',
        owner: 'u_dave',
      };
    case 'UPDATE_ACTION_ITEM':
      return { type, at, actor, actionItemId: FIRST_ACTION_ITEM_ID, status: 'done' };
    case 'CANCEL':
      return { type, at, actor, reason: 'false_positive' };
  }
}

/** The error class each incidentkit error code stands for, so {@link thrown} with a code returns it. */
export interface ErrorOfCode {
  readonly VALIDATION_FAILED: ValidationError;
  readonly INVALID_TRANSITION: InvalidTransitionError;
  readonly NOT_FOUND: NotFoundError;
  readonly VERSION_CONFLICT: ConcurrencyError;
  readonly DUPLICATE_INCIDENT: DuplicateIncidentError;
  readonly FORBIDDEN: ForbiddenError;
  readonly ADAPTER_FAILED: AdapterError;
  readonly NOTIFIER_FAILED: NotifierError;
  readonly CONFIG_INVALID: ConfigError;
  readonly ENCRYPTION_FAILED: EncryptionError;
}

/** What {@link thrown} returns: the error, typed as the class of `C` when a code is given, else `unknown`. */
export type Thrown<C extends ErrorCode | undefined> = C extends ErrorCode ? ErrorOfCode[C] : unknown;

/** A value, or a promise of it: `await` it. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Returns what `run` threw or rejected with, and fails the test when it returned or resolved.
 *
 * - `thrown(promise)` resolves to the promise's rejection.
 * - `thrown(() => …)` calls the function and returns what it threw, synchronously. When the
 *   function returns a promise instead, it returns a promise of that promise's rejection; so a
 *   command that throws before returning its promise and one that rejects are caught alike, and
 *   the result is {@link Awaitable}: `await` it.
 *
 * With `code`, it also asserts `isIncidentKitError(error, code)` (with the error as the message)
 * and types the error as that code's class ({@link ErrorOfCode}).
 *
 * @example
 * ```ts
 * const refused = await thrown(() => notifier.send(message, context), 'NOTIFIER_FAILED');
 * expect(refused.retryable).toBe(false);
 * expect(isIncidentKitError(thrown(() => defineCalendar(bad)), 'CONFIG_INVALID')).toBe(true);
 * ```
 */
export function thrown<C extends ErrorCode | undefined = undefined>(run: PromiseLike<unknown>, code?: C): Promise<Thrown<C>>;
export function thrown<C extends ErrorCode | undefined = undefined>(run: () => PromiseLike<unknown>, code?: C): Awaitable<Thrown<C>>;
export function thrown<C extends ErrorCode | undefined = undefined>(run: () => unknown, code?: C): Thrown<C>;
export function thrown(run: PromiseLike<unknown> | (() => unknown), code?: ErrorCode): unknown {
  const caught = (error: unknown): unknown => {
    if (code !== undefined) expect(isIncidentKitError(error, code), String(error)).toBe(true);
    return error;
  };
  const rejection = async (promise: PromiseLike<unknown>): Promise<unknown> => {
    try {
      await promise;
    } catch (error) {
      return caught(error);
    }
    expect.fail('expected the promise to reject, but it resolved');
  };
  if (typeof run !== 'function') return rejection(run);
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    return caught(error);
  }
  if (isPromiseLike(result)) return rejection(result);
  expect.fail('expected the call to throw, but it returned');
}

/** Whether `value` is a promise or another thenable. */
function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** What a rejected command must leave untouched: the projection and the timeline. */
export interface StoredState {
  readonly incident: Incident;
  readonly timeline: readonly StoredEvent[];
}

/** Reads the projection and the timeline of an incident. */
export async function storedState(engine: IncidentEngine, id: string): Promise<StoredState> {
  return { incident: await engine.get(id), timeline: await engine.timeline(id) };
}

/** Overrides of a store's methods, each given the wrapped store. */
export interface StoreOverrides {
  readonly commit?: (commit: Commit, inner: StorageAdapter) => Promise<void>;
  /** Called with the range the engine asked for (`timeline(id, { afterSeq, limit })`), if any. */
  readonly events?: (tenantId: string, incidentId: string, inner: StorageAdapter, range?: EventRange) => Promise<readonly StoredEvent[]>;
}

/** A store that delegates to `inner` except where `overrides` says otherwise. */
export function wrapStore(inner: StorageAdapter, overrides: StoreOverrides): StorageAdapter {
  const { commit, events } = overrides;
  return {
    ...inner,
    name: `wrapped-${inner.name}`,
    commit: (c) => (commit === undefined ? inner.commit(c) : commit(c, inner)),
    events: (tenantId, incidentId, range) => (events === undefined ? inner.events(tenantId, incidentId, range) : events(tenantId, incidentId, inner, range)),
  };
}

/** Milestone pairs that must be in order whenever both are present. */
const ORDERED_MILESTONES: readonly (readonly [keyof Incident, keyof Incident])[] = [
  ['startedAt', 'detectedAt'],
  ['detectedAt', 'acknowledgedAt'],
  ['detectedAt', 'mitigatedAt'],
  ['detectedAt', 'diagnosedAt'],
  ['detectedAt', 'resolvedAt'],
  ['detectedAt', 'canceledAt'],
  ['acknowledgedAt', 'mitigatedAt'],
  ['acknowledgedAt', 'resolvedAt'],
  ['mitigatedAt', 'resolvedAt'],
  ['resolvedAt', 'reviewStartedAt'],
  ['resolvedAt', 'closedAt'],
  ['reviewStartedAt', 'closedAt'],
  ['acknowledgedAt', 'updatedAt'],
  ['mitigatedAt', 'updatedAt'],
  ['diagnosedAt', 'updatedAt'],
  ['resolvedAt', 'updatedAt'],
  ['reviewStartedAt', 'updatedAt'],
  ['closedAt', 'updatedAt'],
  ['canceledAt', 'updatedAt'],
];

/** Asserts that the incident's milestones are chronological. */
export function expectChronologicalMilestones(incident: Incident): void {
  for (const [earlier, later] of ORDERED_MILESTONES) {
    const a = incident[earlier];
    const b = incident[later];
    if (typeof a === 'string' && typeof b === 'string') {
      expect(a <= b, `${earlier} (${a}) must not be after ${later} (${b})`).toBe(true);
    }
  }
}

/** Asserts that a timeline has seq 1…n, non-decreasing times, and belongs to one incident. */
export function expectWellFormedTimeline(timeline: readonly StoredEvent[], incident: Incident): void {
  expect(timeline.map((event) => event.seq)).toEqual(timeline.map((_, index) => index + 1));
  expect(timeline.length).toBe(incident.version);
  expect(timeline[0]?.type).toBe('DECLARED');
  for (const [index, event] of timeline.entries()) {
    expect(event.incidentId).toBe(incident.id);
    expect(event.tenantId).toBe(incident.tenantId);
    const previous = timeline[index - 1];
    if (previous !== undefined) expect(previous.at <= event.at, `event ${String(event.seq)} runs backwards in time`).toBe(true);
  }
  expect(timeline.at(-1)?.at).toBe(incident.updatedAt);
}
