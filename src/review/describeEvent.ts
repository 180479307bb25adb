import type { Incident } from '../model/incident.js';
import type { RedactField, TimelineEventLike } from './types.js';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * One sentence describing a timeline event for a review's key timeline.
 *
 * @internal
 */
export function describeEvent(
  event: TimelineEventLike,
  incident: Incident,
  redact: (text: string, field: RedactField) => string,
  nameOf: (actor: { readonly id: string; readonly name?: string }) => string,
): string {
  const d = event.data;
  const by = nameOf(event.actor);
  const text = (key: string, field: RedactField): string | undefined => {
    const value = str(d[key]);
    return value === undefined ? undefined : redact(value, field);
  };
  switch (event.type) {
    case 'DECLARED': {
      const title = text('title', 'title') ?? redact(incident.title, 'title');
      const severity = str(d.severity);
      return `${event.actor.kind === 'integration' ? 'Raised' : 'Declared'} "${title}"${severity === undefined ? '' : ` as ${severity}`} by ${by}`;
    }
    case 'ACKNOWLEDGED':
      return `Acknowledged by ${by}`;
    case 'ROLE_ASSIGNED': {
      const assignee = d.assignee;
      const who =
        typeof assignee === 'object' && assignee !== null && typeof (assignee as { id?: unknown }).id === 'string'
          ? nameOf(assignee as { id: string; name?: string })
          : 'someone';
      return `${who} assigned as ${str(d.role) ?? 'a role'} by ${by}`;
    }
    case 'SEVERITY_CHANGED': {
      const reason = text('reason', 'reason');
      const from = str(d.previous);
      return `Severity changed ${from === undefined ? '' : `from ${from} `}to ${str(d.severity) ?? '?'} by ${by}${reason === undefined ? '' : `: ${reason}`}`;
    }
    case 'NOTE_ADDED':
      return `${by}: ${text('text', 'note') ?? ''}`;
    case 'UPDATE_POSTED':
      return `Update to ${str(d.audience) ?? 'internal'} by ${by}: ${text('message', 'update') ?? ''}`;
    case 'MITIGATED':
      return `Mitigated by ${by}${suffix(text('summary', 'mitigation'))}`;
    case 'ROOT_CAUSE_RECORDED':
      return `Root cause recorded by ${by}${suffix(text('summary', 'rootCause'))}`;
    case 'RESOLVED':
      return `Resolved by ${by}${suffix(text('summary', 'resolution'))}`;
    case 'REOPENED':
      return `Reopened by ${by}${suffix(text('reason', 'reason'))}`;
    case 'ESCALATED': {
      const level = typeof d.level === 'number' ? ` to level ${String(d.level)}` : '';
      const targets = Array.isArray(d.targets) ? d.targets.filter((t): t is string => typeof t === 'string') : [];
      return `Escalated${level}${targets.length > 0 ? ` (${targets.join(', ')})` : ''}`;
    }
    case 'TARGET_BREACHED':
      return `Missed the ${str(d.target) ?? ''} target`.replace('  ', ' ');
    case 'CANCELED':
      return `Canceled by ${by} (${str(d.reason) ?? 'no reason'})`;
    case 'CLOSED':
      return `Closed by ${by}`;
    default: {
      const words = event.type.toLowerCase().replace(/_/g, ' ');
      return `${words.charAt(0).toUpperCase()}${words.slice(1)} by ${by}`;
    }
  }
}

function suffix(text: string | undefined): string {
  return text === undefined ? '' : `: ${text}`;
}
