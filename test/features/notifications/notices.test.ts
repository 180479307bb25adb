/**
 * The dispatcher with notices to people (payload `{ notice }`, no incident): sent through
 * `sendNotice` to the address `contacts` gives; dead-lettered with a reason when the notifier
 * cannot send notices, the person has no address, or the stored notice is malformed.
 */
import { describe, expect, it } from 'vitest';
import { defineNotifier, type NoticeMessage, type NotificationDeliveryInfo } from '../../../src/model/notification.js';
import { createDispatcher } from '../../../src/features/notifications/dispatcher.js';
import { requireRecords } from '../../../src/storage/records.js';
import { memoryStore } from '../../../src/storage/memory.js';
import type { OutboxRecord } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

const NOW = '2026-03-10T07:30:00.000Z';

function notice(id: string, channel: string, userId: string, overrides: Record<string, unknown> = {}): OutboxRecord {
  return {
    id,
    tenantId: 'default',
    incidentId: '',
    channel,
    idempotencyKey: `handoff:primary:${id}`,
    availableAt: NOW,
    attempts: 0,
    payload: {
      notice: { kind: 'handoff', id, idempotencyKey: `handoff:primary:${id}`, notifier: channel, recipient: { userId }, title: 'On call from 09:00', text: 'You are on call.', links: [], data: { scheduleId: 'primary' }, ...overrides },
    },
  };
}

describe('notices to people', () => {
  it('sends through sendNotice with the address from contacts, and dead-letters what cannot be sent with the reason', async () => {
    const store = memoryStore();
    const sent: NoticeMessage[] = [];
    const pager = defineNotifier({ name: 'pager', send: () => Promise.resolve(), sendNotice: (n) => Promise.resolve(void sent.push(n)) });
    const plain = defineNotifier({ name: 'plain', send: () => Promise.resolve() });
    await requireRecords(store, 'test').putRecord({
      tenantId: 'default',
      kind: 'test',
      id: 'notices',
      expectedVersion: 0,
      value: {},
      at: NOW,
      actor: { kind: 'system', id: 'test' },
      outbox: [notice('m1', 'pager', 'ben'), notice('m2', 'plain', 'ben'), notice('m3', 'pager', 'dora'), notice('m4', 'pager', 'ben', { kind: 'birthday' })],
    });
    const events: [string, NotificationDeliveryInfo][] = [];
    const dispatcher = createDispatcher({
      store,
      tenantId: 'default',
      notifiers: { pager, plain },
      clock: createManualClock(NOW),
      contacts: (userId) => (userId === 'ben' ? { pager: '+4917012345', plain: 'ben' } : undefined),
      emit: (name, info) => events.push([name, info]),
    });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 4, delivered: 1, deadLettered: 3 });
    expect(sent).toEqual([expect.objectContaining({ kind: 'handoff', recipient: { userId: 'ben', address: '+4917012345' }, idempotencyKey: 'handoff:primary:m1' })]);
    expect(events.find(([name]) => name === 'notification.delivered')?.[1]).toMatchObject({ messageId: 'm1', incidentId: '', notice: 'handoff' });
    const letters = await store.deadLetters('default');
    const reasons = new Map(letters.map((l) => [l.id, l.lastError ?? '']));
    expect([...reasons.keys()].sort()).toEqual(['m2', 'm3', 'm4']);
    expect(reasons.get('m2')).toContain("the notifier 'plain' cannot send notices to people (it has no sendNotice)");
    expect(reasons.get('m3')).toContain("user 'dora' has no address for the notifier 'pager' in contacts");
    expect(reasons.get('m4')).toContain('the stored notice m4 is not a valid notice');
  });
});
