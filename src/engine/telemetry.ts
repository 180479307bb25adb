/**
 * The engine's observability hooks: what it tells a tracer and a meter (`telemetry`) and a
 * structured logger (`logger`). The engine knows only these small interfaces; the OpenTelemetry
 * implementation lives in the `incidentkit/opentelemetry` entry, so an engine without it loads
 * nothing of OpenTelemetry.
 */
import type { OutboxStats } from '../storage/types.js';

/** What the engine reports of one command (an engine method that writes, e.g. `acknowledge`). */
export interface TelemetryCommand {
  readonly tenantId: string;
  /** The engine method, e.g. `declare`, `acknowledge`, `completeTask`. */
  readonly command: string;
  /**
   * The incident the command is about (its first argument). Absent for `declare` and
   * `importIncident`: the incident they return carries its `id`.
   */
  readonly incidentId?: string;
}

/** What the engine reports of one `engine.ingest` call. */
export interface TelemetryIngest {
  readonly tenantId: string;
  /** How many signals the call was given. */
  readonly signals: number;
}

/** What the engine reports of one atomic write of an incident's events. */
export interface TelemetryCommit {
  readonly tenantId: string;
  readonly incidentId: string;
  /** How many events the write appends. */
  readonly events: number;
  /** `create` for a new incident, `merge` for a merge or unmerge (two incidents), `commit` otherwise. */
  readonly kind: 'create' | 'commit' | 'merge';
}

/** What the engine reports of one `engine.tick`. */
export interface TelemetryTick {
  readonly tenantId: string;
  /** The time the tick fires what is due at (ISO-8601 UTC). */
  readonly at: string;
}

/** A timer a tick fired, as the telemetry sees it (the engine's `FiredTimer`). */
export interface TelemetryFiredTimer {
  readonly incidentId: string;
  /** When it was due (ISO-8601 UTC): the tick's `at` minus this is the timer's lag. */
  readonly dueAt: string;
  /** The lifecycle event it carried, e.g. `ESCALATE`. */
  readonly event: string;
  readonly outcome: string;
}

/** What the engine reports of one delivery attempt of an outbox message. */
export interface TelemetryDelivery {
  readonly tenantId: string;
  /** The incident the message is about (`''` for a message about none, e.g. an on-call notice). */
  readonly incidentId: string;
  /** The notifier's name (the outbox `channel`). */
  readonly channel: string;
  readonly messageId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/**
 * What happened to one delivery attempt: `delivered`, `retried` (failed, rescheduled),
 * `deadLettered`, `skipped` (left for a later pass: the lease would run out first) or
 * `leaseLost` (another dispatcher took the message over).
 */
export type TelemetryDeliveryOutcome = 'delivered' | 'retried' | 'deadLettered' | 'skipped' | 'leaseLost';

/** What an engine registers with its telemetry once, when it is created: what gauges read. */
export interface TelemetrySource {
  readonly tenantId: string;
  /** The engine's clock: the outbox age is measured against it. */
  readonly now: () => Date;
  /** Reads the tenant's outbox; absent when the store cannot report it (`outboxStats`). */
  readonly outbox?: () => Promise<OutboxStats>;
}

/**
 * The engine's tracing and metric hooks (the `telemetry` option of `createIncidentEngine`).
 * Each hook wraps one unit of work: it must call `run` exactly once and return (or throw) what
 * `run` returned (or threw), and may measure around it. `openTelemetry()` from
 * `incidentkit/opentelemetry` implements it with spans and metrics; a host may write its own.
 *
 * @remarks Hooks run inside the engine's work: keep them cheap, and never throw from the
 * measuring itself (a throwing hook fails the command).
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, type EngineTelemetry } from 'incidentkit';
 *
 * const counts = new Map<string, number>();
 * const telemetry: EngineTelemetry = {
 *   command: (info, run) => {
 *     counts.set(info.command, (counts.get(info.command) ?? 0) + 1);
 *     return run();
 *   },
 *   ingest: (_info, run) => run(),
 *   commit: (_info, run) => run(),
 *   tick: (_info, run) => run(),
 *   delivery: (_info, run) => run(),
 * };
 * const engine = createIncidentEngine({ store: memoryStore(), telemetry });
 * ```
 */
export interface EngineTelemetry {
  /** Wraps one command; `run` resolves to what the engine method returns (an incident, mostly). */
  command<T>(info: TelemetryCommand, run: () => Promise<T>): Promise<T>;
  /** Wraps one `engine.ingest` call; `run` resolves to one result per signal, with its `outcome`. */
  ingest<T extends readonly { readonly outcome: string }[]>(info: TelemetryIngest, run: () => Promise<T>): Promise<T>;
  /** Wraps one atomic write of an incident's events to the store. */
  commit<T>(info: TelemetryCommit, run: () => Promise<T>): Promise<T>;
  /** Wraps one `engine.tick` (also each one `runWorkers` makes); `run` resolves to the fired timers. */
  tick<T extends readonly TelemetryFiredTimer[]>(info: TelemetryTick, run: () => Promise<T>): Promise<T>;
  /** Wraps one delivery attempt of an outbox message; `run` resolves to its outcome. */
  delivery<T extends TelemetryDeliveryOutcome>(info: TelemetryDelivery, run: () => Promise<T>): Promise<T>;
  /** Optional: told once by each engine created with this telemetry, e.g. to observe its outbox. */
  register?(source: TelemetrySource): void;
}

/** Telemetry that measures nothing: each hook only runs its work. The engine's default. @internal */
export const noTelemetry: EngineTelemetry = {
  command: (_info, run) => run(),
  ingest: (_info, run) => run(),
  commit: (_info, run) => run(),
  tick: (_info, run) => run(),
  delivery: (_info, run) => run(),
};

/** One level of an {@link EngineLogger}: a structured record and a message, as pino takes them. */
export type EngineLogFn = (record: Readonly<Record<string, unknown>>, message: string) => void;

/**
 * A structured logger (the `logger` option of `createIncidentEngine`): pino's shape, so a pino
 * logger (or a child of one) is passed as it is. Each method is called as `(record, message)`;
 * a record's error is under `err`, as pino's serializers expect.
 *
 * @remarks What the engine logs: `error` for a worker pass that failed, a timer that failed, an
 * event handler that threw, a message that was dead-lettered; `warn` for a failed delivery
 * attempt that will be retried and repeat counts that could not be written; `debug` for a
 * delivered message. Every record has `tenantId` and `component`.
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, type EngineLogger } from 'incidentkit';
 *
 * const lines: string[] = [];
 * const logger: EngineLogger = {
 *   debug: () => undefined,
 *   info: (record, message) => lines.push(`${message} ${JSON.stringify(record)}`),
 *   warn: (record, message) => lines.push(`${message} ${JSON.stringify(record)}`),
 *   error: (record, message) => lines.push(`${message} ${JSON.stringify(record)}`),
 * };
 * const engine = createIncidentEngine({ store: memoryStore(), logger });
 * ```
 */
export interface EngineLogger {
  readonly debug: EngineLogFn;
  readonly info: EngineLogFn;
  readonly warn: EngineLogFn;
  readonly error: EngineLogFn;
}

/**
 * Calls `logger[level]` and swallows what it throws: a logger never breaks the engine's work.
 *
 * @internal
 */
export function logTo(logger: EngineLogger | undefined, level: keyof EngineLogger, record: Readonly<Record<string, unknown>>, message: string): void {
  if (logger === undefined) return;
  try {
    logger[level](record, message);
  } catch {
    // A logger that throws must not fail a delivery, a timer or a command.
  }
}
