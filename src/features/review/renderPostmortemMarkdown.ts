import type { IncidentLinkKind } from '../../model/incident.js';
import type { JsonValue } from '../../model/primitives.js';
import type { PhaseName, Postmortem, PostmortemReportPhase } from './types.js';
import { formatDurationCompact } from '../../kernel/timeFormat.js';
import { escapeMarkdown } from '../../kernel/markdown.js';

/** Options of {@link renderPostmortemMarkdown}. */
export interface RenderPostmortemOptions {
  /** Include the Mermaid diagram of the phases. Default: `true`. */
  readonly diagram?: boolean;
  /** The top heading's level (1–4). Default: 1. */
  readonly headingLevel?: number;
  /** What an empty author section shows. Default: `_To be filled in by the review's authors._` */
  readonly placeholder?: string;
}

/**
 * Makes text safe inside a Mermaid gantt line: `#` starts a comment, `:` separates a task's
 * name from its data, `;` ends a statement, `%%` starts a comment and newlines end the line,
 * so they are replaced; keywords at the start of a line are defused.
 *
 * @example
 * ```ts
 * import { mermaidGanttText } from 'incidentkit';
 *
 * console.log(mermaidGanttText('Checkout: down; see #42')); // 'Checkout - down see 42'
 * ```
 */
export function mermaidGanttText(text: string): string {
  const cleaned = text
    .replace(/[\r\n]+/g, ' ')
    .replace(/:/g, ' -')
    .replace(/[#;%]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // A task name starting with a gantt keyword would be read as that statement.
  return /^(title|section|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|weekday|weekend|click|call|href|accTitle|accDescr|inclusiveEndDates|topAxis|gantt|\d{4}-\d{2}-\d{2})\b/i.test(cleaned)
    ? `- ${cleaned}`
    : cleaned || '-';
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:mm:ss` in UTC: the gantt chart's `dateFormat`. */
function ganttDate(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A readable UTC time: `2026-01-01 00:05:00 UTC`. */
function when(iso: string | undefined): string {
  return iso === undefined ? '—' : `${ganttDate(iso)} UTC`;
}

const HYPOTHESIS_TITLES: Readonly<Record<string, string>> = { open: 'open', confirmed: '**confirmed**', ruled_out: 'ruled out' };

const PHASE_TITLES: Readonly<Record<PhaseName, string>> = {
  impact: 'Impact',
  triage: 'Triage',
  responding: 'Responding',
  mitigated: 'Mitigated',
};

const MILESTONE_TITLES: Readonly<Record<string, string>> = {
  started: 'Impact began',
  detected: 'Detected',
  acknowledged: 'Acknowledged',
  mitigated: 'Mitigated',
  diagnosed: 'Root cause found',
  resolved: 'Resolved',
  reopened: 'Reopened',
  closed: 'Closed',
  canceled: 'Canceled',
};

/** One cell's text for a custom field value: strings as they are, lists of plain values joined, other structures as JSON. */
function fieldText(value: JsonValue): string {
  if (value === null || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')) return value.length === 0 ? '—' : value.map((item) => fieldText(item)).join(', ');
  return JSON.stringify(value);
}

/** Custom fields as `[path, text]` rows: nested objects become dot paths (`patient.ward`), as `sensitiveFields` names them. */
function fieldRows(fields: Readonly<Record<string, JsonValue>>, prefix = ''): [string, string][] {
  return Object.entries(fields).flatMap(([key, value]): [string, string][] => {
    const path = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) return fieldRows(value, `${path}.`);
    return [[path, fieldText(value)]];
  });
}

const REPORT_STATUS_TEXT: Readonly<Record<PostmortemReportPhase['status'], string>> = {
  waiting: 'waiting',
  pending: 'pending',
  overdue: '**overdue**',
  filed: 'filed',
  filedLate: '**filed late**',
};

/**
 * The Mermaid `gantt` chart of a review's phases: one section each for impact, triage,
 * responding and mitigated (a bar per stretch, so reopened incidents show every cycle), and
 * a `Milestones` section (detected, acknowledged, mitigated, root cause found, resolved …, up
 * to the end of the last phase, so a close days later does not squash the chart). Times are UTC.
 *
 * @example
 * ```ts
 * import { buildPostmortem, createIncidentEngine, memoryStore, postmortemGantt } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const incident = await engine.declare({ title: 'Disk full', severity: 'SEV3', actor: { id: 'u1' } });
 * console.log(postmortemGantt(buildPostmortem(incident, await engine.timeline(incident.id))));
 * ```
 */
export function postmortemGantt(postmortem: Postmortem): string {
  const phases = postmortem.phases;
  const times = phases.flatMap((p) => [Date.parse(p.start), Date.parse(p.end)]);
  const span = times.length > 0 ? Math.max(...times) - Math.min(...times) : 0;
  // Mermaid formats the axis with d3-time-format; show the date once the chart spans days.
  const axis = span > 36 * 3_600_000 ? '%m-%d %H:%M' : '%H:%M';
  const lines = [
    'gantt',
    `    title ${mermaidGanttText(`${postmortem.incident.id} ${postmortem.incident.title}`)} (UTC)`,
    '    dateFormat YYYY-MM-DD HH:mm:ss',
    `    axisFormat ${axis}`,
  ];
  let n = 0;
  for (const phase of ['impact', 'triage', 'responding', 'mitigated'] as const) {
    const segments = phases.filter((p) => p.phase === phase);
    if (segments.length === 0) continue;
    lines.push(`    section ${PHASE_TITLES[phase]}`);
    segments.forEach((segment, i) => {
      n += 1;
      const name = mermaidGanttText(`${PHASE_TITLES[phase]}${segments.length > 1 ? ` ${String(i + 1)}` : ''} (${formatDurationCompact(segment.durationMs)}${segment.ongoing ? ', ongoing' : ''})`);
      const tags = [phase === 'impact' ? 'crit' : segment.ongoing ? 'active' : 'done'];
      lines.push(`    ${name} :${tags.join(', ')}, p${String(n)}, ${ganttDate(segment.start)}, ${ganttDate(segment.end)}`);
    });
  }
  // Milestones after the last phase (a close days later) would squash the response into a sliver.
  const lastPhaseEnd = Math.max(...phases.map((p) => Date.parse(p.end)));
  const marks = postmortem.milestones.filter((m) => m.name !== 'started' && !(Date.parse(m.at) > lastPhaseEnd));
  if (marks.length > 0) {
    lines.push('    section Milestones');
    for (const mark of marks) {
      n += 1;
      lines.push(`    ${mermaidGanttText(MILESTONE_TITLES[mark.name] ?? mark.name)} :milestone, m${String(n)}, ${ganttDate(mark.at)}, 0m`);
    }
  }
  return lines.join('\n');
}

/**
 * Renders a review as Markdown: summary, details (incident type, status label, custom fields
 * as the review holds them, so redacted values stay redacted), impact, a Mermaid diagram of
 * the phases over time, detection, response, regulatory reporting (one table per clock, and
 * the deadlines missed), key timeline, root cause, the authors' sections, action items and
 * open questions. Text from the incident is escaped, so notes cannot break the layout.
 *
 * @example
 * ```ts
 * import { buildPostmortem, createIncidentEngine, memoryStore, renderPostmortemMarkdown } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const incident = await engine.declare({ title: 'Disk full', severity: 'SEV3', actor: { id: 'u1' } });
 * const markdown = renderPostmortemMarkdown(buildPostmortem(incident, await engine.timeline(incident.id)));
 * console.log(markdown.split('\n')[0]); // '# Post-incident review: Disk full'
 * ```
 */
export function renderPostmortemMarkdown(postmortem: Postmortem, options: RenderPostmortemOptions = {}): string {
  const level = Math.min(4, Math.max(1, Math.trunc(options.headingLevel ?? 1)));
  const h1 = '#'.repeat(level);
  const h2 = '#'.repeat(level + 1);
  const placeholder = options.placeholder ?? "_To be filled in by the review's authors._";
  const e = escapeMarkdown;
  const pm = postmortem;
  const out: string[] = [];
  const section = (title: string, ...body: string[]): void => {
    out.push(`${h2} ${title}`, '', ...body, '');
  };
  const list = (items: readonly string[]): string[] => (items.length === 0 ? [placeholder] : items.map((item) => `- ${e(item)}`));
  const ms = (value: number | undefined): string => (value === undefined ? '—' : formatDurationCompact(value));

  out.push(`${h1} Post-incident review: ${e(pm.incident.title)}`, '');
  if (pm.drill === true) out.push('> **This was a drill**: a practice incident, not a real one. Its notifications reached only drill-safe channels.', '');
  const facts = [
    `**${e(pm.incident.severity)}**`,
    pm.incident.service === undefined ? undefined : `service ${e(pm.incident.service)}`,
    `status ${e(pm.incident.status)}`,
    `incident ${e(pm.incident.id)}`,
    pm.generatedAt === undefined ? undefined : `generated ${when(pm.generatedAt)}`,
  ].filter((x): x is string => x !== undefined);
  out.push(facts.join(' · '), '');

  section('Summary', e(pm.summary));

  const inc = pm.incident;
  const details: [string, string][] = [
    ...(inc.type === undefined ? [] : [['Incident type', inc.type] as [string, string]]),
    ...(inc.statusLabel === undefined
      ? []
      : [['Status label', inc.statusLabelTitle === undefined || inc.statusLabelTitle === inc.statusLabel ? inc.statusLabel : `${inc.statusLabelTitle} (${inc.statusLabel})`] as [string, string]]),
  ];
  const fields = fieldRows(inc.fields);
  if (details.length > 0 || fields.length > 0) {
    section(
      'Details',
      '| Detail | Value |',
      '| --- | --- |',
      ...details.map(([name, value]) => `| ${name} | ${e(value)} |`),
      ...fields.map(([name, value]) => `| ${e(name)} | ${e(value)} |`),
    );
  }

  const impact = pm.impact;
  section(
    'Impact',
    '| | |',
    '| --- | --- |',
    `| Started | ${when(impact.startedAt)} |`,
    `| Ended | ${impact.ongoing ? 'ongoing' : `${when(impact.endedAt)}${impact.endedBy === undefined ? '' : ` (${impact.endedBy})`}`} |`,
    `| Duration | ${ms(impact.durationMs)}${impact.ongoing && impact.durationMs !== undefined ? ' so far' : ''} |`,
    `| Services | ${impact.services.length === 0 ? '—' : impact.services.map(e).join(', ')} |`,
    `| Severity | ${e(impact.severity)}${impact.severityChanges.length === 0 ? '' : ` (changed ${String(impact.severityChanges.length)}×: ${impact.severityChanges.map((c) => `${c.from === undefined ? '' : `${e(c.from)} → `}${e(c.to)}`).join(', ')})`} |`,
  );

  if (options.diagram ?? true) section('Timeline', '```mermaid', postmortemGantt(pm), '```');

  const d = pm.detection;
  const how = d.method === 'person' ? `declared by a person (${e(d.by)})` : d.method === 'integration' ? `raised by a monitoring signal (${e(d.by)})` : `raised by automation (${e(d.by)})`;
  section(
    'Detection',
    `The incident was ${how} at ${when(d.detectedAt)}, ${d.timeToDetectMs > 0 ? `${formatDurationCompact(d.timeToDetectMs)} after impact began` : 'as impact began'}.`,
  );

  const r = pm.response;
  const updates = Object.entries(r.updatesPosted).map(([audience, count]) => `${String(count)} to ${e(audience)}`);
  section(
    'Response',
    '| Measure | Time from detection |',
    '| --- | --- |',
    `| Time to acknowledge | ${ms(r.timeToAcknowledgeMs)} |`,
    `| Time to mitigate | ${ms(r.timeToMitigateMs)} |`,
    `| Time to resolve | ${ms(r.timeToResolveMs)} |`,
    '',
    `Escalations: ${String(r.escalations)}. Reopened: ${String(r.reopened)}×. Updates posted: ${updates.length === 0 ? 'none' : updates.join(', ')}.` +
      (r.targetBreaches.length === 0 ? '' : ` Targets missed: ${r.targetBreaches.map((b) => e(b.target)).join(', ')}.`) +
      (r.nobodyPaged.length === 0
        ? ''
        : ` Nobody could be paged: ${r.nobodyPaged
            .map((n) => `${n.level === undefined ? 'the last level' : `level ${String(n.level)}`}${n.targets.length === 0 ? '' : ` (${e(n.targets.join(', '))})`} at ${when(n.at)}`)
            .join('; ')}.`),
    '',
    ...(r.roles.length === 0
      ? ['No roles were assigned.']
      : ['| Role | Assignee | Assigned at |', '| --- | --- | --- |', ...r.roles.map((role) => `| ${e(role.role)} | ${e(role.assignee)} | ${when(role.assignedAt)} |`)]),
  );

  const reporting = pm.reporting;
  if (reporting.clocks.length > 0 || reporting.overdue.length > 0) {
    const body: string[] = [];
    for (const clock of reporting.clocks) {
      body.push(
        `**${e(clock.title)}**${clock.reference === '' ? '' : ` (${e(clock.reference)})`}: ${clock.status === 'overdue' ? '**overdue**' : clock.status}`,
        '',
        '| Report | Legal reference | Due (UTC) | Filed (UTC) | Status | Filing reference | Reason for delay |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...clock.phases.map(
          (p) =>
            `| ${e(p.title)} | ${p.reference === '' ? '—' : e(p.reference)} | ${p.dueAt === undefined ? '—' : ganttDate(p.dueAt)} | ${p.filedAt === undefined ? '—' : ganttDate(p.filedAt)} | ${REPORT_STATUS_TEXT[p.status]} | ${p.filingReference === undefined ? '—' : e(p.filingReference)} | ${p.reasonForDelay === undefined ? (p.reasonForDelayRequired ? '**required, not recorded**' : '—') : e(p.reasonForDelay)} |`,
        ),
        '',
      );
    }
    if (reporting.overdue.length > 0) {
      const titleOf = (regime: string, phase: string): string => {
        const clock = reporting.clocks.find((c) => c.regime === regime);
        const title = clock?.phases.find((p) => p.phase === phase)?.title;
        return clock === undefined || title === undefined ? `${regime} ${phase}` : `${title} (${clock.title})`;
      };
      body.push(
        'Deadlines missed:',
        '',
        ...reporting.overdue.map((o) => `- ${e(titleOf(o.regime, o.phase))}: due ${when(o.dueAt)}, recorded overdue ${when(o.at)}`),
      );
    }
    section('Regulatory reporting', ...(body.at(-1) === '' ? body.slice(0, -1) : body));
  }

  section(
    'Key timeline',
    ...(pm.keyTimeline.length === 0
      ? ['No events recorded.']
      : [
          '| Time (UTC) | Since impact | Event |',
          '| --- | --- | --- |',
          ...pm.keyTimeline.map((entry) => `| ${ganttDate(entry.at)} | +${formatDurationCompact(entry.offsetMs)} | ${e(entry.text)} |`),
        ]),
  );

  section(
    'Root cause and contributing factors',
    pm.rootCause === undefined ? '_No root cause has been recorded._' : `${e(pm.rootCause.summary)} _(recorded by ${e(pm.rootCause.recordedBy)}, ${when(pm.rootCause.recordedAt)})_`,
    '',
    ...(pm.contributingFactors.length === 0 ? ['_No contributing factors recorded._'] : pm.contributingFactors.map((f) => `- ${e(f)}`)),
  );

  if (pm.causes !== undefined) {
    section(
      'Causes by category',
      `_Taxonomy: ${e(pm.causes.taxonomy)}_`,
      '',
      ...pm.causes.categories.flatMap((c) => [
        `- **${e(c.title)}**`,
        ...c.causes.map((text) => `  - ${e(text)}`),
        ...c.contributing.map((text) => `  - ${e(text)} _(contributing)_`),
      ]),
    );
  }
  if (pm.hypotheses !== undefined) {
    section(
      'Hypotheses',
      '| Hypothesis | Outcome | Evidence | Note |',
      '| --- | --- | --- | --- |',
      ...pm.hypotheses.map((h) => `| ${e(h.statement)} | ${HYPOTHESIS_TITLES[h.status] ?? e(h.status)} | ${h.evidence.length === 0 ? '—' : h.evidence.map(e).join(', ')} | ${h.note === undefined ? '—' : e(h.note)} |`),
    );
  }
  if (pm.evidence !== undefined) {
    section(
      'Evidence',
      '| Id | Kind | Reference | SHA-256 | Added (UTC) | By | Note |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...pm.evidence.map((v) => `| ${e(v.id)} | ${e(v.kind)} | ${e(v.uri)} | ${v.sha256 === undefined ? '—' : `\`${v.sha256}\``} | ${ganttDate(v.addedAt)} | ${e(v.addedBy)} | ${e(v.note)} |`),
    );
  }
  if (pm.milestoneCorrections !== undefined) {
    section(
      'Milestone corrections',
      ...pm.milestoneCorrections.map((c) => `- ${e(c.milestone)}: ${when(c.from)} → ${when(c.to)}, by ${e(c.by)} at ${when(c.at)}: ${e(c.reason)}`),
    );
  }

  section('What went well', ...list(pm.wentWell));
  section('What went poorly', ...list(pm.wentPoorly));
  section('Where we got lucky', ...list(pm.gotLucky));

  section(
    'Action items',
    ...(pm.actionItems.length === 0
      ? ['_No action items yet._']
      : [
          '| Action | Kind | Strength | Owner | Due | Status |',
          '| --- | --- | --- | --- | --- | --- |',
          ...pm.actionItems.map(
            (a) =>
              `| ${e(a.title)} | ${e(a.kind ?? '—')} | ${e(a.strength ?? 'unrated')} | ${e(a.owner ?? '—')} | ${a.dueAt === undefined ? '—' : a.dueAt.slice(0, 10)} | ${e(a.status)}${a.overdue ? ' **(overdue)**' : ''} |`,
          ),
        ]),
  );

  if (pm.tasks !== undefined && pm.tasks.length > 0) {
    section(
      'Tasks',
      '| Task | Phase | Status | Due | Done or skipped | By |',
      '| --- | --- | --- | --- | --- | --- |',
      ...pm.tasks.map((t) => {
        const status = t.status === 'skipped' ? `skipped: ${t.skipReason ?? ''}` : t.status === 'done' && t.evidence !== undefined ? `done: ${t.evidence}` : t.status;
        const settled = t.completedAt ?? t.skippedAt;
        const after = t.settledAfterMs === undefined ? '' : ` (+${formatDurationCompact(t.settledAfterMs)})`;
        return `| ${e(t.title)} | ${t.phase} | ${e(status)}${t.overdueAt === undefined ? '' : ' **(overdue)**'} | ${when(t.dueAt)} | ${settled === undefined ? '—' : `${when(settled)}${after}`} | ${e(t.completedBy ?? t.skippedBy ?? '—')} |`;
      }),
    );
  }

  if (pm.links.length > 0) {
    section('Related incidents', ...pm.links.map((link) => `- ${LINK_TITLES[link.kind]} ${e(link.incidentId)} _(${when(link.at)})_`));
  }

  if (pm.problems.length > 0) {
    section(
      'Linked problems',
      ...pm.problems.map(
        (p) =>
          `- ${e(p.id)}: ${e(p.title)} (${p.relation === 'knownErrorMatch' ? 'known error this incident resembled' : e(p.status ?? 'linked')})` +
          (p.rootCause === undefined ? '' : `. Root cause: ${e(p.rootCause)}`) +
          (p.workaround === undefined ? '' : `. Workaround: ${e(p.workaround)}`),
      ),
    );
  }

  section('Open questions', ...(pm.openQuestions.length === 0 ? ['_None._'] : pm.openQuestions.map((q) => `- ${e(q)}`)));

  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * Exports a review as JSON (the {@link Postmortem} object, which is plain data).
 *
 * @example
 * ```ts
 * import { buildPostmortem, createIncidentEngine, memoryStore, postmortemToJson } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const incident = await engine.declare({ title: 'Disk full', severity: 'SEV3', actor: { id: 'u1' } });
 * const json = postmortemToJson(buildPostmortem(incident, await engine.timeline(incident.id)));
 * console.log(JSON.parse(json).format); // 'incidentkit.postmortem'
 * ```
 */
export function postmortemToJson(postmortem: Postmortem, space: number | string = 2): string {
  return JSON.stringify(postmortem, null, space);
}

/** How each link kind reads in front of the other incident's id. */
const LINK_TITLES: Readonly<Record<IncidentLinkKind, string>> = {
  relatesTo: 'Related to',
  causedBy: 'Caused by',
  causes: 'Caused',
  parentOf: 'Parent of',
  childOf: 'Part of',
  recurrenceOf: 'A recurrence of',
  recurredAs: 'Recurred as',
  mergedInto: 'Merged into',
  mergedFrom: 'Merged from',
};
