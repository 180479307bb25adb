import { NotifierError } from '../errors.js';
import { defineNotifier, type NoticeMessage, type NotificationMessage, type Notifier, type NotifierContext } from '../model/notification.js';

/** Options of {@link consoleNotifier}. */
export interface ConsoleNotifierOptions {
  /** Where lines go. Default: `console.log`. */
  readonly log?: (line: string) => void;
  /** The notifier's name in errors. Default: `console`. */
  readonly name?: string;
  /**
   * Let drills (`incident.drill`) reach this channel. Default: `false` (a drill's messages for it
   * are only recorded as "would have sent"). See docs/drills.md.
   */
  readonly drillSafe?: boolean;
}

/**
 * Formats a message as the console notifier prints it.
 *
 * @example
 * ```ts
 * import { formatConsoleMessage, type NotificationMessage } from 'incidentkit';
 *
 * declare const message: NotificationMessage;
 * console.log(formatConsoleMessage(message));
 * ```
 */
export function formatConsoleMessage(message: NotificationMessage): string {
  const links = message.links.map((link) => `  ${link.label}: ${link.url}`);
  const body = message.text
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');
  return [`[${message.severity}] ${message.title}`, body, ...links, `  (incident ${message.incident.id} · ${message.idempotencyKey})`]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * Formats a notice to a person as the console notifier prints it.
 *
 * @example
 * ```ts
 * import { formatConsoleNotice, type NoticeMessage } from 'incidentkit';
 *
 * declare const notice: NoticeMessage;
 * console.log(formatConsoleNotice(notice));
 * ```
 */
export function formatConsoleNotice(notice: NoticeMessage): string {
  const body = notice.text
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');
  const to = notice.recipient.address === undefined ? notice.recipient.userId : `${notice.recipient.userId} <${notice.recipient.address}>`;
  return [`[notice to ${to}] ${notice.title}`, body, ...notice.links.map((link) => `  ${link.label}: ${link.url}`), `  (${notice.kind} · ${notice.idempotencyKey})`]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * A notifier that prints each message: for development, demos and tests.
 *
 * @example
 * ```ts
 * import { consoleNotifier } from 'incidentkit';
 *
 * const lines: string[] = [];
 * const notifier = consoleNotifier({ log: (line) => lines.push(line) });
 * ```
 */
export function consoleNotifier(options: ConsoleNotifierOptions = {}): Notifier {
  const log =
    options.log ??
    ((line: string) => {
      console.log(line);
    });
  const name = options.name ?? 'console';
  const print = (line: () => string, context: NotifierContext): Promise<void> => {
    if (context.signal.aborted) {
      return Promise.reject(new NotifierError({ notifier: name, retryable: true }, 'the attempt was aborted; it will be retried.'));
    }
    log(line());
    return Promise.resolve();
  };
  return defineNotifier({
    ...(options.drillSafe === true ? { drillSafe: true } : {}),
    name,
    send: (message, context) => print(() => formatConsoleMessage({ ...message, idempotencyKey: context.idempotencyKey }), context),
    sendNotice: (notice, context) => print(() => formatConsoleNotice({ ...notice, idempotencyKey: context.idempotencyKey }), context),
  });
}
