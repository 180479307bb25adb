/**
 * What both SQL stores read alike: the columns their rows share (JSON as text), how those rows
 * become records, and the order claimed work is handed out in. Each store adds its own time
 * columns (SQLite: ISO-8601 text; PostgreSQL: epoch milliseconds) and converts them first.
 */
import type { IncidentEventType, StoredEvent } from '../../model/event.js';
import type { Claimed, OutboxRecord, TimerRecord } from '../types.js';

/**
 * Parses a JSON text column; the caller names the type it stored.
 *
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export const parseJson = <T>(json: string): T => JSON.parse(json) as T;

/** The columns of an events row, but its time. @internal */
export interface EventColumns {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly actor: string;
  readonly data: string;
  readonly hash: string;
}

/** The columns of a timers row, but its tenant and due time. @internal */
export interface TimerColumns {
  readonly incident_id: string;
  readonly timer_id: string;
  readonly event: string;
}

/** The columns of an outbox row, but its tenant and time. @internal */
export interface OutboxColumns {
  readonly id: string;
  readonly incident_id: string;
  readonly channel: string;
  readonly idempotency_key: string;
  readonly payload: string;
  readonly attempts: number;
  readonly last_error: string | null;
}

/** @internal */
export function toStoredEvent(tenantId: string, incidentId: string, row: EventColumns, at: string): StoredEvent {
  return {
    id: row.id,
    tenantId,
    incidentId,
    seq: row.seq,
    type: row.type as IncidentEventType,
    at,
    actor: parseJson(row.actor),
    data: parseJson(row.data),
    hash: row.hash,
  };
}

/** @internal */
export function toTimerRecord(tenantId: string, row: TimerColumns, dueAt: string): TimerRecord {
  return { tenantId, incidentId: row.incident_id, timerId: row.timer_id, dueAt, event: parseJson(row.event) };
}

/** @internal */
export function toOutboxRecord(tenantId: string, row: OutboxColumns, availableAt: string): OutboxRecord {
  const record: OutboxRecord = {
    id: row.id,
    tenantId,
    incidentId: row.incident_id,
    channel: row.channel,
    idempotencyKey: row.idempotency_key,
    payload: parseJson(row.payload),
    availableAt,
    attempts: row.attempts,
  };
  return row.last_error === null ? record : { ...record, lastError: row.last_error };
}

/** `items` as claimed work, in due order, then by key: `UPDATE … RETURNING` hands rows back in no particular order. */
function inDueOrder<T>(items: readonly T[], due: (item: T) => string, key: (item: T) => string, owner: string, leaseUntil: string): Claimed<T>[] {
  return items
    .map((item) => ({ due: due(item), key: key(item), item }))
    .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => ({ item, owner, leaseUntil }));
}

/** Claimed timers, due first, then by incident and timer id. @internal */
export function claimedTimers(timers: readonly TimerRecord[], owner: string, leaseUntil: string): Claimed<TimerRecord>[] {
  return inDueOrder(timers, (t) => t.dueAt, (t) => `${t.incidentId}\u0000${t.timerId}`, owner, leaseUntil);
}

/** Claimed outbox messages, available first, then by id. @internal */
export function claimedMessages(messages: readonly OutboxRecord[], owner: string, leaseUntil: string): Claimed<OutboxRecord>[] {
  return inDueOrder(messages, (m) => m.availableAt, (m) => m.id, owner, leaseUntil);
}
