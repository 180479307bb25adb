import { z } from 'zod';

/**
 * An ordered severity scale, worst level first.
 *
 * @example
 * ```ts
 * import { sevScale } from 'incidentkit';
 *
 * console.log(sevScale.levels[0]); // 'SEV1', the worst
 * ```
 */
export interface SeverityScale {
  /** A name for the scale, e.g. `sev`. */
  readonly name: string;
  /** The levels, worst first. */
  readonly levels: readonly [string, ...string[]];
}

/** The default scale: `SEV1` (worst) … `SEV5`. */
export const sevScale: SeverityScale = Object.freeze({
  name: 'sev',
  levels: Object.freeze(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']) as unknown as readonly [string, ...string[]],
});

/** A zod schema accepting exactly the levels of `scale`. */
export function severitySchema(scale: SeverityScale) {
  return z.string().refine((value) => scale.levels.includes(value), {
    message: `Unknown severity; use one of ${scale.levels.join(', ')}.`,
  });
}
