/**
 * Hand-off notices through the real email, Slack and webhook notifiers against loopback servers:
 * a schedule with `handoffNotice` tells each incoming person ahead of their shift, once, on
 * durable timers that a restarted engine still fires.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleNotifier } from '../../../src/channels/console.js';
import { emailNotifier } from '../../../src/channels/email.js';
import { slackNotifier } from '../../../src/channels/slack.js';
import { verifyWebhookSignature, generateWebhookSecret } from '../../../src/channels/standardWebhooks.js';
import { webhookNotifier } from '../../../src/channels/webhook.js';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { HANDOFF_RECORD_KIND } from '../../../src/features/oncall/handoffNotices.js';
import type { ScheduleInput } from '../../../src/features/oncall/schedule.js';
import type { Notifier } from '../../../src/model/notification.js';
import { requireRecords } from '../../../src/storage/records.js';
import { memoryStore } from '../../../src/storage/memory.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock, type ManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { CHANNEL, TOKEN, startFakeSlack, type FakeSlack } from '../../fixtures/notify/fakeSlack.js';
import { startHttpReceiver, type HttpReceiver } from '../../fixtures/notify/httpReceiver.js';
import { parseMail } from '../../fixtures/notify/mime.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../fixtures/notify/smtpReceiver.js';

const ANA = { id: 'u_ana', name: 'Ana' };
const SECRET = generateWebhookSecret();
let smtp: SmtpReceiver;
let slack: FakeSlack;
let hooks: HttpReceiver;
let transport: ReturnType<typeof nodemailer.createTransport>;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
  slack = await startFakeSlack();
  hooks = await startHttpReceiver();
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  await slack.close();
  await hooks.close();
});

/** Daily at 09:00 Berlin: ana, ben, … with a notice 30 minutes ahead. */
const rota: ScheduleInput = {
  id: 'primary',
  name: 'SRE primary',
  timeZone: 'Europe/Berlin',
  layers: [{ id: 'daily', start: '2026-03-09T09:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['ana', 'ben'] }],
  handoffNotice: { before: { amount: 30, unit: 'minutes' } },
};

const directory: Record<string, Record<string, string>> = {
  ana: { email: 'ana@example.com', slack: 'UANA', webhook: 'ana' },
  ben: { email: 'ben@example.com', slack: 'UBEN', webhook: 'ben' },
};

function engineOver(store: StorageAdapter, clock: ManualClock, extra: Record<string, Notifier> = {}) {
  return createIncidentEngine({
    store,
    clock,
    ids: sequentialIds(),
    notifiers: {
      email: emailNotifier({ transport, from: 'oncall@example.com', to: 'nobody@example.com' }),
      slack: slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl }),
      webhook: webhookNotifier({ url: `${hooks.origin}/hooks`, secret: SECRET }),
      ...extra,
    },
    contacts: (userId) => directory[userId],
  });
}

describe('hand-off notices', () => {
  it('tell the incoming person 30 minutes ahead by mail, Slack DM and webhook, once; a restarted engine sends the next one', async () => {
    const store = memoryStore();
    const clock = createManualClock('2026-03-10T07:00:00.000Z'); // 08:00 in Berlin; ben takes over at 09:00 (08:00Z)
    const engine = engineOver(store, clock);
    await engine.schedules.put(rota, { actor: ANA });

    clock.set('2026-03-10T07:29:59.999Z');
    expect(await engine.tick()).toEqual([]);
    clock.set('2026-03-10T07:30:00.000Z');
    const fired = await engine.tick();
    expect(fired.map((f) => [f.incidentId, f.event, f.outcome])).toEqual([['', 'HANDOFF_NOTICE', 'applied']]);
    expect(await engine.tick()).toEqual([]);
    expect(await engine.dispatch()).toMatchObject({ delivered: 3, deadLettered: 0 });

    const mail = parseMail(smtp.mails.at(-1)?.raw ?? '');
    expect(smtp.mails.at(-1)?.to).toEqual(['ben@example.com']);
    expect(mail.subject).toBe('On call from Tue, 10 Mar 2026, 09:00: SRE primary');
    expect(mail.text).toContain('You are on call for SRE primary from Tue, 10 Mar 2026, 09:00 until Wed, 11 Mar 2026, 09:00 (Europe/Berlin).');
    expect(mail.text).toContain('You take over from ana.');
    const dm = slack.posts.at(-1);
    expect(dm?.body.channel).toBe('UBEN');
    expect(dm?.problems).toEqual([]);
    expect(String(dm?.body.text)).toContain('On call from Tue, 10 Mar 2026, 09:00: SRE primary');
    const hook = hooks.requests.at(-1);
    expect(await verifyWebhookSignature({ secret: SECRET, headers: hook?.headers ?? {}, body: hook?.body ?? '', now: clock.now() })).toBe(true);
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({
      type: 'notice.handoff',
      data: { kind: 'handoff', recipient: { userId: 'ben', address: 'ben' }, data: { scheduleId: 'primary', start: '2026-03-10T08:00:00.000Z', end: '2026-03-11T08:00:00.000Z', incoming: ['ben'], outgoing: ['ana'] } },
    });

    // The log says what was announced to whom.
    const log = await requireRecords(store, 'test').getRecord('default', HANDOFF_RECORD_KIND, 'primary');
    expect(log?.value).toEqual({ scheduleId: 'primary', lastHandoffAt: '2026-03-10T08:00:00.000Z', announced: [{ at: '2026-03-10T08:00:00.000Z', notified: { ben: ['email', 'slack', 'webhook'] } }] });

    // Another engine over the same store (a restart) fires the next day's notice, for ana.
    const mailsBefore = smtp.mails.length;
    const restarted = engineOver(store, clock);
    clock.set('2026-03-11T07:30:00.000Z');
    expect((await restarted.tick()).map((f) => f.event)).toEqual(['HANDOFF_NOTICE']);
    expect(await restarted.dispatch()).toMatchObject({ delivered: 3 });
    expect(smtp.mails.slice(mailsBefore).map((m) => m.to)).toEqual([['ana@example.com']]);
    // The first engine finds nothing left to send.
    expect(await engine.tick()).toEqual([]);
    expect(await engine.dispatch()).toMatchObject({ claimed: 0 });
  });

  it('announces an override that starts sooner than the notice at once, and the hand-back after it', async () => {
    const store = memoryStore();
    const clock = createManualClock('2026-03-10T10:00:00.000Z');
    const lines: string[] = [];
    const quiet = createIncidentEngine({ store, clock, ids: sequentialIds(), notifiers: { console: consoleNotifier({ log: (line) => lines.push(line) }) }, contacts: () => ({ console: 'terminal' }) });
    await quiet.schedules.put(rota, { actor: ANA });
    // Dora covers ben from 11:15 to 12:00 Berlin, 5 minutes from now: less than the 30-minute notice.
    clock.set('2026-03-10T10:10:00.000Z');
    await quiet.schedules.addOverride('primary', { id: 'cover', start: '2026-03-10T11:15:00+01:00', end: '2026-03-10T12:00:00+01:00', userId: 'dora' }, { actor: ANA });
    expect((await quiet.tick()).map((f) => f.event)).toEqual(['HANDOFF_NOTICE']);
    await quiet.dispatch();
    expect(lines).toEqual([expect.stringContaining('[notice to dora <terminal>] On call from Tue, 10 Mar 2026, 11:15: SRE primary')]);
    expect(lines[0]).toContain('until Tue, 10 Mar 2026, 12:00 (Europe/Berlin)');
    // Ben gets the hand-back at 12:00 Berlin, 30 minutes ahead.
    clock.set('2026-03-10T10:29:59.000Z');
    expect(await quiet.tick()).toEqual([]);
    clock.set('2026-03-10T10:30:00.000Z');
    expect((await quiet.tick()).map((f) => f.event)).toEqual(['HANDOFF_NOTICE']);
    await quiet.dispatch();
    expect(lines[1]).toContain('[notice to ben <terminal>] On call from Tue, 10 Mar 2026, 12:00: SRE primary');
    expect(lines[1]).toContain('You take over from dora.');
  });

  it('sends nothing to a person without a contact (the log says so), and stops when the notice is turned off', async () => {
    const store = memoryStore();
    const clock = createManualClock('2026-03-10T07:00:00.000Z');
    const lines: string[] = [];
    const engine = createIncidentEngine({
      store,
      clock,
      ids: sequentialIds(),
      notifiers: { console: consoleNotifier({ log: (line) => lines.push(line) }) },
      contacts: (userId) => (userId === 'ana' ? { console: 'ana-terminal' } : undefined),
    });
    await engine.schedules.put(rota, { actor: ANA });
    clock.set('2026-03-10T07:30:00.000Z');
    await engine.tick();
    expect(await engine.dispatch()).toMatchObject({ claimed: 0 });
    const log = await requireRecords(store, 'test').getRecord('default', HANDOFF_RECORD_KIND, 'primary');
    expect(log?.value).toMatchObject({ announced: [{ at: '2026-03-10T08:00:00.000Z', notified: { ben: [] } }] });

    // Turned off: the next day's notice (for ana) never comes.
    const { handoffNotice: _off, ...withoutNotice } = rota;
    await engine.schedules.put(withoutNotice, { actor: ANA });
    clock.set('2026-03-11T07:30:00.000Z');
    expect(await engine.tick()).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('through a Slack incoming webhook: posted to its channel, mentioning the person', async () => {
    const clock = createManualClock('2026-03-10T07:30:00.000Z');
    const engine = createIncidentEngine({ store: memoryStore(), clock, notifiers: { team: slackNotifier({ webhookUrl: slack.webhookUrl }) }, contacts: (userId) => ({ team: userId === 'ben' ? 'UBEN' : 'UANA' }) });
    await engine.schedules.put(rota, { actor: ANA });
    await engine.tick();
    const before = slack.posts.length;
    expect(await engine.dispatch()).toMatchObject({ delivered: 1 });
    const post = slack.posts.slice(before)[0];
    expect(post?.via).toBe('webhook');
    expect(post?.problems).toEqual([]);
    expect(String(post?.body.text)).toMatch(/^<@UBEN> On call from Tue, 10 Mar 2026, 09:00: SRE primary/);
  });
});
