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
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** What the setup found: the Alertmanager binary, or why there is none. */
export type AlertmanagerAvailability = { readonly bin: string; readonly reason?: undefined } | { readonly bin: null; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    alertmanager: AlertmanagerAvailability;
  }
}

const NAMES = ['prometheus-alertmanager', 'alertmanager'];

function findBinary(): string | undefined {
  const given = process.env.INCIDENTKIT_ALERTMANAGER_BIN;
  if (given !== undefined && given !== '') return given;
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/usr/local/bin'])) {
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

/** Installs Debian's prometheus-alertmanager with apt-get; throws with apt's output when that fails. */
function install(): void {
  if (process.getuid?.() !== 0) throw new Error('prometheus-alertmanager is not installed and the tests do not run as root: apt-get install -y prometheus-alertmanager');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'prometheus-alertmanager']]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000 });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${String(run.status ?? run.signal)}): ${(run.stderr || run.stdout).trim().slice(-2_000)}`);
  }
}

export default function setup(project: TestProject): void {
  try {
    let bin = findBinary();
    if (bin === undefined) {
      console.warn('[incidentkit tests] installing prometheus-alertmanager with apt-get for the Alertmanager integration test');
      install();
      bin = findBinary();
      if (bin === undefined) throw new Error('apt-get installed prometheus-alertmanager but no prometheus-alertmanager binary is on PATH');
    }
    execFileSync(bin, ['--version'], { stdio: 'ignore', timeout: 30_000 });
    project.provide('alertmanager', { bin });
  } catch (error) {
    const reason = `no Prometheus Alertmanager for test/http/alertmanager.int.test.ts: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.INCIDENTKIT_REQUIRE_ALERTMANAGER === '1') throw new Error(reason, { cause: error });
    console.warn(`[incidentkit tests] skipping the Alertmanager suite: ${reason}`);
    project.provide('alertmanager', { bin: null, reason });
  }
}
