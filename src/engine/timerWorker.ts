import { ValidationError, isIncidentKitError } from '../errors.js';
import type { Clock } from '../kernel/clock.js';
import type { LifecycleEventDraft } from '../lifecycle/events.js';
import { SYSTEM_ACTOR, type Actor } from '../model/actor.js';
import type { Incident } from '../model/incident.js';
import type { Claimed, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import { timerFeature, type BuildEvent } from './feature.js';
import type { FiredTimer } from './types.js';

/** What the timer worker needs of the engine's kernel. @internal */
export interface TimerWorkerDeps {
  readonly store: StorageAdapter;
  readonly tenantId: string;
  readonly clock: Clock;
  readonly workerId: string;
  readonly leaseMs: number;
  /** Runs a fired machine timer's event; `undefined` when the machine no longer listens. */
  readonly execute: (incidentId: string, actor: Actor, build: BuildEvent, options: { readonly firedTimer: string }) => Promise<Incident | undefined>;
  /** Completes a machine timer's event with the features' hooks. */
  readonly completeTimerEvent: (draft: LifecycleEventDraft, stored: StoredIncident) => LifecycleEventDraft;
  /** The `fireTimer` hook of the named feature, if it has one. */
  readonly fireFeatureTimer: (feature: string) => ((timer: TimerRecord) => Promise<void>) | undefined;
}

/**
 * The engine's `tick`: claims due timers with a lease and delivers each to its incident's
 * machine (as the system actor) or to the feature that set it, then completes the claim.
 *
 * @internal
 */
export function createTimerWorker(deps: TimerWorkerDeps): (at?: Date) => Promise<FiredTimer[]> {
  /** Delivers one claimed timer to its incident's machine, or to the feature that set it, and completes the claim. */
  async function fire(claim: Claimed<TimerRecord>): Promise<FiredTimer> {
    const { incidentId, timerId, dueAt, event } = claim.item;
    const type = typeof event.type === 'string' ? event.type : 'unknown';
    const owner = timerFeature(timerId);
    if (owner !== undefined) {
      const fireTimer = deps.fireFeatureTimer(owner);
      // A timer of a feature this engine no longer has is dropped, as a moot machine timer is.
      if (fireTimer !== undefined) await fireTimer(claim.item);
      await deps.store.completeTimer(claim);
      return { incidentId, timerId, dueAt, event: type, outcome: fireTimer === undefined ? 'ignored' : 'applied' };
    }
    let incident: Incident | undefined;
    try {
      incident = await deps.execute(incidentId, SYSTEM_ACTOR, (stored) => deps.completeTimerEvent({ ...(event as unknown as LifecycleEventDraft), dueAt } as LifecycleEventDraft, stored), {
        firedTimer: timerId,
      });
    } catch (error) {
      // The incident is gone (e.g. the host deleted it): the timer has nothing left to do.
      if (!isIncidentKitError(error, 'NOT_FOUND')) throw error;
    }
    await deps.store.completeTimer(claim);
    return incident === undefined
      ? { incidentId, timerId, dueAt, event: type, outcome: 'ignored' }
      : { incidentId, timerId, dueAt, event: type, outcome: 'applied', incident };
  }

  return async function tick(at?: Date): Promise<FiredTimer[]> {
    const given: unknown = at;
    // A valid Date within years 0001–9999 (leases are added to it, and stores keep ISO-8601 text).
    if (given !== undefined && !(given instanceof Date && Number.isFinite(given.getTime()) && /^\d{4}-/.test(given.toISOString()) && given.getUTCFullYear() >= 1 && given.getUTCFullYear() < 9999)) {
      throw new ValidationError('tick', [{ code: 'invalid_type', path: [], message: 'Pass a valid Date, or nothing for the clock’s time.' }]);
    }
    const fired: FiredTimer[] = [];
    const limit = 100;
    // A fired timer may set another that is already due (a level with `afterMinutes: 0`, or a
    // chain of overdue levels after downtime): keep claiming until nothing is due, but bounded
    // to 100 batches per pass so a host's worker always yields.
    for (let batch = 0; batch < 100; batch += 1) {
      const claims = await deps.store.claimTimers({
        tenantId: deps.tenantId,
        now: (at ?? deps.clock.now()).toISOString(),
        owner: deps.workerId,
        leaseMs: deps.leaseMs,
        limit,
      });
      for (const claim of claims) fired.push(await fire(claim));
      if (claims.length === 0) break;
    }
    return fired;
  };
}
