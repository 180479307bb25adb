/**
 * What is particular to the memory store: its options, and how many outbox messages it keeps.
 * The storage contract (storage.contract.test.ts) covers the promises every store keeps.
 */
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { memoryStore } from '../../src/storage/memory.js';
import { memoryOutbox, memoryTimers } from '../../src/storage/memoryQueues.js';
import type { ClaimOptions, OutboxRecord, TimerRecord } from '../../src/storage/types.js';
import { thrown } from '../helpers.js';

const at = (minute: number): string => new Date(Date.UTC(2026, 2, 1, 12, minute)).toISOString();
const claim = (now: string, limit = 100, owner = 'w1'): ClaimOptions => ({ tenantId: 't1', now, owner, leaseMs: 60_000, limit });

function message(id: string, availableAt: string, tenantId = 't1'): OutboxRecord {
  return { id, tenantId, incidentId: 'inc_1', channel: 'webhook', idempotencyKey: `inc_1:${id}`, payload: { n: id }, availableAt, attempts: 0 };
}

function timer(timerId: string, dueAt: string, incidentId = 'inc_1'): TimerRecord {
  return { tenantId: 't1', incidentId, timerId, dueAt, event: { type: 'REMIND' } };
}

describe('memoryStore options', () => {
  it.each([-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, '10', null])('refuses keepDelivered %s with ConfigError', async (keepDelivered) => {
    const error = await thrown(() => Promise.resolve(memoryStore({ keepDelivered } as never)));
    expect(isIncidentKitError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/keepDelivered/);
  });

  it('refuses unknown options and accepts 0, a count and Infinity', async () => {
    expect(isIncidentKitError(await thrown(() => Promise.resolve(memoryStore({ keepDeliverd: 5 } as never))), 'CONFIG_INVALID')).toBe(true);
    expect(memoryStore({ keepDelivered: 0 }).name).toBe('memory');
    expect(memoryStore({ keepDelivered: 50 }).name).toBe('memory');
    expect(memoryStore({ keepDelivered: Number.POSITIVE_INFINITY }).name).toBe('memory');
  });
});

describe('memory outbox', () => {
  /** Queues `n` messages and delivers them all, batch by batch. */
  function deliverAll(outbox: ReturnType<typeof memoryOutbox>, n: number): void {
    for (let i = 0; i < n; i += 1) outbox.add(message(`m${String(i).padStart(4, '0')}`, at(i % 7)));
    for (let claims = outbox.claim(claim(at(10), 16)); claims.length > 0; claims = outbox.claim(claim(at(10), 16))) {
      for (const c of claims) expect(outbox.complete(c)).toBe(true);
    }
  }

  it('keeps only the newest keepDelivered delivered messages', () => {
    const outbox = memoryOutbox(25);
    deliverAll(outbox, 300);
    expect(outbox.counts()).toEqual({ pending: 0, delivered: 25, dead: 0 });
    const none = memoryOutbox(0);
    deliverAll(none, 40);
    expect(none.counts()).toEqual({ pending: 0, delivered: 0, dead: 0 });
    const all = memoryOutbox(Number.POSITIVE_INFINITY);
    deliverAll(all, 40);
    expect(all.counts()).toEqual({ pending: 0, delivered: 40, dead: 0 });
  });

  it('never forgets dead letters, and still redelivers them after many deliveries', () => {
    const outbox = memoryOutbox(0);
    outbox.add(message('dead_1', at(0)));
    outbox.add(message('dead_2', at(0)));
    for (const c of outbox.claim(claim(at(0)))) expect(outbox.fail(c, { error: 'gave up' })).toBe(true);
    deliverAll(outbox, 200);
    expect(outbox.counts()).toEqual({ pending: 0, delivered: 0, dead: 2 });
    expect(outbox.deadLetters('t1').map((m) => m.id)).toEqual(['dead_1', 'dead_2']);
    expect(outbox.redeliver('t1', 'dead_2', at(20))).toBe(true);
    const [again] = outbox.claim(claim(at(20)));
    expect(again?.item).toMatchObject({ id: 'dead_2', attempts: 1, lastError: 'gave up', availableAt: at(20) });
  });

  it('claims earliest first, ties by id, past live leases, and reschedules failed messages', () => {
    const outbox = memoryOutbox(10);
    for (const [id, minute] of [['c', 1], ['b', 1], ['a', 2], ['z', 0], ['later', 30]] as const) outbox.add(message(id, at(minute)));
    const [held] = outbox.claim(claim(at(5), 1, 'w1'));
    expect(held?.item.id).toBe('z');
    expect(outbox.claim(claim(at(5), 2, 'w2')).map((c) => c.item.id)).toEqual(['b', 'c']);
    const rest = outbox.claim(claim(at(5), 10, 'w3'));
    expect(rest.map((c) => c.item.id)).toEqual(['a']);
    if (held === undefined || rest[0] === undefined) throw new Error('expected claims');
    expect(outbox.fail(rest[0], { error: 'HTTP 503', retryAt: at(3) })).toBe(true);
    // z's lease (until minute 6) is live at 5: only the rescheduled a is claimable.
    expect(outbox.claim(claim(at(5), 10, 'w4')).map((c) => c.item.id)).toEqual(['a']);
    // At 6 every lease taken at 5 has ended: all are claimable again, earliest first.
    expect(outbox.claim(claim(at(6), 10, 'w5')).map((c) => c.item.id)).toEqual(['z', 'b', 'c', 'a']);
    expect(outbox.complete(held)).toBe(false);
  });

  it('keeps tenants apart', () => {
    const outbox = memoryOutbox(10);
    outbox.add(message('m1', at(0), 't1'));
    outbox.add(message('m1', at(0), 't2'));
    expect(outbox.claim(claim(at(0))).map((c) => c.item.tenantId)).toEqual(['t1']);
    expect(outbox.claim({ ...claim(at(0)), tenantId: 't2' }).map((c) => c.item.tenantId)).toEqual(['t2']);
  });
});

describe('memory timers', () => {
  it('claims earliest first with ties by incident and timer id, and forgets replaced, cancelled and completed timers', () => {
    const timers = memoryTimers();
    timers.set(timer('target:acknowledge', at(5)));
    timers.set(timer('escalation', at(5)));
    timers.set(timer('escalation', at(5), 'inc_0'));
    timers.set(timer('reminder:status_update', at(1)));
    timers.set(timer('reminder:status_update', at(40))); // replaced: no longer due at 1
    timers.set(timer('dropped', at(0)));
    timers.cancel('t1', 'inc_1', 'dropped');
    const claimed = timers.claim(claim(at(5)));
    expect(claimed.map((c) => `${c.item.incidentId}/${c.item.timerId}`)).toEqual(['inc_0/escalation', 'inc_1/escalation', 'inc_1/target:acknowledge']);
    for (const c of claimed) expect(timers.complete(c)).toBe(true);
    expect(timers.claim(claim(at(39)))).toEqual([]);
    expect(timers.claim(claim(at(40))).map((c) => c.item.timerId)).toEqual(['reminder:status_update']);
  });
});
