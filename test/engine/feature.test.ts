/**
 * The feature contract (src/engine/feature.ts): what a host's own feature may contribute, and
 * what the engine refuses at creation.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { defineFeature, featureTimerId, type AnyIncidentFeature } from '../../src/engine/feature.js';
import { createIncidentHandler } from '../../src/http/createIncidentHandler.js';
import type { JsonValue } from '../../src/model/primitives.js';
import { memoryStore } from '../../src/storage/memory.js';
import { RECORD_METHODS, requireRecords } from '../../src/storage/records.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { thrown } from '../helpers.js';

const actor = { id: 'u_alice', name: 'Alice' };

/** Records every committed event type, and sets a timer when an incident is declared. */
const recorder = defineFeature({
  name: 'recorder',
  options: z.object({ timerMinutes: z.number().int().min(1).default(5) }),
  requires: ['claimTimers'],
  setup(context, options) {
    const seen: string[] = [];
    const fired: string[] = [];
    return {
      commit: ({ events, incident }) => {
        seen.push(...events.map((event) => event.type));
        if (!events.some((event) => event.type === 'DECLARED')) return undefined;
        const dueAt = new Date(Date.parse(incident.detectedAt) + options.timerMinutes * 60_000).toISOString();
        return { timers: [{ tenantId: incident.tenantId, incidentId: incident.id, timerId: featureTimerId('recorder', 'declared'), dueAt, event: { type: 'RECORDED' } }] };
      },
      fireTimer: async (timer) => {
        fired.push(`${timer.timerId}@${timer.dueAt}`);
        await context.command(timer.incidentId, { kind: 'integration', id: 'recorder' }, () => ({ type: 'ADD_NOTE', text: 'recorded' }), undefined);
      },
      api: { seen: () => [...seen], fired: () => [...fired] },
      routes: [
        { method: 'GET', path: '/recorder/:incidentId', handle: (_request, route) => Promise.resolve(Response.json({ params: route.params, actor: route.actor.id })) },
        { method: 'POST', path: '/recorder/:incidentId', handle: () => Promise.resolve(new Response(null, { status: 204 })) },
      ],
    };
  },
});

function engineWith<const F extends readonly AnyIncidentFeature[]>(features: F) {
  const clock = createManualClock('2026-12-06T09:00:00.000Z');
  const store = memoryStore();
  return { clock, store, engine: createIncidentEngine({ store, clock, ids: sequentialIds(), features }) };
}

describe('feature contract', () => {
  it('adds to every commit, fires its own timers through tick, and serves its methods as engine.features', async () => {
    const { engine, clock } = engineWith([recorder()]);
    const incident = await engine.declare({ title: 'API down', severity: 'SEV3', actor });
    await engine.addNote(incident.id, { text: 'looking', actor });
    expect(engine.features.recorder.seen()).toEqual(['DECLARED', 'NOTE_ADDED']);

    clock.advance(4 * 60_000);
    expect(await engine.tick()).toEqual([]);
    clock.advance(60_000);
    const fired = await engine.tick();
    expect(fired).toEqual([
      { incidentId: incident.id, timerId: 'feature:recorder:declared', dueAt: '2026-12-06T09:05:00.000Z', event: 'RECORDED', outcome: 'applied' },
    ]);
    expect(engine.features.recorder.fired()).toEqual(['feature:recorder:declared@2026-12-06T09:05:00.000Z']);
    const types = (await engine.timeline(incident.id)).map((event) => event.type);
    expect(types).toEqual(['DECLARED', 'NOTE_ADDED', 'NOTE_ADDED']);
    // Fired and completed: it does not come back.
    clock.advance(60 * 60_000);
    expect(await engine.tick()).toEqual([]);
  });

  it('writes nothing of a feature when the command is refused', async () => {
    const { engine, store } = engineWith([recorder()]);
    const incident = await engine.declare({ title: 'API down', severity: 'SEV3', actor });
    await engine.resolve(incident.id, { actor });
    await engine.close(incident.id, { actor });
    expect((await thrown(engine.addNote(incident.id, { text: 'late', actor }), 'INVALID_TRANSITION')).code).toBe('INVALID_TRANSITION');
    expect(engine.features.recorder.seen()).toEqual(['DECLARED', 'RESOLVED', 'CLOSED']);
    expect((await store.events('default', incident.id)).length).toBe(3);
  });

  it('validates a feature’s options with its schema', () => {
    const error = thrown(() => recorder({ timerMinutes: 0 }), 'CONFIG_INVALID');
    expect(error.details.subject).toBe('recorder');
    expect(error.details.issues[0]?.path).toEqual(['timerMinutes']);
  });

  it('refuses a bad feature name, a duplicate feature, and a store that lacks what a feature requires', () => {
    expect(thrown(() => defineFeature({ name: '1 bad', setup: () => ({}) }), 'CONFIG_INVALID').message).toContain('starts with a letter');
    expect(thrown(() => engineWith([recorder(), recorder()]), 'CONFIG_INVALID').message).toContain("Two features are named 'recorder'");
    const typo = defineFeature({ name: 'typo', events: ['ACKNOWLEGDE' as 'ACKNOWLEDGE'], setup: () => ({}) });
    expect(thrown(() => engineWith([typo()]), 'CONFIG_INVALID').message).toContain("The feature 'typo' names lifecycle events that do not exist: ACKNOWLEGDE");
    const withoutTimers: Partial<StorageAdapter> = { ...memoryStore() };
    delete withoutTimers.claimTimers;
    const error = thrown(() => createIncidentEngine({ store: withoutTimers as StorageAdapter, features: [recorder()] }), 'CONFIG_INVALID');
    expect(error.message).toContain("The feature 'recorder' needs a store with claimTimers()");
  });

  it('keeps records through requireRecords: an engine over a store without them starts, and refuses only when records are used', async () => {
    // As a built-in feature would: always on, so it checks the store when it first needs records.
    const schedules = defineFeature({
      name: 'schedules',
      setup: (context) => ({
        api: {
          put: async (id: string, value: JsonValue, expectedVersion = 0) => {
            const records = requireRecords(context.store, 'engine.features.schedules.put');
            return await records.putRecord({
              tenantId: context.tenantId,
              kind: 'schedule',
              id,
              expectedVersion,
              value,
              at: context.now(),
              actor: { kind: 'user', ...actor },
              timers: { set: [{ tenantId: context.tenantId, incidentId: '', timerId: featureTimerId('schedules', `handoff:${id}`), dueAt: context.now(), event: { type: 'HANDOFF' } }] },
            });
          },
        },
        fireTimer: () => Promise.resolve(),
      }),
    });
    const old = Object.fromEntries(Object.entries(memoryStore()).filter(([name]) => !(RECORD_METHODS as readonly string[]).includes(name))) as unknown as StorageAdapter;
    const legacy = createIncidentEngine({ store: old, clock: createManualClock('2026-12-06T09:00:00.000Z'), features: [schedules()] });
    expect((await legacy.declare({ title: 'Still works', severity: 'SEV3', actor })).status).toBe('triage');
    const refused = await thrown(legacy.features.schedules.put('primary', { name: 'Primary' }), 'CONFIG_INVALID');
    expect(refused.message).toContain('engine.features.schedules.put keeps versioned records');
    expect(refused.message).toContain('lacks putRecord(), getRecord(), listRecords(), recordHistory()');

    const { engine } = engineWith([schedules()]);
    expect((await engine.features.schedules.put('primary', { name: 'Primary' })).version).toBe(1);
    expect(await engine.tick()).toEqual([
      { incidentId: '', timerId: 'feature:schedules:handoff:primary', dueAt: '2026-12-06T09:00:00.000Z', event: 'HANDOFF', outcome: 'applied' },
    ]);
    // A feature of the host's own may instead require them up front.
    const strict = defineFeature({ name: 'strict', requires: RECORD_METHODS, setup: () => ({}) });
    expect(thrown(() => createIncidentEngine({ store: old, features: [strict()] }), 'CONFIG_INVALID').message).toContain(
      "The feature 'strict' needs a store with putRecord(), getRecord(), listRecords(), recordHistory()",
    );
    expect(createIncidentEngine({ store: memoryStore(), features: [strict()] })).toBeDefined();
  });

  it('drops a timer of a feature the engine no longer has', async () => {
    const { engine, clock, store } = engineWith([recorder()]);
    const incident = await engine.declare({ title: 'API down', severity: 'SEV3', actor });
    const without = createIncidentEngine({ store, clock, ids: sequentialIds() });
    clock.advance(10 * 60_000);
    expect(await without.tick()).toEqual([
      { incidentId: incident.id, timerId: 'feature:recorder:declared', dueAt: '2026-12-06T09:05:00.000Z', event: 'RECORDED', outcome: 'ignored' },
    ]);
    expect(await engine.tick()).toEqual([]);
  });

  it('mounts feature routes in createIncidentHandler, after its own, as the authenticated actor', async () => {
    const { engine } = engineWith([recorder()]);
    const handler = createIncidentHandler(engine, { authenticate: () => actor });
    const got = await handler(new Request('http://localhost/recorder/inc_1'));
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ params: { incidentId: 'inc_1' }, actor: 'u_alice' });
    expect((await handler(new Request('http://localhost/recorder/inc_1', { method: 'POST' }))).status).toBe(204);
    const wrong = await handler(new Request('http://localhost/recorder/inc_1', { method: 'DELETE' }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect((await handler(new Request('http://localhost/recorder'))).status).toBe(404);
    // The handler's own routes still answer first.
    expect((await handler(new Request('http://localhost/incidents'))).status).toBe(200);
  });
});
