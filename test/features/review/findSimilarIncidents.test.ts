import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { isIncidentKitError } from '../../../src/errors.js';
import { findSimilarIncidents, titleSimilarity, type SimilarityInput } from '../../../src/features/review/findSimilarIncidents.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { thrown } from '../../helpers.js';

const actor = { id: 'u_alice' } as const;

describe('findSimilarIncidents ranks recurrences', () => {
  it('exact dedup key > same service with a similar title > unrelated, with reasons', async () => {
    const clock = createManualClock('2026-01-01T00:00:00Z');
    const engine = createIncidentEngine({ store: memoryStore(), clock, ids: sequentialIds() });
    const sameKey = await engine.declare({ title: 'Disk full on db-7', severity: 'SEV3', service: 'storage', dedupKey: 'checkout-5xx', actor });
    await engine.cancel(sameKey.id, { reason: 'false_positive', actor });
    clock.advance(86_400_000);
    const sameService = await engine.declare({ title: 'Checkout API returns 502 errors', severity: 'SEV2', service: 'checkout', actor });
    const unrelated = await engine.declare({ title: 'Login page slow', severity: 'SEV4', service: 'auth', actor });
    clock.advance(86_400_000);
    const current = await engine.declare({ title: 'Checkout API: 503 errors', severity: 'SEV2', service: 'checkout', dedupKey: 'checkout-5xx', actor });
    const candidates = (await engine.list({ limit: 50 })).items;

    const results = findSimilarIncidents(current, candidates, { minScore: 0 });
    // The incident itself is left out, and the unrelated one has no evidence at all, even with minScore 0.
    expect(results.map((r) => r.incident.id)).toEqual([sameKey.id, sameService.id]);
    expect(candidates.map((c) => c.id)).toContain(unrelated.id);

    const [byKey, byService] = results;
    expect(byKey?.score).toBeGreaterThanOrEqual(0.95);
    expect(byKey?.reasons[0]).toMatchObject({ kind: 'dedupKey', similarity: 1, detail: "same dedup key 'checkout-5xx'" });
    expect(byService?.reasons.map((r) => r.kind)).toEqual(['title', 'service']);
    expect(byService?.reasons[1]?.detail).toBe("same service 'checkout'");
    expect(byService?.reasons[0]?.detail).toMatch(/^similar title \(0\.\d\d\): shared words 'checkout', 'api', '0', 'errors'$/);
    // A same-service incident with a different title still ranks, below one with a similar title.
    const other = await engine.declare({ title: 'Banner misaligned on cart page', severity: 'SEV5', service: 'checkout', actor });
    const ranked = findSimilarIncidents(current, [...candidates, other], { minScore: 0 });
    expect(ranked.map((r) => r.incident.id)).toEqual([sameKey.id, sameService.id, other.id]);
    expect(ranked[2]?.score).toBeLessThan(0.4);
    expect(findSimilarIncidents(current, [...candidates, other]).map((r) => r.incident.id)).toEqual([sameKey.id, sameService.id]);
  });

  it('shared alert fingerprints count like identity, read structurally from alerts or fingerprints', () => {
    const current: SimilarityInput = { id: 'a', title: 'High latency', alerts: [{ fingerprint: 'f1' }, { fingerprint: 'f2' }] };
    const results = findSimilarIncidents(current, [
      { id: 'b', title: 'Something else entirely', fingerprints: ['f2'] },
      { id: 'c', title: 'High latency', service: 'x' },
    ]);
    expect(results[0]?.incident.id).toBe('b');
    expect(results[0]?.reasons[0]).toMatchObject({ kind: 'fingerprint', detail: "shares alert fingerprint 'f2'" });
    expect(results[0]?.score).toBeGreaterThan(results[1]?.score ?? 1);
  });

  it("an attached alert's dedup key matches another incident's dedup key", () => {
    const current: SimilarityInput = { id: 'a', title: 'Queue lag', alerts: [{ fingerprint: 'f9', dedupKey: 'orders-lag' }] };
    const [match] = findSimilarIncidents(current, [{ id: 'b', title: 'Consumer stalled', dedupKey: 'orders-lag' }]);
    expect(match?.reasons[0]).toMatchObject({ kind: 'dedupKey', detail: "same dedup key 'orders-lag'" });
    expect(match?.score).toBeGreaterThanOrEqual(0.95);
  });

  it('labels count by Jaccard, ignoring labels that vary per occurrence', () => {
    const current = { id: 'a', title: 'x', labels: { team: 'core', region: 'eu', pod: 'api-1' } };
    const candidate = { id: 'b', title: 'y', labels: { team: 'core', region: 'eu', pod: 'api-2' } };
    const [withPod] = findSimilarIncidents(current, [candidate], { minScore: 0 });
    expect(withPod?.reasons[0]).toMatchObject({ kind: 'labels', similarity: 0.5, detail: "shares 2 of 4 labels ('team=core', 'region=eu')" });
    const [withoutPod] = findSimilarIncidents(current, [candidate], { minScore: 0, ignoreLabels: ['pod'] });
    expect(withoutPod?.reasons[0]?.similarity).toBe(1);
  });

  it('honours limit, since, weights and excludeSelf; ties go to the most recent', () => {
    const current = { id: 'a', title: 'Cache misses', service: 's' };
    const candidates = [
      { id: 'old', title: 'Cache misses', service: 's', detectedAt: '2025-01-01T00:00:00Z' },
      { id: 'new', title: 'Cache misses', service: 's', detectedAt: '2026-01-01T00:00:00Z' },
      { id: 'a', title: 'Cache misses', service: 's', detectedAt: '2026-02-01T00:00:00Z' },
    ];
    expect(findSimilarIncidents(current, candidates).map((r) => r.incident.id)).toEqual(['new', 'old']);
    expect(findSimilarIncidents(current, candidates, { excludeSelf: false, limit: 1 }).map((r) => r.incident.id)).toEqual(['a']);
    expect(findSimilarIncidents(current, candidates, { since: '2025-06-01T00:00:00Z' }).map((r) => r.incident.id)).toEqual(['new']);
    expect(findSimilarIncidents(current, candidates, { weights: { title: 0, service: 0 } })).toEqual([]);
  });

  it('refuses malformed options with a ValidationError', () => {
    const caught = thrown(() => findSimilarIncidents({ title: 'x' }, [], { weights: { title: 2 } }));
    expect(isIncidentKitError(caught, 'VALIDATION_FAILED')).toBe(true);
  });

  it('scores stay in [0, 1] and reasons add up to the score', () => {
    const input = fc.record({
      title: fc.string({ maxLength: 40 }),
      service: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
      dedupKey: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
      labels: fc.dictionary(fc.constantFrom('team', 'region', 'env'), fc.constantFrom('x', 'y')),
    });
    fc.assert(
      fc.property(input, fc.array(input, { maxLength: 10 }), (raw, rawCandidates) => {
        const clean = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as SimilarityInput;
        const results = findSimilarIncidents(clean(raw), rawCandidates.map(clean), { minScore: 0, limit: 100 });
        for (const r of results) {
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(1);
          expect(r.reasons.reduce((sum, reason) => sum + reason.weight, 0)).toBeCloseTo(r.score, 2);
        }
        for (let i = 1; i < results.length; i += 1) expect(results[i]!.score).toBeLessThanOrEqual(results[i - 1]!.score);
      }),
    );
  });
});

describe('titleSimilarity', () => {
  it('ignores case, word order, stop words and digits', () => {
    expect(titleSimilarity('Checkout API timeouts', 'timeouts in the checkout api')).toBeCloseTo(1, 6);
    expect(titleSimilarity('HTTP 502 on /cart', 'http 504 on /cart')).toBeCloseTo(1, 6);
    expect(titleSimilarity('Checkout API timeouts', 'Login page slow')).toBeLessThan(0.2);
    expect(titleSimilarity('', 'anything')).toBe(0);
  });

  it('tolerates small spelling differences', () => {
    expect(titleSimilarity('database connection timeout', 'database connections timing out')).toBeGreaterThan(0.6);
  });
});
