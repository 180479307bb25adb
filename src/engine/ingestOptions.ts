import { z } from 'zod';
import type { ValidationError, ValidationIssue } from '../errors.js';
import type { Incident } from '../model/incident.js';

/**
 * What `engine.ingest` did with one signal; `rejected`: the signal was malformed and nothing
 * was done with it (the other signals of the call were still ingested).
 */
export type IngestOutcome =
  | 'created'
  | 'deduplicated'
  | 'grouped'
  | 'acknowledged'
  | 'resolved'
  | 'reopened'
  | 'suppressed'
  | 'held'
  | 'ignored'
  | 'rejected';

/**
 * Why `engine.ingest` refused one signal (outcome `rejected`): what a `ValidationError` would
 * say, as plain JSON so results stay serialisable.
 */
export interface IngestRejection {
  readonly code: 'VALIDATION_FAILED';
  /** What is wrong, naming the signal's index in the call, e.g. `Invalid input for signals[1]: summary: …`. */
  readonly message: string;
  /** Every problem, with its path inside the signal. */
  readonly issues: readonly ValidationIssue[];
}

/** A refused signal as plain data (results stay JSON): the error's message and issues. @internal */
export function rejectionOf(error: ValidationError): IngestRejection {
  return { code: 'VALIDATION_FAILED', message: error.message, issues: error.details.issues };
}

/** The result of ingesting one signal, in the order the signals were given. */
export interface IngestResult {
  readonly outcome: IngestOutcome;
  /** The incident the signal opened, reopened or touched (absent for `suppressed`, `held`, `ignored` and `rejected`). */
  readonly incident?: Incident;
  /** Why the signal was refused; present only for `rejected`. */
  readonly error?: IngestRejection;
  /** The ids of the routing rules that matched the signal, in order (absent when none did). */
  readonly rules?: readonly string[];
  /**
   * What suppressed a `suppressed` signal when routing did: `rule <id>` or `maintenance <id>`
   * (absent for the engine's fixed `ingest.maintenanceWindows`).
   */
  readonly suppressedBy?: string;
}

/**
 * What the signals of one `engine.ingest` call open when no routing rule says otherwise: how a
 * PagerDuty routing key's `type` and `policy` reach ingest.
 */
export interface IngestCallOptions {
  /** The incident type (a `defineIncidentType` name) a new incident gets. */
  readonly type?: string;
  /** The name of the escalation policy (`policies.escalationPolicies`) a new incident gets. */
  readonly policy?: string;
  /**
   * The call's signals are a drill's (default `false`): the incidents they open are drills, and
   * they deduplicate, group and resolve only among drill signals (never against a live alert
   * with the same fingerprint). See docs/drills.md.
   */
  readonly drill?: boolean;
}

/** A maintenance window: matching signals are recorded as `suppressed` and open nothing. */
export interface MaintenanceWindow {
  readonly start: Date | string;
  readonly end: Date | string;
  /** Only signals of this service (absent: any service). */
  readonly service?: string;
  /** Only signals carrying all these labels (absent: any labels). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** An instant as a `Date` or an ISO-8601 string with an offset, made ISO-8601 UTC. @internal */
export const instantSchema = /* @__PURE__ */ (() => z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v).toISOString()))();

/**
 * Whether a maintenance window (start and end as ISO-8601 UTC) covers `signal` at `at`: in force,
 * of its service (when it names one), and carrying all its labels. @internal
 */
export function windowCovers(
  window: { readonly start: string; readonly end: string; readonly service?: string | undefined; readonly labels?: Readonly<Record<string, string>> | undefined },
  signal: { readonly service?: string | undefined; readonly labels: Readonly<Record<string, string>> },
  at: string,
): boolean {
  if (!(window.start <= at && at < window.end)) return false;
  if (window.service !== undefined && window.service !== signal.service) return false;
  for (const [name, value] of Object.entries(window.labels ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(signal.labels, name) || signal.labels[name] !== value) return false;
  }
  return true;
}

/** The schema of {@link IngestOptions}. @internal */
export const ingestOptionsSchema = /* @__PURE__ */ (() => z
  .strictObject({
    groupBy: z.array(z.string().min(1).max(128)).min(1).max(20).optional(),
    groupWindowMinutes: z.number().min(0).max(60 * 24 * 31).default(60),
    threshold: z.strictObject({ count: z.number().int().min(1).max(1_000_000), windowMinutes: z.number().min(0).max(60 * 24 * 31) }).optional(),
    maintenanceWindows: z
      .array(
        z
          .strictObject({
            start: instantSchema,
            end: instantSchema,
            service: z.string().min(1).max(200).optional(),
            labels: z.record(z.string(), z.string()).optional(),
          })
          .refine((w) => w.start < w.end, { message: 'A maintenance window must end after it starts.' }),
      )
      .max(1_000)
      .default([]),
    autoResolve: z.boolean().default(true),
    reopenWindowMinutes: z.number().min(0).max(60 * 24 * 31).default(30),
    countWindowMs: z.number().int().min(0).max(10_000).default(0),
    refreshMs: z.number().int().min(0).max(600_000).default(1_000),
  })
  .default({ groupWindowMinutes: 60, maintenanceWindows: [], autoResolve: true, reopenWindowMinutes: 30, countWindowMs: 0, refreshMs: 1_000 }))();

/**
 * How `engine.ingest` turns signals into incidents.
 *
 * - `groupBy`: label names (Alertmanager-style); distinct fingerprints with equal values of
 *   these labels attach to one open incident within `groupWindowMinutes` of its detection
 *   ("correlate, don't merge"). Without it each dedup key is its own incident.
 * - `threshold`: open an incident only after `count` firings within `windowMinutes` (the
 *   firings before are `held`).
 * - `maintenanceWindows`: matching signals are `suppressed`.
 * - `autoResolve` (default `true`): when every alert of an incident is resolved, the incident
 *   resolves, with the source as an `integration` actor.
 * - `reopenWindowMinutes` (default 30, 0–44 640): an alert that fires again within this long of
 *   its incident's resolution reopens the incident (outcome `reopened`); later, or once the
 *   incident is in review or closed, it opens a new incident linked to the old one as its
 *   recurrence (outcome `created`).
 * - `countWindowMs` (default 0, 0–10 000): when above 0, repeats of open alerts are counted in memory and
 *   written to the store at most this long after the first of them, in one write (an alert
 *   storm sent one signal per call costs one store write per window, not one per signal).
 *   The engine's own reads (`get`, `list`, `scan`, `anchor`) write what is pending first, and
 *   `engine.flush()` writes it on demand (call it before a graceful shutdown; the pending
 *   write also keeps Node's event loop alive until it is done). `0` (the default) writes once
 *   per call, before `ingest` returns.
 *   Only repeat counters wait: incidents, alerts and status changes are committed at once.
 * - `refreshMs` (default 1 000, 0–600 000): how long this engine keeps the routing rules and
 *   maintenance windows it read from the store before reading them again, by its clock. Changes
 *   made through this engine apply at once; changes another engine (process) made apply here
 *   within this long. `0` reads them on every `ingest` call.
 */
export type IngestOptions = z.input<typeof ingestOptionsSchema>;

