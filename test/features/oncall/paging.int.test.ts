/**
 * Notifications to the people an escalation paged, through the real email and Slack notifiers
 * against loopback servers: a route with `recipients: ['paged']` sends one message per person,
 * addressed with the host's `contacts(userId)`.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailNotifier } from '../../../src/channels/email.js';
import { slackNotifier } from '../../../src/channels/slack.js';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { CHANNEL, TOKEN, startFakeSlack, type FakeSlack } from '../../fixtures/notify/fakeSlack.js';
import { parseMail } from '../../fixtures/notify/mime.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../fixtures/notify/smtpReceiver.js';

const ANA = { id: 'u_ana', name: 'Ana' };
let smtp: SmtpReceiver;
let slack: FakeSlack;
let transport: ReturnType<typeof nodemailer.createTransport>;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
  slack = await startFakeSlack();
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  await slack.close();
});

describe('paging the people an escalation resolved to', () => {
  it('mails and DMs whoever is on call, with an idempotency key per recipient; a person without an address is dead-lettered with the reason', async () => {
    const clock = createManualClock('2026-03-09T08:50:00.000Z');
    const directory: Record<string, Record<string, string>> = { ben: { email: 'ben@example.com', slack: 'U_BEN' } };
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock,
      ids: sequentialIds(),
      policies: { escalation: { levels: [{ afterMinutes: 15, targets: [{ kind: 'schedule', id: 'primary' }, { kind: 'user', id: 'dora' }] }] } },
      notifiers: {
        email: emailNotifier({ transport, from: 'incidents@example.com', to: 'oncall-list@example.com' }),
        slack: slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl }),
      },
      routes: [
        { events: ['ESCALATED'], to: ['email', 'slack'], recipients: ['paged'] },
        { events: ['DECLARED'], to: ['slack'] },
      ],
      contacts: (userId) => directory[userId],
    });
    await engine.schedules.put(
      { id: 'primary', name: 'Primary', timeZone: 'UTC', layers: [{ id: 'd', start: '2026-03-08T09:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['ana', 'ben'] }] },
      { actor: ANA },
    );
    await engine.declare({ title: 'Checkout is down', severity: 'SEV2', actor: ANA });
    clock.advance(15 * 60_000); // after ben took over at 09:00
    await engine.tick();
    const stats = await engine.dispatch();
    expect(stats).toMatchObject({ delivered: 3, deadLettered: 2 });

    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ben@example.com']]);
    expect(parseMail(smtp.mails[0]?.raw ?? '').subject).toContain('Escalated to level 1: Checkout is down');
    expect(slack.posts.map((post) => post.body.channel)).toEqual([CHANNEL, 'U_BEN']);

    const letters = await engine.deadLetters();
    expect(letters.map((l) => [l.channel, l.idempotencyKey, l.lastError])).toEqual([
      ['email', expect.stringMatching(/:email:user:dora$/), expect.stringContaining("user 'dora' has no address for the notifier 'email' in contacts")],
      ['slack', expect.stringMatching(/:slack:user:dora$/), expect.stringContaining("user 'dora' has no address for the notifier 'slack' in contacts")],
    ]);
    // Redelivered once the directory knows her, to her address.
    directory.dora = { email: 'dora@example.com', slack: 'U_DORA' };
    for (const letter of letters) await engine.redeliver(letter.id);
    expect(await engine.dispatch()).toMatchObject({ delivered: 2 });
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ben@example.com'], ['dora@example.com']]);
    expect(slack.posts.map((post) => post.body.channel)).toEqual([CHANNEL, 'U_BEN', 'U_DORA']);
  });

  it('tells the channels by default when nobody could be paged: the last level reached nobody', async () => {
    const clock = createManualClock('2026-03-09T08:50:00.000Z');
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock,
      ids: sequentialIds(),
      policies: { escalation: { levels: [{ afterMinutes: 5, targets: [{ kind: 'schedule', id: 'nights' }, { kind: 'role', role: 'commander' }] }] } },
      // No routes: every notifier gets the default events.
      notifiers: { slack: slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl }) },
    });
    await engine.schedules.put(
      {
        id: 'nights',
        name: 'Nights',
        timeZone: 'UTC',
        layers: [{ id: 'n', start: '2026-03-01T00:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['nia'], restrictions: [{ kind: 'daily', start: '22:00', end: '06:00' }] }],
      },
      { actor: ANA },
    );
    await engine.declare({ title: 'Pharmacy fridge alarm', severity: 'SEV2', actor: ANA });
    clock.advance(5 * 60_000); // 08:55: outside the night layer, and nobody holds the commander role
    await engine.tick();
    const before = slack.posts.length;
    expect(await engine.dispatch()).toMatchObject({ delivered: 3, deadLettered: 0 });
    const posts = slack.posts.slice(before);
    expect(posts.map((post) => post.problems)).toEqual([[], [], []]);
    const texts = posts.map((post) => JSON.stringify(post.body));
    const nobody = texts.filter((text) => text.includes('Nobody paged: Pharmacy fridge alarm'));
    expect(nobody).toHaveLength(1);
    expect(nobody[0]).toContain('level 1 (schedule nights, role commander) reached nobody. Page someone by hand.');
  });
});
