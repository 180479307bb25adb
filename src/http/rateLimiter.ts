/**
 * A token bucket per key, on an injected clock: what `createIncidentHandler` answers `429` with
 * when a routing key sends more events than the host allows.
 */
import type { Clock } from '../kernel/clock.js';

/** What {@link createRateLimiter} takes. @internal */
export interface RateLimiterOptions {
  /** Events per minute, sustained. */
  readonly perMinute: number;
  /** Events that may arrive at once after a quiet spell. */
  readonly burst: number;
  readonly clock: Clock;
}

/** The verdict on one event: allowed, or how long until the next one would be. @internal */
export type RateVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * A token bucket per key: each key holds up to `burst` tokens, refilled at `perMinute` per
 * minute; an event takes one. Time comes only from `clock`, so tests move a manual clock.
 *
 * @internal
 */
export function createRateLimiter(options: RateLimiterOptions): (key: string) => RateVerdict {
  const perMs = options.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (key) => {
    const now = options.clock.now().getTime();
    const bucket = buckets.get(key) ?? { tokens: options.burst, at: now };
    // A clock that went back refills nothing (and takes nothing back).
    bucket.tokens = Math.min(options.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    bucket.at = Math.max(bucket.at, now);
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1_000)) };
  };
}
