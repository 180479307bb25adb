import type { IncidentEventType } from '../../model/event.js';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { ActorKind } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { parseInput } from '../../kernel/parse.js';
import { nonEmptyString as str } from '../../kernel/text.js';
import { timeValueMs, toEpochMs } from '../../kernel/toEpochMs.js';
import { ACTION_ITEM_STRENGTHS } from '../../model/actionItems.js';
import { describeEvent, targetName } from '../../lifecycle/describeEvent.js';
import { formatDurationCompact } from '../../kernel/timeFormat.js';
import { customFields } from './customFields.js';
import { eventsFromMilestones, phasesOf } from './phasesOf.js';
import { reportingOf, reportingQuestions } from './reportingOf.js';
import { investigationOf } from './investigationOf.js';
import type { BuildPostmortemOptions, Postmortem, PostmortemActionItem, PostmortemTimelineEntry, RedactField, TimelineEventLike } from './types.js';
import { tasksOf } from './tasksOf.js';
import type { PostmortemProblem, PostmortemProblemInput } from './types.js';

/**
 * The event types a review's key timeline shows by default: the response and its regulatory
 * reporting (clocks started, reports filed or overdue), not the review's own bookkeeping.
 */
export const KEY_EVENT_TYPES: readonly IncidentEventType[] = [
  'DECLARED',
  'ACKNOWLEDGED',
  'ROLE_ASSIGNED',
  'SEVERITY_CHANGED',
  'ESCALATED',
  'TARGET_BREACHED',
  'NOBODY_PAGED',
  'NOTE_ADDED',
  'UPDATE_POSTED',
  'MITIGATED',
  'ROOT_CAUSE_RECORDED',
  'RESOLVED',
  'REOPENED',
  'CANCELED',
  'CLOSED',
  'CLOCK_STARTED',
  'REPORT_FILED',
  'REPORT_OVERDUE',
  'KNOWN_ERROR_MATCHED',
  'PROBLEM_PROPOSED',
  'HYPOTHESIS_ADDED',
  'HYPOTHESIS_UPDATED',
  'EVIDENCE_ADDED',
  'MILESTONE_CORRECTED',
];

const fn = /* @__PURE__ */ z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'Must be a function.' });
const texts = /* @__PURE__ */ (() => z.array(z.string()).max(1_000))();
const optionsSchema = /* @__PURE__ */ (() => z.strictObject({
  now: z
    .union([z.date(), z.number(), z.string()])
    .refine((v) => Number.isFinite(timeValueMs(v)), { message: 'Must be a valid date.' })
    .optional(),
  redact: fn.optional(),
  displayName: fn.optional(),
  summary: z.string().optional(),
  wentWell: texts.optional(),
  wentPoorly: texts.optional(),
  gotLucky: texts.optional(),
  openQuestions: texts.optional(),
  suggestQuestions: z.boolean().optional(),
  keyEventTypes: z.array(z.string()).optional(),
  maxTimelineEntries: z.number().int().min(0).optional(),
  includeSensitiveFields: z.boolean().optional(),
  problems: z.array(z.looseObject({ id: z.string(), title: z.string(), status: z.string(), workaround: z.string().optional(), rootCause: z.string().optional() })).optional(),
  causeTaxonomies: z.array(z.unknown()).optional(),
}))();

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Builds a structured post-incident review from an incident and its timeline.
 *
 * @remarks
 * Pure: it reads only its arguments. Detection is `person` when the `DECLARED` event's actor
 * is a user and `integration` when a monitoring signal raised it. Response times are measured
 * from `detectedAt`; impact runs from `startedAt` to the first mitigation or resolution (of
 * the last cycle, when the incident was reopened). Phases are cut from the timeline, so a
 * reopened incident shows each cycle; without a timeline they come from the milestones.
 * What went well, what went poorly and where we got lucky stay empty for the authors unless
 * given in the options; open questions are suggested from gaps (no root cause, no action
 * items, impact found by people before monitoring, a report still overdue …).
 *
 * Custom fields are included with the values at the incident's `policy.sensitiveFields` (e.g.
 * a patient identifier) replaced by `[REDACTED]`, unless `includeSensitiveFields: true`; the
 * key timeline names changed fields but never their values. Regulatory clocks are listed per
 * regime and report, with statuses at `now` when it is given.
 *
 * @example
 * ```ts
 * import { buildPostmortem, createIncidentEngine, memoryStore, renderPostmortemMarkdown } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const incident = await engine.declare({ title: 'Checkout errors', severity: 'SEV2', actor: { id: 'u1' } });
 * const review = buildPostmortem(await engine.get(incident.id), await engine.timeline(incident.id), {
 *   now: new Date(),
 *   wentWell: ['The on-call engineer found the bad deploy in minutes.'],
 * });
 * console.log(renderPostmortemMarkdown(review));
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the timeline belongs to another incident or the options are malformed.
 * @throws ConfigError (`CONFIG_INVALID`) when the incident's `policy.sensitiveFields` holds a malformed field path.
 */
export function buildPostmortem(
  incident: Incident,
  timeline: readonly TimelineEventLike[] = [],
  options: BuildPostmortemOptions = {},
): Postmortem {
  parseInput(optionsSchema, options, 'buildPostmortem options');
  const foreign = timeline.find((event) => event.incidentId !== undefined && event.incidentId !== incident.id);
  if (foreign !== undefined) {
    throw new ValidationError('buildPostmortem', [
      {
        code: 'custom',
        path: ['timeline', timeline.indexOf(foreign), 'incidentId'],
        message: `The timeline holds an event of incident ${foreign.incidentId ?? ''}, not of ${incident.id}; pass engine.timeline('${incident.id}')`,
      },
    ]);
  }
  const redact = (text: string, field: RedactField): string => (options.redact === undefined ? text : options.redact(text, field));
  const nameOf = (actor: { readonly kind?: ActorKind; readonly id: string; readonly name?: string }): string =>
    options.displayName === undefined ? (actor.name ?? actor.id) : options.displayName(actor);
  const nowMs = options.now === undefined ? undefined : toEpochMs(options.now, 'buildPostmortem now');

  const events = [...timeline].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const detectedMs = timeValueMs(incident.detectedAt);
  const startedMs = Math.min(timeValueMs(incident.startedAt), detectedMs);
  const lastEventMs = Math.max(timeValueMs(incident.updatedAt), ...events.map((e) => timeValueMs(e.at)).filter(Number.isFinite));
  const endMs = nowMs !== undefined && nowMs > lastEventMs ? nowMs : lastEventMs;
  const lifecycle = events.length > 0 ? events.map((e) => ({ type: e.type, ms: timeValueMs(e.at) })) : eventsFromMilestones(incident);
  const { phases, milestones, impactEnd } = phasesOf(lifecycle, startedMs, endMs);
  const ongoing = impactEnd === undefined;

  const declared = events.find((e) => e.type === 'DECLARED');
  const detectedBy = declared?.actor ?? incident.createdBy;
  const method = detectedBy.kind === 'user' ? 'person' : detectedBy.kind;
  const since = (at: string | undefined): number | undefined => (at === undefined ? undefined : timeValueMs(at) - detectedMs);

  const keyTypes = new Set(options.keyEventTypes ?? KEY_EVENT_TYPES);
  let keyTimeline = events
    .filter((e) => keyTypes.has(e.type))
    .map((e): PostmortemTimelineEntry => ({
      ...(e.seq === undefined ? {} : { seq: e.seq }),
      at: e.at,
      offsetMs: timeValueMs(e.at) - startedMs,
      type: e.type,
      actor: nameOf(e.actor),
      actorKind: e.actor.kind,
      text: describeEvent(e, incident, redact, nameOf),
    }));
  if (options.maxTimelineEntries !== undefined) keyTimeline = keyTimeline.slice(0, options.maxTimelineEntries);

  const severityChanges = events
    .filter((e) => e.type === 'SEVERITY_CHANGED')
    .map((e) => {
      const from = str(e.data.previous);
      const reason = str(e.data.reason);
      return { at: e.at, ...(from === undefined ? {} : { from }), to: str(e.data.severity) ?? '', ...(reason === undefined ? {} : { reason: redact(reason, 'reason') }) };
    });
  const updatesPosted: Record<string, number> = {};
  for (const e of events) {
    if (e.type !== 'UPDATE_POSTED') continue;
    const audience = str(e.data.audience) ?? 'internal';
    updatesPosted[audience] = (updatesPosted[audience] ?? 0) + 1;
  }
  const services = [...new Set([...(incident.service === undefined ? [] : [incident.service]), ...servicesField(incident)])];

  const actionItems = incident.actionItems.map((item): PostmortemActionItem => {
    const due = item.dueAt === undefined ? Number.NaN : timeValueMs(item.dueAt);
    return {
      id: item.id,
      title: redact(item.title, 'actionItem'),
      ...(item.owner === undefined ? {} : { owner: item.owner }),
      ...(item.dueAt === undefined ? {} : { dueAt: item.dueAt }),
      ...(item.kind === undefined ? {} : { kind: item.kind }),
      ...(item.strength === undefined ? {} : { strength: item.strength }),
      status: item.status,
      overdue: nowMs !== undefined && (item.status === 'open' || item.status === 'in_progress') && due < nowMs,
    };
  });

  const impactDuration = (impactEnd?.ms ?? (nowMs !== undefined ? endMs : Number.NaN)) - startedMs;
  const timeToDetectMs = detectedMs - startedMs;
  const rootCause = incident.rootCause;
  const contributingFactors = (rootCause?.contributingFactors ?? []).map((f) => redact(f, 'contributingFactor'));
  const title = redact(incident.title, 'title');

  const questions = [...(options.openQuestions ?? [])];
  if (options.suggestQuestions ?? true) {
    if (rootCause === undefined) questions.push('What was the root cause? None has been recorded yet.');
    else if (contributingFactors.length === 0) questions.push('Which factors contributed to the incident, beyond the root cause?');
    if (incident.actionItems.length === 0) questions.push('Which actions would prevent a recurrence, or detect and contain it sooner?');
    else if (!incident.actionItems.some((a) => a.strength !== undefined && ACTION_ITEM_STRENGTHS.indexOf(a.strength) < 2 && a.status !== 'wont_do')) {
      questions.push('Every action item relies on people (weaker or unrated); is there a stronger one that changes the system?');
    }
    if (method === 'person' && timeToDetectMs > 0) {
      questions.push(`Impact went unnoticed for ${formatDurationCompact(timeToDetectMs)} and a person declared the incident; why did monitoring not catch it?`);
    }
    const recurs = (incident.links ?? []).find((link) => link.kind === 'recurrenceOf');
    if (recurs !== undefined) questions.push(`This is a recurrence of ${recurs.incidentId}; why did its fix not prevent this one?`);
    if (incident.reopenCount > 0) questions.push(`The incident was reopened ${String(incident.reopenCount)} time(s); why did the first fix not hold?`);
  }

  const reporting = reportingOf(incident, events, nowMs, redact);
  if (options.suggestQuestions ?? true) questions.push(...reportingQuestions(reporting.clocks));
  const statusLabelTitle =
    incident.statusLabel === undefined ? undefined : incident.policy.statusLabels?.labels.find((l) => l.name === incident.statusLabel)?.title;

  const projected = escalationFacts(incident);
  const review = incident.review;
  const summary =
    options.summary ??
    (review?.summary === undefined ? undefined : redact(review.summary, 'summary')) ??
    (incident.summary === undefined ? undefined : redact(incident.summary, 'summary')) ??
    generatedSummary(incident, title, services, impactDuration, impactEnd?.by, rootCause === undefined ? undefined : redact(rootCause.summary, 'rootCause'));

  return {
    format: 'incidentkit.postmortem',
    version: 1,
    incident: {
      id: incident.id,
      title,
      severity: incident.severity,
      status: incident.status,
      ...(incident.service === undefined ? {} : { service: incident.service }),
      ...(incident.dedupKey === undefined ? {} : { dedupKey: incident.dedupKey }),
      labels: { ...incident.labels },
      ...(incident.type === undefined ? {} : { type: incident.type }),
      ...(incident.statusLabel === undefined ? {} : { statusLabel: incident.statusLabel }),
      ...(statusLabelTitle === undefined ? {} : { statusLabelTitle }),
      fields: customFields(incident, options.includeSensitiveFields === true, options.redact === undefined ? undefined : (text) => redact(text, 'field')),
    },
    ...(nowMs === undefined ? {} : { generatedAt: iso(nowMs) }),
    summary,
    impact: {
      startedAt: iso(startedMs),
      ...(impactEnd === undefined ? {} : { endedAt: iso(impactEnd.ms), endedBy: impactEnd.by }),
      ...(Number.isFinite(impactDuration) ? { durationMs: impactDuration } : {}),
      ongoing,
      services,
      severity: incident.severity,
      severityChanges,
    },
    detection: { method, by: nameOf(detectedBy), startedAt: iso(startedMs), detectedAt: incident.detectedAt, timeToDetectMs },
    response: {
      roles: Object.entries(incident.roles).map(([role, a]) => ({ role, assignee: nameOf(a.assignee), assignedAt: a.assignedAt })),
      escalations: Math.max(events.filter((e) => e.type === 'ESCALATED').length, projected.escalations),
      targetBreaches: events.some((e) => e.type === 'TARGET_BREACHED')
        ? events.filter((e) => e.type === 'TARGET_BREACHED').map((e) => ({ target: str(e.data.target) ?? 'unknown', at: e.at }))
        : projected.breaches,
      nobodyPaged: events
        .filter((e) => e.type === 'NOBODY_PAGED')
        .map((e) => ({
          ...(typeof e.data.level === 'number' ? { level: e.data.level } : {}),
          targets: Array.isArray(e.data.targets) ? e.data.targets.map(targetName).filter((t): t is string => t !== undefined) : [],
          at: e.at,
        })),
      reopened: incident.reopenCount,
      updatesPosted,
      ...optionalMs('timeToAcknowledgeMs', since(incident.acknowledgedAt)),
      ...optionalMs('timeToMitigateMs', since(incident.mitigatedAt)),
      ...optionalMs('timeToResolveMs', since(incident.resolvedAt)),
    },
    phases,
    milestones,
    keyTimeline,
    ...(rootCause === undefined
      ? {}
      : { rootCause: { summary: redact(rootCause.summary, 'rootCause'), recordedAt: rootCause.recordedAt, recordedBy: nameOf(rootCause.recordedBy) } }),
    contributingFactors,
    wentWell: [...(options.wentWell ?? [])],
    wentPoorly: [...(options.wentPoorly ?? [])],
    gotLucky: [...(options.gotLucky ?? [])],
    actionItems,
    links: (incident.links ?? []).map((link) => ({ kind: link.kind, incidentId: link.incidentId, at: link.at })),
    problems: problemsOf(incident, options.problems ?? [], redact),
    reporting,
    ...((incident.tasks ?? []).length === 0 ? {} : { tasks: tasksOf(incident, events, redact, nameOf) }),
    openQuestions: questions,
    ...(review === undefined
      ? {}
      : {
          review: {
            ...(review.owner === undefined ? {} : { owner: review.owner }),
            startedAt: review.startedAt,
            ...(review.completedAt === undefined ? {} : { completedAt: review.completedAt }),
            ...(review.summary === undefined ? {} : { summary: redact(review.summary, 'summary') }),
          },
        }),
    ...investigationOf(incident, events, redact, nameOf, options.causeTaxonomies),
    ...(incident.drill === true ? { drill: true as const } : {}),
  };
}

function optionalMs<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined || !Number.isFinite(value) ? {} : ({ [key]: value } as Partial<Record<K, number>>);
}

/** Escalations and missed targets as the projection counts them (read structurally, for reviews built without a timeline). */
function escalationFacts(incident: Incident): { escalations: number; breaches: { target: string; at: string }[] } {
  const value = incident as unknown as { escalation?: { count?: unknown }; breaches?: unknown };
  const count = value.escalation?.count;
  const breaches = Array.isArray(value.breaches)
    ? value.breaches.flatMap((b: unknown) => {
        const breach = b as { target?: unknown; at?: unknown };
        return typeof breach.target === 'string' && typeof breach.at === 'string' ? [{ target: breach.target, at: breach.at }] : [];
      })
    : [];
  return { escalations: typeof count === 'number' ? count : 0, breaches };
}

/** Reads a future `services: string[]` on the projection without depending on it. */
function servicesField(incident: Incident): string[] {
  const value: unknown = (incident as unknown as { services?: unknown }).services;
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
}

function generatedSummary(
  incident: Incident,
  title: string,
  services: readonly string[],
  impactMs: number,
  endedBy: string | undefined,
  rootCause: string | undefined,
): string {
  const where = services.length > 0 ? ` affecting ${services.join(', ')}` : '';
  const impact = Number.isFinite(impactMs)
    ? endedBy === undefined
      ? ` Impact has lasted ${formatDurationCompact(impactMs)} so far.`
      : ` Impact lasted ${formatDurationCompact(impactMs)} until it was ${endedBy}.`
    : '';
  const cause = rootCause === undefined ? '' : ` Root cause: ${rootCause}`;
  const sentence = cause === '' || /[.!?]$/.test(cause) ? cause : `${cause}.`;
  return `${incident.severity} incident "${title}"${where}.${impact}${sentence}`;
}

/** The problems a review shows: those given (linked), then the matched known error unless given. */
function problemsOf(incident: Incident, given: readonly PostmortemProblemInput[], redact: (text: string, field: RedactField) => string): PostmortemProblem[] {
  const shown = given.map(
    (p): PostmortemProblem => ({
      id: p.id,
      title: redact(p.title, 'title'),
      status: p.status,
      ...(p.workaround === undefined ? {} : { workaround: redact(p.workaround, 'mitigation') }),
      ...(p.rootCause === undefined ? {} : { rootCause: redact(p.rootCause, 'rootCause') }),
      relation: 'linked',
    }),
  );
  const matched = incident.knownError;
  if (matched !== undefined && !given.some((p) => p.id === matched.problemId)) {
    shown.push({ id: matched.problemId, title: redact(matched.title, 'title'), workaround: redact(matched.workaround, 'mitigation'), relation: 'knownErrorMatch' });
  }
  return shown;
}
