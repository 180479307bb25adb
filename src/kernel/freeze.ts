/**
 * Freezes `value` and everything reachable from it, stopping at objects that are already frozen
 * (which this function froze before, whole): freezing a new projection that shares most of its
 * values with the previous one costs only what is new.
 *
 * @returns `value`, frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) freezeObject(value as Record<string, unknown>);
  return value;
}

function freezeObject(value: Record<string, unknown>): void {
  // Freeze first: a cycle (never produced by the engine) cannot loop.
  Object.freeze(value);
  // `for…in` without an array of keys, and no call for primitives: this runs on every commit.
  for (const key in value) {
    const child = value[key];
    if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) freezeObject(child as Record<string, unknown>);
  }
}
