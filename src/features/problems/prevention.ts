/**
 * The prevention loop at a new incident: a known error it resembles shows its workaround at once
 * (`MATCH_KNOWN_ERROR`), and a recurrence with no problem yet proposes one (`PROPOSE_PROBLEM`).
 */
import type { EngineCore } from '../../engine/core.js';
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import type { IncidentMachineInput } from '../../lifecycle/incidentContext.js';
import type { Incident } from '../../model/incident.js';
import type { SimilarityInput } from '../../model/similarity.js';
import type { Problem } from './problemMachine.js';

/**
 * Ranks `candidates` by similarity to `incident`: `findSimilarIncidents`, which the composition
 * root hands in (features do not import each other).
 */
export type FindSimilar = <T extends SimilarityInput>(
  incident: SimilarityInput,
  candidates: Iterable<T>,
  options: { readonly limit: number; readonly minScore: number },
) => readonly { readonly incident: T; readonly score: number; readonly reasons: readonly { readonly detail: string }[] }[];

/** The problems feature's prevention options, validated (see `ProblemsOptions`). */
export interface PreventionOptions {
  readonly knownErrors: false | { readonly minScore: number };
  readonly recurrence?: { readonly threshold: number; readonly windowDays: number; readonly minScore: number } | undefined;
}

/** How many of a known error's incidents (the most recently linked) a new incident is compared with. */
const KNOWN_ERROR_SAMPLE = 20;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** What recurrence detection reads of a new incident, from what starts it. */
function similarityOf(input: IncidentMachineInput): SimilarityInput {
  return {
    id: input.id,
    title: input.title,
    ...(input.service === undefined ? {} : { service: input.service }),
    ...(input.services === undefined ? {} : { services: input.services }),
    ...(input.labels === undefined ? {} : { labels: input.labels }),
    ...(input.dedupKey === undefined ? {} : { dedupKey: input.dedupKey }),
    ...(input.alert === undefined ? {} : { fingerprints: [input.alert.fingerprint], alerts: [{ fingerprint: input.alert.fingerprint, dedupKey: input.alert.dedupKey }] }),
    detectedAt: input.at,
  };
}

/**
 * The events the problems feature records in a new incident's creation commit: at most one
 * `MATCH_KNOWN_ERROR` (the best-scoring known error), else at most one `PROPOSE_PROBLEM`.
 *
 * @internal
 */
export async function preventionEvents(
  core: EngineCore,
  findSimilarIncidents: FindSimilar,
  options: PreventionOptions,
  input: IncidentMachineInput,
  problems: readonly Problem[],
): Promise<LifecycleEventDraft[]> {
  const subject = similarityOf(input);
  if (options.knownErrors !== false) {
    let best: { readonly problem: Problem; readonly incident: Incident; readonly score: number; readonly reasons: readonly string[] } | undefined;
    for (const problem of problems) {
      if (problem.status !== 'knownError' || problem.workaround === undefined) continue;
      const linked: Incident[] = [];
      for (const link of problem.incidents.slice(-KNOWN_ERROR_SAMPLE)) {
        const stored = await core.store.load(core.tenantId, link.incidentId);
        if (stored !== undefined) linked.push(stored.incident);
      }
      const [top] = findSimilarIncidents(subject, linked, { limit: 1, minScore: options.knownErrors.minScore });
      if (top !== undefined && (best === undefined || top.score > best.score)) {
        best = { problem, incident: top.incident, score: top.score, reasons: top.reasons.map((r) => r.detail) };
      }
    }
    if (best?.problem.workaround !== undefined) {
      return [
        {
          type: 'MATCH_KNOWN_ERROR',
          problemId: best.problem.id,
          title: best.problem.title,
          workaround: best.problem.workaround,
          incidentId: best.incident.id,
          score: round(best.score),
          reasons: best.reasons,
        },
      ];
    }
  }
  const recurrence = options.recurrence;
  // A drill proposes no problem (and, as no candidate of findSimilarIncidents, counts toward none).
  if (recurrence === undefined || input.drill === true) return [];
  const since = new Date(Date.parse(input.at) - recurrence.windowDays * 86_400_000).toISOString();
  const candidates: Incident[] = [];
  for await (const candidate of core.scan()) {
    if (candidate.detectedAt < since) break; // newest first: the rest is older still
    if (candidate.id !== input.id) candidates.push(candidate);
  }
  const similar = findSimilarIncidents(subject, candidates, { limit: 1_000, minScore: recurrence.minScore });
  if (similar.length + 1 < recurrence.threshold) return [];
  // A recurrence already covered (a problem that is not closed, or an earlier proposal) is not proposed again.
  const covered = new Set(problems.filter((problem) => problem.status !== 'closed').flatMap((problem) => problem.incidents.map((link) => link.incidentId)));
  if (similar.some(({ incident }) => covered.has(incident.id) || incident.problemProposal !== undefined)) return [];
  return [{ type: 'PROPOSE_PROBLEM', similar: similar.map(({ incident }) => incident.id), windowDays: recurrence.windowDays }];
}
