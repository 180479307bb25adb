/**
 * What the PostgreSQL store's statements return, and how rows become records.
 */
import type { StoredEvent } from '../../model/event.js';
import type { AlertSummary, Incident } from '../../model/incident.js';
import type { OutboxRecord, TimerRecord } from '../types.js';
import { incidentWithItems, type StoredItem } from './incidentItems.js';
import { parseJson, toOutboxRecord, toStoredEvent, toTimerRecord, type EventColumns, type OutboxColumns, type TimerColumns } from './rowRecords.js';
import { alertWithCounter, mergeCounters } from './signalCounters.js';

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

/** The counters a statement selected beside a projection (see `countersColumn` in the statements). @internal */
export interface CounterColumns {
  /** The counters of the alerts the projection carries, as JSON text, or null. */
  readonly counters: string | null;
  /** The sum of all the incident's counters (`bigint` text), or null. */
  readonly signal_total: string | number | null;
}

/** A projection row with its counters and item rows (see `itemsColumn` in the statements). @internal */
export interface IncidentRow extends CounterColumns {
  readonly incident: string;
  /** The incident's item rows as JSON text `[[collection, item], …]` in position order, or null when it has none. */
  readonly items: string | null;
}

/** Merges the counters a statement selected into a projection. @internal */
export function withCounters(incident: Incident, row: CounterColumns): Incident {
  if (incident.alerts.length === 0) return incident;
  const rows = row.counters === null ? [] : parseJson<[string, number | string, number | string][]>(row.counters);
  const counters = new Map(rows.map(([fingerprint, count, lastSeen]) => [fingerprint, { count: Number(count), lastSeenAt: iso(lastSeen) }]));
  return mergeCounters(incident, counters, Number(row.signal_total ?? 0));
}

/** The item rows a statement selected. @internal */
export const itemsOf = (items: string | null): StoredItem[] => (items === null ? [] : parseJson<StoredItem[]>(items));

/** The complete projection of a row: its item rows put back and its counters merged in. @internal */
export function toIncident(row: IncidentRow): Incident {
  return withCounters(incidentWithItems(parseJson<Incident>(row.incident), itemsOf(row.items)), row);
}

/** An alert row with its counter, as the PostgreSQL store reads it. @internal */
export interface AlertRow {
  readonly position: string | number;
  readonly alert: string;
  readonly count: string | number | null;
  readonly last_seen_ms: string | number | null;
}

/** @internal */
export function toAlert(row: AlertRow): AlertSummary {
  return alertWithCounter(row.alert, row.count, row.last_seen_ms === null ? null : iso(row.last_seen_ms));
}

/** @internal */
export function toEvent(tenantId: string, incidentId: string, row: EventRow): StoredEvent {
  return toStoredEvent(tenantId, incidentId, row, iso(row.at_ms));
}
