import { NotifierError } from '../errors.js';
import { defineNotifier, type NotificationMessage, type Notifier } from '../model/notification.js';

/** Options of {@link consoleNotifier}. */
export interface ConsoleNotifierOptions {
  /** Where lines go. Default: `console.log`. */
  readonly log?: (line: string) => void;
  /** The notifier's name in errors. Default: `console`. */
  readonly name?: string;
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
  return defineNotifier({
    name,
    send(message, context) {
      if (context.signal.aborted) {
        return Promise.reject(new NotifierError({ notifier: name, retryable: true }, 'the attempt was aborted; it will be retried.'));
      }
      log(formatConsoleMessage({ ...message, idempotencyKey: context.idempotencyKey }));
      return Promise.resolve();
    },
  });
}
