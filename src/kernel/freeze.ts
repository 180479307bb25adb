/**
 * Freezes `value` and everything reachable from it, stopping at objects that are already frozen
 * (which this function froze before, whole): freezing a new projection that shares most of its
 * values with the previous one costs only what is new.
 *
 * @returns `value`, frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  // Freeze first: a cycle (never produced by the engine) cannot loop.
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
