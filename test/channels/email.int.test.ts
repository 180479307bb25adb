import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailNotifier, renderEmail } from '../../src/channels/email.js';
import type { NotificationMessage, NotifierContext } from '../../src/model/notification.js';
import { sampleNotification } from '../../src/testing/notifierContract.js';
import { closedPort } from '../fixtures/notify/httpReceiver.js';
import { parseMail } from '../fixtures/notify/mime.js';
import { startSmtpReceiver, type SmtpReceiver } from '../fixtures/notify/smtpReceiver.js';
import { thrown } from '../helpers.js';

function context(message: NotificationMessage, signal: AbortSignal = new AbortController().signal): NotifierContext {
  return { signal, attempt: 1, idempotencyKey: message.idempotencyKey, now: new Date('2026-03-02T09:00:00.000Z') };
}

let smtp: SmtpReceiver;
/** A nodemailer SMTP transport to the loopback server (plain SMTP, no TLS). */
function smtpTransport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}
let transport: ReturnType<typeof smtpTransport>;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
  transport = smtpTransport(smtp.port);
});
afterAll(async () => {
  transport.close();
  await smtp.close();
});
beforeEach(() => {
  smtp.mails.length = 0;
  smtp.refuse(undefined);
});

describe('emailNotifier through nodemailer and a real SMTP server', () => {
  it('sends HTML and plain text; the subject names severity and title', async () => {
    const notifier = emailNotifier({ transport, from: 'Incidents <incidents@hospital.example.org>', to: ['oncall@hospital.example.org', 'quality@hospital.example.org'] });
    const message = sampleNotification('DECLARED');
    await notifier.send(message, context(message));

    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.from).toBe('incidents@hospital.example.org');
    expect(mail?.to).toEqual(['oncall@hospital.example.org', 'quality@hospital.example.org']);
    const parsed = parseMail(mail?.raw ?? '');
    expect(parsed.subject).toBe('[SEV1] Incident declared: Checkout API returns errors');
    expect(parsed.text).toContain('Card payments fail for about 30 % of customers.');
    expect(parsed.text).toContain('Severity: SEV1');
    expect(parsed.html).toContain('<h2 style="margin:0 0 12px;font-size:19px">[SEV1] Incident declared: Checkout API returns errors</h2>');
    expect(parsed.html).toContain('<a href="https://incidents.example.com/inc_contract_1"');
    expect(parsed.headers.get('x-incidentkit-idempotency-key')).toBe(message.idempotencyKey);
    expect(parsed.headers.get('message-id')).toBe('<evt_contract_declared=3Acontract@hospital.example.org>');
    expect(parsed.headers.get('references')).toBe('<incident.default.inc_contract_1@hospital.example.org>');
  });

  it('keeps the Message-ID on every attempt and threads mails about one incident', async () => {
    const notifier = emailNotifier({ transport, from: 'incidents@example.com', to: 'oncall@example.com' });
    const declared = sampleNotification('DECLARED');
    await notifier.send(declared, context(declared));
    await notifier.send(declared, { ...context(declared), attempt: 2 });
    const resolved = sampleNotification('RESOLVED');
    await notifier.send(resolved, context(resolved));
    const [first, retry, later] = smtp.mails.map((mail) => parseMail(mail.raw).headers);
    expect(retry?.get('message-id')).toBe(first?.get('message-id'));
    expect(later?.get('message-id')).not.toBe(first?.get('message-id'));
    expect(later?.get('references')).toBe(first?.get('references'));
  });

  it('escapes everything it puts into HTML', async () => {
    const notifier = emailNotifier({ transport, from: 'incidents@example.com', to: 'oncall@example.com' });
    const base = sampleNotification('UPDATE_POSTED');
    const message: NotificationMessage = {
      ...base,
      title: 'Pump <script>alert(1)</script> & "quotes"',
      text: 'Dose <b>10</b> units\n\nsecond paragraph',
      links: [{ label: '<img src=x onerror=alert(1)>', url: 'https://example.com/?a=1&b="2"' }],
    };
    await notifier.send(message, context(message));
    const { html, subject } = parseMail(smtp.mails[0]?.raw ?? '');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>10</b>');
    expect(html).toContain('Pump &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('Dose &lt;b&gt;10&lt;/b&gt; units</p>');
    expect(html).toContain('href="https://example.com/?a=1&amp;b=&quot;2&quot;"');
    expect(subject).toBe('[SEV1] Pump <script>alert(1)</script> & "quotes"');
  });

  it('chooses recipients per message when `to` is a function', async () => {
    const notifier = emailNotifier({
      transport,
      from: 'incidents@example.com',
      to: (message) => (message.audience === 'stakeholders' ? ['leadership@example.com'] : ['oncall@example.com']),
    });
    const update = sampleNotification('UPDATE_POSTED');
    await notifier.send(update, context(update));
    expect(smtp.mails[0]?.to).toEqual(['leadership@example.com']);
  });

  it('maps SMTP 4xx replies to retryable failures and 5xx replies to permanent ones', async () => {
    const notifier = emailNotifier({ transport, from: 'incidents@example.com', to: 'oncall@example.com' });
    const message = sampleNotification('DECLARED');
    smtp.refuse({ code: 451, message: 'Requested action aborted: local error in processing' });
    const deferred = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(deferred.details).toMatchObject({ retryable: true, status: 451 });
    smtp.refuse({ code: 550, message: 'Mailbox unavailable' });
    const rejected = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(rejected.details).toMatchObject({ retryable: false, status: 550 });
    expect(rejected.message).toContain('Mailbox unavailable');
    expect(smtp.mails).toHaveLength(0);
  });

  it('maps a refused connection to a retryable failure', async () => {
    const down = nodemailer.createTransport({ host: '127.0.0.1', port: await closedPort(), secure: false, ignoreTLS: true, connectionTimeout: 2_000 });
    const notifier = emailNotifier({ transport: down, from: 'incidents@example.com', to: 'oncall@example.com' });
    const message = sampleNotification('DECLARED');
    const refused = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(refused.retryable).toBe(true);
    expect(refused.message).toContain('ECONNREFUSED');
  });

  it('refuses a transport without sendMail, an empty sender or no recipients', () => {
    expect(() => emailNotifier({ transport: {} as never, from: 'a@example.com', to: 'b@example.com' })).toThrow(/sendMail/);
    expect(() => emailNotifier({ transport, from: ' ', to: 'b@example.com' })).toThrow(/sender/);
    expect(() => emailNotifier({ transport, from: 'a@example.com', to: [] })).toThrow(/recipient/);
  });
});

describe('renderEmail', () => {
  it('keeps headers single-line even when a title has line breaks', () => {
    const message = { ...sampleNotification('DECLARED'), title: 'Line one\r\nBcc: attacker@example.com' };
    expect(renderEmail(message).subject).toBe('[SEV1] Line one Bcc: attacker@example.com');
  });
});
