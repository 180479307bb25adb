/**
 * How `engine.tick()` works through due timers (src/engine/timerWorker.ts): all of them in
 * batches, one incident's in order, several incidents side by side, failures left for later.
 * The lifecycle's own timers (escalations, reminders, targets) are in timers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { defineFeature, featureTimerId } from '../../src/engine/feature.js';
import { memoryStore } from '../../src/storage/memory.js';
import type { TimerRecord } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { thrown } from '../helpers.js';

const actor = { id: 'u_alice', name: 'Alice' };
const MINUTE = 60_000;

interface ProbeOptions {
  /** Timers set on each declared incident, all due one minute after it was detected. */
  readonly perIncident: number;
  /** Called when one of them fires (after the probe recorded it). */
  readonly onFire?: (timer: TimerRecord) => Promise<void>;
}

/** Sets `perIncident` feature timers on every declared incident and records how they fire. */
function probe(options: ProbeOptions) {
  const fired: string[] = [];
  const running = new Map<string, number>();
  const peak = { overall: 0, perIncident: 0 };
  const feature = defineFeature({
    name: 'probe',
    setup: () => ({
      commit: ({ events, incident }) => {
        if (!events.some((event) => event.type === 'DECLARED')) return undefined;
        const dueAt = new Date(Date.parse(incident.detectedAt) + MINUTE).toISOString();
        const timers = Array.from({ length: options.perIncident }, (_, i) => ({
          tenantId: incident.tenantId,
          incidentId: incident.id,
          timerId: featureTimerId('probe', String(i).padStart(5, '0')),
          dueAt,
          event: { type: 'PROBE' },
        }));
        return { timers };
      },
      fireTimer: async (timer) => {
        running.set(timer.incidentId, (running.get(timer.incidentId) ?? 0) + 1);
        peak.perIncident = Math.max(peak.perIncident, running.get(timer.incidentId) ?? 0);
        peak.overall = Math.max(peak.overall, [...running.values()].reduce((a, b) => a + b, 0));
        // Yield a few times, so timers that may run side by side do.
        for (let i = 0; i < 3; i += 1) await Promise.resolve();
        fired.push(`${timer.incidentId}/${timer.timerId.slice('feature:probe:'.length)}`);
        running.set(timer.incidentId, (running.get(timer.incidentId) ?? 1) - 1);
        await options.onFire?.(timer);
      },
    }),
  });
  return { feature: feature(), fired, peak };
}

function setup(options: ProbeOptions) {
  const clock = createManualClock('2026-12-06T09:00:00.000Z');
  const recorded = probe(options);
  const engine = createIncidentEngine({ store: memoryStore(), clock, ids: sequentialIds(), features: [recorded.feature], leaseMs: MINUTE });
  return { clock, engine, ...recorded };
}

describe('engine.tick', () => {
  it('fires every due timer in one tick, however many, and then nothing', async () => {
    const { clock, engine, fired } = setup({ perIncident: 10_250 });
    await engine.declare({ title: 'Alert storm', severity: 'SEV2', actor });
    clock.advance(MINUTE);
    const result = await engine.tick();
    expect(result).toHaveLength(10_250);
    expect(new Set(fired).size).toBe(10_250);
    expect(result.every((f) => f.outcome === 'applied')).toBe(true);
    expect(await engine.tick()).toEqual([]);
  });

  it('fires timers of different incidents side by side, never two of one incident at once, and reports them in claim order', async () => {
    const { clock, engine, fired, peak } = setup({ perIncident: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push((await engine.declare({ title: `Incident ${String(i)}`, severity: 'SEV3', actor })).id);
    clock.advance(MINUTE);
    const result = await engine.tick();
    // Claim order: due time, then incident id, then timer id.
    const expected = [...ids].sort().flatMap((id) => ['00000', '00001', '00002'].map((n) => `${id}/${n}`));
    expect(result.map((f) => `${f.incidentId}/${f.timerId.slice('feature:probe:'.length)}`)).toEqual(expected);
    expect(peak.perIncident).toBe(1);
    expect(peak.overall).toBe(4);
    for (const id of ids) {
      expect(fired.filter((entry) => entry.startsWith(`${id}/`))).toEqual([`${id}/00000`, `${id}/00001`, `${id}/00002`]);
    }
  });

  it('when a timer fails, finishes the other incidents, throws, and a later tick fires the rest in order', async () => {
    let failures = 1;
    const { clock, engine, fired } = setup({
      perIncident: 2,
      onFire: (timer) => {
        if (timer.timerId.endsWith(':00000') && timer.incidentId === failing && failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('receiver down'));
        }
        return Promise.resolve();
      },
    });
    const failing = (await engine.declare({ title: 'First', severity: 'SEV3', actor })).id;
    const other = (await engine.declare({ title: 'Second', severity: 'SEV3', actor })).id;
    clock.advance(MINUTE);
    expect(await thrown(() => engine.tick())).toMatchObject({ message: 'receiver down' });
    expect(fired).toEqual([`${failing}/00000`, `${other}/00000`, `${other}/00001`]);
    // The failed timer and the one after it are still leased: nothing to do until the lease ends.
    expect(await engine.tick()).toEqual([]);
    clock.advance(MINUTE);
    const retried = await engine.tick();
    expect(retried.map((f) => [f.incidentId, f.timerId])).toEqual([
      [failing, featureTimerId('probe', '00000')],
      [failing, featureTimerId('probe', '00001')],
    ]);
  });

  it('ends even when a timer is set again for the time it just fired at', async () => {
    const store = memoryStore();
    const clock = createManualClock('2026-12-06T09:00:00.000Z');
    const timer = (incidentId: string): TimerRecord => ({
      tenantId: 'default',
      incidentId,
      timerId: featureTimerId('stubborn', 'again'),
      dueAt: '2026-12-06T09:01:00.000Z',
      event: { type: 'AGAIN' },
    });
    let firings = 0;
    const stubborn = defineFeature({
      name: 'stubborn',
      setup: (context) => ({
        // Every commit sets the timer again for the same due time: a feature bug, not a loop.
        commit: ({ incident }) => ({ timers: [timer(incident.id)] }),
        fireTimer: async (fired) => {
          firings += 1;
          await context.command(fired.incidentId, { kind: 'system', id: 'stubborn' }, () => ({ type: 'ADD_NOTE', text: 'again' }), undefined);
        },
      }),
    });
    const engine = createIncidentEngine({ store, clock, ids: sequentialIds(), features: [stubborn()], leaseMs: MINUTE });
    await engine.declare({ title: 'Loop', severity: 'SEV3', actor });
    clock.advance(MINUTE);
    expect(await engine.tick()).toHaveLength(1);
    expect(firings).toBe(1);
    clock.advance(MINUTE);
    expect(await engine.tick()).toHaveLength(1);
    expect(firings).toBe(2);
  });
});
