/**
 * `requireRecords`: it refuses a store without the record methods (naming the missing ones), and
 * checks every write and read before the store sees it, so the same input succeeds or fails on
 * every store. The storage contract (storage.contract.test.ts) covers what each store keeps.
 */
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { memoryStore } from '../../src/storage/memory.js';
import { RECORD_METHODS, requireRecords } from '../../src/storage/records.js';
import type { RecordWrite, StorageAdapter } from '../../src/storage/types.js';
import { thrown } from '../helpers.js';

const at = '2026-03-01T12:00:00.000Z';

function write(overrides: Partial<Record<keyof RecordWrite, unknown>> = {}): RecordWrite {
  return { tenantId: 't1', kind: 'schedule', id: 'primary', expectedVersion: 0, value: { name: 'Primary' }, at, actor: { kind: 'user', id: 'u1' }, ...overrides } as RecordWrite;
}

const timer = { tenantId: 't1', incidentId: '', timerId: 'feature:oncall:handoff', dueAt: at, event: { type: 'HANDOFF' } };
const message = { id: 'msg_1', tenantId: 't1', incidentId: '', channel: 'webhook', idempotencyKey: 'k1', payload: { text: 'hi' }, availableAt: at, attempts: 0 };

/** The issue paths of a refused call, joined with dots. */
async function refusedPaths(run: () => Promise<unknown>): Promise<string[]> {
  const error = await thrown(run);
  if (!isIncidentKitError(error, 'VALIDATION_FAILED')) throw new Error(`expected VALIDATION_FAILED, got ${String(error)}`);
  return (error.details as { issues: { path: PropertyKey[] }[] }).issues.map((issue) => issue.path.map(String).join('.'));
}

describe('requireRecords', () => {
  it('refuses a store without record methods with CONFIG_INVALID naming what is missing', async () => {
    const store = memoryStore();
    // A store as adapters were written before records: every method but the five.
    const without = (kept: readonly string[]): StorageAdapter =>
      Object.fromEntries(Object.entries(store).filter(([name]) => kept.includes(name) || !(RECORD_METHODS as readonly string[]).includes(name))) as unknown as StorageAdapter;
    const none = await thrown(() => Promise.resolve().then(() => requireRecords(without([]), 'engine.schedules.put')));
    expect(isIncidentKitError(none, 'CONFIG_INVALID')).toBe(true);
    expect((none as Error).message).toMatch(/engine\.schedules\.put .*'memory' lacks putRecord\(\), getRecord\(\), listRecords\(\), recordHistory\(\), setRecordTimers\(\)/);
    const partial = await thrown(() => Promise.resolve().then(() => requireRecords(without(['putRecord']), 'routing')));
    expect((partial as Error).message).toMatch(/lacks getRecord\(\), listRecords\(\), recordHistory\(\), setRecordTimers\(\)\./);
    expect(RECORD_METHODS).toEqual(['putRecord', 'getRecord', 'listRecords', 'recordHistory', 'setRecordTimers']);
  });

  it('passes a valid write through and returns what the store wrote', async () => {
    const records = requireRecords(memoryStore(), 'test');
    const written = await records.putRecord(write({ timers: { set: [timer] }, outbox: [message] }));
    expect(written).toEqual({ tenantId: 't1', kind: 'schedule', id: 'primary', version: 1, value: { name: 'Primary' }, updatedAt: at, updatedBy: { kind: 'user', id: 'u1' } });
    expect(await records.getRecord('t1', 'schedule', 'primary')).toEqual(written);
  });

  it.each([
    ['a NUL in a string', { value: { name: 'a\u0000b' } }, ['value.name']],
    ['a NUL in a key', { value: { 'a\u0000b': 1 } }, ['value.a\u0000b']],
    ['an unpaired surrogate', { value: ['\ud800'] }, ['value.0']],
    ['a number that is not finite', { value: { n: Number.POSITIVE_INFINITY } }, ['value.n']],
    ['a value that is not JSON', { value: { at: new Date(0) } }, ['value.at']],
    ['a prototype key', { value: JSON.parse('{"__proto__": {"polluted": true}}') as unknown }, ['value.__proto__']],
    ['a constructor key', { value: { constructor: 1 } }, ['value.constructor']],
    ['a value nested too deep', { value: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown }, ['value.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0']],
    ['no value', { value: undefined }, ['value']],
    ['a delete of a record that does not exist', { value: null }, ['value']],
    ['a time that is not canonical', { at: '2026-03-01T12:00:00Z' }, ['at']],
    ['a time in year 0', { at: '0000-03-01T12:00:00.000Z' }, ['at']],
    ['a time that is no date', { at: '2026-02-30T12:00:00.000Z' }, ['at']],
    ['a bad kind', { kind: 'on call' }, ['kind']],
    ['an empty id', { id: '' }, ['id']],
    ['an id too long', { id: 'x'.repeat(201) }, ['id']],
    ['a negative version', { expectedVersion: -1 }, ['expectedVersion']],
    ['a fractional version', { expectedVersion: 1.5 }, ['expectedVersion']],
    ['an actor without id', { actor: { kind: 'user' } }, ['actor.id']],
    ['an actor of an unknown kind', { actor: { kind: 'robot', id: 'r1' } }, ['actor.kind']],
    ['a timer of another tenant', { timers: { set: [{ ...timer, tenantId: 't2' }] } }, ['timers.set.0.tenantId']],
    ['a timer of an incident', { timers: { set: [{ ...timer, incidentId: 'inc_1' }] } }, ['timers.set.0.incidentId']],
    ['a timer due at a bad time', { timers: { set: [{ ...timer, dueAt: 'soon' }] } }, ['timers.set.0.dueAt']],
    ['a timer event that is no object', { timers: { set: [{ ...timer, event: 'HANDOFF' }] } }, ['timers.set.0.event']],
    ['a cancel of an empty id', { timers: { cancel: [''] } }, ['timers.cancel.0']],
    ['a message of another tenant', { outbox: [{ ...message, tenantId: 't2' }] }, ['outbox.0.tenantId']],
    ['a message available at a bad time', { outbox: [{ ...message, availableAt: 1 }] }, ['outbox.0.availableAt']],
    ['a message with negative attempts', { outbox: [{ ...message, attempts: -1 }] }, ['outbox.0.attempts']],
    ['a message payload holding NUL', { outbox: [{ ...message, payload: { text: '\u0000' } }] }, ['outbox.0.payload.text']],
  ])('refuses %s with VALIDATION_FAILED and writes nothing', async (_what, overrides, paths) => {
    const store = memoryStore();
    const records = requireRecords(store, 'test');
    expect(await refusedPaths(() => records.putRecord(write(overrides)))).toEqual(paths);
    expect(await records.recordHistory('t1', 'schedule', 'primary')).toEqual([]);
    expect(await store.claimTimers({ tenantId: 't1', now: '2100-01-01T00:00:00.000Z', owner: 'w', leaseMs: 1000, limit: 10 })).toEqual([]);
    expect(await store.claimOutbox({ tenantId: 't1', now: '2100-01-01T00:00:00.000Z', owner: 'w', leaseMs: 1000, limit: 10 })).toEqual([]);
  });

  it('refuses malformed reads with VALIDATION_FAILED', async () => {
    const records = requireRecords(memoryStore(), 'test');
    expect(await refusedPaths(() => records.getRecord('t1', 'schedule', 'primary', { version: 0 }))).toEqual(['version']);
    expect(await refusedPaths(() => records.getRecord('t1', 'bad kind', '\u0000'))).toEqual(['kind', 'id']);
    expect(await refusedPaths(() => records.listRecords('t1', 'schedule', { limit: 0 }))).toEqual(['limit']);
    expect(await refusedPaths(() => records.listRecords('t1', 'schedule', { limit: 1001 }))).toEqual(['limit']);
    expect(await refusedPaths(() => records.listRecords('t1', 'schedule', { limit: 10, cursor: 'abc' }))).toEqual(['cursor']);
    expect(await refusedPaths(() => records.recordHistory('t1', 'schedule', 'primary', { afterVersion: -1, limit: 0 }))).toEqual(['afterVersion', 'limit']);
  });
});
