/**
 * Checks of outbox claims and dead letters: due messages are claimed earliest first and never
 * return once completed, concurrent claimants never share one, an expired lease is reclaimable,
 * a failure with `retryAt` reschedules and one without dead-letters, and `redeliver` undoes it;
 * the optional `outboxStats` counts what waits.
 */
import type { ContractChecks } from './context.js';
import { claim, message, messageIds, MINUTE, OTHER_TENANT, t, TENANT, withExtras } from './fixtures.js';

/** Outbox checks (`outbox: …`). */
export const outboxChecks = {
  'outbox: due messages are claimed earliest first; completed ones never come back': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    const incident = declared.incident;
    const messages = [message(incident, 'msg_b', t(2000)), message(incident, 'msg_a', t(1000)), message(incident, 'msg_later', t(MINUTE))];
    await s.commit(withExtras(declared, { outbox: messages }));
    const claimed = await s.claimOutbox(claim(TENANT, t(2000), 'w1', 5_000));
    expect(claimed).toEqual([
      { item: messages[1], owner: 'w1', leaseUntil: t(7000) },
      { item: messages[0], owner: 'w1', leaseUntil: t(7000) },
    ]);
    for (const c of claimed) expect(await s.completeOutbox(c)).toBe(true);
    for (const c of claimed) expect(await s.completeOutbox(c)).toBe(false);
    const later = await s.claimOutbox(claim(TENANT, t(24 * 60 * MINUTE), 'w2'));
    expect(messageIds(later)).toEqual(['msg_later']);
    for (const c of later) expect(await s.completeOutbox(c)).toBe(true);
    expect(await s.claimOutbox(claim(TENANT, t(48 * 60 * MINUTE), 'w3'))).toEqual([]);
    expect(await s.deadLetters(TENANT)).toEqual([]);
  },

  'outbox: concurrent claimants never get the same message': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    const messages = Array.from({ length: 30 }, (_, i) => message(declared.incident, `msg_${String(i).padStart(2, '0')}`, t(i)));
    await s.commit(withExtras(declared, { outbox: messages }));
    const seen: string[] = [];
    for (let round = 0; round < 10 && seen.length < messages.length; round += 1) {
      const batches = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((owner) => s.claimOutbox(claim(TENANT, t(MINUTE), owner, 10 * MINUTE, 5))));
      for (const batch of batches) seen.push(...messageIds(batch));
    }
    expect(seen.length).toBe(messages.length);
    expect([...new Set(seen)].sort()).toEqual(messages.map((m) => m.id));
  },

  'outbox: an expired lease is reclaimable and the old owner can no longer complete or fail': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    await s.commit(withExtras(declared, { outbox: [message(declared.incident, 'msg_1', t(0))] }));
    const [first] = await s.claimOutbox(claim(TENANT, t(0), 'w1', 10_000));
    expect(await s.claimOutbox(claim(TENANT, t(9_999), 'w2', 10_000))).toEqual([]);
    const [second] = await s.claimOutbox(claim(TENANT, t(10_000), 'w2', 10_000));
    if (first === undefined || second === undefined) throw new Error('expected two claims');
    expect(second.item.id).toBe('msg_1');
    expect(await s.completeOutbox(first)).toBe(false);
    expect(await s.failOutbox(first, { error: 'stale', retryAt: t(20_000) })).toBe(false);
    expect(await s.completeOutbox(second)).toBe(true);
  },

  'outbox: failOutbox with retryAt reschedules and counts the attempt': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    await s.commit(withExtras(declared, { outbox: [message(declared.incident, 'msg_1', t(0))] }));
    const [first] = await s.claimOutbox(claim(TENANT, t(0), 'w1'));
    if (first === undefined) throw new Error('expected a claim');
    expect(await s.failOutbox(first, { error: 'HTTP 503 from receiver', retryAt: t(30_000) })).toBe(true);
    expect(await s.claimOutbox(claim(TENANT, t(29_999), 'w2'))).toEqual([]);
    const [retry] = await s.claimOutbox(claim(TENANT, t(30_000), 'w2'));
    expect(retry?.item).toEqual({ ...first.item, attempts: 1, lastError: 'HTTP 503 from receiver', availableAt: t(30_000) });
    expect(await s.deadLetters(TENANT)).toEqual([]);
  },

  'outbox: failOutbox without retryAt dead-letters it; redeliver moves it back': async ({ store: s, expect, build }) => {
    const declared = await build.declare({ id: 'inc_1' });
    const incident = declared.incident;
    await s.commit(withExtras(declared, { outbox: [message(incident, 'msg_new', t(2000)), message(incident, 'msg_old', t(1000))] }));
    for (const c of await s.claimOutbox(claim(TENANT, t(2000), 'w1'))) {
      expect(await s.failOutbox(c, { error: `gave up on ${c.item.id}` })).toBe(true);
    }
    const dead = await s.deadLetters(TENANT);
    expect(dead.map((m) => [m.id, m.attempts, m.lastError])).toEqual([
      ['msg_old', 1, 'gave up on msg_old'],
      ['msg_new', 1, 'gave up on msg_new'],
    ]);
    expect(await s.claimOutbox(claim(TENANT, t(60 * MINUTE), 'w2'))).toEqual([]);
    expect(await s.redeliver(TENANT, 'msg_old', t(5 * MINUTE))).toBe(true);
    expect(await s.redeliver(TENANT, 'msg_old', t(5 * MINUTE))).toBe(false);
    expect((await s.deadLetters(TENANT)).map((m) => m.id)).toEqual(['msg_new']);
    expect(await s.claimOutbox(claim(TENANT, t(5 * MINUTE - 1), 'w3'))).toEqual([]);
    const [again] = await s.claimOutbox(claim(TENANT, t(5 * MINUTE), 'w3'));
    expect(again?.item).toEqual({ ...dead[0], availableAt: t(5 * MINUTE) });
    if (again !== undefined) expect(await s.completeOutbox(again)).toBe(true);
  },

  'outbox: outboxStats (optional) counts pending messages and dead letters of the tenant, with the earliest pending time': async ({ store: s, expect, build }) => {
    if (s.outboxStats === undefined) return;
    expect(await s.outboxStats(TENANT)).toEqual({ pending: 0, deadLetters: 0 });
    const declared = await build.declare({ id: 'inc_1' });
    const incident = declared.incident;
    const messages = [message(incident, 'msg_a', t(3000)), message(incident, 'msg_b', t(1000)), message(incident, 'msg_c', t(2000)), message(incident, 'msg_later', t(MINUTE))];
    await s.commit(withExtras(declared, { outbox: messages }));
    expect(await s.outboxStats(TENANT)).toEqual({ pending: 4, oldestPendingAt: t(1000), deadLetters: 0 });
    // A claimed message still waits; a delivered one does not, a dead-lettered one is counted apart.
    const [first, second] = await s.claimOutbox(claim(TENANT, t(2000), 'w1'));
    if (first === undefined || second === undefined) throw new Error('expected two claims');
    expect(await s.outboxStats(TENANT)).toEqual({ pending: 4, oldestPendingAt: t(1000), deadLetters: 0 });
    expect(await s.completeOutbox(first)).toBe(true);
    expect(await s.failOutbox(second, { error: 'gave up' })).toBe(true);
    expect(await s.outboxStats(TENANT)).toEqual({ pending: 2, oldestPendingAt: t(3000), deadLetters: 1 });
    expect(await s.outboxStats(OTHER_TENANT)).toEqual({ pending: 0, deadLetters: 0 });
  },
} satisfies ContractChecks;
