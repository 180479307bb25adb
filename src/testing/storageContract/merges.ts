/**
 * Checks of the optional `commitMerge` (`merge: …`), with the real engine's `merge` and `unmerge`
 * on the store: alert rows, counters and keys move with both commits, or nothing does.
 */
import { createIncidentEngine } from '../../createIncidentEngine.js';
import type { IncidentEngine } from '../../incidentEngine.js';
import type { AlertSummary } from '../../model/incident.js';
import { parseSignal } from '../../model/signal.js';
import type { MergeWrite, StorageAdapter } from '../../storage/types.js';
import { createManualClock } from '../manualClock.js';
import type { ContractChecks } from './context.js';
import { alice, codeOf, MINUTE, t, TENANT, thrown } from './fixtures.js';

const signal = (fingerprint: string, dedupKey: string) =>
  parseSignal({ source: 'alertmanager', fingerprint, dedupKey, status: 'firing', severity: 'SEV2', summary: `Alert ${fingerprint}`, labels: {}, startsAt: t(0) });

/** An engine on `store` at t(0), writing repeat counts at once. */
function engineOn(store: StorageAdapter): IncidentEngine {
  return createIncidentEngine({ store, clock: createManualClock(t(0)), tenantId: TENANT, ingest: { countWindowMs: 0 } });
}

async function allAlerts(store: StorageAdapter, incidentId: string): Promise<AlertSummary[]> {
  const rows: AlertSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.alerts(TENANT, incidentId, { limit: 70, ...(cursor === undefined ? {} : { cursor }) });
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return rows;
}

/**
 * The {@link MergeWrite} `engine.merge` would send, captured instead of written (the store is left
 * as it was), so a check can race it or make it stale.
 */
async function capturedMerge(store: StorageAdapter, run: (engine: IncidentEngine) => Promise<unknown>): Promise<MergeWrite> {
  let captured: MergeWrite | undefined;
  const capturing: StorageAdapter = Object.assign(Object.create(store) as StorageAdapter, {
    commitMerge: (write: MergeWrite) => {
      captured = write;
      return Promise.reject(new Error('captured'));
    },
  });
  await run(engineOn(capturing)).catch(() => undefined);
  if (captured === undefined) throw new Error('[incidentkit] storage contract: engine.merge wrote nothing to capture.');
  return captured;
}

/** Merge checks (`merge: …`). */
export const mergeChecks = {
  'merge: commitMerge (optional) moves every alert row, its counters and its keys with both commits; unmerge moves them back': async ({ store: s, expect }) => {
    if (s.commitMerge === undefined) return;
    const engine = engineOn(s);
    const storm = Array.from({ length: 130 }, (_, i) => signal(`fp_${String(i)}`, 'storm'));
    const [first] = await engine.ingest(storm);
    await engine.ingest([signal('fp_0', 'storm'), signal('fp_129', 'storm')]);
    const source = first?.incident?.id ?? '';
    const target = (await engine.declare({ title: 'Checkout down', severity: 'SEV1', dedupKey: 'checkout', actor: alice })).id;
    await engine.ingest(signal('fp_own', 'checkout'));
    await engine.merge(source, { into: target, actor: alice });

    const moved = await allAlerts(s, target);
    expect(moved.map((a) => a.fingerprint)).toEqual(['fp_own', ...storm.map((x) => x.fingerprint)]);
    expect(moved.slice(1).every((a) => a.mergedFrom === source)).toBe(true);
    expect((await s.findAlert(TENANT, target, 'fp_0'))?.count).toBe(2);
    expect((await s.findAlert(TENANT, source, 'fp_0'))).toBeUndefined();
    expect(await allAlerts(s, source)).toEqual([]);
    const into = await s.load(TENANT, target);
    expect([into?.incident.alertCount, into?.incident.signalCount]).toEqual([131, 133]);
    expect((await s.load(TENANT, source))?.incident.signalCount ?? 0).toBe(0);
    for (const key of ['storm', 'checkout']) expect((await s.findOpenByDedupKey(TENANT, key))?.id).toBe(target);
    expect((await s.findOpenVersionByDedupKey?.(TENANT, 'storm'))?.incidentId ?? target).toBe(target);

    await engine.unmerge(source, { actor: alice });
    expect((await allAlerts(s, source)).map((a) => [a.fingerprint, a.mergedFrom])).toEqual(storm.map((x) => [x.fingerprint, undefined]));
    expect((await allAlerts(s, target)).map((a) => a.fingerprint)).toEqual(['fp_own']);
    expect([(await s.load(TENANT, source))?.incident.signalCount, (await s.load(TENANT, target))?.incident.signalCount]).toEqual([132, 1]);
    expect((await s.findOpenByDedupKey(TENANT, 'storm'))?.id).toBe(source);
    expect((await s.findOpenByDedupKey(TENANT, 'checkout'))?.id).toBe(target);
  },

  'merge: a stale or refused commitMerge raises its error and writes nothing; of a merge and a commit at one version exactly one wins': async ({ store: s, expect, build }) => {
    const commitMerge = s.commitMerge?.bind(s);
    if (commitMerge === undefined) return;
    const engine = engineOn(s);
    const [a] = await engine.ingest(signal('fp_a', 'key/a'));
    const [b] = await engine.ingest(signal('fp_b', 'key/b'));
    const source = a?.incident?.id ?? '';
    const target = b?.incident?.id ?? '';
    const write = await capturedMerge(s, (e) => e.merge(source, { into: target, actor: alice }));
    // Stale: the source moved on after the merge was decided.
    await engine.addNote(source, { text: 'Still firing.', actor: alice });
    expect(codeOf(await thrown(() => commitMerge(write)))).toBe('VERSION_CONFLICT');
    expect((await s.findOpenByDedupKey(TENANT, 'key/a'))?.id).toBe(source);
    expect((await allAlerts(s, source)).map((x) => x.fingerprint)).toEqual(['fp_a']);
    expect((await s.load(TENANT, target))?.incident.version).toBe(1);

    // Raced: a merge and a note decided at the same version of the target; exactly one is written.
    const race = await capturedMerge(s, (e) => e.merge(source, { into: target, actor: alice }));
    const stored = await s.load(TENANT, target);
    if (stored === undefined) throw new Error('unreachable: the target exists');
    const note = await build.note(stored, 'Racing the merge.', t(MINUTE));
    const results = await Promise.allSettled([commitMerge(race), s.commit(note)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const merged = results[0].status === 'fulfilled';
    expect((await s.load(TENANT, source))?.incident.status).toBe(merged ? 'canceled' : 'triage');
    expect((await allAlerts(s, target)).map((x) => x.fingerprint)).toEqual(merged ? ['fp_b', 'fp_a'] : ['fp_b']);
    expect((await s.findOpenByDedupKey(TENANT, 'key/a'))?.id).toBe(merged ? target : source);

    // Refused: both incidents have an alert with one fingerprint (under different keys).
    const c = (await engine.ingest(signal('fp_x', 'key/c')))[0]?.incident?.id ?? '';
    const d = (await engine.ingest(signal('fp_x', 'key/d')))[0]?.incident?.id ?? '';
    expect(codeOf(await thrown(() => engine.merge(c, { into: d, actor: alice })))).toBe('VALIDATION_FAILED');
    expect([(await s.load(TENANT, c))?.incident.status, (await s.load(TENANT, d))?.incident.alertCount]).toEqual(['triage', 1]);
    expect((await s.findOpenByDedupKey(TENANT, 'key/c'))?.id).toBe(c);
    expect((await allAlerts(s, c)).map((x) => x.fingerprint)).toEqual(['fp_x']);
  },
} satisfies ContractChecks;
