/**
 * Checks of alert rows: a commit writes the alert rows it carries (appending new fingerprints,
 * replacing known ones in place), `alerts` pages every alert of an incident in the order it was
 * attached with a stable cursor, `findAlert` reads any of them, and counters are merged into
 * both (and into `signalCount`, over every alert, not only the 100 the projection carries).
 */
import { INCIDENT_ALERTS_LIMIT, type AlertSummary } from '../../model/incident.js';
import type { StorageAdapter } from '../../storage/types.js';
import type { ContractChecks } from './context.js';
import { alert, alerts, codeOf, OTHER_TENANT, stateOf, t, TENANT, thrown, withAlerts } from './fixtures.js';

/** Every alert of an incident, read page by page with `limit`. */
async function allAlerts(s: StorageAdapter, tenantId: string, incidentId: string, limit: number): Promise<{ pages: number; items: AlertSummary[] }> {
  const items: AlertSummary[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await s.alerts(tenantId, incidentId, { limit, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined && pages < 1_000);
  return { pages, items };
}

const fingerprints = (items: readonly AlertSummary[]): string[] => items.map((a) => a.fingerprint);
const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `fp_${String(from + i)}`);

/** Alert checks (`alerts: …`). */
export const alertChecks = {
  'alerts: a commit adds or replaces only the alert rows it carries; alerts pages them in attach order with a stable cursor': async ({ store: s, expect, build, note }) => {
    const storm = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'storm' }), alerts(250));
    await s.commit(storm);
    const loaded = (await s.load(TENANT, 'inc_1'))?.incident;
    expect(loaded?.alertCount).toBe(250);
    expect(fingerprints(loaded?.alerts ?? [])).toEqual(range(250 - INCIDENT_ALERTS_LIMIT, 250));

    const first = await s.alerts(TENANT, 'inc_1', { limit: 100 });
    expect(fingerprints(first.items)).toEqual(range(0, 100));
    expect(first.items[0]).toEqual(alert('fp_0', 'k_0'));
    expect(typeof first.nextCursor).toBe('string');
    // Alerts added or changed between two pages never shift the pages that follow.
    const noted = await note(stateOf(storm), 'two more alerts, one changed');
    const changed = { ...alert('fp_3', 'k_3'), status: 'resolved' as const, statusChangedAt: t(5_000) };
    await s.commit({ ...(await build.note(noted, 'rows only', t(6_000))), alerts: [alert('fp_250', 'k_250', t(6_000)), changed, alert('fp_251', 'k_251', t(6_000))] });
    const second = await s.alerts(TENANT, 'inc_1', { limit: 100, ...(first.nextCursor === undefined ? {} : { cursor: first.nextCursor }) });
    expect(fingerprints(second.items)).toEqual(range(100, 200));
    const all = await allAlerts(s, TENANT, 'inc_1', 100);
    expect(all.pages).toBe(3);
    expect(fingerprints(all.items)).toEqual(range(0, 252));
    // A replaced row keeps its place and carries its new status.
    expect(all.items[3]).toEqual(changed);
    const bySeven = await allAlerts(s, TENANT, 'inc_1', 7);
    expect(fingerprints(bySeven.items)).toEqual(range(0, 252));

    expect(await s.alerts(OTHER_TENANT, 'inc_1', { limit: 10 })).toEqual({ items: [] });
    expect(await s.alerts(TENANT, 'inc_nope', { limit: 10 })).toEqual({ items: [] });
    const declared = await build.declare({ id: 'inc_2' });
    await s.commit(declared);
    expect(await s.alerts(TENANT, 'inc_2', { limit: 10 })).toEqual({ items: [] });
    expect(codeOf(await thrown(() => s.alerts(TENANT, 'inc_1', { limit: 10, cursor: 'not-a-cursor' })))).toBe('VALIDATION_FAILED');
  },

  'alerts: findAlert reads any alert by fingerprint with its counters, and signalCount counts every alert': async ({ store: s, expect, build }) => {
    const storm = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'storm' }), alerts(150));
    await s.commit(storm);
    expect(await s.findAlert(TENANT, 'inc_1', 'fp_0')).toEqual(alert('fp_0', 'k_0'));
    expect(await s.findAlert(TENANT, 'inc_1', 'fp_149')).toEqual(alert('fp_149', 'k_149'));
    expect(await s.findAlert(TENANT, 'inc_1', 'fp_nope')).toBeUndefined();
    expect(await s.findAlert(OTHER_TENANT, 'inc_1', 'fp_0')).toBeUndefined();
    expect(await s.findAlert(TENANT, 'inc_nope', 'fp_0')).toBeUndefined();
    await s.recordSignals(TENANT, [
      { incidentId: 'inc_1', fingerprint: 'fp_0', count: 3, lastSeenAt: t(1_000) },
      { incidentId: 'inc_1', fingerprint: 'fp_149', count: 2, lastSeenAt: t(2_000) },
    ]);
    expect(await s.findAlert(TENANT, 'inc_1', 'fp_0')).toEqual({ ...alert('fp_0', 'k_0'), count: 3, lastSeenAt: t(1_000) });
    expect((await s.alerts(TENANT, 'inc_1', { limit: 1 })).items).toEqual([{ ...alert('fp_0', 'k_0'), count: 3, lastSeenAt: t(1_000) }]);
    const loaded = (await s.load(TENANT, 'inc_1'))?.incident;
    // fp_0 is not among the 100 the projection carries, yet its signals count.
    expect(loaded?.signalCount).toBe(5);
    expect(loaded?.alerts.at(-1)).toEqual({ ...alert('fp_149', 'k_149'), count: 2, lastSeenAt: t(2_000) });
    expect((await s.findOpenByDedupKey(TENANT, 'k_0'))?.signalCount).toBe(5);
    expect((await s.list(TENANT, { limit: 1 })).items[0]?.signalCount).toBe(5);
  },
} satisfies ContractChecks;
