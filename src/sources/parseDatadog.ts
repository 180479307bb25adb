import { z } from 'zod';
import type { Signal, SignalStatus } from '../model/signal.js';
import { buildSignal } from './buildSignal.js';
import { fingerprintOf } from './fingerprint.js';
import { parserOptionsSchema, runParser } from './runParser.js';
import type { ParserOptions } from './runParser.js';

const optionalText = /* @__PURE__ */ z.string().nullish();
// The default template quotes everything; custom templates may not.
const textOrNumber = /* @__PURE__ */ (() => z
  .string()
  .or(z.number())
  .nullish()
  .transform((value) => (value === null || value === undefined ? undefined : String(value))))();

const datadogSchema = /* @__PURE__ */ (() => z.object({
  title: z.string(),
  body: optionalText,
  event_type: optionalText,
  date: textOrNumber,
  last_updated: textOrNumber,
  id: textOrNumber,
  org: z.object({ id: textOrNumber, name: optionalText }).nullish(),
  // Keys of a custom payload template, named after Datadog's variables ($ALERT_TRANSITION, …).
  alert_transition: optionalText,
  alert_id: textOrNumber,
  alert_cycle_key: textOrNumber,
  aggreg_key: textOrNumber,
  alert_priority: optionalText,
  priority: optionalText,
  alert_scope: optionalText,
  alert_type: optionalText,
  alert_status: optionalText,
  alert_title: optionalText,
  alert_query: optionalText,
  hostname: optionalText,
  link: optionalText,
  tags: z.string().or(z.array(z.string())).nullish(),
}))();

/** `[P1] [Triggered on {host:a}] Name`: an optional priority, the transition with its scope, the monitor name. */
const TITLE = /^\s*(?:\[(P[1-5])\]\s*)?\[([^\]]*)\]\s*([\s\S]*)$/i;
const MONITOR_ID = /\/monitors(?:#|\/)(\d+)/;
/** One character of `\s`: what the hand-written readers below treat as a space. */
const SPACE = /\s/;
const MAX_LINK_TEXT = 300;
const MAX_LINK_URL = 2_048;

// The readers below replace regular expressions that backtracked on long runs of spaces or of
// `[` (`/^\s*[^{]*?\s+on\s+\{?([^}]*)\}?\s*$/i` took seconds on 2,000 spaces): each reads
// its text in one pass and returns what the expression matched.

const isSpace = (char: string | undefined): boolean => char !== undefined && SPACE.test(char);

interface OnSeparator {
  /** Where the spaces before `on` start. */
  readonly start: number;
  /** Just after the spaces that follow `on`. */
  readonly end: number;
}

/** Each ` on ` (any case, any run of spaces around it) in a title's bracket, left to right. */
function* onSeparators(text: string): Generator<OnSeparator> {
  for (let on = 1; on + 2 < text.length; on += 1) {
    if (!/^on$/i.test(text.slice(on, on + 2)) || !isSpace(text[on - 1]) || !isSpace(text[on + 2])) continue;
    let start = on - 1;
    while (start > 0 && isSpace(text[start - 1])) start -= 1;
    let end = on + 3;
    while (isSpace(text[end])) end += 1;
    yield { start, end };
  }
}

/** The transition of `Triggered on {host:a}`: the text before the first ` on `. */
function transitionPart(bracket: string): string {
  const first = onSeparators(bracket).next();
  return first.done === true ? bracket : bracket.slice(0, first.value.start);
}

/**
 * The scope of `Triggered on {host:a,env:b}`: what follows the first ` on ` that has no `{`
 * before it and is followed by an optional `{`, text without `}`, and an optional `}` ending
 * the bracket (as `/^\s*[^{]*?\s+on\s+\{?([^}]*)\}?\s*$/i` read it).
 */
function scopePart(bracket: string): string | undefined {
  const firstOpen = bracket.indexOf('{');
  const lastClose = bracket.lastIndexOf('}');
  const closeBefore = lastClose <= 0 ? -1 : bracket.lastIndexOf('}', lastClose - 1);
  let lastText = bracket.length - 1;
  while (lastText >= 0 && isSpace(bracket[lastText])) lastText -= 1;
  const scopeFrom = (end: number): string | undefined => {
    const from = bracket[end] === '{' ? end + 1 : end;
    // No `}` after it: the scope runs to the end; else its first `}` must be the last text.
    if (from > lastClose) return bracket.slice(from);
    return from > closeBefore && lastClose === lastText ? bracket.slice(from, lastClose) : undefined;
  };
  // The expression's greedy `^\s*` made an `on` right after leading spaces its last resort.
  let leading: OnSeparator | undefined;
  for (const separator of onSeparators(bracket)) {
    if (separator.start === 0) {
      leading = separator;
      continue;
    }
    if (firstOpen !== -1 && firstOpen < separator.start) break;
    const scope = scopeFrom(separator.end);
    if (scope !== undefined) return scope;
  }
  return leading === undefined ? undefined : scopeFrom(leading.end);
}

/**
 * The markdown links `[text](http…)` of a body (text up to 300 characters without brackets or
 * line breaks, URL up to 2,048 without spaces or `)`), as `matchAll` of
 * `/\[([^[\]\n]{1,300})\]\((https?:\/\/[^)\s]{1,2048})\)/g` found them, which re-read up to 2,048
 * characters of URL after every `[` inside it.
 */
function markdownLinks(body: string): { href: string; text: string }[] {
  const links: { href: string; text: string }[] = [];
  // The first `)` or space at or after the URL being read; it only moves forward, so each
  // character is looked at once however many links start inside a URL.
  let stop = 0;
  let open = body.indexOf('[');
  while (open !== -1) {
    let close = open + 1;
    while (close < body.length && body[close] !== '[' && body[close] !== ']' && body[close] !== '\n') close += 1;
    const textLength = close - open - 1;
    const href = close + 2;
    const scheme = body.startsWith('https://', href) ? 8 : body.startsWith('http://', href) ? 7 : 0;
    if (textLength >= 1 && textLength <= MAX_LINK_TEXT && body[close] === ']' && body[close + 1] === '(' && scheme > 0) {
      const url = href + scheme;
      if (stop < url) stop = url;
      while (stop < body.length && body[stop] !== ')' && !isSpace(body[stop])) stop += 1;
      if (stop - url >= 1 && stop - url <= MAX_LINK_URL && body[stop] === ')') {
        links.push({ href: body.slice(href, stop), text: body.slice(open + 1, close) });
        open = body.indexOf('[', stop + 1);
        continue;
      }
    }
    // No `[` lies between `open` and `close`, so the next link can start at `close` at the earliest.
    open = body.indexOf('[', close);
  }
  return links;
}

interface Transition {
  readonly status: SignalStatus;
  /** The severity word when no priority or alert type is given. */
  readonly word: string;
}

function transitionOf(text: string | undefined): Transition | undefined {
  const word = text?.trim().toLowerCase() ?? '';
  if (word === '') return undefined;
  if (word.includes('recover')) return { status: 'resolved', word: 'info' };
  if (word.includes('warn')) return { status: 'firing', word: 'warning' };
  if (word.includes('no data')) return { status: 'firing', word: 'no data' };
  if (word.includes('trigger') || word.includes('renotify') || word.includes('alert')) return { status: 'firing', word: 'error' };
  return undefined;
}

function tagPairs(tags: string | readonly string[] | null | undefined): [string, string][] {
  const list = typeof tags === 'string' ? tags.split(',') : (tags ?? []);
  return list
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '')
    .map((tag): [string, string] => {
      const colon = tag.indexOf(':');
      return colon === -1 ? [tag, ''] : [tag.slice(0, colon), tag.slice(colon + 1)];
    });
}

/**
 * Parses a Datadog Webhooks integration body made by the default payload template (every value
 * a string, even epoch milliseconds) into one signal.
 *
 * @remarks
 * - The status comes from the title, e.g. `[Triggered on {host:web-1}] CPU high` or
 *   `[P2] [Recovered] CPU high`: Triggered, Re-Triggered, Warn, No Data fire; Recovered resolves.
 * - `fingerprint` is `fingerprintOf(['datadog', { org, monitor, scope }])`, with the monitor id
 *   read from the monitor link in the body and the scope from the title, so a trigger and its
 *   recovery match; without a monitor id, the `aggreg_key` or the monitor name identifies it.
 * - `startsAt` is `date` (epoch ms); a recovery's `endsAt` too. The body's markdown links become
 *   links; scope tags (`host:web-1`) become labels.
 * - A custom template may add keys named after Datadog's variables: `alert_transition`,
 *   `alert_id`, `alert_cycle_key` (used as `dedupKey`), `aggreg_key`, `alert_priority`,
 *   `alert_scope`, `alert_type`, `alert_status`, `alert_title`, `alert_query`, `hostname`,
 *   `link`, `tags`; they take precedence over what is read from the title and body.
 * - `severity` maps the priority (`P1`…`P5`), else `alert_type`, else `error` for a trigger and
 *   `warning` for a warn.
 *
 * @example
 * ```ts
 * import { parseDatadog } from 'incidentkit/ingest';
 *
 * const [signal] = parseDatadog({
 *   body: 'CPU above 90%\n[[Monitor Status](https://app.datadoghq.com/monitors#123?)]',
 *   last_updated: '1591216985000',
 *   event_type: 'query_alert_monitor',
 *   title: '[P2] [Triggered on {host:web-1}] CPU high',
 *   date: '1591216985000',
 *   org: { id: '415600', name: 'Acme' },
 *   id: '5485379890863845239',
 * });
 * console.log(signal?.status, signal?.severity, signal?.labels.host); // 'firing' 'SEV2' 'web-1'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not a Datadog webhook (no
 * `title`), or a field has the wrong type.
 * @throws ConfigError (`CONFIG_INVALID`) when `options` are invalid.
 */
export function parseDatadog(body: unknown, options?: ParserOptions): Signal[] {
  return runParser('datadog', 'Datadog webhook', body, options, parserOptionsSchema, (ctx, input) => {
    const event = ctx.parse(datadogSchema, input);
    // Bounded: what matters is at the start, and it caps the work spent on one title.
    const title = TITLE.exec(event.title.slice(0, 2_000));
    const bracket = title?.[2];
    const titleScope = bracket === undefined ? undefined : scopePart(bracket);
    const transitionText = event.alert_transition ?? (bracket === undefined ? undefined : transitionPart(bracket));
    // A title without a recognised transition is still a monitor notification: it fires.
    const transition = transitionOf(transitionText ?? undefined) ?? { status: 'firing', word: 'error' };
    const name = title?.[3]?.trim();
    const scope = event.alert_scope ?? titleScope;
    const monitorId = event.alert_id ?? MONITOR_ID.exec(event.body ?? '')?.[1];
    const priority = event.alert_priority ?? event.priority ?? title?.[1];
    const org = event.org?.id;

    let identity: unknown;
    if (monitorId !== undefined) identity = { org, monitor: monitorId, scope: scope?.trim() ?? '' };
    else if (event.aggreg_key !== undefined) identity = { org, aggregKey: event.aggreg_key };
    else identity = { org, title: name ?? event.title };

    const date = ctx.time(event.date, ['date'], 'ms') ?? ctx.time(event.last_updated, ['last_updated'], 'ms');
    const startsAt = date ?? ctx.now();
    const bodyLinks = markdownLinks((event.body ?? '').slice(0, 100_000));

    return [
      buildSignal(ctx, {
        fingerprint: fingerprintOf(['datadog', identity]),
        dedupKey: event.alert_cycle_key,
        status: transition.status,
        severityWord: priority ?? event.alert_type ?? transition.word,
        summary: [event.alert_title, name, event.title],
        labels: [
          ...tagPairs(event.tags),
          ...tagPairs(scope),
          ['event_type', event.event_type],
          ['org_id', org],
          ['org_name', event.org?.name],
          ['monitor_id', monitorId],
          ['priority', priority?.toUpperCase()],
          ['hostname', event.hostname],
        ],
        annotations: [
          ['message', event.body],
          ['transition', transitionText],
          ['alert_status', event.alert_status],
          ['query', event.alert_query],
          ['event_id', event.id],
        ],
        startsAt,
        endsAt: transition.status === 'resolved' ? date : undefined,
        links: [{ href: event.link, text: 'Datadog' }, ...bodyLinks],
        raw: input,
      }),
    ];
  });
}
