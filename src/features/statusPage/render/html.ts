/**
 * The human status page: one self-contained HTML document (inline CSS, no scripts, no external
 * requests) rendered from a {@link StatusPageSnapshot}. Pure: no engine, no I/O, no clock (the
 * snapshot's `at` is "now").
 *
 * @module
 */
import { ConfigError, ValidationError } from '../../../errors.js';
import { addDaysToDate, formatDate, parseDate, utcMs } from '../../../kernel/civilDate.js';
import { canonicalZone, localParts } from '../../../kernel/timeZone.js';
import type { ComponentState, ComponentStatus, PublicIncident, PublicUpdate, ScheduledMaintenance, StatusPageSnapshot, UptimeDay } from '../snapshot.js';
import { SERVICE_UNDER_MAINTENANCE, statuspageStatus } from './statuspageV2.js';

/**
 * The CSS custom properties the page's look is built from, the names {@link StatusPageHtmlOptions.theme}
 * accepts. `--ik-on-status` is the text colour on a status-coloured background (the banner) and on
 * the subscribe button (`--ik-accent`).
 */
export const STATUS_PAGE_CSS_PROPERTIES = /* @__PURE__ */ Object.freeze([
  '--ik-bg', '--ik-fg', '--ik-muted', '--ik-surface', '--ik-border', '--ik-link', '--ik-accent', '--ik-focus', '--ik-on-status',
  '--ik-operational', '--ik-degraded', '--ik-partial', '--ik-major', '--ik-maintenance', '--ik-font', '--ik-radius', '--ik-max-width',
] as const);

/** One of {@link STATUS_PAGE_CSS_PROPERTIES}. */
export type StatusPageCssProperty = (typeof STATUS_PAGE_CSS_PROPERTIES)[number];

/** How {@link renderStatusPageHtml} renders a page. */
export interface StatusPageHtmlOptions {
  /**
   * Where the subscribe form posts `email` (form-encoded), relative to the page and on its origin (the page's
   * Content-Security-Policy lets forms post nowhere else); `false` leaves the form out. Default `subscribe`.
   */
  readonly subscribePath?: string | false;
  /** The locale dates, times and percentages are written in. Default `en-US`. */
  readonly locale?: string;
  /** The document's `lang` (the language of the page's texts, yours included). Default `en`. */
  readonly lang?: string;
  /** Overrides of the CSS custom properties, in light and dark, e.g. `{ '--ik-accent': '#5b21b6' }`. */
  readonly theme?: Readonly<Partial<Record<StatusPageCssProperty, string>>>;
  /** Overrides that apply only when the reader prefers a dark colour scheme (after `theme`). */
  readonly darkTheme?: Readonly<Partial<Record<StatusPageCssProperty, string>>>;
  /** Links to the page's feeds, relative to the page; `false` leaves them out. Default `{ atom: 'history.atom', rss: 'history.rss' }`. */
  readonly feeds?: { readonly atom: string; readonly rss: string } | false;
}

/** A lookup table without a prototype: a status named `constructor` finds nothing. */
const table = <T>(entries: Record<string, T>): Readonly<Record<string, T | undefined>> => Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));

const STATUS_LABEL = /* @__PURE__ */ table({
  operational: 'Operational', degraded_performance: 'Degraded performance', partial_outage: 'Partial outage', major_outage: 'Major outage',
  under_maintenance: 'Under maintenance', investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved',
  scheduled: 'Scheduled', in_progress: 'In progress', verifying: 'Verifying', completed: 'Completed',
  none: 'None', minor: 'Minor', major: 'Major', critical: 'Critical',
});
const RANK = /* @__PURE__ */ table({ operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 });
const IMPACT_AS_STATUS = /* @__PURE__ */ table<ComponentStatus>({ none: 'operational', minor: 'degraded_performance', major: 'partial_outage', critical: 'major_outage' });
const PAST_DAYS = 15;

const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Controls cannot appear in HTML text: C0 controls become their visible Control Pictures (U+2400…),
// C1 controls and lone surrogates the replacement character, so the text still shows what was there.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[&<>"']|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\u0080-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` safe inside HTML text and quoted attributes. */
function esc(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = ESCAPED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? '\u2421' : '\uFFFD';
  });
}

const label = (status: string): string => STATUS_LABEL[status] ?? esc(status);
const cls = (status: string): string => (RANK[status] === undefined ? 'operational' : status);
const worst = (statuses: Iterable<ComponentStatus>): ComponentStatus => {
  let w: ComponentStatus = 'operational';
  for (const s of statuses) if ((RANK[s] ?? 0) > (RANK[w] ?? 0)) w = s;
  return w;
};
/** A link only to http(s) (snapshot URLs are data, never `javascript:`). */
const link = (href: string, text: string): string => (/^https?:\/\//i.test(href) ? `<a href="${esc(href)}">${text}</a>` : text);

const CSS_VALUE = /^[\w\s#.,%()+\-'"/]*$/;
function themeRules(subject: string, theme: StatusPageHtmlOptions['theme']): string {
  if (theme === undefined) return '';
  const known = new Set<string>(STATUS_PAGE_CSS_PROPERTIES);
  const issues = Object.entries(theme).flatMap(([name, value]) => {
    if (!known.has(name)) return [{ code: 'unrecognized_keys', path: [subject, name], message: `${name} is not one of the page's CSS properties (${STATUS_PAGE_CSS_PROPERTIES.join(', ')})` }];
    const v = value;
    const quotes = (q: string): number => v.split(q).length - 1;
    if (v.trim() === '' || !CSS_VALUE.test(v) || /[\n\r]|url\(|image/i.test(v) || quotes('"') % 2 === 1 || quotes("'") % 2 === 1) {
      return [{ code: 'invalid_value', path: [subject, name], message: `"${v}" is not a plain CSS value (colours, lengths and font names; no url(), ';', '{', '}', '<' or '\\')` }];
    }
    return [];
  });
  if (issues.length > 0) throw new ConfigError('renderStatusPageHtml', issues);
  return Object.entries(theme).map(([name, value]) => `${name}:${value}`).join(';');
}

const CSS = `:root{color-scheme:light dark;--ik-bg:#fff;--ik-fg:#1f2328;--ik-muted:#57606a;--ik-surface:#f6f8fa;--ik-border:#d0d7de;--ik-link:#0969da;--ik-accent:#0969da;--ik-focus:#0969da;--ik-on-status:#fff;--ik-operational:#1a7f37;--ik-degraded:#9a6700;--ik-partial:#bc4c00;--ik-major:#cf222e;--ik-maintenance:#0969da;--ik-font:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;--ik-radius:6px;--ik-max-width:52rem}
@media (prefers-color-scheme:dark){:root{--ik-bg:#0d1117;--ik-fg:#e6edf3;--ik-muted:#9198a1;--ik-surface:#161b22;--ik-border:#30363d;--ik-link:#58a6ff;--ik-accent:#58a6ff;--ik-focus:#58a6ff;--ik-on-status:#0d1117;--ik-operational:#3fb950;--ik-degraded:#d29922;--ik-partial:#db6d28;--ik-major:#f85149;--ik-maintenance:#58a6ff}}
*{box-sizing:border-box}body{margin:0;background:var(--ik-bg);color:var(--ik-fg);font:1rem/1.5 var(--ik-font);overflow-wrap:anywhere}
.ik-wrap{max-width:var(--ik-max-width);margin:0 auto;padding:1rem}header h1{margin:1rem 0 0;font-size:1.75rem}h2{font-size:1.25rem;margin:2rem 0 .75rem}h3{font-size:1.05rem;margin:0}h4{font-size:1rem;margin:0}
a{color:var(--ik-link)}:focus-visible{outline:3px solid var(--ik-focus);outline-offset:2px}
.ik-banner{background:var(--ik-c);color:var(--ik-on-status);border-radius:var(--ik-radius);padding:1rem 1.25rem;margin:1rem 0 0;font-size:1.25rem}
.ik-s-operational{--ik-c:var(--ik-operational)}.ik-s-degraded_performance{--ik-c:var(--ik-degraded)}.ik-s-partial_outage{--ik-c:var(--ik-partial)}.ik-s-major_outage{--ik-c:var(--ik-major)}.ik-s-under_maintenance{--ik-c:var(--ik-maintenance)}
.ik-status{color:var(--ik-c);font-weight:600;white-space:nowrap}.ik-dot{display:inline-block;width:.7em;height:.7em;border-radius:50%;background:var(--ik-c);margin-right:.4em}
.ik-list{list-style:none;margin:0;padding:0;border:1px solid var(--ik-border);border-radius:var(--ik-radius)}.ik-list>li{padding:.75rem 1rem;border-top:1px solid var(--ik-border)}.ik-list>li:first-child{border-top:0}
.ik-group{margin:0 0 1rem}.ik-head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem;align-items:baseline}.ik-group>.ik-head{padding:0 0 .4rem}
.ik-muted,.ik-meta{color:var(--ik-muted)}.ik-meta{font-size:.875rem;margin:.25rem 0 0}.ik-desc{margin:.25rem 0 0;color:var(--ik-muted);font-size:.875rem}
.ik-bars{display:flex;gap:2px;list-style:none;margin:.5rem 0 .25rem;padding:0;height:2rem}.ik-bars li{position:relative;flex:1 1 0;min-width:1px;border-radius:1px;background:var(--ik-c)}
.ik-bars li:hover>.ik-vh{clip:auto;width:auto;height:auto;margin:0;overflow:visible;bottom:calc(100% + .25rem);left:50%;transform:translateX(-50%);z-index:1;padding:.25rem .5rem;border-radius:var(--ik-radius);background:var(--ik-fg);color:var(--ik-bg);font-size:.8rem}
.ik-scale{display:flex;justify-content:space-between;gap:.5rem;font-size:.8rem;color:var(--ik-muted);margin:0}
.ik-card{border:1px solid var(--ik-border);border-left:.35rem solid var(--ik-c);border-radius:var(--ik-radius);padding:.75rem 1rem;margin:0 0 1rem;background:var(--ik-surface)}
.ik-updates{list-style:none;margin:.5rem 0 0;padding:0}.ik-updates li{margin:.5rem 0 0}.ik-updates p{margin:0}.ik-body{white-space:pre-line}
.ik-day{margin:0 0 1.25rem;padding:0 0 .5rem;border-bottom:1px solid var(--ik-border)}.ik-day h3{margin:0 0 .5rem}.ik-day article{margin:0 0 .75rem}
.ik-subscribe form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.ik-subscribe label{flex:1 0 100%}
.ik-subscribe input{flex:1 1 14rem;min-height:2.75rem;padding:.5rem .75rem;font:inherit;color:var(--ik-fg);background:var(--ik-bg);border:1px solid var(--ik-muted);border-radius:var(--ik-radius)}
.ik-subscribe button{min-height:2.75rem;padding:.5rem 1.25rem;font:inherit;font-weight:600;color:var(--ik-on-status);background:var(--ik-accent);border:0;border-radius:var(--ik-radius);cursor:pointer}
footer{color:var(--ik-muted);font-size:.875rem;border-top:1px solid var(--ik-border);margin-top:2rem}footer p{margin:.25rem 0}
.ik-vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (max-width:36rem){.ik-wrap{padding:.75rem}header h1{font-size:1.4rem}.ik-bars{gap:1px;height:1.75rem}}`;

/** Formats instants and days in the page's time zone (formatters are costly: made once per render). */
interface Formats {
  readonly timeZone: string;
  dateTime(iso: string): string;
  day(date: string): string;
  percent(share: number): string;
  localDate(iso: string): string | undefined;
  /** The components' names, escaped and joined. */
  names(ids: readonly string[]): string;
  /** Update lists already rendered (an active incident shows in two sections). */
  readonly updates: WeakMap<readonly PublicUpdate[], string>;
}

/** `format` remembered per input: pages repeat the same days and percentages many times. */
function remembered<K>(format: (key: K) => string): (key: K) => string {
  const seen = new Map<K, string>();
  return (key) => {
    let text = seen.get(key);
    if (text === undefined) {
      text = format(key);
      seen.set(key, text);
    }
    return text;
  };
}

interface IntlFormats {
  readonly dt: Intl.DateTimeFormat;
  readonly dayFormat: Intl.DateTimeFormat;
  readonly pct: Intl.NumberFormat;
}

// Constructing Intl formatters costs more than rendering a small page: keep them per locale and zone.
const intlCache = new Map<string, IntlFormats>();

function intlFormats(locale: string, timeZone: string): IntlFormats {
  const key = `${locale}\n${timeZone}`;
  let cached = intlCache.get(key);
  if (cached === undefined) {
    try {
      cached = {
        dt: new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }),
        dayFormat: new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }),
        pct: new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      };
    } catch (error) {
      throw new ConfigError('renderStatusPageHtml', [{ code: 'invalid_value', path: ['locale'], message: `"${locale}" is not a BCP 47 locale` }], error);
    }
    if (intlCache.size >= 100) intlCache.clear();
    intlCache.set(key, cached);
  }
  return cached;
}

function formats(snapshot: StatusPageSnapshot, locale: string): Formats {
  const timeZone = canonicalZone(snapshot.page.timeZone);
  if (timeZone === undefined) {
    throw new ValidationError('renderStatusPageHtml', [{ code: 'invalid_value', path: ['page', 'timeZone'], message: `"${snapshot.page.timeZone}" is not an IANA time zone this runtime knows` }]);
  }
  const { dt, dayFormat, pct } = intlFormats(locale, timeZone);
  const byId = new Map(snapshot.page.components.map((c) => [c.id, c.name]));
  return {
    timeZone,
    updates: new WeakMap(),
    names: (ids) => ids.map((id) => esc(byId.get(id) ?? id)).join(', '),
    dateTime: (iso) => {
      const ms = Date.parse(iso);
      return Number.isNaN(ms) ? esc(iso) : `<time datetime="${esc(new Date(ms).toISOString())}">${esc(dt.format(ms))}</time>`;
    },
    day: remembered((date: string) => {
      try {
        const d = parseDate(date);
        return esc(dayFormat.format(utcMs(d.y, d.m, d.d, 12)));
      } catch {
        return esc(date);
      }
    }),
    // Rounded down, so an outage of a few minutes never shows as 100 %.
    percent: remembered((share: number) => esc(pct.format(Math.floor(Math.min(1, Math.max(0, share)) * 10_000) / 10_000))),
    localDate: (iso) => {
      const ms = Date.parse(iso);
      return Number.isNaN(ms) ? undefined : formatDate(localParts(ms, timeZone));
    },
  };
}

function statusText(status: string): string {
  return `<span class="ik-status ik-s-${cls(status)}"><span class="ik-dot" aria-hidden="true"></span>${label(status)}</span>`;
}

function uptimeBlock(name: string, days: readonly UptimeDay[], uptime: number, f: Formats): string {
  const bars = days.map((d) => {
    // Operational days (most of them) take the list's colour: no class, a shorter page.
    const status = cls(d.worst);
    return `<li${status === 'operational' ? '' : ` class="ik-s-${status}"`}><span class="ik-vh">${f.day(d.date)}: ${label(d.worst)}, ${f.percent(d.uptime)} up</span></li>`;
  });
  return `<ol class="ik-bars ik-s-operational" aria-label="${esc(name)}: status per day, last ${String(days.length)} days">${bars.join('')}</ol>`
    + `<p class="ik-scale"><span>${String(days.length)} days ago</span><span>${f.percent(uptime)} uptime</span><span>Today</span></p>`;
}

function componentItem(state: ComponentState, uptime: Map<string, { uptime: number; days: readonly UptimeDay[] }>, f: Formats): string {
  const { component } = state;
  const history = uptime.get(component.id);
  return `<li><div class="ik-head"><span>${esc(component.name)}</span>${statusText(state.status)}</div>`
    + (component.description === undefined ? '' : `<p class="ik-desc">${esc(component.description)}</p>`)
    + (history === undefined ? '' : uptimeBlock(component.name, history.days, history.uptime, f))
    + '</li>';
}

function componentsSection(snapshot: StatusPageSnapshot, f: Formats): string {
  const uptime = new Map((snapshot.uptime ?? []).map((u) => [u.componentId, u]));
  const visible = snapshot.components.filter((c) => c.component.onlyShowIfDegraded !== true || c.status !== 'operational');
  // Groups in the order their first component appears; components without a group stand on their own.
  const blocks: { group?: string; items: ComponentState[] }[] = [];
  const byGroup = new Map<string, ComponentState[]>();
  for (const state of visible) {
    const group = state.component.group;
    if (group === undefined) {
      const last = blocks.at(-1);
      if (last !== undefined && last.group === undefined) last.items.push(state);
      else blocks.push({ items: [state] });
    } else {
      let items = byGroup.get(group);
      if (items === undefined) {
        items = [];
        byGroup.set(group, items);
        blocks.push({ group, items });
      }
      items.push(state);
    }
  }
  if (blocks.length === 0) return '';
  const html = blocks.map((b, i) => {
    const list = `<ul class="ik-list">${b.items.map((s) => componentItem(s, uptime, f)).join('')}</ul>`;
    if (b.group === undefined) return `<div class="ik-group">${list}</div>`;
    return `<section class="ik-group" aria-labelledby="ik-g${String(i)}"><div class="ik-head"><h3 id="ik-g${String(i)}">${esc(b.group)}</h3>${statusText(worst(b.items.map((s) => s.status)))}</div>${list}</section>`;
  });
  return `<section aria-labelledby="ik-components"><h2 id="ik-components">Components</h2>${html.join('')}</section>`;
}

function updatesList(updates: readonly PublicUpdate[], f: Formats): string {
  if (updates.length === 0) return '';
  let html = f.updates.get(updates);
  if (html === undefined) {
    const newestFirst = [...updates].sort((a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0));
    html = `<ol class="ik-updates">${newestFirst.map((u) => `<li><p><strong>${label(u.status)}</strong> — <span class="ik-body">${esc(u.body)}</span></p><p class="ik-meta">${f.dateTime(u.createdAt)}</p></li>`).join('')}</ol>`;
    f.updates.set(updates, html);
  }
  return html;
}

function incidentArticle(incident: PublicIncident, f: Formats, heading: 'h3' | 'h4', card: boolean): string {
  const affected = incident.components.length === 0 ? '' : ` · Affected: ${f.names(incident.components.map((c) => c.id))}`;
  return `<article class="${card ? 'ik-card ' : ''}ik-s-${cls(IMPACT_AS_STATUS[incident.impact] ?? 'operational')}"><${heading}>${link(incident.shortlink, esc(incident.name))}</${heading}>`
    + `<p class="ik-meta">${label(incident.status)} · Impact: ${label(incident.impact)}${affected}</p>${updatesList(incident.updates, f)}</article>`;
}

function maintenanceArticle(m: ScheduledMaintenance, f: Formats, heading: 'h3' | 'h4', card: boolean): string {
  const affected = m.components.length === 0 ? '' : ` · Affected: ${f.names(m.components)}`;
  return `<article class="${card ? 'ik-card ' : ''}ik-s-under_maintenance"><${heading}>${link(m.shortlink, esc(m.name))}</${heading}>`
    + `<p class="ik-meta">${label(m.status)} · ${f.dateTime(m.scheduledFor)} to ${f.dateTime(m.scheduledUntil)}${affected}</p>${updatesList(m.updates, f)}</article>`;
}

function pastSection(snapshot: StatusPageSnapshot, f: Formats): string {
  const today = f.localDate(snapshot.at);
  if (today === undefined) return '';
  const byDay = new Map<string, string[]>();
  const first = formatDate(addDaysToDate(parseDate(today), -(PAST_DAYS - 1)));
  const add = (day: string | undefined, html: () => string): void => {
    if (day === undefined || day < first || day > today) return;
    const list = byDay.get(day);
    if (list === undefined) byDay.set(day, [html()]);
    else list.push(html());
  };
  for (const i of snapshot.incidents) add(f.localDate(i.createdAt), () => incidentArticle(i, f, 'h4', false));
  for (const m of snapshot.maintenances) if (m.status === 'completed') add(f.localDate(m.scheduledFor), () => maintenanceArticle(m, f, 'h4', false));
  const days: string[] = [];
  for (let back = 0; back < PAST_DAYS; back += 1) {
    const day = formatDate(addDaysToDate(parseDate(today), -back));
    const items = byDay.get(day);
    days.push(`<section class="ik-day" aria-labelledby="ik-d${String(back)}"><h3 id="ik-d${String(back)}">${f.day(day)}</h3>${items === undefined ? '<p class="ik-muted">No incidents reported.</p>' : items.join('')}</section>`);
  }
  return `<section aria-labelledby="ik-past"><h2 id="ik-past">Past incidents</h2>${days.join('')}</section>`;
}

/**
 * Renders a status page as one complete, self-contained HTML document.
 *
 * @remarks The page works without JavaScript and makes no requests of its own: the CSS is inline
 * and a `Content-Security-Policy` meta tag allows nothing else. It shows an overall banner (the
 * page's top-level status, worded as {@link statuspageStatus} words it for `status.json`: "All
 * Systems Operational", "Partially Degraded Service", "Degraded System Service", "Minor Service
 * Outage", "Partial System Outage", "Major System Outage" or "Service Under Maintenance", in
 * Statuspage's colours), active incidents and active or upcoming
 * maintenance with their public updates (newest first), the components by group with their
 * status written out next to every colour (a component with `onlyShowIfDegraded` only while it
 * is not operational), a bar per day of `snapshot.uptime` with its text for screen readers and as
 * a tooltip, the incidents of the last 15 days in the page's time zone, and a subscribe form that
 * posts `email` to `subscribePath`. Light and dark follow `prefers-color-scheme`; colours,
 * font and widths are the CSS custom properties of {@link STATUS_PAGE_CSS_PROPERTIES}, set with
 * `theme` and `darkTheme`. Every text of the snapshot is escaped, and its links are kept only
 * when they are `http(s)` URLs.
 *
 * @example
 * ```ts
 * import { renderStatusPageHtml, type StatusPageSnapshot } from 'incidentkit/status-page';
 *
 * declare const snapshot: StatusPageSnapshot;
 * const html = renderStatusPageHtml(snapshot, { theme: { '--ik-accent': '#5b21b6' }, locale: 'en-GB' });
 * const response = new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when a `theme` name is not one of the page's CSS
 * properties, a value is not a plain CSS value, or `locale` or `lang` is not a language tag.
 * @throws ValidationError (`VALIDATION_FAILED`) when the page's `timeZone` is unknown.
 */
export function renderStatusPageHtml(snapshot: StatusPageSnapshot, options: StatusPageHtmlOptions = {}): string {
  const lang = options.lang ?? 'en';
  if (!/^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8}){0,8}$/.test(lang)) {
    throw new ConfigError('renderStatusPageHtml', [{ code: 'invalid_value', path: ['lang'], message: `"${lang}" is not a BCP 47 language tag` }]);
  }
  const light = themeRules('theme', options.theme);
  const dark = themeRules('darkTheme', options.darkTheme);
  const f = formats(snapshot, options.locale ?? 'en-US');
  const { page } = snapshot;
  const unresolved = snapshot.incidents.filter((i) => i.status !== 'resolved');
  const maintenances = snapshot.maintenances.filter((m) => m.status !== 'completed');
  // One wording for the page, the API and the feeds' readers: the banner is `status.json`'s description.
  const overall = statuspageStatus(snapshot);
  // Coloured as Statuspage colours it: by the indicator (none green, minor yellow, major orange, critical red), maintenance blue.
  const colour = overall.description === SERVICE_UNDER_MAINTENANCE ? 'under_maintenance' : cls(IMPACT_AS_STATUS[overall.indicator] ?? 'operational');
  const feeds = options.feeds ?? { atom: 'history.atom', rss: 'history.rss' };
  const subscribe = options.subscribePath ?? 'subscribe';
  const name = esc(page.name);
  return `<!doctype html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'">
<title>${name} status</title>
${feeds === false ? '' : `<link rel="alternate" type="application/atom+xml" title="${name} history (Atom)" href="${esc(feeds.atom)}">\n<link rel="alternate" type="application/rss+xml" title="${name} history (RSS)" href="${esc(feeds.rss)}">\n`}<style>
${CSS}${light === '' ? '' : `\n:root{${light}}`}${dark === '' ? '' : `\n@media (prefers-color-scheme:dark){:root{${dark}}}`}
</style>
</head>
<body>
<header class="ik-wrap"><h1>${link(page.url, name)}</h1></header>
<main class="ik-wrap">
<section aria-labelledby="ik-overall"><h2 id="ik-overall" class="ik-banner ik-s-${colour}">${esc(overall.description)}</h2></section>
${unresolved.length === 0 ? '' : `<section aria-labelledby="ik-active"><h2 id="ik-active">Active incidents</h2>${unresolved.map((i) => incidentArticle(i, f, 'h3', true)).join('')}</section>\n`}${maintenances.length === 0 ? '' : `<section aria-labelledby="ik-maintenance"><h2 id="ik-maintenance">Scheduled maintenance</h2>${maintenances.map((m) => maintenanceArticle(m, f, 'h3', true)).join('')}</section>\n`}${componentsSection(snapshot, f)}
${pastSection(snapshot, f)}
${subscribe === false ? '' : `<section class="ik-subscribe" aria-labelledby="ik-subscribe"><h2 id="ik-subscribe">Get updates</h2><form method="post" action="${esc(subscribe)}"><label for="ik-email">Email address for updates about ${name}</label><input id="ik-email" name="email" type="email" autocomplete="email" required><button type="submit">Subscribe</button></form></section>`}
</main>
<footer class="ik-wrap"><p>Times in ${esc(f.timeZone)}. Last updated ${f.dateTime(snapshot.updatedAt)}.</p>${feeds === false ? '' : `<p><a href="${esc(feeds.atom)}">Atom feed</a> · <a href="${esc(feeds.rss)}">RSS feed</a></p>`}<p>Powered by incidentkit</p></footer>
</body>
</html>
`;
}
