/**
 * The CLI as users run it: bundled from src/cli/bin.ts the way tsup.config.ts builds dist/cli.js
 * (esbuild, ESM for Node 20, the same externals and shebang), then run as a subprocess.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What a run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Builds the CLI into a temporary folder (inside the project, so its packages resolve); `run` runs it, `remove` deletes it. */
export async function buildCli(): Promise<{ readonly file: string; run(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<CliRun>; remove(): void }> {
  const dir = mkdtempSync(join(root, 'node_modules', '.cli-test-'));
  const file = join(dir, 'cli.mjs');
  await build({
    entryPoints: [join(root, 'src/cli/bin.ts')],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    define: { __INCIDENTKIT_VERSION__: JSON.stringify('0.0.0-test') },
    external: ['xstate', 'zod', 'mitt', 'better-sqlite3', 'pg', 'nodemailer', 'redos-detector'],
    logLevel: 'silent',
  });
  return {
    file,
    run(args, env = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [file, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => { resolve({ code, stdout, stderr }); });
      });
    },
    remove: () => { rmSync(dir, { recursive: true, force: true }); },
  };
}
