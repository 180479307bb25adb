/** The investigation part of a post-incident review: hypotheses, evidence, causes by category, milestone corrections. */

import { BUILT_IN_CAUSE_TAXONOMIES } from '../../model/causeTaxonomies.js';
import type { Incident } from '../../model/incident.js';
import type { CauseTaxonomy } from '../../model/investigation.js';
import { nonEmptyString as str } from '../../kernel/text.js';
import type { PostmortemCauses, PostmortemEvidence, PostmortemHypothesis, PostmortemMilestoneCorrection, RedactField, TimelineEventLike } from './types.js';

/** What {@link investigationOf} adds to a review: only the parts that have something to show. */
export interface PostmortemInvestigation {
  readonly hypotheses?: readonly PostmortemHypothesis[];
  readonly evidence?: readonly PostmortemEvidence[];
  readonly causes?: PostmortemCauses;
  readonly milestoneCorrections?: readonly PostmortemMilestoneCorrection[];
}

/**
 * The investigation of `incident` as a review shows it.
 *
 * @internal
 */
export function investigationOf(
  incident: Incident,
  events: readonly TimelineEventLike[],
  redact: (text: string, field: RedactField) => string,
  nameOf: (actor: { readonly id: string; readonly name?: string }) => string,
  taxonomies: readonly CauseTaxonomy[] = [],
): PostmortemInvestigation {
  const hypotheses = (incident.hypotheses ?? []).map(
    (h): PostmortemHypothesis => ({
      id: h.id,
      statement: redact(h.statement, 'hypothesis'),
      status: h.status,
      evidence: [...(h.evidence ?? [])],
      ...(h.note === undefined ? {} : { note: redact(h.note, 'hypothesis') }),
      createdAt: h.createdAt,
      createdBy: nameOf(h.createdBy),
      updatedAt: h.updatedAt,
    }),
  );
  const evidence = (incident.evidence ?? []).map(
    (e): PostmortemEvidence => ({
      id: e.id,
      kind: e.kind,
      uri: e.uri,
      ...(e.sha256 === undefined ? {} : { sha256: e.sha256 }),
      note: redact(e.note, 'evidence'),
      addedAt: e.addedAt,
      addedBy: nameOf(e.addedBy),
    }),
  );
  const corrections = events
    .filter((e) => e.type === 'MILESTONE_CORRECTED')
    .map((e): PostmortemMilestoneCorrection => {
      const from = str(e.data.previous);
      return {
        milestone: str(e.data.milestone) ?? '',
        ...(from === undefined ? {} : { from }),
        to: str(e.data.to) ?? '',
        reason: redact(str(e.data.reason) ?? '', 'reason'),
        at: e.at,
        by: nameOf(e.actor),
      };
    });
  const causes = causesOf(incident, redact, taxonomies);
  return {
    ...(hypotheses.length === 0 ? {} : { hypotheses }),
    ...(evidence.length === 0 ? {} : { evidence }),
    ...(causes === undefined ? {} : { causes }),
    ...(corrections.length === 0 ? {} : { milestoneCorrections: corrections }),
  };
}

/** The root cause's causes by category: the taxonomy's categories in order, then unknown ones as recorded. */
function causesOf(incident: Incident, redact: (text: string, field: RedactField) => string, taxonomies: readonly CauseTaxonomy[]): PostmortemCauses | undefined {
  const recorded = incident.rootCause?.causes ?? [];
  if (recorded.length === 0) return undefined;
  const id = incident.rootCause?.taxonomy ?? 'it';
  const taxonomy = [...taxonomies, ...BUILT_IN_CAUSE_TAXONOMIES].find((t) => t.id === id);
  const order = [...(taxonomy?.categories.map((c) => c.id) ?? []), ...recorded.map((c) => c.category)];
  const categories = [...new Set(order)].flatMap((category) => {
    const inCategory = recorded.filter((c) => c.category === category);
    if (inCategory.length === 0) return [];
    return [
      {
        category,
        title: taxonomy?.categories.find((c) => c.id === category)?.title ?? category,
        causes: inCategory.filter((c) => c.contributing !== true).map((c) => redact(c.description, 'cause')),
        contributing: inCategory.filter((c) => c.contributing === true).map((c) => redact(c.description, 'cause')),
      },
    ];
  });
  return { taxonomy: id, categories };
}
