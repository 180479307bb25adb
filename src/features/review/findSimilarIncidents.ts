import { z } from 'zod';
import { parseInput } from '../../kernel/parse.js';
import { timeValueMs, type TimeInput } from '../../kernel/toEpochMs.js';
import type { SimilarityInput } from '../../model/similarity.js';

export type { SimilarityInput } from '../../model/similarity.js';

/** Which piece of evidence a {@link SimilarityReason} is about. */
export type SimilarityReasonKind = 'dedupKey' | 'fingerprint' | 'service' | 'labels' | 'title';

/** One piece of evidence that two incidents are related. */
export interface SimilarityReason {
  readonly kind: SimilarityReasonKind;
  /** How similar this aspect is, in [0, 1]. */
  readonly similarity: number;
  /** What it adds to the score given the other reasons before it. */
  readonly weight: number;
  /** A sentence a responder can read, e.g. `same service 'checkout'`. */
  readonly detail: string;
}

/** A candidate ranked by {@link findSimilarIncidents}. */
export interface SimilarIncident<T> {
  readonly incident: T;
  /** In [0, 1]; higher is more similar. */
  readonly score: number;
  /** The evidence, strongest first. */
  readonly reasons: readonly SimilarityReason[];
}

/**
 * How much each kind of evidence counts, each in [0, 1].
 *
 * @remarks The score combines evidence like independent signals (a noisy-OR):
 * `score = 1 − Π (1 − weight × similarity)`. One strong piece of evidence (an identical
 * dedup key) therefore decides on its own, weaker ones add up without ever exceeding 1.
 */
export interface SimilarityWeights {
  readonly dedupKey: number;
  readonly fingerprint: number;
  readonly service: number;
  readonly labels: number;
  readonly title: number;
}

/** The default {@link SimilarityWeights}: identity (dedup key, fingerprints) outweighs any context. */
export const DEFAULT_SIMILARITY_WEIGHTS: SimilarityWeights = /* @__PURE__ */ Object.freeze({
  dedupKey: 0.95,
  fingerprint: 0.9,
  service: 0.3,
  labels: 0.3,
  title: 0.6,
});

/** Options of {@link findSimilarIncidents}. */
export interface FindSimilarOptions {
  /** At most this many results. Default: 5. */
  readonly limit?: number;
  /** Only results scoring at least this. Default: 0.4. */
  readonly minScore?: number;
  /** Override some of {@link DEFAULT_SIMILARITY_WEIGHTS}. */
  readonly weights?: Partial<SimilarityWeights>;
  /** Leave out the incident itself (same `id`). Default: `true`. */
  readonly excludeSelf?: boolean;
  /** Labels that vary between occurrences of the same problem (e.g. `instance`, `pod`) and should not count. */
  readonly ignoreLabels?: readonly string[];
  /** Only candidates detected at or after this time. */
  readonly since?: TimeInput;
  /** Consider drills (`drill: true`) as candidates too. Default: `false` (practice is no history). */
  readonly includeDrills?: boolean;
}

const weight = /* @__PURE__ */ z.number().min(0).max(1);
const optionsSchema = /* @__PURE__ */ (() => z.strictObject({
  limit: z.number().int().min(1).max(1_000).optional(),
  minScore: z.number().min(0).max(1).optional(),
  weights: z
    .strictObject({
      dedupKey: weight.optional(),
      fingerprint: weight.optional(),
      service: weight.optional(),
      labels: weight.optional(),
      title: weight.optional(),
    })
    .optional(),
  excludeSelf: z.boolean().optional(),
  includeDrills: z.boolean().optional(),
  ignoreLabels: z.array(z.string()).optional(),
  since: z
    .union([z.date(), z.number(), z.string()])
    .refine((v) => Number.isFinite(timeValueMs(v)), { message: 'Must be a valid date.' })
    .optional(),
}))();

/** Words too common in incident titles to say anything. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'at', 'by', 'for', 'from', 'in', 'is', 'of', 'on', 'or', 'the', 'to', 'with', 'was', 'were', 'be',
]);

/** Lowercase words of a title, numbers collapsed (`500`, `502` and `5xx` differ in digits, not in meaning). */
function normalizeTitle(title: string): string[] {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0 && !STOP_WORDS.has(word))
    .map((word) => word.replace(/\d+/g, '0'));
}

function trigramCounts(words: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of words) {
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i += 1) {
      const gram = padded.slice(i, i + 3);
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}

interface TitleProfile {
  readonly words: ReadonlySet<string>;
  readonly grams: ReadonlyMap<string, number>;
  readonly norm: number;
}

function titleProfile(title: string): TitleProfile {
  const words = normalizeTitle(title);
  const grams = trigramCounts(words);
  let sum = 0;
  for (const c of grams.values()) sum += c * c;
  return { words: new Set(words), grams, norm: Math.sqrt(sum) };
}

function cosine(a: TitleProfile, b: TitleProfile): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.grams.size <= b.grams.size ? [a.grams, b.grams] : [b.grams, a.grams];
  let dot = 0;
  for (const [gram, count] of small) dot += count * (large.get(gram) ?? 0);
  return Math.min(1, dot / (a.norm * b.norm));
}

/**
 * How similar two incident titles are, in [0, 1]: the cosine similarity of their character
 * trigrams (over lowercase words, stop words dropped, digits collapsed), so `Checkout API
 * timeouts` and `checkout api timeout` score high and word order does not matter.
 *
 * @example
 * ```ts
 * import { titleSimilarity } from 'incidentkit';
 *
 * console.log(titleSimilarity('Checkout API timeouts', 'Timeouts in the checkout API') > 0.9); // true
 * console.log(titleSimilarity('Checkout API timeouts', 'Login page slow') < 0.2); // true
 * ```
 */
export function titleSimilarity(a: string, b: string): number {
  return cosine(titleProfile(a), titleProfile(b));
}

function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared += 1;
  return shared / (a.size + b.size - shared);
}

function intersection<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): T[] {
  return [...a].filter((x) => b.has(x));
}

function servicesOf(incident: SimilarityInput): Set<string> {
  const set = new Set<string>(incident.services ?? []);
  if (incident.service !== undefined) set.add(incident.service);
  return set;
}

function fingerprintsOf(incident: SimilarityInput): Set<string> {
  const set = new Set<string>(incident.fingerprints ?? []);
  for (const alert of incident.alerts ?? []) if (alert.fingerprint !== undefined && alert.fingerprint !== '') set.add(alert.fingerprint);
  return set;
}

function dedupKeysOf(incident: SimilarityInput): Set<string> {
  const set = new Set<string>();
  if (incident.dedupKey !== undefined) set.add(incident.dedupKey);
  for (const alert of incident.alerts ?? []) if (alert.dedupKey !== undefined && alert.dedupKey !== '') set.add(alert.dedupKey);
  return set;
}

function labelPairs(incident: SimilarityInput, ignore: ReadonlySet<string>): Set<string> {
  const set = new Set<string>();
  for (const [key, value] of Object.entries(incident.labels ?? {})) if (!ignore.has(key)) set.add(`${key}=${value}`);
  return set;
}

function quoteList(items: readonly string[], max = 4): string {
  const shown = items.slice(0, max).map((x) => `'${x}'`);
  return items.length > max ? `${shown.join(', ')} and ${String(items.length - max)} more` : shown.join(', ');
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Ranks past incidents by how likely they are the same problem as `incident`: an identical
 * dedup key or shared alert fingerprints first, then the same service, shared labels (Jaccard)
 * and a similar title (trigram cosine). Each result carries its score in [0, 1] and the reasons.
 * Drills (`drill: true`) are no candidates unless `includeDrills`.
 *
 * @remarks Pure and synchronous: the caller chooses the candidates (e.g. the last 90 days of
 * one tenant). Scores combine the evidence as a noisy-OR (see {@link SimilarityWeights}); with
 * the default weights an identical dedup key (≥ 0.95) always outranks a same-service incident
 * with an identical title and labels (≤ 0.81). Ties go to the most recently detected.
 *
 * @example
 * ```ts
 * import { findSimilarIncidents } from 'incidentkit';
 *
 * const current = { id: 'inc_9', title: 'Checkout API timeouts', service: 'checkout' };
 * const past = [
 *   { id: 'inc_3', title: 'Timeouts on the checkout API', service: 'checkout' },
 *   { id: 'inc_4', title: 'Login page slow', service: 'auth' },
 * ];
 * const [best] = findSimilarIncidents(current, past);
 * console.log(best?.incident.id, best?.reasons.map((r) => r.kind)); // inc_3 ['title', 'service']
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the options are malformed.
 */
export function findSimilarIncidents<T extends SimilarityInput>(
  incident: SimilarityInput,
  candidates: Iterable<T>,
  options: FindSimilarOptions = {},
): SimilarIncident<T>[] {
  const parsed = parseInput(optionsSchema, options, 'findSimilarIncidents options');
  const weights: SimilarityWeights = { ...DEFAULT_SIMILARITY_WEIGHTS, ...stripUndefined(parsed.weights ?? {}) };
  const limit = parsed.limit ?? 5;
  const minScore = parsed.minScore ?? 0.4;
  const excludeSelf = parsed.excludeSelf ?? true;
  const ignore = new Set(parsed.ignoreLabels ?? []);
  const sinceMs = options.since === undefined ? Number.NEGATIVE_INFINITY : timeValueMs(options.since);

  const title = titleProfile(incident.title);
  const services = servicesOf(incident);
  const fingerprints = fingerprintsOf(incident);
  const dedupKeys = dedupKeysOf(incident);
  const labels = labelPairs(incident, ignore);

  const results: (SimilarIncident<T> & { readonly detectedMs: number })[] = [];
  for (const candidate of candidates) {
    if (excludeSelf && incident.id !== undefined && candidate.id === incident.id) continue;
    if (candidate.drill === true && parsed.includeDrills !== true) continue;
    const detectedMs = timeValueMs(candidate.detectedAt);
    if (sinceMs !== Number.NEGATIVE_INFINITY && !(detectedMs >= sinceMs)) continue;
    const evidence: { kind: SimilarityReasonKind; similarity: number; detail: string }[] = [];

    const sharedKeys = intersection(dedupKeys, dedupKeysOf(candidate));
    if (sharedKeys.length > 0) {
      evidence.push({ kind: 'dedupKey', similarity: 1, detail: `same dedup key ${quoteList(sharedKeys)}` });
    }
    const theirFingerprints = fingerprintsOf(candidate);
    const sharedFingerprints = intersection(fingerprints, theirFingerprints);
    if (sharedFingerprints.length > 0) {
      // Any shared alert is strong evidence; sharing all of them is stronger.
      const similarity = 0.5 + 0.5 * jaccard(fingerprints, theirFingerprints);
      evidence.push({ kind: 'fingerprint', similarity, detail: `shares alert fingerprint${sharedFingerprints.length === 1 ? '' : 's'} ${quoteList(sharedFingerprints)}` });
    }
    const theirServices = servicesOf(candidate);
    const sharedServices = intersection(services, theirServices);
    if (sharedServices.length > 0) {
      const similarity = jaccard(services, theirServices);
      const detail = sharedServices.length === 1 && similarity === 1 ? `same service '${sharedServices[0] ?? ''}'` : `shares service${sharedServices.length === 1 ? '' : 's'} ${quoteList(sharedServices)}`;
      evidence.push({ kind: 'service', similarity, detail });
    }
    const theirLabels = labelPairs(candidate, ignore);
    const sharedLabels = intersection(labels, theirLabels);
    if (sharedLabels.length > 0) {
      const union = labels.size + theirLabels.size - sharedLabels.length;
      evidence.push({
        kind: 'labels',
        similarity: jaccard(labels, theirLabels),
        detail: `shares ${String(sharedLabels.length)} of ${String(union)} labels (${quoteList(sharedLabels)})`,
      });
    }
    const theirTitle = titleProfile(candidate.title);
    const titleScore = cosine(title, theirTitle);
    if (titleScore > 0) {
      const words = intersection(title.words, theirTitle.words);
      const detail = `similar title (${titleScore.toFixed(2)})${words.length > 0 ? `: shared words ${quoteList(words, 6)}` : ''}`;
      evidence.push({ kind: 'title', similarity: titleScore, detail });
    }

    const weighted = evidence
      .map((e) => ({ ...e, strength: weights[e.kind] * e.similarity }))
      .filter((e) => e.strength > 0)
      .sort((a, b) => b.strength - a.strength);
    let remaining = 1;
    const reasons: SimilarityReason[] = [];
    for (const e of weighted) {
      reasons.push({ kind: e.kind, similarity: round(e.similarity), weight: round(remaining * e.strength), detail: e.detail });
      remaining *= 1 - e.strength;
    }
    const score = round(1 - remaining);
    if (reasons.length === 0 || score < minScore) continue;
    results.push({ incident: candidate, score, reasons, detectedMs });
  }

  results.sort((a, b) => b.score - a.score || (b.detectedMs || 0) - (a.detectedMs || 0) || String(a.incident.id).localeCompare(String(b.incident.id)));
  return results.slice(0, limit).map(({ incident: found, score, reasons }) => ({ incident: found, score, reasons }));
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
