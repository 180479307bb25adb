import type { StoredEvent } from '../../model/event.js';
import type { Incident } from '../../model/incident.js';
import { changedFieldNames, targetName } from '../../lifecycle/describeEvent.js';
import type { NotificationAudience } from '../../model/notification.js';
import { formatDuration, formatTime } from '../../kernel/timeFormat.js';
import { actorName, factsLine, labelTitle, nextDue, num, openFor, paragraphs, reportOf, sentence, str, strings, targetMinutes } from './templateHelpers.js';

/** What a {@link NotificationTemplate} renders from. */
export interface TemplateInput {
  /** The incident right after the event's commit. */
  readonly incident: Incident;
  /** The event being announced. */
  readonly event: StoredEvent;
  /** Who the message is for. */
  readonly audience: NotificationAudience;
}

/** A rendered title and plain-text body. */
export interface RenderedText {
  readonly title: string;
  readonly text: string;
}

/**
 * Renders one event type's title and body. Pure: it must not read the clock or do I/O.
 *
 * @example
 * ```ts
 * import { defaultTemplates, type NotificationTemplate } from 'incidentkit';
 *
 * const declared: NotificationTemplate = (input) => {
 *   const base = defaultTemplates.DECLARED(input);
 *   return { title: `🚨 ${base.title}`, text: `${base.text}\n\nJoin the bridge: https://meet.example.com/ir` };
 * };
 * ```
 */
export type NotificationTemplate = (input: TemplateInput) => RenderedText;

/** Templates by stored event type (`DECLARED`, `ESCALATED`, …); missing types use the defaults. */
export type NotificationTemplates = Readonly<Partial<Record<string, NotificationTemplate>>>;

const CANCEL_REASONS: Readonly<Record<string, string>> = {
  false_positive: 'it turned out to be a false positive',
  duplicate: 'it duplicates another incident',
  declined: 'it was reviewed and declined as not an incident',
};

const TARGET_VERBS: Readonly<Record<string, string>> = {
  acknowledge: 'acknowledge',
  acknowledged: 'acknowledge',
  mitigate: 'contain the impact (mitigate)',
  mitigated: 'contain the impact (mitigate)',
  resolve: 'resolve',
  resolved: 'resolve',
};

const AUDIENCE_NAMES: Readonly<Record<NotificationAudience, string>> = {
  internal: 'the response team',
  stakeholders: 'stakeholders',
  public: 'the public',
};

const PHASE_STATUS_TEXT: Readonly<Record<string, string>> = {
  waiting: 'not started yet',
  pending: 'pending',
  overdue: 'OVERDUE',
  filed: 'filed',
  filedLate: 'filed late',
};

/** The typed targets of an `ESCALATED` that resolved to nobody, as `schedule nights` or `role commander`. */
function unreached(data: Readonly<Record<string, unknown>>): string[] {
  const resolved = Array.isArray(data.resolved) ? (data.resolved as unknown[]) : [];
  return resolved.flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { target, userIds } = entry as { target?: unknown; userIds?: unknown };
    if (!Array.isArray(userIds) || userIds.length > 0 || typeof target !== 'object' || target === null) return [];
    const { kind, role, id } = target as { kind?: unknown; role?: unknown; id?: unknown };
    const name = kind === 'role' ? role : id;
    return typeof kind === 'string' && typeof name === 'string' ? [`${kind} ${name}`] : [];
  });
}

/**
 * The built-in templates, one per stored event type, worded for IT operations and clinical
 * settings alike (no jargon such as "outage" or "deploy"; times in UTC).
 *
 * @remarks Event types without a template here (and unknown ones) use a generic one that
 * names the event. Override any of them with `templates` in the routing options or per route.
 * No default template prints custom field values (they may identify a patient):
 * `FIELDS_UPDATED` names the changed fields only. `REPORT_OVERDUE` is worded as urgent and
 * names the report, its regime, its legal reference and when it was due; so is `NOBODY_PAGED`,
 * which names the last escalation level and the targets that reached nobody.
 */
export const defaultTemplates = {
  DECLARED: ({ incident, event }) => ({
    title: `Incident declared: ${incident.title}`,
    text: paragraphs(
      incident.summary,
      factsLine(incident),
      `Declared by ${actorName(event.actor)} at ${formatTime(event.at)}` +
        (incident.startedAt < incident.detectedAt ? `; impact began at ${formatTime(incident.startedAt)}.` : '.'),
    ),
  }),
  ACKNOWLEDGED: ({ incident, event }) => ({
    title: `Acknowledged: ${incident.title}`,
    text: paragraphs(`${actorName(event.actor)} acknowledged the incident at ${formatTime(event.at)} and is responding.`, factsLine(incident)),
  }),
  ESCALATED: ({ incident, event }) => {
    const level = num(event.data, 'level');
    const cycle = num(event.data, 'cycle');
    // Plain ids as given, and the users typed targets (schedules, roles) resolved to.
    const targets = [...new Set([...strings(event.data, 'targets'), ...strings(event.data, 'paged')])];
    const nobody = event.data.nobody === true;
    const label = level === undefined ? 'Escalated' : `Escalated to level ${String(level)}`;
    const manual = event.data.trigger === 'manual' || (event.data.trigger === undefined && event.actor.kind !== 'system');
    return {
      title: `${label}: ${incident.title}`,
      text: paragraphs(
        manual
          ? `${actorName(event.actor)} escalated the incident at ${formatTime(event.at)}.`
          : `Nobody has acknowledged the incident yet, so it was escalated at ${formatTime(event.at)}` +
              (cycle !== undefined && cycle > 0 ? ` (repeat ${String(cycle)} of the escalation policy).` : '.'),
        targets.length > 0 && `Now notifying: ${targets.join(', ')}.`,
        unreached(event.data).length > 0 && `Reached nobody: ${unreached(event.data).join(', ')}.`,
        // The last level's call to act is NOBODY_PAGED's own message, in the same commit.
        nobody && `Nobody could be paged at this level (nobody on call, or the role is unfilled)${event.data.exhausted === true ? ', and no level follows.' : '; the next level is paged at once.'}`,
        factsLine(incident),
      ),
    };
  },
  SEVERITY_CHANGED: ({ incident, event }) => {
    const previous = str(event.data, 'previous');
    const reason = str(event.data, 'reason');
    return {
      title: `Severity ${previous === undefined ? 'changed' : `${previous} → ${incident.severity}`}: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} set the severity to ${str(event.data, 'severity') ?? incident.severity}` +
          (reason === undefined ? '.' : `: ${sentence(reason)}`),
        factsLine(incident),
      ),
    };
  },
  ROLE_ASSIGNED: ({ incident, event }) => {
    const role = str(event.data, 'role') ?? 'a role';
    const assignee = event.data.assignee;
    const who =
      typeof assignee === 'object' && assignee !== null && !Array.isArray(assignee)
        ? (typeof assignee.name === 'string' ? assignee.name : typeof assignee.id === 'string' ? assignee.id : 'someone')
        : 'someone';
    return {
      title: `${who} is ${role}: ${incident.title}`,
      text: paragraphs(`${actorName(event.actor)} assigned ${who} as ${role}.`, factsLine(incident)),
    };
  },
  NOTE_ADDED: ({ incident, event }) => ({
    title: `Note: ${incident.title}`,
    text: paragraphs(str(event.data, 'text'), `— ${actorName(event.actor)}, ${formatTime(event.at)}`),
  }),
  UPDATE_POSTED: ({ incident, event, audience }) => ({
    title: `Update: ${incident.title}`,
    text: paragraphs(
      str(event.data, 'message'),
      `— ${actorName(event.actor)}, ${formatTime(event.at)}, for ${AUDIENCE_NAMES[audience]}`,
      factsLine(incident),
    ),
  }),
  MITIGATED: ({ incident, event }) => ({
    title: `Mitigated: ${incident.title}`,
    text: paragraphs(
      `Impact is contained: ${sentence(str(event.data, 'summary') ?? 'a workaround is in place')}`,
      'Work on a lasting fix continues.',
      factsLine(incident),
    ),
  }),
  ROOT_CAUSE_RECORDED: ({ incident, event }) => {
    const factors = strings(event.data, 'contributingFactors');
    return {
      title: `Root cause recorded: ${incident.title}`,
      text: paragraphs(
        sentence(str(event.data, 'summary') ?? 'A root cause was recorded'),
        factors.length > 0 && `Contributing factors:\n${factors.map((factor) => `- ${factor}`).join('\n')}`,
      ),
    };
  },
  RESOLVED: ({ incident, event }) => {
    const duration = openFor(incident, event);
    return {
      title: `Resolved: ${incident.title}`,
      text: paragraphs(
        str(event.data, 'summary') !== undefined && sentence(str(event.data, 'summary') ?? ''),
        `${actorName(event.actor)} resolved the incident at ${formatTime(event.at)}` +
          (duration === undefined ? '.' : `, ${duration} after impact began.`),
        factsLine(incident),
      ),
    };
  },
  REOPENED: ({ incident, event }) => ({
    title: `Reopened: ${incident.title}`,
    text: paragraphs(
      `${actorName(event.actor)} reopened the incident` +
        (str(event.data, 'reason') === undefined ? '.' : `: ${sentence(str(event.data, 'reason') ?? '')}`),
      factsLine(incident),
    ),
  }),
  REVIEW_STARTED: ({ incident, event }) => ({
    title: `Review started: ${incident.title}`,
    text: paragraphs(
      `The post-incident review has started` +
        (str(event.data, 'owner') === undefined ? '.' : `; ${str(event.data, 'owner') ?? ''} leads it.`),
    ),
  }),
  REVIEW_COMPLETED: ({ incident, event }) => ({
    title: `Review completed: ${incident.title}`,
    text: paragraphs('The post-incident review is complete.', str(event.data, 'summary')),
  }),
  ACTION_ITEM_ADDED: ({ incident, event }) => {
    const owner = str(event.data, 'owner');
    const dueAt = str(event.data, 'dueAt');
    return {
      title: `Action item: ${str(event.data, 'title') ?? 'new action item'}`,
      text: paragraphs(
        `For incident "${incident.title}".`,
        [owner !== undefined && `Owner: ${owner}`, dueAt !== undefined && `Due: ${formatTime(dueAt)}`].filter(Boolean).join(' · '),
      ),
    };
  },
  ACTION_ITEM_UPDATED: ({ incident, event }) => {
    // An edit may change other fields than the status (title, owner, due date, kind, strength).
    const edited = ['title', 'owner', 'dueAt', 'kind', 'strength'].filter((key) => key in event.data);
    const status = str(event.data, 'status');
    return {
      title: `Action item ${status?.replaceAll('_', ' ') ?? 'updated'}: ${incident.title}`,
      text: paragraphs(
        status === undefined && edited.length > 0
          ? `${actorName(event.actor)} changed the ${edited.join(', ')} of action item ${str(event.data, 'actionItemId') ?? ''}.`
          : `${actorName(event.actor)} set action item ${str(event.data, 'actionItemId') ?? ''} to ${status ?? 'a new status'}.`,
      ),
    };
  },
  CLOSED: ({ incident, event }) => ({
    title: `Closed: ${incident.title}`,
    text: paragraphs(`${actorName(event.actor)} closed the incident at ${formatTime(event.at)}.`, factsLine(incident)),
  }),
  CANCELED: ({ incident, event }) => {
    const reason = str(event.data, 'reason');
    const mergedInto = str(event.data, 'mergedInto');
    const why = reason === undefined ? undefined : (CANCEL_REASONS[reason] ?? reason);
    return {
      title: `Canceled: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} canceled the incident` + (why === undefined ? '.' : `: ${why}.`),
        mergedInto !== undefined && `Follow incident ${mergedInto} instead.`,
      ),
    };
  },
  MERGED_INTO: ({ incident, event }) => {
    const into = str(event.data, 'into');
    const alerts = num(event.data, 'alertCount');
    return {
      title: `Merged: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} merged this incident into ${into ?? 'another incident'} as a duplicate` +
          (alerts === undefined || alerts === 0 ? '.' : `; its ${String(alerts)} alert(s) and their repeats go there now.`),
        into !== undefined && `Follow incident ${into} instead.`,
      ),
    };
  },
  MERGED_FROM: ({ incident, event }) => {
    const from = str(event.data, 'from');
    const alerts = num(event.data, 'alertCount');
    return {
      title: `Incident merged in: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} merged ${from === undefined ? 'another incident' : `incident ${from}`} into this one` +
          (alerts === undefined || alerts === 0 ? '.' : `; its ${String(alerts)} alert(s) are here now.`),
        factsLine(incident),
      ),
    };
  },
  UNMERGED: ({ incident, event }) => {
    const from = str(event.data, 'from');
    const status = str(event.data, 'status');
    return {
      title: `Unmerged: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} undid the merge of this incident into ${from ?? 'another incident'}: it is open again` +
          (status === undefined ? '' : ` (${status})`) +
          ', with its alerts back.',
        factsLine(incident),
      ),
    };
  },
  UNMERGED_FROM: ({ incident, event }) => {
    const from = str(event.data, 'from');
    return {
      title: `Incident unmerged: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} undid the merge of ${from === undefined ? 'an incident' : `incident ${from}`} into this one; its alerts went back with it.`,
        factsLine(incident),
      ),
    };
  },
  REMINDER_DUE: ({ incident, event }) => {
    const kind = str(event.data, 'kind');
    const every = num(event.data, 'everyMinutes');
    const what = kind === undefined || kind === 'status_update' ? 'A status update' : `A ${kind.replaceAll('_', ' ')}`;
    return {
      title: `Update due: ${incident.title}`,
      text: paragraphs(
        `${what} is due for this ${incident.severity} incident` +
          (every === undefined ? '.' : ` (every ${String(every)} min while it is open).`),
        'Post an update to keep people informed.',
        factsLine(incident),
      ),
    };
  },
  TARGET_BREACHED: ({ incident, event }) => {
    const target = str(event.data, 'target');
    const verb = target === undefined ? undefined : (TARGET_VERBS[target] ?? target);
    const within = target === undefined ? undefined : targetMinutes(incident, target);
    const dueAt = str(event.data, 'targetDueAt') ?? str(event.data, 'dueAt');
    return {
      title: `Target missed: ${incident.title}`,
      text: paragraphs(
        `The ${incident.severity} target to ${verb ?? 'respond'}` +
          (within === undefined ? '' : ` within ${String(within)} min of detection`) +
          ' was missed' +
          (dueAt === undefined ? '.' : ` (due ${formatTime(dueAt)}).`),
        factsLine(incident),
      ),
    };
  },
  NOBODY_PAGED: ({ incident, event }) => {
    const targets = event.data.targets;
    const tried = Array.isArray(targets) ? targets.map(targetName).filter(Boolean) : [];
    return {
      title: `Nobody paged: ${incident.title}`,
      text: paragraphs(
        `The escalation policy ran out at ${formatTime(event.at)}: level ${String(num(event.data, 'level') ?? '?')} (${tried.join(', ')}) reached nobody. Page someone by hand.`,
        factsLine(incident),
      ),
    };
  },
  FIELDS_UPDATED: ({ incident, event }) => {
    // Field names only: values may identify a patient, and notifications leave the host's control.
    const names = changedFieldNames(event.data);
    return {
      title: `Details updated: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} updated ${names.length === 0 ? "the incident's details" : names.join(', ')} at ${formatTime(event.at)}.`,
        factsLine(incident),
      ),
    };
  },
  STATUS_LABEL_SET: ({ incident, event }) => {
    const label = str(event.data, 'label') ?? incident.statusLabel;
    const previous = str(event.data, 'previous');
    const shown = label === undefined ? 'a new status' : labelTitle(incident, label);
    return {
      title: `Status ${shown}: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} set the status to ${shown}` + (previous === undefined ? '.' : ` (was ${labelTitle(incident, previous)}).`),
        factsLine(incident),
      ),
    };
  },
  CLOCK_STARTED: ({ incident, event }) => {
    const { clock, regime } = reportOf(incident, event);
    const trigger = str(event.data, 'trigger');
    const triggeredAt = str(event.data, 'triggeredAt');
    const reports = (clock?.phases ?? []).map(
      (p) =>
        `- ${p.title}${p.reference === '' ? '' : ` (${p.reference})`}: ` +
        (p.dueAt === undefined || p.status === 'waiting' ? (PHASE_STATUS_TEXT[p.status] ?? p.status) : `due ${formatTime(p.dueAt)}`),
    );
    return {
      title: `Reporting clock started: ${regime ?? 'regulatory report'}: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} started the ${regime ?? 'regulatory reporting'} clock` +
          (clock?.reference === undefined || clock.reference === '' ? '' : ` (${clock.reference})`) +
          (trigger === undefined && triggeredAt === undefined ? '.' : `, counting from ${trigger ?? 'the trigger'}${triggeredAt === undefined ? '' : ` at ${formatTime(triggeredAt)}`}.`),
        reports.length > 0 && `Reports due:\n${reports.join('\n')}`,
        factsLine(incident),
      ),
    };
  },
  REPORT_FILED: ({ incident, event }) => {
    const { clock, phase, report, regime, reference } = reportOf(incident, event);
    const filedAt = str(event.data, 'filedAt') ?? event.at;
    const filingReference = str(event.data, 'reference');
    const reason = str(event.data, 'reasonForDelay');
    const lateMs = phase?.dueAt === undefined ? Number.NaN : Date.parse(filedAt) - Date.parse(phase.dueAt);
    return {
      title: `Report filed: ${report ?? 'regulatory report'}: ${incident.title}`,
      text: paragraphs(
        `${actorName(event.actor)} recorded the ${report ?? 'regulatory report'}` +
          (regime === undefined ? '' : ` under ${regime}`) +
          (reference === undefined ? '' : ` (${reference})`) +
          ` as filed at ${formatTime(filedAt)}` +
          (filingReference === undefined ? '.' : `, reference ${filingReference}.`),
        lateMs > 0 && phase?.dueAt !== undefined && `It was filed ${formatDuration(lateMs)} after it was due (${formatTime(phase.dueAt)}).`,
        reason !== undefined && `Reasons for the delay: ${sentence(reason)}`,
        nextDue(clock),
        factsLine(incident),
      ),
    };
  },
  REPORT_OVERDUE: ({ incident, event }) => {
    const { clock, phase, report, regime, reference } = reportOf(incident, event);
    const dueAt = str(event.data, 'phaseDueAt') ?? phase?.dueAt ?? str(event.data, 'dueAt');
    const what = report ?? 'A regulatory report';
    return {
      title: `Urgent: ${what} overdue${reference === undefined ? '' : ` (${reference})`}: ${incident.title}`,
      text: paragraphs(
        `The ${report ?? 'regulatory report'}` +
          (regime === undefined ? '' : ` under ${regime}`) +
          (reference === undefined ? '' : ` (${reference})`) +
          (dueAt === undefined ? ' was due and has not been filed.' : ` was due at ${formatTime(dueAt)} and has not been filed.`),
        phase?.reasonForDelayRequired === true
          ? `File it now, with the reasons for the delay${reference === undefined ? '' : ` (${reference} asks for them)`}, and record the filing.`
          : 'File it now and record the filing.',
        nextDue(clock),
        factsLine(incident),
      ),
    };
  },
  TASK_OVERDUE: ({ incident, event }) => {
    const taskId = str(event.data, 'taskId');
    const task = incident.tasks?.find((t) => t.id === taskId);
    const dueAt = str(event.data, 'taskDueAt') ?? task?.dueAt;
    return {
      title: `Task overdue: ${task?.title ?? taskId ?? 'a task'}: ${incident.title}`,
      text: paragraphs(
        `The task "${task?.title ?? taskId ?? 'a task'}"${dueAt === undefined ? ' is overdue' : ` was due at ${formatTime(dueAt)}`} and is still open.`,
        task?.requiredFor === undefined ? 'Complete it, or skip it with a reason.' : `It must be done or skipped (with a reason) before the incident can ${task.requiredFor}.`,
        factsLine(incident),
      ),
    };
  },
  KNOWN_ERROR_MATCHED: ({ incident, event }) => ({
    title: `Known error: ${incident.title}`,
    text: paragraphs(
      `This incident resembles known error ${str(event.data, 'problemId') ?? ''} (${str(event.data, 'title') ?? 'a problem'}).`,
      `Workaround: ${str(event.data, 'workaround') ?? ''}`,
      factsLine(incident),
    ),
  }),
  PROBLEM_PROPOSED: ({ incident, event }) => {
    const similar = strings(event.data, 'similar');
    return {
      title: `Recurring incident, problem proposed: ${incident.title}`,
      text: paragraphs(
        `${String(similar.length + 1)} similar incidents within ${String(num(event.data, 'windowDays') ?? '?')} days (${similar.join(', ')}), and none belongs to a problem yet.`,
        'Open a problem for them (engine.problems.open) to find and remove the cause.',
        factsLine(incident),
      ),
    };
  },
} satisfies Record<string, NotificationTemplate>;

function genericTemplate({ incident, event }: TemplateInput): RenderedText {
  const label = event.type.toLowerCase().replaceAll('_', ' ');
  return {
    title: `${label.charAt(0).toUpperCase()}${label.slice(1)}: ${incident.title}`,
    text: paragraphs(`${actorName(event.actor)} recorded "${label}" at ${formatTime(event.at)}.`, factsLine(incident)),
  };
}

/** Options of {@link renderNotification}. */
export interface RenderOptions {
  /** Templates by event type that replace the defaults. */
  readonly templates?: NotificationTemplates;
}

/**
 * Renders the default (or overridden) title and plain-text body of an event.
 *
 * @example
 * ```ts
 * import { renderNotification, type Incident, type StoredEvent } from 'incidentkit';
 *
 * declare const incident: Incident;
 * declare const event: StoredEvent;
 * const { title, text } = renderNotification({ incident, event, audience: 'internal' });
 * ```
 */
export function renderNotification(input: TemplateInput, options: RenderOptions = {}): RenderedText {
  const templates = defaultTemplates as NotificationTemplates;
  const template = options.templates?.[input.event.type] ?? templates[input.event.type] ?? genericTemplate;
  const rendered = template(input);
  return { title: rendered.title.trim().replace(/\s+/g, ' '), text: rendered.text.trim() };
}
