import { ValidationError } from '../../errors.js';
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import { SYSTEM_ACTOR } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { parseInput } from '../../kernel/parse.js';
import { findSimilarIncidents } from './findSimilarIncidents.js';
import type { ImportIncidentInput } from '../../engine/commands.js';
import type { EngineCore } from '../../engine/core.js';

const MILESTONE_ORDER = ['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'resolvedAt', 'closedAt'] as const;

/**
 * History import, scanning and recurrence: the engine parts of review and prevention.
 *
 * @internal
 */
export function createHistory(core: EngineCore) {
  const { schemas } = core;

  async function importIncident(input: ImportIncidentInput): Promise<Incident> {
    const parsed = parseInput(schemas.importIncident, input, 'importIncident');
    const { milestones: m, actor } = parsed;
    const now = core.now();
    const issues = [];
    for (const [name, value] of Object.entries(m)) {
      if (value !== undefined && value > now) issues.push({ code: 'custom', path: ['milestones', name], message: `${name} is in the future.` });
    }
    if (!parsed.allowUnordered) {
      let previous: { name: string; at: string } | undefined;
      for (const name of MILESTONE_ORDER) {
        const at = m[name];
        if (at === undefined) continue;
        if (previous !== undefined && at < previous.at) {
          issues.push({
            code: 'custom',
            path: ['milestones', name],
            message: `${name} (${at}) is before ${previous.name} (${previous.at}); fix the times or pass allowUnordered: true.`,
          });
        }
        previous = { name, at };
      }
      if (m.diagnosedAt !== undefined && (m.diagnosedAt < m.detectedAt || (m.closedAt !== undefined && m.diagnosedAt > m.closedAt))) {
        issues.push({
          code: 'custom',
          path: ['milestones', 'diagnosedAt'],
          message: 'diagnosedAt must fall between detectedAt and closedAt; fix the times or pass allowUnordered: true.',
        });
      }
    }
    if (issues.length > 0) throw new ValidationError('importIncident', issues);

    const steps: { at: string; event: LifecycleEventDraft }[] = [];
    if (m.acknowledgedAt !== undefined) steps.push({ at: m.acknowledgedAt, event: { type: 'ACKNOWLEDGE' } });
    if (m.mitigatedAt !== undefined) steps.push({ at: m.mitigatedAt, event: { type: 'MITIGATE', summary: 'Mitigated (imported).' } });
    if (m.diagnosedAt !== undefined) {
      steps.push({
        at: m.diagnosedAt,
        event: { type: 'RECORD_ROOT_CAUSE', summary: parsed.rootCause ?? 'Diagnosed (imported).', contributingFactors: [] },
      });
    }
    if (m.resolvedAt !== undefined) steps.push({ at: m.resolvedAt, event: { type: 'RESOLVE', summary: 'Resolved (imported).' } });
    if (m.closedAt !== undefined) steps.push({ at: m.closedAt, event: { type: 'CLOSE' } });
    // In time order when the times are ordered (a diagnosis may come before or after mitigation);
    // in lifecycle order when the caller allowed unordered times.
    if (!parsed.allowUnordered) steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const history = steps.map((step) => ({ ...step.event, at: step.at, actor }));
    return core.create(
      {
        ...(parsed.id === undefined ? {} : { id: parsed.id }),
        title: parsed.title,
        severity: parsed.severity,
        service: parsed.service ?? parsed.services?.[0],
        services: parsed.services,
        summary: parsed.summary,
        startedAt: m.startedAt,
        labels: parsed.labels,
        fields: parsed.fields,
        imported: true,
        drill: parsed.drill,
        actor,
        at: m.detectedAt,
      },
      history,
      // History is recorded as it happened: no review policy, escalations, reminders or targets.
      { reviewRequiredFor: [] },
      'importIncident',
    );
  }

  /**
   * Records the most similar recent incidents on a new incident's timeline (policy `similar`),
   * among those `mayRead` allows (the declaring actor's view: links carry titles).
   */
  async function linkSimilar(incident: Incident, mayRead: (candidate: Incident) => Promise<boolean> = () => Promise.resolve(true)): Promise<Incident> {
    const policy = core.similar;
    if (policy === undefined) return incident;
    const since = new Date(Date.parse(incident.detectedAt) - policy.lookbackDays * 86_400_000).toISOString();
    const candidates: Incident[] = [];
    for await (const candidate of core.scan()) {
      if (candidate.detectedAt < since) break; // newest first: the rest is older still
      if (candidate.id !== incident.id && (await mayRead(candidate))) candidates.push(candidate);
    }
    const similar = findSimilarIncidents(incident, candidates, { limit: policy.limit, minScore: policy.minScore });
    if (similar.length === 0) return incident;
    return core.command(incident.id, SYSTEM_ACTOR, () => ({
      type: 'LINK_SIMILAR',
      similar: similar.map((s) => ({
        // Ids only: a title is shown at read time, to readers who may read that incident.
        id: s.incident.id,
        score: Math.round(s.score * 1000) / 1000,
        reasons: s.reasons.map((r) => r.detail),
      })),
    }), undefined);
  }

  return { importIncident, linkSimilar };
}
