/** Context updates for the alerts attached to the incident. */

import type { LifecycleEvent } from '../events.js';
import type { IncidentContext } from '../incidentContext.js';

/** Records an `ATTACH_ALERT`: appends the alert, first seen and in its status now. */
export function attachAlert(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'ATTACH_ALERT'
    ? {
        updatedAt: event.at,
        alerts: [
          ...context.alerts,
          {
            fingerprint: event.fingerprint,
            dedupKey: event.dedupKey,
            source: event.source,
            status: event.status,
            summary: event.summary,
            firstSeenAt: event.at,
            statusChangedAt: event.at,
          },
        ],
      }
    : {};
}

/** Records a `CHANGE_ALERT_STATUS`: the alert's new status and when it changed. */
export function changeAlertStatus(context: IncidentContext, event: LifecycleEvent): Partial<IncidentContext> {
  return event.type === 'CHANGE_ALERT_STATUS'
    ? {
        updatedAt: event.at,
        alerts: context.alerts.map((alert) =>
          alert.fingerprint === event.fingerprint ? { ...alert, status: event.status, statusChangedAt: event.at } : alert,
        ),
      }
    : {};
}
