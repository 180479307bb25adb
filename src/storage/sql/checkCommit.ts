import { AdapterError } from '../../errors.js';
import type { Commit } from '../types.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two-digit number at `at` in `text` (digits already checked by the pattern). */
const twoDigits = (text: string, at: number): number => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

/**
 * Whether `value` is a UTC timestamp exactly as `Date#toISOString()` writes it (4-digit years).
 *
 * @remarks Checked field by field rather than with a `Date` round trip: it runs on every time
 * of every commit.
 * @internal
 */
export function isCanonicalTimestamp(value: string): boolean {
  if (!ISO_UTC.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] ?? 0) + (leap ? 1 : 0)) return false;
  return twoDigits(value, 11) < 24 && twoDigits(value, 14) < 60 && twoDigits(value, 17) < 60;
}

/**
 * Throws an {@link AdapterError} unless `value` is a canonical UTC timestamp.
 *
 * @remarks SQL stores compare and sort times inside the database (as `timestamptz`, or as text in
 * SQLite), and hand them back formatted with `toISOString()`. Both are exact only for the canonical
 * form the engine always writes, so anything else is refused instead of silently changed.
 * @internal
 */
export function assertTimestamp(adapter: string, operation: string, field: string, value: string): void {
  if (!isCanonicalTimestamp(value)) {
    throw new AdapterError(
      { adapter, operation },
      `${field} must be a UTC timestamp as Date#toISOString() writes it (e.g. 2026-01-02T03:04:05.000Z); normalise it with new Date(value).toISOString().`,
    );
  }
}

/** `iso` plus `ms` milliseconds, as a canonical timestamp. @internal */
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

function refuse(adapter: string, message: string): never {
  throw new AdapterError({ adapter, operation: 'commit' }, message);
}

/**
 * Checks the shape of a {@link Commit} before a SQL store writes it: ids agree, events follow the
 * expected version without gaps, and every time is canonical.
 *
 * @remarks The version and uniqueness rules themselves are enforced by the database; this only
 * stops malformed commits (a bug in the caller) from reaching it.
 * @throws AdapterError (`ADAPTER_FAILED`) naming the first problem.
 * @internal
 */
export function checkCommit(adapter: string, commit: Commit): void {
  const { tenantId, incidentId, expectedVersion, events, incident } = commit;
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    refuse(adapter, `expectedVersion must be a non-negative integer, got ${String(expectedVersion)}.`);
  }
  if (incident.tenantId !== tenantId || incident.id !== incidentId) {
    refuse(adapter, `the projection belongs to ${incident.tenantId}/${incident.id}, not to ${tenantId}/${incidentId}.`);
  }
  // Every version names one state: the SQL stores remember states by version (sql/incidentCache.ts),
  // so a commit that rewrote the projection without moving the version on would leave other
  // processes trusting what they remember of it.
  if (events.length === 0) refuse(adapter, 'a commit carries at least one event (the version must move on with every change).');
  events.forEach((event, i) => {
    if (event.tenantId !== tenantId || event.incidentId !== incidentId) {
      refuse(adapter, `events[${String(i)}] belongs to another incident; every event must carry the commit's tenantId and incidentId.`);
    }
    if (event.seq !== expectedVersion + i + 1) {
      refuse(adapter, `events[${String(i)}] has seq ${String(event.seq)} but ${String(expectedVersion + i + 1)} was expected; seq continues the expected version without gaps.`);
    }
    assertTimestamp(adapter, 'commit', `events[${String(i)}].at`, event.at);
  });
  if (incident.version !== expectedVersion + events.length) {
    refuse(adapter, `the projection's version is ${String(incident.version)} but the events lead to ${String(expectedVersion + events.length)}.`);
  }
  assertTimestamp(adapter, 'commit', 'incident.detectedAt', incident.detectedAt);
  for (const [i, timer] of (commit.timers?.set ?? []).entries()) {
    if (timer.tenantId !== tenantId) refuse(adapter, `timers.set[${String(i)}] belongs to another tenant.`);
    assertTimestamp(adapter, 'commit', `timers.set[${String(i)}].dueAt`, timer.dueAt);
  }
  for (const [i, message] of (commit.outbox ?? []).entries()) {
    if (message.tenantId !== tenantId) refuse(adapter, `outbox[${String(i)}] belongs to another tenant.`);
    if (!Number.isSafeInteger(message.attempts) || message.attempts < 0) {
      refuse(adapter, `outbox[${String(i)}].attempts must be a non-negative integer.`);
    }
    assertTimestamp(adapter, 'commit', `outbox[${String(i)}].availableAt`, message.availableAt);
  }
}

/**
 * The timer changes of a commit as a SQL store applies them: `set` with one entry per timer (the
 * last wins), and `cancel` without the ids that `set` replaces anyway, and empty for a new
 * incident (`expectedVersion` 0), which has no timers to cancel yet (the engine cancels every
 * timer the machine is not waiting on, so each declare names some).
 *
 * @remarks Matches the memory store, which cancels first and then sets.
 * @internal
 */
export function timerChangesOf(commit: Commit): { set: NonNullable<NonNullable<Commit['timers']>['set']>; cancel: readonly string[] } {
  const cancels = commit.expectedVersion !== 0 && (commit.timers?.cancel?.length ?? 0) > 0;
  if ((commit.timers?.set?.length ?? 0) === 0 && !cancels) return { set: [], cancel: [] };
  const byKey = new Map<string, NonNullable<NonNullable<Commit['timers']>['set']>[number]>();
  for (const timer of commit.timers?.set ?? []) byKey.set(JSON.stringify([timer.incidentId, timer.timerId]), timer);
  const set = [...byKey.values()];
  const replaced = new Set(set.filter((t) => t.incidentId === commit.incidentId).map((t) => t.timerId));
  const cancel = cancels ? [...new Set(commit.timers?.cancel ?? [])].filter((id) => !replaced.has(id)) : [];
  return { set, cancel };
}
