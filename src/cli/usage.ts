/** A command line the CLI cannot run: exit code 2, with the message and a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** The CLI's exit codes: `0` done, `1` the command failed (e.g. a broken timeline), `2` a usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
