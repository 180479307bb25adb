/**
 * What the PostgreSQL store's statements return, and how rows become records.
 */
import type { StoredEvent } from '../../model/event.js';
import type { Incident } from '../../model/incident.js';
import type { OutboxRecord, TimerRecord } from '../types.js';
import { parseJson, toOutboxRecord, toStoredEvent, toTimerRecord, type EventColumns, type OutboxColumns, type TimerColumns } from './rowRecords.js';
import { mergeCounters } from './signalCounters.js';

/** Row shapes the PostgreSQL store reads: times as epoch milliseconds (`bigint` text), JSON as text. @internal */
export interface EventRow extends EventColumns {
  readonly at_ms: string | number;
}

/** @internal */
export interface TimerRow extends TimerColumns {
  readonly due_ms: string | number;
}

/** @internal */
export interface OutboxRow extends OutboxColumns {
  readonly available_ms: string | number;
}

/** Times come back as epoch milliseconds (`bigint` text), independent of the pool's type parsers. @internal */
export const iso = (ms: string | number): string => new Date(Number(ms)).toISOString();

/** @internal */
export function toOutbox(tenantId: string, row: OutboxRow): OutboxRecord {
  return toOutboxRecord(tenantId, row, iso(row.available_ms));
}

/** @internal */
export function toTimer(tenantId: string, row: TimerRow): TimerRecord {
  return toTimerRecord(tenantId, row, iso(row.due_ms));
}

/** Merges the counters a statement selected as JSON text (see `counters` in the statements) into a projection. @internal */
export function withCounters(json: string, counters: string | null): Incident {
  const incident = parseJson<Incident>(json);
  if (counters === null || incident.alerts.length === 0) return incident;
  const rows = parseJson<[string, number | string, number | string][]>(counters);
  return mergeCounters(incident, new Map(rows.map(([fingerprint, count, lastSeen]) => [fingerprint, { count: Number(count), lastSeenAt: iso(lastSeen) }])));
}

/** @internal */
export function toEvent(tenantId: string, incidentId: string, row: EventRow): StoredEvent {
  return toStoredEvent(tenantId, incidentId, row, iso(row.at_ms));
}
