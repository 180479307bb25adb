import { ConfigError, NotifierError } from '../errors.js';
import { formatTime } from '../kernel/timeFormat.js';
import { defineNotifier, type NoticeMessage, type NotificationMessage, type Notifier, type NotifierContext } from '../model/notification.js';

/** The mail this notifier hands to the transport (a subset of nodemailer's message options). */
export interface MailMessage {
  readonly from: string;
  readonly to: string | string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** `<…@domain>`: derived from the idempotency key, so every attempt has the same Message-ID. */
  readonly messageId: string;
  /** Threads every mail about one incident together in mail clients (absent on notices to a person). */
  readonly references?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Honoured by nodemailer 10+; older versions ignore it. */
  readonly signal: AbortSignal;
}

/**
 * What {@link emailNotifier} needs from a mail transport: nodemailer's `createTransport(…)`
 * result fits, and so does anything with a promise-returning `sendMail`.
 */
export interface MailTransport {
  sendMail(mail: MailMessage): Promise<unknown>;
}

/** Options of {@link emailNotifier}. */
export interface EmailNotifierOptions {
  /** A transport the host created, e.g. `nodemailer.createTransport({ host, port, auth })`. */
  readonly transport: MailTransport;
  /** The sender, e.g. `Incidents <incidents@example.com>`. */
  readonly from: string;
  /** Recipients, or a function choosing them per message (e.g. by severity or audience). */
  readonly to: string | readonly string[] | ((message: NotificationMessage) => string | readonly string[]);
  readonly name?: string;
  /**
   * Let drills (`incident.drill`) reach this channel. Default: `false` (a drill's messages for it
   * are only recorded as "would have sent"). See docs/drills.md.
   */
  readonly drillSafe?: boolean;
}

/** A rendered mail: subject, plain text and HTML. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Renders a message as a mail: the subject names severity and title; the HTML escapes every
 * value it shows.
 *
 * @example
 * ```ts
 * import { renderEmail } from 'incidentkit/notifiers';
 * import type { NotificationMessage } from 'incidentkit';
 *
 * declare const message: NotificationMessage;
 * const { subject, text, html } = renderEmail(message);
 * ```
 */
export function renderEmail(message: NotificationMessage): RenderedEmail {
  const { incident } = message;
  const subject = `[${message.severity}] ${message.title}`.replace(/[\r\n]+/g, ' ');
  const facts: [string, string][] = [
    ['Severity', message.severity],
    ['Status', incident.status],
    ...(incident.service === undefined ? [] : [['Service', incident.service] as [string, string]]),
    ['Incident', incident.id],
    ['Event', `${message.event.type} at ${formatTime(message.event.at)}`],
  ];
  const text = [
    message.title,
    '',
    message.text,
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(message.links.length > 0 ? ['', ...message.links.map((link) => `${link.label}: ${link.url}`)] : []),
    '',
    `Message ${message.idempotencyKey}`,
  ].join('\n');
  const paragraphs = message.text
    .split(/\n{2,}/)
    .filter((part) => part.trim() !== '')
    .map((part) => `<p style="margin:0 0 12px">${escapeHtml(part).replaceAll('\n', '<br>')}</p>`)
    .join('\n');
  const rows = facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555">${escapeHtml(label)}</th><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  const links = message.links
    .map((link) => `<a href="${escapeHtml(link.url)}" style="margin-right:16px">${escapeHtml(link.label)}</a>`)
    .join('\n');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a">',
    `<h2 style="margin:0 0 12px;font-size:19px">[${escapeHtml(message.severity)}] ${escapeHtml(message.title)}</h2>`,
    paragraphs,
    `<table role="presentation" style="border-collapse:collapse;margin:12px 0">${rows}</table>`,
    links === '' ? '' : `<p>${links}</p>`,
    `<p style="color:#888;font-size:12px">Message ${escapeHtml(message.idempotencyKey)}</p>`,
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { subject, text, html };
}

/**
 * The subject, plain text and HTML of a notice to a person (e.g. an on-call hand-off), as the
 * email notifier sends it.
 *
 * @example
 * ```ts
 * import { renderNoticeEmail } from 'incidentkit/notifiers';
 * import type { NoticeMessage } from 'incidentkit';
 *
 * declare const notice: NoticeMessage;
 * const { subject, text, html } = renderNoticeEmail(notice);
 * ```
 */
export function renderNoticeEmail(notice: NoticeMessage): RenderedEmail {
  const subject = notice.title.replace(/[\r\n]+/g, ' ');
  const text = [
    notice.title,
    '',
    notice.text,
    ...(notice.links.length > 0 ? ['', ...notice.links.map((link) => `${link.label}: ${link.url}`)] : []),
    '',
    `Message ${notice.idempotencyKey}`,
  ].join('\n');
  const paragraphs = notice.text
    .split(/\n{2,}/)
    .filter((part) => part.trim() !== '')
    .map((part) => `<p style="margin:0 0 12px">${escapeHtml(part).replaceAll('\n', '<br>')}</p>`)
    .join('\n');
  const links = notice.links.map((link) => `<a href="${escapeHtml(link.url)}" style="margin-right:16px">${escapeHtml(link.label)}</a>`).join('\n');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a">',
    `<h2 style="margin:0 0 12px;font-size:19px">${escapeHtml(notice.title)}</h2>`,
    paragraphs,
    links === '' ? '' : `<p>${links}</p>`,
    `<p style="color:#888;font-size:12px">Message ${escapeHtml(notice.idempotencyKey)}</p>`,
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { subject, text, html };
}

function domainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return match?.[1] ?? 'incidentkit.invalid';
}

/** A Message-ID local part from any string: only characters RFC 5322 allows, reversibly. */
function idPart(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*%]/g, (ch) => (ch === '%' ? '=' : `=${ch.charCodeAt(0).toString(16).toUpperCase()}`));
}

interface MailError {
  readonly code?: unknown;
  readonly responseCode?: unknown;
  readonly permanent?: unknown;
  readonly message?: unknown;
}

const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS', 'EMAXRECIPIENTS']);

/**
 * Maps a mail transport error to a NotifierError: SMTP 4xx replies and connection problems are
 * retryable; 5xx replies, authentication and address errors are not.
 *
 * @internal
 */
export function mailFailure(notifier: string, error: unknown): NotifierError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as MailError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  let retryable: boolean;
  if (responseCode !== undefined) retryable = e.permanent === true ? false : responseCode < 500;
  else if (code !== undefined && PERMANENT_CODES.has(code)) retryable = false;
  // Connection-level codes (ECONNECTION, ETIMEDOUT, …) and unknown errors may pass later.
  else retryable = true;
  const text = typeof e.message === 'string' ? e.message : String(error);
  return new NotifierError(
    { notifier, retryable, ...(responseCode === undefined ? {} : { status: responseCode }) },
    `the mail transport failed${code === undefined ? '' : ` (${code})`}: ${text}; ` +
      (retryable ? 'it will be retried.' : 'check the sender, recipients and credentials; it will not be retried.'),
    error,
  );
}

/**
 * An email notifier: sends each message through a mail transport the host created (e.g. a
 * nodemailer SMTP transport), as HTML and plain text.
 *
 * @remarks The subject is `[<severity>] <title>`. Every attempt of a message has the same
 * `Message-ID` (from the idempotency key) and an `X-Incidentkit-Idempotency-Key` header; mails
 * about one incident share a `References` header so clients thread them. nodemailer is not a
 * dependency of incidentkit: pass your own transport.
 *
 * @example
 * ```ts
 * import nodemailer from 'nodemailer';
 * import { emailNotifier } from 'incidentkit/notifiers';
 *
 * const transport = nodemailer.createTransport({ host: 'smtp.example.com', port: 587, auth: { user: 'incidents', pass: 'secret' } });
 * const email = emailNotifier({ transport, from: 'Incidents <incidents@example.com>', to: ['oncall@example.com'] });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when the transport has no `sendMail`, or `from`/`to` is empty.
 */
export function emailNotifier(options: EmailNotifierOptions): Notifier {
  const name = options.name ?? 'email';
  const issues = [];
  if (typeof (options.transport as Partial<MailTransport> | undefined)?.sendMail !== 'function') {
    issues.push({ code: 'custom', path: ['transport'], message: 'Pass a transport with sendMail, e.g. nodemailer.createTransport(…).' });
  }
  if (typeof options.from !== 'string' || options.from.trim() === '') {
    issues.push({ code: 'custom', path: ['from'], message: 'Give a sender address, e.g. incidents@example.com.' });
  }
  const { to } = options;
  if (typeof to !== 'function' && (typeof to === 'string' ? to.trim() === '' : to.length === 0)) {
    issues.push({ code: 'custom', path: ['to'], message: 'Give at least one recipient.' });
  }
  if (issues.length > 0) throw new ConfigError('emailNotifier', issues);
  const domain = domainOf(options.from);

  return defineNotifier({
    ...(options.drillSafe === true ? { drillSafe: true } : {}),
    name,
    async send(message: NotificationMessage, context: NotifierContext) {
      if (context.signal.aborted) {
        throw new NotifierError({ notifier: name, retryable: true }, 'the attempt was aborted before sending; it will be retried.');
      }
      // A message for one person goes to that person's address; others to the configured `to`.
      const recipients = message.recipient?.address ?? (typeof to === 'function' ? to(message) : to);
      const rendered = renderEmail({ ...message, idempotencyKey: context.idempotencyKey });
      const mail: MailMessage = {
        from: options.from,
        to: typeof recipients === 'string' ? recipients : [...recipients],
        ...rendered,
        messageId: `<${idPart(context.idempotencyKey)}@${domain}>`,
        references: `<incident.${idPart(message.incident.tenantId)}.${idPart(message.incident.id)}@${domain}>`,
        headers: { 'X-Incidentkit-Idempotency-Key': context.idempotencyKey, 'X-Incidentkit-Incident': message.incident.id },
        signal: context.signal,
      };
      try {
        await options.transport.sendMail(mail);
      } catch (error) {
        throw mailFailure(name, error);
      }
    },
    async sendNotice(notice: NoticeMessage, context: NotifierContext) {
      if (context.signal.aborted) {
        throw new NotifierError({ notifier: name, retryable: true }, 'the attempt was aborted before sending; it will be retried.');
      }
      const address = notice.recipient.address;
      if (address === undefined) throw new NotifierError({ notifier: name, retryable: false }, `the notice has no address for user '${notice.recipient.userId}'.`);
      const mail: MailMessage = {
        from: options.from,
        to: address,
        ...renderNoticeEmail({ ...notice, idempotencyKey: context.idempotencyKey }),
        messageId: `<${idPart(context.idempotencyKey)}@${domain}>`,
        headers: { 'X-Incidentkit-Idempotency-Key': context.idempotencyKey, 'X-Incidentkit-Notice': notice.kind },
        signal: context.signal,
      };
      try {
        await options.transport.sendMail(mail);
      } catch (error) {
        throw mailFailure(name, error);
      }
    },
  });
}
