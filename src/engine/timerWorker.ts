import { ValidationError, isIncidentKitError } from '../errors.js';
import type { Clock } from '../kernel/clock.js';
import { canonicalJson } from '../kernel/hash.js';
import type { LifecycleEventDraft } from '../lifecycle/events.js';
import { SYSTEM_ACTOR, type Actor } from '../model/actor.js';
import type { Incident } from '../model/incident.js';
import type { Claimed, StorageAdapter, StoredIncident, TimerRecord } from '../storage/types.js';
import { timerFeature, type BuildEvent } from './feature.js';
import { logTo, type EngineLogger } from './telemetry.js';
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
  readonly completeTimerEvent: (draft: LifecycleEventDraft, stored: StoredIncident) => Promise<LifecycleEventDraft>;
  /** The `fireTimer` hook of the named feature, if it has one. */
  readonly fireFeatureTimer: (feature: string) => ((timer: TimerRecord) => Promise<void>) | undefined;
  /** Told about each timer that failed (the tick still throws the first error). */
  readonly logger?: EngineLogger;
}

/** Timers claimed per store call. */
const BATCH = 100;
/** Incidents whose timers fire at the same time; one incident's timers always fire one by one. */
const CONCURRENCY = 4;

/**
 * One firing of a timer: its id, due time and event. A timer set again (for another time, or
 * with another event, as a zero-delay escalation level is) is another firing.
 */
const firing = (timer: TimerRecord): string => canonicalJson([timer.incidentId, timer.timerId, timer.dueAt, timer.event]);

/**
 * The engine's `tick`: claims due timers with a lease, batch by batch, and delivers each to its
 * incident's machine (as the system actor) or to the feature that set it, then completes the
 * claim. Runs until no timer due at the tick's time is left.
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

  /**
   * Fires a batch: each incident's timers in claim order, one after the other; up to
   * {@link CONCURRENCY} incidents at once. Results come back in claim order. When a timer
   * throws, its incident's later timers are left (their leases expire and a later tick retries
   * them in order), the other incidents finish, and the first error is thrown.
   */
  async function fireBatch(claims: readonly Claimed<TimerRecord>[]): Promise<FiredTimer[]> {
    /** Each incident's claims with their positions in `claims`, in claim order. */
    const byIncident = new Map<string, { readonly at: number; readonly claim: Claimed<TimerRecord> }[]>();
    claims.forEach((claim, at) => {
      const queue = byIncident.get(claim.item.incidentId);
      if (queue === undefined) byIncident.set(claim.item.incidentId, [{ at, claim }]);
      else queue.push({ at, claim });
    });
    const queues = [...byIncident.values()];
    const results: (FiredTimer | undefined)[] = claims.map(() => undefined);
    const errors: unknown[] = [];
    let next = 0;
    async function lane(): Promise<void> {
      for (let queue = queues[next++]; queue !== undefined; queue = queues[next++]) {
        for (const { at, claim } of queue) {
          try {
            results[at] = await fire(claim);
          } catch (error) {
            errors.push(error);
            const { incidentId, timerId, dueAt } = claim.item;
            logTo(deps.logger, 'error', { err: error, tenantId: deps.tenantId, component: 'timers', incidentId, timerId, dueAt }, 'A timer failed; its lease runs out and a later tick fires it again.');
            break;
          }
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queues.length) }, lane));
    if (errors.length > 0) throw errors[0];
    return results.filter((result) => result !== undefined);
  }

  return async function tick(at?: Date): Promise<FiredTimer[]> {
    const given: unknown = at;
    // A valid Date within years 0001–9999 (leases are added to it, and stores keep ISO-8601 text).
    if (given !== undefined && !(given instanceof Date && Number.isFinite(given.getTime()) && /^\d{4}-/.test(given.toISOString()) && given.getUTCFullYear() >= 1 && given.getUTCFullYear() < 9999)) {
      throw new ValidationError('tick', [{ code: 'invalid_type', path: [], message: 'Pass a valid Date, or nothing for the clock’s time.' }]);
    }
    // One time for the whole tick: it fires what is due now, and ends. Timers due later (by the
    // clock) are the next tick's.
    const now = (at ?? deps.clock.now()).toISOString();
    const fired: FiredTimer[] = [];
    const firedHere = new Set<string>();
    // A fired timer may set another that is already due (a level with `afterMinutes: 0`, or a
    // chain of overdue levels after downtime): keep claiming until nothing due is left. A timer
    // set again exactly as it just fired (same due time, same event: only a misbehaving feature
    // does that) is not fired twice in one tick, so it cannot keep the tick going; its lease runs
    // out and a later tick takes it.
    for (;;) {
      const claims = await deps.store.claimTimers({ tenantId: deps.tenantId, now, owner: deps.workerId, leaseMs: deps.leaseMs, limit: BATCH });
      const fresh = claims.filter((claim) => !firedHere.has(firing(claim.item)));
      if (fresh.length === 0) break;
      fired.push(...(await fireBatch(fresh)));
      for (const claim of fresh) firedHere.add(firing(claim.item));
    }
    return fired;
  };
}
