/**
 * Checks of timer claims and leases: due timers are claimed earliest first, concurrent
 * claimants never share one, an expired lease is reclaimable (and its old owner can no longer
 * complete), completed timers never return, setting a timer again replaces it, commits cancel.
 */
import type { ContractChecks } from './context.js';
import { claim, claimIds, MINUTE, stateOf, t, TENANT, timer, withExtras } from './fixtures.js';

/** Timer checks (`timers: …`). */
export const timerChecks = {
  'timers: due timers are claimed earliest first, future ones are not': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    const incident = declared.incident;
    const timers = [timer(incident, 'b', t(2 * MINUTE)), timer(incident, 'a', t(MINUTE)), timer(incident, 'c', t(3 * MINUTE)), timer(incident, 'future', t(60 * MINUTE))];
    await s.commit(withExtras(declared, { set: timers }));
    expect(await s.claimTimers(claim(TENANT, t(MINUTE - 1)))).toEqual([]);
    const claimed = await s.claimTimers(claim(TENANT, t(3 * MINUTE), 'worker_1', 30_000, 2));
    expect(claimed).toEqual([
      { item: timers[1], owner: 'worker_1', leaseUntil: t(3 * MINUTE + 30_000) },
      { item: timers[0], owner: 'worker_1', leaseUntil: t(3 * MINUTE + 30_000) },
    ]);
    expect(claimIds(await s.claimTimers(claim(TENANT, t(3 * MINUTE), 'worker_2')))).toEqual(['c']);
    expect(await s.claimTimers(claim(TENANT, t(3 * MINUTE), 'worker_3'))).toEqual([]);
  },

  'timers: concurrent claimants never get the same timer': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    const timers = Array.from({ length: 30 }, (_, i) => timer(declared.incident, `t${String(i).padStart(2, '0')}`, t(i * 1000)));
    await s.commit(withExtras(declared, { set: timers }));
    const seen: string[] = [];
    for (let round = 0; round < 10 && seen.length < timers.length; round += 1) {
      const batches = await Promise.all(
        ['w1', 'w2', 'w3', 'w4'].map((owner) => s.claimTimers(claim(TENANT, t(MINUTE), owner, 10 * MINUTE, 5))),
      );
      for (const batch of batches) seen.push(...claimIds(batch));
    }
    expect(seen.length).toBe(timers.length);
    expect([...new Set(seen)].sort()).toEqual(timers.map((x) => x.timerId));
  },

  'timers: an expired lease is reclaimable and the old owner can no longer complete': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    await s.commit(withExtras(declared, { set: [timer(declared.incident, 'escalate', t(0))] }));
    const [first] = await s.claimTimers(claim(TENANT, t(0), 'w1', 10_000));
    expect(first?.leaseUntil).toBe(t(10_000));
    expect(await s.claimTimers(claim(TENANT, t(9_999), 'w2', 10_000))).toEqual([]);
    const [second] = await s.claimTimers(claim(TENANT, t(10_000), 'w2', 10_000));
    expect(second?.item).toEqual(first?.item);
    expect(second?.owner).toBe('w2');
    if (first === undefined || second === undefined) return;
    expect(await s.completeTimer(first)).toBe(false);
    expect(await s.completeTimer(second)).toBe(true);
  },

  'timers: completed timers never come back': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    await s.commit(withExtras(declared, { set: [timer(declared.incident, 'a', t(0)), timer(declared.incident, 'b', t(0))] }));
    const claimed = await s.claimTimers(claim(TENANT, t(0), 'w1', 1_000));
    for (const c of claimed) expect(await s.completeTimer(c)).toBe(true);
    for (const c of claimed) expect(await s.completeTimer(c)).toBe(false);
    expect(await s.claimTimers(claim(TENANT, t(24 * 60 * MINUTE), 'w2'))).toEqual([]);
  },

  'timers: setting a timer again replaces it and voids the old claim': async ({ store: s, expect, build, note }) => {
    const declared = await build.declare({ id: 'inc_1' });
    const state = stateOf(declared);
    await s.commit(withExtras(declared, { set: [timer(declared.incident, 'remind', t(0), { type: 'REMIND', n: 1 })] }));
    const [old] = await s.claimTimers(claim(TENANT, t(0), 'w1'));
    const replacement = timer(declared.incident, 'remind', t(5 * MINUTE), { type: 'REMIND', n: 2 });
    await note(state, 'reschedule', { set: [replacement] });
    if (old === undefined) throw new Error('expected a claim');
    expect(await s.completeTimer(old)).toBe(false);
    expect(await s.claimTimers(claim(TENANT, t(5 * MINUTE - 1), 'w2'))).toEqual([]);
    const [fresh] = await s.claimTimers(claim(TENANT, t(5 * MINUTE), 'w2'));
    expect(fresh?.item).toEqual(replacement);
  },

  'timers: a commit cancels timers': async ({ store: s, expect, build, note }) => {
    const declared = await build.declare({ id: 'inc_1' });
    await s.commit(withExtras(declared, { set: [timer(declared.incident, 'keep', t(0)), timer(declared.incident, 'drop', t(0))] }));
    await note(stateOf(declared), 'cancel one', { cancel: ['drop', 'never-set'] });
    expect(claimIds(await s.claimTimers(claim(TENANT, t(0))))).toEqual(['keep']);
  },
} satisfies ContractChecks;
