import type { LifecycleEvent } from '../events.js';

/**
 * One step of (re)scheduling the machine's durable timers: raise `event` after `delay`
 * milliseconds under timer `id` (replacing a pending one), or cancel timer `id`.
 *
 * @remarks The scheduling actions compute a list of these from the context and event, so they
 * stay pure; the machine replays the list, in order, on XState's `enqueue`.
 */
export type TimerInstruction =
  | { readonly kind: 'raise'; readonly event: LifecycleEvent; readonly id: string; readonly delay: number }
  | { readonly kind: 'cancel'; readonly id: string };

/** The part of XState's `enqueueActions` queue that {@link enqueueTimers} uses. */
export interface TimerQueue {
  raise(event: LifecycleEvent, options: { readonly id: string; readonly delay: number }): void;
  cancel(id: string): void;
}

/** Enqueues every instruction, in order, as an XState delayed `raise` or a `cancel`. */
export function enqueueTimers(enqueue: TimerQueue, instructions: readonly TimerInstruction[]): void {
  for (const instruction of instructions) {
    if (instruction.kind === 'cancel') enqueue.cancel(instruction.id);
    else enqueue.raise(instruction.event, { id: instruction.id, delay: instruction.delay });
  }
}
