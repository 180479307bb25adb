import { z } from 'zod';
import { parseInput } from '../kernel/parse.js';
import { checkPlainJson, hasNul, keySchema, labelsSchema, LIMITS, NUL_MESSAGE, timestampSchema, type JsonValue, type PlainJsonLimits } from './primitives.js';

/** The statuses a signal can report, in the order an alert usually goes through them. */
export const SIGNAL_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;

/** One of {@link SIGNAL_STATUSES}. */
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

/** A link attached to a signal: the alert rule, a dashboard, a runbook. Always `http:` or `https:`. */
export interface SignalLink {
  readonly href: string;
  readonly text?: string;
}

/**
 * One alert from a monitoring tool, normalised: what `incidentkit/ingest` parsers return and
 * `engine.ingest` consumes.
 *
 * @remarks
 * - `fingerprint` identifies the alert within its source: the same alert always gets the same
 *   fingerprint, whatever its status. It is the tool's own (Alertmanager, Grafana) or a SHA-256
 *   hex computed from the alert's identity (see `fingerprintOf`).
 * - `dedupKey` is present only when the tool sends an explicit deduplication key (PagerDuty
 *   `dedup_key`, Opsgenie `alias`, Datadog `$ALERT_CYCLE_KEY`); deduplicate by
 *   `dedupKey ?? fingerprint`.
 * - `severity` is already mapped onto the engine's scale (default `SEV1` … `SEV5`).
 * - Times are ISO-8601 strings in UTC. `endsAt` is set only on resolved signals whose tool says
 *   when the alert ended.
 * - `raw` is the original alert as JSON (one alert of a multi-alert payload), for audit and
 *   for fields incidentkit does not map.
 *
 * @example
 * ```ts
 * import type { Signal } from 'incidentkit/ingest';
 *
 * const signal: Signal = {
 *   source: 'alertmanager',
 *   fingerprint: 'c6eadffa33fcdf37',
 *   status: 'firing',
 *   severity: 'SEV2',
 *   summary: 'High memory usage on us-1',
 *   labels: { alertname: 'HighMemory', zone: 'us-1' },
 *   annotations: {},
 *   startsAt: '2026-01-02T03:04:05.000Z',
 *   links: [],
 *   raw: null,
 * };
 * ```
 */
export interface Signal {
  /** The tool the signal came from: `alertmanager`, `grafana`, `pagerduty`, `opsgenie`, `cloudwatch`, `sentry`, `datadog`, or your own name. */
  readonly source: string;
  /** Identifies the alert within its source; stable across repeats and status changes. */
  readonly fingerprint: string;
  /** The tool's explicit deduplication key, when it sends one. */
  readonly dedupKey?: string;
  readonly status: SignalStatus;
  /** A level of the engine's severity scale. */
  readonly severity: string;
  /** One line saying what is wrong (at most 300 characters). */
  readonly summary: string;
  /** The affected service, when the alert names one. */
  readonly service?: string;
  /** Identifying key/value pairs (at most 64), used for grouping and maintenance windows. */
  readonly labels: Readonly<Record<string, string>>;
  /** Descriptive key/value pairs: description, runbook, reason. */
  readonly annotations: Readonly<Record<string, string>>;
  /** When the alert started (ISO-8601, UTC). */
  readonly startsAt: string;
  /** When the alert ended (ISO-8601, UTC), for resolved signals that say so. */
  readonly endsAt?: string;
  readonly links: readonly SignalLink[];
  /** The original alert as JSON. */
  readonly raw: JsonValue;
  /**
   * The dedup namespace: a signal deduplicates, groups, acknowledges and resolves only against
   * incidents opened by signals of the same namespace, so one integration cannot touch another's
   * incidents by sending the same fingerprint. Absent (or `'shared'`): the tenant-wide namespace,
   * where `engine.declare`'s `dedupKey` lives too. `createIncidentHandler` sets it to the source
   * name unless the source says `dedupNamespace` (see docs/ingest.md).
   */
  readonly namespace?: string;
  /**
   * Who delivered the signal, e.g. the `createIncidentHandler` source name it was posted to: the
   * actor of what it does (`{ kind: 'integration', id: integration }`) and whom the engine's
   * `authorize` is asked about. Absent: `source`.
   */
  readonly integration?: string;
}

/** Namespace and integration names: 1 to 64 letters, digits, `.`, `_` or `-`. @internal */
export const SIGNAL_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Limits of a {@link Signal}'s fields; parsers truncate text to them rather than lose an alert. */
export const SIGNAL_LIMITS = {
  source: 64,
  fingerprint: LIMITS.id,
  severity: 64,
  summary: LIMITS.title,
  service: LIMITS.name,
  labels: LIMITS.labels,
  labelValue: LIMITS.labelValue,
  annotations: 64,
  annotationValue: LIMITS.text,
  links: 20,
  href: 2_048,
  linkText: LIMITS.title,
  rawDepth: 64,
} as const;

/**
 * Tells whether `href` is an absolute `http:`/`https:` URL of at most 2048 characters: the only
 * links a signal carries (other schemes, e.g. `javascript:`, are refused).
 *
 * @example
 * ```ts
 * import { isWebUrl } from 'incidentkit/ingest';
 *
 * console.log(isWebUrl('https://grafana.example.com/d/abc'), isWebUrl('javascript:alert(1)')); // true false
 * ```
 */
export function isWebUrl(href: string): boolean {
  // The cheap test first: most candidates that fail are empty, and a throwing URL constructor is slow.
  if (href.length > SIGNAL_LIMITS.href || !/^https?:\/\/[^\s/?#]/i.test(href) || hasNul(href)) return false;
  try {
    const url = new URL(href);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

const RAW_LIMITS: PlainJsonLimits = {
  maxDepth: SIGNAL_LIMITS.rawDepth,
  forbiddenKeys: new Set(['__proto__']),
  forbiddenKeyMessage: 'Keys named __proto__ are not allowed.',
};

/** The original alert: plain JSON, at most 64 levels deep, with no `__proto__` keys. */
const rawSchema: z.ZodType<JsonValue> = /* @__PURE__ */ (() => z.unknown().superRefine((value, ctx) => {
  checkPlainJson(value, RAW_LIMITS, ctx);
}) as unknown as z.ZodType<JsonValue>)();

const nonBlank = (max: number) =>
  z
    .string()
    .max(max, `Must be at most ${String(max)} characters.`)
    .refine((value) => value.trim().length > 0, { message: 'Must not be empty or blank.' })
    .refine((value) => !hasNul(value), { message: NUL_MESSAGE });

const linkSchema = /* @__PURE__ */ (() => z
  .strictObject({
    href: z.string().refine(isWebUrl, { message: 'Must be an absolute http(s) URL of at most 2048 characters.' }),
    text: nonBlank(SIGNAL_LIMITS.linkText).optional(),
  })
  .transform((link): SignalLink => (link.text === undefined ? { href: link.href } : { href: link.href, text: link.text })))();

const annotationsSchema = /* @__PURE__ */ (() => z
  .record(
    keySchema,
    z
      .string()
      .max(SIGNAL_LIMITS.annotationValue, `Annotation values must be at most ${String(SIGNAL_LIMITS.annotationValue)} characters.`)
      .refine((value) => !hasNul(value), { message: NUL_MESSAGE }),
  )
  .refine((annotations) => Object.keys(annotations).length <= SIGNAL_LIMITS.annotations, {
    message: `At most ${String(SIGNAL_LIMITS.annotations)} annotations are allowed.`,
  }))();

/**
 * The zod schema of a {@link Signal}. Input may omit `labels`, `annotations`, `links` (empty) and
 * `raw` (`null`), and give times as `Date`s or ISO-8601 strings with an offset; output times are
 * UTC ISO strings.
 *
 * @example
 * ```ts
 * import { signalSchema } from 'incidentkit/ingest';
 *
 * const result = signalSchema.safeParse({ source: 'cron', fingerprint: 'backup', status: 'firing',
 *   severity: 'SEV3', summary: 'Nightly backup failed', startsAt: new Date() });
 * console.log(result.success); // true
 * ```
 */
export const signalSchema = /* @__PURE__ */ (() => z
  .strictObject({
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'Must be a lowercase tool name of at most 64 characters (letters, digits, . _ -), e.g. alertmanager.'),
    fingerprint: nonBlank(SIGNAL_LIMITS.fingerprint),
    dedupKey: nonBlank(SIGNAL_LIMITS.fingerprint).optional(),
    status: z.enum(SIGNAL_STATUSES),
    severity: nonBlank(SIGNAL_LIMITS.severity),
    summary: nonBlank(SIGNAL_LIMITS.summary),
    service: nonBlank(SIGNAL_LIMITS.service).optional(),
    labels: labelsSchema.default({}),
    annotations: annotationsSchema.default({}),
    startsAt: timestampSchema,
    endsAt: timestampSchema.optional(),
    links: z.array(linkSchema).max(SIGNAL_LIMITS.links, `At most ${String(SIGNAL_LIMITS.links)} links are allowed.`).default([]),
    raw: rawSchema.default(null),
    namespace: z.string().regex(SIGNAL_NAME_PATTERN, 'Must be 1 to 64 letters, digits, . _ or -.').optional(),
    integration: z.string().regex(SIGNAL_NAME_PATTERN, 'Must be 1 to 64 letters, digits, . _ or -.').optional(),
  })
  .transform((s): Signal => {
    const signal: { -readonly [K in keyof Signal]: Signal[K] } = {
      source: s.source,
      fingerprint: s.fingerprint,
      status: s.status,
      severity: s.severity,
      summary: s.summary,
      labels: s.labels,
      annotations: s.annotations,
      startsAt: s.startsAt,
      links: s.links,
      raw: s.raw,
    };
    if (s.dedupKey !== undefined) signal.dedupKey = s.dedupKey;
    if (s.service !== undefined) signal.service = s.service;
    if (s.endsAt !== undefined) signal.endsAt = s.endsAt;
    if (s.namespace !== undefined) signal.namespace = s.namespace;
    if (s.integration !== undefined) signal.integration = s.integration;
    return signal;
  }))();

/** What {@link parseSignal} accepts: a {@link Signal} with optional collections and `Date` times allowed. */
export type SignalInput = z.input<typeof signalSchema>;

/**
 * Validates a hand-made signal (from a cron job, a custom check, a host's own monitor) and
 * returns it normalised, ready for `engine.ingest`.
 *
 * @example
 * ```ts
 * import { parseSignal } from 'incidentkit/ingest';
 *
 * const signal = parseSignal({
 *   source: 'cron',
 *   fingerprint: 'nightly-backup',
 *   status: 'firing',
 *   severity: 'SEV3',
 *   summary: 'Nightly backup failed',
 *   labels: { job: 'backup' },
 *   startsAt: '2026-01-02T03:04:05+01:00',
 * });
 * console.log(signal.startsAt); // '2026-01-02T02:04:05.000Z'
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) naming every field that is missing or wrong.
 */
export function parseSignal(input: unknown): Signal {
  return sealSignal(parseInput(signalSchema, input, 'signal'));
}

/** Signals known to satisfy {@link signalSchema}: made by `parseSignal` or a parser, and frozen. */
const SEALED = new WeakSet<object>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Freezes a valid signal and remembers it, so `engine.ingest` need not validate it again
 * (an alert storm then costs a lookup per signal, not a schema parse). Frozen, it cannot be
 * changed into an invalid one afterwards.
 *
 * @internal
 */
export function sealSignal(signal: Signal): Signal {
  SEALED.add(deepFreeze(signal));
  return signal;
}

/** Whether `value` is a signal sealed by {@link sealSignal}. @internal */
export function isSealedSignal(value: unknown): value is Signal {
  return typeof value === 'object' && value !== null && SEALED.has(value);
}
