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

/** The median CPU time of `run` over `times` calls, after a warm-up. */
export function medianCpuTime(run: () => unknown, times = 41): number {
  for (let i = 0; i < 10; i += 1) cpuTimeOf(run);
  const samples = Array.from({ length: times }, () => cpuTimeOf(run)).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
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
