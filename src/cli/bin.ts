/**
 * The `incidentkit` command (package.json `bin`): runs {@link runCli} with the process's
 * arguments, streams and environment, and exits with its code.
 */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
