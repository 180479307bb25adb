import type { ClockPhaseState, ClockState } from '../model/reportingClock.js';
import type { Incident } from '../model/incident.js';
import type { Actor } from '../model/actor.js';
import { nonEmptyString as str } from '../kernel/text.js';
import { formatTime } from '../kernel/timeFormat.js';

/** A timeline event as `buildPostmortem` reads it; `StoredEvent` fits, and so do event types added later. */
export interface TimelineEventLike {
  readonly seq?: number;
  readonly incidentId?: string;
  readonly type: string;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly actor: Actor;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Where a redacted text comes from, e.g. `title`, `note`, `rootCause`. */
export type RedactField =
  | 'title'
  | 'summary'
  | 'note'
  | 'update'
  | 'mitigation'
  | 'resolution'
  | 'rootCause'
  | 'contributingFactor'
  | 'actionItem'
  | 'reason'
  | 'field'
  | 'event'
  | 'hypothesis'
  | 'evidence'
  | 'cause';

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a clock from event data or a projection without trusting its shape: phases that lack
 * an id or a title are left out.
 *
 * @internal
 */
export function readClock(value: unknown): ClockState | undefined {
  if (!isRecord(value) || typeof value.regime !== 'string' || !Array.isArray(value.phases)) return undefined;
  const phases = value.phases
    .filter((p: unknown): p is ClockPhaseState => isRecord(p) && typeof p.phase === 'string' && typeof p.title === 'string' && typeof p.status === 'string')
    .map((p) => ({ ...p, reasonForDelayRequired: (p.reasonForDelayRequired as unknown) === true }));
  return {
    ...(value as unknown as ClockState),
    title: str(value.title) ?? value.regime,
    reference: str(value.reference) ?? '',
    phases,
  };
}

/**
 * The clock of `regime` an event carries (`data.clock`), else the incident's.
 *
 * @internal
 */
export function clockFor(data: Readonly<Record<string, unknown>>, incident: Incident, regime: string | undefined): ClockState | undefined {
  const own = readClock(data.clock);
  if (own !== undefined && (regime === undefined || own.regime === regime)) return own;
  return regime === undefined ? undefined : incident.clocks?.map(readClock).find((c) => c?.regime === regime);
}

/**
 * The names of the fields a `FIELDS_UPDATED` event changed: `changed`, else the keys of
 * `fields`. Never the values, which may identify a patient.
 *
 * @internal
 */
export function changedFieldNames(data: Readonly<Record<string, unknown>>): string[] {
  const changed = Array.isArray(data.changed) ? data.changed.filter((n): n is string => typeof n === 'string' && n !== '') : [];
  if (changed.length > 0) return [...new Set(changed)];
  return isRecord(data.fields) ? Object.keys(data.fields) : [];
}

/**
 * `Early warning (NIS2 Art. 23(4)(a), ref CSIRT-7)`, or `nis2 earlyWarning (ref CSIRT-7)` when
 * the clock is not known.
 */
function phaseName(
  clock: ClockState | undefined,
  regime: string | undefined,
  phase: string | undefined,
  filingReference?: string,
): { readonly text: string; readonly state?: ClockPhaseState } {
  const state = phase === undefined ? undefined : clock?.phases.find((p) => p.phase === phase);
  const name = state?.title ?? ([regime, phase].filter((x) => x !== undefined).join(' ') || 'a report');
  const notes = [str(state?.reference), filingReference === undefined ? undefined : `ref ${filingReference}`].filter((x) => x !== undefined);
  const text = `${name}${notes.length === 0 ? '' : ` (${notes.join(', ')})`}`;
  return state === undefined ? { text } : { text, state };
}

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
      const drill = d.drill === true ? ' (a drill)' : '';
      return `${event.actor.kind === 'integration' ? 'Raised' : 'Declared'} "${title}"${severity === undefined ? '' : ` as ${severity}`}${drill} by ${by}`;
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
    case 'PUBLISHED':
      return `Published on status page ${str(d.pageId) ?? ''} by ${by} as "${str(d.name) ?? ''}" (impact ${str(d.impact) ?? 'none'}): ${str(d.body) ?? ''}`;
    case 'PUBLIC_UPDATE_POSTED':
      return `Public update (${str(d.status) ?? 'investigating'}) by ${by}: ${str(d.body) ?? ''}`;
    case 'KNOWN_ERROR_MATCHED':
      return `Resembles known error ${str(d.problemId) ?? ''} "${str(d.title) ?? ''}" (like ${str(d.incidentId) ?? 'an earlier incident'}); workaround: ${str(d.workaround) ?? ''}`;
    case 'PROBLEM_PROPOSED': {
      const similar = Array.isArray(d.similar) ? d.similar.filter((s): s is string => typeof s === 'string') : [];
      return `Recurring: ${String(similar.length + 1)} similar incidents within ${typeof d.windowDays === 'number' ? String(d.windowDays) : '?'} days (${similar.join(', ')}); a problem is proposed`;
    }
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
      const targets = Array.isArray(d.targets) ? d.targets.map(targetName).filter((t): t is string => t !== undefined) : [];
      const tried = targets.length > 0 ? ` (${targets.join(', ')})` : '';
      if (d.exhausted === true) return `Escalated${level}${tried}: nobody could be paged, and no level follows`;
      if (d.nobody === true) return `Escalated${level}${tried}: nobody could be paged, skipped to the next level`;
      const paged = Array.isArray(d.paged) ? d.paged.filter((t): t is string => typeof t === 'string') : [];
      return `Escalated${level}${tried}${paged.length > 0 ? `, paged ${paged.join(', ')}` : ''}`;
    }
    case 'NOBODY_PAGED': {
      const level = typeof d.level === 'number' ? ` after level ${String(d.level)}` : '';
      const targets = Array.isArray(d.targets) ? d.targets.map(targetName).filter((t): t is string => t !== undefined) : [];
      return `Nobody paged: the escalation policy ran out${level}${targets.length > 0 ? ` (${targets.join(', ')})` : ''} without reaching anyone`;
    }
    case 'TARGET_BREACHED':
      return `Missed the ${str(d.target) ?? ''} target`.replace('  ', ' ');
    case 'CANCELED':
      return `Canceled by ${by} (${str(d.reason) ?? 'no reason'})`;
    case 'CLOSED':
      return `Closed by ${by}`;
    case 'INCIDENT_LINKED': {
      const to = str(d.to) ?? 'another incident';
      if (d.kind === 'recurrenceOf') return `Recurrence of ${to}: its alert fired again (${by})`;
      if (d.kind === 'recurredAs') return `Recurred as ${to}: its alert fired again (${by})`;
      return `Linked to ${to} (${str(d.kind) ?? 'relatesTo'}) by ${by}`;
    }
    case 'MERGED_INTO':
      return `Merged into ${str(d.into) ?? 'another incident'} by ${by}: canceled as a duplicate, ${count(d.alertCount, 'alert')} moved there`;
    case 'MERGED_FROM':
      return `${str(d.from) ?? 'Another incident'} merged into this one by ${by}: ${count(d.alertCount, 'alert')} moved here`;
    case 'UNMERGED':
      return `Unmerged from ${str(d.from) ?? 'the incident it was merged into'} by ${by}: back to ${str(d.status) ?? 'where it was'}, ${count(d.alertCount, 'alert')} back`;
    case 'UNMERGED_FROM':
      return `${str(d.from) ?? 'An incident'} unmerged from this one by ${by}: ${count(d.alertCount, 'alert')} went back`;
    case 'FIELDS_UPDATED': {
      const names = changedFieldNames(d);
      return `Fields updated by ${by}${names.length === 0 ? '' : `: ${names.join(', ')}`}`;
    }
    case 'STATUS_LABEL_SET': {
      const title = (name: string | undefined): string | undefined =>
        name === undefined ? undefined : (incident.policy.statusLabels?.labels.find((l) => l.name === name)?.title ?? name);
      const previous = title(str(d.previous));
      return `Status set to ${title(str(d.label)) ?? 'no label'}${previous === undefined ? '' : ` (was ${previous})`} by ${by}`;
    }
    case 'CLOCK_STARTED': {
      const regime = str(d.regime);
      const clock = clockFor(d, incident, regime);
      const trigger = str(d.trigger);
      const at = str(d.triggeredAt);
      const when = trigger === undefined && at === undefined ? '' : ` (${trigger ?? 'trigger'}${at === undefined ? '' : ` at ${formatTime(at)}`})`;
      const next = clock?.nextDueAt === undefined ? '' : `; first report due ${formatTime(clock.nextDueAt)}`;
      return `${clock?.title ?? regime ?? 'Reporting'} clock started${when} by ${by}${next}`;
    }
    case 'REPORT_FILED': {
      const regime = str(d.regime);
      const { text: name, state } = phaseName(clockFor(d, incident, regime), regime, str(d.phase), str(d.reference));
      const filedAt = str(d.filedAt) ?? event.at;
      const late = state?.dueAt !== undefined && Date.parse(filedAt) > Date.parse(state.dueAt) ? `; late, was due ${formatTime(state.dueAt)}` : '';
      const reason = text('reasonForDelay', 'reason');
      return `Report filed: ${name} by ${by}${late}${reason === undefined ? '' : `; reason for delay: ${reason}`}`;
    }
    case 'CHANGES_LINKED': {
      const changes = Array.isArray(d.changes) ? d.changes.filter(isRecord) : [];
      const newest = changes[0];
      const summary = newest === undefined ? undefined : str(newest.summary);
      const at = newest === undefined ? undefined : str(newest.at);
      const what = summary === undefined ? '' : `; the latest: "${redact(summary, 'event')}"${at === undefined ? '' : ` at ${formatTime(at)}`}`;
      return `${String(changes.length)} change(s) to ${incident.service ?? 'the service'} shortly before this incident${what}`;
    }
    case 'REPORT_OVERDUE': {
      const regime = str(d.regime);
      const { text: name } = phaseName(clockFor(d, incident, regime), regime, str(d.phase));
      const due = str(d.phaseDueAt) ?? str(d.dueAt);
      return `Report overdue: ${name}${due === undefined ? ' was not filed in time' : ` was due ${formatTime(due)}`}`;
    }
    case 'TASKS_ATTACHED': {
      const tasks = Array.isArray(d.tasks) ? d.tasks.filter(isRecord) : [];
      const playbooks = Array.isArray(d.playbookIds) ? d.playbookIds.filter((p): p is string => typeof p === 'string') : [];
      return `${count(tasks.length, 'task')} attached from playbook${playbooks.length === 1 ? '' : 's'} ${playbooks.join(', ')}`;
    }
    case 'TASK_ADDED': {
      const task = isRecord(d.task) ? d.task : {};
      return `Task "${str(task.title) ?? ''}" added by ${by}`;
    }
    case 'TASK_COMPLETED':
      return `Task "${taskTitle(incident, d.taskId)}" done by ${by}${suffix(text('evidence', 'note'))}`;
    case 'TASK_SKIPPED':
      return `Task "${taskTitle(incident, d.taskId)}" skipped by ${by}${suffix(text('reason', 'reason'))}`;
    case 'TASK_REASSIGNED':
      return `Task "${taskTitle(incident, d.taskId)}" reassigned to ${targetName(d.assignee) ?? 'someone'} by ${by}`;
    case 'TASK_OVERDUE': {
      const due = str(d.taskDueAt);
      return `Task overdue: "${taskTitle(incident, d.taskId)}"${due === undefined ? '' : ` was due ${formatTime(due)}`}`;
    }
    case 'HYPOTHESIS_ADDED':
      return `Hypothesis by ${by}: ${text('statement', 'hypothesis') ?? ''}`;
    case 'HYPOTHESIS_UPDATED': {
      const statement = (incident.hypotheses ?? []).find((h) => h.id === d.hypothesisId)?.statement;
      const evidence = Array.isArray(d.evidence) ? d.evidence.length : 0;
      return `Hypothesis ${statement === undefined ? (str(d.hypothesisId) ?? '') : `"${redact(statement, 'hypothesis')}"`} ${HYPOTHESIS_OUTCOMES[str(d.status) ?? ''] ?? 'updated'} by ${by}${evidence === 0 ? '' : ` (${count(evidence, 'piece')} of evidence)`}${suffix(text('note', 'hypothesis'))}`;
    }
    case 'EVIDENCE_ADDED': {
      const sha = str(d.sha256);
      return `Evidence (${str(d.kind) ?? 'link'}) added by ${by}: ${str(d.uri) ?? ''}${sha === undefined ? '' : ` (sha256 ${sha.slice(0, 12)}…)`}${suffix(text('note', 'evidence'))}`;
    }
    case 'MILESTONE_CORRECTED': {
      const to = str(d.to);
      const from = str(d.previous);
      return `${str(d.milestone) ?? 'A milestone'} corrected${from === undefined ? '' : ` from ${formatTime(from)}`}${to === undefined ? '' : ` to ${formatTime(to)}`} by ${by}${suffix(text('reason', 'reason'))}`;
    }
    case 'EVENT_TAGGED': {
      const tags = Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === 'string') : [];
      return `Event #${typeof d.eventSeq === 'number' ? String(d.eventSeq) : '?'} tagged ${tags.join(', ')} (NIST CSF) by ${by}`;
    }
    default: {
      const words = event.type.toLowerCase().replace(/_/g, ' ');
      return `${words.charAt(0).toUpperCase()}${words.slice(1)} by ${by}`;
    }
  }
}

/** The title of the incident's task `taskId`, else the id. */
function taskTitle(incident: Incident, taskId: unknown): string {
  const id = typeof taskId === 'string' ? taskId : '';
  return incident.tasks?.find((task) => task.id === id)?.title ?? id;
}
/** How a hypothesis update reads, by status. */
const HYPOTHESIS_OUTCOMES: Readonly<Record<string, string>> = { open: 'reopened', confirmed: 'confirmed', ruled_out: 'ruled out' };

/** `3 alerts`, `1 alert`; `alerts` when the count is missing. */
function count(value: unknown, noun: string): string {
  return typeof value === 'number' ? `${String(value)} ${noun}${value === 1 ? '' : 's'}` : `${noun}s`;
}

function suffix(text: string | undefined): string {
  return text === undefined ? '' : `: ${text}`;
}

/**
 * An escalation target as the timeline names it: `ana`, `user ana`, `schedule sre-primary`, `role commander`.
 *
 * @internal
 */
export function targetName(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (typeof target !== 'object' || target === null) return undefined;
  const t = target as { readonly kind?: unknown; readonly id?: unknown; readonly role?: unknown };
  const name = t.kind === 'role' ? t.role : t.id;
  return typeof t.kind === 'string' && typeof name === 'string' ? `${t.kind} ${name}` : undefined;
}
