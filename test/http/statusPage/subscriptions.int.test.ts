/** The subscribe form, /subscribe, /confirm and /unsubscribe over real HTTP, with mail through a real SMTP server. */
import { createTransport } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStatusPageHandler, statusPageSubscriberDelivery } from '../../../src/http/statusPage/index.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { ADA, engineOn } from '../../features/statusPage/statusPageSuite.js';
import { parseMail } from '../../fixtures/notify/mime.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../fixtures/notify/smtpReceiver.js';
import { startServer, type TestServer } from '../server.js';

let server: TestServer | undefined;
let smtp: SmtpReceiver;
beforeEach(async () => {
  smtp = await startSmtpReceiver();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await smtp.close();
});

async function drain(engine: { dispatch(): Promise<{ claimed: number }> }): Promise<void> {
  for (let pass = 0; pass < 10; pass += 1) if ((await engine.dispatch()).claimed === 0) return;
  throw new Error('the outbox did not drain');
}

function subscribeForm(url: string, email: string): Promise<Response> {
  return fetch(`${url}/status/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email }).toString() });
}

/** A link of the page (built from its public url) on the test server. */
function onServer(url: string, link: string): string {
  const parsed = new URL(link);
  return `${url}/status${parsed.pathname}${parsed.search}`;
}

describe('createStatusPageHandler subscriptions', () => {
  it('subscribes from the form with double opt-in, confirms, and unsubscribes in one POST (RFC 8058), never telling whether an address was subscribed', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const { engine } = engineOn(memoryStore(), { statusPageSubscribers: { delivery: statusPageSubscriberDelivery({ email: { transport, from: 'Acme status <status@acme.example>' } }) } });
    server = await startServer(createStatusPageHandler(engine, { pageId: 'public', basePath: '/status' }));
    const { url } = server;

    const html = await (await fetch(`${url}/status`)).text();
    expect(html).toContain('<form method="post" action="/status/subscribe">');

    const first = await subscribeForm(url, 'ana@example.com');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const answer = await first.text();
    expect(answer).toContain('Check your inbox');
    await drain(engine);
    expect(smtp.mails).toHaveLength(1);
    const link = /https:\/\/\S+\/confirm\?token=\S+/.exec(parseMail(smtp.mails[0]?.raw ?? '').text)?.[0] ?? '';

    const bad = await fetch(`${url}/status/confirm?token=sub_${'0'.repeat(40)}.${'A'.repeat(43)}`, { method: 'POST' });
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain('This link is not valid');
    // A GET (a mail scanner opening the link, a click) only asks; its button's POST confirms.
    const asking = await fetch(onServer(url, link));
    expect(asking.status).toBe(200);
    expect(await asking.text()).toContain(`<form method="post" action="/status/confirm?token=`);
    expect((await engine.statusPages.subscribers('public')).map((s) => s.status)).toEqual(['pending']);
    const confirmed = await fetch(onServer(url, link), { method: 'POST' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await confirmed.text()).toContain('Subscription confirmed');

    // Subscribed already: the same answer, and nothing is sent.
    const again = await subscribeForm(url, 'ana@example.com');
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(answer);
    await drain(engine);
    expect(smtp.mails).toHaveLength(1);

    const invalid = await subscribeForm(url, 'not an address');
    expect(invalid.status).toBe(400);

    const incident = await engine.declare({ title: 'lb down', severity: 'SEV2', service: 'web', actor: ADA });
    await engine.publish(incident.id, { name: 'Website unreachable', impact: 'major', body: 'Down.', actor: ADA });
    await drain(engine);
    expect(smtp.mails).toHaveLength(2);
    const unsubscribe = /^<(.+)>$/.exec(parseMail(smtp.mails[1]?.raw ?? '').headers.get('list-unsubscribe') ?? '')?.[1] ?? '';

    // A GET (a link scanner, a click) only asks; the POST unsubscribes.
    const asked = await fetch(onServer(url, unsubscribe));
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('<form method="post" action="/status/unsubscribe?token=');
    expect((await engine.statusPages.subscribers('public')).map((s) => s.status)).toEqual(['active']);
    const done = await fetch(onServer(url, unsubscribe), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Unsubscribed');
    expect((await engine.statusPages.subscribers('public')).map((s) => s.status)).toEqual(['unsubscribed']);
    await engine.postPublicUpdate(incident.id, { status: 'resolved', body: 'Fixed.', actor: ADA });
    await drain(engine);
    expect(smtp.mails).toHaveLength(2);
  });

  it('takes at most subscribeLimit subscriptions per window: more get 429 with Retry-After, and subscribe nobody', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const { engine } = engineOn(memoryStore(), { statusPageSubscribers: { delivery: statusPageSubscriberDelivery({ email: { transport, from: 'status@acme.example' } }) } });
    // An hour-long window: the third request lands in it however slow the machine is.
    server = await startServer(createStatusPageHandler(engine, { pageId: 'public', basePath: '/status', subscribeLimit: { requests: 2, seconds: 3_600 } }));
    const statuses = [];
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) statuses.push((await subscribeForm(server.url, email)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await subscribeForm(server.url, 'd@example.com');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('Please try again later');
    expect((await engine.statusPages.subscribers('public')).map((s) => s.address).sort()).toEqual(['a@example.com', 'b@example.com']);
    expect(() => createStatusPageHandler(engine, { pageId: 'public', subscribeLimit: { requests: 0, seconds: 60 } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('serves no subscription routes and no form when the engine cannot email subscribers', async () => {
    const { engine } = engineOn(memoryStore());
    server = await startServer(createStatusPageHandler(engine, { pageId: 'public' }));
    expect(await (await fetch(`${server.url}/`)).text()).not.toContain('<form');
    expect((await subscribeForm(server.url, 'ana@example.com').catch(() => undefined))?.status).toBe(404);
    for (const path of ['/subscribe', '/confirm?token=x', '/unsubscribe?token=x']) expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
  });
});
