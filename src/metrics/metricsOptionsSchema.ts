import { z } from 'zod';
import { timeValueMs } from '../kernel/toEpochMs.js';
import { MILESTONE_NAMES } from './types.js';

const milestoneEnum = /* @__PURE__ */ z.enum(MILESTONE_NAMES);
const specSchema = /* @__PURE__ */ (() => z.union([milestoneEnum, z.array(milestoneEnum).min(1)]))();
const timeSchema = /* @__PURE__ */ (() => z.union([z.date(), z.number(), z.string()]).refine((v) => Number.isFinite(timeValueMs(v)), {
  message: 'Must be a valid date: a Date, epoch milliseconds or an ISO-8601 string.',
}))();
const thresholdList = /* @__PURE__ */ (() => z.array(z.number().nonnegative()).max(100))();
const targetMinutes = /* @__PURE__ */ z.number().positive();
const fn = /* @__PURE__ */ z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'Must be a function.' });

/** The options `computeMetrics` and `createMetricsAccumulator` accept (see `ComputeMetricsOptions`). */
export const metricsOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
  groupBy: z.union([z.string().min(1), z.strictObject({ label: z.string().min(1) }), z.strictObject({ field: z.string().min(1) }), fn]).optional(),
  durations: z.record(z.string().min(1), z.strictObject({ from: specSchema, to: specSchema })).optional(),
  mtbf: z.union([z.boolean(), z.strictObject({ at: specSchema.optional() })]).optional(),
  at: specSchema.optional(),
  thresholds: z.union([thresholdList, z.record(z.string(), thresholdList)]).optional(),
  from: timeSchema.optional(),
  to: timeSchema.optional(),
  targets: z
    .record(
      z.string().min(1),
      z.strictObject({
        acknowledgeWithinMinutes: targetMinutes.optional(),
        mitigateWithinMinutes: targetMinutes.optional(),
        resolveWithinMinutes: targetMinutes.optional(),
      }),
    )
    .optional(),
  now: timeSchema.optional(),
  includeCanceled: z.boolean().optional(),
  includeDrills: z.boolean().optional(),
  filter: fn.optional(),
  missingKey: z.string().min(1).optional(),
}))();
