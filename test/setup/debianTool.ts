/**
 * Finds a tool's binary, installing its Debian package with apt-get when it is missing and this
 * process runs as root (CI starts on a fresh machine): what the Chromium and Alertmanager global
 * setups share.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A tool the tests need and where it comes from. */
export interface DebianTool {
  /** The Debian package, e.g. `chromium`. */
  readonly packageName: string;
  /** Binary names to look for, in order of preference. */
  readonly names: readonly string[];
  /** The environment variable that names the binary and skips the search. */
  readonly envVar: string;
  /** Folders searched before PATH (default: none); `/usr/bin` and `/usr/local/bin` are searched after it. */
  readonly searchFirst?: readonly string[];
  /** How long each apt-get call may take, in milliseconds. */
  readonly timeoutMs: number;
  /** Why the tests need it, for the notice printed before installing. */
  readonly purpose: string;
}

function findBinary(tool: DebianTool): string | undefined {
  const given = process.env[tool.envVar];
  if (given !== undefined && given !== '') return given;
  for (const dir of [...(tool.searchFirst ?? []), ...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']) {
    for (const name of tool.names) {
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

/** Installs the Debian package with apt-get; throws with apt's output when that fails. */
function install(tool: DebianTool): void {
  if (process.getuid?.() !== 0) throw new Error(`${tool.packageName} is not installed and the tests do not run as root: apt-get install -y ${tool.packageName}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', tool.packageName]]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: tool.timeoutMs });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${String(run.status ?? run.signal)}): ${(run.stderr || run.stdout).trim().slice(-2_000)}`);
  }
}

/** The tool's binary: found (one `access` call when it is there), or installed and then found; throws why not. */
export function findOrInstall(tool: DebianTool): string {
  const found = findBinary(tool);
  if (found !== undefined) return found;
  console.warn(`[incidentkit tests] installing ${tool.packageName} with apt-get ${tool.purpose}`);
  install(tool);
  const installed = findBinary(tool);
  if (installed === undefined) throw new Error(`apt-get installed ${tool.packageName} but no ${tool.names[0] ?? tool.packageName} binary is on PATH`);
  return installed;
}
