/**
 * Context updates for the alerts attached to the incident.
 *
 * @remarks The context keeps only the newest {@link INCIDENT_ALERTS_LIMIT} alerts (oldest first),
 * with `alertCount` and `unresolvedAlertCount` for all of them: an alert storm must not grow what
 * every command carries. Stores keep every alert as its own row ({@link alertRowsOf} says which
 * rows an event writes), and the engine checks alerts beyond the window against those rows
 * before the machine sees the event.
 */

import { INCIDENT_ALERTS_LIMIT, type AlertStatus, type AlertSummary } from '../../model/incident.js';
import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

type AttachAlertEvent = Extract<LifecycleEvent, { readonly type: 'ATTACH_ALERT' }>;

/** The alert an `ATTACH_ALERT` adds: first seen, and in its status, at the event's time. */
export function attachedAlert(event: AttachAlertEvent): AlertSummary {
  return {
    fingerprint: event.fingerprint,
    dedupKey: event.dedupKey,
    source: event.source,
    status: event.status,
    summary: event.summary,
    firstSeenAt: event.at,
    statusChangedAt: event.at,
  };
}

/** 1 for a status that still needs attention (`firing`, `acknowledged`), 0 for `resolved`. */
function unresolved(status: AlertStatus): number {
  return status === 'resolved' ? 0 : 1;
}

/**
 * The context's alert counts. A context written before the counts existed held every alert in
 * `alerts`, so they are exact when derived from it.
 */
export function alertCountsOf(context: IncidentContext): { readonly alertCount: number; readonly unresolvedAlertCount: number } {
  const counted = context as Partial<Pick<IncidentContext, 'alertCount' | 'unresolvedAlertCount'>>;
  return {
    alertCount: counted.alertCount ?? context.alerts.length,
    unresolvedAlertCount: counted.unresolvedAlertCount ?? context.alerts.reduce((n, alert) => n + unresolved(alert.status), 0),
  };
}

/** Whether the incident has alerts that are not in its window (older than the newest 100). */
export function hasAlertsBeyondWindow(context: IncidentContext): boolean {
  return alertCountsOf(context).alertCount > context.alerts.length;
}

/** The newest alerts with `alert` appended, at most {@link INCIDENT_ALERTS_LIMIT}. */
function appendToWindow(alerts: readonly AlertSummary[], alert: AlertSummary): readonly AlertSummary[] {
  const keep = alerts.length < INCIDENT_ALERTS_LIMIT ? alerts : alerts.slice(alerts.length - INCIDENT_ALERTS_LIMIT + 1);
  return [...keep, alert];
}

/** Records an `ATTACH_ALERT`: appends the alert to the window and counts it. */
export function attachAlert(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'ATTACH_ALERT') return {};
  const counts = alertCountsOf(context);
  return {
    updatedAt: event.at,
    alerts: appendToWindow(context.alerts, attachedAlert(event)),
    alertCount: counts.alertCount + 1,
    unresolvedAlertCount: counts.unresolvedAlertCount + unresolved(event.status),
  };
}

/**
 * Records a `CHANGE_ALERT_STATUS`: the alert's new status and when it changed (when it is in the
 * window), and the unresolved count moved by `previous` → `status`.
 */
export function changeAlertStatus(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  if (event.type !== 'CHANGE_ALERT_STATUS') return {};
  const counts = alertCountsOf(context);
  const index = context.alerts.findIndex((alert) => alert.fingerprint === event.fingerprint);
  const shown = context.alerts[index];
  const previous = event.previous ?? shown?.status ?? event.status;
  let alerts = context.alerts;
  if (shown !== undefined) {
    const changed = [...context.alerts];
    changed[index] = { ...shown, status: event.status, statusChangedAt: event.at };
    alerts = changed;
  }
  return {
    updatedAt: event.at,
    alerts,
    alertCount: counts.alertCount,
    unresolvedAlertCount: counts.unresolvedAlertCount - unresolved(previous) + unresolved(event.status),
  };
}

/** An alert without what stores count beside it (repeats), as alert rows are written. */
export function withoutAlertCounters(alert: AlertSummary): AlertSummary {
  if (alert.count === undefined && alert.lastSeenAt === undefined) return alert;
  const { count: _count, lastSeenAt: _lastSeenAt, ...row } = alert;
  return row;
}

/**
 * The alert rows an accepted event writes: the attached alert, or the changed alert (given the
 * alert as it was, `before`). Empty for every other event.
 */
export function alertRowsOf(event: LifecycleEvent, before: AlertSummary | undefined): readonly AlertSummary[] {
  if (event.type === 'ATTACH_ALERT') return [attachedAlert(event)];
  if (event.type === 'CHANGE_ALERT_STATUS' && before !== undefined) {
    return [{ ...withoutAlertCounters(before), status: event.status, statusChangedAt: event.at }];
  }
  return [];
}
