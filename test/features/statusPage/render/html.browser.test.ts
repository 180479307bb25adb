/**
 * The status page in a real browser: Debian's Chromium (found or installed by
 * test/setup/chromium.ts), driven by playwright-core, loads pages rendered by renderStatusPageHtml
 * from a node:http server on 127.0.0.1. For the IT outage story it shows the components and the
 * incident, logs no console error, makes no request besides the page, and axe-core finds no
 * serious or critical WCAG 2.1 AA violation, in light and dark, on a desktop and on a phone.
 * Hostile text shows literally and runs nothing; the subscribe form posts without JavaScript.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderStatusPageHtml } from '../../../../src/features/statusPage/render/html.js';
import type { StatusPageSnapshot } from '../../../../src/features/statusPage/snapshot.js';
import { HOSTILE, hostileSnapshot, outageSnapshot, restoredSnapshot } from '../../../fixtures/statusPage/htmlSnapshot.js';
import { startServer, type TestServer } from '../../../http/server.js';
import { markPostgresSuiteRan } from '../../../setup/postgres.js';

const available = inject('chromium');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PAGES: Record<string, StatusPageSnapshot> = { '/': outageSnapshot, '/restored': restoredSnapshot, '/hostile': hostileSnapshot };
const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly failureSummary?: string }[];
}

describe.skipIf(available.bin === null)(`the status page in Chromium${available.bin === null ? ` (skipped: ${available.reason})` : ''}`, () => {
  let server: TestServer;
  let browser: Browser;
  const subscribed: string[] = [];

  beforeAll(async () => {
    markPostgresSuiteRan('statusPage.browser');
    server = await startServer(async (request) => {
      const { pathname } = new URL(request.url);
      if (pathname === '/subscribe' && request.method === 'POST') {
        subscribed.push(new URLSearchParams(await request.text()).get('email') ?? '');
        return new Response('<!doctype html><html lang="en"><title>Subscribed</title><h1>Check your inbox</h1></html>', { headers: { 'content-type': 'text/html; charset=utf-8' } });
      }
      const snapshot = PAGES[pathname];
      if (snapshot === undefined) return new Response('not found', { status: 404 });
      return new Response(renderStatusPageHtml(snapshot), { headers: { 'content-type': 'text/html; charset=utf-8' } });
    });
    browser = await chromium.launch({ executablePath: available.bin ?? '', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });

  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  /** Opens `path` in a fresh context; collects console errors, page errors, dialogs and requests. */
  async function open(path: string, options: BrowserContextOptions = {}): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => requests.push(request.url()));
    const response = await page.goto(`${server.url}${path}`);
    expect(response?.status()).toBe(200);
    return { page, problems, requests };
  }

  async function seriousViolations(page: Page): Promise<string[]> {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
      return result.violations;
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${String(v.impact)}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
  }

  it.each<[string, BrowserContextOptions]>([
    ['light, desktop', { colorScheme: 'light', viewport: { width: 1280, height: 900 } }],
    ['dark, desktop', { colorScheme: 'dark', viewport: { width: 1280, height: 900 } }],
    ['light, phone', { colorScheme: 'light', ...PHONE }],
    ['dark, phone', { colorScheme: 'dark', ...PHONE }],
  ])('shows the outage story and passes axe-core (%s)', async (_, options) => {
    const { page, problems, requests } = await open('/', options);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Acme Cloud');
    expect(await page.getByRole('heading', { name: 'Partial System Outage' }).isVisible()).toBe(true);
    const active = page.getByRole('region', { name: 'Active incidents' });
    expect(await active.getByRole('heading', { name: 'Website unavailable' }).isVisible()).toBe(true);
    expect(await active.getByText('The primary load balancer failed. We are failing over to the secondary region.').isVisible()).toBe(true);
    const components = page.getByRole('region', { name: 'Components' });
    expect(await components.getByRole('heading', { name: 'Web' }).isVisible()).toBe(true);
    expect(await components.getByRole('listitem').filter({ hasText: 'Website' }).first().innerText()).toMatch(/^Website\s+Degraded performance/);
    expect(await components.getByText('Public API').isVisible()).toBe(true);
    expect(await components.getByText('Legacy FTP').count()).toBe(0);
    expect(await page.getByRole('list', { name: 'Website: status per day, last 90 days' }).getByRole('listitem').count()).toBe(90);
    expect(await page.getByRole('region', { name: 'Scheduled maintenance' }).getByRole('heading', { name: 'Database upgrade' }).isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Past incidents' }).getByText('No incidents reported.').count()).toBe(13);
    // Readable on a phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`${server.url}/`]);
  });

  it('shows the restored page as "All Systems Operational" with the outage among past incidents, and passes axe-core in dark', async () => {
    const { page, problems } = await open('/restored', { colorScheme: 'dark' });
    expect(await page.getByRole('heading', { name: 'All Systems Operational' }).isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Active incidents' }).count()).toBe(0);
    const past = page.getByRole('region', { name: 'Past incidents' });
    expect(await past.getByText('The primary region is healthy again and serves all traffic.').isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows the status and uptime of a day when the pointer rests on its bar (no JavaScript needed)', async () => {
    const { page } = await open('/', { javaScriptEnabled: false });
    const today = page.getByRole('list', { name: 'Website: status per day, last 90 days' }).getByRole('listitem').last();
    const tip = today.getByText('Dec 6, 2026: Major outage, 95.50% up');
    expect(await tip.evaluate((el) => el.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
    await today.hover();
    expect(await tip.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(100);
  });

  it('shows hostile text literally and runs none of it', async () => {
    const { page, problems } = await open('/hostile');
    const shown = HOSTILE.replace('\u0007', '\u2407').replace('\u0000', '\u2400');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Acme ${shown}`);
    expect(await page.getByRole('region', { name: 'Active incidents' }).getByRole('heading', { level: 3 }).textContent()).toBe(`Website unavailable ${shown}`);
    expect(await page.locator('img, script, [onerror]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('shows keyboard focus, and the subscribe form posts the address without JavaScript', async () => {
    const { page } = await open('/', { javaScriptEnabled: false });
    const field = page.getByLabel('Email address for updates about Acme Cloud');
    await field.focus();
    await page.keyboard.press('Tab');
    const button = page.getByRole('button', { name: 'Subscribe' });
    expect(await button.evaluate((el) => el === document.activeElement && getComputedStyle(el).outlineStyle === 'solid')).toBe(true);
    await field.fill('ops@customer.example');
    await Promise.all([page.waitForURL(`${server.url}/subscribe`), button.click()]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your inbox');
    expect(subscribed).toEqual(['ops@customer.example']);
  });
});
