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
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** What the setup found: the Chromium binary, or why there is none. */
export type ChromiumAvailability = { readonly bin: string; readonly reason?: undefined } | { readonly bin: null; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumAvailability;
  }
}

const NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

function findBinary(): string | undefined {
  const given = process.env.INCIDENTKIT_CHROMIUM_BIN;
  if (given !== undefined && given !== '') return given;
  for (const dir of ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin']) {
    for (const name of NAMES) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Installs Debian's chromium with apt-get; throws with apt's output when that fails. */
function install(): void {
  if (process.getuid?.() !== 0) throw new Error('chromium is not installed and the tests do not run as root: apt-get install -y chromium');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 900_000 });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${String(run.status ?? run.signal)}): ${(run.stderr || run.stdout).trim().slice(-2_000)}`);
  }
}

export default function setup(project: TestProject): void {
  try {
    let bin = findBinary();
    if (bin === undefined) {
      console.warn('[incidentkit tests] installing chromium with apt-get for the status page browser tests');
      install();
      bin = findBinary();
      if (bin === undefined) throw new Error('apt-get installed chromium but no chromium binary is on PATH');
    }
    project.provide('chromium', { bin });
  } catch (error) {
    const reason = `no Chromium for the browser tests: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.INCIDENTKIT_REQUIRE_CHROMIUM === '1') throw new Error(reason, { cause: error });
    console.warn(`[incidentkit tests] skipping the browser tests: ${reason}`);
    project.provide('chromium', { bin: null, reason });
  }
}
