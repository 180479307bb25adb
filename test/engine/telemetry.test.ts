import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  NotifierError,
  createIncidentEngine,
  defineNotifier,
  memoryStore,
  type EngineLogger,
  type EngineTelemetry,
  type IncidentPolicies,
  type Signal,
  type StorageAdapter,
} from '../../src/index.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';

const MIN = 60_000;
const actor = { id: 'u_dana', name: 'Dana' };
const escalation: IncidentPolicies = { escalation: { levels: [{ afterMinutes: 5, targets: ['oncall-primary'] }] } };

/** A telemetry that records every hook call with what its work returned or threw. */
function recordingTelemetry() {
  const calls: { hook: string; info: unknown; result?: unknown; error?: unknown }[] = [];
  const registered: unknown[] = [];
  const wrap =
    (hook: string) =>
    async <T,>(info: unknown, run: () => Promise<T>): Promise<T> => {
      try {
        const result = await run();
        calls.push({ hook, info, result });
        return result;
      } catch (error) {
        calls.push({ hook, info, error });
        throw error;
      }
    };
  const telemetry: EngineTelemetry = {
    command: wrap('command'),
    ingest: wrap('ingest'),
    commit: wrap('commit'),
    tick: wrap('tick'),
    delivery: wrap('delivery'),
    register: (source) => registered.push(source),
  };
  return { telemetry, calls, registered };
}

/** A firing signal of `fingerprint`. */
const signal = (fingerprint: string, at: Date): Signal => ({
  source: 'grafana',
  fingerprint,
  status: 'firing',
  severity: 'SEV2',
  summary: 'Checkout errors above 5 %',
  labels: {},
  annotations: {},
  startsAt: at.toISOString(),
  links: [],
  raw: null,
});

const failing = (retryable: boolean) =>
  defineNotifier({
    name: 'ops',
    send: () => Promise.reject(new NotifierError({ notifier: 'ops', retryable }, retryable ? 'the channel is busy' : 'the channel refused the message')),
  });

/** A pino logger at `debug` writing JSON lines into `lines`. */
function pinoLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the telemetry option', () => {
  it('wraps commands (with their incident), commits, ingest calls, ticks and deliveries', async () => {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const { telemetry, calls, registered } = recordingTelemetry();
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock,
      ids: sequentialIds('t'),
      policies: escalation,
      telemetry,
      notifiers: { ops: defineNotifier({ name: 'ops', send: () => Promise.resolve() }) },
    });
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    await expect(engine.close(incident.id, { actor })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await engine.ingest([
      signal('fp_1', clock.now()),
      signal('fp_1', clock.now()),
    ]);
    clock.advance(7 * MIN);
    await engine.tick();
    await engine.dispatch();

    const commands = calls.filter((c) => c.hook === 'command');
    expect(commands.map((c) => [c.info, c.error === undefined ? 'ok' : 'error'])).toEqual([
      [{ tenantId: 'default', command: 'declare' }, 'ok'],
      [{ tenantId: 'default', command: 'close', incidentId: incident.id }, 'error'],
    ]);
    expect(calls.filter((c) => c.hook === 'commit').map((c) => c.info)).toContainEqual({ tenantId: 'default', incidentId: incident.id, events: 1, kind: 'create' });
    const ingest = calls.find((c) => c.hook === 'ingest');
    expect(ingest?.info).toEqual({ tenantId: 'default', signals: 2 });
    expect((ingest?.result as { outcome: string }[]).map((r) => r.outcome)).toEqual(['created', 'deduplicated']);
    const tick = calls.find((c) => c.hook === 'tick');
    expect(tick?.info).toEqual({ tenantId: 'default', at: '2026-03-02T09:07:00.000Z' });
    expect(tick?.result).toEqual(expect.arrayContaining([expect.objectContaining({ incidentId: incident.id, dueAt: '2026-03-02T09:05:00.000Z', event: 'ESCALATE' })]));
    const deliveries = calls.filter((c) => c.hook === 'delivery');
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries[0]).toMatchObject({ info: { tenantId: 'default', channel: 'ops', attempt: 1 }, result: 'delivered' });
    expect(registered).toEqual([expect.objectContaining({ tenantId: 'default', outbox: expect.any(Function) as unknown })]);
  });

  it('tells the registered source the outbox as the store reports it', async () => {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const { telemetry, registered } = recordingTelemetry();
    const engine = createIncidentEngine({ store: memoryStore(), clock, telemetry, notifiers: { ops: failing(false) } });
    await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    const source = registered[0] as { outbox: () => Promise<unknown>; now: () => Date };
    expect(await source.outbox()).toEqual({ pending: 1, oldestPendingAt: '2026-03-02T09:00:00.000Z', deadLetters: 0 });
    await engine.dispatch();
    expect(await source.outbox()).toEqual({ pending: 0, deadLetters: 1 });
    expect(source.now()).toEqual(clock.now());
  });

  it('registers no outbox for a store without outboxStats', () => {
    const store = Object.fromEntries(Object.entries(memoryStore()).filter(([name]) => name !== 'outboxStats')) as unknown as StorageAdapter;
    const { telemetry, registered } = recordingTelemetry();
    createIncidentEngine({ store, telemetry });
    expect(registered).toEqual([{ tenantId: 'default', now: expect.any(Function) as unknown }]);
  });
});

describe('the logger option', () => {
  it('receives failed deliveries, dead letters and deliveries as pino records, and nothing goes to the console', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const { logger, lines } = pinoLines();
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock,
      logger,
      notifiers: { ops: failing(true) },
      delivery: { maxAttempts: 2, backoff: { baseMs: 1_000, maxMs: 1_000 } },
      random: () => 0.5,
    });
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    await engine.dispatch();
    clock.advance(MIN);
    await engine.dispatch();
    expect(lines.map((line) => [line.level, line.component, line.attempt, line.msg])).toEqual([
      [40, 'delivery', 1, expect.stringMatching(/failed; retrying at 2026-03-02T09:00:00\.500Z\.$/)],
      [50, 'delivery', 2, expect.stringMatching(/was dead-lettered after 2 attempt\(s\): .*the channel is busy/)],
    ]);
    expect(lines[1]).toMatchObject({ tenantId: 'default', incidentId: incident.id, channel: 'ops', err: { message: expect.stringContaining('the channel is busy') as unknown, code: 'NOTIFIER_FAILED' } });
    expect(errors).not.toHaveBeenCalled();
  });

  it('receives a throwing handler besides onHandlerError; without a logger the console gets it as before', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const records: { level: string; record: Readonly<Record<string, unknown>>; message: string }[] = [];
    const at = (level: string) => (record: Readonly<Record<string, unknown>>, message: string) => records.push({ level, record, message });
    const logger: EngineLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const handled: string[] = [];
    const engine = createIncidentEngine({ store: memoryStore(), logger, onHandlerError: (_error, name) => handled.push(name) });
    const boom = new Error('handler bug');
    engine.on('incident.declared', () => {
      throw boom;
    });
    await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    expect(records).toEqual([
      { level: 'error', record: { err: boom, tenantId: 'default', component: 'handlers', event: 'incident.declared' }, message: "A handler of 'incident.declared' threw; the command itself succeeded." },
    ]);
    expect(handled).toEqual(['incident.declared']);
    expect(errors).not.toHaveBeenCalled();

    const plain = createIncidentEngine({ store: memoryStore() });
    plain.on('incident.declared', () => {
      throw boom;
    });
    await plain.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    expect(errors).toHaveBeenCalledWith("[incidentkit] a handler of 'incident.declared' threw; the command itself succeeded.", boom);
  });

  it('receives a failed timer, and a logger that throws breaks nothing', async () => {
    const clock = createManualClock('2026-03-02T09:00:00.000Z');
    const store = memoryStore();
    let failCommits = false;
    const flaky: StorageAdapter = { ...store, commit: (commit) => (failCommits ? Promise.reject(new Error('disk full')) : store.commit(commit)) };
    const records: Record<string, unknown>[] = [];
    const logger: EngineLogger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (record, message) => {
        records.push({ ...record, message });
        throw new Error('the logger is broken too');
      },
    };
    const engine = createIncidentEngine({ store: flaky, clock, policies: escalation, logger });
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });
    clock.advance(5 * MIN);
    failCommits = true;
    await expect(engine.tick()).rejects.toThrow('disk full');
    expect(records).toEqual([
      {
        err: expect.objectContaining({ message: 'disk full' }) as unknown,
        tenantId: 'default',
        component: 'timers',
        incidentId: incident.id,
        timerId: 'escalation',
        dueAt: '2026-03-02T09:05:00.000Z',
        message: 'A timer failed; its lease runs out and a later tick fires it again.',
      },
    ]);
  });
});
