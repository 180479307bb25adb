/**
 * The storage contract's fixed data and small builders: the suite's clock and tenants, the
 * timers and outbox messages checks attach to commits, and how checks read thrown errors.
 */
import { isIncidentKitError } from '../../errors.js';
import { INCIDENT_ALERTS_LIMIT, type AlertSummary, type Incident } from '../../model/incident.js';
import type { JsonValue } from '../../model/primitives.js';
import type { Claimed, ClaimOptions, Commit, OutboxRecord, StoredIncident, TimerRecord } from '../../storage/types.js';

const BASE = /* @__PURE__ */ Date.parse('2026-03-01T12:00:00.000Z');

/** A canonical timestamp `ms` milliseconds after the suite's base time. */
export const t = (ms: number): string => new Date(BASE + ms).toISOString();

/** One minute in milliseconds. */
export const MINUTE = 60_000;

/** The tenant most checks write to. */
export const TENANT = 'tenant_a';

/** A second tenant, for checks that nothing crosses tenants. */
export const OTHER_TENANT = 'tenant_b';

/** The actor of every command the suite runs. */
export const alice = { id: 'u_alice', name: 'Alice' };

/** The `code` of an incidentkit error, or a description of whatever else was thrown. */
export function codeOf(error: unknown): string {
  if (isIncidentKitError(error)) return error.code;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Resolves to what `run` threw (synchronously or by rejecting); `undefined` when it did not throw. */
export async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The stored state a store holds after `commit`, given the state before it. */
export function stateOf(commit: Commit, previous?: StoredIncident): StoredIncident {
  return { incident: commit.incident, snapshot: commit.snapshot, lastHash: commit.events.at(-1)?.hash ?? previous?.lastHash ?? '' };
}

/** Hand-built timers and outbox messages to add to a commit. */
export interface CommitExtras {
  readonly set?: readonly TimerRecord[];
  readonly cancel?: readonly string[];
  readonly outbox?: readonly OutboxRecord[];
}

/** `commit` plus hand-built timers and outbox messages. */
export function withExtras(commit: Commit, extras: CommitExtras): Commit {
  return {
    ...commit,
    timers: {
      set: [...(commit.timers?.set ?? []), ...(extras.set ?? [])],
      cancel: [...(commit.timers?.cancel ?? []), ...(extras.cancel ?? [])],
    },
    outbox: [...(commit.outbox ?? []), ...(extras.outbox ?? [])],
  };
}

/**
 * `commit` with `alerts` attached, as grouping signals would leave it: every alert as a row of
 * the commit, the newest 100 in its projection and snapshot, and the counts of all of them.
 */
export function withAlerts(commit: Commit, alerts: readonly AlertSummary[]): Commit {
  const shown = alerts.slice(-INCIDENT_ALERTS_LIMIT);
  const counts = { alertCount: alerts.length, unresolvedAlertCount: alerts.filter((a) => a.status !== 'resolved').length };
  return {
    ...commit,
    incident: { ...commit.incident, alerts: shown, ...counts },
    snapshot: { ...commit.snapshot, context: { ...commit.snapshot.context, alerts: shown, ...counts } },
    alerts,
  };
}

/** A firing alert with `fingerprint` and `dedupKey`, first seen at the base time (or `at`). */
export function alert(fingerprint: string, dedupKey: string, at: string = t(0)): AlertSummary {
  return { fingerprint, dedupKey, source: 'alertmanager', status: 'firing', summary: `${fingerprint} firing`, firstSeenAt: at, statusChangedAt: at };
}

/** `count` firing alerts `fp_0`, `fp_1`, … with dedup keys `k_0`, `k_1`, … (`prefix` replaces `fp`/`k`). */
export function alerts(count: number, prefix = ''): AlertSummary[] {
  return Array.from({ length: count }, (_, i) => alert(`${prefix}fp_${String(i)}`, `${prefix}k_${String(i)}`));
}

/** A timer of `incident` due at `dueAt`. */
export function timer(incident: Incident, timerId: string, dueAt: string, event: Record<string, JsonValue> = { type: 'REMIND', n: 1 }): TimerRecord {
  return { tenantId: incident.tenantId, incidentId: incident.id, timerId, dueAt, event };
}

/** An outbox message of `incident`, available from `availableAt`. */
export function message(incident: Incident, id: string, availableAt: string, payload: Record<string, JsonValue> = { title: 'Update' }): OutboxRecord {
  return {
    id,
    tenantId: incident.tenantId,
    incidentId: incident.id,
    channel: 'webhook',
    idempotencyKey: `${incident.id}:${id}`,
    payload,
    availableAt,
    attempts: 0,
  };
}

/** The options of a timer or outbox claim. */
export const claim = (tenantId: string, now: string, owner = 'worker_1', leaseMs = MINUTE, limit = 100): ClaimOptions => ({ tenantId, now, owner, leaseMs, limit });

/** The ids of claimed timers, in claim order. */
export const claimIds = (claims: readonly Claimed<TimerRecord>[]): string[] => claims.map((c) => c.item.timerId);

/** The ids of claimed outbox messages, in claim order. */
export const messageIds = (claims: readonly Claimed<OutboxRecord>[]): string[] => claims.map((c) => c.item.id);
