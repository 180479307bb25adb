/**
 * Takes the screenshots of the status page shown in docs/status-page.md (light and dark), from
 * the IT outage story's snapshot in test/fixtures/statusPage/htmlSnapshot.ts, with the Chromium
 * the browser tests use:
 *
 *   npx tsx scripts/status-page-screenshots.ts [path/to/chromium]
 *
 * Run it again after changing the page's look, and commit the two PNGs.
 */
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { renderStatusPageHtml } from '../src/features/statusPage/render/html.js';
import { outageSnapshot } from '../test/fixtures/statusPage/htmlSnapshot.js';

const executablePath = process.argv[2] ?? process.env.INCIDENTKIT_CHROMIUM_BIN ?? '/usr/bin/chromium';
const html = renderStatusPageHtml(outageSnapshot);
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ colorScheme, viewport: { width: 900, height: 1500 } });
    await page.setContent(html);
    const path = fileURLToPath(new URL(`../docs/status-page-${colorScheme}.png`, import.meta.url));
    await page.screenshot({ path });
    console.log(`wrote ${path}`);
    await page.close();
  }
} finally {
  await browser.close();
}
