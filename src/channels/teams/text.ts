/**
 * The text of a Teams message as incidentkit's chat grammar reads it: Teams posts HTML-ish text
 * (`<at>incidentbot</at>&nbsp;declare Checkout down sev2`), with the mention of the outgoing
 * webhook at the start, tags and HTML entities. Linear in the length of the text.
 */

/** A Teams message's text, cleaned: the plain command text and the mentions it contained. */
export interface TeamsCleanText {
  /** The command text: the bot's leading mention removed, tags stripped, entities decoded, whitespace normalised. */
  readonly text: string;
  /** The name in the leading `<at>…</at>` that was removed (the bot's mention name), if there was one. */
  readonly botName?: string;
  /** The names of the other `<at>…</at>` mentions, in order of appearance. */
  readonly mentions: readonly string[];
}

/** Options of {@link cleanTeamsText}. */
export interface CleanTeamsTextOptions {
  /**
   * How a mention other than the bot's is written into the text: its name (the default), or a
   * token `<@M0>`, `<@M1>`… (the mention's index in {@link TeamsCleanText.mentions}) that the
   * chat grammar reads as a user mention, e.g. in `role commander @Alice`.
   */
  readonly mentions?: 'name' | 'token';
}

const NAMED: Readonly<Record<string, string>> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** HTML entities: the named ones Teams uses, and numeric ones (`&#39;`, `&#x27;`). Others are left as they are. */
const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g;

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      // Not a character (or a NUL / lone surrogate): leave the entity as typed.
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** Tags that separate words (block elements and line breaks): each becomes a space. */
const BLOCK_TAGS: ReadonlySet<string> = /* @__PURE__ */ new Set(['br', 'p', 'div', 'li', 'ul', 'ol', 'tr', 'td', 'th', 'table', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** The lower-case name of a tag's source (`<at id="0">` → `at`, `</p>` → `p`), or '' for something else. */
function tagName(tag: string): string {
  let start = 1;
  if (tag[start] === '/') start += 1;
  let end = start;
  while (end < tag.length && /[A-Za-z0-9]/.test(tag[end] ?? '')) end += 1;
  return tag.slice(start, end).toLowerCase();
}

interface Piece {
  readonly kind: 'text' | 'mention' | 'break';
  readonly value: string;
}

/** Splits HTML-ish text into text, `<at>` mentions (their inner text) and word breaks; tags are dropped. */
function pieces(html: string): Piece[] {
  const out: Piece[] = [];
  // Once no `</at>` is left, none is looked for again (keeps many unclosed `<at>` linear).
  let closers = true;
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open === -1) {
      out.push({ kind: 'text', value: html.slice(i) });
      break;
    }
    if (open > i) out.push({ kind: 'text', value: html.slice(i, open) });
    const close = html.indexOf('>', open);
    // A `<` that never closes is text (Teams escapes typed brackets, so this is not markup).
    if (close === -1) {
      out.push({ kind: 'text', value: html.slice(open) });
      break;
    }
    const tag = html.slice(open, close + 1);
    const name = tagName(tag);
    if (name === 'at' && tag[1] !== '/' && closers) {
      // Teams writes mentions in lower case; an upper-case `</AT>` is not one of its mentions.
      const end = html.indexOf('</at>', close + 1);
      closers = end !== -1;
      if (end !== -1) {
        out.push({ kind: 'mention', value: stripTags(html.slice(close + 1, end)) });
        i = end + '</at>'.length;
        continue;
      }
    }
    if (BLOCK_TAGS.has(name)) out.push({ kind: 'break', value: ' ' });
    i = close + 1;
  }
  return out;
}

/** The text of HTML-ish text without any tags (for the inside of a mention). */
function stripTags(html: string): string {
  let out = '';
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open === -1) return out + html.slice(i);
    out += html.slice(i, open);
    const close = html.indexOf('>', open);
    if (close === -1) return out + html.slice(open);
    i = close + 1;
  }
  return out;
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Cleans the text of a Teams message for the chat grammar: the `<at>…</at>` mention at the start
 * (the outgoing webhook's own) is removed, other mentions become their names (or tokens), other
 * tags are stripped (block tags and `<br>` separate words), HTML entities are decoded once
 * (`&nbsp;`, `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;` and other numeric ones), and whitespace
 * runs become one space.
 *
 * @remarks Pure and linear in the length of the text; never throws.
 *
 * @example
 * ```ts
 * import { cleanTeamsText } from 'incidentkit/teams';
 *
 * const cleaned = cleanTeamsText('<at>incidentbot</at>&nbsp;declare Checkout &amp; cart down sev2');
 * console.log(cleaned.text); // 'declare Checkout & cart down sev2'
 * console.log(cleaned.botName); // 'incidentbot'
 * ```
 */
export function cleanTeamsText(html: string, options: CleanTeamsTextOptions = {}): TeamsCleanText {
  const parts = pieces(typeof html === 'string' ? html : '');
  let botName: string | undefined;
  // The leading mention: the first piece that is not blank text.
  const first = parts.findIndex((part) => part.kind === 'mention' || decodeEntities(part.value).trim() !== '');
  if (first !== -1 && parts[first]?.kind === 'mention') {
    botName = normalise(decodeEntities(parts[first].value));
    parts.splice(0, first + 1);
  }
  const mentions: string[] = [];
  let text = '';
  for (const part of parts) {
    if (part.kind !== 'mention') {
      text += part.kind === 'break' ? ' ' : decodeEntities(part.value);
      continue;
    }
    const name = normalise(decodeEntities(part.value));
    text += options.mentions === 'token' ? ` <@M${String(mentions.length)}> ` : name;
    mentions.push(name);
  }
  return { text: normalise(text), ...(botName === undefined ? {} : { botName }), mentions };
}
