import { logTo, type EngineLogger } from './telemetry.js';

/** A running worker loop, as returned by `engine.runWorkers`. */
export interface WorkerHandle {
  /** Stops the loop; resolves once the pass in flight (if any) has finished. */
  stop(): Promise<void>;
}

/** Options of `engine.runWorkers`. */
export interface RunWorkersOptions {
  /** Pause between the end of one pass and the start of the next. Default: 1000 ms. */
  readonly intervalMs?: number;
  /**
   * Called when a pass throws; the loop goes on. Default: logs with `console.error`, or only to
   * the engine's `logger` when it has one (which is told in either case).
   */
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs `pass` again and again with a pause between passes. A pass never overlaps the previous
 * one: the next is scheduled only after the last settled.
 *
 * @internal
 */
export function runLoop(pass: () => Promise<unknown>, options: RunWorkersOptions = {}, log?: { readonly logger: EngineLogger; readonly tenantId: string }): WorkerHandle {
  const intervalMs = options.intervalMs ?? 1_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) {
    throw new RangeError('[incidentkit] runWorkers: intervalMs must be a finite, non-negative number.');
  }
  const given = options.onError;
  const onError =
    log === undefined
      ? (given ??
        ((error: unknown) => {
          console.error('[incidentkit] a worker pass failed; retrying on the next interval.', error);
        }))
      : (error: unknown) => {
          logTo(log.logger, 'error', { err: error, tenantId: log.tenantId, component: 'workers' }, 'A worker pass failed; retrying on the next interval.');
          given?.(error);
        };
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      inFlight = pass()
        .then(
          () => undefined,
          (error: unknown) => {
            onError(error);
          },
        )
        .finally(() => {
          schedule(intervalMs);
        });
    }, delay);
  };
  schedule(0);

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
    },
  };
}
