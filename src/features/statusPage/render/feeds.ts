/**
 * The page's incident history as feeds: `history.atom` (Atom 1.0, RFC 4287) and `history.rss`
 * (RSS 2.0), one entry per public incident whose content is its updates, newest first, as
 * escaped HTML (as Statuspage's feeds are). Pure functions of a {@link StatusPageSnapshot}.
 */
import type { PublicIncident, StatusPageSnapshot } from '../snapshot.js';
import { escapeXml, pageBase, readableTime, statusLabel, textToHtml } from './text.js';

/** The host of the page's URL, for tag URIs (RFC 4151); `localhost` when the URL has none. */
function hostOf(url: string): string {
  try {
    const host = new URL(url).hostname;
    return host === '' ? 'localhost' : host;
  } catch {
    return 'localhost';
  }
}

/** A stable, unique id for the incident (`tag:status.example.com,2005:Incident/abc`), as Statuspage's feeds use. */
function incidentTag(snapshot: StatusPageSnapshot, incident: PublicIncident): string {
  return `tag:${hostOf(snapshot.page.url)},2005:Incident/${encodeURIComponent(incident.id)}`;
}

/** The incident's updates, newest first, as HTML: `<p><small>time</small><br><strong>Status</strong> - body</p>`. */
function incidentHtml(snapshot: StatusPageSnapshot, incident: PublicIncident): string {
  const zone = snapshot.page.timeZone;
  return incident.updates
    .map(
      (update) =>
        `<p><small>${escapeXml(readableTime(update.createdAt, zone))}</small><br><strong>${escapeXml(statusLabel(update.status))}</strong> - ${textToHtml(update.body)}</p>`,
    )
    .join('');
}

function feedTitle(snapshot: StatusPageSnapshot): string {
  return `${snapshot.page.name} Status - Incident History`;
}

/** An ISO-8601 time as RFC 3339 in UTC (what Atom asks), or the input when it is not a time. */
function rfc3339(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString();
}

/** An ISO-8601 time as RFC 822 (what RSS 2.0 asks): `Sun, 06 Dec 2026 10:00:00 GMT`. */
function rfc822(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toUTCString();
}

/**
 * The page's incident history as an Atom 1.0 feed (`history.atom`): one entry per public
 * incident of the snapshot, newest first; an entry's content is the incident's updates, newest
 * first, as HTML. Every title and body is escaped, and characters XML cannot carry (control
 * characters) are dropped, so the feed is well-formed whatever people wrote.
 *
 * @example
 * ```ts
 * import { renderHistoryAtom } from 'incidentkit/status-page';
 * import type { StatusPageSnapshot } from 'incidentkit/status-page';
 *
 * declare const snapshot: StatusPageSnapshot;
 * const xml = renderHistoryAtom(snapshot);
 * console.log(xml.startsWith('<?xml'));
 * ```
 */
export function renderHistoryAtom(snapshot: StatusPageSnapshot): string {
  const base = pageBase(snapshot.page.url);
  const entries = snapshot.incidents.map((incident) =>
    [
      '  <entry>',
      `    <id>${escapeXml(incidentTag(snapshot, incident))}</id>`,
      `    <published>${escapeXml(rfc3339(incident.createdAt))}</published>`,
      `    <updated>${escapeXml(rfc3339(incident.updatedAt))}</updated>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(incident.shortlink)}"/>`,
      `    <title>${escapeXml(incident.name)}</title>`,
      `    <content type="html">${escapeXml(incidentHtml(snapshot, incident))}</content>`,
      '  </entry>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(`tag:${hostOf(snapshot.page.url)},2005:/history`)}</id>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(snapshot.page.url)}"/>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(`${base}/history.atom`)}"/>`,
    `  <title>${escapeXml(feedTitle(snapshot))}</title>`,
    `  <updated>${escapeXml(rfc3339(snapshot.updatedAt))}</updated>`,
    `  <author>`,
    `    <name>${escapeXml(snapshot.page.name)}</name>`,
    `  </author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/**
 * The page's incident history as an RSS 2.0 feed (`history.rss`): one item per public
 * incident, newest first; an item's description is the incident's updates, newest first, as
 * HTML. Escaped like {@link renderHistoryAtom}.
 *
 * @example
 * ```ts
 * import { renderHistoryRss } from 'incidentkit/status-page';
 * import type { StatusPageSnapshot } from 'incidentkit/status-page';
 *
 * declare const snapshot: StatusPageSnapshot;
 * const xml = renderHistoryRss(snapshot);
 * console.log(xml.includes('<rss version="2.0"'));
 * ```
 */
export function renderHistoryRss(snapshot: StatusPageSnapshot): string {
  const base = pageBase(snapshot.page.url);
  const items = snapshot.incidents.map((incident) =>
    [
      '    <item>',
      `      <title>${escapeXml(incident.name)}</title>`,
      `      <description>${escapeXml(incidentHtml(snapshot, incident))}</description>`,
      `      <pubDate>${escapeXml(rfc822(incident.createdAt))}</pubDate>`,
      `      <link>${escapeXml(incident.shortlink)}</link>`,
      `      <guid isPermaLink="false">${escapeXml(incidentTag(snapshot, incident))}</guid>`,
      '    </item>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '  <channel>',
    `    <title>${escapeXml(feedTitle(snapshot))}</title>`,
    `    <link>${escapeXml(snapshot.page.url)}</link>`,
    `    <description>${escapeXml(`Incident history of ${snapshot.page.name}`)}</description>`,
    `    <atom:link href="${escapeXml(`${base}/history.rss`)}" rel="self" type="application/rss+xml"/>`,
    `    <lastBuildDate>${escapeXml(rfc822(snapshot.updatedAt))}</lastBuildDate>`,
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
}
