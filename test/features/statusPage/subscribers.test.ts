/** Status page subscribers: double opt-in, component filtering, unsubscribe, signed webhooks to a real receiver and mail to a real SMTP server. */
import Database from 'better-sqlite3';
import { createTransport } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../../src/channels/standardWebhooks.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { createStatusPageHandler, statusPageSubscriberDelivery } from '../../../src/http/statusPage/index.js';
import { CONFIRMATION_RESEND_MS, type SubscriberMessage } from '../../../src/features/statusPage/subscribers.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../../fixtures/notify/httpReceiver.js';
import { parseMail } from '../../fixtures/notify/mime.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../fixtures/notify/smtpReceiver.js';
import { ADA, engineOn, T0 } from './statusPageSuite.js';

interface Hook {
  readonly type: string;
  readonly data: { readonly confirm_url?: string; readonly unsubscribe_url: string; readonly title?: string; readonly body?: string; readonly status?: string; readonly kind?: string; readonly components?: string[] };
}

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** Delivers until the outbox is empty (the fan-out queues the deliveries in a first pass). */
async function drain(engine: { dispatch(): Promise<{ claimed: number }> }): Promise<void> {
  for (let pass = 0; pass < 10; pass += 1) if ((await engine.dispatch()).claimed === 0) return;
  throw new Error('the outbox did not drain');
}

function hooksTo(path: string): Hook[] {
  return receiver.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body) as Hook);
}

function tokenOf(link: string | undefined): string {
  return new URL(link ?? '').searchParams.get('token') ?? '';
}

async function signedBy(secret: string, request: ReceivedRequest, now = T0): Promise<boolean> {
  return verifyWebhookSignature({ secret, headers: request.headers, body: request.body, now: new Date(now) });
}

/** Webhook subscribers with the ready delivery (the global fetch, to the receiver on 127.0.0.1). */
const WEBHOOKS: Partial<IncidentEngineOptions> = { statusPageSubscribers: { delivery: statusPageSubscriberDelivery() } };

function cases(makeStore: () => StorageAdapter, extra: Partial<IncidentEngineOptions> = WEBHOOKS) {
  it('sends only a signed confirmation until confirmed, then public updates to the components chosen, and nothing after unsubscribe', async () => {
    const { engine } = engineOn(makeStore(), extra);
    const all = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/all` });
    const api = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/api`, components: ['api'] });
    const never = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/never` });
    expect([all.status, api.status, never.status]).toEqual(['pending', 'pending', 'pending']);
    expect(all.secret).toMatch(/^whsec_/);

    const web = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(web.id, { name: 'Website unreachable', impact: 'major', body: 'The website does not answer.', actor: ADA });
    await drain(engine);
    // Double opt-in: nothing but the confirmation before confirming.
    expect(receiver.requests.map((r) => [r.url, (JSON.parse(r.body) as Hook).type]).sort()).toEqual([
      ['/all', 'subscription.confirm'],
      ['/api', 'subscription.confirm'],
      ['/never', 'subscription.confirm'],
    ]);
    for (const request of receiver.requests) {
      const secret = request.url === '/all' ? all.secret : request.url === '/api' ? api.secret : never.secret;
      expect(await signedBy(secret ?? '', request)).toBe(true);
      expect(await signedBy('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', request)).toBe(false);
    }
    const [confirmAll] = hooksTo('/all');
    const [confirmApi] = hooksTo('/api');
    expect(confirmAll?.data.confirm_url).toMatch(/^https:\/\/status\.acme\.example\/confirm\?token=sub_/);
    expect(await engine.statusPages.confirm(tokenOf(confirmAll?.data.confirm_url))).toMatchObject({ subscriberId: all.subscriberId, pageId: 'public', status: 'active' });
    await engine.statusPages.confirm(tokenOf(confirmApi?.data.confirm_url));
    // Confirming twice is harmless; a forged token is not found.
    expect(await engine.statusPages.confirm(tokenOf(confirmAll?.data.confirm_url))).toMatchObject({ status: 'active' });
    await expect(engine.statusPages.confirm(`${all.subscriberId}.${'A'.repeat(43)}`)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    receiver.requests.length = 0;
    await engine.postPublicUpdate(web.id, { status: 'identified', body: 'A load balancer failed.', actor: ADA });
    await drain(engine);
    expect(receiver.requests.map((r) => r.url)).toEqual(['/all']);
    expect(hooksTo('/all')[0]).toMatchObject({ type: 'incident.updated', data: { kind: 'incident', title: 'Website unreachable', body: 'A load balancer failed.', status: 'identified', components: ['website'] } });
    expect(await signedBy(all.secret ?? '', receiver.requests[0]!)).toBe(true);

    receiver.requests.length = 0;
    const apiIncident = await engine.declare({ title: 'db', severity: 'SEV1', service: 'api', actor: ADA });
    await engine.publish(apiIncident.id, { name: 'API errors', impact: 'minor', body: 'Errors on the API.', actor: ADA });
    await drain(engine);
    expect(receiver.requests.map((r) => r.url).sort()).toEqual(['/all', '/api']);

    // Unsubscribing (the link every message carries) stops the messages.
    const unsubscribe = hooksTo('/all')[0]?.data.unsubscribe_url;
    expect(unsubscribe).toMatch(/^https:\/\/status\.acme\.example\/unsubscribe\?token=sub_/);
    expect(await engine.statusPages.unsubscribe(tokenOf(unsubscribe))).toMatchObject({ subscriberId: all.subscriberId, status: 'unsubscribed' });
    expect(await engine.statusPages.unsubscribe(tokenOf(unsubscribe))).toMatchObject({ status: 'unsubscribed' });
    // The old confirmation link does not subscribe again.
    await expect(engine.statusPages.confirm(tokenOf(confirmAll?.data.confirm_url))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    receiver.requests.length = 0;
    await engine.postPublicUpdate(apiIncident.id, { status: 'resolved', body: 'Fixed.', actor: ADA });
    await drain(engine);
    expect(receiver.requests.map((r) => r.url)).toEqual(['/api']);

    const listed = await engine.statusPages.subscribers('public');
    expect(listed.map((s) => [s.address.replace(receiver.origin, ''), s.status, s.components]).sort()).toEqual([
      ['/all', 'unsubscribed', []],
      ['/api', 'active', ['api']],
      ['/never', 'pending', []],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/whsec_|token|Hash/);
    expect(await engine.deadLetters()).toEqual([]);
  });

  it('a drill published on the page reaches no subscriber and no public output; a real incident beside it does', async () => {
    const { engine, clock } = engineOn(makeStore(), extra);
    const sub = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/all` });
    await drain(engine);
    await engine.statusPages.confirm(tokenOf(hooksTo('/all')[0]?.data.confirm_url));
    receiver.requests.length = 0;
    const http = createStatusPageHandler(engine, { pageId: 'public' });
    const get = (path: string) => http(new Request(`https://status.acme.example${path}`));
    const json = async (path: string) => (await (await get(path)).json()) as { status: { indicator: string }; incidents: { name: string }[]; components: { status: string }[] };

    const drill = await engine.declare({ title: 'Game day: API failover', severity: 'SEV1', service: 'api', drill: true, actor: ADA });
    await engine.publish(drill.id, { name: 'API errors', impact: 'critical', body: 'Practice: errors on the API.', actor: ADA });
    clock.advance(10 * 60_000);
    await engine.postPublicUpdate(drill.id, { status: 'identified', body: 'Practice: found it.', components: { website: 'major_outage' }, actor: ADA });
    await engine.tick();
    await drain(engine);
    expect(receiver.requests).toEqual([]);
    expect(await json('/api/v2/status.json')).toMatchObject({ status: { indicator: 'none', description: 'All Systems Operational' } });
    const summary = await json('/api/v2/summary.json');
    expect(summary.incidents).toEqual([]);
    expect(summary.components.every((c) => c.status === 'operational')).toBe(true);
    for (const path of ['/', '/history.atom', '/api/v2/incidents.json']) expect(await (await get(path)).text()).not.toContain('API errors');

    const real = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(real.id, { name: 'Website unreachable', impact: 'major', body: 'The website does not answer.', actor: ADA });
    await engine.postPublicUpdate(drill.id, { status: 'resolved', body: 'Practice over.', actor: ADA });
    await engine.tick();
    await drain(engine);
    expect(hooksTo('/all').map((h) => [h.type, h.data.title, h.data.status])).toEqual([['incident.updated', 'Website unreachable', 'investigating']]);
    expect(await signedBy(sub.secret ?? '', receiver.requests[0]!, clock.now().toISOString())).toBe(true);
    expect((await json('/api/v2/summary.json')).incidents.map((i) => i.name)).toEqual(['Website unreachable']);
    expect((await json('/api/v2/status.json')).status.indicator).not.toBe('none');
    expect(await engine.deadLetters()).toEqual([]);
  });

  it('tells subscribers of a component change without a public update (an incident resolved inside)', async () => {
    const { engine } = engineOn(makeStore(), extra);
    const sub = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/web`, components: ['website'] });
    await drain(engine);
    await engine.statusPages.confirm(tokenOf(hooksTo('/web')[0]?.data.confirm_url));
    const incident = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(incident.id, { name: 'Website unreachable', impact: 'major', body: 'Down.', actor: ADA });
    await drain(engine);
    receiver.requests.length = 0;
    await engine.resolve(incident.id, { actor: ADA });
    await engine.tick();
    await drain(engine);
    expect(hooksTo('/web')).toMatchObject([{ type: 'component.updated', data: { kind: 'component', components: ['website'], body: 'Website is now operational (was partial outage).' } }]);
    expect(await signedBy(sub.secret ?? '', receiver.requests[0]!)).toBe(true);
  });

  it('tells subscribers of the components each scheduled maintenance change, on its timers too, and no component change besides', async () => {
    const { engine, clock } = engineOn(makeStore(), extra);
    await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/api`, components: ['api'] });
    await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/web`, components: ['website'] });
    await drain(engine);
    for (const path of ['/api', '/web']) await engine.statusPages.confirm(tokenOf(hooksTo(path)[0]?.data.confirm_url));
    receiver.requests.length = 0;
    const hour = 60 * 60_000;
    const scheduled = await engine.scheduleMaintenance({
      name: 'Database upgrade',
      components: ['api'],
      scheduledFor: new Date(Date.parse(T0) + hour).toISOString(),
      scheduledUntil: new Date(Date.parse(T0) + 2 * hour).toISOString(),
      body: 'We will upgrade the database.',
      actor: ADA,
    });
    await drain(engine);
    clock.advance(hour);
    await engine.tick();
    await drain(engine);
    clock.advance(hour);
    await engine.tick();
    await drain(engine);
    expect(hooksTo('/api').map((h) => [h.type, h.data.kind, h.data.status, h.data.title])).toEqual([
      ['maintenance.updated', 'maintenance', 'scheduled', 'Database upgrade'],
      ['maintenance.updated', 'maintenance', 'in_progress', 'Database upgrade'],
      ['maintenance.updated', 'maintenance', 'completed', 'Database upgrade'],
    ]);
    expect(hooksTo('/api')[0]).toMatchObject({ data: { id: scheduled.id, body: 'We will upgrade the database.', components: ['api'] } });
    expect(hooksTo('/web')).toEqual([]);
  });

  it('sends no second confirmation within 10 minutes (a form submitted in a loop floods nobody), a new one after (the old link stops working), and nothing to an active subscriber', async () => {
    const { engine, clock } = engineOn(makeStore(), extra);
    const first = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/a` });
    const loop = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/a` });
    expect([first.sent, loop]).toEqual([true, { subscriberId: first.subscriberId, status: 'pending', sent: false }]);
    await drain(engine);
    expect(hooksTo('/a')).toHaveLength(1);
    const oldToken = tokenOf(hooksTo('/a')[0]?.data.confirm_url);
    clock.advance(CONFIRMATION_RESEND_MS);
    const later = await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/a` });
    expect(later).toMatchObject({ status: 'pending', sent: true });
    expect(later.secret).toMatch(/^whsec_/);
    expect(later.secret).not.toBe(first.secret);
    await drain(engine);
    expect(hooksTo('/a')).toHaveLength(2);
    expect(await signedBy(later.secret ?? '', receiver.requests.at(-1)!, clock.now().toISOString())).toBe(true);
    await expect(engine.statusPages.confirm(oldToken)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await engine.statusPages.confirm(tokenOf(hooksTo('/a')[1]?.data.confirm_url));
    expect(await engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/a` })).toEqual({ subscriberId: first.subscriberId, status: 'active', sent: false });
    await drain(engine);
    expect(hooksTo('/a')).toHaveLength(2);
  });

  it('refuses bad input with a ValidationError, and email without a transport with a ConfigError', async () => {
    const { engine } = engineOn(makeStore(), extra);
    await expect(engine.statusPages.subscribe('public', { webhookUrl: 'ftp://x.example' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.statusPages.subscribe('public', { webhookUrl: `${receiver.origin}/x`, components: ['nope'] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.statusPages.subscribe('nope', { webhookUrl: `${receiver.origin}/x` })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.statusPages.subscribe('public', {} as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.statusPages.confirm('garbage')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.statusPages.unsubscribe('garbage')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    if (extra.statusPageSubscribers?.delivery.channels.email !== true) {
      await expect(engine.statusPages.subscribe('public', { email: 'ana@example.com' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    }
  });
}

describe('status page subscribers on memoryStore', () => {
  cases(() => memoryStore());
});

describe('status page subscribers on sqliteStore', () => {
  cases(() => sqliteStore(new Database(':memory:')));
});

describe('status page email subscribers', () => {
  let smtp: SmtpReceiver;
  beforeEach(async () => {
    smtp = await startSmtpReceiver();
  });
  afterEach(async () => {
    await smtp.close();
  });

  it('mails a confirmation, then updates with a one-click List-Unsubscribe (RFC 8058)', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const { engine } = engineOn(memoryStore(), { statusPageSubscribers: { delivery: statusPageSubscriberDelivery({ email: { transport, from: 'Acme status <status@acme.example>' } }) } });
    expect(engine.statusPages.subscriptions).toEqual({ email: true, webhook: true });
    const sub = await engine.statusPages.subscribe('public', { email: 'Ana@Example.com' });
    const incident = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(incident.id, { name: 'Website unreachable', impact: 'major', body: 'Down.', actor: ADA });
    await drain(engine);
    expect(smtp.mails).toHaveLength(1);
    const confirmation = parseMail(smtp.mails[0]?.raw ?? '');
    expect(smtp.mails[0]?.to).toEqual(['ana@example.com']);
    expect(confirmation.subject).toBe('Confirm your subscription to Acme status');
    const link = /https:\/\/\S+\/confirm\?token=\S+/.exec(confirmation.text)?.[0];
    expect(confirmation.html).toContain('Confirm');
    expect(await engine.statusPages.confirm(tokenOf(link))).toMatchObject({ subscriberId: sub.subscriberId, status: 'active' });

    await engine.postPublicUpdate(incident.id, { status: 'monitoring', body: 'A fix is live.', actor: ADA });
    await drain(engine);
    expect(smtp.mails).toHaveLength(2);
    const update = parseMail(smtp.mails[1]?.raw ?? '');
    expect(update.subject).toBe('[Acme status] Website unreachable (monitoring)');
    expect(update.text).toContain('A fix is live.');
    expect(update.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = /^<(.+)>$/.exec(update.headers.get('list-unsubscribe') ?? '')?.[1] ?? '';
    expect(unsubscribe).toMatch(/^https:\/\/status\.acme\.example\/unsubscribe\?token=sub_/);
    expect(update.text).toContain(unsubscribe);
    await engine.statusPages.unsubscribe(tokenOf(unsubscribe));
    await engine.postPublicUpdate(incident.id, { status: 'resolved', body: 'Fixed.', actor: ADA });
    await drain(engine);
    expect(smtp.mails).toHaveLength(2);
  });
});

describe('status page subscriber delivery', () => {
  it('without statusPageSubscribers nobody can subscribe: a ConfigError names the option, and nothing is stored', async () => {
    const { engine } = engineOn(memoryStore());
    expect(engine.statusPages.subscriptions).toEqual({ email: false, webhook: false });
    const refused = engine.statusPages.subscribe('public', { webhookUrl: 'https://hooks.example.com/x' });
    await expect(refused).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(refused).rejects.toThrow(/statusPageSubscribers: \{ delivery/);
    expect(await engine.statusPages.subscribers('public')).toEqual([]);
  });

  it('refuses bad options with a ConfigError, and webhooks when the delivery has webhook: false', async () => {
    expect(() => statusPageSubscriberDelivery({ email: { transport: {} as never, from: 'x@example.com' } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => statusPageSubscriberDelivery({ email: { transport: { sendMail: () => Promise.resolve({}) }, from: 'a@b.c\r\nBcc: x@y.z' } })).toThrow(/one line/);
    expect(() => engineOn(memoryStore(), { statusPageSubscribers: { delivery: {} as never } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    const { engine } = engineOn(memoryStore(), { statusPageSubscribers: { delivery: statusPageSubscriberDelivery({ email: { transport: { sendMail: () => Promise.resolve({}) }, from: 'status@acme.example' }, webhook: false }) } });
    expect(engine.statusPages.subscriptions).toEqual({ email: true, webhook: false });
    await expect(engine.statusPages.subscribe('public', { webhookUrl: 'https://hooks.example.com/x' })).rejects.toThrow(/does not send webhooks/);
  });

  it("hands a host's own delivery each message with what it needs to send it (here, an SMS gateway stand-in)", async () => {
    const sent: SubscriberMessage[] = [];
    const delivery = { channels: { email: true, webhook: false }, send: (message: SubscriberMessage) => Promise.resolve(void sent.push(message)) };
    const { engine } = engineOn(memoryStore(), { statusPageSubscribers: { delivery } });
    const sub = await engine.statusPages.subscribe('public', { email: 'ana@example.com' });
    await drain(engine);
    expect(sent).toMatchObject([{ subscriberId: sub.subscriberId, channel: 'email', address: 'ana@example.com', type: 'subscription.confirm', page: { id: 'public' } }]);
    await engine.statusPages.confirm(tokenOf(sent[0]?.data.confirm_url as string));
    const incident = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(incident.id, { name: 'Website unreachable', impact: 'major', body: 'Down.', actor: ADA });
    await drain(engine);
    expect(sent[1]).toMatchObject({ type: 'incident.updated', subject: '[Acme status] Website unreachable (investigating)', text: 'Down.', data: { kind: 'incident', title: 'Website unreachable' } });
    expect(sent[1]?.unsubscribeUrl).toMatch(/^https:\/\/status\.acme\.example\/unsubscribe\?token=sub_/);
    expect(sent[1]?.idempotencyKey).not.toBe(sent[0]?.idempotencyKey);
  });
});
