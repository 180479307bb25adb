/**
 * vitest globalSetup: a real Prometheus Alertmanager binary for test/http/alertmanager.int.test.ts.
 *
 * Looks for Debian's `prometheus-alertmanager` (or `alertmanager`) on PATH, or the binary named by
 * INCIDENTKIT_ALERTMANAGER_BIN; when there is none and this process runs as root, installs the
 * Debian package with apt-get (as .ci/run does for PostgreSQL: CI starts on a fresh machine).
 * Tests read the outcome with `inject('alertmanager')`. Without a binary the suite skips and says
 * why, unless INCIDENTKIT_REQUIRE_ALERTMANAGER=1, which turns that into a failure; the suite also
 * leaves the marker `alertmanager.int` (see markPostgresSuiteRan) for .ci/run to check.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { findOrInstall } from './debianTool.js';

/** What the setup found: the Alertmanager binary, or why there is none. */
export type AlertmanagerAvailability = { readonly bin: string; readonly reason?: undefined } | { readonly bin: null; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    alertmanager: AlertmanagerAvailability;
  }
}

const ALERTMANAGER = { packageName: 'prometheus-alertmanager', names: ['prometheus-alertmanager', 'alertmanager'], envVar: 'INCIDENTKIT_ALERTMANAGER_BIN', timeoutMs: 600_000, purpose: 'for the Alertmanager integration test' } as const;

export default function setup(project: TestProject): void {
  try {
    const bin = findOrInstall(ALERTMANAGER);
    execFileSync(bin, ['--version'], { stdio: 'ignore', timeout: 30_000 });
    project.provide('alertmanager', { bin });
  } catch (error) {
    const reason = `no Prometheus Alertmanager for test/http/alertmanager.int.test.ts: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.INCIDENTKIT_REQUIRE_ALERTMANAGER === '1') throw new Error(reason, { cause: error });
    console.warn(`[incidentkit tests] skipping the Alertmanager suite: ${reason}`);
    project.provide('alertmanager', { bin: null, reason });
  }
}
