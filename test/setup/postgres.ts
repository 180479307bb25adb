/**
 * vitest globalSetup: a real PostgreSQL for the tests that need one.
 *
 * Uses INCIDENTKIT_TEST_DATABASE_URL when set; otherwise starts a throwaway cluster from the
 * PostgreSQL binaries on this machine with scripts/pg-throwaway.sh (initdb + pg_ctl on 127.0.0.1,
 * as an unprivileged user when run as root, deleted afterwards). Tests read the outcome with
 * `inject('postgres')`. Without binaries the PostgreSQL suites skip and say why, unless
 * INCIDENTKIT_REQUIRE_POSTGRES=1 (set by .ci/run), which turns that into a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/** What the setup found: a database URL, or why there is none. */
export type PostgresAvailability = { readonly url: string; readonly reason?: undefined } | { readonly url: null; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresAvailability;
  }
}

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts/pg-throwaway.sh');

/** A running throwaway cluster. */
export interface ThrowawayPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL with scripts/pg-throwaway.sh and resolves once it accepts
 * connections. The cluster stops when `stop()` is called or this process exits.
 */
export function startThrowawayPostgres(options: { readonly database?: string; readonly timeoutMs?: number } = {}): Promise<ThrowawayPostgres> {
  const child: ChildProcess = spawn('bash', [SCRIPT], {
    env: {
      ...process.env,
      PG_DB: options.database ?? 'incidentkit_test',
      PG_NO_INSTALL: '1',
      PG_WATCH_PID: String(process.pid),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => { done(); }));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`pg-throwaway.sh did not report a DATABASE_URL within ${String(options.timeoutMs ?? 60_000)} ms:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^DATABASE_URL=(\S+)$/m.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolvePromise({ url: match[1], stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pg-throwaway.sh exited with code ${String(code)} before PostgreSQL was ready:\n${stderr.trim()}`));
    });
  });
}

/** Records that a PostgreSQL suite ran, for .ci/run to check (only when INCIDENTKIT_PG_MARKER_DIR is set). */
export function markPostgresSuiteRan(name: string): void {
  const dir = process.env.INCIDENTKIT_PG_MARKER_DIR;
  if (dir === undefined || dir === '') return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.ran`), `${new Date().toISOString()}\n`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.INCIDENTKIT_TEST_DATABASE_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    project.provide('postgres', { url: fromEnv });
    return () => Promise.resolve();
  }
  try {
    const server = await startThrowawayPostgres();
    project.provide('postgres', { url: server.url });
    return () => server.stop();
  } catch (error) {
    const reason = `no PostgreSQL for the *.int.test.ts suites: ${error instanceof Error ? error.message : String(error)}. Install PostgreSQL (apt-get install postgresql) or set INCIDENTKIT_TEST_DATABASE_URL.`;
    if (process.env.INCIDENTKIT_REQUIRE_POSTGRES === '1') throw new Error(reason, { cause: error });
    console.warn(`[incidentkit tests] skipping PostgreSQL suites: ${reason}`);
    project.provide('postgres', { url: null, reason });
    return () => Promise.resolve();
  }
}
