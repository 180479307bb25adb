/**
 * Checks of versioned records (the optional `putRecord`, `getRecord`, `listRecords`,
 * `recordHistory`, `setRecordTimers`): creating, compare-and-set, tombstones and history, version reads, list order
 * and paging, tenant and kind isolation, timers and outbox messages written atomically with a
 * record, timers set without a version, values that callers cannot change, and a record's timer firing through `engine.tick`.
 *
 * @remarks Each check reaches the methods through `requireRecords`, as engine-side code does. An
 * adapter without any of the five passes each check by proving that `requireRecords` refuses it
 * with `CONFIG_INVALID` (what an engine feature needing records then reports); one with only some
 * of them fails.
 */
import { createIncidentEngine } from '../../createIncidentEngine.js';
import { defineFeature, featureTimerId } from '../../engine/feature.js';
import { isIncidentKitError } from '../../errors.js';
import type { Actor } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import { RECORD_METHODS, requireRecords, type RecordStore } from '../../storage/records.js';
import type { OutboxRecord, RecordWrite, StoredRecord, TimerRecord } from '../../storage/types.js';
import { createManualClock } from '../manualClock.js';
import type { ContractCheck, ContractContext, ContractChecks } from './context.js';
import { claim, claimIds, codeOf, messageIds, MINUTE, OTHER_TENANT, t, TENANT, thrown } from './fixtures.js';

const KIND = 'schedule';
const alice: Actor = { kind: 'user', id: 'u_alice', name: 'Alice' };
const bob: Actor = { kind: 'user', id: 'u_bob' };

/** A write of record `id` of the suite's kind and tenant at `expectedVersion`, at `at`. */
function write(id: string, expectedVersion: number, value: JsonValue, at = t(0), extra: Partial<RecordWrite> = {}): RecordWrite {
  return { tenantId: TENANT, kind: KIND, id, expectedVersion, value, at, actor: alice, ...extra };
}

/** What a store returns for the version `write` creates. */
function version(w: RecordWrite): StoredRecord {
  const record: StoredRecord = { tenantId: w.tenantId, kind: w.kind, id: w.id, version: w.expectedVersion + 1, value: w.value, updatedAt: w.at, updatedBy: w.actor };
  return w.value === null ? { ...record, deleted: true } : record;
}

/** A timer of no incident, owned by the suite's feature. */
function recordTimer(key: string, dueAt: string, tenantId = TENANT): TimerRecord {
  return { tenantId, incidentId: '', timerId: featureTimerId('contract', key), dueAt, event: { type: 'HANDOFF', key } };
}

/** An outbox message about no incident. */
function recordMessage(id: string, availableAt: string): OutboxRecord {
  return { id, tenantId: TENANT, incidentId: '', channel: 'webhook', idempotencyKey: `record:${id}`, payload: { text: 'Shift starts' }, availableAt, attempts: 0 };
}

/**
 * Runs `check` with the store's record methods; for a store without any, checks instead that
 * `requireRecords` refuses it, naming all five.
 */
function withRecords(check: (records: RecordStore, context: ContractContext) => Promise<void>): ContractCheck {
  return async (context) => {
    const { store, expect } = context;
    if (RECORD_METHODS.every((method) => typeof store[method] !== 'function')) {
      const error = await thrown(() => Promise.resolve().then(() => requireRecords(store, 'storage contract')));
      expect(isIncidentKitError(error, 'CONFIG_INVALID') && RECORD_METHODS.every((method) => error.message.includes(`${method}()`))).toBe(true);
      return;
    }
    await check(requireRecords(store, 'storage contract (an adapter with record methods needs all five)'), context);
  };
}

/** Record checks (`records: …`). */
export const recordChecks = /* @__PURE__ */ (() => ({
  'records: putRecord creates version 1 that getRecord returns exactly; creating it again is a VERSION_CONFLICT': withRecords(async (r, { expect }) => {
    expect(await r.getRecord(TENANT, KIND, 'primary')).toBeUndefined();
    const first = write('primary', 0, { name: 'Primary', layers: [{ users: ['u_alice', 'u_bob'], shiftHours: 12 }], active: true, weight: 1.5, note: null });
    expect(await r.putRecord(first)).toEqual(version(first));
    expect(await r.getRecord(TENANT, KIND, 'primary')).toEqual(version(first));
    const error = await thrown(() => r.putRecord(write('primary', 0, { name: 'Impostor' }, t(1000))));
    expect(codeOf(error)).toBe('VERSION_CONFLICT');
    expect(isIncidentKitError(error, 'VERSION_CONFLICT') && error.details).toEqual({ tenantId: TENANT, kind: KIND, id: 'primary', expected: 0, actual: 1 });
    expect(await r.getRecord(TENANT, KIND, 'primary')).toEqual(version(first));
    expect(await r.recordHistory(TENANT, KIND, 'primary')).toEqual([version(first)]);
  }),

  'records: a write at a stale version is a VERSION_CONFLICT and writes nothing; of two concurrent writes at one version exactly one wins': withRecords(
    async (r, { expect }) => {
      await r.putRecord(write('primary', 0, { n: 0 }));
      const second = write('primary', 1, { n: 1 }, t(1000), { actor: bob });
      expect(await r.putRecord(second)).toEqual(version(second));
      const stale = await thrown(() => r.putRecord(write('primary', 1, { n: 'stale' }, t(2000))));
      expect(isIncidentKitError(stale, 'VERSION_CONFLICT') && stale.details).toEqual({ tenantId: TENANT, kind: KIND, id: 'primary', expected: 1, actual: 2 });
      const ahead = await thrown(() => r.putRecord(write('primary', 5, { n: 'ahead' }, t(2000))));
      expect(isIncidentKitError(ahead, 'VERSION_CONFLICT') && ahead.details).toEqual({ tenantId: TENANT, kind: KIND, id: 'primary', expected: 5, actual: 2 });
      const missing = await thrown(() => r.putRecord(write('nope', 3, { n: 'missing' }, t(2000))));
      expect(isIncidentKitError(missing, 'VERSION_CONFLICT') && missing.details).toEqual({ tenantId: TENANT, kind: KIND, id: 'nope', expected: 3, actual: 0 });
      expect(await r.getRecord(TENANT, KIND, 'nope')).toBeUndefined();
      for (let round = 2; round < 7; round += 1) {
        const results = await Promise.allSettled([
          r.putRecord(write('primary', round, { n: `a${String(round)}` }, t(round * 1000))),
          r.putRecord(write('primary', round, { n: `b${String(round)}` }, t(round * 1000))),
        ]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        expect(results.flatMap((result) => (result.status === 'rejected' ? [codeOf(result.reason)] : []))).toEqual(['VERSION_CONFLICT']);
      }
      const history = await r.recordHistory(TENANT, KIND, 'primary');
      expect(history.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect((await r.getRecord(TENANT, KIND, 'primary'))?.version).toBe(7);
    },
  ),

  'records: a delete appends a tombstone that getRecord returns; history keeps every version, and a write after the tombstone brings the record back': withRecords(
    async (r, { expect }) => {
      const created = write('primary', 0, { name: 'Primary' });
      const renamed = write('primary', 1, { name: 'Primary on-call' }, t(1000));
      const deleted = write('primary', 2, null, t(2000), { actor: bob });
      await r.putRecord(created);
      await r.putRecord(renamed);
      expect(await r.putRecord(deleted)).toEqual(version(deleted));
      expect(await r.getRecord(TENANT, KIND, 'primary')).toEqual({ ...version(deleted), deleted: true, value: null });
      expect((await r.listRecords(TENANT, KIND, { limit: 10 })).items).toEqual([]);
      expect(codeOf(await thrown(() => r.putRecord(write('primary', 0, { name: 'Again' }, t(3000)))))).toBe('VERSION_CONFLICT');
      const revived = write('primary', 3, { name: 'Back' }, t(3000));
      expect(await r.putRecord(revived)).toEqual(version(revived));
      expect(await r.recordHistory(TENANT, KIND, 'primary')).toEqual([version(created), version(renamed), version(deleted), version(revived)]);
      expect((await r.listRecords(TENANT, KIND, { limit: 10 })).items).toEqual([version(revived)]);
    },
  ),

  'records: getRecord reads any version, and recordHistory returns the versions after afterVersion, at most limit': withRecords(async (r, { expect }) => {
    const writes = Array.from({ length: 6 }, (_, i) => write('rule_1', i, { step: i }, t(i * MINUTE)));
    for (const w of writes) await r.putRecord(w);
    const versions = writes.map(version);
    expect(await r.getRecord(TENANT, KIND, 'rule_1', { version: 1 })).toEqual(versions[0]);
    expect(await r.getRecord(TENANT, KIND, 'rule_1', { version: 4 })).toEqual(versions[3]);
    expect(await r.getRecord(TENANT, KIND, 'rule_1', { version: 7 })).toBeUndefined();
    expect(await r.getRecord(TENANT, KIND, 'rule_1')).toEqual(versions[5]);
    expect(await r.recordHistory(TENANT, KIND, 'rule_1', {})).toEqual(versions);
    expect(await r.recordHistory(TENANT, KIND, 'rule_1', { afterVersion: 2, limit: 3 })).toEqual(versions.slice(2, 5));
    expect(await r.recordHistory(TENANT, KIND, 'rule_1', { afterVersion: 4 })).toEqual(versions.slice(4));
    expect(await r.recordHistory(TENANT, KIND, 'rule_1', { limit: 2 })).toEqual(versions.slice(0, 2));
    expect(await r.recordHistory(TENANT, KIND, 'rule_1', { afterVersion: 6 })).toEqual([]);
    expect(await r.recordHistory(TENANT, KIND, 'unknown')).toEqual([]);
    const paged: StoredRecord[] = [];
    for (let page = await r.recordHistory(TENANT, KIND, 'rule_1', { limit: 4 }); page.length > 0; page = await r.recordHistory(TENANT, KIND, 'rule_1', { afterVersion: page.at(-1)?.version ?? 0, limit: 4 })) {
      paged.push(...page);
    }
    expect(paged).toEqual(versions);
  }),

  'records: listRecords pages the current, live records of a kind in id order with a stable cursor': withRecords(async (r, { expect }) => {
    const ids = ['b', 'a', 'c-2', 'c-10', 'Z', 'd', 'e', '😀', 'ü', 'f'];
    for (const [i, id] of ids.entries()) await r.putRecord(write(id, 0, { i }, t(i * 1000)));
    await r.putRecord(write('d', 1, null, t(MINUTE)));
    await r.putRecord(write('a', 1, { i: 'a2' }, t(MINUTE)));
    // By id as UTF-8 bytes (code point) order: upper case before lower case, '1' before '2', 'ü' after ASCII.
    const expected = ['Z', 'a', 'b', 'c-10', 'c-2', 'e', 'f', 'ü', '😀'];
    const first = await r.listRecords(TENANT, KIND, { limit: 4 });
    expect(first.items.map((x) => x.id)).toEqual(expected.slice(0, 4));
    expect(first.items[1]).toEqual({ tenantId: TENANT, kind: KIND, id: 'a', version: 2, value: { i: 'a2' }, updatedAt: t(MINUTE), updatedBy: alice });
    // Records written between pages never shift the pages that follow.
    await r.putRecord(write('a0', 0, { i: 'late' }, t(2 * MINUTE)));
    const paged = [...first.items];
    let cursor = first.nextCursor;
    while (cursor !== undefined) {
      const page = await r.listRecords(TENANT, KIND, { limit: 4, cursor });
      paged.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(paged.map((x) => x.id)).toEqual(expected);
    expect(paged.map((x) => x.version)).toEqual([1, 2, 1, 1, 1, 1, 1, 1, 1]);
    expect((await r.listRecords(TENANT, KIND, { limit: 10 })).nextCursor).toBeUndefined();
    expect((await r.listRecords(TENANT, KIND, { limit: 10 })).items).toHaveLength(10);
    expect(await r.listRecords(TENANT, 'routingRule', { limit: 10 })).toEqual({ items: [] });
    expect(codeOf(await thrown(() => r.listRecords(TENANT, KIND, { limit: 4, cursor: 'not a cursor' })))).toBe('VALIDATION_FAILED');
  }),

  'records: every record read is scoped by tenant and kind': withRecords(async (r, { expect }) => {
    await r.putRecord(write('shared', 0, { owner: 'a' }));
    await r.putRecord({ ...write('shared', 0, { owner: 'b' }), tenantId: OTHER_TENANT });
    await r.putRecord({ ...write('shared', 0, { owner: 'rule' }), kind: 'routingRule' });
    await r.putRecord({ ...write('shared', 1, { owner: 'b2' }, t(1000)), tenantId: OTHER_TENANT });
    expect((await r.getRecord(TENANT, KIND, 'shared'))?.value).toEqual({ owner: 'a' });
    expect((await r.getRecord(OTHER_TENANT, KIND, 'shared'))?.value).toEqual({ owner: 'b2' });
    expect((await r.getRecord(TENANT, 'routingRule', 'shared'))?.value).toEqual({ owner: 'rule' });
    expect(await r.getRecord('tenant_c', KIND, 'shared')).toBeUndefined();
    expect((await r.recordHistory(TENANT, KIND, 'shared')).map((v) => v.value)).toEqual([{ owner: 'a' }]);
    expect((await r.recordHistory(OTHER_TENANT, KIND, 'shared')).map((v) => [v.tenantId, v.version])).toEqual([
      [OTHER_TENANT, 1],
      [OTHER_TENANT, 2],
    ]);
    expect((await r.listRecords(TENANT, KIND, { limit: 10 })).items.map((x) => x.value)).toEqual([{ owner: 'a' }]);
    expect((await r.listRecords(OTHER_TENANT, 'routingRule', { limit: 10 })).items).toEqual([]);
    expect(await r.listRecords('tenant_c', KIND, { limit: 10 })).toEqual({ items: [] });
  }),

  'records: timers and outbox messages are written with the record, atomically; a refused write leaves none': withRecords(async (r, { store: s, expect }) => {
    const handoff = recordTimer('handoff', t(MINUTE));
    const notice = recordMessage('msg_1', t(0));
    await r.putRecord(write('primary', 0, { name: 'Primary' }, t(0), { timers: { set: [handoff] }, outbox: [notice] }));
    const late = { timers: { set: [recordTimer('late', t(0))], cancel: [handoff.timerId] }, outbox: [recordMessage('msg_late', t(0))] };
    expect(codeOf(await thrown(() => r.putRecord(write('primary', 0, { name: 'Impostor' }, t(1000), late))))).toBe('VERSION_CONFLICT');
    expect(codeOf(await thrown(() => r.putRecord(write('primary', 3, { name: 'Stale' }, t(1000), late))))).toBe('VERSION_CONFLICT');
    const next = recordTimer('next', t(2 * MINUTE));
    await r.putRecord(write('primary', 1, { name: 'Primary' }, t(1000), { timers: { set: [next], cancel: [handoff.timerId] } }));
    const timers = await s.claimTimers(claim(TENANT, t(10 * MINUTE)));
    expect(timers.map((c) => c.item)).toEqual([next]);
    const messages = await s.claimOutbox(claim(TENANT, t(10 * MINUTE)));
    expect(messages.map((c) => c.item)).toEqual([notice]);
    // They are the store's timers and messages like any other: completed, failed and redelivered alike.
    const [timerClaim] = timers;
    const [messageClaim] = messages;
    if (timerClaim === undefined || messageClaim === undefined) throw new Error('expected a timer and a message');
    expect(await s.completeTimer(timerClaim)).toBe(true);
    expect(await s.failOutbox(messageClaim, { error: 'no subscriber endpoint' })).toBe(true);
    expect(await s.deadLetters(TENANT)).toEqual([{ ...notice, attempts: 1, lastError: 'no subscriber endpoint' }]);
    expect(await s.redeliver(TENANT, 'msg_1', t(11 * MINUTE))).toBe(true);
    expect(messageIds(await s.claimOutbox(claim(TENANT, t(11 * MINUTE), 'w2')))).toEqual(['msg_1']);
    expect(claimIds(await s.claimTimers(claim(TENANT, t(60 * MINUTE), 'w2')))).toEqual([]);
    expect(await s.claimTimers(claim(OTHER_TENANT, t(60 * MINUTE), 'w2'))).toEqual([]);
  }),

  'records: setRecordTimers sets, replaces (dropping the lease) and cancels timers of no incident without a version; a malformed batch writes none': withRecords(
    async (r, { store: s, expect }) => {
      const beat = recordTimer('beat', t(5 * MINUTE));
      const other = recordTimer('other', t(6 * MINUTE));
      await r.setRecordTimers({ tenantId: TENANT, set: [beat, other] });
      const [held] = await s.claimTimers(claim(TENANT, t(5 * MINUTE)));
      expect(held?.item).toEqual(beat);
      // Moved on while claimed (a beat arrived): the new deadline replaces it, free of the lease.
      const moved = recordTimer('beat', t(20 * MINUTE));
      await r.setRecordTimers({ tenantId: TENANT, set: [moved], cancel: [other.timerId] });
      if (held !== undefined) expect(await s.completeTimer(held)).toBe(false);
      expect((await s.claimTimers(claim(TENANT, t(19 * MINUTE), 'w2'))).map((c) => c.item)).toEqual([]);
      expect((await s.claimTimers(claim(TENANT, t(20 * MINUTE), 'w2'))).map((c) => c.item)).toEqual([moved]);
      // No record was written, and other tenants see nothing.
      expect(await r.listRecords(TENANT, KIND, { limit: 10 })).toEqual({ items: [] });
      expect(await s.claimTimers(claim(OTHER_TENANT, t(60 * MINUTE), 'w3'))).toEqual([]);
      // One bad timer refuses the whole batch.
      const good = recordTimer('good', t(MINUTE));
      for (const bad of [{ ...recordTimer('bad', t(MINUTE)), incidentId: 'inc_1' }, recordTimer('bad', t(MINUTE), OTHER_TENANT), { ...recordTimer('bad', t(MINUTE)), dueAt: 'soon' }]) {
        expect(codeOf(await thrown(() => r.setRecordTimers({ tenantId: TENANT, set: [good, bad] })))).toBe('VALIDATION_FAILED');
      }
      expect(claimIds(await s.claimTimers(claim(TENANT, t(2 * MINUTE), 'w4')))).toEqual([]);
    },
  ),

  'records: a caller cannot change stored records through what a write or read returns (copies or frozen values)': withRecords(async (r, { expect }) => {
    const value = { name: 'Primary', layers: [{ users: ['u_alice'] }] };
    const written = await r.putRecord(write('primary', 0, value));
    value.layers[0]?.users.push('u_mallory');
    attempt(() => {
      ((written.value as { layers: { users: string[] }[] }).layers[0]?.users ?? []).push('u_eve');
    });
    const read = await r.getRecord(TENANT, KIND, 'primary');
    attempt(() => {
      (read?.value as { name: string }).name = 'changed';
      (read?.updatedBy as { id: string }).id = 'u_eve';
    });
    const [listed] = (await r.listRecords(TENANT, KIND, { limit: 1 })).items;
    attempt(() => {
      (listed?.value as { name: string }).name = 'changed again';
    });
    const history = (await r.recordHistory(TENANT, KIND, 'primary')) as StoredRecord[];
    attempt(() => history.pop());
    expect(await r.getRecord(TENANT, KIND, 'primary')).toEqual({
      tenantId: TENANT,
      kind: KIND,
      id: 'primary',
      version: 1,
      value: { name: 'Primary', layers: [{ users: ['u_alice'] }] },
      updatedAt: t(0),
      updatedBy: alice,
    });
    expect(await r.recordHistory(TENANT, KIND, 'primary')).toHaveLength(1);
  }),

  'records: a due timer written with a record reaches its feature once through engine.tick, across competing engines': withRecords(async (r, { store, expect }) => {
    const clock = createManualClock(t(0));
    const fired: TimerRecord[] = [];
    const handoffs = defineFeature({
      name: 'contract',
      setup: () => ({
        fireTimer: (timer) => {
          fired.push(timer);
          return Promise.resolve();
        },
      }),
    });
    const engines = ['w1', 'w2', 'w3'].map((workerId) => createIncidentEngine({ store, clock, tenantId: TENANT, workerId, features: [handoffs()] }));
    const handoff = recordTimer('handoff', t(5 * MINUTE));
    await r.putRecord(write('primary', 0, { name: 'Primary' }, t(0), { timers: { set: [handoff] } }));
    clock.advance(4 * MINUTE);
    expect((await Promise.all(engines.map((engine) => engine.tick()))).flat()).toEqual([]);
    clock.advance(2 * MINUTE);
    const results = (await Promise.all(engines.map((engine) => engine.tick()))).flat();
    expect(results).toEqual([{ incidentId: '', timerId: handoff.timerId, dueAt: handoff.dueAt, event: 'HANDOFF', outcome: 'applied' }]);
    expect(fired).toEqual([handoff]);
    clock.advance(60 * MINUTE);
    expect((await Promise.all(engines.map((engine) => engine.tick()))).flat()).toEqual([]);
    expect(fired).toHaveLength(1);
  }),
}) satisfies ContractChecks)();

/** Runs a mutation that a frozen value refuses; either outcome is fine, only the stored state is checked. */
function attempt(mutate: () => unknown): void {
  try {
    mutate();
  } catch {
    // A frozen value throws in strict mode: that is one of the two allowed outcomes.
  }
}
