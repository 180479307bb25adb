/**
 * Text helpers of the status page renderers: times in the page's time zone, and escaping for
 * XML and HTML. Titles and bodies are user text, so every renderer passes them through here.
 */
import { utcMs } from '../../../kernel/civilDate.js';
import { canonicalZone, localParts } from '../../../kernel/timeZone.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The page's zone when the runtime knows it, else UTC (a page is validated when defined; this keeps rendering total). */
function zoneOf(timeZone: string): string {
  return canonicalZone(timeZone) ?? 'UTC';
}

/**
 * `iso` as Statuspage writes times: the wall time in the page's zone with its offset and
 * milliseconds (`2026-12-06T11:00:00.000+01:00`), or `Z` where the offset is zero.
 */
export function timeInZone(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const millis = ((ms % 1000) + 1000) % 1000;
  const whole = ms - millis;
  const p = localParts(whole, zoneOf(timeZone));
  const offsetMinutes = Math.round((utcMs(p.y, p.m, p.d, p.h, p.mi, p.s) - whole) / 60_000);
  const wall = `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(millis, 3)}`;
  if (offsetMinutes === 0) return `${wall}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const readableFormats = new Map<string, Intl.DateTimeFormat>();

/** `iso` for people, in the page's zone: `Dec 6, 2026, 11:00 GMT+1`. */
export function readableTime(iso: string, timeZone: string): string {
  const zone = zoneOf(timeZone);
  let format = readableFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    if (readableFormats.size > 100) readableFormats.clear();
    readableFormats.set(zone, format);
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : format.format(new Date(ms));
}

/** Characters XML 1.0 does not allow at all (C0 controls but tab, newline and return; U+FFFE, U+FFFF). */
// eslint-disable-next-line no-control-regex -- these are exactly the characters to remove
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
/** A surrogate half without its partner (not a character; invalid in XML and in UTF-8). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` without the characters no XML document may contain (emoji and other astral characters stay). */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '').replace(LONE_SURROGATE, '');
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` as XML character data or an attribute value (also right for HTML): invalid characters removed, markup escaped. */
export function escapeXml(text: string): string {
  return xmlSafe(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Plain text as HTML: escaped, line breaks kept as `<br>`. */
export function textToHtml(text: string): string {
  return escapeXml(text).replace(/\r\n?|\n/g, '<br>');
}

/** A status name for people: `in_progress` → `In progress`. */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The page URL without a trailing slash, to append paths to. */
export function pageBase(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end -= 1;
  return url.slice(0, end);
}
