import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createIncidentEngine,
  memoryStore,
  replayTimeline,
  type IncidentEngineOptions,
  type IncidentPolicies,
  type StorageAdapter,
} from '../../src/index.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';

const MIN = 60_000;
const actor = { id: 'u_dana', name: 'Dana' };

const escalation: IncidentPolicies = {
  escalation: {
    levels: [
      { afterMinutes: 5, targets: ['oncall-primary'] },
      { afterMinutes: 10, targets: ['oncall-secondary', 'team-lead'] },
    ],
  },
};

function setup(policies: IncidentPolicies = escalation, store: StorageAdapter = memoryStore()) {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const make = (extra: Partial<IncidentEngineOptions> = {}) =>
    createIncidentEngine({ store, clock, policies, ids: sequentialIds(String(Math.random()).slice(2, 6)), ...extra });
  return { clock, store, make, engine: make() };
}

async function typesOf(engine: ReturnType<typeof createIncidentEngine>, id: string): Promise<string[]> {
  return (await engine.timeline(id)).map((event) => event.type);
}

describe('durable escalation timers', () => {
  it('fires each level at its deadline while the incident is unacknowledged', async () => {
    const { clock, engine } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor });

    clock.advance(4 * MIN + 59_000);
    expect(await engine.tick()).toEqual([]);

    clock.advance(1_000);
    const first = await engine.tick();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ incidentId: incident.id, timerId: 'escalation', event: 'ESCALATE', outcome: 'applied' });

    clock.advance(10 * MIN);
    await engine.tick();
    const timeline = await engine.timeline(incident.id);
    const escalations = timeline.filter((event) => event.type === 'ESCALATED');
    expect(escalations.map((event) => [event.data.level, event.data.targets, event.at])).toEqual([
      [1, ['oncall-primary'], '2026-03-02T09:05:00.000Z'],
      [2, ['oncall-secondary', 'team-lead'], '2026-03-02T09:15:00.000Z'],
    ]);
    expect(escalations.every((event) => event.actor.kind === 'system' && event.actor.id === 'incidentkit')).toBe(true);
    const current = await engine.get(incident.id);
    expect(current.escalation).toMatchObject({ level: 2, cycle: 0, count: 2, targets: ['oncall-secondary', 'team-lead'] });

    // The policy has no more levels: nothing fires again.
    clock.advance(60 * MIN);
    expect(await engine.tick()).toEqual([]);
  });

  it('a new engine instance over the same store fires the timer once after the first stopped mid-countdown', async () => {
    const { clock, make } = setup();
    const first = make();
    const incident = await first.declare({ title: 'API 5xx', severity: 'SEV2', actor });
    clock.advance(3 * MIN);
    expect(await first.tick()).toEqual([]);
    // The first process "stops" here: nothing of it is used again.

    const second = make();
    clock.advance(2 * MIN);
    const fired = await second.tick();
    expect(fired.map((f) => [f.event, f.outcome])).toEqual([['ESCALATE', 'applied']]);
    expect(await second.tick()).toEqual([]);
    expect((await typesOf(second, incident.id)).filter((type) => type === 'ESCALATED')).toHaveLength(1);
  });

  it('a deadline that passed while no engine ran fires on the first tick', async () => {
    const { clock, make } = setup();
    const declaring = make();
    const incident = await declaring.declare({ title: 'Queue backlog', severity: 'SEV2', actor });
    clock.advance(3 * 60 * MIN); // three hours of downtime for every worker
    const restarted = make();
    const fired = await restarted.tick();
    // Both levels were due while nobody ran: the first tick fires them in order. The second
    // level counts from the first level's deadline (09:05 + 10 min), not from 12:00.
    expect(fired.map((f) => [f.event, f.outcome, f.dueAt])).toEqual([
      ['ESCALATE', 'applied', '2026-03-02T09:05:00.000Z'],
      ['ESCALATE', 'applied', '2026-03-02T09:15:00.000Z'],
    ]);
    const escalated = (await restarted.timeline(incident.id)).filter((event) => event.type === 'ESCALATED');
    expect(escalated.map((event) => [event.data.level, event.data.dueAt, event.at])).toEqual([
      [1, '2026-03-02T09:05:00.000Z', '2026-03-02T12:00:00.000Z'],
      [2, '2026-03-02T09:15:00.000Z', '2026-03-02T12:00:00.000Z'],
    ]);
    expect(await restarted.tick()).toEqual([]);
  });

  it('acknowledging before the deadline means it never fires', async () => {
    const { clock, engine } = setup();
    const incident = await engine.declare({ title: 'Disk full', severity: 'SEV2', actor });
    clock.advance(2 * MIN);
    await engine.acknowledge(incident.id, { actor });
    clock.advance(60 * MIN);
    expect(await engine.tick()).toEqual([]);
    expect(await typesOf(engine, incident.id)).toEqual(['DECLARED', 'ACKNOWLEDGED']);
  });

  it.each(['mitigate', 'resolve', 'cancel'] as const)('%s cancels pending escalation timers', async (command) => {
    const { clock, engine } = setup();
    const incident = await engine.declare({ title: 'Login errors', severity: 'SEV2', actor });
    if (command === 'mitigate') await engine.mitigate(incident.id, { summary: 'Feature flag off', actor });
    if (command === 'resolve') await engine.resolve(incident.id, { actor });
    if (command === 'cancel') await engine.cancel(incident.id, { reason: 'false_positive', actor });
    clock.advance(60 * MIN);
    expect(await engine.tick()).toEqual([]);
    expect(await typesOf(engine, incident.id)).not.toContain('ESCALATED');
  });

  it('two engine instances ticking concurrently fire each timer once in effect', async () => {
    const { clock, make } = setup();
    const a = make();
    const b = make();
    const ids = [];
    for (let i = 0; i < 10; i += 1) ids.push((await a.declare({ title: `Incident ${String(i)}`, severity: 'SEV2', actor })).id);
    clock.advance(5 * MIN);
    const [firedA, firedB] = await Promise.all([a.tick(), b.tick()]);
    expect(firedA.length + firedB.length).toBe(10);
    for (const id of ids) {
      expect((await typesOf(a, id)).filter((type) => type === 'ESCALATED')).toHaveLength(1);
    }
  });

  it('a duplicate delivery finds the machine no longer listening and changes nothing', async () => {
    const store = memoryStore();
    // At-least-once delivery taken to the extreme: every claimed timer is handed out twice.
    const duplicating: StorageAdapter = {
      ...store,
      async claimTimers(options) {
        const claims = await store.claimTimers(options);
        return [...claims, ...claims];
      },
    };
    const { clock, make } = setup(escalation, duplicating);
    const engine = make();
    const incident = await engine.declare({ title: 'Payments slow', severity: 'SEV2', actor });
    clock.advance(5 * MIN);
    const fired = await engine.tick();
    expect(fired.map((f) => [f.timerId, f.outcome])).toEqual([
      ['escalation', 'applied'],
      ['escalation', 'ignored'],
    ]);
    const current = await engine.get(incident.id);
    expect(current.escalation?.count).toBe(1);
    expect(current.version).toBe(2);
    expect((await typesOf(engine, incident.id)).filter((type) => type === 'ESCALATED')).toHaveLength(1);
  });

  it('a crashed worker\'s claim is taken over after its lease expires', async () => {
    const store = memoryStore();
    const { clock, make } = setup(escalation, store);
    const engine = make({ leaseMs: 1_000 });
    const incident = await engine.declare({ title: 'Search down', severity: 'SEV2', actor });
    clock.advance(5 * MIN);
    const now = clock.now().toISOString();
    const [stale] = await store.claimTimers({ tenantId: 'default', now, owner: 'crashed-worker', leaseMs: 1_000, limit: 10 });
    expect(stale?.item.timerId).toBe('escalation');
    expect(await engine.tick()).toEqual([]); // the lease is still live
    clock.advance(1_000);
    expect((await engine.tick()).map((f) => f.outcome)).toEqual(['applied']);
    // The crashed worker comes back: its claim no longer holds, so it cannot complete anything.
    expect(stale === undefined ? true : await store.completeTimer(stale)).toBe(false);
    expect((await engine.get(incident.id)).escalation?.count).toBe(1);
  });

  it('the policy in force at declare is frozen into the incident', async () => {
    const store = memoryStore();
    const { clock, make } = setup(escalation, store);
    const old = make();
    const incident = await old.declare({ title: 'Search degraded', severity: 'SEV3', actor });
    const edited = make({ policies: { escalation: { levels: [{ afterMinutes: 1, targets: ['someone-else'] }] } } });
    clock.advance(5 * MIN);
    await edited.tick();
    const escalated = (await edited.timeline(incident.id)).filter((event) => event.type === 'ESCALATED');
    expect(escalated.map((event) => event.data.targets)).toEqual([['oncall-primary']]);
    expect((await edited.get(incident.id)).policy.escalation?.levels[0]?.targets).toEqual(['oncall-primary']);
  });

  it('repeat restarts the levels, and skipIfEmpty skips empty levels', async () => {
    const { clock, engine } = setup({
      escalation: {
        levels: [
          { afterMinutes: 0, targets: ['primary'] },
          { afterMinutes: 5, targets: [], skipIfEmpty: true },
          { afterMinutes: 5, targets: ['manager'] },
        ],
        repeat: 1,
      },
    });
    const incident = await engine.declare({ title: 'VPN down', severity: 'SEV2', actor });
    for (let i = 0; i < 8; i += 1) {
      await engine.tick();
      clock.advance(5 * MIN);
    }
    const escalated = (await engine.timeline(incident.id)).filter((event) => event.type === 'ESCALATED');
    expect(escalated.map((event) => [event.data.level, event.data.cycle, event.at.slice(11, 16)])).toEqual([
      [1, 0, '09:00'],
      [3, 0, '09:10'],
      [1, 1, '09:10'],
      [3, 1, '09:20'],
    ]);
  });

  it('escalate(id) escalates by hand to the next or a chosen level', async () => {
    const { clock, engine } = setup();
    const incident = await engine.declare({ title: 'Email delayed', severity: 'SEV3', actor });
    const manual = await engine.escalate(incident.id, { actor });
    expect(manual.escalation).toMatchObject({ level: 1, count: 1, targets: ['oncall-primary'] });
    // Automatic escalation continues from the manual level: level 2 ten minutes later.
    clock.advance(10 * MIN);
    const fired = await engine.tick();
    expect(fired.map((f) => f.incident?.escalation?.level)).toEqual([2]);
    await engine.acknowledge(incident.id, { actor });
    const again = await engine.escalate(incident.id, { actor, level: 1 });
    expect(again.escalation).toMatchObject({ level: 1, count: 3 });
    await expect(engine.escalate(incident.id, { actor, level: 3 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await engine.resolve(incident.id, { actor });
    await expect(engine.escalate(incident.id, { actor })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });
});

describe('reminders', () => {
  const policies: IncidentPolicies = { reminders: [{ kind: 'status_update', everyMinutes: 30, severities: ['SEV1', 'SEV2'] }] };

  it('records REMINDER_DUE while a SEV1/SEV2 is active and re-arms after each update', async () => {
    const { clock, engine } = setup(policies);
    const incident = await engine.declare({ title: 'Website down', severity: 'SEV1', actor });
    clock.advance(30 * MIN);
    expect((await engine.tick()).map((f) => f.event)).toEqual(['REMIND']);
    clock.advance(20 * MIN);
    await engine.postUpdate(incident.id, { audience: 'stakeholders', message: 'Failing over.', actor });
    clock.advance(20 * MIN); // 40 minutes after the first reminder, 20 after the update
    expect(await engine.tick()).toEqual([]);
    clock.advance(10 * MIN);
    expect((await engine.tick()).map((f) => f.event)).toEqual(['REMIND']);
    await engine.resolve(incident.id, { actor });
    clock.advance(120 * MIN);
    expect(await engine.tick()).toEqual([]);
    const reminders = (await engine.timeline(incident.id)).filter((event) => event.type === 'REMINDER_DUE');
    expect(reminders.map((event) => event.at.slice(11, 16))).toEqual(['09:30', '10:20']);
  });

  it('does not remind for other severities, and starts when the severity rises', async () => {
    const { clock, engine } = setup(policies);
    const incident = await engine.declare({ title: 'Slow reports', severity: 'SEV4', actor });
    clock.advance(60 * MIN);
    expect(await engine.tick()).toEqual([]);
    await engine.setSeverity(incident.id, { severity: 'SEV2', reason: 'Customers affected', actor });
    clock.advance(30 * MIN);
    expect((await engine.tick()).map((f) => f.event)).toEqual(['REMIND']);
  });
});

describe('response targets', () => {
  const policies: IncidentPolicies = {
    targets: { SEV1: { acknowledgeWithinMinutes: 5, mitigateWithinMinutes: 30, resolveWithinMinutes: 240 } },
  };

  it('records each missed target once, emits incident.target_breached and lists breaches', async () => {
    const { clock, engine } = setup(policies);
    const seen: string[] = [];
    engine.on('incident.target_breached', ({ event }) => seen.push(event.data.target as string));
    const incident = await engine.declare({ title: 'Database failover', severity: 'SEV1', actor });
    clock.advance(6 * MIN);
    await engine.tick();
    await engine.acknowledge(incident.id, { actor });
    clock.advance(10 * MIN);
    await engine.mitigate(incident.id, { summary: 'Replica promoted', actor });
    clock.advance(300 * MIN);
    await engine.tick();
    await engine.tick();
    const current = await engine.get(incident.id);
    expect(current.breaches).toEqual([
      { target: 'acknowledge', dueAt: '2026-03-02T09:05:00.000Z', at: '2026-03-02T09:06:00.000Z' },
      { target: 'resolve', dueAt: '2026-03-02T13:00:00.000Z', at: '2026-03-02T14:16:00.000Z' },
    ]);
    expect(seen).toEqual(['acknowledge', 'resolve']);
    expect((await typesOf(engine, incident.id)).filter((type) => type === 'TARGET_BREACHED')).toHaveLength(2);
  });

  it('a target met in time never breaches', async () => {
    const { clock, engine } = setup(policies);
    const incident = await engine.declare({ title: 'CDN errors', severity: 'SEV1', actor });
    clock.advance(2 * MIN);
    await engine.resolve(incident.id, { actor });
    clock.advance(500 * MIN);
    expect(await engine.tick()).toEqual([]);
    expect((await engine.get(incident.id)).breaches).toEqual([]);
  });
});

describe('timers and the log', () => {
  it('replaying a timeline with timer events reproduces the projection', async () => {
    const { clock, engine } = setup({
      ...escalation,
      reminders: [{ kind: 'status_update', everyMinutes: 15, severities: ['SEV1'] }],
      targets: { SEV1: { acknowledgeWithinMinutes: 10 } },
    });
    const incident = await engine.declare({ title: 'Everything is on fire', severity: 'SEV1', actor });
    for (let i = 0; i < 6; i += 1) {
      clock.advance(5 * MIN);
      await engine.tick();
    }
    await engine.acknowledge(incident.id, { actor });
    clock.advance(15 * MIN);
    await engine.tick();
    const stored = await engine.get(incident.id);
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(stored);
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });
});

describe('runWorkers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks on an interval, never overlapping itself, until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { clock, engine } = setup();
    const incident = await engine.declare({ title: 'Cache stampede', severity: 'SEV2', actor });
    clock.advance(5 * MIN);
    const workers = engine.runWorkers({ intervalMs: 1_000 });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1_000);
    await workers.stop();
    expect((await typesOf(engine, incident.id)).filter((type) => type === 'ESCALATED')).toHaveLength(1);
  });

  it('waits for a slow pass before starting the next one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    const store = memoryStore();
    const slow: StorageAdapter = {
      ...store,
      async claimTimers(options) {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        passes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        running -= 1;
        return store.claimTimers(options);
      },
    };
    const { engine } = setup(escalation, slow);
    const workers = engine.runWorkers({ intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(20_000);
    const stopping = workers.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopping;
    expect(maxRunning).toBe(1);
    expect(passes).toBeGreaterThanOrEqual(3);
    expect(passes).toBeLessThanOrEqual(4);
  });

  it('reports a failing pass and keeps going', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = memoryStore();
    let calls = 0;
    const flaky: StorageAdapter = {
      ...store,
      claimTimers(options) {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('database restarting')) : store.claimTimers(options);
      },
    };
    const errors: unknown[] = [];
    const { engine } = setup(escalation, flaky);
    const workers = engine.runWorkers({ intervalMs: 10, onError: (error) => errors.push(error) });
    await vi.advanceTimersByTimeAsync(100);
    await workers.stop();
    expect(errors).toHaveLength(1);
    expect(calls).toBeGreaterThan(2);
  });
});
