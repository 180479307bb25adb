/**
 * vitest globalSetup: a real Chromium for the browser tests (test/features/statusPage/render/html.browser.test.ts).
 *
 * Looks for Debian's `chromium` (or `chromium-browser`, `google-chrome`) at the usual paths, or the
 * binary named by INCIDENTKIT_CHROMIUM_BIN: when it is there this costs one `access` call. When
 * there is none and this process runs as root, installs the Debian package with apt-get (CI starts
 * on a fresh machine). Tests read the outcome with `inject('chromium')`. Without a browser the
 * suite skips and says why, unless INCIDENTKIT_REQUIRE_CHROMIUM=1, which turns that into a
 * failure; the suite also leaves the marker `statusPage.browser` (see markPostgresSuiteRan) for
 * .ci/run to check.
 */
import type { TestProject } from 'vitest/node';
import { findOrInstall } from './debianTool.js';

/** What the setup found: the Chromium binary, or why there is none. */
export type ChromiumAvailability = { readonly bin: string; readonly reason?: undefined } | { readonly bin: null; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumAvailability;
  }
}

const CHROMIUM = { packageName: 'chromium', names: ['chromium', 'chromium-browser', 'google-chrome'], envVar: 'INCIDENTKIT_CHROMIUM_BIN', searchFirst: ['/usr/bin'], timeoutMs: 900_000, purpose: 'for the status page browser tests' } as const;

export default function setup(project: TestProject): void {
  try {
    const bin = findOrInstall(CHROMIUM);
    project.provide('chromium', { bin });
  } catch (error) {
    const reason = `no Chromium for the browser tests: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.INCIDENTKIT_REQUIRE_CHROMIUM === '1') throw new Error(reason, { cause: error });
    console.warn(`[incidentkit tests] skipping the browser tests: ${reason}`);
    project.provide('chromium', { bin: null, reason });
  }
}
