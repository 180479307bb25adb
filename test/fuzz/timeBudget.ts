/**
 * A per-input time budget for fuzz suites, as a ratio against a trivial input measured in the
 * same run (never a wall-clock limit): a slow path — super-linear regex backtracking, a
 * quadratic loop — fails the suite, while a busy machine slows both sides alike.
 *
 * Time is the process's CPU time (`process.cpuUsage`), which a scheduler pause does not add
 * to; an input over budget is measured twice more and only the fastest of the three counts,
 * so a garbage-collection pause cannot fail a run.
 */
import { expect } from 'vitest';

/** How many times the trivial input's time one fuzz input may take. */
export const BUDGET_RATIO = 5_000;

/** Budgets are never below this (ms): timer resolution and one-off JIT work dominate under it. */
const FLOOR_MS = 25;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
}

/** The CPU time of one call of `run` in ms (errors are the caller's business). */
export function cpuTimeOf(run: () => unknown): number {
  const start = cpuMs();
  try {
    run();
  } catch {
    // Timing only: the caller checks what `run` throws.
  }
  return cpuMs() - start;
}

/** The median of `values` (the upper one of an even count); 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The median CPU time of `run` over `times` calls, after a warm-up. */
export function medianCpuTime(run: () => unknown, times = 41): number {
  for (let i = 0; i < 10; i += 1) cpuTimeOf(run);
  return median(Array.from({ length: times }, () => cpuTimeOf(run)));
}

/** A budget `BUDGET_RATIO` times a trivial input's median time, for `name`. */
export function timeBudget(name: string, trivial: () => unknown): { readonly name: string; readonly baselineMs: number; readonly budgetMs: number } {
  const baselineMs = medianCpuTime(trivial);
  return { name, baselineMs, budgetMs: Math.max(FLOOR_MS, baselineMs * BUDGET_RATIO) };
}

/**
 * Runs `run` once and fails when it took more than the budget, even on the fastest of three
 * measurements. Returns what `run` returned, or rethrows what it threw.
 */
export function withinBudget<T>(budget: { readonly name: string; readonly baselineMs: number; readonly budgetMs: number }, run: () => T): T {
  const start = cpuMs();
  let result: T | undefined;
  let thrown: { error: unknown } | undefined;
  try {
    result = run();
  } catch (error) {
    thrown = { error };
  }
  const first = cpuMs() - start;
  if (first > budget.budgetMs) {
    const fastest = Math.min(first, cpuTimeOf(run), cpuTimeOf(run));
    expect(
      fastest,
      `${budget.name} took ${fastest.toFixed(1)} ms of CPU on one input, ${(fastest / Math.max(budget.baselineMs, 1e-3)).toFixed(0)}× its trivial input (${budget.baselineMs.toFixed(3)} ms); the budget is ${String(BUDGET_RATIO)}×`,
    ).toBeLessThanOrEqual(budget.budgetMs);
  }
  if (thrown !== undefined) throw thrown.error;
  return result as T;
}

/** For inputs that cannot be repeated (requests that write): how many times the trivial input's time one may take. */
export const ASYNC_BUDGET_RATIO = 20_000;

/** Async inputs are never given less than this (ms): one major garbage collection must not fail a run. */
const ASYNC_FLOOR_MS = 250;

/** A budget for async inputs that write, `ASYNC_BUDGET_RATIO` times a trivial input's median CPU time. */
export async function asyncTimeBudget(name: string, trivial: () => Promise<unknown>): Promise<{ readonly name: string; readonly baselineMs: number; readonly budgetMs: number }> {
  const samples: number[] = [];
  for (let i = 0; i < 51; i += 1) {
    const start = cpuMs();
    await trivial();
    if (i >= 10) samples.push(cpuMs() - start);
  }
  const baselineMs = median(samples);
  return { name, baselineMs, budgetMs: Math.max(ASYNC_FLOOR_MS, baselineMs * ASYNC_BUDGET_RATIO) };
}

/**
 * Awaits `run` once and fails when its CPU time exceeded the budget. Such inputs (requests that
 * write) cannot be measured again, so the budget is wider than {@link withinBudget}'s.
 */
export async function withinAsyncBudget<T>(
  budget: { readonly name: string; readonly baselineMs: number; readonly budgetMs: number },
  run: () => Promise<T>,
  input?: unknown,
): Promise<T> {
  const start = cpuMs();
  const result = await run();
  const spent = cpuMs() - start;
  if (spent <= budget.budgetMs) return result;
  // Linear work may grow with the input: the budget grows by one step per KiB of input.
  const allowed = budget.budgetMs * Math.max(1, sizeOf(input) / 1_024);
  if (spent <= allowed) return result;
  expect(
    spent,
    `${budget.name} took ${spent.toFixed(1)} ms of CPU on one input, ${(spent / Math.max(budget.baselineMs, 1e-3)).toFixed(0)}× its trivial input (${budget.baselineMs.toFixed(3)} ms); the budget is ${String(ASYNC_BUDGET_RATIO)}×`,
  ).toBeLessThanOrEqual(allowed);
  return result;
}

/** About how many characters `input` holds as JSON (BigInts as text); very large when it cannot be written. */
export function sizeOf(input: unknown): number {
  if (input === undefined) return 0;
  try {
    // JSON.stringify gives undefined for a function or a symbol, whatever its declared type says.
    const text = JSON.stringify(input, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)) as string | undefined;
    return text === undefined ? 0 : text.length;
  } catch {
    return 1_000_000;
  }
}
