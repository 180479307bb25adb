/**
 * renderStatusPageHtml as a pure function: what the page says for the IT outage story, the
 * banner for each overall status, days and times in the page's time zone, escaping of every
 * user-written text, and the options. How it looks and reads in a browser is
 * html.browser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../../../src/errors.js';
import { renderStatusPageHtml } from '../../../../src/features/statusPage/render/html.js';
import { renderStatuspageV2 } from '../../../../src/features/statusPage/render/statuspageV2.js';
import type { ComponentStatus, StatusPageSnapshot } from '../../../../src/features/statusPage/snapshot.js';
import { HOSTILE, hostileSnapshot, outageSnapshot, restoredSnapshot } from '../../../fixtures/statusPage/htmlSnapshot.js';

/** The page's text as a reader gets it: tags dropped, entities decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<style>[^]*?<\/style>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ');
}

function withStatuses(statuses: Record<string, ComponentStatus>, snapshot: StatusPageSnapshot = restoredSnapshot): StatusPageSnapshot {
  return { ...snapshot, components: snapshot.components.map((c) => ({ ...c, status: statuses[c.component.id] ?? c.status })) };
}

describe('renderStatusPageHtml', () => {
  it('renders the outage story: banner, active incident with its updates newest first, maintenance, grouped components', () => {
    const html = renderStatusPageHtml(outageSnapshot);
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    const page = text(html);
    expect(page).toContain('Partial System Outage');
    expect(page).toContain('Active incidents Website unavailable Monitoring · Impact: Major · Affected: Website, Checkout');
    const monitoring = page.indexOf('Monitoring — Traffic is served');
    const identified = page.indexOf('Identified — The primary load balancer failed');
    const investigating = page.indexOf('Investigating — The website is not reachable');
    expect(monitoring).toBeGreaterThan(0);
    expect(identified).toBeGreaterThan(monitoring);
    expect(investigating).toBeGreaterThan(identified);
    expect(page).toContain('Scheduled maintenance Database upgrade Scheduled');
    expect(page).toContain('Web Degraded performance Website Degraded performance');
    expect(page).toContain('API Operational Public API Operational');
    expect(page).toContain('Database cluster Operational');
    expect(page).toContain('Nov 12, 2026: Degraded performance, 100.00% up');
    expect(page).toContain('90 days ago 99.95% uptime Today');
  });

  it('hides a component with onlyShowIfDegraded while it is operational, and shows it when it is not', () => {
    expect(text(renderStatusPageHtml(outageSnapshot))).not.toContain('Legacy FTP');
    expect(text(renderStatusPageHtml(withStatuses({ ftp: 'partial_outage' })))).toContain('Legacy FTP Partial outage');
  });

  it.each<[string, string, StatusPageSnapshot]>([
    ['All Systems Operational', 'operational', restoredSnapshot],
    ['Partially Degraded Service', 'degraded_performance', withStatuses({ api: 'degraded_performance' })],
    ['Minor Service Outage', 'degraded_performance', withStatuses({ api: 'partial_outage', webhooks: 'degraded_performance' })],
    ['Partial System Outage', 'partial_outage', withStatuses({ website: 'major_outage', database: 'under_maintenance' })],
    ['Service Under Maintenance', 'under_maintenance', withStatuses({ database: 'under_maintenance' })],
    ['Major System Outage', 'major_outage', { ...restoredSnapshot, incidents: [{ ...outageSnapshot.incidents[0]!, impact: 'critical' }] }],
  ])('says "%s" in the banner, coloured %s', (banner, colour, snapshot) => {
    expect(renderStatusPageHtml(snapshot)).toContain(`class="ik-banner ik-s-${colour}">${banner}</h2>`);
  });

  it('says in its banner what status.json says, for every mix of component statuses and unresolved incident impacts', () => {
    const statuses: readonly ComponentStatus[] = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
    const mixes: ComponentStatus[][] = [[]];
    for (let n = 1; n <= 3; n += 1) {
      for (const mix of mixes.filter((m) => m.length === n - 1)) mixes.push(...statuses.map((s) => [...mix, s]));
    }
    const incident = outageSnapshot.incidents[0]!;
    const incidentsCases: StatusPageSnapshot['incidents'][] = [
      [],
      ...(['none', 'minor', 'major', 'critical'] as const).map((impact) => [{ ...incident, status: 'identified' as const, impact }]),
      [{ ...incident, status: 'resolved', impact: 'critical' }],
      [{ ...incident, status: 'investigating', impact: 'minor' }, { ...incident, id: `${incident.id}-2`, status: 'monitoring', impact: 'major' }],
    ];
    const template = restoredSnapshot.components[0]!;
    let checked = 0;
    for (const mix of mixes) {
      for (const incidents of incidentsCases) {
        const components = mix.map((status, i) => ({ ...template, component: { id: `c${String(i)}`, name: `C${String(i)}` }, status }));
        const snapshot: StatusPageSnapshot = { ...restoredSnapshot, page: { ...restoredSnapshot.page, components: components.map((c) => c.component) }, components, incidents };
        const json = renderStatuspageV2(snapshot, 'status.json');
        const banner = /<h2 id="ik-overall" class="ik-banner ik-s-([a-z_]+)">([^<]*)<\/h2>/.exec(renderStatusPageHtml(snapshot));
        expect(banner?.[2], JSON.stringify({ mix, incidents: incidents.map((i) => [i.status, i.impact]) })).toBe(json.status.description);
        const colour = json.status.description === 'Service Under Maintenance'
          ? 'under_maintenance'
          : ({ none: 'operational', minor: 'degraded_performance', major: 'partial_outage', critical: 'major_outage' } as const)[json.status.indicator];
        expect(banner?.[1]).toBe(colour);
        checked += 1;
      }
    }
    expect(checked).toBe(156 * 7);
  });

  it('shows past incidents by day for 15 days in the page time zone, with "No incidents reported." for the others', () => {
    const page = text(renderStatusPageHtml(restoredSnapshot));
    const past = page.slice(page.indexOf('Past incidents'));
    expect(past.match(/No incidents reported\./g)).toHaveLength(13);
    expect(past).toContain('Dec 6, 2026 Website unavailable Resolved · Impact: Major');
    expect(past).toContain('Dec 3, 2026 Elevated API latency Resolved · Impact: Minor');
    expect(past).toContain('Nov 22, 2026 No incidents reported.');
    expect(past).not.toContain('Nov 21, 2026');
    // 13:04 UTC is 14:04 in Berlin.
    expect(renderStatusPageHtml(restoredSnapshot, { locale: 'en-GB' })).toContain('<time datetime="2026-12-06T13:04:00.000Z">6 Dec 2026, 14:04 CET</time>');
    expect(page).not.toContain('Active incidents');
  });

  it('puts an incident on the day it began where the page is (after midnight in Tokyo is still the day before in UTC)', () => {
    const tokyo: StatusPageSnapshot = { ...restoredSnapshot, page: { ...restoredSnapshot.page, timeZone: 'Asia/Tokyo' }, at: '2026-12-06T16:00:00.000Z' };
    const late = { ...restoredSnapshot.incidents[1]!, createdAt: '2026-12-04T15:30:00.000Z' };
    const page = text(renderStatusPageHtml({ ...tokyo, incidents: [late] }));
    expect(page).toContain('Dec 5, 2026 Elevated API latency');
    expect(page).toContain('Dec 7, 2026 No incidents reported.');
  });

  it('shows every user-written text literally: no markup, script or link from the snapshot gets through', () => {
    const html = renderStatusPageHtml(hostileSnapshot);
    expect(html).not.toMatch(/<script|<img|onerror="|javascript:/i);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;&amp;amp; R&amp;D \u2407bell\u2400nul');
    expect(text(html)).toContain(`Website unavailable ${HOSTILE.replace('\u0007', '\u2407').replace('\u0000', '\u2400')}`);
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the page
    expect(html).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
  });

  it('shows statuses it does not know as written (even `constructor` or markup), coloured as operational', () => {
    const odd = {
      ...outageSnapshot,
      components: outageSnapshot.components.map((c) => ({ ...c, status: 'constructor' as ComponentStatus })),
      incidents: [{ ...outageSnapshot.incidents[0]!, status: '<b>toString</b>' as never, updates: [{ ...outageSnapshot.incidents[0]!.updates[0]!, status: '__proto__' as never }] }],
    };
    const html = renderStatusPageHtml(odd);
    expect(html).not.toContain('native code');
    expect(html).not.toContain('<b>');
    expect(text(html)).toContain('Website constructor');
    expect(text(html)).toContain('<b>toString</b> · Impact: Major');
    expect(text(html)).toContain('__proto__ — Traffic is served');
    expect(html).toContain('>Partial System Outage</h2>');
  });

  it('leaves the uptime bars out when the snapshot has no uptime', () => {
    const { uptime: _, ...withoutUptime } = outageSnapshot;
    const html = renderStatusPageHtml(withoutUptime);
    expect(html).not.toContain('class="ik-bars"');
    expect(text(html)).toContain('Website Degraded performance www.acme.example');
  });

  it('posts the subscribe form to subscribePath, or leaves it out', () => {
    expect(renderStatusPageHtml(outageSnapshot)).toContain('<form method="post" action="subscribe"><label for="ik-email">');
    expect(renderStatusPageHtml(outageSnapshot, { subscribePath: '/status/subscribe' })).toContain('action="/status/subscribe"');
    expect(renderStatusPageHtml(outageSnapshot, { subscribePath: false })).not.toContain('<form');
  });

  it('applies theme and darkTheme overrides after the defaults', () => {
    const html = renderStatusPageHtml(outageSnapshot, { theme: { '--ik-accent': '#5b21b6', '--ik-font': '"Inter", sans-serif' }, darkTheme: { '--ik-bg': '#000' }, lang: 'de-CH' });
    expect(html).toContain(':root{--ik-accent:#5b21b6;--ik-font:"Inter", sans-serif}\n@media (prefers-color-scheme:dark){:root{--ik-bg:#000}}\n</style>');
    expect(html).toContain('<html lang="de-CH">');
  });

  it.each([
    [{ theme: { '--ik-colour': 'red' } as never }, 'theme.--ik-colour: --ik-colour is not one of the page'],
    [{ theme: { '--ik-bg': 'red;} body{display:none' } }, 'theme.--ik-bg: "red;} body{display:none" is not a plain CSS value'],
    [{ darkTheme: { '--ik-bg': 'url(https://tracker.example/x)' } }, 'darkTheme.--ik-bg'],
    [{ theme: { '--ik-font': '"Inter' } }, 'theme.--ik-font'],
    [{ lang: 'en"><script>' }, 'lang: "en"><script>" is not a BCP 47 language tag'],
    [{ locale: 'not a locale!' }, 'locale: "not a locale!" is not a BCP 47 locale'],
  ])('refuses bad options with a ConfigError (%j)', (options, message) => {
    let caught: unknown;
    try {
      renderStatusPageHtml(outageSnapshot, options);
    } catch (error) {
      caught = error;
    }
    expect(isIncidentKitError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain(message);
  });

  it('refuses a page whose time zone is unknown with a ValidationError', () => {
    const snapshot = { ...outageSnapshot, page: { ...outageSnapshot.page, timeZone: 'Mars/Olympus' } };
    expect(() => renderStatusPageHtml(snapshot)).toThrow(/page\.timeZone: "Mars\/Olympus" is not an IANA time zone/);
  });
});
