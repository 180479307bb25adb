import { LIMITS, type JsonValue } from '../model/primitives.js';
import { isWebUrl, SIGNAL_LIMITS, type Signal, type SignalLink, type SignalStatus, sealSignal } from '../model/signal.js';
import { truncate } from '../kernel/text.js';
import { fingerprintOf } from './fingerprint.js';
import type { ParseContext } from './runParser.js';

/** Keys never copied into labels or annotations. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What a tool-specific parser knows about one alert, before limits are applied.
 *
 * @internal
 */
export interface SignalDraft {
  /** The tool's own fingerprint, or one from `fingerprintOf` over the alert's identity. */
  readonly fingerprint: string;
  readonly dedupKey?: string | undefined;
  readonly status: SignalStatus;
  /** The tool's severity word, looked up in the severity map. */
  readonly severityWord?: string | null | undefined;
  /** Summary candidates; the first that is not blank wins. */
  readonly summary: readonly (string | null | undefined)[];
  readonly labels: Iterable<readonly [string, unknown]>;
  readonly annotations?: Iterable<readonly [string, unknown]>;
  readonly startsAt: string;
  readonly endsAt?: string | undefined;
  readonly links?: Iterable<{ readonly href?: unknown; readonly text?: unknown }>;
  readonly raw: unknown;
}

/** A UTF-16 surrogate half without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` without NUL characters, and with unpaired surrogates replaced by U+FFFD: no store keeps
 * them (PostgreSQL refuses both), and one alert carrying one must not cost the alerts posted with it.
 */
function withoutNul(text: string): string {
  const clean = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return clean.replace(LONE_SURROGATE, '\ufffd');
}

/** Whether `text` would change by {@link withoutNul}. */
function hasUnstorable(text: string): boolean {
  return withoutNul(text) !== text;
}

function oneLine(text: string): string {
  return withoutNul(text).replace(/\s+/g, ' ').trim();
}

function toMap(entries: Iterable<readonly [string, unknown]>, maxValue: number, maxEntries: number): Record<string, string> {
  const kept = new Map<string, string>();
  for (const [rawKey, value] of entries) {
    const key = withoutNul(rawKey);
    if (key.length === 0 || key.length > LIMITS.key || FORBIDDEN_KEYS.has(key)) continue;
    let text: string;
    if (typeof value === 'string') text = withoutNul(value);
    else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else continue;
    kept.set(key, truncate(text, maxValue));
  }
  // Sorted, so the same alert always keeps the same labels when it has too many.
  const sorted = [...kept].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, maxEntries);
  return Object.fromEntries(sorted);
}

function toLinks(candidates: Iterable<{ readonly href?: unknown; readonly text?: unknown }>): SignalLink[] {
  const links: SignalLink[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (links.length >= SIGNAL_LIMITS.links) break;
    const href = typeof candidate.href === 'string' ? withoutNul(candidate.href).trim() : '';
    if (!isWebUrl(href) || seen.has(href)) continue;
    seen.add(href);
    const text = typeof candidate.text === 'string' ? oneLine(candidate.text) : '';
    links.push(text === '' ? { href } : { href, text: truncate(text, SIGNAL_LIMITS.linkText) });
  }
  return links;
}

/**
 * A JSON copy of `value` (like `JSON.parse(JSON.stringify(value))`), without `__proto__` keys,
 * so `raw` never aliases the caller's object nor carries what cannot be stored.
 */
function toJson(ctx: ParseContext, value: unknown, depth: number): JsonValue | undefined {
  if (depth > SIGNAL_LIMITS.rawDepth) {
    return ctx.fail([], `The payload is nested more than ${String(SIGNAL_LIMITS.rawDepth)} levels deep (or is circular).`, 'too_deep');
  }
  if (typeof value === 'string') return withoutNul(value);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (typeof value === 'bigint') return ctx.fail([], 'The payload holds a BigInt, which is not JSON.', 'invalid_type');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) {
    // A loop, not map(): map() consults the array's own `constructor`, which a caller's object may set.
    const items: JsonValue[] = [];
    for (const item of value as unknown[]) items.push(toJson(ctx, item, depth + 1) ?? null);
    return items;
  }
  if (typeof value === 'object') {
    const entries: [string, JsonValue][] = [];
    for (const key of Object.keys(value)) {
      const cleanKey = withoutNul(key);
      if (cleanKey === '__proto__') continue;
      const item = toJson(ctx, (value as Record<string, unknown>)[key], depth + 1);
      if (item !== undefined) entries.push([cleanKey, item]);
    }
    return Object.fromEntries(entries);
  }
  return undefined;
}

/**
 * Turns a draft into a valid {@link Signal}: maps the severity, picks the summary and service,
 * and applies every limit by truncating or dropping (never by losing the alert). Labels or
 * annotations named `__proto__`, `constructor` or `prototype`, and links that are not
 * `http(s)` URLs, are dropped; NUL characters are removed from every text (a fingerprint or
 * dedup key holding one is hashed instead, so it stays distinct); `raw` keeps the original
 * otherwise.
 *
 * @internal
 */
export function buildSignal(ctx: ParseContext, draft: SignalDraft): Signal {
  const labels = toMap(draft.labels, SIGNAL_LIMITS.labelValue, SIGNAL_LIMITS.labels);
  const annotations = toMap(draft.annotations ?? [], SIGNAL_LIMITS.annotationValue, SIGNAL_LIMITS.annotations);
  const summaryText = draft.summary.map((candidate) => oneLine(candidate ?? '')).find((candidate) => candidate !== '');
  const fingerprint =
    draft.fingerprint.trim() !== '' && draft.fingerprint.length <= SIGNAL_LIMITS.fingerprint && !hasUnstorable(draft.fingerprint)
      ? draft.fingerprint
      : fingerprintOf([ctx.source, draft.fingerprint]);

  const signal: { -readonly [K in keyof Signal]: Signal[K] } = {
    source: ctx.source,
    fingerprint,
    status: draft.status,
    severity: ctx.severity(draft.severityWord ?? undefined),
    summary: truncate(summaryText ?? `${ctx.subject} (${draft.status})`, SIGNAL_LIMITS.summary),
    labels,
    annotations,
    startsAt: draft.startsAt,
    links: toLinks(draft.links ?? []),
    raw: toJson(ctx, draft.raw, 0) ?? null,
  };
  if (draft.dedupKey !== undefined && draft.dedupKey.trim() !== '') {
    // Longer keys than the engine stores are hashed; every event of the alert hashes alike.
    signal.dedupKey =
      draft.dedupKey.length <= SIGNAL_LIMITS.fingerprint && !hasUnstorable(draft.dedupKey)
        ? draft.dedupKey
        : fingerprintOf([ctx.source, 'dedupKey', draft.dedupKey]);
  }
  const service = Object.hasOwn(labels, ctx.serviceLabel) ? labels[ctx.serviceLabel] : undefined;
  if (service !== undefined && service.trim() !== '') signal.service = truncate(service.trim(), SIGNAL_LIMITS.service);
  if (draft.endsAt !== undefined) signal.endsAt = draft.endsAt;
  // Valid by construction (the parser property tests check every output against signalSchema).
  return sealSignal(signal);
}

/**
 * `JSON.stringify(value)`, or `undefined` when it cannot be (too deep, circular, a BigInt);
 * for annotation values built from a tool's free-form details.
 *
 * @internal
 */
export function jsonText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * The entries of a tool's string map, for labels or annotations; `null` and absent maps are empty.
 *
 * @internal
 */
export function entriesOf(map: Readonly<Record<string, unknown>> | null | undefined): [string, unknown][] {
  return map === null || map === undefined ? [] : Object.entries(map);
}
