/**
 * Checks of the signal counters: recorded counts are merged into every read and survive later
 * commits, and `countFirings` counts firings in a window one at a time.
 */
import type { Incident } from '../../model/incident.js';
import type { ContractChecks } from './context.js';
import { alert, OTHER_TENANT, stateOf, t, TENANT, withAlerts } from './fixtures.js';

/** Signal-counter checks (`signals: …`). */
export const signalChecks = {
  'signals: recorded counts are merged into every read and survive later commits': async ({ store: s, expect, build, note }) => {
    const declared = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'k' }), [alert('fp_a', 'k'), alert('fp_b', 'k_b')]);
    await s.commit(declared);
    const other = withAlerts(await build.declare({ id: 'inc_1', tenantId: OTHER_TENANT }), [alert('fp_a', 'k')]);
    await s.commit(other);
    await s.recordSignals(TENANT, [
      { incidentId: 'inc_1', fingerprint: 'fp_a', count: 3, lastSeenAt: t(1000) },
      { incidentId: 'inc_1', fingerprint: 'fp_a', count: 2, lastSeenAt: t(3000) },
      { incidentId: 'inc_1', fingerprint: 'fp_b', count: 1, lastSeenAt: t(500) },
    ]);
    // An older lastSeenAt adds to the count but never moves the time back.
    await s.recordSignals(TENANT, [{ incidentId: 'inc_1', fingerprint: 'fp_a', count: 4, lastSeenAt: t(2000) }]);
    const expectCounted = (incident: Incident | undefined): void => {
      expect(incident?.signalCount).toBe(10);
      expect(incident?.alerts.map((a) => [a.fingerprint, a.count, a.lastSeenAt])).toEqual([
        ['fp_a', 9, t(3000)],
        ['fp_b', 1, t(500)],
      ]);
    };
    expectCounted((await s.load(TENANT, 'inc_1'))?.incident);
    expectCounted((await s.list(TENANT, { limit: 5 })).items[0]);
    expectCounted(await s.findOpenByDedupKey(TENANT, 'k'));
    await note(stateOf(declared), 'a commit carries the projection without counters');
    expectCounted((await s.load(TENANT, 'inc_1'))?.incident);
    const untouched = (await s.load(OTHER_TENANT, 'inc_1'))?.incident;
    expect(untouched?.alerts.map((a) => a.count)).toEqual([undefined]);
  },

  'signals: countFirings counts the firings in the window, one at a time': async ({ store: s, expect }) => {
    expect(await s.countFirings(TENANT, 'cpu-high', t(0), t(-60_000))).toBe(1);
    expect(await s.countFirings(TENANT, 'cpu-high', t(10_000), t(-50_000))).toBe(2);
    expect(await s.countFirings(TENANT, 'cpu-high', t(70_000), t(10_000))).toBe(2);
    expect(await s.countFirings(TENANT, 'cpu-high', t(200_000), t(140_000))).toBe(1);
    expect(await s.countFirings(TENANT, 'disk-full', t(200_000), t(140_000))).toBe(1);
    expect(await s.countFirings(OTHER_TENANT, 'cpu-high', t(200_000), t(140_000))).toBe(1);
    const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => s.countFirings(TENANT, 'burst', t(300_000 + i), t(240_000))));
    expect([...racing].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  },
} satisfies ContractChecks;
