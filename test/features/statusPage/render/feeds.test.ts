import { parseFeed } from '@rowanmanning/feed-parser';
import fc from 'fast-check';
import { SyntaxValidator } from 'fast-xml-validator';
import { describe, expect, it } from 'vitest';
import { renderHistoryAtom, renderHistoryRss } from '../../../../src/features/statusPage/render/feeds.js';
import { allSnapshots, HOSTILE_BODY, HOSTILE_TITLE, hostileText, outageDuring, outageRestored, quietPage } from '../../../fixtures/statusPage/snapshots.js';

const FEEDS = { atom: renderHistoryAtom, rss: renderHistoryRss } as const;

/** Throws on anything that is not well-formed XML 1.0: unescaped markup, control characters, `]]>` in text. */
const wellFormed = (xml: string): boolean =>
  SyntaxValidator.validate(xml, { invalidCharSequence: { tagValue: true, attrLt: true }, xmlDeclaraion: { optional: false } });

/** `text` as XML can carry it: without the control characters and the lone surrogate of the hostile fixtures. */
// eslint-disable-next-line no-control-regex -- the characters the renderers must drop
const carried = (text: string): string => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]|\uD800(?![\uDC00-\uDFFF])/g, '');

describe.each(Object.entries(FEEDS))('history.%s', (kind, render) => {
  it('is well-formed XML for every snapshot', () => {
    for (const [name, snapshot] of Object.entries(allSnapshots)) {
      const xml = render(snapshot);
      expect(wellFormed(xml), name).toBe(true);
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    }
  });

  it('has one entry per public incident, newest first, its updates newest first as HTML', () => {
    const feed = parseFeed(render(outageRestored));
    expect(feed.title).toBe('Acme Status - Incident History');
    expect(feed.url).toBe('https://status.acme.test/');
    expect(feed.self).toBe(`https://status.acme.test/history.${kind}`);
    expect(feed.items.map((item) => item.title)).toEqual(['Website unavailable', 'Slow API responses']);
    const [outage] = feed.items;
    expect(outage?.url).toBe('https://status.acme.test/incidents/inc-website-down');
    expect(outage?.id).toBe('tag:status.acme.test,2005:Incident/inc-website-down');
    expect(outage?.published?.toISOString()).toBe('2026-12-06T10:00:00.000Z');
    const html = (kind === 'atom' ? outage?.content : outage?.description) ?? '';
    const order = ['Resolved', 'Monitoring', 'Identified', 'Investigating'].map((label) => html.indexOf(`<strong>${label}</strong>`));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<strong>Identified</strong> - The primary data centre lost power.<br>We are failing over to the second data centre.');
    expect(html).toContain('<small>Dec 6, 2026, 11:20 GMT+1</small>');
  });

  it('is an empty feed when the page has no incident', () => {
    const feed = parseFeed(render(quietPage));
    expect(feed.items).toEqual([]);
    expect(feed.title).toBe('Acme Status - Incident History');
  });

  it('escapes user text: markup, entities, CDATA ends, control characters and emoji survive as text', () => {
    const xml = render(hostileText);
    expect(wellFormed(xml)).toBe(true);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain(']]>');
    const feed = parseFeed(xml);
    expect(feed.title).toBe('Acme & <Co> ]]> Status - Incident History');
    const [item] = feed.items;
    expect(item?.title).toBe(carried(HOSTILE_TITLE));
    const html = (kind === 'atom' ? item?.content : item?.description) ?? '';
    // The parser hands back the content with its entities decoded: the body as written, minus what XML cannot carry.
    expect(html).toContain(carried(HOSTILE_BODY).replace('\n', '<br>'));
    // On the wire the body is HTML-escaped inside the HTML, and that HTML is XML-escaped.
    const htmlEscaped = carried(HOSTILE_BODY).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace('\n', '<br>');
    expect(xml).toContain(htmlEscaped.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(html).toContain('🧯💳');
  });

  it('stays well-formed XML whatever the title and body hold (any UTF-16 code units)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(text, text, text, (title, body, pageName) => {
        const incident = { ...(hostileText.incidents[0]!), name: title };
        const update = { ...(incident.updates[0]!), body };
        const xml = render({ ...hostileText, page: { ...hostileText.page, name: pageName }, incidents: [{ ...incident, updates: [update] }] });
        expect(wellFormed(xml)).toBe(true);
        expect(parseFeed(xml).items).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });

  it('updates the feed when the incident moves on', () => {
    const during = parseFeed(render(outageDuring));
    const after = parseFeed(render(outageRestored));
    expect(during.items).toHaveLength(1);
    expect(after.items).toHaveLength(2);
    expect(render(outageDuring)).toBe(render(outageDuring));
  });
});
