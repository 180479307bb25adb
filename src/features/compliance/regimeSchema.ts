import { z } from 'zod';

const idSchema = /* @__PURE__ */ z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Ids start with a letter and hold letters, digits, _ or - (at most 64).');
const anchorSchema = /* @__PURE__ */ (() => z.union([
  z.strictObject({ trigger: idSchema }),
  z.strictObject({ phase: idSchema, filing: z.enum(['first', 'latest']).optional() }),
]))();
const durationShape = /* @__PURE__ */ (() => z.object({ amount: z.number(), unit: z.string() }).loose())();
const phaseSchema = /* @__PURE__ */ (() => z.strictObject({
  id: idSchema,
  title: z.string().trim().min(1).max(300),
  reference: z.string().trim().min(1).max(500),
  description: z.string().trim().min(1).max(4_000).optional(),
  from: anchorSchema,
  within: durationShape,
  notLaterThan: z.strictObject({ from: anchorSchema, within: durationShape }).optional(),
  reasonForDelayWhenLate: z.boolean().optional(),
}))();
/** The shape `defineRegime` checks before it validates the durations and the calendar. */
export const regimeSchema = /* @__PURE__ */ (() => z
  .strictObject({
    id: idSchema,
    title: z.string().trim().min(1).max(300),
    reference: z.string().trim().min(1).max(500),
    jurisdiction: z.string().trim().min(1).max(200).optional(),
    url: z.url().optional(),
    phases: z.array(phaseSchema).min(1, 'A regime needs at least one phase.').max(50),
    calendar: z.unknown().optional(),
    notes: z.array(z.string().trim().min(1).max(4_000)).max(50).optional(),
    // Accepted (and recomputed) so `defineRegime({ ...gdpr, calendar })` works.
    triggers: z.array(z.string()).optional(),
  })
  .superRefine((def, ctx) => {
    const earlier = new Set<string>();
    def.phases.forEach((phase, i) => {
      if (earlier.has(phase.id)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'id'], message: `Phase '${phase.id}' is defined twice.` });
      const anchors: [PropertyKey[], z.infer<typeof anchorSchema>][] = [[['from'], phase.from]];
      if (phase.notLaterThan !== undefined) anchors.push([['notLaterThan', 'from'], phase.notLaterThan.from]);
      for (const [path, anchor] of anchors) {
        if ('phase' in anchor && !earlier.has(anchor.phase)) {
          ctx.addIssue({
            code: 'custom',
            path: ['phases', i, ...path, 'phase'],
            message: `Phase '${phase.id}' counts from '${anchor.phase}', which is not an earlier phase; list the phase it depends on first.`,
          });
        }
      }
      earlier.add(phase.id);
    });
  }))();
