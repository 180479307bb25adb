import { ValidationError } from '../../errors.js';
import { describeEvent, type RedactField, type TimelineEventLike } from '../../lifecycle/describeEvent.js';
import type { IncidentEventType } from '../../model/event.js';
import type { Incident } from '../../model/incident.js';
import { isNistCsfTag, NIST_CSF_CATEGORIES, NIST_CSF_FUNCTIONS, type NistCsfTag } from '../../model/nistCsf.js';
import { NIST_REPORT_SECTIONS, type BuildNistReportOptions, type NistReport, type NistReportEntry, type NistReportEvidence, type NistReportSectionId } from './nistReportTypes.js';

/**
 * The NIST CSF 2.0 category an untagged event is filed under, by stored type: the outcome the
 * event is evidence of. Types not listed (notes, tasks, fields, links …) are filed only when tagged.
 *
 * @remarks
 * | events | tag | CSF 2.0 outcome |
 * |---|---|---|
 * | `DECLARED` | `DE.AE` | adverse events analysed; incident declared (DE.AE-08) |
 * | `ALERT_ATTACHED`, `ALERT_STATUS_CHANGED` | `DE.CM` | continuous monitoring |
 * | `ACKNOWLEDGED`, `ROLE_ASSIGNED`, `SEVERITY_CHANGED`, `ESCALATED`, `NOBODY_PAGED`, `REOPENED`, `CANCELED` | `RS.MA` | incident management: triage, prioritisation, escalation |
 * | `HYPOTHESIS_ADDED`, `HYPOTHESIS_UPDATED`, `EVIDENCE_ADDED`, `ROOT_CAUSE_RECORDED`, `SIMILAR_INCIDENTS_FOUND`, `CHANGES_LINKED`, `KNOWN_ERROR_MATCHED` | `RS.AN` | incident analysis |
 * | `UPDATE_POSTED`, `CLOCK_STARTED`, `REPORT_FILED`, `REPORT_OVERDUE`, `PUBLISHED`, `PUBLIC_UPDATE_POSTED` | `RS.CO` | incident response reporting and communication |
 * | `MITIGATED` | `RS.MI` | incident mitigation (containment) |
 * | `RESOLVED`, `CLOSED` | `RC.RP` | incident recovery plan execution |
 * | `REVIEW_STARTED`, `REVIEW_COMPLETED`, `ACTION_ITEM_ADDED`, `ACTION_ITEM_UPDATED`, `PROBLEM_PROPOSED` | `ID.IM` | improvement (lessons learned) |
 *
 * @example
 * ```ts
 * import { DEFAULT_NIST_TAGS } from 'incidentkit';
 *
 * console.log(DEFAULT_NIST_TAGS.MITIGATED); // ['RS.MI']
 * ```
 */
export const DEFAULT_NIST_TAGS: Readonly<Partial<Record<IncidentEventType, readonly NistCsfTag[]>>> = /* @__PURE__ */ Object.freeze({
  DECLARED: ['DE.AE'],
  ALERT_ATTACHED: ['DE.CM'],
  ALERT_STATUS_CHANGED: ['DE.CM'],
  ACKNOWLEDGED: ['RS.MA'],
  ROLE_ASSIGNED: ['RS.MA'],
  SEVERITY_CHANGED: ['RS.MA'],
  ESCALATED: ['RS.MA'],
  NOBODY_PAGED: ['RS.MA'],
  REOPENED: ['RS.MA'],
  CANCELED: ['RS.MA'],
  HYPOTHESIS_ADDED: ['RS.AN'],
  HYPOTHESIS_UPDATED: ['RS.AN'],
  EVIDENCE_ADDED: ['RS.AN'],
  ROOT_CAUSE_RECORDED: ['RS.AN'],
  SIMILAR_INCIDENTS_FOUND: ['RS.AN'],
  CHANGES_LINKED: ['RS.AN'],
  KNOWN_ERROR_MATCHED: ['RS.AN'],
  UPDATE_POSTED: ['RS.CO'],
  CLOCK_STARTED: ['RS.CO'],
  REPORT_FILED: ['RS.CO'],
  REPORT_OVERDUE: ['RS.CO'],
  PUBLISHED: ['RS.CO'],
  PUBLIC_UPDATE_POSTED: ['RS.CO'],
  MITIGATED: ['RS.MI'],
  RESOLVED: ['RC.RP'],
  CLOSED: ['RC.RP'],
  REVIEW_STARTED: ['ID.IM'],
  REVIEW_COMPLETED: ['ID.IM'],
  ACTION_ITEM_ADDED: ['ID.IM'],
  ACTION_ITEM_UPDATED: ['ID.IM'],
  PROBLEM_PROPOSED: ['ID.IM'],
});

/** The report section each tag belongs to. */
function sectionOf(tag: NistCsfTag): NistReportSectionId {
  switch (tag) {
    case 'DE':
    case 'DE.CM':
    case 'DE.AE':
      return 'detection';
    case 'RS':
    case 'RS.MA':
    case 'RS.AN':
      return 'analysis';
    case 'RS.MI':
      return 'containmentEradication';
    case 'RS.CO':
      return 'communication';
    case 'RC':
    case 'RC.RP':
    case 'RC.CO':
      return 'recovery';
    case 'ID.IM':
      return 'lessonsLearned';
    default:
      return 'preparation';
  }
}

const SECTION_TITLES: Readonly<Record<NistReportSectionId, string>> = {
  detection: 'Detection',
  analysis: 'Analysis',
  containmentEradication: 'Containment and eradication',
  recovery: 'Recovery',
  lessonsLearned: 'Lessons learned',
  communication: 'Communication',
  preparation: 'Preparation',
};

/** Every tag in CSF order. */
const ALL_TAGS: readonly NistCsfTag[] = /* @__PURE__ */ (() => [...NIST_CSF_FUNCTIONS.map((f) => f.id), ...NIST_CSF_CATEGORIES.map((c) => c.id)])();

/** The tags a stored value holds (a list of tag strings), in CSF order; unknown strings are skipped. */
function tagsIn(value: unknown): NistCsfTag[] {
  return Array.isArray(value) ? value.filter(isNistCsfTag) : [];
}

const inCsfOrder = (tags: Iterable<NistCsfTag>): NistCsfTag[] => {
  const set = new Set(tags);
  return ALL_TAGS.filter((tag) => set.has(tag));
};

/**
 * Builds an incident report shaped after NIST SP 800-61 Rev. 3 (which lays incident response
 * onto the CSF 2.0 functions) from an incident and its timeline: detection, analysis,
 * containment and eradication, recovery and lessons learned, plus communication and
 * preparation; the evidence with its chain of custody; root cause and action items.
 *
 * @remarks
 * Pure: it reads only its arguments. Each timeline event is filed by its NIST CSF 2.0 tags —
 * those of the command that recorded it (`nist`) and of every later `engine.tagEvent` naming
 * it — or, when it has none, by {@link DEFAULT_NIST_TAGS} (e.g. `DECLARED` → `DE.AE`,
 * `MITIGATED` → `RS.MI`, `RESOLVED` → `RC.RP`). An event with tags of two sections appears in
 * both; one with neither lands in `unmapped`. Tag sections: `DE` → detection; `RS.MA`, `RS.AN`
 * → analysis; `RS.MI` → containment and eradication; `RC` → recovery; `ID.IM` → lessons learned;
 * `RS.CO` → communication; the other Govern, Identify and Protect outcomes → preparation.
 * Render it with {@link renderNistReportMarkdown}.
 * @example
 * ```ts
 * import { buildNistReport, createIncidentEngine, memoryStore, renderNistReportMarkdown } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const actor = { id: 'u_ada', name: 'Ada' };
 * const { id } = await engine.declare({ title: 'Credential stuffing on /login', severity: 'SEV1', actor });
 * await engine.addNote(id, { text: 'Rate limit raised on /login', nist: ['RS.MI'], actor });
 * await engine.resolve(id, { summary: 'Attack stopped; passwords of 12 accounts reset', actor });
 * const report = buildNistReport(await engine.get(id), await engine.timeline(id));
 * console.log(report.sections.find((s) => s.id === 'containmentEradication')?.entries.length); // 1
 * console.log(renderNistReportMarkdown(report));
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the timeline holds an event of another incident.
 */
export function buildNistReport(incident: Incident, timeline: readonly (TimelineEventLike & { readonly hash?: string })[] = [], options: BuildNistReportOptions = {}): NistReport {
  const foreign = timeline.find((event) => event.incidentId !== undefined && event.incidentId !== incident.id);
  if (foreign !== undefined) {
    throw new ValidationError('buildNistReport', [
      {
        code: 'custom',
        path: ['timeline', timeline.indexOf(foreign), 'incidentId'],
        message: `The timeline holds an event of incident ${foreign.incidentId ?? ''}, not of ${incident.id}; pass engine.timeline('${incident.id}')`,
      },
    ]);
  }
  const redact = (text: string, field: RedactField): string => (options.redact === undefined ? text : options.redact(text, field));
  const nameOf = (actor: { readonly id: string; readonly name?: string }): string => (options.displayName === undefined ? (actor.name ?? actor.id) : options.displayName(actor));
  const defaults = { ...DEFAULT_NIST_TAGS, ...options.defaultTags } as Readonly<Record<string, readonly NistCsfTag[] | undefined>>;
  const events = [...timeline].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));

  // Tags added after the fact, by the seq of the event they name.
  const later = new Map<number, NistCsfTag[]>();
  for (const event of events) {
    if (event.type !== 'EVENT_TAGGED' || typeof event.data.eventSeq !== 'number') continue;
    later.set(event.data.eventSeq, [...(later.get(event.data.eventSeq) ?? []), ...tagsIn(event.data.tags)]);
  }

  const bySection = new Map<NistReportSectionId, NistReportEntry[]>(NIST_REPORT_SECTIONS.map((id) => [id, []]));
  const unmapped: NistReportEntry[] = [];
  const tagCounts = new Map<NistCsfTag, number>();
  for (const event of events) {
    if (event.type === 'EVENT_TAGGED') continue;
    const own = inCsfOrder([...tagsIn(event.data.nist), ...(event.seq === undefined ? [] : (later.get(event.seq) ?? []))]);
    const tags = own.length > 0 ? own : inCsfOrder(defaults[event.type] ?? []);
    const entry: NistReportEntry = {
      ...(event.seq === undefined ? {} : { seq: event.seq }),
      type: event.type,
      at: event.at,
      by: nameOf(event.actor),
      text: describeEvent(event, incident, redact, nameOf),
      tags,
      tagSource: own.length > 0 ? 'tagged' : 'default',
    };
    if (tags.length === 0) unmapped.push(entry);
    for (const tag of tags) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
    for (const section of new Set(tags.map(sectionOf))) bySection.get(section)?.push(entry);
  }

  const sections = NIST_REPORT_SECTIONS.map((id) => ({
    id,
    title: SECTION_TITLES[id],
    covers: ALL_TAGS.filter((tag) => sectionOf(tag) === id),
    entries: bySection.get(id) ?? [],
  }));

  const recordedBy = new Map(events.filter((e) => e.type === 'EVIDENCE_ADDED').map((e) => [String(e.data.evidenceId), e]));
  const evidence: NistReportEvidence[] = (incident.evidence ?? []).map((item) => {
    const event = recordedBy.get(item.id);
    return {
      id: item.id,
      kind: item.kind,
      storedAt: item.uri,
      ...(item.sha256 === undefined ? {} : { sha256: item.sha256 }),
      note: redact(item.note, 'evidence'),
      collectedBy: nameOf(item.addedBy),
      collectedByActor: item.addedBy,
      collectedAt: item.addedAt,
      ...(event?.seq === undefined ? {} : { eventSeq: event.seq }),
      ...(event?.hash === undefined ? {} : { eventHash: event.hash }),
    };
  });

  const { rootCause } = incident;
  return {
    incident: {
      id: incident.id,
      title: redact(incident.title, 'title'),
      severity: incident.severity,
      status: incident.status,
      ...(incident.service === undefined ? {} : { service: incident.service }),
      startedAt: incident.startedAt,
      detectedAt: incident.detectedAt,
      ...(incident.acknowledgedAt === undefined ? {} : { acknowledgedAt: incident.acknowledgedAt }),
      ...(incident.mitigatedAt === undefined ? {} : { mitigatedAt: incident.mitigatedAt }),
      ...(incident.resolvedAt === undefined ? {} : { resolvedAt: incident.resolvedAt }),
      ...(incident.closedAt === undefined ? {} : { closedAt: incident.closedAt }),
    },
    sections,
    evidence,
    lessons: {
      ...(rootCause === undefined ? {} : { rootCause: redact(rootCause.summary, 'rootCause') }),
      contributingFactors: (rootCause?.contributingFactors ?? []).map((f) => redact(f, 'contributingFactor')),
      causes: (rootCause?.causes ?? []).map((c) => ({ category: c.category, description: redact(c.description, 'cause'), contributing: c.contributing === true })),
      actionItems: incident.actionItems.map((item) => ({
        id: item.id,
        title: redact(item.title, 'actionItem'),
        ...(item.owner === undefined ? {} : { owner: item.owner }),
        ...(item.dueAt === undefined ? {} : { dueAt: item.dueAt }),
        status: item.status,
        ...(item.kind === undefined ? {} : { kind: item.kind }),
      })),
    },
    unmapped,
    tagCounts: Object.fromEntries(ALL_TAGS.flatMap((tag) => (tagCounts.has(tag) ? [[tag, tagCounts.get(tag)]] : []))),
  };
}
