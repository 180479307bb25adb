/**
 * `incidentkit/opentelemetry`: the engine's telemetry hooks as OpenTelemetry spans and metrics.
 * The only module of incidentkit that imports `@opentelemetry/api` (an optional peer
 * dependency): an engine created without `telemetry: openTelemetry()` loads none of it.
 *
 * @packageDocumentation
 */
import {
  SpanKind,
  SpanStatusCode,
  metrics,
  trace,
  type Attributes,
  type Meter,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { EngineTelemetry, TelemetrySource } from '../engine/telemetry.js';

/** The instrumentation scope every span and metric of incidentkit belongs to. */
export const INSTRUMENTATION_SCOPE = 'incidentkit';

/** The attribute names incidentkit puts on its spans and metrics. */
export const TELEMETRY_ATTRIBUTES = /* @__PURE__ */ Object.freeze({
  /** The incident a command, commit or delivery is about. */
  incidentId: 'incidentkit.incident.id',
  /** The engine method, e.g. `acknowledge`. */
  command: 'incidentkit.command',
  /** `ok` or `error` for commands, commits and ticks; the signal's or delivery's outcome otherwise. */
  outcome: 'incidentkit.outcome',
  /** The engine's tenant. */
  tenant: 'incidentkit.tenant',
  /** The notifier a message goes through (the outbox `channel`). */
  channel: 'incidentkit.channel',
  /** `create`, `commit` or `merge`: what kind of write a commit is. */
  commitKind: 'incidentkit.commit.kind',
  /** The lifecycle event a fired timer carried, e.g. `ESCALATE`. */
  timerEvent: 'incidentkit.timer.event',
  /** The error code (`INVALID_TRANSITION`, …) or class name of a failure (OpenTelemetry's `error.type`). */
  errorType: 'error.type',
} as const);

/** The metric names incidentkit records. */
export const TELEMETRY_METRICS = /* @__PURE__ */ Object.freeze({
  /** Counter `{command}`: commands by `incidentkit.command` and `incidentkit.outcome` (`ok`, `error`). */
  commands: 'incidentkit.commands',
  /** Histogram `s`: how long commands took, by command and outcome. */
  commandDuration: 'incidentkit.command.duration',
  /** Counter `{signal}`: ingested signals by outcome (`created`, `deduplicated`, `grouped`, `suppressed`, …). */
  signals: 'incidentkit.signals',
  /** Histogram `s`: how long commits to the store took, by kind and outcome. */
  commitDuration: 'incidentkit.commit.duration',
  /** Histogram `s`: how late each fired timer fired (the tick's time minus its due time), by event. */
  timerLag: 'incidentkit.timer.lag',
  /** Counter `{attempt}`: delivery attempts by channel and outcome (`delivered`, `retried`, `deadLettered`, …). */
  deliveries: 'incidentkit.deliveries',
  /** Counter `{message}`: messages dead-lettered, by channel. */
  deadLetters: 'incidentkit.dead_letters',
  /** Observable gauge `{message}`: outbox messages waiting to be delivered (retries included). */
  outboxDepth: 'incidentkit.outbox.depth',
  /** Observable gauge `s`: how long the oldest due outbox message has waited (0 when none is due). */
  outboxAge: 'incidentkit.outbox.age',
  /** Observable gauge `{message}`: dead-lettered messages held until redelivered. */
  outboxDeadLetters: 'incidentkit.outbox.dead_letters',
} as const);

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** The tracer spans are started with. Default: `tracerProvider.getTracer('incidentkit')`. */
  readonly tracer?: Tracer;
  /** Where the tracer comes from when none is given. Default: the global one (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** The meter metrics are recorded with. Default: `meterProvider.getMeter('incidentkit')`. */
  readonly meter?: Meter;
  /** Where the meter comes from when none is given. Default: the global one (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
}

const A = TELEMETRY_ATTRIBUTES;
const M = TELEMETRY_METRICS;

/** `error.type` of a failure: an incidentkit error's code, else its class name. */
function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (error instanceof Error) return error.name;
  }
  return 'Error';
}

/** Records `error` on `span`: an exception event and status ERROR. */
function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttributes({ [A.outcome]: 'error', [A.errorType]: errorType(error) });
}

/** The id of an incident a command returned, if it returned one. */
function incidentIdOf(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const id = (result as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

const seconds = (startMs: number): number => Math.max(0, performance.now() - startMs) / 1_000;

/**
 * The engine's telemetry as OpenTelemetry spans and metrics: pass it as
 * `createIncidentEngine({ telemetry: openTelemetry() })`.
 *
 * @remarks
 * Spans (in the `incidentkit` scope, children of the span active when the engine is called):
 * `incidentkit.<command>` for each command (e.g. `incidentkit.acknowledge`), `incidentkit.ingest`,
 * `incidentkit.commit`, `incidentkit.tick` and `incidentkit.deliver`, with the attributes in
 * {@link TELEMETRY_ATTRIBUTES}; a failure is recorded on its span (`recordException`, status
 * ERROR, `error.type`). Metrics: see {@link TELEMETRY_METRICS}. The outbox gauges read the
 * store's `outboxStats` (ours all have it) once per collection and engine.
 *
 * Without a tracer or meter given, the global providers are used: register an SDK (e.g.
 * `@opentelemetry/sdk-node`) before creating the engine, or pass providers. One
 * `openTelemetry()` may serve several engines (tenants); each is told apart by `incidentkit.tenant`.
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { openTelemetry } from 'incidentkit/opentelemetry';
 *
 * const engine = createIncidentEngine({ store: memoryStore(), telemetry: openTelemetry() });
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): EngineTelemetry {
  const tracer = options.tracer ?? (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  const meter = options.meter ?? (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);

  const commands = meter.createCounter(M.commands, { description: 'Engine commands by command and outcome.', unit: '{command}' });
  const commandDuration = meter.createHistogram(M.commandDuration, { description: 'How long engine commands took.', unit: 's' });
  const signals = meter.createCounter(M.signals, { description: 'Ingested signals by outcome.', unit: '{signal}' });
  const commitDuration = meter.createHistogram(M.commitDuration, { description: 'How long atomic commits to the store took.', unit: 's' });
  const timerLag = meter.createHistogram(M.timerLag, { description: 'How late durable timers fired after they were due.', unit: 's' });
  const deliveries = meter.createCounter(M.deliveries, { description: 'Delivery attempts of outbox messages by channel and outcome.', unit: '{attempt}' });
  const deadLetters = meter.createCounter(M.deadLetters, { description: 'Outbox messages dead-lettered, by channel.', unit: '{message}' });

  const sources = new Set<TelemetrySource>();
  function observeOutboxes(): void {
    const depth = meter.createObservableGauge(M.outboxDepth, { description: 'Outbox messages waiting to be delivered.', unit: '{message}' });
    const age = meter.createObservableGauge(M.outboxAge, { description: 'How long the oldest due outbox message has waited.', unit: 's' });
    const held = meter.createObservableGauge(M.outboxDeadLetters, { description: 'Dead-lettered outbox messages held until redelivered.', unit: '{message}' });
    meter.addBatchObservableCallback(
      async (result) => {
        for (const source of sources) {
          if (source.outbox === undefined) continue;
          const stats = await source.outbox();
          const attributes = { [A.tenant]: source.tenantId };
          const oldest = stats.oldestPendingAt === undefined ? undefined : Date.parse(stats.oldestPendingAt);
          result.observe(depth, stats.pending, attributes);
          result.observe(age, oldest === undefined ? 0 : Math.max(0, source.now().getTime() - oldest) / 1_000, attributes);
          result.observe(held, stats.deadLetters, attributes);
        }
      },
      [depth, age, held],
    );
  }

  /** Runs `work` in an active span `name`; `settle` adds what the result says; a throw is recorded. */
  function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, work: () => Promise<T>, settle: (span: Span, result: T) => void, failed?: (error: unknown) => void): Promise<T> {
    return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
      try {
        const result = await work();
        settle(span, result);
        return result;
      } catch (error) {
        fail(span, error);
        failed?.(error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  return {
    command(info, run) {
      const attributes = { [A.tenant]: info.tenantId, [A.command]: info.command, ...(info.incidentId === undefined ? {} : { [A.incidentId]: info.incidentId }) };
      const started = performance.now();
      const measured = { [A.tenant]: info.tenantId, [A.command]: info.command };
      return inSpan(
        `incidentkit.${info.command}`,
        SpanKind.INTERNAL,
        attributes,
        run,
        (span, result) => {
          const id = info.incidentId ?? incidentIdOf(result);
          span.setAttributes({ [A.outcome]: 'ok', ...(id === undefined ? {} : { [A.incidentId]: id }) });
          commands.add(1, { ...measured, [A.outcome]: 'ok' });
          commandDuration.record(seconds(started), { ...measured, [A.outcome]: 'ok' });
        },
        (error) => {
          const failed = { ...measured, [A.outcome]: 'error', [A.errorType]: errorType(error) };
          commands.add(1, failed);
          commandDuration.record(seconds(started), failed);
        },
      );
    },

    ingest(info, run) {
      return inSpan('incidentkit.ingest', SpanKind.INTERNAL, { [A.tenant]: info.tenantId, 'incidentkit.signals': info.signals }, run, (span, results) => {
        const byOutcome = new Map<string, number>();
        for (const { outcome } of results) byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
        for (const [outcome, count] of byOutcome) {
          span.setAttribute(`incidentkit.signals.${outcome}`, count);
          signals.add(count, { [A.tenant]: info.tenantId, [A.outcome]: outcome });
        }
        span.setAttribute(A.outcome, 'ok');
      });
    },

    commit(info, run) {
      const started = performance.now();
      const measured = { [A.tenant]: info.tenantId, [A.commitKind]: info.kind };
      return inSpan(
        'incidentkit.commit',
        SpanKind.INTERNAL,
        { ...measured, [A.incidentId]: info.incidentId, 'incidentkit.commit.events': info.events },
        run,
        (span) => {
          span.setAttribute(A.outcome, 'ok');
          commitDuration.record(seconds(started), { ...measured, [A.outcome]: 'ok' });
        },
        (error) => {
          commitDuration.record(seconds(started), { ...measured, [A.outcome]: 'error', [A.errorType]: errorType(error) });
        },
      );
    },

    tick(info, run) {
      const at = Date.parse(info.at);
      return inSpan('incidentkit.tick', SpanKind.INTERNAL, { [A.tenant]: info.tenantId, 'incidentkit.tick.at': info.at }, run, (span, fired) => {
        span.setAttributes({ [A.outcome]: 'ok', 'incidentkit.timers.fired': fired.length });
        for (const timer of fired) {
          const lag = Math.max(0, at - Date.parse(timer.dueAt)) / 1_000;
          if (Number.isFinite(lag)) timerLag.record(lag, { [A.tenant]: info.tenantId, [A.timerEvent]: timer.event, [A.outcome]: timer.outcome });
        }
      });
    },

    delivery(info, run) {
      const attributes = {
        [A.tenant]: info.tenantId,
        [A.channel]: info.channel,
        'incidentkit.message.id': info.messageId,
        'incidentkit.delivery.attempt': info.attempt,
        ...(info.incidentId === '' ? {} : { [A.incidentId]: info.incidentId }),
      };
      return inSpan('incidentkit.deliver', SpanKind.CLIENT, attributes, run, (span, outcome) => {
        span.setAttribute(A.outcome, outcome);
        if (outcome === 'retried' || outcome === 'deadLettered') span.setStatus({ code: SpanStatusCode.ERROR, message: `The attempt failed (${outcome}).` });
        deliveries.add(1, { [A.tenant]: info.tenantId, [A.channel]: info.channel, [A.outcome]: outcome });
        if (outcome === 'deadLettered') deadLetters.add(1, { [A.tenant]: info.tenantId, [A.channel]: info.channel });
      });
    },

    register(source) {
      if (sources.size === 0) observeOutboxes();
      sources.add(source);
    },
  };
}

export type { EngineTelemetry, TelemetrySource } from '../engine/telemetry.js';
