import { escapeMarkdown } from '../../kernel/markdown.js';
import { formatTime } from '../../kernel/timeFormat.js';
import type { NistReport, NistReportEntry, NistReportSection } from './nistReportTypes.js';

/** Options of {@link renderNistReportMarkdown}. */
export interface RenderNistReportOptions {
  /** Also render sections without events (`_No events._`). Default: `false`, except the five of SP 800-61r3, which are always shown. */
  readonly emptySections?: boolean;
  /** List the events neither tagged nor mapped by default at the end. Default: `false`. */
  readonly unmapped?: boolean;
}

/** The five sections every report shows, even empty: an empty one says so. */
const ALWAYS_SHOWN = new Set(['detection', 'analysis', 'containmentEradication', 'recovery', 'lessonsLearned']);

const esc = escapeMarkdown;

function entryLine(entry: NistReportEntry): string {
  const seq = entry.seq === undefined ? '' : ` (#${String(entry.seq)})`;
  const tags = entry.tags.map((t) => `\`${t}\``).join(' ');
  const source = entry.tagSource === 'default' ? ' _(by event type)_' : '';
  return `- ${formatTime(entry.at)}${seq}: ${esc(entry.text)} — ${tags}${source}`;
}

function sectionLines(section: NistReportSection): string[] {
  const lines = [`## ${section.title} (${section.covers.join(', ')})`, ''];
  lines.push(...(section.entries.length === 0 ? ['_No events._'] : section.entries.map(entryLine)), '');
  return lines;
}

/**
 * Renders a {@link NistReport} as Markdown: a summary table, the sections of an SP 800-61r3
 * report with each event's CSF 2.0 tags, the evidence with its chain of custody, and the
 * lessons learned (root cause, causes, action items). Every text from the incident is escaped.
 *
 * @example
 * ```ts
 * import { buildNistReport, createIncidentEngine, memoryStore, renderNistReportMarkdown } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const { id } = await engine.declare({ title: 'Phishing campaign', severity: 'SEV2', actor: { id: 'u_ada' } });
 * const markdown = renderNistReportMarkdown(buildNistReport(await engine.get(id), await engine.timeline(id)));
 * console.log(markdown.split('\n')[0]); // '# Incident report: Phishing campaign'
 * ```
 */
export function renderNistReportMarkdown(report: NistReport, options: RenderNistReportOptions = {}): string {
  const { incident } = report;
  const lines: string[] = [
    `# Incident report: ${esc(incident.title)}`,
    '',
    '_Structured after NIST SP 800-61 Rev. 3; events are tagged with NIST CSF 2.0 functions and categories._',
    '',
    '| | |',
    '|---|---|',
    `| Incident | \`${incident.id}\` |`,
    `| Severity | ${esc(incident.severity)} |`,
    `| Status | ${incident.status} |`,
  ];
  if (incident.service !== undefined) lines.push(`| Service | ${esc(incident.service)} |`);
  const milestones: [string, string | undefined][] = [
    ['Impact started', incident.startedAt],
    ['Detected', incident.detectedAt],
    ['Acknowledged', incident.acknowledgedAt],
    ['Mitigated', incident.mitigatedAt],
    ['Resolved', incident.resolvedAt],
    ['Closed', incident.closedAt],
  ];
  for (const [label, at] of milestones) if (at !== undefined) lines.push(`| ${label} | ${formatTime(at)} |`);
  const counts = Object.entries(report.tagCounts).map(([tag, n]) => `${tag} ×${String(n)}`);
  if (counts.length > 0) lines.push(`| CSF 2.0 tags | ${counts.join(', ')} |`);
  lines.push('');

  for (const section of report.sections) {
    if (section.id === 'lessonsLearned') continue;
    if (section.entries.length > 0 || ALWAYS_SHOWN.has(section.id) || options.emptySections === true) lines.push(...sectionLines(section));
  }

  lines.push('## Evidence and chain of custody', '');
  if (report.evidence.length === 0) lines.push('_No evidence recorded._', '');
  else {
    lines.push('| Evidence | Kind | Stored at | SHA-256 | Collected by | Collected at | Timeline event |', '|---|---|---|---|---|---|---|');
    for (const e of report.evidence) {
      const event = e.eventSeq === undefined ? '' : `#${String(e.eventSeq)}${e.eventHash === undefined ? '' : ` (\`${e.eventHash.slice(0, 12)}…\`)`}`;
      lines.push(`| \`${e.id}\`: ${esc(e.note)} | ${e.kind} | ${esc(e.storedAt)} | ${e.sha256 === undefined ? '—' : `\`${e.sha256}\``} | ${esc(e.collectedBy)} | ${formatTime(e.collectedAt)} | ${event} |`);
    }
    lines.push('');
  }

  const lessons = report.sections.find((s) => s.id === 'lessonsLearned');
  const { rootCause, contributingFactors, causes, actionItems } = report.lessons;
  lines.push(`## Lessons learned (${lessons?.covers.join(', ') ?? 'ID.IM'})`, '');
  lines.push(`**Root cause:** ${rootCause === undefined ? '_not recorded_' : esc(rootCause)}`, '');
  if (contributingFactors.length > 0) lines.push('**Contributing factors:**', '', ...contributingFactors.map((f) => `- ${esc(f)}`), '');
  if (causes.length > 0) lines.push('**Causes:**', '', ...causes.map((c) => `- ${esc(c.category)}: ${esc(c.description)}${c.contributing ? ' _(contributing)_' : ''}`), '');
  if (actionItems.length === 0) lines.push('**Action items:** _none_', '');
  else {
    lines.push('| Action item | Owner | Due | Status |', '|---|---|---|---|');
    for (const item of actionItems) lines.push(`| ${esc(item.title)} | ${item.owner === undefined ? '—' : esc(item.owner)} | ${item.dueAt === undefined ? '—' : formatTime(item.dueAt)} | ${item.status} |`);
    lines.push('');
  }
  if (lessons !== undefined && lessons.entries.length > 0) lines.push(...lessons.entries.map(entryLine), '');

  if (options.unmapped === true && report.unmapped.length > 0) {
    lines.push('## Other events (no CSF tag)', '', ...report.unmapped.map((e) => `- ${formatTime(e.at)}${e.seq === undefined ? '' : ` (#${String(e.seq)})`}: ${esc(e.text)}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
