import { SpanStatusCode } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { NotifierError, createIncidentEngine, defineNotifier, memoryStore, type IncidentPolicies, type Notifier, type Signal } from 'incidentkit';
import { TELEMETRY_METRICS, openTelemetry } from 'incidentkit/opentelemetry';
import { createManualClock, sequentialIds } from 'incidentkit/testing';

const MIN = 60_000;
const actor = { id: 'u_dana', name: 'Dana' };
const escalation: IncidentPolicies = { escalation: { levels: [{ afterMinutes: 5, targets: ['oncall-primary'] }] } };

/** A reader that exports nothing: the test collects when it wants to look. */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const signal = (fingerprint: string, at: Date): Signal => ({
  source: 'grafana',
  fingerprint,
  status: 'firing',
  severity: 'SEV2',
  summary: `Checkout errors (${fingerprint})`,
  labels: {},
  annotations: {},
  startsAt: at.toISOString(),
  links: [],
  raw: null,
});

/** An engine on a manual clock with OpenTelemetry from in-memory SDK providers. */
function setup(notifiers: Record<string, Notifier> = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const engine = createIncidentEngine({
    store: memoryStore(),
    clock,
    ids: sequentialIds('o'),
    policies: escalation,
    tenantId: 'acme',
    notifiers,
    delivery: { maxAttempts: 1 },
    telemetry: openTelemetry({ tracerProvider, meterProvider }),
  });
  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);
  async function metric(name: string): Promise<MetricData | undefined> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  }
  /** The data points of metric `name` as [attributes, value]. */
  async function points(name: string): Promise<[Record<string, unknown>, unknown][]> {
    const found = await metric(name);
    return (found?.dataPoints ?? []).map((point) => [point.attributes, point.value]);
  }
  return { engine, clock, spans, metric, points };
}

describe('openTelemetry', () => {
  it('traces commands with their incident and records a failed command’s error on its span', async () => {
    const { engine, spans, points } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    await engine.acknowledge(incident.id, { actor });
    await expect(engine.close(incident.id, { actor })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });

    const [declared] = spans('incidentkit.declare');
    expect(declared?.attributes).toEqual({ 'incidentkit.tenant': 'acme', 'incidentkit.command': 'declare', 'incidentkit.incident.id': incident.id, 'incidentkit.outcome': 'ok' });
    expect(declared?.status.code).not.toBe(SpanStatusCode.ERROR);
    const [closed] = spans('incidentkit.close');
    expect(closed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(closed?.attributes).toMatchObject({ 'incidentkit.incident.id': incident.id, 'incidentkit.outcome': 'error', 'error.type': 'INVALID_TRANSITION' });
    expect(closed?.events.map((event) => [event.name, event.attributes?.['exception.type']])).toEqual([['exception', 'INVALID_TRANSITION']]);
    expect(spans('incidentkit.commit').map((span) => span.attributes['incidentkit.commit.kind'])).toEqual(['create', 'commit']);
    expect(spans('incidentkit.commit')[0]?.attributes).toMatchObject({ 'incidentkit.incident.id': incident.id, 'incidentkit.tenant': 'acme', 'incidentkit.outcome': 'ok' });

    expect(await points(TELEMETRY_METRICS.commands)).toEqual([
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.command': 'declare', 'incidentkit.outcome': 'ok' }, 1],
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.command': 'acknowledge', 'incidentkit.outcome': 'ok' }, 1],
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.command': 'close', 'incidentkit.outcome': 'error', 'error.type': 'INVALID_TRANSITION' }, 1],
    ]);
    const commits = await points(TELEMETRY_METRICS.commitDuration);
    expect(commits.map(([attributes, value]) => [attributes, (value as { count: number }).count])).toEqual([
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.commit.kind': 'create', 'incidentkit.outcome': 'ok' }, 1],
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.commit.kind': 'commit', 'incidentkit.outcome': 'ok' }, 1],
    ]);
  });

  it('counts the signals of an ingest batch by outcome, on the span and in the signals counter', async () => {
    const { engine, clock, spans, points } = setup();
    await engine.ingest([signal('fp_1', clock.now()), signal('fp_1', clock.now()), signal('fp_2', clock.now()), signal('fp_1', clock.now())]);
    const [ingest] = spans('incidentkit.ingest');
    expect(ingest?.attributes).toEqual({
      'incidentkit.tenant': 'acme',
      'incidentkit.signals': 4,
      'incidentkit.signals.created': 2,
      'incidentkit.signals.deduplicated': 2,
      'incidentkit.outcome': 'ok',
    });
    expect(await points(TELEMETRY_METRICS.signals)).toEqual([
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.outcome': 'created' }, 2],
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.outcome': 'deduplicated' }, 2],
    ]);
  });

  it('traces a tick and records each fired timer’s lag on a manual clock', async () => {
    const { engine, clock, spans, points } = setup();
    await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    clock.advance(7 * MIN);
    expect(await engine.tick()).toHaveLength(1);
    const [tick] = spans('incidentkit.tick');
    expect(tick?.attributes).toEqual({ 'incidentkit.tenant': 'acme', 'incidentkit.tick.at': '2026-03-02T09:07:00.000Z', 'incidentkit.outcome': 'ok', 'incidentkit.timers.fired': 1 });
    const lag = await points(TELEMETRY_METRICS.timerLag);
    expect(lag).toEqual([[{ 'incidentkit.tenant': 'acme', 'incidentkit.timer.event': 'ESCALATE', 'incidentkit.outcome': 'applied' }, expect.objectContaining({ count: 1, sum: 120 })]]);
  });

  it('traces deliveries, counts dead letters, and observes the outbox depth and age', async () => {
    const refusing = defineNotifier({ name: 'pager', send: () => Promise.reject(new NotifierError({ notifier: 'pager', retryable: false }, 'the number is unknown')) });
    const chat = defineNotifier({ name: 'chat', send: () => Promise.resolve() });
    const { engine, clock, spans, points } = setup({ chat, pager: refusing });
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    clock.advance(90_000);
    expect(await points(TELEMETRY_METRICS.outboxDepth)).toEqual([[{ 'incidentkit.tenant': 'acme' }, 2]]);
    expect(await points(TELEMETRY_METRICS.outboxAge)).toEqual([[{ 'incidentkit.tenant': 'acme' }, 90]]);

    await engine.dispatch();
    const delivered = spans('incidentkit.deliver').map((span) => [span.attributes['incidentkit.channel'], span.attributes['incidentkit.outcome'], span.status.code, span.attributes['incidentkit.incident.id']]);
    expect(delivered.sort()).toEqual([
      ['chat', 'delivered', SpanStatusCode.UNSET, incident.id],
      ['pager', 'deadLettered', SpanStatusCode.ERROR, incident.id],
    ]);
    expect(await points(TELEMETRY_METRICS.deadLetters)).toEqual([[{ 'incidentkit.tenant': 'acme', 'incidentkit.channel': 'pager' }, 1]]);
    expect((await points(TELEMETRY_METRICS.deliveries)).sort()).toEqual([
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.channel': 'chat', 'incidentkit.outcome': 'delivered' }, 1],
      [{ 'incidentkit.tenant': 'acme', 'incidentkit.channel': 'pager', 'incidentkit.outcome': 'deadLettered' }, 1],
    ]);
    expect(await points(TELEMETRY_METRICS.outboxDepth)).toEqual([[{ 'incidentkit.tenant': 'acme' }, 0]]);
    expect(await points(TELEMETRY_METRICS.outboxAge)).toEqual([[{ 'incidentkit.tenant': 'acme' }, 0]]);
    expect(await points(TELEMETRY_METRICS.outboxDeadLetters)).toEqual([[{ 'incidentkit.tenant': 'acme' }, 1]]);
  });
});
