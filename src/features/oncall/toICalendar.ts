/**
 * A schedule's shifts as an RFC 5545 iCalendar text, for Google Calendar, Outlook and any
 * calendar that subscribes to an `.ics` feed.
 */
import { ValidationError } from '../../errors.js';
import type { TimeInput } from '../../kernel/toEpochMs.js';
import { parseInstant, parseRange, type ScheduleRange } from './renderSchedule.js';
import { compileSchedule, type Schedule } from './schedule.js';
import { segmentsOf } from './segments.js';

/** What {@link toICalendar} takes. */
export interface ICalendarOptions extends ScheduleRange {
  /** Only the shifts this user is on call in (their personal feed). Default: every shift, gaps left out. */
  readonly userId?: string;
  /**
   * The `DTSTAMP` of every event. Default: `from`, so the same input always gives the same
   * text (stable for tests and HTTP caches); pass the time of the schedule's last change to
   * tell subscribers when it changed.
   */
  readonly dtstamp?: TimeInput;
}

/** `20260302T080000Z`: an RFC 5545 UTC date-time (whole seconds). */
function utcDateTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-03-02T08:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma get a backslash,
 * line breaks become `\n`, and other control characters (which TEXT cannot hold) are dropped.
 *
 * @internal
 */
export function escapeText(value: string): string {
  // eslint-disable-next-line no-control-regex -- TEXT forbids these control characters.
  if (!/[\\;,\u0000-\u0008\u000A-\u001F\u007F]/.test(value)) return value;
  return value
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    // eslint-disable-next-line no-control-regex -- TEXT forbids these control characters.
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
    .replace(/\n/g, '\\n');
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): CRLF and a space before each further
 * piece, never inside a UTF-8 sequence.
 *
 * @internal
 */
export function foldLine(line: string): string {
  if (line.length <= 18) return line; // even at 4 octets a character, within 75
  let pieces: string[] | undefined;
  let from = 0;
  let octets = 0;
  for (let i = 0; i < line.length; ) {
    const code = line.charCodeAt(i);
    // A surrogate pair is one 4-octet character; a lone surrogate goes out as U+FFFD (3 octets).
    const pair = code >= 0xd800 && code <= 0xdbff && (line.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (octets + size > 75) {
      (pieces ??= []).push(line.slice(from, i));
      from = i;
      octets = 1; // the space that starts a continuation line
    }
    octets += size;
    i += pair ? 2 : 1;
  }
  if (pieces === undefined) return line;
  pieces.push(line.slice(from));
  return pieces.join('\r\n ');
}

/**
 * The schedule's shifts over `[from, to)` as an RFC 5545 iCalendar text: a `VCALENDAR` with
 * one `VEVENT` per shift (gaps left out).
 *
 * @remarks Each event has a `UID` stable for the same shift start (schedule id, start and the
 * `userId` filter), `DTSTAMP` (the `dtstamp` option, default `from`), `DTSTART` and `DTEND`
 * in UTC to the second, a `SUMMARY` naming the schedule and the people, and a `DESCRIPTION`
 * naming the layer or the override. Lines end in CRLF and are folded at 75 octets; TEXT
 * values are escaped. Shifts are cut at `from` and `to`, as {@link renderSchedule} cuts them.
 *
 * @example
 * ```ts
 * import { defineSchedule, toICalendar } from 'incidentkit';
 *
 * const schedule = defineSchedule({
 *   id: 'db',
 *   name: 'Database on-call',
 *   timeZone: 'Europe/Berlin',
 *   layers: [{ id: 'weekly', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben'] }],
 * });
 * const ics = toICalendar(schedule, { from: '2026-03-02T00:00:00Z', to: '2026-04-01T00:00:00Z', userId: 'ana' });
 * // 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//incidentkit//on-call//EN\r\n…'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`) for an invalid schedule or range (see
 * {@link renderSchedule}), an empty or non-string `userId`, or a `dtstamp` that is not an instant.
 */
export function toICalendar(schedule: Schedule, options: ICalendarOptions): string {
  const compiled = compileSchedule(schedule);
  const { from, to } = parseRange('toICalendar', options);
  const { userId } = options;
  if (userId !== undefined && (typeof userId !== 'string' || userId === '')) {
    throw new ValidationError('toICalendar', [{ code: 'invalid_type', path: ['userId'], message: 'Must be a non-empty user id.' }]);
  }
  const stamp = utcDateTime(options.dtstamp === undefined ? from : parseInstant('toICalendar', 'dtstamp', options.dtstamp));
  const { schedule: valid } = compiled;
  const layerNames = new Map(valid.layers.map((layer) => [layer.id, layer.name ?? layer.id]));
  const uidTail = `-${encodeURIComponent(valid.id)}${userId === undefined ? '' : `-${encodeURIComponent(userId)}`}@incidentkit`;

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//incidentkit//on-call//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(valid.name)}`,
  ];
  for (const segment of segmentsOf(compiled, from, to)) {
    if (segment.source === 'gap' || (userId !== undefined && !segment.userIds.includes(userId))) continue;
    const start = utcDateTime(segment.start);
    const end = utcDateTime(segment.end);
    if (end === start) continue; // shorter than a second: nothing a calendar can show
    const origin = segment.source === 'override' ? 'Override' : `Layer: ${layerNames.get(segment.layerId ?? '') ?? ''}`;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${start}${uidTail}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${start}`,
      `DTEND:${end}`,
      `SUMMARY:${escapeText(`${valid.name}: ${segment.userIds.join(', ')}`)}`,
      `DESCRIPTION:${escapeText(`On call: ${segment.userIds.join(', ')}\n${origin}`)}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
